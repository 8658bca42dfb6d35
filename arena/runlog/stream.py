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

``matches.idx`` is a JSON header line (version, log size covered, fingerprint) and then one JSON line per
match, ``[id, offset, length, attempt]`` in log order, so the readers that stream every record read only
the offsets from it (:func:`kept_lines`: 16 bytes a match) instead of a dict of every match id: at 100,000
matches that dict is about 30 MB, more than everything the tables keep.

An index that does not fit the log (a log shorter than the size it names: rewritten, not appended) is
rebuilt. Writing ``matches.idx`` is best effort: a read-only run directory is read without saving one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from arena.errors import RunlogError
from arena.runlog.files import MATCHES_FILE, RunlogWarning, parse_line, problems_of, read_header
from arena.runlog.schema import first_error, no_constants, parse_match

INDEX_FILE = "matches.idx"
INDEX_VERSION = 2  # 2: a header line, then one entry per line (read line by line); 1: one JSON document
_ID = re.compile(rb'"match_id":"((?:[^"\\]|\\.)*)"')
_ATTEMPT = re.compile(rb'"attempt":(\d+)[,}]')
_ENDS = 4096  # bytes at each end of the indexed part that must not have changed
_HEAD = 4096  # the match id is among a line's first keys (the writer keeps the record's key order)

__all__ = ["INDEX_FILE", "MatchIndex", "find_match", "iter_records", "kept_lines", "load_index", "stream_run"]


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


def _stored(run_dir: Path, size: int) -> Iterator[list[Any]] | None:
    """The entries of a ``matches.idx`` that fits the log (of ``size`` bytes), one at a time; the first
    item is the header; None without a usable index."""
    try:
        fh = open(run_dir / INDEX_FILE, "rb")
    except OSError:
        return None
    try:
        head = json.loads(fh.readline())
        if not (head.get("v") == INDEX_VERSION and 0 <= head["size"] <= size
                and head["ends"] == _fingerprint(run_dir / MATCHES_FILE, head["size"])):
            fh.close()
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        fh.close()
        return None

    def entries() -> Iterator[list[Any]]:
        with fh:
            yield head
            for line in fh:
                yield json.loads(line)

    return entries()


def load_index(run_dir: Path, *, save: bool = True) -> MatchIndex:
    """The run's index, read from ``matches.idx`` and brought up to date with the log's new tail."""
    path = run_dir / MATCHES_FILE
    if not path.exists():
        return MatchIndex()
    size = path.stat().st_size
    index = MatchIndex()
    stored = _stored(run_dir, size)
    if stored is not None:
        try:
            head = next(stored)
            index = MatchIndex(head["size"], {mid: (o, n, a) for mid, o, n, a in stored})
        except (OSError, ValueError, KeyError, TypeError):
            index = MatchIndex()
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
    head = {"v": INDEX_VERSION, "size": index.size, "ends": _fingerprint(run_dir / MATCHES_FILE, index.size)}
    try:
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(json.dumps(head, separators=(",", ":")) + "\n")
            for mid, (o, n, a) in sorted(index.entries.items(), key=lambda kv: kv[1][0]):
                fh.write(json.dumps([mid, o, n, a], separators=(",", ":")) + "\n")
        os.replace(tmp, run_dir / INDEX_FILE)
    except OSError:
        tmp.unlink(missing_ok=True)


def kept_lines(run_dir: Path) -> tuple[int, array, array]:
    """(log bytes covered, offsets, lengths) of the lines that count, in log order: what a reader of every
    record needs of the index. Read line by line from an up-to-date ``matches.idx``; else the index is
    brought up to date first (:func:`load_index`) and dropped once its offsets are out."""
    offsets, lengths = array("q"), array("q")
    path = run_dir / MATCHES_FILE
    size = path.stat().st_size if path.exists() else 0
    stored = _stored(run_dir, size)
    if stored is not None:
        try:
            head = next(stored)
            if head["size"] == size:
                for _mid, o, n, _a in stored:
                    offsets.append(o)
                    lengths.append(n)
                if all(a < b for a, b in zip(offsets, offsets[1:], strict=False)):  # any other order: rebuilt
                    return size, offsets, lengths
        except (OSError, ValueError, KeyError, TypeError):
            pass
        offsets, lengths = array("q"), array("q")
    index = load_index(run_dir)
    for o, n in index.offsets():
        offsets.append(o)
        lengths.append(n)
    return index.size, offsets, lengths


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
    lines = index.offsets() if index is not None else zip(*kept_lines(run_dir)[1:], strict=True)
    path = run_dir / MATCHES_FILE
    fh = _open_log(path)
    if fh is None:
        return
    with fh:
        for offset, length in lines:
            fh.seek(offset)
            try:
                yield _parse(fh.read(length), f"{path} at byte {offset}")
            except ValueError as exc:
                if on_problem is not None:
                    on_problem(str(exc))


