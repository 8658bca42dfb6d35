"""``logs/<run>/report.html``: one self-contained page that answers "did the feedback help?".

The page names the run, its arms, rounds, scenarios and agents; plots each metric the game declares per
round (one line per arm, shaded 95% interval where n >= 10) and, when there is a control arm, the feedback
effects per round; and shows the per-round table, the effect table, every metric per arm (with a mean
against the main rate, when the game has both), the leaderboard and one example dialogue per arm. Nothing
here knows a game: names, labels and formats are the game's (:class:`arena.registry.Metric`).

Every figure shows its n (legends give the range of n per line); an effect is marked (bold and ``*``) only
when its exact paired test gives p < 0.05 after Holm's correction across every effect on the page
(``arena.analysis.stats``). Plots are PNGs rendered with matplotlib's Agg backend and embedded as base64,
so the file can be mailed or archived alone.

Everything that comes from a log or a config (agent and scenario names, utterances, critic advice) is
HTML-escaped: model output is untrusted and may contain ``<script>``. Plots render with mathtext off, so
a ``$`` in a name is drawn as text, never parsed.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from arena.analysis.curves import ArmRound, Curves, Interval, learning_curves
from arena.analysis.leaderboard import CrossPlay, crossplay, leaderboard
from arena.analysis.plots import plot_keys, render_plots, tradeoff_figures
from arena.analysis.stats import ALPHA, MIN_N, format_p
from arena.analysis.tally import Tally, tally_of
from arena.errors import RunlogError
from arena.replay import outcome_text, scenario_specs
from arena.runlog.stream import stream_run

REPORT_FILE = "report.html"
_EXCERPT_CHARS = 400
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:70rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem} th,td{border:1px solid #ccc;padding:.25rem .5rem}
th{background:#f4f4f4;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem} dt{font-weight:600}
img{max-width:100%} .note{color:#555;font-size:.9rem} .strong{font-weight:700}
.turn{margin:.15rem 0} .role{font-weight:600} pre{white-space:pre-wrap;margin:0;display:inline}
"""


def write_report(run_dir: Path, out: Path | None = None, *, n_boot: int = 2000, seed: int = 0) -> Path:
    """Render the report of the run in ``run_dir`` to ``out`` (default ``run_dir/report.html``); the log is
    streamed, so its size does not matter."""
    run_dir = Path(run_dir)
    header, records = stream_run(run_dir)
    return save_report(Path(out) if out is not None else run_dir / REPORT_FILE, header,
                       Tally.of(records, header=header), n_boot=n_boot, seed=seed)


def save_report(
    path: Path, header: dict[str, Any], records: Iterable[dict[str, Any]] | Tally, *, n_boot: int = 2000, seed: int = 0,
    curves: Curves | None = None,
) -> Path:
    """Write the page for an already-read run (temp file + rename, so a reader never sees half a page)."""
    page = render_report(header, records, n_boot=n_boot, seed=seed, curves=curves)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise RunlogError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc
    return path


