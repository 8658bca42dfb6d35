"""A version-1 run log written by the code before the game plug-in (tests/data/v1_log) still reads:
its stored config validates (what a resume rebuilds from), replay, leaderboard and report work, and a
resume appends version-2 lines after the version-1 ones, which every reader sees in one shape."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from arena_cli import run_cli

from arena.analysis.leaderboard import leaderboard
from arena.config.models import ResolvedTournament
from arena.games.negotiation.scenario import NegotiationScenario
from arena.runlog import MATCHES_FILE, RUN_FILE, parse_match, read_run

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
    assert {rec["schema_version"] for rec in records} == {2}  # upgraded in memory
    assert all("payload" in turn and "offer" not in turn for rec in records for turn in rec["transcript"])
    deals = sum(bool(rec["outcome"]["deal"]) for rec in lines)
    rows = leaderboard(records)
    assert {row.to_dict()["deal_rate"] for row in rows} == {round(deals / len(lines), 4)}
    run = tmp_path / "v1"
    shutil.copytree(V1, run)
    for args in (["replay", str(run)], ["replay", str(run), "--match", lines[0]["match_id"]],
                 ["leaderboard", str(run)], ["report", str(run)]):
        assert run_cli(*args) == 0, args


def test_a_resume_appends_v2_lines_and_replays_what_v1_recorded(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    run = tmp_path / "v1"
    shutil.copytree(V1, run)
    lines = (V1 / MATCHES_FILE).read_text().splitlines(keepends=True)
    (run / MATCHES_FILE).write_text("".join(lines[:-1]))  # the last round (ai arm, round 2) is to play
    assert run_cli("run", "--resume", str(run), "--local") == 0
    written = [json.loads(line) for line in (run / MATCHES_FILE).read_text().splitlines()]
    assert [rec["schema_version"] for rec in written] == [1, 1, 1, 2]
    header = json.loads((run / RUN_FILE).read_text())
    assert (header["schema_version"], len(header["segments"])) == (2, 2)
    _, records = read_run(run)
    assert {rec["schema_version"] for rec in records} == {2} and len(records) == 4
    # round 2 was played from round 1's v1 memory (the critic's advice): the same as the v1 run played it
    volatile = {"started_at", "finished_at", "duration_s", "run_id", "arena_version"}
    replayed = {k: v for k, v in written[-1].items() if k not in volatile}
    recorded = {k: v for k, v in parse_match(json.loads(lines[-1])).items() if k not in volatile}
    assert replayed == recorded
    assert run_cli("replay", str(run), "--match", written[-1]["match_id"]) == 0
    assert "offer $" in capsys.readouterr().out
