"""Read a run log of any size: an offset index beside ``matches.jsonl`` and a reader that streams records.

:func:`arena.runlog.read_run` returns every record at once, which is fine for a few thousand matches and
not for 100,000 (640 MB of JSON becomes about 5 GB of Python objects). Here:

- :func:`load_index` scans the log once, without parsing it as JSON (the match id is read from the start
  of each line, the attempt from its end), and keeps, per match id, the byte offset and length of its last
  attempt: the same choice :meth:`LoadedMatches.latest` makes. The index is saved as ``matches.idx`` beside
  the log with the log size it covers; the log is append-only, so a later call reads only the new tail.
- :func:`iter_records` yields one validated record at a time, in log order, seeking to each kept line;
  memory stays the size of the index plus one record.
- :func:`find_match` reads one match by id (or unique prefix) through the index: one seek.
- :func:`stream_run` is :func:`arena.runlog.read_run` one record at a time: the same records in the same
  order, the same reports of unreadable and repeated lines (with their line numbers, said once the stream
  is spent), for the readers that fold a whole log into tables (leaderboard, curves, report).

An index that does not fit the log (a log shorter than the size it names: rewritten, not appended) is
rebuilt. Writing ``matches.idx`` is best effort: a read-only run directory is read without saving one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from arena.errors import RunlogError
from arena.runlog.files import MATCHES_FILE, RunlogWarning, parse_line, problems_of, read_header
from arena.runlog.schema import first_error, no_constants, parse_match

INDEX_FILE = "matches.idx"
INDEX_VERSION = 1
_ID = re.compile(rb'"match_id":"((?:[^"\\]|\\.)*)"')
_ATTEMPT = re.compile(rb'"attempt":(\d+)[,}]')
_ENDS = 4096  # bytes at each end of the indexed part that must not have changed
_HEAD = 4096  # the match id is among a line's first keys (the writer keeps the record's key order)

__all__ = ["INDEX_FILE", "MatchIndex", "find_match", "iter_records", "load_index", "stream_run"]


@dataclass
class MatchIndex:
    """Per match id: (offset, length, attempt) of the line that counts; ``size``: the log bytes covered."""

    size: int = 0
    entries: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def offsets(self) -> list[tuple[int, int]]:
        """(offset, length) of every kept line, in log order."""
        return sorted((off, length) for off, length, _ in self.entries.values())


def _key_of(line: bytes) -> tuple[str, int] | None:
    """(match id, attempt) of a line, read without parsing the whole line; None if it has no match id."""
    found = _ID.search(line, 0, _HEAD)
    if found is None:
        try:
            value = json.loads(line, parse_constant=no_constants)
            return str(value["match_id"]), int(value.get("attempt", 1))
        except (ValueError, KeyError, TypeError, RecursionError):
            return None
    match_id = json.loads(b'"' + found.group(1) + b'"')
    tail = _ATTEMPT.search(line, max(0, len(line) - 64))
    return match_id, int(tail.group(1)) if tail else 1


def _scan(path: Path, index: MatchIndex) -> None:
    """Extend ``index`` with the whole lines after ``index.size`` (a torn last line is left out)."""
    with open(path, "rb") as fh:
        fh.seek(index.size)
        offset = index.size
        for line in fh:
            if not line.endswith(b"\n"):
                break  # torn: not a record (a resume moves it aside)
            key = _key_of(line)
            if key is not None:
                match_id, attempt = key
                old = index.entries.get(match_id)
                if old is None or attempt >= old[2]:
                    index.entries[match_id] = (offset, len(line), attempt)
            offset += len(line)
        index.size = offset


def load_index(run_dir: Path, *, save: bool = True) -> MatchIndex:
    """The run's index, read from ``matches.idx`` and brought up to date with the log's new tail."""
    path = run_dir / MATCHES_FILE
    if not path.exists():
        return MatchIndex()
    size = path.stat().st_size
    index = MatchIndex()
    try:
        stored = json.loads((run_dir / INDEX_FILE).read_text(encoding="utf-8"))
        if (stored.get("v") == INDEX_VERSION and 0 <= stored["size"] <= size
                and stored["ends"] == _fingerprint(path, stored["size"])):
            index = MatchIndex(stored["size"], {mid: (o, n, a) for mid, o, n, a in stored["entries"]})
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if index.size == size:
        return index
    _scan(path, index)
    if save:
        _save(run_dir, index)
    return index


def _fingerprint(path: Path, size: int) -> str:
    """A hash of the first and last bytes the index covers: a log rewritten rather than appended to (a
    test, a hand edit) no longer matches, and its index is rebuilt instead of pointing into other lines."""
    with open(path, "rb") as fh:
        head = fh.read(min(size, _ENDS))
        fh.seek(max(0, size - _ENDS))
        tail = fh.read(min(size, _ENDS))
    return hashlib.sha256(head + b"|" + tail).hexdigest()[:32]


def _save(run_dir: Path, index: MatchIndex) -> None:
    tmp = run_dir / f".{INDEX_FILE}.{os.getpid()}"
    data = {"v": INDEX_VERSION, "size": index.size, "ends": _fingerprint(run_dir / MATCHES_FILE, index.size),
            "entries": [[mid, o, n, a] for mid, (o, n, a) in index.entries.items()]}
    try:
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, run_dir / INDEX_FILE)
    except OSError:
        tmp.unlink(missing_ok=True)


def _parse(raw: bytes, where: str) -> dict[str, Any]:
    try:
        return parse_match(json.loads(raw, parse_constant=no_constants))
    except ValidationError as exc:
        raise ValueError(f"{where}: {first_error(exc)}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{where}: not JSON ({type(exc).__name__})") from exc


def iter_records(run_dir: Path, on_problem: Callable[[str], None] | None = None,
                 index: MatchIndex | None = None) -> Iterator[dict[str, Any]]:
    """Every match's last attempt, one validated record at a time, in log order; unreadable lines are
    reported through ``on_problem`` (default: silently skipped) and left out."""
    index = index or load_index(run_dir)
    path = run_dir / MATCHES_FILE
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RunlogError(f"{path}: cannot read: {exc.strerror}") from exc
    with fh:
        for offset, length in index.offsets():
            fh.seek(offset)
            try:
                yield _parse(fh.read(length), f"{path} at byte {offset}")
            except ValueError as exc:
                if on_problem is not None:
                    on_problem(str(exc))


def find_match(run_dir: Path, match: str, index: MatchIndex | None = None) -> dict[str, Any] | None:
    """One match by id, or by a unique prefix of its id (several: :class:`RunlogError`); None if absent."""
    index = index or load_index(run_dir)
    entry = index.entries.get(match)
    if entry is None:
        hits = [mid for mid in index.entries if mid.startswith(match)]
        if len(hits) > 1:
            raise RunlogError(f"{run_dir}: {len(hits)} matches start with {match!r}; give more of the id")
        if not hits:
            return None
        entry = index.entries[hits[0]]
    path = run_dir / MATCHES_FILE
    with open(path, "rb") as fh:
        fh.seek(entry[0])
        try:
            return _parse(fh.read(entry[1]), f"{path} at byte {entry[0]}")
        except ValueError as exc:
            raise RunlogError(str(exc)) from exc


def stream_run(directory: Path, on_problem: Callable[[str], None] | None = None,
               ) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The run's header, and its match records as :func:`arena.runlog.read_run` gives them, one at a time.

    The log is read front to back (no seeks): a line is yielded when the index keeps it (its match's last
    attempt), so memory is the index plus one record. Unreadable lines and lines logged twice are counted
    as :func:`arena.runlog.read_matches` counts them and reported through ``on_problem`` (default: a
    :class:`RunlogWarning`) when the stream ends, in ``read_run``'s words. The header is read at once, so
    a missing or corrupt ``run.json`` fails here, not at the first record.
    """
    header = read_header(directory)
    return header, _records(directory, load_index(directory), on_problem)


