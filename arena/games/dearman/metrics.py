"""The figures DEAR MAN reports for the learner (``role="learner"``: the partner's rows stay empty).

- ``skill_<name>``: the skill's mean marker score in the match (0..2, over the turns it applied to);
- ``mastery``: the mean over every applicable rating of the match (0..2); ``objective_met``: the rate of
  matches the partner agreed in; ``turns``: learner turns taken (fewer is better only when met, so it is
  reported, not ranked: ``higher_is_better`` False as a convention);
- ``coach_mastery``: the same mean over the coach's own ratings logged on the learner's turns (None where
  no coach rated, as in the ``none`` arm), so the coach can be checked against the markers.

The terminal tables show the headline figures (mastery, met, the seven skills folded into one ``skills``
cell ``D1.20 E0.80 ...``); turns and the coach's mastery are in ``--json`` and the report. Every 0..2 score
(mastery, skills, coach) is ``pooled``: practice scenarios differ, the scale does not (IMBUE pools them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from arena.games.dearman.rules import LETTERS, SKILLS
from arena.registry import Metric

ROLE = "learner"
Value = Callable[[dict[str, Any]], float | None]


def _outcome(record: dict[str, Any]) -> dict[str, Any]:
    return record.get("outcome") or {}


def _learner(name: str, label: str, value: Value, **kw: Any) -> Metric:
    """A metric of the learner's (the leaderboard leaves the partner's cells blank)."""
    return Metric(name, label, lambda record, role: value(record), role=ROLE, **kw)


def _skill(skill: str) -> Value:
    def value(record: dict[str, Any]) -> float | None:
        mean = (_outcome(record).get("skills") or {}).get(skill)
        return None if mean is None else float(mean)
    return value


def _mastery(record: dict[str, Any]) -> float | None:
    value = _outcome(record).get("mastery")
    return None if value is None else float(value)


def _met(record: dict[str, Any]) -> float | None:
    return 1.0 if _outcome(record).get("objective_met") else 0.0


def _turns(record: dict[str, Any]) -> float | None:
    turns = _outcome(record).get("turns")
    return None if turns is None else float(turns)


def coach_ratings(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The coach's ratings logged on the learner's turns (after_turn feedback), in turn order."""
    return [t["feedback"]["ratings"] for t in record.get("transcript") or []
            if t.get("role") == ROLE and (t.get("feedback") or {}).get("ratings")]


def _coach_mastery(record: dict[str, Any]) -> float | None:
    values = [float(v) for r in coach_ratings(record) for v in r.values() if v is not None]
    return sum(values) / len(values) if values else None


METRICS = (
    _learner("mastery", "mastery", _mastery, headline=True, pooled=True),
    _learner("objective_met", "met", _met, kind="rate", fmt="{:.0%}", count="met", headline=True),
    _learner("turns", "turns", _turns, fmt="{:.1f}", higher_is_better=False),
    *(_learner(f"skill_{skill}", LETTERS[skill], _skill(skill), headline=True, group="skills", pooled=True)
      for skill in SKILLS),
    _learner("coach_mastery", "coach", _coach_mastery, pooled=True),
)
