"""The figures the OMNI game reports per agent and role, from each episode's logged outcome.

Per episode: the learner's success (its headline rate), and per teacher the mean learning progress of
the tasks it chose, how often it chose a task the MoI judged boring (a task not judged, nothing being
mastered yet, is not boring), and how often its move was refused (invalid or uninteresting).

At each series' end (``at_end``: the state a curriculum builds up, read from its last episode, one value
per series; the leaderboard gives the mean over series with an interval from 10 and a Mann-Whitney test
between teachers): OMNI's counts of tasks whose success is above 0.05, 0.1, 0.2 and 0.4, the interesting
tasks mastered (the families' ground truth, success at the mastery threshold), the tasks learned and the
archive's size. ``headline``: what the terminal's per-round table shows; the rest is in ``--json`` and the
report.
"""

from __future__ import annotations

from typing import Any

from arena.games.omni.curriculum import THRESHOLDS
from arena.registry import Metric


def _outcome(record: dict[str, Any]) -> dict[str, Any]:
    return record.get("outcome") or {}


def _success(record: dict[str, Any], role: str) -> float | None:
    found = _outcome(record).get("success")
    return None if found is None else float(found)


def _boring(record: dict[str, Any], role: str) -> float | None:
    out = _outcome(record)
    return None if "task" not in out else float(out.get("interesting") is False)


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


def _above(threshold: float) -> Any:
    def value(record: dict[str, Any], role: str) -> float | None:
        found = (_outcome(record).get("above") or {}).get(f"{threshold:g}")
        return None if found is None else float(found)
    return value


METRICS = (
    Metric("success_rate", "success", _success, kind="rate", fmt="{:.0%}", count="successes", role="learner",
           main=True, headline=True),
    Metric("boring_rate", "boring", _boring, kind="rate", fmt="{:.0%}", role="teacher", higher_is_better=False,
           headline=True),
    Metric("refused_rate", "refused", _refused, kind="rate", fmt="{:.0%}", role="teacher", higher_is_better=False,
           headline=True),
    Metric("learning_progress", "LP", _number("learning_progress"), fmt="{:.3f}", role="teacher", headline=True),
    *(Metric(f"above_{t:g}", f"tasks >{t:g}", _above(t), fmt="{:.1f}", role="teacher", at_end=True)
      for t in THRESHOLDS),
    Metric("interesting_mastered", "interesting mastered", _number("interesting_mastered"), fmt="{:.1f}",
           role="teacher", at_end=True, headline=True),
    Metric("learned", "learned", _number("learned"), fmt="{:.1f}", role="teacher", at_end=True),
    Metric("archive_size", "archive", _number("archive_size"), fmt="{:.1f}", role="teacher", at_end=True),
)
