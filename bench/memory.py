"""Memory of a whole run (driver + every Ray process) with 1 vs 8 embedded-LLM players on one node.

    python bench/memory.py [--quick]

Each configuration runs in a fresh child process with its own local Ray, so the figures never mix:
N seller cards (copies of ``agents/smollm2-seller.yaml`` under different names, one actor each) play
the scripted fair buyer on a short balloon. While it plays, a thread samples the resident memory of the
driver and all its descendants (GCS, raylet, workers) every 0.2 s. RSS double-counts pages shared
between processes (libraries), so PSS (each shared page split between its users) is shown too: it is
the fairer "how much memory does the run take" figure.

What the ratio should show: the SmolLM2 weights are loaded once per node, in one shared model actor,
however many players use them; each extra player costs one light Python worker, not a model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import write_short_balloon

ROOT = Path(__file__).resolve().parents[1]


def write_tournament(tmp: Path, players: int, max_turns: int) -> Path:
    write_short_balloon(tmp, max_turns)
    seller = (ROOT / "agents/smollm2-seller.yaml").read_text()
    names = []
    for i in range(players):
        name = f"smollm2-seller-{i + 1}"
        (tmp / f"{name}.yaml").write_text(seller.replace("name: smollm2-seller", f"name: {name}"))
        names.append(f"{name}.yaml")
    path = tmp / "memory.yaml"
    path.write_text(
        f"schema_version: 1\nname: memory-{players}\nscenarios: [short.yaml]\n"
        f"players: {{seller: [{', '.join(names)}], buyer: [{ROOT / 'agents/fair-buyer.yaml'}]}}\nrepeats: 1\n"
    )
    return path


class Sampler(threading.Thread):
    """Peak RSS and PSS (MiB) summed over this process and all its descendants."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_rss = self.peak_pss = 0.0
        self.processes = 0
        self._halt = threading.Event()

    def sample(self) -> tuple[float, float, int]:
        import psutil

        me = psutil.Process()
        rss = pss = 0
        procs = [me, *me.children(recursive=True)]
        for proc in procs:
            try:
                info = proc.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        return rss / 2**20, pss / 2**20, len(procs)

    def run(self) -> None:
        while not self._halt.is_set():
            rss, pss, n = self.sample()
            if pss > self.peak_pss:
                self.peak_rss, self.peak_pss, self.processes = rss, pss, n
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def child(players: int, max_turns: int) -> dict[str, Any]:
    """Run one configuration and return its figures (runs inside a fresh interpreter)."""
    import ray

    from arena.config import load_tournament
    from arena.runtime.model_actor import NAME_PREFIX
    from arena.runtime.pool import RunOptions, start_ray
    from arena.tournament import execute, prepare_new

    start_ray()
    sampler = Sampler()
    idle_rss, idle_pss, _ = sampler.sample()
    sampler.start()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        resolved = load_tournament(write_tournament(tmp, players, max_turns))
        start = time.perf_counter()
        summary = execute(prepare_new(resolved, tmp / "logs", "mem"), RunOptions(concurrency=players))
        wall = time.perf_counter() - start
    time.sleep(0.5)  # one more sample with every actor still alive
    sampler.stop()
    models = [a for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith(NAME_PREFIX)]
    return {
        "players": players, "matches": summary.played, "ok": summary.ok, "wall_s": wall,
        "idle_rss": idle_rss, "idle_pss": idle_pss, "peak_rss": sampler.peak_rss, "peak_pss": sampler.peak_pss,
        "processes": sampler.processes, "model_actors": len(models),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2-turn matches (under a minute)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--max-turns", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.max_turns)))
        return
    max_turns = 2 if args.quick else 6
    rows = []
    for players in (1, 8):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(players), "--max-turns", str(max_turns)],
            capture_output=True, text=True, check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'players':>7} {'matches':>7} {'procs':>5} {'models':>6} {'Ray idle PSS':>12} {'peak RSS MiB':>12} "
          f"{'peak PSS MiB':>12}")
    for r in rows:
        print(f"{r['players']:>7} {r['ok']:>4}/{r['matches']:<2} {r['processes']:>5} {r['model_actors']:>6} "
              f"{r['idle_pss']:>12.0f} {r['peak_rss']:>12.0f} {r['peak_pss']:>12.0f}")
    one, eight = rows
    per_player = (eight["peak_pss"] - one["peak_pss"]) / 7
    print(f"summary: 8 vs 1 embedded players: peak PSS ratio {eight['peak_pss'] / one['peak_pss']:.2f} "
          f"(RSS {eight['peak_rss'] / one['peak_rss']:.2f}); model actors {one['model_actors']} and "
          f"{eight['model_actors']}; each extra player adds {per_player:.0f} MiB (a Python worker, not a model)")


if __name__ == "__main__":
    main()