def render_report(
    header: dict[str, Any], records: Iterable[dict[str, Any]] | Tally, *, n_boot: int = 2000, seed: int = 0,
    curves: Curves | None = None,
) -> str:
    """The report page as a string (pure: no file access). ``records``: any iterable, read once, or a
    :class:`~arena.analysis.tally.Tally` of them."""
    records = tally_of(records, header=header)
    curves = curves or learning_curves(header, records, n_boot=n_boot, seed=seed)
    run_id = str(header.get("run_id", ""))
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Arena report: {_e(run_id)}</title><style>{CSS}</style></head><body>",
        f"<h1>Arena report: {_e(run_id)}</h1>",
        *report_sections(header, records, n_boot=n_boot, seed=seed, curves=curves),
    ]
    parts.append(_examples_html(header, records, curves))
    parts.append(f'<p class="note">Generated {_e(_now())} by arena from {_e(records.records)} match records.</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def report_sections(
    header: dict[str, Any], records: Iterable[dict[str, Any]] | Tally, *, n_boot: int = 2000, seed: int = 0,
    curves: Curves | None = None, image: Callable[[str, str], str] | None = None,
) -> list[str]:
    """The report's body without its page and examples: the run's overview, the learning curves with the
    per-round and effect tables, and the leaderboard (HTML fragments; ``arena view`` shows them on a run's
    page). ``image(key, alt)``: the HTML of plot ``key`` (default: the PNG drawn now, inline); the view
    links each plot instead, drawn when the browser asks for it, so the tables do not wait for the plots.
    ``records``: any iterable, read once, or a :class:`~arena.analysis.tally.Tally` of them."""
    records = tally_of(records, header=header)
    curves = curves or learning_curves(header, records, n_boot=n_boot, seed=seed)
    parts = [_overview(header, records, curves), *_curves_html(curves, image), "<h2>Leaderboard</h2>"]
    return parts + _leaderboard_html(records, n_boot=n_boot, seed=seed)


# ---------------------------------------------------------------- html pieces


def _curves_html(curves: Curves, image: Callable[[str, str], str] | None = None) -> list[str]:
    """The curves, the per-round and effect tables and the per-arm summary, from the game's metrics."""
    if not curves.figures:
        return ['<p class="note">No learning curves: this game declares no metrics; the leaderboard below '
                "shows the reward.</p>"]
    parts = ["<h2>Learning curves</h2>",
             '<p class="note">Each metric per round: a rate over the series played, a mean over the series where '
             f"the match defines it. Shaded: 95% interval across series where n &gt;= {MIN_N} (a mean: bootstrap, "
             f"{curves.n_boot} resamples; a rate: Clopper-Pearson), none below. Legends give each line's range "
             "of n (a rate: series; a mean: the series that define it).</p>"]
    if image is None:
        plots = render_plots(curves)
        image = lambda key, alt: _img(plots[key], alt)  # noqa: E731 - the inline default
    keys = plot_keys(curves)
    parts += [image(f.key, f"{f.label} per round") for f in curves.figures]
    if "effect" in keys:
        parts.append(image("effect", "feedback effect per round"))
    parts += ["<h2>Per round</h2>", _per_round_html(curves)]
    if curves.effects:
        parts.append(f"<h2>Feedback effect (each arm minus {_e(curves.control)})</h2>")
        parts += [_effects_note(curves), _effects_html(curves)]
    pair = tradeoff_figures(curves)
    parts.append(f"<h2>{_e(pair[1].label.capitalize())} against {_e(pair[0].label)}</h2>" if pair else
                 "<h2>Per arm</h2>")
    parts.append('<p class="note">Each metric per arm over all rounds (n: matches; a mean: the matches that define '
                 "it; rounds of a series are not independent, so no interval), the advised roles' reward, and the "
                 "first and last round.</p>")
    if pair:
        parts.append(image("tradeoff", f"{pair[1].label} against {pair[0].label} per arm and round"))
    parts.append(_summary_html(curves))
    return parts


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _iv(iv: Interval, fmt: str = "{:.2f}", signed: bool = False) -> str:
    text = iv.format(fmt, signed=signed, raw_p=True)
    return text + " *" if iv.significant else text


def _n(value: str, n: int) -> str:
    """A figure without an interval, with its n (``-`` stays ``-``)."""
    return value if value == "-" else f"{value} n={n}"


