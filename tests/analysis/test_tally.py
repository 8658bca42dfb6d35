"""The readers that fold a whole log into tables read it once and hold no more than a few records.

A record is counted while alive (a dict subclass with a finaliser), so a reader that keeps the records
(a list of them, a series table of records) fails here, whatever it does with them afterwards.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from arena_cli import run_cli

import arena.runlog.files as runlog_files
from arena.analysis.curves import learning_curves
from arena.analysis.leaderboard import crossplay, leaderboard
from arena.analysis.report import render_report
from arena.analysis.tally import Tally
from arena.runlog import MATCHES_FILE, read_run
from arena.runlog.stream import stream_run

ROOT = Path(__file__).resolve().parents[2]


class Counted(dict):
    """A record that says when it is freed."""

    alive = 0
    most = 0

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        Counted.alive += 1
        Counted.most = max(Counted.most, Counted.alive)
        weakref.finalize(self, Counted._freed)

    @staticmethod
    def _freed() -> None:
        Counted.alive -= 1


def once(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each record as a fresh counted copy, one at a time; the list itself is not handed out."""
    for rec in records:
        yield Counted(json.loads(json.dumps(rec)))


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DEAR MAN's scripted practice: arms none and ai, 3 scenarios x 3 rounds x 4 repeats, a transfer test."""
    logs = tmp_path_factory.mktemp("tally")
    assert run_cli("run", str(ROOT / "scenarios/dearman/practice.yaml"), "--local", "--logs-dir", str(logs),
                   "--run-id", "p") == 0
    return logs / "p"


def _page(html: str) -> str:
    return re.sub(r"Generated \S+ by", "Generated - by", html)


def test_one_pass_over_a_generator_gives_the_tables_of_the_whole_list(practice: Path) -> None:
    header, records = read_run(practice)
    assert len(records) == 144  # 3 arms x 3 scenarios x 4 repeats x (3 practice rounds + 1 transfer round)
    Counted.alive = Counted.most = 0
    tally = Tally.of(once(records), header=header)
    # held at the end: the report's example dialogue of each arm, nothing else
    assert Counted.alive == 3 and sorted(tally.examples) == ["after_round", "jit", "none"]
    # at most: those three, the record being folded in and the next one being made
    assert Counted.most <= 5
    whole = [r.to_dict() for r in leaderboard(records, n_boot=200)]
    assert [r.to_dict() for r in leaderboard(tally, n_boot=200)] == whole
    assert [m.to_dict() for m in crossplay(tally)] == [m.to_dict() for m in crossplay(records)]
    curves = learning_curves(header, tally, n_boot=200).to_dict()
    assert curves == learning_curves(header, records, n_boot=200).to_dict()
    assert curves["transfer"] == ["relative-boundary"] and curves["errors"] == 0
    assert _page(render_report(header, tally, n_boot=50)) == _page(render_report(header, records, n_boot=50))
    assert "from 144 match records" in render_report(header, tally, n_boot=50)


def test_stream_run_gives_read_runs_records_and_reports(practice: Path, tmp_path: Path) -> None:
    lines = (practice / MATCHES_FILE).read_bytes().splitlines(keepends=True)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "run.json").write_bytes((practice / "run.json").read_bytes())
    retry = {**json.loads(lines[7]), "attempt": 2, "seed": 99}
    damaged = lines[:3] + [b"{not json\n", b"\n"] + lines[3:] + [lines[1], lines[2], json.dumps(retry).encode() + b"\n",
                                                                 lines[4][:30]]
    (tmp_path / "p" / MATCHES_FILE).write_bytes(b"".join(damaged))
    said: list[str] = []
    header, stream = stream_run(tmp_path / "p", on_problem=said.append)
    streamed = list(stream)
    told: list[str] = []
    whole_header, whole = read_run(tmp_path / "p", on_problem=told.append)
    assert streamed == whole and header == whole_header and len(streamed) == 144
    assert next(r for r in streamed if r["match_id"] == retry["match_id"])["seed"] == 99
    assert said == told == [f"{tmp_path / 'p' / MATCHES_FILE}: skipped 1 unreadable line(s): 4 (not JSON)",
                            f"{tmp_path / 'p' / MATCHES_FILE}: 2 line(s) repeat a match already logged (two writers?); "
                            "each match counts once"]


def test_leaderboard_report_and_run_never_read_the_whole_log(practice: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """``read_matches`` (what ``read_run`` holds every record with) is off limits to these commands."""
    expected = json.loads(_cli_json(capsys, "leaderboard", str(practice), "--json"))

    def whole_log(path: Path) -> None:
        raise AssertionError(f"{path} read whole")

    monkeypatch.setattr(runlog_files, "read_matches", whole_log)
    assert json.loads(_cli_json(capsys, "leaderboard", str(practice), "--json")) == expected
    assert run_cli("leaderboard", str(practice)) == 0
    assert run_cli("report", str(practice), "--n-boot", "20", "--out", str(tmp_path / "r.html")) == 0
    assert "from 144 match records" in (tmp_path / "r.html").read_text()
    with pytest.raises(AssertionError, match="read whole"):  # the guard itself works
        read_run(practice)


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert run_cli(*args) == 0
    return capsys.readouterr().out
