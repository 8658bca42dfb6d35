"""SIGKILL ``arena run`` at random points, resume until done: every planned match exactly once, and the
memory each coached player carried equals that of an uninterrupted run with the same seed."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AGENTS = ROOT / "agents"
CLI = [sys.executable, "-c", "from arena.cli.app import main; main()"]


def tournament(tmp: Path) -> Path:
    path = tmp / "t.yaml"
    path.write_text(
        f"""schema_version: 1
name: kill
format: self_play
scenarios: ["{ROOT / 'scenarios/negotiation/balloon.yaml'}"]
players: {{seller: ["{AGENTS / 'coachable-seller.yaml'}"], buyer: ["{AGENTS / 'fair-buyer.yaml'}"]}}
rounds: 6
repeats: 80
seed: 5
feedback: {{advise: seller, critic: "{AGENTS / 'scripted-critic.yaml'}", arms: [none, constant, ai], suggestions: 2}}
"""
    )
    return path


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "matches.jsonl").read_text().splitlines() if line.strip()]


def test_kill_at_random_points_then_resume(tmp_path: Path) -> None:
    path = tournament(tmp_path)
    logs = tmp_path / "logs"
    planned = 80 * 3 * 6
    reference = subprocess.run([*CLI, "run", str(path), "--local", "--logs-dir", str(logs), "--run-id", "ref"],
                               capture_output=True, text=True, timeout=120)
    assert reference.returncode == 0, reference.stderr[-2000:]

    rng = random.Random(11)
    run_dir = logs / "killed"
    args = [*CLI, "run", str(path), "--local", "--logs-dir", str(logs), "--run-id", "killed"]
    kills = 0
    for _attempt in range(6):
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # wait until it has written something (imports take a while on a loaded machine), then kill
        deadline = time.monotonic() + 60
        start_size = (run_dir / "matches.jsonl").stat().st_size if (run_dir / "matches.jsonl").exists() else 0
        while time.monotonic() < deadline and proc.poll() is None:
            if (run_dir / "matches.jsonl").exists() and (run_dir / "matches.jsonl").stat().st_size > start_size:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
        args = [*CLI, "run", "--resume", str(run_dir), "--local"]
        if len(records(run_dir)) >= planned:
            break
    assert kills >= 2
    final = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr[-2000:]

    got = records(run_dir)
    ids = [r["match_id"] for r in got]
    assert len(ids) == len(set(ids)) == planned
    want = {r["match_id"]: r for r in records(logs / "ref")}
    for rec in got:
        ref = want[rec["match_id"]]
        assert rec["outcome"] == ref["outcome"]
        assert rec["memory_before"] == ref["memory_before"]
        assert rec["memory_after"] == ref["memory_after"]
    header = json.loads((run_dir / "run.json").read_text())
    assert header["status"] == "finished"