def _table(head: Iterable[str], rows: Iterable[Iterable[tuple[str, str]]]) -> str:
    """An HTML table; ``head`` and cell texts are raw strings (escaped here), cells are (text, css class)."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="{cls}">{_e(text)}</td>' if cls else f"<td>{_e(text)}</td>"
                                    for text, cls in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _agents(header: dict[str, Any], records: Tally) -> dict[str, list[str]]:
    players = (header.get("config") or {}).get("players") or {}
    out: dict[str, list[str]] = {str(role): [str(a) for a in names] for role, names in players.items()}
    for role, agents in records.report_agents.items():
        names = out.setdefault(role, [])
        names += [agent for agent in agents if agent not in names]
    return out


def _overview(header: dict[str, Any], records: Tally, curves: Curves) -> str:
    config = header.get("config") or {}
    tournament = config.get("tournament") or {}
    feedback = tournament.get("feedback") or {}
    items: list[tuple[str, str]] = [
        ("run", str(header.get("run_id", ""))),
        ("status", str(header.get("status", "?"))),
        ("tournament", f"{tournament.get('name', '?')} ({tournament.get('format', '?')})"),
        ("arms", ", ".join(curves.arms) + (f" (control: {curves.control})" if curves.control else "")),
        ("rounds", str(curves.rounds)),
        ("repeats", str(tournament.get("repeats", "?"))),
        ("scenarios", ", ".join(curves.scenarios)),
    ]
    items += [(f"{role} agents", ", ".join(names)) for role, names in _agents(header, records).items()]
    if feedback:
        items.append(("advised", ", ".join(curves.roles)))
        if config.get("critic"):
            items.append(("critic", str(config["critic"])))
    items.append(("matches", f"{records.records} logged, {records.ok} ok, {curves.errors} errors (left out)"))
    body = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return f"<dl>{body}</dl>"


def _per_round_html(curves: Curves) -> str:
    many, main = len(curves.scenarios) > 1, curves.main_figure
    head = (["scenario"] if many else []) + ["round", "arm", "series"]
    head += [f"{f.label} [95% CI]" + ("" if f.kind == "rate" else " n=defined") for f in curves.figures]
    head += [f"{role} reward [95% CI]" for role in curves.roles] + ([f"lost {main.label}"] if main else [])
    rows = []
    for p in curves.points:
        row = [(p.scenario, "")] if many else []
        row += [(curves.round_label(p.scenario, p.round), "num"), (p.arm, ""), (str(p.n), "num")]
        row += [(_iv(p.metrics[f.key], f.fmt), "num") for f in curves.figures]
        row += [(_iv(p.reward.get(role, Interval(None)), "{:.3f}"), "num") for role in curves.roles]
        if main:
            row.append((_lost(p), "num"))
        rows.append(row)
    return _table(head, rows)


def _lost(p: ArmRound) -> str:
    if p.lost_rate is None:
        return "-"
    return f"{_rate(p.lost_rate)} ({p.lost}/{p.observed_pairs})"


def _effects_html(curves: Curves) -> str:
    many = len(curves.scenarios) > 1
    head = (["scenario"] if many else []) + ["arm", "round", "pairs"]
    head += [f"Δ {f.label} [95% CI] p n" + ("" if f.kind == "rate" else " (both defined)") for f in curves.figures]
    head += [f"Δ {role} reward [95% CI] p n" for role in curves.roles]
    rows = []
    for eff in curves.effects:
        row = [(eff.scenario, "")] if many else []
        row += [(eff.arm, ""), (curves.round_label(eff.scenario, eff.round), "num"), (str(eff.pairs), "num")]
        row += [(_iv(eff.metrics[f.key], f.fmt, signed=True), _strong(eff.metrics[f.key])) for f in curves.figures]
        row += [(_iv(eff.reward.get(role, Interval(None)), "{:.3f}", signed=True),
                 _strong(eff.reward.get(role, Interval(None)))) for role in curves.roles]
        rows.append(row)
    return _table(head, rows)


def _strong(iv: Interval) -> str:
    return "num strong" if iv.significant else "num"


def _effects_note(curves: Curves) -> str:
    return ('<p class="note">Mean paired difference, arm minus control, over series that differ only in their arm '
            "(same scenario, agents and repeat, so the same seeds); a mean over the pairs where both define it. "
            f"From n = {MIN_N} pairs: a 95% interval and the exact p-value of the sign-flip permutation test "
            "(a rate: McNemar's exact test), which agree: the interval excludes 0 exactly when that p is "
            f"below {ALPHA}. p is Holm-adjusted across all {curves.tests} effects tested on this page (the test's "
            f"own p in brackets); <b>bold</b> and * only when the adjusted p &lt; {ALPHA}. Below {MIN_N} pairs: "
            "the value and its n only.</p>")


def _summary_html(curves: Curves) -> str:
    many, main = len(curves.scenarios) > 1, curves.main_figure
    head = (["scenario"] if many else []) + ["arm", "matches", *(f.label for f in curves.figures)]
    head += [f"{role} reward" for role in curves.roles]
    head += [f"{when} {f.label}" for f in curves.figures for when in ("first", "last")]
    head += [f"lost {main.label}"] if main else []
    rows = []
    for s in curves.summaries:
        first = curves.point(s.arm, s.first_round, s.scenario) if s.first_round else None
        last = curves.point(s.arm, s.last_round, s.scenario) if s.last_round else None
        row = [(s.scenario, "")] if many else []
        row += [(s.arm, ""), (str(s.matches), "num")]
        row += [(_n(_num(s.values[f.key], f.fmt), s.ns[f.key]), "num") for f in curves.figures]
        row += [(_n(_num(s.mean_reward.get(role), "{:.3f}"), s.matches), "num") for role in curves.roles]
        row += [(_at(point, f.key, f.fmt), "num") for f in curves.figures for point in (first, last)]
        row += [(str(s.lost), "num")] if main else []
        rows.append(row)
    return _table(head, rows)


def _at(point: ArmRound | None, key: str, fmt: str) -> str:
    """A round's figure with the round and its n, no interval (e.g. ``16.50 n=18 (r5)``)."""
    if point is None or point.metrics[key].value is None:
        return "-"
    return f"{point.metrics[key].format(fmt, interval=False)} (r{point.round})"


