"""One match in the browser: who played what, the memory each player saw, every turn with what the game
read in it, the critic's advice and the coach's ratings where they were given, the outcome and the
round's metrics.

The game speaks through its hooks, as in ``arena replay``: ``turn_details`` (an offer, an accept),
``feedback_details`` (a coach's compact ratings), ``outcome_line`` and its declared metrics
(:class:`arena.registry.Metric`). A game this Arena does not know is shown generically.
"""

from __future__ import annotations

import json
from typing import Any

from arena.registry import Metric
from arena.replay import game_spec, outcome_text, ratings_line, scenario_specs, turn_actions
from arena.view.html import esc, link, page, table, text_block, url

__all__ = ["match_page", "metric_cells"]


def metric_cells(record: dict[str, Any], metrics: tuple[Metric, ...]) -> list[tuple[str, str, str]]:
    """(metric, role or "", value) for every figure the game declares for this match ("-": not defined);
    a figure of every role's (``per_role``) once per role, a role's own figure for that role only."""
    roles = [str(r) for r in record.get("agents") or {}]
    out = []
    for m in metrics:
        asked = roles if m.per_role else [m.role] if m.role else [roles[0] if roles else ""]
        for role in asked:
            value = m.value(record, role) if record.get("status") == "ok" else None
            shown = "-" if value is None else m.fmt.format(value)
            out.append((m.label, role if (m.per_role or m.role) else "", shown))
    return out


def _feedback(role: str, given: dict[str, Any], spec: Any, *, after: str) -> str:
    """One feedback record: who got it and from whom, the ratings (compact and per criterion, with the
    critic's reasons) and the advice itself."""
    who = f"feedback to {role} {after} (arm {given.get('arm', '?')}" + (
        f", critic {given['critic']}" if given.get("critic") else "") + ")"
    parts = [f'<div class="feedback"><b>{esc(who)}</b>']
    compact = ratings_line(spec, given)
    if compact:
        parts.append(f' <span class="ratings">{esc(compact)}</span>')
    suggestions = given.get("suggestions") or []
    if suggestions:
        parts.append("<ul>" + "".join(f'<li class="advice">{esc(s)}</li>' for s in suggestions) + "</ul>")
    elif not given.get("ratings"):
        parts.append(' <span class="muted">(no advice)</span>')
    ratings = given.get("ratings") if isinstance(given.get("ratings"), dict) else {}
    reasons = given.get("reasons") if isinstance(given.get("reasons"), dict) else {}
    if ratings:
        rows = [[esc(name), esc("-" if value is None else value), esc(reasons.get(name, ""))]
                for name, value in ratings.items()]
        parts.append("<details><summary>ratings per criterion</summary>"
                     + table(["criterion", "rating", "reason"], rows) + "</details>")
    if given.get("error"):
        parts.append(f'<p class="error">critic error: {esc(json.dumps(given["error"]))}</p>')
    return "".join(parts) + "</div>"


def _turn(turn: dict[str, Any], seat: dict[str, int], spec: Any, scenario: dict[str, Any]) -> str:
    role = str(turn.get("role", "?"))
    actions = turn_actions(spec, turn, scenario)
    head = (f'<div class="head">turn {esc(turn.get("turn", ""))} <span class="who">{esc(turn.get("agent", ""))} '
            f'({esc(role)})</span>' + (f' <span class="actions">{esc(", ".join(actions))}</span>' if actions else "")
            + "</div>")
    parts = [f'<div class="turn r{seat.get(role, 0) % 4}">', head, text_block(turn.get("text", ""))]
    prompt = turn.get("prompt")
    if isinstance(prompt, list) and prompt:
        shown = "\n\n".join(f"[{m.get('role', '?')}]\n{m.get('content', '')}" for m in prompt if isinstance(m, dict))
        parts.append(f"<details><summary>what the player was shown ({len(prompt)} messages)</summary>"
                     f"{text_block(shown, 'memory')}</details>")
    parts.append("</div>")
    given = turn.get("feedback") or {}
    if given.get("suggestions") or given.get("ratings") or given.get("error"):
        parts.append(_feedback(role, given, spec, after="after this turn"))
    return "".join(parts)


