"""Durability of the run log: each finished match is written whole and fsync'd before the next match
starts; a full disk stops the run in one line that names the resume command, with no partial line and
no stray ``run.json.tmp``; a run id too long for the file system is one line.

The full disk is simulated in the driver process by making ``os.fsync`` / ``os.write`` fail with ENOSPC
for the run's files (the driver is this process: ``arena run --local`` runs in-process).
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from arena_cli import run_cli as cli

import arena.runtime.match as match_module
from arena.config import load_tournament
from arena.runlog import MATCHES_FILE
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"
PLANNED = 36


def _same(fd: int, path: Path) -> bool:
    """Whether ``fd`` is open on ``path`` (compared by inode, as the path may not exist)."""
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_each_match_is_durable_before_the_next_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = prepare_new(load_tournament(BALLOON), tmp_path / "logs", "d")
    path = prepared.log.dir / MATCHES_FILE
    synced = [0]  # size of matches.jsonl at each fsync of it
    real_fsync, real_play = os.fsync, match_module.play_match

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if _same(fd, path):
            synced.append(os.fstat(fd).st_size)

    emitted: list[str] = []
    seen: list[tuple[int, int, int, int]] = []  # at each match start: (handed out, lines on disk, bytes, fsync'd)

    async def play_match(ctx, series, round_, state):  # noqa: ANN001, ANN202 - the wrapped signature
        on_disk = path.read_bytes()  # what a reader in another process would see now
        seen.append((len(emitted), on_disk.count(b"\n"), len(on_disk), synced[-1]))
        return await real_play(ctx, series, round_, state)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(match_module, "play_match", play_match)
    execute(prepared, RunOptions(local=True, concurrency=1), on_record=lambda r: emitted.append(r["match_id"]))
    assert len(emitted) == len(seen) == PLANNED
    # when match k starts, the k-1 matches handed out are whole lines on disk, all covered by an fsync
    assert [(k, k) for k in range(PLANNED)] == [(handed, lines) for handed, lines, _b, _s in seen]
    assert all(size == durable for _h, _l, size, durable in seen)
    assert seen[-1][2] > 0


def _full_after(monkeypatch: pytest.MonkeyPatch, matches: Path, matches_ok: int) -> None:
    """After ``matches_ok`` fsyncs of ``matches`` succeeded, every fsync fails: the disk is full."""
    real_fsync = os.fsync
    state = {"synced": 0, "full": matches_ok < 0}

    def fsync(fd: int) -> None:
        if _same(fd, matches):
            state["synced"] += 1
            state["full"] = state["full"] or state["synced"] > matches_ok
        if state["full"]:
            raise _enospc()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_disk_full_mid_run_is_one_line_naming_the_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    run_dir = logs / "full"
    _full_after(monkeypatch, run_dir / MATCHES_FILE, matches_ok=5)
    assert cli("run", str(BALLOON), "--local", "--concurrency", "1", "--logs-dir", str(logs), "--run-id", "full") == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (f"{run_dir / MATCHES_FILE}: no space left on device; free space, then resume with: "
                    f"arena run --resume {run_dir}")
    assert sorted(p.name for p in run_dir.iterdir()) == ["matches.jsonl", "run.json", "run.lock"]
    assert len((run_dir / MATCHES_FILE).read_bytes().splitlines()) == 5  # the sixth was cut off again
    assert (run_dir / MATCHES_FILE).read_bytes().endswith(b"\n")

    monkeypatch.undo()  # space is back
    assert cli("run", "--resume", str(run_dir), "--local") == 0
    ids = [json.loads(line)["match_id"] for line in (run_dir / MATCHES_FILE).read_text().splitlines()]
    assert len(ids) == len(set(ids)) == PLANNED
    assert "torn" not in capsys.readouterr().err


def test_short_write_then_disk_full_leaves_whole_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    real_write = os.write
    count = {"n": 0}

    def write(fd: int, data: bytes) -> int:
        if _same(fd, logs / "w" / MATCHES_FILE):
            count["n"] += 1
            if count["n"] == 3:  # half of the third line fits, then the disk is full
                return real_write(fd, bytes(data)[: len(data) // 2])
            if count["n"] > 3:
                raise _enospc()
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    assert cli("run", str(BALLOON), "--local", "--concurrency", "1", "--logs-dir", str(logs), "--run-id", "w") == 2
    assert "no space left on device" in capsys.readouterr().err.strip().splitlines()[-1]
    data = (logs / "w" / MATCHES_FILE).read_bytes()
    assert data.endswith(b"\n") and len(data.splitlines()) == 2
    assert [json.loads(line)["kind"] for line in data.splitlines()] == ["match", "match"]
    assert json.loads((logs / "w" / "run.json").read_text())["status"] == "interrupted"


def test_disk_full_before_the_first_match_leaves_no_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    _full_after(monkeypatch, logs / "none" / MATCHES_FILE, matches_ok=-1)  # run.json cannot be written
    assert cli("run", str(BALLOON), "--local", "--logs-dir", str(logs), "--run-id", "none") == 2
    err = capsys.readouterr().err.strip()
    assert err == f"{logs / 'none' / 'run.json'}: cannot write: No space left on device; nothing was run"
    assert list(logs.iterdir()) == []  # no directory, no run.json.tmp: the same command works later


def test_disk_full_at_the_end_keeps_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    run_dir = logs / "end"
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # every match fits; the final run.json does not
        matches = run_dir / MATCHES_FILE
        all_in = matches.exists() and len(matches.read_bytes().splitlines()) == PLANNED
        if all_in and _same(fd, run_dir / "run.json.tmp"):
            raise _enospc()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert cli("run", str(BALLOON), "--local", "--logs-dir", str(logs), "--run-id", "end") == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"{run_dir / 'run.json'}: no space left on device; free space, then resume with: " \
                   f"arena run --resume {run_dir}"
    assert not (run_dir / "run.json.tmp").exists()
    assert json.loads((run_dir / "run.json").read_text())["status"] == "running"
    monkeypatch.undo()
    assert cli("run", "--resume", str(run_dir), "--local") == 0
    assert json.loads((run_dir / "run.json").read_text())["status"] == "finished"


def test_run_id_too_long_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_id = "r" * 300
    assert cli("run", str(BALLOON), "--local", "--logs-dir", str(tmp_path / "logs"), "--run-id", run_id) == 2
    err = capsys.readouterr().err.strip()
    assert err == "run id 'rrrrrrrrrrrrrrrrrrrr'... (300 characters): use at most 200"
    assert not (tmp_path / "logs").exists()
