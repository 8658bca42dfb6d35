"""Fixtures of the browser view's tests: two scripted runs in one logs directory, made once per session,
and a view server on a free port of 127.0.0.1 serving them.

- ``fb``: negotiation self-play, sellers coachable-seller and tough-seller against fair-buyer, arms none and
  ai (the scripted critic advises the seller after each round), 2 repeats of 3 rounds: 2 x 2 x 2 x 3 = 24
  matches. The coachable seller deals at $15 every round without advice and holds out (no deal) once
  advised, the tough seller never deals: 6 deals in ``none``, 2 in ``ai`` (round 1, before any advice).
- ``dm``: DEAR MAN practice (scenarios/dearman/practice.yaml): the scripted coach rates the learner after
  each of its turns (arm jit) or after each round (arm after_round), or not at all (144 matches).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from arena_cli import run_cli

from arena.view import ViewServer, make_server

ROOT = Path(__file__).resolve().parents[2]
FEEDBACK_RUN = f"""\
schema_version: 1
kind: tournament
name: view-demo
format: self_play
scenarios: [{ROOT}/scenarios/negotiation/balloon.yaml]
players:
  seller: [{ROOT}/agents/coachable-seller.yaml, {ROOT}/agents/tough-seller.yaml]
  buyer: [{ROOT}/agents/fair-buyer.yaml]
rounds: 3
repeats: 2
seed: 5
feedback: {{advise: [seller], when: after_round, critic: {ROOT}/agents/scripted-critic.yaml, arms: [none, ai],
           suggestions: 2}}
"""


@pytest.fixture(scope="session")
def view_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A logs directory with the runs ``fb`` and ``dm`` (see the module docstring)."""
    logs = tmp_path_factory.mktemp("view-logs")
    tournament = logs.parent / "view-demo.yaml"
    tournament.write_text(FEEDBACK_RUN)
    for path, run_id in ((tournament, "fb"), (ROOT / "scenarios" / "dearman" / "practice.yaml", "dm")):
        assert run_cli("run", str(path), "--local", "--quiet", "--logs-dir", str(logs), "--run-id", run_id) == 0
    return logs


@pytest.fixture(scope="module")
def view_server(view_logs: Path) -> Iterator[ViewServer]:
    """``arena view`` of ``view_logs`` on a free port (200 bootstrap resamples: the figures are not the test)."""
    server = make_server(view_logs, 0, n_boot=200)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
