"""``arena view``: serve the runs under a directory to a browser on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import typer

from arena.cli.app import console, out
from arena.view import make_server


def register(app: typer.Typer) -> None:
    app.command("view")(view)


def view(
    path: Path = typer.Argument(..., help="A directory of runs (logs/) or one run (logs/<run-id>)."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port on 127.0.0.1 (default 0: a free one)."),
    page_size: int = typer.Option(50, "--page-size", min=1, help="Matches per page of a run's list."),
    n_boot: int = typer.Option(2000, "--n-boot", min=1, help="Bootstrap resamples per interval of the analysis."),
) -> None:
    """Browse runs in a web browser: runs, their matches (filtered, paged), one match, the analysis."""
    server = make_server(path, port, page_size=page_size, n_boot=n_boot)
    out.print(server.url, markup=False, highlight=False)  # the result: where to point the browser
    console.print(f"serving {path} on {server.url} (127.0.0.1 only); Ctrl-C stops", markup=False)
    try:
        server.serve_forever()
    finally:
        server.server_close()
