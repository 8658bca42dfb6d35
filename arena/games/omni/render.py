"""How ``arena run`` and ``arena replay`` show an OMNI episode: the task chosen, the MoI's verdict on it
(interesting, boring, or not judged while nothing is mastered), the learner's success and the learning
progress after it, and any invalid or refused proposal with its reason.

The verdict is the logged ``interesting`` as it is: ``true``, ``false`` or ``null`` (not judged). Logs
written before ``null`` existed said ``true`` with the reason "nothing mastered yet"; that reason reads
as not judged too, so an old run does not claim judgements it never made.
"""

from __future__ import annotations

from typing import Any

WIDTH = 80  # the live line's budget: a terminal's width


def verdict(fields: dict[str, Any]) -> str:
    """``interesting``, ``boring`` or ``unjudged`` (nothing mastered to judge the task against)."""
    found = fields.get("interesting")
    if found is None or (found is True and fields.get("interest_reason") == "nothing mastered yet"):
        return "unjudged"
    return "interesting" if found else "boring"


def _events(events: list[dict[str, Any]]) -> str:
    return "; ".join(f"{e.get('kind')}: {e.get('reason')}" for e in events)


def outcome_line(outcome: dict[str, Any], scenario: dict[str, Any]) -> str:
    if "task" not in outcome:
        return "no episode"
    result = "success" if outcome.get("success") else "failure"
    line = (f"episode {outcome.get('episode')}: {outcome.get('description')} [{verdict(outcome)}] "
            f"{result}, LP {float(outcome.get('learning_progress', 0)):.3f}, "
            f"{outcome.get('learned')} learned of {outcome.get('archive_size')}")
    events = outcome.get("events") or []
    return f"{line} ({_events(events)})" if events else line


def live_line(record: dict[str, Any], width: int = WIDTH) -> str | None:
    """One episode in at most ``width`` columns: teacher, round, success, LP, the MoI's verdict, a mark for
    a proposal (``+`` admitted, ``!`` refused or invalid), then the task, cut with ``…`` to fit."""
    outcome = record.get("outcome") or {}
    if "task" not in outcome:
        return None
    agents = record.get("agents") or {}
    events = outcome.get("events") or []
    mark = ("!" if any(e.get("kind") != "admitted" for e in events) else "+") if events else " "
    head = (f"{agents.get('teacher', '?')} r{record.get('round')} {'pass' if outcome.get('success') else 'fail'} "
            f"LP {float(outcome.get('learning_progress', 0)):.3f} {verdict(outcome):<11}{mark}")
    room = width - len(head) - 1
    task = str(outcome.get("description", ""))
    if room < 2:
        return head[:width]
    return f"{head} {task if len(task) <= room else task[:room - 1].rstrip() + '…'}"


def turn_details(payload: dict[str, Any], scenario: dict[str, Any]) -> list[str]:
    """The teacher's choice (and any refused proposal), or the learner's verified answer."""
    if "fallback" in payload:  # the teacher's turn (the log keeps a turn's role outside its payload)
        lines = [f"task: {payload.get('description')} ({verdict(payload)}: {payload.get('interest_reason')})"
                 f"{' [fallback draw]' if payload.get('fallback') else ''}"]
        lines += [f"{e.get('kind')}: {e.get('reason')}" for e in payload.get("events") or []]
        return lines
    if "expected" in payload:
        return [f"{'correct' if payload.get('success') else 'wrong'} (expected {payload.get('expected')}), "
                f"LP {float(payload.get('learning_progress', 0)):.3f}, {payload.get('status')}"]
    return []
