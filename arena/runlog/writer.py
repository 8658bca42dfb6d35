"""Writing a run directory: one driver at a time (``run.lock``), ``run.json`` replaced atomically, one
fsync'd and validated line per finished match."""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from arena.errors import RunlogError
from arena.runlog.files import (
    LOCK_FILE,
    MATCHES_FILE,
    RUN_FILE,
    TORN_FILE,
    LoadedMatches,
    dumps_line,
    package_versions,
    read_header,
    read_matches,
    utc_now,
)
from arena.runlog.schema import ARENA_VERSION, SCHEMA_VERSION, MatchRecord, RunHeader, first_error


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
    def create(cls, root: Path, run_id: str, config: dict[str, Any], *, seed: int, argv: list[str],
               seed_rule: int = 1, parent: dict[str, Any] | None = None) -> RunLog:
        """Make ``root/run_id``; an existing directory is refused (logs are never overwritten). ``seed_rule``
        (which rule derived the series' seeds) and ``parent`` (a rerun's or fork's origin) go into the
        header's first write, so a run killed at once still resumes with its own seeds."""
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
            "seed_rule": seed_rule,
            "segments": [segment],
            "config": config,
        }
        if parent is not None:
            header["parent"] = parent
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
