"""The report's plots, as PNG bytes: each declared metric per round, the feedback effects, a mean against the
main rate.

One plot per metric (``curves.figures``, labelled by the game), one line per arm; the band is the 95%
interval where there is one (n >= 10 units), nothing below; each legend entry gives the range of n behind
its points (a rate: series; a mean: series that define it; an effect: its pairs). A rate is drawn in %.
Rendered with matplotlib's Agg backend, no display needed. Mathtext is off: a ``$`` in a
scenario or arm name from the log is drawn as text, never parsed as LaTeX (bad mathtext would crash).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from arena.analysis.curves import Curves, Figure, Interval
from arena.errors import escape_controls, one_line

_COLORS = {"none": "#7f7f7f", "constant": "#1f77b4", "human": "#2ca02c", "ai": "#d62728"}


def plot_keys(curves: Curves) -> list[str]:
    """The keys of the plots :func:`render_plots` draws for ``curves``, in the report's order."""
    keys = [f.key for f in curves.figures]
    if curves.effects and curves.figures:
        keys.append("effect")
    return keys + (["tradeoff"] if tradeoff_figures(curves) is not None else [])


def render_plots(curves: Curves, keys: list[str] | None = None) -> dict[str, bytes]:
    """Every plot as PNG bytes (or those of ``keys``; see :func:`plot_keys`): one per figure (by its key),
    ``effect`` with a control arm, ``tradeoff`` when the game has a main rate and a mean. Mathtext is off: a
    ``$`` in a name from the log is text, not LaTeX. matplotlib's warnings quote log text (a glyph missing
    from the font): raised again once each, escaped."""
    import matplotlib

    wanted = plot_keys(curves) if keys is None else [k for k in plot_keys(curves) if k in keys]
    with warnings.catch_warnings(record=True) as caught, \
            matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        warnings.simplefilter("always")
        plots = {f.key: _series_plot(curves, f) for f in curves.figures if f.key in wanted}
        if "effect" in wanted:
            plots["effect"] = _effect_plot(curves)
        pair = tradeoff_figures(curves)
        if pair is not None and "tradeoff" in wanted:
            plots["tradeoff"] = _tradeoff_plot(curves, *pair)
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


def tradeoff_figures(curves: Curves) -> tuple[Figure, Figure] | None:
    """The main rate and the first mean (a success may cost some of the amount): the tradeoff plot's axes."""
    rate = curves.main_figure
    mean = next((f for f in curves.figures if f.kind == "mean"), None)
    return (rate, mean) if rate is not None and mean is not None else None


def _ylabel(figure: Figure) -> str:
    return _label(f"{figure.label} (%)" if figure.kind == "rate" else figure.label)


def _unit(figure: Figure) -> str:
    return "series" if figure.kind == "rate" else "defined"


def _figure(curves: Curves, ylabels: list[str]) -> tuple[Any, list[tuple[str, Any]]]:
    """One panel per scenario and label (a row per scenario); returns the figure and (scenario, axes) pairs."""
    from matplotlib.figure import Figure as PlotFigure

    n, k = len(curves.scenarios), len(ylabels)
    fig = PlotFigure(figsize=(7.5, 3.6 * n * k), dpi=100, layout="constrained")
    panels = []
    for i, scenario in enumerate(curves.scenarios):
        for j, ylabel in enumerate(ylabels):
            ax = fig.add_subplot(n * k, 1, i * k + j + 1)
            ax.set_xlabel("round")
            ax.set_ylabel(ylabel)
            if n > 1:
                ax.set_title(_label(scenario))
            rounds = curves.rounds_of(scenario)
            ax.set_xticks(list(rounds), [curves.round_label(scenario, r) for r in rounds])
            ax.grid(alpha=0.3)
            panels.append((scenario, ax))
    return fig, panels


def _series_plot(curves: Curves, figure: Figure) -> bytes:
    fig, panels = _figure(curves, [_ylabel(figure)])
    percent = figure.kind == "rate"
    for scenario, ax in panels:
        for i, arm in enumerate(curves.arms):
            pts = [p for p in curves.points if p.scenario == scenario and p.arm == arm
                   and p.metrics[figure.key].value is not None]
            _line(ax, [p.round for p in pts], [p.metrics[figure.key] for p in pts], arm, i, percent, _unit(figure))
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


def _effect_plot(curves: Curves) -> bytes:
    """Each metric's effect per round (a panel each): a mean's over the pairs where both define it."""
    labels = [_label(f"Δ {f.label}{' (%)' if f.kind == 'rate' else ''} vs {curves.control}") for f in curves.figures]
    fig, panels = _figure(curves, labels)
    for k, (scenario, ax) in enumerate(panels):
        figure = curves.figures[k % len(curves.figures)]
        ax.axhline(0.0, color="black", linewidth=0.8)
        for i, arm in enumerate(curves.treatments):
            effs = [e for e in curves.effects if e.scenario == scenario and e.arm == arm
                    and e.metrics[figure.key].value is not None]
            _line(ax, [e.round for e in effs], [e.metrics[figure.key] for e in effs], arm, i + 1,
                  figure.kind == "rate", "pairs")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize="small")
    return _png(fig)


def _tradeoff_plot(curves: Curves, rate: Figure, mean: Figure) -> bytes:
    """The mean against the main rate, one path per arm through its rounds (labelled r1, r2, ...)."""
    from matplotlib.figure import Figure as PlotFigure

    n = len(curves.scenarios)
    fig = PlotFigure(figsize=(7.5, 3.6 * n), dpi=100, layout="constrained")
    for k, scenario in enumerate(curves.scenarios):
        ax = fig.add_subplot(n, 1, k + 1)
        ax.set_xlabel(_ylabel(rate))
        ax.set_ylabel(_ylabel(mean))
        ax.set_xlim(-3, 103)
        ax.grid(alpha=0.3)
        if n > 1:
            ax.set_title(_label(scenario))
        for i, arm in enumerate(curves.arms):
            pts = [p for p in curves.points if p.scenario == scenario and p.arm == arm
                   and p.metrics[mean.key].value is not None]
            if not pts:
                continue
            xs = [100.0 * (p.metrics[rate.key].value or 0.0) for p in pts]
            ys = [p.metrics[mean.key].value for p in pts]
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
