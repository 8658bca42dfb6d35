"""Run the ``arena`` command in-process, the way a user types it, and return its exit code."""

from __future__ import annotations

from arena.cli.app import main


def run_cli(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
