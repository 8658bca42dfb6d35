"""A real 3-node Ray cluster (``ray.cluster_utils.Cluster``: a head and two raylets with their own workers):
placement, code shipping, the driver alone writing the log, and a node removed mid-run.

Each test drives its cluster from a subprocess (tests/runtime/cluster_job.py), so the suite's own Ray is
never touched, and checks afterwards that every process it started is gone and every Ray process that ran
before it still runs. About 45 s each on 2 cores: marked ``cluster`` (``pytest -m "not cluster"`` skips them).
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOB = Path(__file__).resolve().parent / "cluster_job.py"
RUN_FILES = ["logs/scripted/matches.jsonl", "logs/scripted/run.json", "logs/scripted/run.lock"]

pytestmark = pytest.mark.cluster


@pytest.fixture
def work() -> Iterator[Path]:
    """A short directory under /tmp: Ray's socket paths (in the cluster's temp dir) must fit 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="arena-c-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _processes(marker: str | None = None) -> set[int]:
    """Pids whose command line names ``marker`` (or, without one, any Ray daemon: raylet, gcs_server)."""
    out = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes()
        except OSError:
            continue
        if (marker.encode() in text) if marker else (b"raylet" in text or b"gcs_server" in text):
            out.add(int(cmdline.parent.name))
    return out


def run_job(mode: str, work: Path) -> dict[str, Any]:
    """Run the cluster job; check it stopped all it started and nothing else."""
    before = _processes()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run([sys.executable, str(JOB), mode, str(work)], env=env, capture_output=True, text=True,
                          timeout=240, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not _processes(str(work)), "a process of the test's cluster outlived it"
    assert before & _processes() == {pid for pid in before if Path(f"/proc/{pid}").exists()}
    assert all(Path(f"/proc/{pid}").exists() for pid in before), "a Ray process the test did not start stopped"
    return json.loads((work / "result.json").read_text())


def test_players_spread_one_model_actor_per_node_code_shipped_driver_writes(work: Path) -> None:
    result = run_job("place", work)
    nodes = set(result["nodes"])
    assert len(nodes) == 3
    # the embedded players: spread over the nodes, each node with one of them has exactly one model actor
    players = result["players"]
    hosts = collections.Counter(p["node"] for p in players.values())
    assert len(players) == 4 and set(hosts) == nodes  # round-robin: 4 cards over 3 nodes, every node hosts some
    models = [a for a in result["actors"] if a["class"] == "ModelActor"]
    assert sorted(m["node"] for m in models) == sorted(hosts)  # one per node that hosts embedded players
    assert all(m["name"].endswith(m["node"][:12]) for m in models)
    assert [i["error"] for i in result["model_info"]] == [None] * len(models)  # each loaded SmolLM2
    # code shipping: every worker imported the driver's arena from the job's py_modules, not an install
    assert all("/runtime_resources/py_modules_files/" in p["arena"] for p in players.values())
    # the scripted tournament: played in full through actors on more than one node
    scripted = collections.Counter(a["node"] for a in result["scripted_players"])
    assert sorted(scripted.values()) == [2, 2, 2] and set(scripted) == nodes  # 6 cards, 2 a node
    assert len(result["records"]) == 9 and {r["status"] for r in result["records"]} == {"ok"}
    # only the driver wrote: the run's own three files, no logs/ anywhere else under the workers' directory
    assert result["files"] == RUN_FILES


def test_a_node_removed_mid_run_has_its_matches_played_elsewhere(work: Path) -> None:
    result = run_job("node-loss", work)
    removed = result["removed"]
    lost = [a for a in result["actors_before"] if a["class"] == "ScriptedPlayerActor" and a["node"] == removed]
    assert lost, "no player lived on the removed node"
    after = [a for a in result["actors_after"] if a["class"] == "ScriptedPlayerActor"]
    # the lost ones (pinned to the gone node, which Ray cannot restart) were placed again on the nodes left:
    # every player actor alive at the end lives there (how many dead ones Ray's state API still lists varies)
    left = set(result["nodes"]) - {removed}
    alive = [a for a in after if a["state"] == "ALIVE"]
    unplaced = sum(node is None for node in result["hosts_after"].values())  # no call left after the removal
    assert len(alive) >= 6 - unplaced and all(a["node"] in left for a in alive)
    records = result["records"]
    ids = [r["match_id"] for r in records]
    assert len(ids) == len(set(ids)) == 54  # every planned match exactly once
    assert {r["status"] for r in records} == {"ok"}
    assert all(1 <= r["attempt"] <= 3 for r in records)
    # the cards whose actors lived on the removed node: none is reported there any more; one whose call
    # failed with the node was placed again on a node left (None: a card with no call left after the removal,
    # still pinned to the gone node, which happened in CI), and the matches of those failed calls were
    # retried after the removal
    gone = {name for name, node in result["hosts_before"].items() if node == removed}
    assert len(gone) == 2  # a seller and a buyer
    assert all(result["hosts_after"][name] in left | {None} for name in gone)
    assert any(result["hosts_after"][name] in left for name in gone)
    retried = [r for r in records if r["attempt"] > 1]
    assert retried, "no match was played again after the node left"
    assert all(set(r["agents"].values()) & gone and r["finished_at"] > result["removed_at"] for r in retried)
    assert result["header"]["status"] == "finished" and result["header"]["summary"]["ok"] == 54
    assert result["files"] == RUN_FILES
