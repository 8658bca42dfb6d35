"""The driver on the cluster: ``ray job submit --working-dir . -- arena run ...`` against a ``ray start --head``
cluster with its dashboard (the job server lives there), as README.md's "Clusters" says.

The test starts its own head on 127.0.0.1 (free ports for everything Ray would otherwise put on a fixed one,
its own --temp-dir and HOME with the token, see tests/ray_head.py) and stops only the processes it started.
All of it is local: the dashboard, the working-dir upload and the job's driver need no network beyond
127.0.0.1 and the machine's own address.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ray_head import free_port, head_env, make_home, start_head, stop

ROOT = Path(__file__).resolve().parents[2]
MATCHES = 9  # one repeat of 3 sellers x 3 buyers


@dataclass
class Head:
    base: Path
    home: Path
    dashboard: str  # http://127.0.0.1:<port>, what `ray job submit --address` takes
    checkout: Path  # the working dir a user submits from: a copy of this checkout's arena/, agents/, scenarios/


@pytest.fixture(scope="module")
def head() -> Iterator[Head]:
    if importlib.util.find_spec("aiohttp") is None:  # the dashboard's server; Ray without it starts no dashboard
        pytest.fail("ray job submit needs the dashboard, which needs ray[default]: pip install -e '.[dev]'")
    base = Path(tempfile.mkdtemp(prefix="arena-job-", dir="/tmp"))  # short: Ray's socket paths have a limit
    home, _token = make_home(base)
    checkout = base / "checkout"
    for part in ("arena", "agents", "scenarios"):
        shutil.copytree(ROOT / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__"))
    tournament = (checkout / "scenarios" / "negotiation" / "balloon-scripted.yaml").read_text()
    (checkout / "scenarios" / "negotiation" / "job.yaml").write_text(tournament.replace("repeats: 4", "repeats: 1"))
    dashboard = free_port()
    ports = ["--port", str(free_port()), "--include-dashboard", "true", "--dashboard-host", "127.0.0.1",
             "--dashboard-port", str(dashboard), "--dashboard-agent-listen-port", str(free_port()),
             "--ray-client-server-port", str(free_port())]
    try:
        process = start_head(base, head_env(home), *ports)
    except RuntimeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(str(exc))
    try:
        yield Head(base, home, f"http://127.0.0.1:{dashboard}", checkout)
    finally:
        stop(process, base)
        shutil.rmtree(base, ignore_errors=True)


def submit(head: Head, *entrypoint: str) -> subprocess.CompletedProcess[str]:
    """``ray job submit`` from the checkout, in a shell that has the cluster's token and RAY_AUTH_MODE=token
    (Ray's own CLI needs both on a token-authenticated cluster), waiting for the job's end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH") and k != "RAY_ADDRESS"}
    return subprocess.run(
        [sys.executable, "-m", "ray.scripts.scripts", "job", "submit", "--address", head.dashboard,
         "--working-dir", ".", "--", *entrypoint],
        cwd=head.checkout, env={**env, "HOME": str(head.home), "RAY_AUTH_MODE": "token"},
        capture_output=True, text=True, timeout=300,
    )


def test_the_job_driver_imports_the_arena_of_its_working_dir(head: Head) -> None:
    done = submit(head, "python", "-c", "import arena; print('arena from', arena.__file__)")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    where = next(line for line in done.stdout.splitlines() if line.startswith("arena from "))
    assert "/runtime_resources/working_dir_files/" in where and where.endswith("/arena/__init__.py")


def test_arena_run_as_a_job_logs_every_match_where_the_driver_was_told(head: Head) -> None:
    logs = head.base / "logs"
    done = submit(head, "arena", "run", "scenarios/negotiation/job.yaml", "--quiet", "--logs-dir", str(logs),
                  "--run-id", "job")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Job 'raysubmit_" in done.stderr + done.stdout and "succeeded" in done.stderr + done.stdout
    assert f"{MATCHES} matches played" in done.stdout and "Cross-play: seller (rows) x buyer (columns)" in done.stdout
    records = [json.loads(line) for line in (logs / "job" / "matches.jsonl").read_text().splitlines()]
    assert len(records) == MATCHES and {r["status"] for r in records} == {"ok"}
    assert len({r["match_id"] for r in records}) == MATCHES
    header = json.loads((logs / "job" / "run.json").read_text())
    assert header["status"] == "finished"
    assert header["segments"][0]["argv"][:2] == ["run", "scenarios/negotiation/job.yaml"]
    assert not (head.checkout / "logs").exists()  # nothing written beside the submitted checkout
    # the players ran on this cluster (the job's driver joined it through RAY_ADDRESS, not a Ray of its own)
    listed = subprocess.run(
        [sys.executable, "-m", "ray.scripts.scripts", "list", "actors", "--address", head.dashboard, "--format",
         "json", "--filter", "class_name=ScriptedPlayerActor"],
        env={**os.environ, "HOME": str(head.home), "RAY_AUTH_MODE": "token"}, capture_output=True, text=True,
        timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert len(json.loads(listed.stdout)) == 6  # one per card: 3 sellers, 3 buyers
