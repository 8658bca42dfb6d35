"""``arena run`` / ``replay`` / ``leaderboard`` as a user types them (in-process, output captured)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arena_cli import run_cli as cli

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"


def test_run_prints_progress_and_leaderboard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli("run", str(BALLOON), "--local", "--logs-dir", str(tmp_path), "--run-id", "x")
    out, err = capsys.readouterr()
    assert code == 0
    assert "36/36" in err and "36/36" not in out  # progress on stderr
    assert "Leaderboard: balloon-scripted" in out and "Leaderboard" not in err  # the result on stdout
    assert "tough-seller" in out and "eager-buyer" in out
    # rated rows with their interval and n; the overlap note; the cross-play matrix after the table
    assert "rating n" in out and "0.22 n=24 ~" in out and "order not established" in " ".join(out.split())
    matrix = out[out.index("Cross-play: seller (rows) x buyer (columns)"):]
    assert "0.65/0.35" in matrix and "deals 4/4 n=4" in matrix and "deals 0/4 n=4" in matrix


def test_replay_lists_matches(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("replay", str(run_dir)) == 0
    out, err = capsys.readouterr()
    assert "36 matches" in out
    assert "balloon.tough-seller.tough-buyer.none.s0.r1" in out
    assert "show one: arena replay" in err and "matches" not in err


def test_replay_shows_one_match_turn_by_turn(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    match_id = "balloon.fair-seller.fair-buyer.none.s0.r1"
    assert cli("replay", str(run_dir), "--match", match_id) == 0
    out, err = capsys.readouterr()
    assert err == ""
    record = next(json.loads(line) for line in (run_dir / "matches.jsonl").read_text().splitlines()
                  if json.loads(line)["match_id"] == match_id)
    assert "fair-seller (seller)" in out and "fair-buyer (buyer)" in out
    assert "This is a good balloon and its price is $20" in out
    price = record["outcome"]["price"]
    assert f"outcome: deal ${price:g}" in out
    assert out.count("[OFFER") >= 2


def test_replay_unknown_match_is_one_line(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("replay", str(run_dir), "--match", "nope") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no match 'nope'" in err


def test_leaderboard_recomputes_from_log(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("leaderboard", str(run_dir), "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["agent"], r["role"]) for r in rows} == {
        (f"{s}-{role}", role) for s in ("tough", "fair", "eager") for role in ("seller", "buyer")
    }
    assert all(r["matches"] == 12 for r in rows)
    eager = next(r for r in rows if r["agent"] == "eager-buyer")
    tough = next(r for r in rows if r["agent"] == "tough-buyer")
    assert eager["deal_rate"] > tough["deal_rate"]
    # rated, in rating order within each role; eager-buyer above tough-buyer (openskill had them inverted)
    assert [r["agent"] for r in rows if r["role"] == "buyer"] == ["fair-buyer", "eager-buyer", "tough-buyer"]
    assert eager["rating"] > tough["rating"] and all(r["n"] == 24 for r in rows)
    assert all(r["lo"] < r["rating"] < r["hi"] for r in rows if r["rating"] != 0)
    assert eager["overlaps_next"] is True and tough["overlaps_next"] is False  # the last of its role


def test_replay_shows_hostile_text_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    from arena.replay import match_view

    record = {
        "match_id": "m", "scenario": "s", "round": 1, "seed": 0, "status": "ok", "agents": {"seller": "a"},
        "outcome": {"deal": False, "reason": "quit"}, "rewards": {"seller": 0.0},
        "transcript": [{"turn": 0, "role": "seller", "agent": "[bold red]x[/]", "text": "[bold red]hi\x1b[31m"}],
    }
    console = Console(record=True, width=120, color_system=None)
    console.print(match_view(record))
    text = console.export_text()
    assert "[bold red]hi\\x1b[31m" in text
    assert "\x1b" not in text
