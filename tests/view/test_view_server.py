"""``arena view`` over HTTP, without a browser: the routes, what a page holds, escaping, errors, the CLI.

The runs are described in conftest.py (``fb``: negotiation with after-round advice, 24 matches; ``dm``: DEAR
MAN with a coach rating each learner turn)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from arena_cli import run_cli

from arena.runlog import read_header
from arena.runlog.stream import find_match
from arena.view import ViewServer, make_server
from arena.view.match_page import match_page

COACHED = "balloon.coachable-seller.fair-buyer.ai.s0"  # its round 1 deals, then the critic's advice holds it out
ADVICE = "Hold your price longer before conceding; the buyer would have paid more."


def get(server: ViewServer, path: str) -> tuple[int, str, dict[str, str], bytes]:
    """(status, final URL, headers, body) of a GET; an error status is returned, not raised."""
    try:
        with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=120) as resp:
            return resp.status, resp.url, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.url, dict(exc.headers), exc.read()


def test_the_root_lists_every_run_and_pages_forbid_scripts(view_server: ViewServer) -> None:
    status, _url, headers, body = get(view_server, "/")
    page = body.decode()
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none': no script runs
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert '<a href="/run/fb">fb</a>' in page and '<a href="/run/dm">dm</a>' in page
    assert "<script" not in page


def test_a_run_page_lists_its_matches_filters_them_and_shows_the_analysis(view_server: ViewServer) -> None:
    page = get(view_server, "/run/fb")[3].decode()
    assert page.count('class="match"') == 24 and "Showing 1-24 of 24 matches." in page
    assert "<h2>Leaderboard</h2>" in page and "Learning curves" in page and "Feedback effect" in page
    filtered = get(view_server, "/run/fb?arm=ai&outcome=deal_rate%3Dyes")[3].decode()
    assert filtered.count('class="match"') == 2 and "Showing 1-2 of 2 matches (filtered from 24)." in filtered
    assert '<option value="ai" selected>ai</option>' in filtered
    assert f'href="/run/fb/match/{COACHED}.r1"' in filtered


def test_the_analysis_plots_are_pngs_drawn_on_request(view_server: ViewServer) -> None:
    page = get(view_server, "/run/fb")[3].decode()
    sources = [part.split('"')[0] for part in page.split('src="')[1:]]
    assert [s.split("?")[0] for s in sources] == ["/run/fb/plot/deal_rate", "/run/fb/plot/mean_price",
                                                  "/run/fb/plot/effect", "/run/fb/plot/tradeoff"]
    status, _url, headers, body = get(view_server, sources[0].replace("&amp;", "&"))
    assert (status, headers["Content-Type"], body[:8]) == (200, "image/png", b"\x89PNG\r\n\x1a\n")
    assert get(view_server, "/run/fb/plot/nope")[0] == 404


def test_a_match_page_shows_the_turns_actions_memory_advice_and_metrics(view_server: ViewServer) -> None:
    first = get(view_server, f"/run/fb/match/{COACHED}.r1")[3].decode()
    assert "This is a good balloon and its price is $20. [OFFER $20]" in first
    assert "offer $20, read as scripted/token" in first  # what the rules read in the turn
    assert "feedback to seller after the round (arm ai, critic scripted-critic)" in first
    assert f'<li class="advice">{ADVICE}</li>' in first
    assert "<td>deals</td><td></td><td class=\"num\">100%</td>" in first and "deal $15" in first
    second = get(view_server, f"/run/fb/match/{COACHED}.r2")[3].decode()
    assert "Memory the players saw" in second and f"- {ADVICE}" in second  # the advice, in the seller's memory
    assert "no deal (max_turns)" in second


def test_a_coachs_ratings_and_rewrite_show_under_the_turn_they_rate(view_server: ViewServer, view_logs: Path) -> None:
    match = "extra-work.dearman-adopting.dearman-partner.jit.s0.r2"
    turn = find_match(view_logs / "dm", match)["transcript"][0]
    page = get(view_server, f"/run/dm/match/{match}")[3].decode()
    assert "feedback to learner after this turn (arm jit, critic dearman-coach)" in page
    assert '<span class="ratings">D2 E2 A1 R2 M- C0 N-</span>' in page  # the game's compact ratings
    assert turn["feedback"]["ratings"] == {"describe": 2, "express": 2, "assert": 1, "reinforce": 2,
                                           "mindful": None, "confident": 0, "negotiate": None}
    assert turn["feedback"]["suggestions"][0][:40] in page
    assert "<td>mastery</td><td>learner</td><td class=\"num\">1.40</td>" in page


def test_model_text_is_shown_as_text_never_as_markup(view_logs: Path) -> None:
    record = find_match(view_logs / "fb", f"{COACHED}.r1")
    record["transcript"][0]["text"] = '<script>alert(1)</script><img src=x onerror="alert(2)">\x1b[31m'
    page = match_page("fb", read_header(view_logs / "fb"), record)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;\\x1b[31m" in page


@pytest.mark.parametrize("path,message", [
    ("/run/fb/match/nope", "fb: no match &#x27;nope&#x27;"),
    ("/run/missing", "no run &#x27;missing&#x27;"),
    ("/elsewhere", "no page /elsewhere"),
])
def test_what_is_not_there_is_a_404_that_says_what(view_server: ViewServer, path: str, message: str) -> None:
    status, _url, _headers, body = get(view_server, path)
    assert status == 404 and message in body.decode()


def test_a_single_run_root_opens_on_that_run(view_logs: Path) -> None:
    server = make_server(view_logs / "fb", 0)
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        status, _url, _headers, body = get(server, "/run/fb?arm=none")
        assert status == 200 and body.decode().count('class="match"') == 12
        with urllib.request.urlopen(server.url, timeout=60) as resp:
            assert resp.url.endswith("/run/fb")
    finally:
        server.shutdown()
        server.server_close()


def test_the_cli_refuses_a_missing_directory_and_a_taken_port(tmp_path: Path, view_logs: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("view", str(tmp_path / "missing")) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'missing'}: no such directory"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_cli("view", str(view_logs), "--port", str(port)) == 1
    assert capsys.readouterr().err.strip() == (f"127.0.0.1:{port}: cannot listen: Address already in use (choose "
                                               "another --port, or 0 for a free one)")


def test_the_cli_prints_its_address_serves_and_stops_on_ctrl_c(view_logs: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "from arena.cli.app import main; main()", "view",
                                str(view_logs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        address = process.stdout.readline().strip()
        assert address.startswith("http://127.0.0.1:") and address.endswith("/")
        with urllib.request.urlopen(address, timeout=60) as resp:
            assert resp.status == 200 and b'href="/run/fb"' in resp.read()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_run_past_the_inline_limit_links_its_analysis_instead(view_server: ViewServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("arena.view.pages.INLINE_ANALYSIS", 20)  # fb has 24 matches
    page = get(view_server, "/run/fb")[3].decode()
    assert "This run has 24 matches: the leaderboard, curves and effects read every one." in page
    assert '<a href="/run/fb/analysis">Compute them</a>' in page and "<h2>Leaderboard</h2>" not in page
    analysis = get(view_server, "/run/fb/analysis")[3].decode()
    assert "<h1>Analysis of fb</h1>" in analysis and "<h2>Leaderboard</h2>" in analysis
