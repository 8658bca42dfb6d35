"""Where does one driver stop scaling? Turns/s through Ray with zero-latency players, by series in flight.

    python bench/driver_ceiling.py [--cluster] [--quick] [--runners N] [--in-flight 4 16 ...]

Scripted players answer in microseconds, so every millisecond of a turn is orchestration: the driver
steps the env, sends one remote call per turn to the player's actor, awaits it, and logs (fsync'd) each
finished match. For 1, 2, 4, ..., 64 series in flight this runs the scripted cross-play (tough/fair/eager
sellers x buyers on the balloon) through ``execute`` with the same placed actors, and reports turns/s
and the driver process's CPU time per turn (``time.process_time``: all its threads, Ray's included).
When turns/s stops rising while the driver's CPU per second of wall time nears 1 core, the driver is
the ceiling, not the players. ``--cluster`` runs the same on a 3-node ``ray.cluster_utils`` cluster
(all on this machine: it shows the cost of the extra raylets and the cross-node calls, not more cores).
``--runners N`` plays the series in N runner actors instead (:mod:`arena.runtime.runners`): the driver
only receives and logs records, so its CPU per turn is what logging costs; the runner actors start anew
for every point, and ``steady_turns_per_s`` (first record to last) leaves their start-up out.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import settle  # noqa: E402
from overhead import write_tournament  # noqa: E402

IN_FLIGHT = [1, 2, 4, 8, 16, 32, 64]


def measure(tmp: Path, in_flight: int, context: Any, min_matches: int, tag: str = "",
            runners: int | None = None) -> dict[str, Any]:
    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    repeats = max(math.ceil(min_matches / 9), math.ceil(4 * in_flight / 9))
    prepared = prepare_new(load_tournament(write_tournament(tmp, repeats)), tmp / "logs", f"c{in_flight}{tag}")
    turns: dict[str, Any] = {"n": 0, "first": None, "after_first": 0}

    def on_record(record: dict[str, Any]) -> None:
        turns["n"] += len(record["transcript"])
        if turns["first"] is None:
            turns["first"] = time.perf_counter()
        else:
            turns["after_first"] += len(record["transcript"])

    cpu0, wall0 = time.process_time(), time.perf_counter()
    summary = execute(prepared, RunOptions(concurrency=in_flight, runners=runners), on_record, context=context)
    cpu, end = time.process_time() - cpu0, time.perf_counter()
    wall = end - wall0
    assert summary.ok == summary.planned, summary.to_dict()
    return {"in_flight": in_flight, "matches": summary.planned, "turns": turns["n"], "wall_s": round(wall, 3),
            "turns_per_s": round(turns["n"] / wall, 1),
            "steady_turns_per_s": round(turns["after_first"] / max(end - turns["first"], 1e-9), 1),
            "first_record_s": round(turns["first"] - wall0, 3),
            "driver_cpu_ms_per_turn": round(1000 * cpu / turns["n"], 3), "driver_cores": round(cpu / wall, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", action="store_true", help="a 3-node ray.cluster_utils cluster")
    parser.add_argument("--quick", action="store_true", help="fewer matches per point")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runners", type=int, default=None, help="play the series in N runner actors")
    parser.add_argument("--in-flight", type=int, nargs="+", default=IN_FLIGHT, help="the points to measure")
    parser.add_argument("--matches", type=int, default=None, help="matches per point (default 270, --quick 90)")
    args = parser.parse_args()
    if args.cluster:
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # the test cluster and the driver must agree
    import ray

    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions, build_context, start_ray

    cluster = None
    with tempfile.TemporaryDirectory(prefix="ceiling-", dir="/tmp") as name:
        tmp = Path(name)
        if args.cluster:
            from ray.cluster_utils import Cluster

            cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "temp_dir": str(tmp / "ray"),
                                                                    "include_dashboard": False})
            for _ in range(2):
                cluster.add_node(num_cpus=1)
            cluster.wait_for_nodes()
            start_ray(cluster.address)
        else:
            start_ray()
        try:
            ctx = build_context(load_tournament(write_tournament(tmp, 1)), RunOptions(concurrency=max(IN_FLIGHT)))
            busy = settle()
            measure(tmp, 4, ctx, 45, "-warm", args.runners)  # warm-up: first calls, imports, the log's first fsync
            per_point = args.matches or (90 if args.quick else 270)
            rows = [measure(tmp, n, ctx, per_point, runners=args.runners) for n in args.in_flight]
        finally:
            ray.shutdown()
            if cluster is not None:
                cluster.shutdown()
    where = ("3-node cluster_utils cluster" if args.cluster else "local Ray") + \
        (f", {args.runners} runner actors" if args.runners else ", one driver")
    if args.json:
        print(json.dumps({"where": where, "busy_before": busy, "rows": rows}))
        return
    print(f"{where}; cores {os.cpu_count()}, busy before: {busy if busy is None else round(busy, 2)}")
    print(f"{'in flight':>9} {'matches':>8} {'turns':>7} {'wall s':>7} {'turns/s':>8} {'steady':>7} "
          f"{'1st s':>6} {'driver ms/turn':>15} {'driver cores':>12}")
    for r in rows:
        print(f"{r['in_flight']:>9} {r['matches']:>8} {r['turns']:>7} {r['wall_s']:>7} {r['turns_per_s']:>8} "
              f"{r['steady_turns_per_s']:>7} {r['first_record_s']:>6} {r['driver_cpu_ms_per_turn']:>15} "
              f"{r['driver_cores']:>12}")
    best = max(rows, key=lambda r: r["turns_per_s"])
    print(f"summary: {where}: peak {best['turns_per_s']} turns/s at {best['in_flight']} in flight "
          f"(driver {best['driver_cpu_ms_per_turn']} ms CPU/turn, {best['driver_cores']} cores busy); "
          f"{rows[0]['in_flight']} in flight: {rows[0]['turns_per_s']} turns/s")


if __name__ == "__main__":
    main()
