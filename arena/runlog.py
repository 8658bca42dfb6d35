"""The run's append-only log: ``logs/<run-id>/run.json`` and ``matches.jsonl``.

Only the driver writes here. ``run.json`` holds the resolved configuration (everything needed to resume
without the original YAML), versions and status; it is rewritten atomically (temp file + rename).
``matches.jsonl`` gets one whole JSON line per finished match, flushed and fsync'd before the match
counts as done, so a crash loses at most the match in flight. A torn last line (a kill mid-write) is
moved aside to ``matches.jsonl.torn`` on resume, reported, and never counted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from arena import __version__
from arena.errors import RunlogError

SCHEMA_VERSION = 1
RUN_FILE = "run.json"
MATCHES_FILE = "matches.jsonl"
TORN_FILE = "matches.jsonl.torn"
_PACKAGES = ("ray", "pettingzoo", "gymnasium", "pydantic", "openai", "anthropic", "llama-cpp-python")


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


@dataclass
class LoadedMatches:
    records: list[dict[str, Any]] = field(default_factory=list)
    torn: bytes = b""
    bad_lines: list[int] = field(default_factory=list)


def read_matches(path: Path) -> LoadedMatches:
    """Parse matches.jsonl; a last line without its newline is torn, other unparsable lines are reported."""
    out = LoadedMatches()
    if not path.exists():
        return out
    data = path.read_bytes()
    body, sep, tail = data.rpartition(b"\n")
    if not sep:
        body, tail = b"", data
    out.torn = tail
    for number, raw in enumerate(body.split(b"\n") if body else [], start=1):
        if not raw.strip():
            continue
        try:
            out.records.append(json.loads(raw))
        except (json.JSONDecodeError, UnicodeDecodeError):
            out.bad_lines.append(number)
    return out


class RunLog:
    """A run directory opened for appending by the driver."""

    def __init__(self, directory: Path, header: dict[str, Any]) -> None:
        self.dir = directory
        self.header = header
        self._fh = open(directory / MATCHES_FILE, "ab")  # noqa: SIM115 - kept open for the run

    # -- creation and resume

    @classmethod
    def create(cls, root: Path, run_id: str, config: dict[str, Any], *, seed: int, argv: list[str]) -> RunLog:
        """Make ``root/run_id``; an existing directory is refused (logs are never overwritten)."""
        directory = root / run_id
        if directory.exists():
            raise RunlogError(f"{directory}: run directory exists; resume it with --resume {directory}")
        try:
            directory.mkdir(parents=True)
        except OSError as exc:
            raise RunlogError(f"{directory}: cannot create run directory: {exc.strerror}") from exc
        header = {
            "schema_version": SCHEMA_VERSION,
            "kind": "run",
            "run_id": run_id,
            "created_at": utc_now(),
            "status": "running",
            "seed": seed,
            "argv": argv,
            "versions": package_versions(),
            "config": config,
        }
        _write_json_atomic(directory / RUN_FILE, header)
        return cls(directory, header)

    @classmethod
    def resume(cls, directory: Path) -> tuple[RunLog, LoadedMatches]:
        """Open an existing run for appending; the torn tail (if any) is moved aside first."""
        header = read_header(directory)
        loaded = read_matches(directory / MATCHES_FILE)
        if loaded.torn:
            with open(directory / TORN_FILE, "ab") as fh:
                fh.write(loaded.torn + b"\n")
            path = directory / MATCHES_FILE
            size = path.stat().st_size - len(loaded.torn)
            with open(path, "r+b") as fh:
                fh.truncate(size)
                fh.flush()
                os.fsync(fh.fileno())
        header["status"] = "running"
        header.setdefault("resumed_at", []).append(utc_now())
        _write_json_atomic(directory / RUN_FILE, header)
        return cls(directory, header), loaded

    # -- writing

    def append(self, record: dict[str, Any]) -> None:
        """Write one finished match as a whole line and make it durable before returning."""
        self._fh.write(dumps_line(record).encode("ascii"))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def finish(self, status: str, summary: dict[str, Any] | None = None) -> None:
        self.header["status"] = status
        self.header["finished_at"] = utc_now()
        if summary is not None:
            self.header["summary"] = summary
        _write_json_atomic(self.dir / RUN_FILE, self.header)
        self.close()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def read_header(directory: Path) -> dict[str, Any]:
    path = directory / RUN_FILE
    if not directory.is_dir():
        raise RunlogError(f"{directory}: no such run directory")
    if not path.exists():
        raise RunlogError(f"{path}: missing; not an Arena run directory")
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunlogError(f"{path}: not valid JSON ({exc})") from exc
    if header.get("schema_version") != SCHEMA_VERSION or header.get("kind") != "run":
        raise RunlogError(f"{path}: not an Arena run header (schema_version {SCHEMA_VERSION})")
    return header


def read_run(directory: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Header and finished match records of a run, for replay, leaderboard and report."""
    header = read_header(directory)
    return header, read_matches(directory / MATCHES_FILE).records


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
