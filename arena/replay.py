"""Render logged matches for people: a list of a run's matches, and one match turn by turn.

Model and agent text is data, not markup: it goes into ``rich.text.Text`` (never parsed for ``[bold]``)
and control characters (ANSI escapes included) are shown as visible escapes, so a hostile reply cannot
restyle or take over the terminal.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from arena.errors import escape_controls

ROLE_STYLES = {"seller": "cyan", "buyer": "magenta", "critic": "yellow", "learner": "green", "partner": "blue"}


def visible(text: str, limit: int = 4000) -> str:
    """Text with control characters escaped (``\\x1b``), newlines kept, and an overlong tail cut."""
    shown = escape_controls(text, keep="\n\t")
    if len(shown) > limit:
        shown = shown[:limit] + f" ... [{len(shown) - limit} more characters]"
    return shown


def plain(text: Any) -> Text:
    return Text(visible(str(text)))


def scenario_specs(header: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Scenario name -> its stored dict, from the run's config (what a game's replay wording may use)."""
    scenarios = (header.get("config") or {}).get("scenarios") or {}
    return {str(name): spec for name, spec in scenarios.items() if isinstance(spec, dict)}


def game_spec(rec: dict[str, Any]) -> Any:
    """The record's game spec, or None for a game this Arena does not know (shown generically)."""
    from arena.errors import ConfigError
    from arena.registry import default_game, game

    try:
        return game(str(rec.get("game") or default_game()))
    except ConfigError:
        return None


def outcome_text(rec: dict[str, Any], scenario: dict[str, Any] | None = None) -> str:
    """The match's outcome in its game's words (``error`` for a failed match)."""
    if rec.get("status") != "ok":
        return "error"
    outcome, spec = rec.get("outcome") or {}, game_spec(rec)
    if spec is not None and spec.outcome_line is not None:
        return spec.outcome_line(outcome, scenario or {})
    return ", ".join(f"{k} {v}" for k, v in outcome.items() if not isinstance(v, dict))


def turn_actions(spec: Any, turn: dict[str, Any], scenario: dict[str, Any] | None = None) -> list[str]:
    """What the game read in a turn (its ``turn_details`` of the payload: an offer, an accept) and how the
    player's reply was read (``read as json``); ``spec``: the game, or None for one Arena does not know."""
    payload = turn.get("payload") or {}  # the game's own fields (the log upgrades version-1 turns)
    details = list(spec.turn_details(payload, scenario or {})) if spec and spec.turn_details else []
    how = "/".join(str(x) for x in (turn.get("player_how"), payload.get("how")) if x)
    if how:
        details.append(f"read as {how}")
    return details


def ratings_line(spec: Any, given: dict[str, Any]) -> str:
    """A feedback record's ratings in one short cell: the game's ``feedback_details``, else ``name value``."""
    if spec is not None and spec.feedback_details is not None:
        return str(spec.feedback_details(given))
    return ", ".join(f"{k} {'-' if v is None else f'{v:g}'}" for k, v in (given.get("ratings") or {}).items())


def match_list(records: list[dict[str, Any]], scenarios: dict[str, dict[str, Any]] | None = None,
               width: int = 80) -> Table:
    """One row per match, fitted to ``width`` columns; ``scenarios`` (:func:`scenario_specs`) lets each
    game word its outcome (a negotiation's currency).

    The id (what ``--match`` takes), the outcome and the turns always show, the id never cut; the round, arm
    and agents (all also readable in the id) are added while the table still fits, so an 80-column
    terminal gets three readable columns instead of six columns of ellipses.
    """
    scenarios = scenarios or {}
    ordered = sorted(records, key=lambda r: (str(r.get("series_id")), r.get("round", 0)))
    roles = list(ordered[0].get("agents") or {}) if ordered else []
    cells: dict[str, list[str]] = {"match": [], "round": [], "arm": [], "agents": [], "outcome": [], "turns": []}
    for rec in ordered:
        outcome = rec.get("outcome") or {}
        cells["match"].append(visible(str(rec["match_id"])))
        cells["round"].append(visible(str(rec.get("round", ""))))
        cells["arm"].append(visible(str(rec.get("arm", "none"))))
        cells["agents"].append(visible(" / ".join(str(a) for a in (rec.get("agents") or {}).values())))
        cells["outcome"].append(visible(outcome_text(rec, scenarios.get(str(rec.get("scenario"))))))
        cells["turns"].append(visible(str(outcome.get("turns", len(rec.get("transcript", []))))))
    heads = {"agents": visible(" / ".join(map(str, roles))) or "agents"}

    def span(column: str) -> int:
        return max([len(heads.get(column, column)), *map(len, cells[column])])

    shown = ["match", "outcome", "turns"]
    for extra, before in (("round", "outcome"), ("arm", "outcome"), ("agents", "outcome")):
        trial = shown[:shown.index(before)] + [extra] + shown[shown.index(before):]
        if sum(map(span, trial)) + 3 * (len(trial) - 1) <= width:  # a column gap is 3 characters
            shown = trial
    title = f"{len(records)} match{'' if len(records) == 1 else 'es'}"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in shown:
        table.add_column(heads.get(column, column), justify="right" if column in ("round", "turns") else "left",
                         no_wrap=column != "match", overflow="fold", min_width=min(span(column), width))
    for i in range(len(ordered)):
        table.add_row(*(Text(cells[column][i]) for column in shown))
    return table


def match_view(rec: dict[str, Any], scenario: dict[str, Any] | None = None, *, reasons: bool = False
               ) -> RenderableType:
    """One match: header, memory shown to each player, the turns, the outcome and any feedback given.

    ``scenario`` is the match's stored scenario (see :func:`scenario_specs`): the game words its turns and
    outcome with it (a EUR negotiation's offers read ``EUR 20``, not ``$20``). ``reasons``: also the
    critic's one-line reason per rated criterion, under its ratings (off by default: seven lines a turn).
    """
    spec = game_spec(rec)
    parts: list[RenderableType] = []
    head = Text()
    head.append(visible(str(rec["match_id"])), style="bold")
    head.append(visible(f"  scenario {rec['scenario']}  arm {rec.get('arm', 'none')}  round {rec['round']}/"
                        f"{rec.get('rounds', rec['round'])}  seed {rec['seed']}"
                        + ("  transfer test (no feedback)" if rec.get("transfer") else "")))
    parts.append(head)
    for role, memory in (rec.get("memory_before") or {}).items():
        if memory:
            block = Text(visible(f"memory of {role}:\n"), style="dim")
            block.append(visible(memory), style="dim")
            parts.append(block)
    for turn in rec.get("transcript", []):
        parts.extend(turn_view(turn, spec, scenario, reasons=reasons))
    end = Text()
    end.append("outcome: ", style="bold")
    end.append(visible(outcome_text(rec, scenario)))
    if rec.get("rewards"):
        end.append(visible("   rewards: " + ", ".join(f"{r} {v:.2f}" for r, v in rec["rewards"].items())))
    if rec.get("error"):
        err = rec["error"]
        end.append(visible(f"\nerror ({err.get('kind')}, {err.get('role')}): "), style="red")
        end.append(visible(str(err.get("message", ""))))
    parts.append(end)
    for role, given in (rec.get("feedback") or {}).items():
        if given.get("suggestions"):
            fb = Text(visible(f"feedback to {role} ({given.get('arm')}):\n"), style="yellow")
            fb.append(visible("\n".join(f"- {s}" for s in given["suggestions"])))
            parts.append(fb)
    return Group(*parts)


def turn_view(turn: dict[str, Any], spec: Any, scenario: dict[str, Any] | None = None, *, reasons: bool = False,
              text: bool = True, feedback_label: str | None = None) -> list[RenderableType]:
    """One logged turn: who spoke, what the game read in it (``Game.turn_details``), the text (unless ``text``
    is False: ``arena play`` does not repeat what the person just typed) and any after_turn feedback given
    on it, its ratings worded by ``Game.feedback_details``. ``spec`` is the match's game (None: generic)."""
    parts: list[RenderableType] = []
    role = str(turn.get("role", "?"))
    line = Text(visible(f"{turn.get('turn', ''):>3} "))
    line.append(visible(f"{turn.get('agent', '')} ({role})"), style=f"bold {ROLE_STYLES.get(role, '')}")
    details = turn_actions(spec, turn, scenario)
    if details:
        line.append(visible("  " + ", ".join(details)), style="dim")
    if text:
        line.append("\n      ")
        line.append(visible(str(turn.get("text", ""))))
    parts.append(line)
    given = turn.get("feedback") or {}
    if given.get("suggestions") or given.get("ratings"):  # after_turn advice, on the turn it follows
        ratings = ratings_line(spec, given)
        label = feedback_label or f"feedback to {role} ({given.get('arm')})"
        fb = Text(visible(f"      {label}" + (f" [{ratings}]" if ratings else "")
                          + "".join(f"\n      - {s}" for s in given.get("suggestions") or [])), style="yellow")
        if reasons and isinstance(given.get("reasons"), dict):
            fb.append(visible("".join(f"\n        {k}: {v}" for k, v in given["reasons"].items())), style="dim")
        parts.append(fb)
    return parts
