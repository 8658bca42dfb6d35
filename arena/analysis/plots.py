"""The report's plots, as PNG bytes: price and deal rate per round, the feedback effect, price against rate.

One line per arm; the band is the 95% interval where there is one (n >= 10 units), nothing below; each
legend entry gives the range of n behind its points (price: deals; deal rate: series; effect: pairs where
both dealt). Rendered with matplotlib's Agg backend, no display needed. Mathtext is off: a ``$`` in a
scenario or arm name from the log is drawn as text, never parsed as LaTeX (bad mathtext would crash).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from arena.analysis.curves import Curves, Interval
from arena.errors import escape_controls, one_line

_COLORS = {"none": "#7f7f7f", "constant": "#1f77b4", "human": "#2ca02c", "ai": "#d62728"}


def render_plots(curves: Curves) -> dict[str, bytes]:
    """Every plot as PNG bytes. Mathtext is off: a ``$`` in a name from the log is text, not LaTeX.
    matplotlib's warnings quote log text (a glyph missing from the font): raised again once each, escaped."""
    import matplotlib

    with warnings.catch_warnings(record=True) as caught, \
            matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        warnings.simplefilter("always")
        plots = {"price": _price_plot(curves), "deal_rate": _deal_rate_plot(curves),
                 "tradeoff": _tradeoff_plot(curves)}
        if curves.effects:
            plots["effect"] = _effect_plot(curves)
    # a ResourceWarning is about some object the garbage collector met meanwhile (a socket), not the plots:
    # passed on as it was, not renamed "report plots"
    ours = [w for w in caught if not issubclass(w.category, ResourceWarning)]
    for w in caught:
        if w not in ours:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    for message in dict.fromkeys(one_line(str(w.message)) for w in ours):
        warnings.warn(f"report plots: {message}", UserWarning, stacklevel=2)
    return plots


def _label(text: str) -> str:
    """A plot label from log text, of bounded length, control characters shown as escapes."""
    text = escape_controls(text)
    return text if len(text) <= 60 else text[:59] + "…"


def _figure(curves: Curves, ylabel: str) -> tuple[Any, list[Any]]:
    from matplotlib.figure import Figure

    n = len(curves.scenarios)
    fig = Figure(figsize=(7.5, 3.6 * n), dpi=100, layout="constrained")
    axes = [fig.add_subplot(n, 1, i + 1) for i in range(n)]
    for ax, scenario in zip(axes, curves.scenarios, strict=True):
        ax.set_xlabel("round")
        ax.set_ylabel(ylabel)
        if n > 1:
            ax.set_title(_label(scenario))
        ax.set_xticks(range(1, curves.rounds + 1))
        ax.grid(alpha=0.3)
    return fig, axes


def _series_plot(curves: Curves, ylabel: str, metric: str, percent: bool = False) -> bytes:
    fig, axes = _figure(curves, ylabel)
    for ax, scenario in zip(axes, curves.scenarios, strict=True):
        for i, arm in enumerate(curves.arms):
            pts = [p for p in curves.points if p.scenario == scenario and p.arm == arm
                   and getattr(p, metric).value is not None]
            _line(ax, [p.round for p in pts], [getattr(p, metric) for p in pts], arm, i, percent,
                  "deals" if metric == "price" else "series")
        if percent:
            ax.set_ylim(-3, 103)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize="small")
    return _png(fig)


def _line(ax: Any, xs: list[int], ivs: list[Interval], name: str, index: int, percent: bool, unit: str) -> None:
    """One arm's line; the band only where there is an interval (n >= 10); the legend gives the range of n."""
    if not xs:
        return
    scale = 100.0 if percent else 1.0
    color = _COLORS.get(name, f"C{index % 10}")
    ys = [iv.value * scale for iv in ivs]  # type: ignore[operator]
    lo = [(iv.lo if iv.lo is not None else iv.value) * scale for iv in ivs]  # type: ignore[operator]
    hi = [(iv.hi if iv.hi is not None else iv.value) * scale for iv in ivs]  # type: ignore[operator]
    ns = [iv.n for iv in ivs]
    n_text = f"n={min(ns)}" if min(ns) == max(ns) else f"n={min(ns)}-{max(ns)}"
    ax.plot(xs, ys, marker="o", color=color, label=f"{_label(name)} ({n_text} {unit})")
    if len(xs) > 1:
        ax.fill_between(xs, lo, hi, color=color, alpha=0.2, linewidth=0)
    else:
        ax.errorbar(xs, ys, yerr=[[y - a for y, a in zip(ys, lo, strict=True)],
                                  [b - y for y, b in zip(ys, hi, strict=True)]], color=color, capsize=4)


def _price_plot(curves: Curves) -> bytes:
    return _series_plot(curves, "mean deal price", "price")


def _deal_rate_plot(curves: Curves) -> bytes:
    return _series_plot(curves, "deal rate (%)", "deal_rate", percent=True)


def _effect_plot(curves: Curves) -> bytes:
    fig, axes = _figure(curves, f"price effect vs {curves.control} (both dealt)")
    for ax, scenario in zip(axes, curves.scenarios, strict=True):
        ax.axhline(0.0, color="black", linewidth=0.8)
        for i, arm in enumerate(curves.treatments):
            effs = [e for e in curves.effects if e.scenario == scenario and e.arm == arm and e.price.value is not None]
            _line(ax, [e.round for e in effs], [e.price for e in effs], arm, i + 1, False, "pairs")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize="small")
    return _png(fig)


def _tradeoff_plot(curves: Curves) -> bytes:
    """Price against deal rate, one path per arm through its rounds (labelled r1, r2, ...)."""
    from matplotlib.figure import Figure

    n = len(curves.scenarios)
    fig = Figure(figsize=(7.5, 3.6 * n), dpi=100, layout="constrained")
    for k, scenario in enumerate(curves.scenarios):
        ax = fig.add_subplot(n, 1, k + 1)
        ax.set_xlabel("deal rate (%)")
        ax.set_ylabel("mean deal price")
        ax.set_xlim(-3, 103)
        ax.grid(alpha=0.3)
        if n > 1:
            ax.set_title(_label(scenario))
        for i, arm in enumerate(curves.arms):
            pts = [p for p in curves.points if p.scenario == scenario and p.arm == arm and p.price.value is not None]
            if not pts:
                continue
            xs = [100.0 * (p.deal_rate.value or 0.0) for p in pts]
            ys = [p.price.value for p in pts]
            ax.plot(xs, ys, marker="o", color=_COLORS.get(arm, f"C{i % 10}"), label=_label(arm), alpha=0.8)
            for p, x, y in zip(pts, xs, ys, strict=True):
                ax.annotate(f"r{p.round}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize="x-small")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize="small")
    return _png(fig)


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
