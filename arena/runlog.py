"""The run's append-only log: ``logs/<run-id>/run.json`` and ``matches.jsonl``.

Only the driver writes here, and only one driver at a time: ``run.lock`` is held (``flock``) for the
writer's whole life, so a second ``arena run --resume`` on a live run refuses instead of interleaving
lines. ``run.json`` holds the resolved configuration (everything needed to resume without the original
YAML), status, and one *segment* per start or resume (when, with which package versions, with which
arguments); it is rewritten atomically (temp file + fsync + rename). ``matches.jsonl`` gets one whole JSON
line per finished match, written and fsync'd before the match counts as done, so a crash loses at most
the matches in flight; a write that fails (a full disk) is cut back off the file, so the log stays whole.
A torn last line (a kill mid-write) is moved aside to ``matches.jsonl.torn`` on resume, reported, and
never counted.

Records are typed (:mod:`arena.runlog_schema`, ``schema_version`` 2): the writer validates each before
writing it, so a bug in a game's fields is one clear error, never a corrupt log. Readers go through
:func:`read_run`: version-1 lines (Arena before the game plug-in) are upgraded to the version-2 shape in
memory, a line that is not a match record (bad JSON, or JSON of the wrong shape) is reported and skipped,
and a match logged more than once (a retried ``error``) counts once, by its last attempt. A resumed
version-1 run gets version-2 lines after its version-1 ones (each line names its version) and a
version-2 ``run.json``; readers see one shape either way.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import platform
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from arena import __version__
from arena.errors import RunlogError
from arena.runlog_schema import (
    ARENA_VERSION,
    SCHEMA_VERSION,
    MatchRecord,
    RunHeader,
    first_error,
    no_constants,
    parse_header,
    parse_match,
    turn_record,
)

__all__ = [
    "ARENA_VERSION", "MATCHES_FILE", "RUN_FILE", "SCHEMA_VERSION", "TORN_FILE", "LoadedMatches", "RunLog",
    "RunlogWarning", "dumps_line", "package_versions", "read_header", "read_matches", "read_run", "turn_record",
    "utc_now", "version_changes",
]
RUN_FILE = "run.json"
MATCHES_FILE = "matches.jsonl"
TORN_FILE = "matches.jsonl.torn"
LOCK_FILE = "run.lock"
_PACKAGES = ("ray", "pettingzoo", "gymnasium", "pydantic", "openai", "anthropic", "llama-cpp-python")


class RunlogWarning(UserWarning):
    """Something a reader of a run skipped over (bad lines, a match logged twice by two writers)."""


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def package_versions() -> dict[str, str]:
    out = {"arena": __version__, "python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def dumps_line(record: dict[str, Any]) -> str:
    """One JSON line. ASCII-escaped so any model output (control chars, lone surrogates) stays valid."""
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"), allow_nan=False) + "\n"


# ---------------------------------------------------------------- reading


@dataclass
class LoadedMatches:
    """Every readable match line in log order, plus what could not be read."""

    records: list[dict[str, Any]] = field(default_factory=list)
    torn: bytes = b""
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)

    def latest(self) -> list[dict[str, Any]]:
        """One record per match id, its last attempt (on a tie, the later line), in log order."""
        best: dict[str, tuple[int, int]] = {}
        for index, rec in enumerate(self.records):
            key = (rec.get("attempt", 1), index)
            if rec["match_id"] not in best or key >= best[rec["match_id"]]:
                best[rec["match_id"]] = key
        keep = sorted(index for _attempt, index in best.values())
        return [self.records[i] for i in keep]

    def twice_logged(self) -> int:
        """Lines superseded by a later line of the same match and attempt: two writers, not a retry."""
        seen = {(r["match_id"], r.get("attempt", 1)) for r in self.records}
        return len(self.records) - len(seen)


def read_matches(path: Path) -> LoadedMatches:
    """Parse matches.jsonl; a last line without its newline is torn, other unreadable lines are reported."""
    out = LoadedMatches()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return out
    except OSError as exc:
        raise RunlogError(f"{path}: cannot read: {exc.strerror}") from exc
    body, sep, tail = data.rpartition(b"\n")
    if not sep:
        body, tail = b"", data
    out.torn = tail
    for number, raw in enumerate(body.split(b"\n") if body else [], start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw, parse_constant=no_constants)
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, NaN, absurd nesting
            out.bad_lines.append((number, "not JSON"))
            continue
        try:
            record = parse_match(value)
        except ValidationError as exc:
            out.bad_lines.append((number, f"not a match record ({first_error(exc)})"))
            continue
        except ValueError as exc:  # a newer schema_version
            out.bad_lines.append((number, str(exc)))
            continue
        out.records.append(record)
    return out


def read_header(directory: Path) -> dict[str, Any]:
    """``run.json`` of ``directory``, checked for the shape readers rely on (a version-1 header upgraded to
    version 2); any fault is one line."""
    path = directory / RUN_FILE
    if not directory.is_dir():
        raise RunlogError(f"{directory}: no such run directory")
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise RunlogError(f"{path}: missing; not an Arena run directory") from None
    except OSError as exc:
        raise RunlogError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        header = json.loads(text, parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:
        raise RunlogError(f"{path}: not valid JSON; the run's header is corrupt") from exc
    try:
        return parse_header(header)
    except ValidationError as exc:
        raise RunlogError(
            f"{path}: not an Arena run header (schema_version {SCHEMA_VERSION}): {first_error(exc)}"
        ) from exc
    except ValueError as exc:  # a newer schema_version
        raise RunlogError(f"{path}: {exc}") from exc


def read_run(
    directory: Path, on_problem: Callable[[str], None] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Header and match records of a run, one per match id (its last attempt), for every reader.

    Unreadable lines and lines logged twice are skipped and reported through ``on_problem`` (one line
    each; by default a :class:`RunlogWarning`), so every reader counts the same matches as a resume does.
    """
    header = read_header(directory)
    loaded = read_matches(directory / MATCHES_FILE)
    report = on_problem or (lambda message: warnings.warn(message, RunlogWarning, stacklevel=3))
    path = directory / MATCHES_FILE
    if loaded.bad_lines:
        shown = ", ".join(f"{n} ({why})" for n, why in loaded.bad_lines[:3])
        more = f" and {len(loaded.bad_lines) - 3} more" if len(loaded.bad_lines) > 3 else ""
        report(f"{path}: skipped {len(loaded.bad_lines)} unreadable line(s): {shown}{more}")
    twice = loaded.twice_logged()
    if twice:
        report(f"{path}: {twice} line(s) repeat a match already logged (two writers?); each match counts once")
    return header, loaded.latest()


