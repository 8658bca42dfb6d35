"""Two real ``arena run`` processes on one run directory: the second refuses in one line while the first
lives, changes nothing, and the first finishes with every planned match exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"
CLI = [sys.executable, "-c", "from arena.cli.app import main; main()"]

# The first writer, held after its first logged match until the test says go: a live run, without
# racing the clock. Only RunLog.append is wrapped; the lock is the real one.
HELD = """
import sys, time
from pathlib import Path
import arena.runlog as runlog
go = Path(sys.argv[1])
append = runlog.RunLog.append
def held(self, record):
    append(self, record)
    while not go.exists():
        time.sleep(0.02)
runlog.RunLog.append = held
from arena.cli.app import main
main(sys.argv[2:])
"""


def test_second_resume_of_a_live_run_refuses_in_one_line(tmp_path: Path) -> None:
    logs, go = tmp_path / "logs", tmp_path / "go"
    run_dir = logs / "live"
    first = subprocess.Popen(
        [sys.executable, "-c", HELD, str(go), "run", str(BALLOON), "--local", "--logs-dir", str(logs),
         "--run-id", "live", "--concurrency", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        matches = run_dir / "matches.jsonl"
        while not (matches.exists() and matches.read_bytes().endswith(b"\n")):
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            assert time.monotonic() < deadline, "the first run never logged a match"
            time.sleep(0.05)
        before = {name: (run_dir / name).read_bytes() for name in ("run.json", "matches.jsonl")}

        second = subprocess.run([*CLI, "run", "--resume", str(run_dir), "--local"],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        err = second.stderr.strip()
        assert err == (f"{run_dir}: another arena process (pid {first.pid}) is writing this run; let it finish "
                       f"or stop it, then resume with: arena run --resume {run_dir}")
        assert first.poll() is None
        assert {name: (run_dir / name).read_bytes() for name in before} == before
    finally:
        go.touch()
        first.wait(timeout=120)
    assert first.returncode == 0, first.stderr.read() if first.stderr else ""

    ids = [json.loads(line)["match_id"] for line in (run_dir / "matches.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)) == 36
    # the lock went with the first process: a resume now goes through (and finds nothing to play)
    again = subprocess.run([*CLI, "run", "--resume", str(run_dir), "--local"],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads((run_dir / "run.json").read_text())["summary"]["played"] == 0
