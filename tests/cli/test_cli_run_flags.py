"""``arena run`` flags as a user types them: --json, --seed, --debug, and Ctrl-C in a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from arena_cli import run_cli as cli

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"


def _tournament(tmp_path: Path, repeats: int) -> Path:
    """balloon-scripted with its card paths made absolute and ``repeats`` seeds per pairing (9 per repeat)."""
    text = BALLOON.read_text().replace("../../agents/", f"{ROOT / 'agents'}/")
    text = text.replace("[balloon.yaml]", f"[{BALLOON.parent / 'balloon.yaml'}]")
    path = tmp_path / "t.yaml"
    path.write_text(text.replace("repeats: 4", f"repeats: {repeats}"))
    return path


def _arena(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", "from arena.cli.app import main; main()", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)  # type: ignore[call-overload]


def test_json_prints_one_document_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", str(BALLOON), "--local", "--logs-dir", str(tmp_path), "--run-id", "j", "--json") == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)  # the whole of stdout is one JSON document
    assert summary["run_dir"] == str(tmp_path / "j")
    assert (summary["planned"], summary["played"], summary["ok"]) == (36, 36, 36)
    assert sorted(row["agent"] for row in summary["leaderboard"]) == sorted(
        f"{kind}-{role}" for kind in ("tough", "fair", "eager") for role in ("seller", "buyer"))
    assert "Leaderboard: balloon-scripted" in err and "36/36" in err


def test_seed_overrides_the_tournaments_seed(tmp_path: Path) -> None:
    from arena.schedule import derive_seed

    assert cli("run", str(BALLOON), "--local", "--logs-dir", str(tmp_path), "--run-id", "s", "--seed", "123") == 0
    header = json.loads((tmp_path / "s" / "run.json").read_text())
    assert header["seed"] == 123 and header["config"]["tournament"]["seed"] == 123  # the file says seed: 7
    records = [json.loads(line) for line in (tmp_path / "s" / "matches.jsonl").read_text().splitlines()]
    first = next(r for r in records if r["match_id"] == "balloon.tough-seller.tough-buyer.none.s0.r1")
    series_seed = {seed: derive_seed(seed, "balloon|0") for seed in (123, 7)}  # scenario and repeat only
    assert first["seed"] == derive_seed(series_seed[123], "round1") != derive_seed(series_seed[7], "round1")


def test_seed_is_refused_on_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", "--resume", str(tmp_path / "any"), "--seed", "3") == 2
    assert "a resumed run keeps the seed in its run.json" in capsys.readouterr().err


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing")
    plain = _arena("leaderboard", missing)
    _, err = plain.communicate(timeout=120)
    assert plain.returncode == 2 and "Traceback" not in err and err.count("\n") == 1
    debug = _arena("--debug", "leaderboard", missing)
    _, err = debug.communicate(timeout=120)
    assert debug.returncode == 1
    assert err.startswith("Traceback (most recent call last):") and "arena.errors.RunlogError" in err


def test_ctrl_c_exits_130_marks_the_run_interrupted_and_says_how_to_resume(tmp_path: Path) -> None:
    tournament = _tournament(tmp_path, repeats=5000)  # 45,000 matches: minutes of work, interrupted after one
    run = _arena("run", str(tournament), "--local", "--logs-dir", str(tmp_path), "--run-id", "c")
    log = tmp_path / "c" / "matches.jsonl"
    deadline = time.monotonic() + 120
    while not (log.exists() and log.stat().st_size) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert run.poll() is None, run.communicate()[1]
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130
    header = json.loads((tmp_path / "c" / "run.json").read_text())
    assert header["status"] == "interrupted"
    logged = len(log.read_text().splitlines())
    assert 0 < logged < 45_000
    assert f"interrupted: {logged} matches logged this time; resume with arena run --resume {tmp_path / 'c'}" in err
    assert "Traceback" not in err
