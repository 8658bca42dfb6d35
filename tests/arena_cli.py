"""Run the ``arena`` command in-process, the way a user types it, and return its exit code."""

from __future__ import annotations

from typing import Any

from arena.cli.app import main


def run_cli(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def run_captured(capsys: Any, *args: str) -> tuple[object, str, str]:
    """(exit code as the command left it, stdout, stderr) of one command, through pytest's ``capsys``."""
    capsys.readouterr()
    try:
        main(list(args))
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
