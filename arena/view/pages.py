"""The list pages of the browser view: every run, and one run (its match list and its analysis).

A run's page shows one page of its matches with a filter form (a plain GET form: no script), then the
report's overview, learning curves, effects and leaderboard (:func:`arena.analysis.report.report_sections`)
or, for a run too large to analyse on a first visit, a link to them.
"""

from __future__ import annotations

from typing import Any

from arena.view.html import esc, link, page, table, url
from arena.view.listing import FILTER_KEYS, Filters, Page, Row
from arena.view.runs import INLINE_ANALYSIS, Run, RunSummary

__all__ = ["analysis_page", "error_page", "run_page", "runs_page"]

_LABELS = {"arm": "arm", "agent": "agent", "scenario": "scenario", "outcome": "outcome"}


def runs_page(root: str, runs: list[RunSummary]) -> str:
    """Every run under the root: id (a link), status, tournament, matches, when it was made."""
    rows = []
    for run in runs:
        header = run.header or {}
        tournament = ((header.get("config") or {}).get("tournament") or {})
        rows.append([link(url("run", run.name), run.name), esc(header.get("status", "?")),
                     esc(f"{tournament.get('name', '?')} ({tournament.get('format', '?')})") if header else
                     f'<span class="error">{esc(run.problem or "")}</span>',
                     (esc(run.matches), "num"), esc(header.get("created_at") or "")])
    body = [f"<h1>Arena runs in {esc(root)}</h1>"]
    body.append(table(["run", "status", "tournament", "matches", "created"], rows, table_id="runs") if rows else
                '<p class="note">No runs here yet (a run directory holds run.json).</p>')
    return page(f"Arena runs: {root}", body, [("runs", url())])


def _filter_form(run: Run, filters: Filters) -> str:
    choices = run.choices(filters)
    fields = []
    for key in FILTER_KEYS:
        options = ['<option value="">any</option>']
        for value, label in choices[key]:
            chosen = " selected" if getattr(filters, key) == value else ""
            options.append(f'<option value="{esc(value)}"{chosen}>{esc(label)}</option>')
        fields.append(f'<label>{esc(_LABELS[key])}<select name="{key}" id="filter-{key}">{"".join(options)}</select>'
                      "</label>")
    clear = link(url("run", run.name), "clear") if filters.active() else ""
    return (f'<form class="filters" method="get" action="{esc(url("run", run.name))}">{"".join(fields)}'
            f'<button type="submit" id="apply">Filter</button>{clear}</form>')


def _row_cells(run: Run, row: Row) -> list[str | tuple[str, str]]:
    agents = ", ".join(f"{role}: {agent}" for role, agent in row.agents)
    rewards = ", ".join(f"{role} {value:.2f}" for role, value in row.rewards)
    rnd = f"{row.round}/{row.rounds}" + (" (transfer)" if row.transfer else "")
    return [link(url("run", run.name, "match", row.match_id), row.match_id, class_="match"),
            esc(row.scenario), esc(row.arm), (esc(rnd), "num"), esc(agents),
            (esc(row.outcome), "" if row.status == "ok" else "err"), (esc(row.turns), "num"), esc(rewards)]


def _pager(run: Run, filters: Filters, shown: Page) -> str:
    def to(number: int, text: str) -> str:
        return link(url("run", run.name, query=filters.query(page=number)), text, rel=text.split()[0])

    prev = to(shown.number - 1, "prev page") if shown.number > 1 else '<span class="muted">prev page</span>'
    nxt = to(shown.number + 1, "next page") if shown.number < shown.pages else '<span class="muted">next page</span>'
    return f'<div class="pager">{prev}<span>page {shown.number} of {shown.pages}</span>{nxt}</div>'


def run_page(run: Run, filters: Filters, *, n_boot: int) -> str:
    """One run: its match list (filtered, one page) and its analysis."""
    header = run.header()
    total = len(run.ids())
    shown = run.page(filters)
    run.warm()  # the rows every filter needs, streamed while the person reads this page
    tournament = ((header.get("config") or {}).get("tournament") or {})
    body = [f"<h1>Run {esc(run.name)}</h1>",
            f'<p class="note">{esc(tournament.get("name", "?"))} ({esc(tournament.get("format", "?"))}), game '
            f'{esc(run.game_name())}, status {esc(header.get("status", "?"))}, {total} matches logged. '
            f'<a href="#analysis">Leaderboard, curves and effects</a> below the list.</p>',
            "<h2>Matches</h2>", _filter_form(run, filters)]
    narrowed = f" (filtered from {total})" if filters.active() else ""
    span = f"{shown.start}-{shown.start + len(shown.items) - 1}" if shown.items else "0"
    body.append(f'<p class="note" id="count">Showing {span} of {shown.total} matches{narrowed}.</p>')
    if shown.items:
        body.append(table(["match", "scenario", "arm", "round", "agents", "outcome", "turns", "rewards"],
                          (_row_cells(run, row) for row in shown.items), table_id="matches"))
        body.append(_pager(run, filters, shown))
    for problem in list(run.problems)[:5]:
        body.append(f'<p class="error">skipped: {esc(problem)}</p>')
    body.append('<h2 id="analysis">Analysis</h2>')
    if total > INLINE_ANALYSIS:
        body.append(f'<p>This run has {total} matches: the leaderboard, curves and effects read every one. '
                    f'{link(url("run", run.name, "analysis"), "Compute them")}.</p>')
    elif total:
        body += ['<div class="wide">', *run.analysis(n_boot=n_boot), "</div>"]  # a game of many figures is wide
    else:
        body.append('<p class="note">No matches logged yet.</p>')
    return page(f"Arena run {run.name}", body, [("runs", url()), (run.name, "")])


def analysis_page(run: Run, *, n_boot: int) -> str:
    """A large run's analysis on a page of its own."""
    body = [f"<h1>Analysis of {esc(run.name)}</h1>", '<div class="wide">', *run.analysis(n_boot=n_boot), "</div>"]
    return page(f"Arena analysis {run.name}", body,
                [("runs", url()), (run.name, url("run", run.name)), ("analysis", "")])


def error_page(status: int, message: Any) -> str:
    """A page that says in one line what was not found or went wrong."""
    return page(f"Arena: {status}", [f"<h1>{status}</h1>", f'<p class="error" id="message">{esc(message)}</p>',
                                     f"<p>{link(url(), 'all runs')}</p>"], [("runs", url()), (str(status), "")])
