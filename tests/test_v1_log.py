"""A version-1 run log written by the code before the game plug-in (tests/data/v1_log) still reads:
its stored config validates (what a resume rebuilds from), and replay, leaderboard and report work."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from arena_cli import run_cli

from arena.analysis.leaderboard import leaderboard
from arena.config.models import ResolvedTournament
from arena.games.negotiation.scenario import NegotiationScenario
from arena.runlog import read_run

V1 = Path(__file__).resolve().parent / "data" / "v1_log"


def test_the_stored_config_validates_through_the_registry() -> None:
    config = json.loads((V1 / "run.json").read_text())["config"]
    assert config["tournament"]["feedback"]["advise"] == "seller"  # the old string form
    resolved = ResolvedTournament.model_validate(config)
    assert isinstance(resolved.scenarios["balloon"], NegotiationScenario) and resolved.game == "negotiation"
    assert resolved.tournament.feedback.advised_roles(("seller", "buyer")) == ("seller",)


def test_readers_read_it(tmp_path: Path) -> None:
    lines = [json.loads(line) for line in (V1 / "matches.jsonl").read_text().splitlines()]
    assert {rec["schema_version"] for rec in lines} == {1}
    _, records = read_run(V1)
    deals = sum(bool(rec["outcome"]["deal"]) for rec in lines)
    rows = leaderboard(records)
    assert {row.to_dict()["deal_rate"] for row in rows} == {round(deals / len(lines), 4)}
    run = tmp_path / "v1"
    shutil.copytree(V1, run)
    for args in (["replay", str(run)], ["replay", str(run), "--match", lines[0]["match_id"]],
                 ["leaderboard", str(run)], ["report", str(run)]):
        assert run_cli(*args) == 0, args
