"""The run log as the CLI's readers and ``arena run --resume`` meet it when it is damaged: bad lines,
a corrupt ``run.json``, a torn tail, a changed tournament file, a new Arena version. Every case is one
line on stderr or a report and a result, never ``internal error``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from arena_cli import run_cli as cli

from arena import __version__

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"
PLANNED = 36


def tournament_copy(tmp: Path, seed: int = 7) -> Path:
    """balloon-scripted.yaml in ``tmp`` (paths made absolute), so a test may change it."""
    text = BALLOON.read_text().replace("[balloon.yaml]", f"[{BALLOON.parent / 'balloon.yaml'}]")
    text = text.replace("../../agents/", f"{ROOT / 'agents'}/").replace("seed: 7", f"seed: {seed}")
    path = tmp / "t.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logs = tmp_path_factory.mktemp("logs")
    assert cli("run", str(BALLOON), "--local", "--logs-dir", str(logs), "--run-id", "done") == 0
    return logs / "done"


@pytest.fixture
def run_dir(done: Path, tmp_path: Path) -> Path:
    """A fresh copy of a finished 36-match run, free to damage."""
    return Path(shutil.copytree(done, tmp_path / "run"))


def lines(run_dir: Path) -> list[bytes]:
    return (run_dir / "matches.jsonl").read_bytes().splitlines(keepends=True)


def one_line(err: str) -> str:
    err = err.strip()
    assert err and "\n" not in err, err
    assert "internal error" not in err and "Traceback" not in err
    return err


# ---------------------------------------------------------------- bad lines: reported, skipped, never fatal

WRONG_SHAPES = [
    b"[1,2]\n",
    b'{"kind":"match"}\n',
    b'"just a string"\n',
    b'{"schema_version":1,"kind":"match","match_id":7}\n',
    b'{"schema_version":1,"kind":"match","match_id":"x","series_id":"x","scenario":"balloon","round":1,'
    b'"seed":1,"status":"ok","agents":["seller"],"outcome":{},"rewards":{},"transcript":[]}\n',
    b"NaN\n",
    b"[" * 100_000 + b"\n",
    b"{not json\n",
]


def damaged(run_dir: Path) -> Path:
    """The run with every wrong shape spliced in among its good lines."""
    good = lines(run_dir)
    mixed = []
    for i, line in enumerate(good):
        mixed.append(line)
        if i < len(WRONG_SHAPES):
            mixed.append(WRONG_SHAPES[i])
    (run_dir / "matches.jsonl").write_bytes(b"".join(mixed))
    return run_dir


def test_replay_skips_and_reports_bad_lines(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    damaged(run_dir)
    assert cli("replay", str(run_dir), "--json") == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == PLANNED
    assert f"skipped {len(WRONG_SHAPES)} unreadable line(s): 2 (not a match record (" in err
    assert "internal error" not in err
    assert cli("replay", str(run_dir), "--match", "balloon.fair-seller.fair-buyer.none.s0.r1") == 0


def test_leaderboard_counts_only_match_records(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    damaged(run_dir)
    assert cli("leaderboard", str(run_dir), "--json") == 0
    out, err = capsys.readouterr()
    assert all(row["matches"] == 12 for row in json.loads(out))
    assert f"skipped {len(WRONG_SHAPES)} unreadable line(s)" in err and "internal error" not in err


def test_report_skips_bad_lines(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    damaged(run_dir)
    assert cli("report", str(run_dir), "--n-boot", "10", "--out", str(run_dir / "r.html")) == 0
    err = capsys.readouterr().err
    assert f"skipped {len(WRONG_SHAPES)} unreadable line(s)" in err and "internal error" not in err
    assert "from 36 match records" in (run_dir / "r.html").read_text()


def test_a_match_logged_twice_counts_once_in_every_reader(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # what two writers left before the lock: the same matches again, in another order
    good = lines(run_dir)
    (run_dir / "matches.jsonl").write_bytes(b"".join(good + good[::-1][:20]))
    assert cli("leaderboard", str(run_dir), "--json") == 0
    out, err = capsys.readouterr()
    assert all(row["matches"] == 12 for row in json.loads(out))
    assert "20 line(s) repeat a match already logged" in err
    assert cli("replay", str(run_dir), "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == PLANNED


# ---------------------------------------------------------------- run.json missing or corrupt: one line

BAD_HEADERS = {
    "empty": b"",
    "cut": b'{"schema_version": 1, "kind": "ru',
    "list": b"[1, 2]",
    "no run id": b'{"schema_version": 1, "kind": "run", "status": "finished", "config": {}}',
    "config a list": b'{"schema_version": 1, "kind": "run", "run_id": "x", "status": "finished", "config": [1]}',
}


@pytest.mark.parametrize("command", ["replay", "leaderboard", "report"])
@pytest.mark.parametrize("name", sorted(BAD_HEADERS))
def test_corrupt_run_json_is_one_line(
    run_dir: Path, command: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (run_dir / "run.json").write_bytes(BAD_HEADERS[name])
    assert cli(command, str(run_dir)) == 2
    err = one_line(capsys.readouterr().err)
    assert err.startswith(f"{run_dir / 'run.json'}: ")


@pytest.mark.parametrize("command", ["replay", "leaderboard", "report"])
def test_missing_run_json_is_one_line(run_dir: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    (run_dir / "run.json").unlink()
    assert cli(command, str(run_dir)) == 2
    assert one_line(capsys.readouterr().err) == f"{run_dir / 'run.json'}: missing; not an Arena run directory"


def test_resume_of_a_corrupt_run_json_is_one_line(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = json.loads((run_dir / "run.json").read_text())
    header["config"]["tournament"]["rounds"] = "many"
    (run_dir / "run.json").write_text(json.dumps(header))
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    assert cli("run", "--resume", str(run_dir), "--local") == 2
    err = one_line(capsys.readouterr().err)
    assert err.startswith(f"{run_dir / 'run.json'}: config: not a tournament this Arena can run: tournament.rounds")
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before


# ---------------------------------------------------------------- arena run --resume at the CLI


def test_resume_reports_the_torn_line_and_finishes(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = lines(run_dir)
    half = good[20][: len(good[20]) // 2]
    (run_dir / "matches.jsonl").write_bytes(b"".join(good[:20]) + half)
    assert cli("run", "--resume", str(run_dir), "--local") == 0
    err = capsys.readouterr().err
    assert f"resume: ignored a torn last line ({len(half)} bytes, kept in {run_dir / 'matches.jsonl.torn'})" in err
    assert "36/36" in err
    ids = [json.loads(line)["match_id"] for line in lines(run_dir)]
    assert len(ids) == len(set(ids)) == PLANNED
    assert (run_dir / "matches.jsonl.torn").read_bytes() == half + b"\n"


def test_resume_with_a_changed_tournament_file_refuses_and_changes_nothing(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = lines(run_dir)
    (run_dir / "matches.jsonl").write_bytes(b"".join(good[:20]) + good[20][:30])  # a torn tail, too
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    assert {"run.json", "matches.jsonl"} <= before.keys()
    changed = tournament_copy(tmp_path, seed=8)
    assert cli("run", str(changed), "--resume", str(run_dir), "--local") == 2
    err = one_line(capsys.readouterr().err)
    assert err == (f"{run_dir}: the tournament file changed since this run started; resume with --resume alone "
                   "to continue the stored config, or start a new run")
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before  # no .torn, no rewritten run.json
    # the unchanged file is accepted
    assert cli("run", str(BALLOON), "--resume", str(run_dir), "--local") == 0


def test_resume_under_another_version_warns_and_records_each_segment(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = json.loads((run_dir / "run.json").read_text())
    assert [s["versions"]["arena"] for s in header["segments"]] == [__version__]
    header["segments"][0]["versions"]["arena"] = "0.0.1"
    header["status"] = "interrupted"
    (run_dir / "run.json").write_text(json.dumps(header))
    (run_dir / "matches.jsonl").write_bytes(b"".join(lines(run_dir)[:30]))
    assert cli("run", "--resume", str(run_dir), "--local") == 0
    err = capsys.readouterr().err
    assert f"resume: warning: versions differ from the run's last segment (arena 0.0.1 -> {__version__})" in err
    after = json.loads((run_dir / "run.json").read_text())
    assert [s["versions"]["arena"] for s in after["segments"]] == ["0.0.1", __version__]
    assert isinstance(after["segments"][1]["argv"], list)  # in-process: the host's argv (pytest's here)
    assert after["segments"][0]["started_at"] < after["segments"][1]["started_at"]
    assert after["status"] == "finished"


def test_resume_of_a_run_from_before_segments_keeps_its_history(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = json.loads((run_dir / "run.json").read_text())
    first = header.pop("segments")[0]
    header.update(versions=first["versions"], argv=first["argv"], resumed_at=["2025-01-01T00:00:00.000Z"])
    (run_dir / "run.json").write_text(json.dumps(header))
    assert cli("run", "--resume", str(run_dir), "--local") == 0
    segments = json.loads((run_dir / "run.json").read_text())["segments"]
    assert segments[0] == first
    assert segments[1] == {"started_at": "2025-01-01T00:00:00.000Z"}
    assert segments[2]["versions"]["arena"] == __version__
    assert "versions differ" not in capsys.readouterr().err