def version_changes(header: dict[str, Any]) -> list[str]:
    """``name old -> new`` for each package whose version differs from the run's last segment that knew them."""
    segments = header.get("segments") or [{"versions": header.get("versions")}]
    known = [s["versions"] for s in segments if isinstance(s, dict) and isinstance(s.get("versions"), dict)]
    if not known:
        return []
    before = known[-1]
    now = package_versions()
    return [f"{name} {before[name]} -> {now[name]}" for name in now if name in before and before[name] != now[name]]


# ---------------------------------------------------------------- writing


class _Lock:
    """An exclusive ``flock`` on ``run.lock``, held until :meth:`release` (or the process dies)."""

    def __init__(self, directory: Path) -> None:
        path = directory / LOCK_FILE
        try:
            self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RunlogError(f"{path}: cannot open the run's lock: {exc.strerror}") from exc
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.read(self._fd, 32).decode("ascii", "replace").strip()
            self.release()
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunlogError(f"{path}: cannot lock the run: {exc.strerror}") from exc
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise RunlogError(
                f"{directory}: another arena process{who} is writing this run; let it finish or stop it, "
                f"then resume with: arena run --resume {directory}"
            ) from None
        try:  # who holds it, for the refusal above; informational only
            os.ftruncate(self._fd, 0)
            os.write(self._fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _segment(argv: list[str]) -> dict[str, Any]:
    return {"started_at": utc_now(), "versions": package_versions(), "argv": argv}


class RunLog:
    """A run directory opened for appending by the driver, which holds its lock until :meth:`close`."""

    def __init__(self, directory: Path, header: dict[str, Any], lock: _Lock) -> None:
        self.dir = directory
        self.header = header
        self._lock = lock
        path = directory / MATCHES_FILE
        try:
            self._fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            lock.release()
            raise self._write_error(path, exc) from exc
        self._size = os.fstat(self._fd).st_size

    # -- creation and resume

    @classmethod
    def create(cls, root: Path, run_id: str, config: dict[str, Any], *, seed: int, argv: list[str]) -> RunLog:
        """Make ``root/run_id``; an existing directory is refused (logs are never overwritten)."""
        directory = root / run_id
        try:
            root.mkdir(parents=True, exist_ok=True)
            directory.mkdir()
        except FileExistsError:
            raise RunlogError(f"{directory}: run directory exists; resume it with --resume {directory}") from None
        except OSError as exc:
            raise RunlogError(f"{directory}: cannot create run directory: {exc.strerror}") from exc
        lock = _Lock(directory)
        segment = _segment(argv)
        header = {
            "schema_version": SCHEMA_VERSION,
            "kind": "run",
            "arena_version": ARENA_VERSION,
            "run_id": run_id,
            "created_at": segment["started_at"],
            "status": "running",
            "seed": seed,
            "segments": [segment],
            "config": config,
        }
        try:
            _check(RunHeader, header, directory / RUN_FILE)
            _write_json_atomic(directory / RUN_FILE, header)
        except (OSError, RunlogError) as exc:  # nothing was played: leave no half-made run behind
            lock.release()
            (directory / LOCK_FILE).unlink(missing_ok=True)
            try:
                directory.rmdir()
            except OSError:
                pass
            if isinstance(exc, RunlogError):
                raise
            raise RunlogError(f"{directory / RUN_FILE}: cannot write: {exc.strerror}; nothing was run") from exc
        return cls(directory, header, lock)

    @classmethod
    def resume(cls, directory: Path, *, argv: list[str]) -> tuple[RunLog, LoadedMatches]:
        """Lock an existing run, move its torn tail (if any) aside and open it for appending.

        The lock comes first: a live writer's half-written last line is not a torn line.
        """
        read_header(directory)  # a directory that is not a run gets no lock file
        lock = _Lock(directory)
        try:
            header = read_header(directory)
            path = directory / MATCHES_FILE
            loaded = read_matches(path)
            if loaded.torn:
                with open(directory / TORN_FILE, "ab") as fh:
                    fh.write(loaded.torn + b"\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                with open(path, "r+b") as fh:
                    fh.truncate(path.stat().st_size - len(loaded.torn))
                    fh.flush()
                    os.fsync(fh.fileno())
            if "segments" not in header:  # a run from before segments: its first segment from the old fields
                first = {"started_at": header.get("created_at"), "versions": header.get("versions"),
                         "argv": header.get("argv")}
                header["segments"] = [first] + [{"started_at": t} for t in header.get("resumed_at", [])]
            header["segments"].append(_segment(argv))
            header["status"] = "running"
            header["arena_version"] = ARENA_VERSION  # this header's writer (read_header upgraded a v1 one)
            _check(RunHeader, header, directory / RUN_FILE)
            _write_json_atomic(directory / RUN_FILE, header)
            return cls(directory, header, lock), loaded
        except OSError as exc:
            lock.release()
            raise RunlogError(f"{directory}: cannot resume: {exc.strerror}; nothing was played") from exc
        except BaseException:
            lock.release()
            raise

    # -- writing

    def append(self, record: dict[str, Any]) -> None:
        """Write one finished match as a whole line and make it durable before returning.

        A write or fsync that fails (a full disk) cuts the partial line off again and raises one line
        naming the resume command: the match is played again on resume.
        """
        if self._fd is None:
            raise RunlogError(f"{self.dir}: the run log is closed")
        _check(MatchRecord, record, self.dir / MATCHES_FILE)
        line = dumps_line(record).encode("ascii")
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, self._size)
            except OSError:
                pass
            raise self._write_error(self.dir / MATCHES_FILE, exc) from exc
        self._size += len(line)

    def finish(self, status: str, summary: dict[str, Any] | None = None) -> None:
        """Record the final status (and summary) in run.json and release the run."""
        self.header["status"] = status
        self.header["finished_at"] = utc_now()
        if summary is not None:
            self.header["summary"] = summary
        try:
            _write_json_atomic(self.dir / RUN_FILE, self.header)
        except OSError as exc:
            raise self._write_error(self.dir / RUN_FILE, exc) from exc
        finally:
            self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._lock.release()

    def _write_error(self, path: Path, exc: OSError) -> RunlogError:
        why = "no space left on device" if exc.errno == errno.ENOSPC else f"cannot write ({exc.strerror})"
        fix = "free space" if exc.errno == errno.ENOSPC else "fix that"
        return RunlogError(f"{path}: {why}; {fix}, then resume with: arena run --resume {self.dir}")


def _check(model: type[MatchRecord] | type[RunHeader], record: dict[str, Any], path: Path) -> None:
    """Refuse to write a record its model rejects: one line naming the field, and nothing written."""
    try:
        model.model_validate(record)
    except ValidationError as exc:
        what = f"match {record.get('match_id')!r}" if model is MatchRecord else "the run header"
        raise RunlogError(f"{path}: refusing to write {what}, not a valid record ({first_error(exc)}); "
                          "a bug in the game or the runtime, please report it") from exc


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` whole or not at all; a failed write leaves no temp file behind."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
