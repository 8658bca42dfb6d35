"""``arena run --address`` against a real ``ray start --head`` cluster with token authentication.

Ray >= 2.59 starts clusters with token authentication, and a driver joining with ``ray.init(address=...)``
has it off unless ``RAY_AUTH_MODE=token`` is exported: the join failed as ``internal error:
ConnectionError``. The test starts its own head on 127.0.0.1 (free ports, its own --temp-dir and HOME, so
the token is the test's and no other Ray on the machine is touched) and stops only the processes it started.
"""

from __future__ import annotations

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
from arena_cli import run_cli as cli
from ray_head import free_port, head_env, make_home, pythonpath, start_head, stop

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"
MATCHES = 9  # one repeat of 3 sellers x 3 buyers


@dataclass
class Cluster:
    base: Path
    home: Path  # holds .ray/auth_token, as `ray start --head` leaves it on the head's machine
    token: str
    port: int
    client_port: int
    tournament: Path


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    base = Path(tempfile.mkdtemp(prefix="arena-ray-", dir="/tmp"))  # short: Ray's socket paths have a limit
    home, token = make_home(base)
    tournament = base / "t.yaml"
    text = BALLOON.read_text().replace("../../agents/", f"{ROOT / 'agents'}/").replace("repeats: 4", "repeats: 1")
    tournament.write_text(text.replace("[balloon.yaml]", f"[{BALLOON.parent / 'balloon.yaml'}]"))
    port, client_port = free_port(), free_port()
    try:
        head = start_head(base, head_env(home), "--port", str(port), "--ray-client-server-port", str(client_port),
                          "--dashboard-port", str(free_port()), "--include-dashboard", "false")
    except RuntimeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(str(exc))
    try:
        yield Cluster(base, home, token, port, client_port, tournament)
    finally:
        stop(head, base)
        shutil.rmtree(base, ignore_errors=True)


def _arena_run(cluster: Cluster, run_id: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``arena run`` in a fresh process whose environment has no RAY_AUTH_MODE, as a user's shell would."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH") and k != "RAY_ADDRESS"}
    return subprocess.run(
        [sys.executable, "-c", "from arena.cli.app import main; main()", "run", str(cluster.tournament),
         "--logs-dir", str(cluster.base / "logs"), "--run-id", run_id, *args],
        env={**base, "HOME": str(cluster.home), "PYTHONPATH": pythonpath(), **env},
        capture_output=True, text=True, timeout=300,
    )


def _max_in_flight(run_dir: Path) -> int:
    spans = [(r["started_at"], r["finished_at"])
             for r in map(json.loads, (run_dir / "matches.jsonl").read_text().splitlines())]
    return max(sum(1 for a, b in spans if a <= start < b) for start, _ in spans)


def test_joins_with_the_default_token_file(cluster: Cluster) -> None:
    done = _arena_run(cluster, "file", "--address", f"127.0.0.1:{cluster.port}", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert (summary["played"], summary["ok"]) == (MATCHES, MATCHES)


def test_joins_with_ray_auth_token(cluster: Cluster, tmp_path: Path) -> None:
    done = _arena_run(cluster, "env", "--address", f"127.0.0.1:{cluster.port}", "--json",
                      HOME=str(tmp_path), RAY_AUTH_TOKEN=cluster.token)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["ok"] == MATCHES


def test_without_a_token_refuses_in_one_line_before_the_run_directory(cluster: Cluster, tmp_path: Path) -> None:
    done = _arena_run(cluster, "none", "--address", f"127.0.0.1:{cluster.port}", HOME=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"cannot join the Ray cluster at 127.0.0.1:{cluster.port}: it requires token authentication and no token "
        "was found; set RAY_AUTH_TOKEN to the cluster's token (print it on the head with `ray get-auth-token`) "
        "or copy it to ~/.ray/auth_token"
    )
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert not (cluster.base / "logs" / "none").exists()


def test_ray_client_address(cluster: Cluster) -> None:
    done = _arena_run(cluster, "client", "--address", f"ray://127.0.0.1:{cluster.client_port}", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["ok"] == MATCHES


def test_concurrency_bounds_the_series_in_flight(cluster: Cluster) -> None:
    address = f"127.0.0.1:{cluster.port}"
    one = _arena_run(cluster, "c1", "--address", address, "--concurrency", "1")
    four = _arena_run(cluster, "c4", "--address", address, "--concurrency", "4")
    assert one.returncode == four.returncode == 0, one.stderr[-2000:] + four.stderr[-2000:]
    assert "1 series in flight" in one.stderr and "4 series in flight" in four.stderr
    assert _max_in_flight(cluster.base / "logs" / "c1") == 1
    assert 1 < _max_in_flight(cluster.base / "logs" / "c4") <= 4


def test_ray_client_without_its_extra_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "grpc", None)  # as if grpcio (the ray[client] extra) were not installed
    assert cli("run", str(BALLOON), "--address", "ray://127.0.0.1:1", "--logs-dir", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err == ("--address ray://127.0.0.1:1: the Ray client needs grpcio, which is not installed; "
                   "install it with: pip install 'ray[client]'\n")
    assert list(tmp_path.iterdir()) == []


def test_token_mode_is_turned_on_only_when_a_token_is_at_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arena.runtime import pool
    from arena.runtime.pool import use_cluster_token

    monkeypatch.setattr(pool, "_reread_ray_config", lambda: None)  # this process may host the suite's Ray
    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert use_cluster_token() is None and "RAY_AUTH_MODE" not in os.environ  # an open cluster stays joinable
    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("abc\n")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    assert use_cluster_token() == str(tmp_path / ".ray" / "auth_token")
    assert os.environ["RAY_AUTH_MODE"] == "disabled"  # an explicit choice is kept
    monkeypatch.delenv("RAY_AUTH_MODE")
    assert use_cluster_token() == str(tmp_path / ".ray" / "auth_token") and os.environ["RAY_AUTH_MODE"] == "token"
    monkeypatch.delenv("RAY_AUTH_MODE")
    monkeypatch.setenv("RAY_AUTH_TOKEN", "xyz")
    assert use_cluster_token() == "RAY_AUTH_TOKEN" and os.environ["RAY_AUTH_MODE"] == "token"


def test_a_run_without_address_starts_its_own_ray_unless_ray_address_names_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from arena.runtime.pool import default_address

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert default_address() == "local"  # never a cluster `ray start` left running on this machine
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:6379")  # as `ray job submit` sets it for its driver
    assert default_address() == "127.0.0.1:6379"
