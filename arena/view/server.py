"""``arena view``'s web server: the standard library's, on 127.0.0.1 only, serving pages made per request.

Why a server rather than one generated HTML file: a run of 100,000 matches does not fit one page, and a
server reads a page of matches, or one match, from the log's offset index when it is asked for (see
:mod:`arena.view.runs`), and sees a live run grow. It listens on the loopback interface alone (the pages
hold whatever the models said and the players' prompts), sends no script and forbids any, and needs no
network: no CDN, no fonts, the plots are inline PNGs.

Routes: ``/`` every run (or, when the root is one run, that run); ``/run/<run>`` one run, filtered by
``?arm=&agent=&scenario=&outcome=&page=``; ``/run/<run>/analysis`` a large run's analysis;
``/run/<run>/match/<match id>`` one match; ``/run/<run>/plot/<key>`` one plot of the analysis (PNG).
Anything else is a 404 page saying what was not found.
"""

from __future__ import annotations

import sys
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from arena.errors import ArenaError, RunlogError, one_line
from arena.view.html import CSP, url
from arena.view.listing import PAGE_SIZE, Filters
from arena.view.match_page import match_page
from arena.view.pages import analysis_page, error_page, run_page, runs_page
from arena.view.runs import Catalog

HOST = "127.0.0.1"

__all__ = ["HOST", "ViewServer", "make_server"]


class ViewServer(ThreadingHTTPServer):
    """The HTTP server, holding the catalog of runs and the analysis' settings for its handlers."""

    daemon_threads = True

    def __init__(self, catalog: Catalog, port: int, *, n_boot: int) -> None:
        self.catalog, self.n_boot = catalog, n_boot
        super().__init__((HOST, port), _Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    server: ViewServer
    server_version = "arena-view"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        try:
            status, body = self._route()
        except RunlogError as exc:
            status, body = HTTPStatus.NOT_FOUND, error_page(404, exc.one_line())
        except ArenaError as exc:
            status, body = HTTPStatus.INTERNAL_SERVER_ERROR, error_page(500, exc.one_line())
        except Exception as exc:  # a bug: the page says so in one line, the terminal gets the traceback
            traceback.print_exc(file=sys.stderr)
            status, body = HTTPStatus.INTERNAL_SERVER_ERROR, error_page(500, f"{type(exc).__name__}: "
                                                                            f"{one_line(str(exc))}")
        if status == HTTPStatus.FOUND:
            self.send_response(status)
            self.send_header("Location", str(body))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "image/png" if isinstance(body, bytes) else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")  # a live run changes under the same address
        self.end_headers()
        self.wfile.write(data)

    def _route(self) -> tuple[HTTPStatus, str | bytes]:
        """(status, page) for the request: HTML, PNG bytes (a plot) or, for a redirect, the new location."""
        split = urlsplit(self.path)
        parts = [unquote(p) for p in split.path.split("/") if p]
        catalog, n_boot = self.server.catalog, self.server.n_boot
        if not parts:
            if catalog.single():
                return HTTPStatus.FOUND, url("run", catalog.names()[0])
            return HTTPStatus.OK, runs_page(str(catalog.root), catalog.summaries())
        if parts == ["favicon.ico"]:
            return HTTPStatus.NO_CONTENT, ""
        if parts[0] != "run" or len(parts) < 2:
            return HTTPStatus.NOT_FOUND, error_page(404, f"no page {split.path}")
        run = catalog.run(parts[1])
        if len(parts) == 2:
            return HTTPStatus.OK, run_page(run, Filters.from_query(parse_qs(split.query)), n_boot=n_boot)
        if len(parts) == 4 and parts[2] == "plot":
            return HTTPStatus.OK, run.plot(parts[3], n_boot=n_boot)
        if parts[2:] == ["analysis"]:
            return HTTPStatus.OK, analysis_page(run, n_boot=n_boot)
        if len(parts) >= 4 and parts[2] == "match":
            match_id = "/".join(parts[3:])
            record = run.record(match_id) if match_id in run.index().entries else None
            if record is None:
                raise RunlogError(f"{run.name}: no match {match_id!r}")
            return HTTPStatus.OK, match_page(run.name, run.header(), record)
        return HTTPStatus.NOT_FOUND, error_page(404, f"no page {split.path}")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        """Quiet: a page view is not news (errors still print their traceback)."""


def make_server(root: Path, port: int = 0, *, page_size: int = PAGE_SIZE, n_boot: int = 2000) -> ViewServer:
    """A server for the runs under ``root`` on 127.0.0.1:``port`` (0: a free port); call ``serve_forever``.

    A root that is neither a run nor a directory is a :class:`RunlogError`; a port that cannot be had
    (taken, privileged) an :class:`ArenaError` saying which.
    """
    catalog = Catalog(Path(root), page_size=page_size)
    catalog.names()  # a missing directory fails here, in one line, not on the first page
    try:
        return ViewServer(catalog, port, n_boot=n_boot)
    except OSError as exc:
        raise ArenaError(f"{HOST}:{port}: cannot listen: {exc.strerror or exc} (choose another --port, or 0 "
                         "for a free one)") from exc