def _leaderboard_html(records: Tally, *, n_boot: int, seed: int) -> list[str]:
    """Per agent and role, in rating order: the game's metrics (each with its n), the mean reward, the rating
    with its interval and n, and whether the order against the next agent is established; then cross-play."""
    rows, metrics, board = [], (), leaderboard(records, n_boot=n_boot, seed=seed)
    for row in board:
        d, played, metrics = row.to_dict(), row.played, row.metrics
        cells = [(d["agent"], ""), (d["role"], ""), (str(d["matches"]), "num")]
        for m in metrics:
            if not m.shown_for(row.role):
                cells.append(("", "num"))  # another role's figure
                continue
            if m.at_end:  # per series' end: mean [CI] n=series, and the test against the next agent
                end = row.ends.get(m.name)
                test = "" if end is None or end.test is None else f" vs {end.next_agent} {format_p(end.test.p_holm)}"
                cells.append(("-" if end is None else end.interval.format(m.fmt) + test, "num"))
                continue
            n = played if m.kind == "rate" else row.count(m.name)
            text = "-" if (m.kind == "rate" and not played) else _num(d[m.name], m.fmt)
            cells.append((_n(text, n), "num"))
        rating = row.rated.format() if row.rated is not None else "-"
        rows.append([*cells, (_n(_num(d["mean_reward"], "{:.3f}") if played else "-", played), "num"),
                     (rating + (" ~" if row.overlaps_next else ""), "num"), (str(d["errors"]), "num")])
    if not rows:
        return ['<p class="note">No matches logged yet.</p>']
    head = ["agent", "role", "matches", *(_metric_head(m) for m in metrics), "mean reward",
            "rating [95% CI] n", "errors"]
    note = ('<p class="note">Rows in rating order within each role. Rating: a Bradley-Terry strength (log-odds '
            "against the role's average agent) from duplicate comparisons: two agents of a role that met the same "
            "opponents on the same scenario, arm, repeat and round are compared on reward (higher wins, equal is "
            "half a win each). n: the agent's comparisons; a 95% percentile bootstrap interval over boards (the "
            f"series that share scenario, arm, repeat and opponents) from n = {MIN_N}; - : no other agent of the "
            "role to compare with.")
    if any(r.overlaps_next for r in board):
        note += " ~ : its interval overlaps the next agent's (or one has none): their order is not established."
    out = [_table(head, rows), note + "</p>"]
    if max(sum(1 for r in board if r.role == role) for role in {r.role for r in board}) > 1:
        out += [_crossplay_html(m) for m in crossplay(records, board, metrics)]
    return out


