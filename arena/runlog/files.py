"""The run directory's files and how they are read: ``run.json`` and ``matches.jsonl`` into the typed
version-2 shape (version-1 records upgraded on the way), bad lines reported and skipped."""

from __future__ import annotations

import datetime as dt
import json
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
from arena.runlog.schema import SCHEMA_VERSION, first_error, no_constants, parse_header, parse_match

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
        record, why = parse_line(raw)
        if record is None:
            out.bad_lines.append((number, why))
            continue
        out.records.append(record)
    return out


def parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """One log line as a version-2 match record, or None and why it is not one (every reader's words)."""
    try:
        value = json.loads(raw, parse_constant=no_constants)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, NaN, absurd nesting
        return None, "not JSON"
    try:
        return parse_match(value), ""
    except ValidationError as exc:
        return None, f"not a match record ({first_error(exc)})"
    except ValueError as exc:  # a newer schema_version
        return None, str(exc)


def problems_of(path: Path, bad_lines: list[tuple[int, str]], twice: int) -> list[str]:
    """What a reader says about a log's skipped lines: at most one line for the unreadable, one for repeats."""
    out = []
    if bad_lines:
        shown = ", ".join(f"{n} ({why})" for n, why in bad_lines[:3])
        more = f" and {len(bad_lines) - 3} more" if len(bad_lines) > 3 else ""
        out.append(f"{path}: skipped {len(bad_lines)} unreadable line(s): {shown}{more}")
    if twice:
        out.append(f"{path}: {twice} line(s) repeat a match already logged (two writers?); each match counts once")
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
    for message in problems_of(directory / MATCHES_FILE, loaded.bad_lines, loaded.twice_logged()):
        report(message)
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
