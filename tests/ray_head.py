"""A ``ray start --head`` cluster that a test starts and stops itself (tests/cli/test_cli_cluster.py, test_cli_job.py).

Everything the head makes lives under one temp dir of the test's (its --temp-dir, a HOME holding the cluster's
token), so the test can tell its own processes from any other Ray on the machine and stops only those.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pythonpath() -> str:
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)


def make_home(base: Path) -> tuple[Path, str]:
    """A HOME with a fresh ``.ray/auth_token``, as `ray start --head` leaves it on the head's machine."""
    home = base / "home"
    (home / ".ray").mkdir(parents=True)
    token = secrets.token_hex(32)
    (home / ".ray" / "auth_token").write_text(token)
    return home, token


def head_env(home: Path) -> dict[str, str]:
    """The head's environment: token authentication with the token in ``home``, this checkout importable.

    GRPC_ENABLE_FORK_SUPPORT=0: the head's Ray client server forks one server per client while gRPC threads
    run; under load about 1 first ray:// join in 8 failed ("Starting Ray client server failed"), 0 in 11 without
    gRPC's fork handlers. A property of Ray's server side, not of the drivers the tests check.
    """
    env = {**os.environ, "HOME": str(home), "RAY_AUTH_MODE": "token", "PYTHONPATH": pythonpath(),
           "GRPC_ENABLE_FORK_SUPPORT": "0"}
    for name in ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "RAY_ADDRESS"):
        env.pop(name, None)
    return env


def start_head(base: Path, env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.Popen[bytes]:
    """``ray start --head --block`` on 127.0.0.1 with 1 CPU and ``args`` (ports, dashboard), in its own
    process group; returns once Ray says it started. Raises RuntimeError with the head's log otherwise."""
    log = base / "ray-start.log"
    with log.open("wb") as out:
        head = subprocess.Popen(
            [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", "--node-ip-address",
             "127.0.0.1", "--num-cpus", "1", "--disable-usage-stats", "--temp-dir", str(base / "ray"), *args],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while b"Ray runtime started" not in log.read_bytes():
        if head.poll() is not None or time.monotonic() > deadline:
            stop(head, base)
            raise RuntimeError(f"ray start --head did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    return head


def stop(process: subprocess.Popen[bytes], base: Path) -> None:
    """Stop the head's process group, then any process of this cluster (named by its temp dir) still alive."""
    for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
            break
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(base).encode() in cmdline.read_bytes():
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue
