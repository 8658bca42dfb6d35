"""Render logged matches for people: a list of a run's matches, and one match turn by turn.

Model and agent text is data, not markup: it goes into ``rich.text.Text`` (never parsed for ``[bold]``)
and control characters (ANSI escapes included) are shown as visible escapes, so a hostile reply cannot
restyle or take over the terminal.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

ROLE_STYLES = {"seller": "cyan", "buyer": "magenta", "critic": "yellow", "learner": "green", "partner": "blue"}


def visible(text: str, limit: int = 4000) -> str:
    """Text with control characters escaped (``\\x1b``), newlines kept, and an overlong tail cut."""
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\u2028\u2029":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    shown = "".join(out)
    if len(shown) > limit:
        shown = shown[:limit] + f" ... [{len(shown) - limit} more characters]"
    return shown


def plain(text: Any) -> Text:
    return Text(visible(str(text)))


def _money(value: Any, currency: str = "$") -> str:
    return "-" if value is None else f"{currency}{float(value):g}"


def outcome_text(outcome: dict[str, Any], status: str = "ok") -> str:
    if status != "ok":
        return "error"
    if outcome.get("deal"):
        return f"deal {_money(outcome.get('price'))}"
    return f"no deal ({outcome.get('reason')})"


def match_list(records: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(records)} matches", title_justify="left", pad_edge=False)
    table.add_column("match", no_wrap=True)
    for col in ("arm", "round", "agents", "outcome", "turns"):
        table.add_column(col)
    for rec in sorted(records, key=lambda r: (r["series_id"], r["round"])):
        agents = " vs ".join(f"{a} ({r})" for r, a in rec["agents"].items())
        table.add_row(
            plain(rec["match_id"]), rec.get("arm", "none"), str(rec["round"]), plain(agents),
            plain(outcome_text(rec.get("outcome") or {}, rec["status"])),
            str((rec.get("outcome") or {}).get("turns", len(rec.get("transcript", [])))),
        )
    return table


def match_view(rec: dict[str, Any]) -> RenderableType:
    """One match: header, memory shown to each player, the turns, the outcome and any feedback given."""
    parts: list[RenderableType] = []
    head = Text()
    head.append(f"{rec['match_id']}", style="bold")
    head.append(f"  scenario {rec['scenario']}  arm {rec.get('arm', 'none')}  round {rec['round']}/"
                f"{rec.get('rounds', rec['round'])}  seed {rec['seed']}")
    parts.append(head)
    for role, memory in (rec.get("memory_before") or {}).items():
        if memory:
            block = Text(f"memory of {role}:\n", style="dim")
            block.append(visible(memory), style="dim")
            parts.append(block)
    for turn in rec.get("transcript", []):
        role = turn.get("role", "?")
        line = Text(f"{turn.get('turn', ''):>3} ")
        line.append(f"{visible(str(turn.get('agent', '')))} ({role})", style=f"bold {ROLE_STYLES.get(role, '')}")
        details = []
        if turn.get("offer") is not None:
            details.append(f"offer {_money(turn.get('offer'))}")
        if turn.get("accept"):
            details.append("ACCEPT")
        if turn.get("quit"):
            details.append("QUIT")
        if turn.get("event"):
            details.append(f"event {turn['event']}")
        how = "/".join(x for x in (turn.get("player_how"), turn.get("how")) if x)
        if how:
            details.append(f"read as {how}")
        if details:
            line.append("  " + ", ".join(details), style="dim")
        line.append("\n      ")
        line.append(visible(str(turn.get("text", ""))))
        parts.append(line)
    end = Text()
    end.append("outcome: ", style="bold")
    end.append(visible(outcome_text(rec.get("outcome") or {}, rec["status"])))
    if rec.get("rewards"):
        end.append("   rewards: " + ", ".join(f"{r} {v:.2f}" for r, v in rec["rewards"].items()))
    if rec.get("error"):
        err = rec["error"]
        end.append(f"\nerror ({err.get('kind')}, {err.get('role')}): ", style="red")
        end.append(visible(str(err.get("message", ""))))
    parts.append(end)
    for role, given in (rec.get("feedback") or {}).items():
        if given.get("suggestions"):
            fb = Text(f"feedback to {role} ({given.get('arm')}):\n", style="yellow")
            fb.append(visible("\n".join(f"- {s}" for s in given["suggestions"])))
            parts.append(fb)
    return Group(*parts)
