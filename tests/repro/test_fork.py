"""``arena fork``: a logged match continued after turn k with a swapped agent, and the envs of every game
restored by replaying logged actions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arena_cli import run_cli

from arena.config.models import ResolvedTournament
from arena.fork import ForkError, replay_prefix
from arena.registry import game_of
from arena.runlog import read_header, read_run

ROOT = Path(__file__).resolve().parents[2]
MATCH = "balloon.tough-seller.fair-buyer.none.s0.r1"
EAGER = ROOT / "agents" / "eager-seller.yaml"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logs = tmp_path_factory.mktemp("fork")
    for name, path in (("balloon", "negotiation/balloon-scripted.yaml"), ("example", "example/tournament.yaml"),
                       ("dearman", "dearman/after-round.yaml")):
        assert run_cli("run", str(ROOT / "scenarios" / path), "--local", "--logs-dir", str(logs), "--run-id", name) == 0
    return logs


def test_fork_keeps_turns_before_k_and_plays_the_swapped_agent_after(logs: Path, capsys) -> None:
    assert run_cli("fork", str(logs / "balloon"), "--match", MATCH, "--turn", "4", "--swap", f"seller={EAGER}",
                   "--n", "3", "--run-id", "kid") == 0
    _, parent = read_run(logs / "balloon")
    (original,) = [r for r in parent if r["match_id"] == MATCH]
    _, branches = read_run(logs / "kid")
    assert sorted(r["match_id"] for r in branches) == [f"{MATCH}.b{i}" for i in range(3)]
    for branch in branches:
        assert branch["transcript"][:4] == original["transcript"][:4]  # turns 0..3 as logged
        later = branch["transcript"][4:]
        assert later and all(t["agent"] == "eager-seller" for t in later if t["role"] == "seller")
        assert all(t["agent"] == "fair-buyer" for t in later if t["role"] == "buyer")
        # the tough seller asks $20 at turn 4; the eager one comes down at once
        assert later[0]["text"] != original["transcript"][4]["text"] and later[0]["role"] == "seller"
    assert len({json.dumps(b["transcript"][4:]) for b in branches}) > 1  # the branches' seeds differ
    parent_of = read_header(logs / "kid")["parent"]
    assert {k: parent_of[k] for k in ("kind", "run_id", "match_id", "turn")} == {
        "kind": "fork", "run_id": "balloon", "match_id": MATCH, "turn": 4}
    assert parent_of["swap"] == {"seller": str(EAGER)}
    capsys.readouterr()
    assert run_cli("replay", str(logs / "kid")) == 0
    shown = capsys.readouterr().out
    texts = [[t["text"] for t in b["transcript"]] for b in branches]
    shared = next(i for i in range(min(map(len, texts))) if len({t[i] for t in texts}) > 1)
    assert shared >= 4  # the replayed turns, and any the branches' own seeds happened to play alike
    assert f"-- shared prefix: turns 0..{shared - 1} (4 replayed from the parent)" in shown
    assert shown.count("This is a good balloon and its price is $20.") == 1  # the prefix once, not per branch
    assert shown.count(f"-- branch {MATCH}.b") == 3


@pytest.mark.parametrize("run", ["balloon", "example", "dearman"])
def test_every_games_env_replays_its_logged_actions(logs: Path, run: str) -> None:
    header, records = read_run(logs / run)
    resolved = ResolvedTournament.model_validate(header["config"])
    for record in records[:12]:
        scenario = resolved.scenarios[record["scenario"]]
        env = game_of(scenario).make_env(scenario)
        env.reset(seed=record["seed"])
        replay_prefix(env, record, len(record["transcript"]))  # raises if a payload differs


def test_a_log_the_env_does_not_reproduce_is_refused(logs: Path) -> None:
    header, records = read_run(logs / "balloon")
    record = next(r for r in records if r["match_id"] == MATCH)
    record["transcript"][2]["payload"] = {**record["transcript"][2]["payload"], "offer": 1.0}
    scenario = ResolvedTournament.model_validate(header["config"]).scenarios[record["scenario"]]
    env = game_of(scenario).make_env(scenario)
    env.reset(seed=record["seed"])
    with pytest.raises(ForkError, match=f"match {MATCH} turn 2: replaying the logged action does not give"):
        replay_prefix(env, record, 4)


def test_fork_errors_are_one_line(logs: Path, capsys) -> None:
    capsys.readouterr()
    assert run_cli("fork", str(logs / "balloon"), "--match", MATCH, "--turn", "99") == 2
    assert capsys.readouterr().err.strip().startswith(f"--turn 99: match {MATCH} has ")
    assert run_cli("fork", str(logs / "balloon"), "--match", MATCH, "--turn", "1", "--swap", f"pirate={EAGER}") == 2
    assert capsys.readouterr().err.strip() == "--swap pirate=...: the run's roles are buyer, seller"
