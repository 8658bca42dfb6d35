"""A command's result goes to stdout (so ``arena leaderboard run > f`` keeps it); the rest goes to stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arena_cli import run_cli as cli

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"


def test_leaderboard_table_goes_to_stdout(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("leaderboard", str(run_dir)) == 0
    out, err = capsys.readouterr()
    assert "Leaderboard: demo (finished)" in out
    assert all(f"{kind}-{role}" in out for kind in ("tough", "fair", "eager") for role in ("seller", "buyer"))
    assert err == ""


def test_replay_list_and_transcript_go_to_stdout(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("replay", str(run_dir)) == 0
    out, err = capsys.readouterr()
    assert "36 matches" in out and "balloon.fair-seller.fair-buyer.none.s0.r1" in out
    assert err.strip() == f"show one: arena replay {run_dir} --match <id>"
    assert cli("replay", str(run_dir), "--match", "balloon.fair-seller.fair-buyer.none.s0.r1") == 0
    out, err = capsys.readouterr()
    assert "fair-seller (seller)" in out and "outcome:" in out and err == ""


def test_validate_verdicts_to_stdout_errors_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: agent\nname: a\npolicy: {type: scripted, strategy: nope}\n")
    assert cli("validate", str(BALLOON), str(bad)) == 2
    out, err = capsys.readouterr()
    assert out == f"{BALLOON}: ok (tournament balloon-scripted)\n"
    assert err.startswith(f"{bad}:") and err.count("\n") == 1


def test_report_table_to_stdout_path_to_stderr(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("report", str(run_dir), "--n-boot", "10") == 0
    out, err = capsys.readouterr()
    assert "Per round: demo" in out
    assert err.strip() == f"report: {run_dir / 'report.html'}"


def test_report_json_keeps_stdout_one_document(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("report", str(run_dir), "--n-boot", "10", "--json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["run_id"] == "demo"
    assert "Per round: demo" in err


def test_moderator_eval_table_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("moderator-eval", "rules") == 0
    out, err = capsys.readouterr()
    assert "rules on moderator_set.jsonl: state" in out and "label \\ verdict" in out
    assert err == ""


def test_errors_stay_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("leaderboard", str(tmp_path / "missing")) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