def _facts(record: dict[str, Any]) -> str:
    rnd = f"{record.get('round')}/{record.get('rounds', record.get('round'))}"
    items = [("scenario", record.get("scenario")), ("arm", record.get("arm", "none")),
             ("round", rnd + (" (transfer test, no feedback)" if record.get("transfer") else "")),
             ("series", record.get("series_id")), ("seed", record.get("seed")),
             *((f"{role}", agent) for role, agent in (record.get("agents") or {}).items()),
             ("status", record.get("status")), ("attempt", record.get("attempt", 1))]
    if record.get("duration_s") is not None:
        items.append(("duration", f"{float(record['duration_s']):.2f} s"))
    for role, usage in (record.get("usage") or {}).items():
        if usage:
            items.append((f"{role} usage", ", ".join(f"{k} {v}" for k, v in usage.items())))
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def match_page(run_name: str, header: dict[str, Any], record: dict[str, Any]) -> str:
    """The page of one match record (read with one seek by the caller)."""
    spec = game_spec(record)
    scenario = scenario_specs(header).get(str(record.get("scenario")), {})
    seat = {role: i for i, role in enumerate(record.get("agents") or {})}
    body = [f'<h1 id="match-id">{esc(record["match_id"])}</h1>', _facts(record)]

    body.append("<h2>Outcome</h2>")
    body.append(f'<p id="outcome"><b>{esc(outcome_text(record, scenario))}</b>'
                + ("" if not record.get("rewards") else "  rewards: " + esc(
                    ", ".join(f"{role} {value:.3f}" for role, value in record["rewards"].items()))) + "</p>")
    if record.get("error"):
        err = record["error"]
        body.append(f'<p class="error">error ({esc(err.get("kind"))}, {esc(err.get("role"))}): '
                    f'{esc(err.get("message", ""))}</p>')
    cells = metric_cells(record, spec.metrics if spec is not None else ())
    if cells:
        body.append(table(["metric", "role", "value"], ([esc(a), esc(b), (esc(c), "num")] for a, b, c in cells),
                          table_id="metrics"))

    body.append("<h2>Memory the players saw</h2>")
    memory = {role: text for role, text in (record.get("memory_before") or {}).items() if text}
    if memory:
        body += [f"<h3>{esc(role)}</h3>{text_block(text, 'memory')}" for role, text in memory.items()]
    else:
        body.append('<p class="note">None: no player carried memory into this round.</p>')

    body.append("<h2>Transcript</h2>")
    body += [_turn(turn, seat, spec, scenario) for turn in record.get("transcript") or []]
    if not record.get("transcript"):
        body.append('<p class="note">No turns were played.</p>')

    after = {role: given for role, given in (record.get("feedback") or {}).items() if given}
    if after:
        body.append("<h2>Feedback after the round</h2>")
        body += [_feedback(role, given, spec, after="after the round") for role, given in after.items()]
    kept = record.get("memory_after") or {}
    if kept:
        body.append("<details><summary>memory carried into the next round</summary>")
        for role, mem in kept.items():
            entries = mem.get("entries") if isinstance(mem, dict) else None
            lines = [f"round {e.get('round')} {e.get('kind')}: {e.get('text')}" for e in entries or []
                     if isinstance(e, dict)]
            body.append(f"<h3>{esc(role)}</h3>{text_block(chr(10).join(lines) or '(empty)', 'memory')}")
        body.append("</details>")
    body.append(f'<p class="note">{link(url("run", run_name), "back to the run")}</p>')
    return page(f"Arena match {record['match_id']}", body,
                [("runs", url()), (run_name, url("run", run_name)), (str(record["match_id"]), "")])
