"""A run's match list as the browser view pages and filters it: one small :class:`Row` per match, the
filters a person picks (arm, agent, scenario, outcome) and the page of rows they see.

Nothing here names a game. A match's outcome, as a filter, is the game's own words: ``error`` for a match
that failed, else each *rate* the game declares (:class:`arena.registry.Metric`, ``kind="rate"``) read as
yes or no for the match (``deals: yes``, ``learner's success: no``), so the same filter works for any game.
Pure functions: no file access (reading is :mod:`arena.view.runs`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlencode

from arena.registry import Metric
from arena.replay import outcome_text

PAGE_SIZE = 50
FILTER_KEYS = ("arm", "agent", "scenario", "outcome")
ERROR = "error"
T = TypeVar("T")

__all__ = ["ERROR", "FILTER_KEYS", "PAGE_SIZE", "Filters", "Page", "Row", "matches", "natural_key",
           "outcome_choices", "outcome_classes", "paginate", "row_of"]


@dataclass(frozen=True)
class Filters:
    """What a person narrowed the list to; an empty field does not filter. ``page`` counts from 1."""

    arm: str = ""
    agent: str = ""
    scenario: str = ""
    outcome: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> Filters:
        """From a parsed query string (``urllib.parse.parse_qs``); a page that is not a whole number is 1."""
        def first(key: str) -> str:
            values = query.get(key) or [""]
            return str(values[0]).strip()

        page = first("page")
        return cls(*(first(key) for key in FILTER_KEYS), page=int(page) if page.isdigit() and int(page) > 0 else 1)

    def active(self) -> dict[str, str]:
        """The filters set, by name."""
        return {key: getattr(self, key) for key in FILTER_KEYS if getattr(self, key)}

    def query(self, **change: Any) -> str:
        """The query string of these filters with ``change`` applied (``page=2``), without empty fields."""
        moved = replace(self, **change)
        pairs = [(key, getattr(moved, key)) for key in FILTER_KEYS if getattr(moved, key)]
        if moved.page > 1:
            pairs.append(("page", str(moved.page)))
        return "?" + urlencode(pairs) if pairs else ""


@dataclass(frozen=True)
class Row:
    """One match in the list: what a row shows and what the filters test, read once from its record."""

    match_id: str
    series_id: str
    scenario: str
    arm: str
    round: int
    rounds: int
    transfer: bool
    agents: tuple[tuple[str, str], ...]  # (role, agent) in the record's order
    status: str
    outcome: str  # the game's words (arena.replay.outcome_text)
    turns: int
    rewards: tuple[tuple[str, float], ...]
    classes: frozenset[str] = field(default_factory=frozenset)  # outcome_classes


def _rate_keys(metrics: Iterable[Metric], roles: Sequence[str]) -> list[tuple[str, Metric, str, str]]:
    """(key, metric, role asked, label) of every rate a match can be filtered by."""
    out = []
    for m in metrics:
        if m.kind != "rate":
            continue
        if m.per_role:
            out += [(f"{m.name}@{role}", m, role, f"{role}'s {m.label}") for role in roles]
        elif m.role is not None:
            out.append((m.name, m, m.role, f"{m.role}'s {m.label}"))
        else:
            out.append((m.name, m, roles[0] if roles else "", m.label))
    return out


def outcome_classes(record: Mapping[str, Any], metrics: Sequence[Metric]) -> frozenset[str]:
    """The outcome filters a match passes: ``error``, or ``<rate>=yes`` / ``<rate>=no`` per declared rate
    (a rate a match does not define, as an OMNI teacher's on a refused turn, gives neither)."""
    if record.get("status") != "ok":
        return frozenset({ERROR})
    roles = [str(r) for r in (record.get("agents") or {})]
    out = set()
    for key, metric, role, _label in _rate_keys(metrics, roles):
        if metric.per_role and role not in roles:
            continue
        value = metric.value(dict(record), role)
        if value is not None:
            out.add(f"{key}={'yes' if value >= 1.0 else 'no'}")
    return frozenset(out)


def outcome_choices(metrics: Sequence[Metric], roles: Sequence[str]) -> list[tuple[str, str]]:
    """(value, label) of the outcome filter's options, in the game's order, ``error`` last."""
    choices = [(f"{key}={answer}", f"{label}: {answer}") for key, _m, _r, label in _rate_keys(metrics, roles)
               for answer in ("yes", "no")]
    return [*choices, (ERROR, "error")]


def row_of(record: Mapping[str, Any], metrics: Sequence[Metric], scenario: Mapping[str, Any] | None = None) -> Row:
    """The list row of one validated match record; ``scenario``: its stored dict (a game's wording)."""
    outcome = record.get("outcome") or {}
    turns = outcome.get("turns")
    return Row(
        match_id=str(record["match_id"]), series_id=str(record.get("series_id", "")),
        scenario=str(record.get("scenario", "")), arm=str(record.get("arm", "none")),
        round=int(record.get("round", 1)), rounds=int(record.get("rounds", 1)), transfer=bool(record.get("transfer")),
        agents=tuple((str(role), str(agent)) for role, agent in (record.get("agents") or {}).items()),
        status=str(record.get("status", "")), outcome=outcome_text(dict(record), dict(scenario or {})),
        turns=int(turns) if isinstance(turns, int) else len(record.get("transcript") or []),
        rewards=tuple((str(role), float(v)) for role, v in (record.get("rewards") or {}).items()),
        classes=outcome_classes(record, metrics),
    )


def matches(row: Row, filters: Filters) -> bool:
    """Whether ``row`` passes every filter set (an agent in any role; an outcome class)."""
    return ((not filters.arm or row.arm == filters.arm)
            and (not filters.scenario or row.scenario == filters.scenario)
            and (not filters.agent or any(agent == filters.agent for _role, agent in row.agents))
            and (not filters.outcome or filters.outcome in row.classes))


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders numbers inside ids by value: ``...s2.r9`` before ``...s2.r10``."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text))


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, its number (from 1), how many pages and items there are, and the
    1-based position of its first item (0 on an empty list)."""

    items: list[Any]
    number: int
    pages: int
    total: int
    start: int


def paginate(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> Page:
    """Page ``page`` (from 1; past the end: the last page) of ``items``, ``size`` per page."""
    if size < 1:
        raise ValueError(f"page size must be at least 1, got {size}")
    pages = max(1, -(-len(items) // size))
    number = min(max(1, page), pages)
    begin = (number - 1) * size
    return Page(list(items[begin:begin + size]), number, pages, len(items), begin + 1 if items else 0)
