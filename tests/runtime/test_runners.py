"""``--runners N``: runner actors play the series beside their players and stream the records to the driver,
which alone logs them; the matches are the ones the driver would have played itself, turn for turn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from arena_cli import run_cli

from arena.config import load_tournament
from arena.runtime.pool import RunOptions
from arena.runtime.runners import deal
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"


def _records(run_dir: Path) -> dict[str, dict[str, Any]]:
    lines = (run_dir / "matches.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len({r["match_id"] for r in records}) == len(records)  # each match logged once
    return {r["match_id"]: r for r in records}


def test_runners_play_the_same_matches_as_the_driver_and_the_driver_logs_them(ray_session: Any, tmp_path: Path) -> None:
    flights: list[int] = []
    seen: list[str] = []
    with_runners = prepare_new(load_tournament(BALLOON), tmp_path, "runners")
    summary = execute(with_runners, RunOptions(runners=2, concurrency=4), lambda r: seen.append(r["match_id"]),
                      on_flight=flights.append)
    assert (summary.planned, summary.ok, summary.status) == (36, 36, "finished")
    local = prepare_new(load_tournament(BALLOON), tmp_path, "local")
    execute(local, RunOptions(local=True))
    ran, played = _records(tmp_path / "runners"), _records(tmp_path / "local")
    assert sorted(seen) == sorted(ran) == sorted(played)
    for match_id, record in played.items():
        assert ran[match_id]["transcript"] == record["transcript"]
        assert (ran[match_id]["rewards"], ran[match_id]["attempt"]) == (record["rewards"], 1)
    # 36 series (9 pairings x 4 repeats, one round each), each reported as it starts and as it ends
    assert flights.count(1) == flights.count(-1) == 36
    in_flight = [sum(flights[:i + 1]) for i in range(len(flights))]
    assert max(in_flight) <= 4 and in_flight[-1] == 0  # 2 runners x 2 series each


def test_series_are_dealt_round_robin_and_no_runner_is_left_empty() -> None:
    todo: list[Any] = ["s0", "s1", "s2", "s3", "s4"]
    assert deal(todo, 2) == [["s0", "s2", "s4"], ["s1", "s3"]]
    assert deal(todo[:1], 3) == [["s0"]]


def test_runners_need_ray(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("run", str(BALLOON), "--local", "--runners", "2", "--logs-dir", str(tmp_path)) == 2
    assert "--runners are Ray actors; --local runs without Ray: drop one of them" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_lost_runner_ends_the_run_in_one_line_with_what_finished_logged(
    ray_session: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arena.errors import ClusterError
    from arena.runtime import runners

    monkeypatch.setattr(runners, "STREAM_AHEAD", 4)  # else the runner has streamed all 36 before it is killed
    prepared = prepare_new(load_tournament(BALLOON), tmp_path, "lost")
    seen: list[str] = []

    def kill_after_five(record: dict[str, Any]) -> None:
        seen.append(record["match_id"])
        if len(seen) == 5:
            ray_session.kill(ray_session.get_actor("arena-runner-lost-0"))

    with pytest.raises(ClusterError, match=r"^a runner actor was lost \(.*\); the matches it finished are logged: "
                                           r"arena run --resume <logs-dir>/lost plays the rest$"):
        execute(prepared, RunOptions(runners=1, concurrency=1), kill_after_five)
    logged = _records(tmp_path / "lost")
    assert 5 <= len(logged) < 36 and set(seen) == set(logged)
    assert json.loads((tmp_path / "lost" / "run.json").read_text())["status"] == "interrupted"
