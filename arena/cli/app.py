"""The Typer app and the one place where errors become exit codes.

A command's result (a table, a transcript, validation results, ``--json``) goes to stdout through ``out``,
so it pipes and pages; progress, warnings and errors go to stderr through ``console``. Arena errors print
as ONE line on stderr and exit non-zero (2 for bad input); Ctrl-C exits 130 and says how to resume;
``--debug`` (or ARENA_DEBUG=1) shows the traceback instead. Warnings (a plotting library's included) are
one escaped line each: their text can quote names and replies from a log.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TextIO

import typer
from rich.console import Console

from arena.errors import ArenaError, one_line

console = Console(stderr=True, highlight=False, soft_wrap=True)  # progress, warnings, errors
out = Console(highlight=False, soft_wrap=True)  # results: tables, transcripts, validation verdicts
app = typer.Typer(
    name="arena",
    help="Multi-agent self-play arena for language models: run tournaments, replay logs, rank agents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
_state: dict[str, bool] = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    _state["debug"] = debug or os.environ.get("ARENA_DEBUG") == "1"


def _register() -> None:
    if _state.get("registered"):
        return
    _state["registered"] = True
    from arena import registry
    from arena.cli import (
        export,
        fork,
        leaderboard,
        new,
        play,
        replay,
        report,
        rerun,
        run,
        schema,
        serve,
        validate,
        view,
    )

    for module in (run, play, replay, leaderboard, report, validate, schema, new, rerun, export, fork, view, serve):
        module.register(app)
    for name in registry.known():  # each game's own commands, from its folder
        spec = registry.game(name)
        if spec.cli is not None:
            spec.cli(app)


def _click_exceptions() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(Abort, ClickException) classes of click and of Typer's own copy (``typer.exceptions``, ``typer._click``).

    Typer raises its own copy's exceptions, which are not subclasses of click's: checking click's alone
    turned a mistyped option into "internal error" with exit 1 instead of click's usage message and exit 2.
    """
    import importlib

    aborts: list[type[BaseException]] = []
    errors: list[type[BaseException]] = []
    for name in ("click.exceptions", "typer.exceptions", "typer._click.exceptions"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        aborts += [module.Abort] if hasattr(module, "Abort") else []
        errors += [module.ClickException] if hasattr(module, "ClickException") else []
    return tuple(aborts), tuple(errors)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as ``warning: <text>`` on stderr, on one line with control characters escaped."""
    console.print(f"warning: {one_line(str(message))}", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or os.environ.get("ARENA_DEBUG") == "1"
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        _run(argv, debug)


def _run(argv: list[str] | None, debug: bool) -> None:
    try:
        rc = app(args=argv, standalone_mode=False)
    except ArenaError as exc:
        if debug:
            raise
        console.print(exc.one_line(), markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console.print("interrupted", markup=False)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors and anything unexpected
        abort, click_error = _click_exceptions()
        if isinstance(exc, abort):
            sys.exit(130)
        if isinstance(exc, click_error):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        console.print(f"internal error: {type(exc).__name__}: {one_line(str(exc))} (rerun with --debug for the "
                      "traceback)", markup=False)
        sys.exit(1)
    if isinstance(rc, int) and rc:
        sys.exit(rc)