def _records(directory: Path, index: MatchIndex,
             on_problem: Callable[[str], None] | None) -> Iterator[dict[str, Any]]:
    path = directory / MATCHES_FILE
    bad: list[tuple[int, str]] = []
    superseded: set[tuple[str, int]] = set()  # (match id, attempt) of the readable lines not kept: retries
    twice = 0
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RunlogError(f"{path}: cannot read: {exc.strerror}") from exc
    with fh:
        offset = 0
        for number, line in enumerate(fh, start=1):
            start, offset = offset, offset + len(line)
            if offset > index.size or not line.endswith(b"\n"):
                break  # torn, or written after the index was read: not in this reading of the log
            raw = line[:-1]
            if not raw.strip():
                continue
            key = _key_of(line)
            entry = index.entries.get(key[0]) if key is not None else None
            record, why = parse_line(raw)
            if record is None:
                bad.append((number, why))
            elif entry is not None and entry[0] == start:
                yield record
            else:  # an earlier attempt, or the same attempt logged again (two writers)
                again = (str(record["match_id"]), int(record.get("attempt", 1)))
                twice += again in superseded or (entry is not None and entry[2] == again[1])
                superseded.add(again)
    report = on_problem or (lambda message: warnings.warn(message, RunlogWarning, stacklevel=3))
    for message in problems_of(path, bad, twice):
        report(message)
