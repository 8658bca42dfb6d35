"""The live view of ``arena run``: its figures by hand from a fake clock and records, the rated top as it
forms, and ``--quiet``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from arena_cli import run_cli as cli
from rich.console import Console

from arena.cli.live import LiveView

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"


def rec(buyer: str, reward: float, repeat: int, *, status: str = "ok", kind: str | None = None,
        tokens: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    return {"kind": "match", "game": "g", "scenario": "sc", "arm": "none", "repeat": repeat, "round": 1, "seed": 1,
            "status": status, "error": {"kind": kind} if kind else None,
            "agents": {"seller": "S", "buyer": buyer}, "rewards": {"seller": 1 - reward, "buyer": reward},
            "usage": {"buyer": {"prompt_tokens": tokens[0], "completion_tokens": tokens[1]}}}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_view_shows_progress_errors_tokens_eta_and_the_rated_top() -> None:
    console = Console(record=True, width=120, force_terminal=False)
    clock = Clock()
    view = LiveView("t", total=10, done=2, console=console, clock=clock)  # 2 done before (a resume)
    with view:
        view.flight(1)
        view.flight(1)
        clock.now += 4.0
        view.record(rec("A", 0.9, 0, tokens=(100, 20)))
        view.record(rec("B", 0.1, 0, tokens=(50, 30)))
        view.record(rec("A", 0.0, 1, status="error", kind="server"))
        view.record(rec("B", 0.5, 2, status="error", kind="server", tokens=(0, 0)))
        view.flight(-1)
        # 6 of 10 done, 4 played in 4 s: 4 left take 4 s more; 200 tokens in 4 s is 50/s
        assert view.status_line() == ("t: 6/10 matches, 1 in flight, errors: server 2\n"
                                      "tokens in 150 out 50 (50/s), elapsed 4s, ETA 4s")
    text = console.export_text()
    assert "t: 6/10 matches, 1 in flight, errors: server 2" in text
    # no model: no row of zero tokens; 1 of 4 played in 2 s, so 3 left take 6 s
    scripted = LiveView("s", total=4, done=0, console=console, clock=clock)
    clock.now += 2.0
    scripted.record(rec("A", 0.5, 0))
    assert scripted.status_line() == "s: 1/4 matches, 0 in flight, errors: 0\nelapsed 2s, ETA 6s"
    # A beat B on the one board both played: the top of the buyers' table, with its n, no interval yet
    assert text.index("A  ") < text.index("B  ") and "n=1" in text and "rated so far" in text


def test_quiet_shows_no_live_view_but_the_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", str(BALLOON), "--local", "--quiet", "--logs-dir", str(tmp_path), "--run-id", "q") == 0
    out, err = capsys.readouterr()
    assert "36/36" not in err and "rated so far" not in err
    assert "Leaderboard: balloon-scripted" in out and "36 matches played" in err
    assert cli("run", str(BALLOON), "--local", "--logs-dir", str(tmp_path), "--run-id", "l") == 0
    err = capsys.readouterr().err
    assert "balloon-scripted: 36/36 matches, 0 in flight, errors: 0" in err and "rated so far" in err
