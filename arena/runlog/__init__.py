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

Records are typed (:mod:`arena.runlog.schema`, ``schema_version`` 2): the writer validates each before
writing it, so a bug in a game's fields is one clear error, never a corrupt log. Readers go through
:func:`read_run`: version-1 lines (Arena before the game plug-in) are upgraded to the version-2 shape in
memory, a line that is not a match record (bad JSON, or JSON of the wrong shape) is reported and skipped,
and a match logged more than once (a retried ``error``) counts once, by its last attempt. A resumed
version-1 run gets version-2 lines after its version-1 ones (each line names its version) and a
version-2 ``run.json``; readers see one shape either way.
"""

from arena.runlog.files import (
    MATCHES_FILE,
    RUN_FILE,
    TORN_FILE,
    LoadedMatches,
    RunlogWarning,
    dumps_line,
    package_versions,
    read_header,
    read_matches,
    read_run,
    utc_now,
    version_changes,
)
from arena.runlog.schema import (
    ARENA_VERSION,
    SCHEMA_VERSION,
    MatchRecord,
    RunHeader,
    TurnRecord,
    first_error,
    parse_header,
    parse_match,
    turn_record,
    upgrade_match,
)
from arena.runlog.writer import RunLog

__all__ = [
    "ARENA_VERSION", "MATCHES_FILE", "RUN_FILE", "SCHEMA_VERSION", "TORN_FILE", "LoadedMatches", "MatchRecord",
    "RunHeader", "RunLog", "RunlogWarning", "TurnRecord", "dumps_line", "first_error", "package_versions",
    "parse_header", "parse_match", "read_header", "read_matches", "read_run", "turn_record", "upgrade_match",
    "utc_now", "version_changes",
]
