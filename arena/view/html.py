"""The frame every page of the browser view shares: escaping, the page shell with its style, tables.

Everything from a log or a config (names, utterances, advice, memory) is data, never markup: it is
HTML-escaped with its control characters made visible (:func:`arena.replay.visible`). Pages carry no
script at all, and the server forbids any (``Content-Security-Policy``), so a model's ``<script>`` in a
transcript stays text even if an escape were missed. The style is the report's, plus the view's own.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from arena.analysis.report import CSS as REPORT_CSS
from arena.replay import visible

CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"
TEXT_LIMIT = 20000  # characters of one utterance or memory shown; the rest is counted, not shown

CSS = REPORT_CSS + """
nav{font-size:.9rem;margin-bottom:1rem} nav a{color:#036}
a{color:#036} form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0}
form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:#444}
form.filters select{font-size:.9rem;padding:.15rem} button{font-size:.9rem;padding:.2rem .8rem}
.pager{margin:.5rem 0;display:flex;gap:1rem;align-items:center} .muted{color:#888}
.turn{border-left:4px solid #ccc;padding:.3rem .6rem;margin:.6rem 0;background:#fafafa}
.turn .head{font-size:.85rem;color:#444;margin-bottom:.2rem} .turn .who{font-weight:600;color:#222}
.actions{color:#555;font-style:italic} .turn pre{display:block;white-space:pre-wrap;font-size:.95rem}
.r0{border-left-color:#2a7ab0} .r1{border-left-color:#b0467a} .r2{border-left-color:#3a9a4a}
.r3{border-left-color:#a07a20}
.feedback{background:#fff8dc;border:1px solid #e8d690;padding:.3rem .6rem;margin:.3rem 0 .3rem 1.5rem}
.feedback ul{margin:.2rem 0 .2rem 1.2rem;padding:0} .feedback table{font-size:.8rem}
pre.memory{display:block;white-space:pre-wrap;background:#f4f6f8;border:1px solid #dde;padding:.4rem .6rem}
.error{color:#a00} details{margin:.2rem 0} summary{cursor:pointer;color:#555;font-size:.85rem}
body{max-width:84rem;padding:0 1.5rem} td.err{color:#a00} .wide{overflow-x:auto}
"""

__all__ = ["CSP", "CSS", "esc", "link", "page", "table", "text_block", "url"]


def esc(value: Any) -> str:
    """A value as inert HTML text: control characters shown as escapes, markup escaped."""
    return html.escape(visible(str(value), limit=TEXT_LIMIT), quote=True)


def url(*parts: str, query: str = "") -> str:
    """An absolute path from segments, each quoted whole (a match id's dots and slashes stay in it)."""
    return "/" + "/".join(quote(str(p), safe="") for p in parts) + query


def link(href: str, text: Any, **attrs: str) -> str:
    extra = "".join(f' {k.rstrip("_")}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
    return f'<a href="{html.escape(href, quote=True)}"{extra}>{esc(text)}</a>'


def text_block(text: Any, css: str = "") -> str:
    """An utterance or memory as preformatted text (escaped; cut past :data:`TEXT_LIMIT` characters)."""
    return f'<pre class="{css}">{esc(text)}</pre>' if css else f"<pre>{esc(text)}</pre>"


def table(head: Sequence[str], rows: Iterable[Sequence[str | tuple[str, str]]], *, table_id: str = "") -> str:
    """A table whose ``head`` is plain text and whose cells are HTML already (built with :func:`esc`), or
    (HTML, css class) pairs."""
    ident = f' id="{table_id}"' if table_id else ""
    out = [f"<table{ident}><thead><tr>", *(f"<th>{esc(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        cells = [f'<td class="{c[1]}">{c[0]}</td>' if isinstance(c, tuple) else f"<td>{c}</td>" for c in row]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def page(title: str, body: Iterable[str], crumbs: Sequence[tuple[str, str]] = ()) -> str:
    """A whole page: ``crumbs`` (text, href; the last is the current page, unlinked) above ``body``."""
    trail = [link(href, text) for text, href in crumbs[:-1]] + [esc(crumbs[-1][0])] if crumbs else []
    nav = f"<nav>{' / '.join(trail)}</nav>" if trail else ""
    return "\n".join(["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      '<link rel="icon" href="data:,">',
                      f"<title>{esc(title)}</title><style>{CSS}</style></head><body>", nav, *body,
                      "</body></html>"]) + "\n"
