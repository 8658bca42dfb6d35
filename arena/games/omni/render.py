"""How ``arena replay`` shows an OMNI episode: the task chosen, whether it was interesting, the learner's
success and the learning progress after it, and any invalid or refused proposal with its reason."""

from __future__ import annotations

from typing import Any


def _events(events: list[dict[str, Any]]) -> str:
    return "; ".join(f"{e.get('kind')}: {e.get('reason')}" for e in events)


def outcome_line(outcome: dict[str, Any], scenario: dict[str, Any]) -> str:
    if "task" not in outcome:
        return "no episode"
    mark = "interesting" if outcome.get("interesting") else "boring"
    result = "success" if outcome.get("success") else "failure"
    line = (f"episode {outcome.get('episode')}: {outcome.get('description')} [{mark}] "
            f"{result}, LP {float(outcome.get('learning_progress', 0)):.3f}, "
            f"{outcome.get('learned')} learned of {outcome.get('archive_size')}")
    events = outcome.get("events") or []
    return f"{line} ({_events(events)})" if events else line


def turn_details(payload: dict[str, Any], scenario: dict[str, Any]) -> list[str]:
    """The teacher's choice (and any refused proposal), or the learner's verified answer."""
    if "fallback" in payload:  # the teacher's turn (the log keeps a turn's role outside its payload)
        lines = [f"task: {payload.get('description')} ({'interesting' if payload.get('interesting') else 'boring'}"
                 f": {payload.get('interest_reason')}){' [fallback draw]' if payload.get('fallback') else ''}"]
        lines += [f"{e.get('kind')}: {e.get('reason')}" for e in payload.get("events") or []]
        return lines
    if "expected" in payload:
        return [f"{'correct' if payload.get('success') else 'wrong'} (expected {payload.get('expected')}), "
                f"LP {float(payload.get('learning_progress', 0)):.3f}, {payload.get('status')}"]
    return []