def find_match(run_dir: Path, match: str, index: MatchIndex | None = None) -> dict[str, Any] | None:
    """One match by id, or by a unique prefix of its id (several: :class:`RunlogError`); None if absent."""
    entry = _entry(run_dir, match) if index is None else index.entries.get(match)
    if entry is None:
        ids = index.entries if index is not None else (mid for mid, *_ in _entries(run_dir))
        hits, first = 0, ""
        for mid in ids:
            if mid.startswith(match):
                hits, first = hits + 1, first or mid
        if hits > 1:
            raise RunlogError(f"{run_dir}: {hits} matches start with {match!r}; give more of the id")
        if not hits:
            return None
        entry = _entry(run_dir, first) if index is None else index.entries[first]
    if entry is None:
        return None
    path = run_dir / MATCHES_FILE
    with open(path, "rb") as fh:
        fh.seek(entry[0])
        try:
            return _parse(fh.read(entry[1]), f"{path} at byte {entry[0]}")
        except ValueError as exc:
            raise RunlogError(str(exc)) from exc


def _entries(run_dir: Path) -> Iterator[list[Any]]:
    """Every (id, offset, length, attempt) of the index, read line by line from an up-to-date ``matches.idx``
    (brought up to date first when it is not), so one lookup holds no dict of every match."""
    path = run_dir / MATCHES_FILE
    size = path.stat().st_size if path.exists() else 0
    stored = _stored(run_dir, size)
    if stored is not None and next(stored)["size"] == size:
        try:
            yield from stored
        except (OSError, ValueError) as exc:  # written atomically, so only a hand edit gets here
            raise RunlogError(f"{run_dir / INDEX_FILE}: corrupt ({type(exc).__name__}); delete it to rebuild it") \
                from exc
        return
    index = load_index(run_dir)
    yield from ([mid, o, n, a] for mid, (o, n, a) in index.entries.items())


def _entry(run_dir: Path, match: str) -> tuple[int, int, int] | None:
    """(offset, length, attempt) of the line that counts for ``match``; None if the index has no such id."""
    found = None
    for mid, o, n, a in _entries(run_dir):
        if mid == match and (found is None or a >= found[2]):
            found = (o, n, a)
    return found


def stream_run(directory: Path, on_problem: Callable[[str], None] | None = None,
               ) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The run's header, and its match records as :func:`arena.runlog.read_run` gives them, one at a time.

    The log is read front to back (no seeks): a line is yielded when the index keeps it (its match's last
    attempt), so memory is the index plus one record. Unreadable lines and lines logged twice are counted
    as :func:`arena.runlog.read_matches` counts them and reported through ``on_problem`` (default: a
    :class:`RunlogWarning`) when the stream ends, in ``read_run``'s words. The header is read at once, so
    a missing or corrupt ``run.json`` fails here, not at the first record. One difference, by design: a
    match whose last attempt is an unreadable line (its id still legible) is left out and reported, where
    ``read_run`` falls back to its earlier attempt; knowing that would take a second pass.
    """
    header = read_header(directory)
    size, offsets, _ = kept_lines(directory)
    return header, _records(directory, size, offsets, on_problem)


def _open_log(path: Path) -> BinaryIO | None:
    """The log opened for reading, None when there is none yet; any other failure is one RunlogError."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RunlogError(f"{path}: cannot read: {exc.strerror}") from exc


def _records(directory: Path, size: int, kept: array,
             on_problem: Callable[[str], None] | None) -> Iterator[dict[str, Any]]:
    path = directory / MATCHES_FILE
    bad: list[tuple[int, str]] = []
    superseded: set[tuple[str, int]] = set()  # (match id, attempt) of the readable lines not kept: retries
    twice = 0
    fh = _open_log(path)
    if fh is None:
        return
    with fh:
        offset = at = 0
        for number, line in enumerate(fh, start=1):
            start, offset = offset, offset + len(line)
            if offset > size or not line.endswith(b"\n"):
                break  # torn, or written after the index was read: not in this reading of the log
            if not line[:-1].strip():
                continue
            while at < len(kept) and kept[at] < start:
                at += 1
            record, why = parse_line(line[:-1])
            if record is None:
                bad.append((number, why))
                continue
            # the same attempt logged twice (two writers): every copy but one counts in ``twice``; an earlier
            # copy always comes before the kept line (on a tie the later line is kept)
            again = (str(record["match_id"]), int(record.get("attempt", 1)))
            twice += again in superseded
            if at < len(kept) and kept[at] == start:
                yield record
            else:  # an earlier attempt, or an earlier copy of the kept one
                superseded.add(again)
    report = on_problem or (lambda message: warnings.warn(message, RunlogWarning, stacklevel=3))
    for message in problems_of(path, bad, twice):
        report(message)
