"""The streaming reader and offset index give what ``read_run`` gives, one record at a time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from arena_cli import run_cli

from arena.errors import RunlogError
from arena.runlog import MATCHES_FILE, dumps_line, read_run
from arena.runlog.stream import INDEX_FILE, find_match, iter_records, load_index

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logs = tmp_path_factory.mktemp("stream")
    path = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"
    assert run_cli("run", str(path), "--local", "--logs-dir", str(logs), "--run-id", "s") == 0
    return logs / "s"


@pytest.fixture
def run(scripted: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "s"
    shutil.copytree(scripted, copy)
    return copy


def test_stream_equals_read_run_with_a_retry_a_bad_line_and_a_torn_tail(run: Path) -> None:
    lines = (run / MATCHES_FILE).read_text().splitlines(keepends=True)
    retried = json.loads(lines[3])
    retried.update(attempt=2, seed=12345)
    with open(run / MATCHES_FILE, "a") as fh:
        fh.write("{not json}\n")
        fh.write(dumps_line(retried))
        fh.write(lines[5][:40])  # a torn last line
    problems: list[str] = []
    streamed = list(iter_records(run, on_problem=problems.append))
    _, loaded = read_run(run, on_problem=lambda _m: None)
    assert streamed == loaded and len(streamed) == 36
    assert next(r for r in streamed if r["match_id"] == retried["match_id"])["seed"] == 12345
    assert problems == []  # the bad line has no match id: it is not in the index, so never read


def test_the_index_is_saved_and_only_the_new_tail_is_scanned(run: Path) -> None:
    index = load_index(run)
    size = (run / MATCHES_FILE).stat().st_size
    head, *entries = (run / INDEX_FILE).read_text().splitlines(keepends=True)  # a header, then a line a match
    assert json.loads(head)["size"] == size == index.size and len(entries) == 36
    first = json.loads((run / MATCHES_FILE).read_text().splitlines()[0])
    first.update(match_id="late.r1")
    with open(run / MATCHES_FILE, "a") as fh:
        fh.write(dumps_line(first))
    (run / INDEX_FILE).write_text(head + "".join(entries[:10]))  # an index of 10 matches, covering the old size
    again = load_index(run)
    assert len(again.entries) == 11  # the stored 10 plus the new tail's one: the old part was not rescanned
    assert find_match(run, "late.r1", again)["match_id"] == "late.r1"


def test_find_match_by_id_and_prefix(run: Path) -> None:
    assert find_match(run, "balloon.fair-seller.eager-buyer.none.s2")["match_id"] == \
        "balloon.fair-seller.eager-buyer.none.s2.r1"
    assert find_match(run, "nope") is None
    with pytest.raises(RunlogError, match="4 matches start with 'balloon.fair-seller.eager-buyer'; give more"):
        find_match(run, "balloon.fair-seller.eager-buyer")
