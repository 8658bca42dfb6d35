"""One card may be a player and the critic of the same tournament.

Before, the pool left the critic's card out of the players, so every match of such a tournament failed
with ``KeyError`` on its first turn. Played here through Ray and in-process, with a scripted card that
sells and critiques (a scripted critic reads the transcript, not its strategy).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.config import load_tournament
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new

BALLOON = Path(__file__).resolve().parents[2] / "scenarios" / "negotiation" / "balloon.yaml"


@pytest.fixture
def tournament(tmp_path: Path) -> Path:
    (tmp_path / "seller-and-critic.yaml").write_text(
        "kind: agent\nname: seller-and-critic\nroles: [seller, critic]\n"
        "policy: {type: scripted, strategy: fair, params: {advice_gain: 0.05}}\n"
    )
    (tmp_path / "buyer.yaml").write_text("kind: agent\nname: buyer\nroles: [buyer]\n"
                                         "policy: {type: scripted, strategy: fair}\n")
    path = tmp_path / "self-critic.yaml"
    path.write_text(
        f"kind: tournament\nname: self-critic\nformat: self_play\nscenarios: [{BALLOON}]\n"
        "players: {seller: [seller-and-critic.yaml], buyer: [buyer.yaml]}\n"
        "rounds: 3\nrepeats: 2\nseed: 5\n"
        "feedback: {advise: seller, critic: seller-and-critic.yaml, arms: [none, ai]}\n"
    )
    return path


@pytest.mark.parametrize("local", [True, False], ids=["local", "ray"])
def test_a_card_that_plays_and_critiques_plays_every_match(tournament: Path, tmp_path: Path, local: bool,
                                                           request: pytest.FixtureRequest) -> None:
    if not local:
        request.getfixturevalue("ray_session")
    resolved = load_tournament(tournament)
    assert resolved.critic == "seller-and-critic" and resolved.players["seller"] == ["seller-and-critic"]
    prepared = prepare_new(resolved, tmp_path / "logs", "run")
    execute(prepared, RunOptions(local=local, concurrency=2))

    header, records = read_run(prepared.log.dir)
    assert header["status"] == "finished"
    assert len(records) == 2 * 2 * 3  # arms x repeats x rounds
    assert [r["status"] for r in records] == ["ok"] * 12, [r.get("error") for r in records]
    advised = [r["feedback"]["seller"] for r in records if r["arm"] == "ai" and r["round"] < 3]
    assert len(advised) == 4  # 2 repeats x rounds 1-2 (no advice after the last round)
    assert all(f["critic"] == "seller-and-critic" and f["suggestions"] and "error" not in f for f in advised)
