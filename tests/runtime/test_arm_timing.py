"""Each feedback arm has its own timing: ``source``, ``source@timing`` or ``{name, source, when}``.

One tournament can then compare the same advice given after each turn (IMBUE's ``jit``) and after each
round against ``none``, on the same seeds and pairings. Negotiation supports ``after_round`` only, so the
runtime tests give it ``after_turn`` through a copy of its spec (as tests/runtime/test_feedback_timing.py).
The advice comes from the ``constant`` source: a fixed text, so what each arm got and when is exact.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from arena import registry
from arena.analysis.curves import learning_curves
from arena.config import load_tournament
from arena.errors import ConfigError
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new
from tests.runtime.test_feedback_timing import ADVICE, tournament


@pytest.fixture
def negotiation_after_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = registry.game("negotiation")
    monkeypatch.setitem(registry._LOADED, "negotiation",
                        dataclasses.replace(spec, feedback_timings=("after_round", "after_turn")))


THREE_ARMS = ("advise: [seller], arms: [none, {name: jit, source: constant, when: after_turn}, "
              "{name: after_round, source: constant, when: after_round}]")


def test_an_arm_is_a_source_a_source_at_a_timing_or_a_named_mapping(
        tmp_path: Path, negotiation_after_turn: None) -> None:
    fb = load_tournament(tournament(tmp_path, "when: after_turn, arms: [none, constant@after_round, "
                                              "{name: jit, source: constant}]")).tournament.feedback
    assert fb.arm_names() == ["none", "constant@after_round", "jit"]
    assert [fb.source(a) for a in fb.arm_names()] == ["none", "constant", "constant"]
    # a plain arm and a mapping without 'when' take feedback.when; the others their own
    assert [fb.timing(a) for a in fb.arm_names()] == ["after_turn", "after_round", "after_turn"]
    # stored as written: a plain arm stays a string (run.json of the files before named arms is unchanged)
    assert fb.model_dump(mode="json")["arms"] == ["none", "constant@after_round", {"name": "jit", "source": "constant",
                                                                                  "when": None}]


@pytest.mark.parametrize("arms,message", [
    ("[none, constant@after_turn]", r"t.yaml:8:25: feedback.arms\[1\]: arm 'constant@after_turn': the negotiation "
                                    r"game supports feedback after_round, not after_turn"),
    ("[none, {name: jit, source: constant, when: after_turn}]",
     r"t.yaml:8:61: feedback.arms\[1\].when: arm 'jit': the negotiation game supports feedback after_round"),
    ("[none, constant@later]", r"t.yaml:8:25: feedback.arms\[1\]: unknown arm 'constant@later': write a source"),
    ("[none, {name: none, source: constant}]",
     r"t.yaml:8:46: feedback.arms\[1\].source: an arm named 'none' must have source 'none'"),
    ("[constant, {name: constant, source: constant, when: after_round}]", r"feedback.arms: arms repeat"),
    ("[none, {name: jit, source: constant, whn: after_turn}]",
     r"feedback.arms\[1\].whn: unknown key; did you mean 'when'\? \(allowed: name, source, when\)"),
])
def test_an_arm_the_game_or_the_schema_cannot_take_is_a_located_error(
        tmp_path: Path, arms: str, message: str, negotiation_after_round_only: None) -> None:
    """Negotiation restricted to after_round here (it takes both), so that an arm's timing can be refused."""
    with pytest.raises(ConfigError, match=message):
        load_tournament(tournament(tmp_path, f"arms: {arms}"))


def test_jit_advises_on_turns_and_after_round_between_rounds_on_the_same_seeds(
        tmp_path: Path, negotiation_after_turn: None) -> None:
    path = tournament(tmp_path, THREE_ARMS, seller="coachable-seller.yaml", rounds=2)
    prepared = prepare_new(load_tournament(path), tmp_path / "logs", "arms")
    assert execute(prepared, RunOptions(local=True)).ok == 6  # 3 arms x 2 rounds
    header, records = read_run(prepared.log.dir)
    by = {(r["arm"], r["round"]): r for r in records}
    assert sorted(by) == [(arm, n) for arm in ("after_round", "jit", "none") for n in (1, 2)]
    for round_ in (1, 2):  # same seeds across arms
        assert len({by[(arm, round_)]["seed"] for arm in ("none", "jit", "after_round")}) == 1

    def seller_turns(rec: dict) -> list[dict]:
        return [t for t in rec["transcript"] if t["role"] == "seller"]

    for round_ in (1, 2):  # jit: the advice on every seller turn, under the arm's name; nothing between rounds
        jit = by[("jit", round_)]
        assert seller_turns(jit) and all(t["feedback"] == {"arm": "jit", "suggestions": [ADVICE]}
                                         for t in seller_turns(jit))
        assert jit["feedback"] == {}
        assert all("feedback" not in t for t in by[("after_round", round_)]["transcript"])  # never on a turn
    # after_round: once, after round 1 (none after the last round), in memory for round 2
    assert by[("after_round", 1)]["feedback"] == {"seller": {"arm": "after_round", "suggestions": [ADVICE]}}
    assert by[("after_round", 2)]["feedback"] == {}
    assert by[("after_round", 1)]["memory_before"] == {"seller": ""}
    assert by[("after_round", 2)]["memory_before"]["seller"].count(ADVICE) == 1
    assert by[("none", 1)]["feedback"] == {"seller": {"arm": "none", "suggestions": []}}
    # round 1 of after_round is the uncoached match (same seed, no advice yet); jit's differs at once
    offers = {arm: [t["payload"]["offer"] for t in seller_turns(by[(arm, 1)])]
              for arm in ("none", "jit", "after_round")}
    assert offers["after_round"] == offers["none"] != offers["jit"]

    curves = learning_curves(header, records, n_boot=50)  # each named arm against none, paired by seed
    assert (curves.arms, curves.control, curves.treatments) == (["none", "jit", "after_round"], "none",
                                                                ["jit", "after_round"])
    assert curves.effect("after_round", 1).pairs == 1
    assert curves.effect("after_round", 1).metrics[curves.figures[0].key].value == 0  # identical round 1
