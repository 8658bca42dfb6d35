"""The figures the OMNI game reports per agent and role, from each episode's logged outcome.

The learner's success (its headline rate), and per teacher: the mean learning progress of the tasks it
chose, how often it chose a task judged interesting, how often its move was refused (invalid or
uninteresting), and the tasks learned and the archive size after each episode (means over episodes, so a
long curriculum's end weighs as much as its start: read the last rounds in ``arena curves``)."""

from __future__ import annotations

from typing import Any

from arena.registry import Metric


def _outcome(record: dict[str, Any]) -> dict[str, Any]:
    return record.get("outcome") or {}


def _success(record: dict[str, Any], role: str) -> float | None:
    found = _outcome(record).get("success")
    return None if found is None else float(found)


def _interesting(record: dict[str, Any], role: str) -> float | None:
    found = _outcome(record).get("interesting")
    return None if found is None else float(bool(found))


def _refused(record: dict[str, Any], role: str) -> float | None:
    out = _outcome(record)
    if "task" not in out:
        return None
    return float(any(e.get("kind") in ("invalid_spec", "uninteresting", "not_in_pool") for e in out.get("events", [])))


def _number(key: str) -> Any:
    def value(record: dict[str, Any], role: str) -> float | None:
        found = _outcome(record).get(key)
        return None if found is None else float(found)
    return value


METRICS = (
    Metric("success_rate", "success", _success, kind="rate", fmt="{:.0%}", count="successes", role="learner",
           main=True),
    Metric("interesting_rate", "interesting", _interesting, kind="rate", fmt="{:.0%}", role="teacher"),
    Metric("refused_rate", "refused", _refused, kind="rate", fmt="{:.0%}", role="teacher", higher_is_better=False),
    Metric("learning_progress", "LP", _number("learning_progress"), fmt="{:.3f}", role="teacher"),
    Metric("learned", "learned", _number("learned"), fmt="{:.1f}", role="teacher"),
    Metric("archive_size", "archive", _number("archive_size"), fmt="{:.1f}", role="teacher"),
)