def _crossplay_html(matrix: CrossPlay) -> str:
    """Agent x opponent: both mean rewards, the game's main rate (successes/played) and n per cell."""
    main = matrix.main
    rows = []
    for r in matrix.rows:
        cells = [(r, "")]
        for c in matrix.cols:
            cell = matrix.cell(r, c)
            if not cell.played:
                cells.append(("-" if not cell.matches else f"{cell.errors} errors", "num"))
                continue
            text = f"{cell.reward(matrix.row_role):.3f} / {cell.reward(matrix.col_role):.3f}"
            if main is not None:
                text += f"; {main.label} {cell.successes}/{cell.played}"
            cells.append((text + f" n={cell.played}" + (f" ({cell.errors} errors)" if cell.errors else ""), "num"))
        rows.append(cells)
    what = f"; {main.label}: successes/played" if main is not None else ""
    return (f"<h3>Cross-play: {_e(matrix.row_role)} (rows) x {_e(matrix.col_role)} (columns)</h3>"
            + _table([matrix.row_role, *matrix.cols], rows)
            + f'<p class="note">Each cell: the {_e(matrix.row_role)}\'s / the {_e(matrix.col_role)}\'s mean reward '
            f"over the n matches played{_e(what)}.</p>")


def _metric_head(metric: Any) -> str:
    """``wins (rate)``, ``turns (mean; n where defined)``; a role's own metric says whose."""
    whose = f"{metric.role}'s " if metric.role else ""
    if metric.at_end:
        return f"{whose}{metric.label} (at each series' end: mean over series)"
    return (f"{whose}{metric.label} (rate)" if metric.kind == "rate"
            else f"{whose}{metric.label} (mean; n where defined)")


def _examples_html(header: dict[str, Any], records: Tally, curves: Curves) -> str:
    """One dialogue per arm: the last logged round of the first series, with the advice it came with."""
    out = ["<h2>Example dialogues</h2>",
           '<p class="note">Per arm, the last logged round of its first series; utterances cut at '
           f"{_EXCERPT_CHARS} characters.</p>"]
    shown = 0
    for arm in curves.arms:
        if arm not in records.examples:
            continue
        rec = records.examples[arm][2]  # the last round of the arm's first series (by id)
        result = outcome_text(rec, scenario_specs(header).get(str(rec.get("scenario", ""))))  # the game's words
        out.append(f"<h3>{_e(arm)}: {_e(rec.get('match_id', ''))} (round {_e(rec.get('round'))}, {_e(result)})</h3>")
        advice = [s for entry in (rec.get("memory_after") or {}).values()
                  for s in (entry.get("entries") or []) if isinstance(entry, dict) and isinstance(s, dict)
                  and s.get("kind") == "advice"]
        if advice:
            items = "".join(f"<li>round {_e(a.get('round'))}: {_e(_cut(a.get('text', '')))}</li>" for a in advice)
            out.append(f"<p>Advice in memory:</p><ul>{items}</ul>")
        for turn in rec.get("transcript") or []:
            out.append(f'<div class="turn"><span class="role">{_e(turn.get("role"))} '
                       f'({_e(turn.get("agent"))}):</span> <pre>{_e(_cut(turn.get("text", "")))}</pre></div>')
        shown += 1
    return "\n".join(out) if shown else ""


def _cut(text: Any) -> str:
    text = str(text)
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS] + " ..."


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<p><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></p>'
