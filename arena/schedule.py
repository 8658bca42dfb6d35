"""Turn a resolved tournament into the list of series to play, deterministically.

A *series* is one pairing (an agent card per role) on one scenario, under one feedback arm, with one
repeat seed, played for R rounds in order (memory carries from round to round). A *match* is one round
of a series. Ids are readable and stable, so a resumed run can tell what is already done, and seeds
depend on the scenario and repeat only, not on the pairing or the arm: every pairing and every arm meets
the same seeds (true duplicates, as in duplicate bridge), so two agents of a role that faced the same
opponent are compared on the same cards, and the effect of feedback is measured against its control,
not against luck.

A series id joins scenario, agents (in role order), arm and ``s<repeat>`` with ``.``, as in
``balloon.tough-a.fair-b.none.s0``; a match id adds ``.r<round>``. Names may contain ``.``, so
each part has its ``%`` and ``.`` percent-encoded first (``gpt-4.1`` reads ``gpt-4%2E1``): otherwise
scenario ``s`` with a first player ``x.y`` and scenario ``s.x`` with ``y`` would share one id, and a
resumed run would take one series' rounds for the other's. Names without a dot keep their plain ids.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

from arena.config.models import ResolvedTournament


@dataclass(frozen=True)
class SeriesSpec:
    series_id: str
    scenario: str
    pairing: tuple[tuple[str, str], ...]  # (role, agent name) in role order
    arm: str
    repeat: int
    rounds: int
    seed: int
    transfer_rounds: int = 0  # rounds on the tournament's transfer scenario after ``rounds`` practice rounds

    @property
    def total_rounds(self) -> int:
        return self.rounds + self.transfer_rounds

    def match_id(self, round_: int) -> str:
        return f"{self.series_id}.r{round_}"

    def round_seed(self, round_: int) -> int:
        return derive_seed(self.seed, f"round{round_}")

    @property
    def agents(self) -> dict[str, str]:
        return dict(self.pairing)


def id_part(name: str) -> str:
    """``name`` with ``%`` and ``.`` percent-encoded, so ``.`` separates the parts of an id unambiguously."""
    return name.replace("%", "%25").replace(".", "%2E")


def derive_seed(seed: int, key: str) -> int:
    """A 31-bit seed from a parent seed and a key; stable across processes and Python versions."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


SEED_RULE = 2  # the rule new runs use; a run's header records its own (``seed_rule``), and resume follows it


def series_seed_key(rule: int, scenario: str, combo: tuple[str, ...], repeat: int) -> str:
    """What a series' seed is derived from. Rule 2 (new runs): scenario and repeat only, so every pairing
    and arm meets the same seeds (duplicate comparisons). Rule 1 (runs written before it): the pairing too.
    A resumed run keeps the rule it started with: mixing them would pair a control round played on one
    seed with a treatment round played on another."""
    if rule == 1:
        return f"{scenario}|{'|'.join(combo)}|{repeat}"  # names cannot hold '|' (NAME_PATTERN)
    if rule == 2:
        return f"{scenario}|{repeat}"
    raise ValueError(f"unknown seed rule {rule} (this Arena knows 1 and 2)")


def plan(resolved: ResolvedTournament, seed_rule: int = SEED_RULE) -> list[SeriesSpec]:
    """Every series of the tournament, in a stable order (scenario, pairing, repeat, arm)."""
    t = resolved.tournament
    roles = list(resolved.players)
    out: list[SeriesSpec] = []
    extra = t.transfer.rounds if t.transfer is not None else 0
    for scenario in (name for name in resolved.scenarios if name != resolved.transfer):
        for combo in itertools.product(*(resolved.players[r] for r in roles)):
            pairing = tuple(zip(roles, combo, strict=True))
            for repeat in range(t.repeats):
                seed = derive_seed(t.seed, series_seed_key(seed_rule, scenario, combo, repeat))
                for arm in resolved.arms():
                    sid = ".".join(id_part(part) for part in (scenario, *combo, arm, f"s{repeat}"))
                    out.append(SeriesSpec(sid, scenario, pairing, arm, repeat, t.rounds, seed, extra))
    return out


def match_count(series: list[SeriesSpec]) -> int:
    return sum(s.total_rounds for s in series)
