"""Self-play arms in a played tournament: every arm meets the same seeds, and each advised role (seller,
buyer, both) gets the advice of its arm (constant text, a sample of the human pool, the critic's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.config import load_tournament
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.schedule import plan
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[2]
ARMS = ["none", "constant", "human", "ai"]


def tournament(tmp_path: Path, advise: str, repeats: int = 2) -> Path:
    path = tmp_path / f"arms-{advise}.yaml"
    path.write_text(f"""\
schema_version: 1
kind: tournament
name: arms-{advise}
format: self_play
scenarios: [{ROOT}/scenarios/negotiation/balloon.yaml]
players:
  seller: [{ROOT}/agents/coachable-seller.yaml]
  buyer: [{ROOT}/agents/fair-buyer.yaml]
rounds: 3
repeats: {repeats}
seed: 5
feedback:
  advise: {advise}
  critic: {ROOT}/agents/scripted-critic.yaml
  arms: {ARMS}
  suggestions: 2
""")
    return path


def play(tmp_path: Path, advise: str) -> list[dict]:
    prepared = prepare_new(load_tournament(tournament(tmp_path, advise)), tmp_path / "logs", advise)
    execute(prepared, RunOptions(local=True))
    return read_run(prepared.log.dir)[1]


def test_plan_gives_every_arm_the_same_seed_and_repeats_other_seeds(tmp_path: Path) -> None:
    series = plan(load_tournament(tournament(tmp_path, "seller", repeats=3)))
    assert len(series) == 3 * len(ARMS)
    by_repeat: dict[int, set[int]] = {}
    for spec in series:
        by_repeat.setdefault(spec.repeat, set()).add(spec.seed)
    assert all(len(seeds) == 1 for seeds in by_repeat.values())  # one seed per repeat, whatever the arm
    assert len({next(iter(s)) for s in by_repeat.values()}) == 3  # and repeats differ
    assert {s.arm for s in series} == set(ARMS)


def test_every_arm_meets_the_same_seeds_and_plays_the_same_first_round(tmp_path: Path) -> None:
    records = play(tmp_path, "seller")
    assert len(records) == 2 * len(ARMS) * 3 and all(r["status"] == "ok" for r in records)
    for repeat in (0, 1):
        for round_ in (1, 2, 3):
            cell = [r for r in records if r["repeat"] == repeat and r["round"] == round_]
            assert sorted(r["arm"] for r in cell) == sorted(ARMS)
            assert len({r["seed"] for r in cell}) == 1
        first = [r for r in records if r["repeat"] == repeat and r["round"] == 1]
        texts = {tuple(t["text"] for t in r["transcript"]) for r in first}
        assert len(texts) == 1  # no memory yet: the arms' first rounds are the same match
    assert len({r["seed"] for r in records if r["round"] == 1}) == 2


@pytest.mark.parametrize("advise,roles", [("seller", {"seller"}), ("buyer", {"buyer"}), ("both", {"seller", "buyer"})])
def test_each_advised_role_gets_its_arms_advice(tmp_path: Path, advise: str, roles: set[str]) -> None:
    records = play(tmp_path, advise)
    pool = set(load_tournament(tournament(tmp_path, advise)).scenarios["balloon"].feedback_pool)
    for rec in records:
        assert set(rec["memory_after"]) == roles
        if rec["round"] == 3:  # the last round gives no feedback: there is no next round to use it
            assert rec["feedback"] == {}
            continue
        assert set(rec["feedback"]) == roles
        for role in roles:
            given = rec["feedback"][role]
            assert given["arm"] == rec["arm"]
            if rec["arm"] == "none":
                assert given["suggestions"] == []
            elif rec["arm"] == "constant":
                assert given["suggestions"] == ["Nice game. Let's play again. Can you do better?"]
            elif rec["arm"] == "human":
                assert len(given["suggestions"]) == 2 and set(given["suggestions"]) <= pool
            else:
                assert given["critic"] == "scripted-critic" and 1 <= len(given["suggestions"]) <= 2
            advice = [e["text"] for e in rec["memory_after"][role]["entries"] if e["kind"] == "advice"]
            assert advice[-len(given["suggestions"]):] == given["suggestions"] or not given["suggestions"]
    # the advice reaches the prompt of the next round's advised player, never the other's
    second = [r for r in records if r["round"] == 2 and r["arm"] == "constant"]
    for rec in second:
        assert set(rec["memory_before"]) == roles
        assert all("Can you do better?" in rec["memory_before"][role] for role in roles)
