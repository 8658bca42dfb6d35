"""Embedded SmolLM2 throughput through Arena's Ray runtime, 1 vs 4 matches in flight, and the model actor's cost.

    python bench/llm_throughput.py [--quick]

Prints tokens/s (completion tokens over wall time) at concurrency 1 and 4, their ratio, and the shared
model actor's load time and resident memory, plus how many model actors the node holds (should be 1,
however many players). Measured side by side in one run; absolute figures swing with machine load.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import write_short_balloon

ROOT = Path(__file__).resolve().parents[1]


def write_tournament(tmp: Path, repeats: int, max_turns: int) -> Path:
    write_short_balloon(tmp, max_turns)
    for role in ("seller", "buyer"):
        (tmp / f"{role}.yaml").write_text((ROOT / f"agents/smollm2-{role}.yaml").read_text())
    path = tmp / "t.yaml"
    path.write_text(
        "schema_version: 1\nname: bench\nscenarios: [short.yaml]\n"
        f"players: {{seller: [seller.yaml], buyer: [buyer.yaml]}}\nrepeats: {repeats}\n"
    )
    return path


def run(path: Path, logs: Path, run_id: str, concurrency: int) -> tuple[float, int, int]:
    from arena.config import load_tournament
    from arena.runlog import read_run
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    prepared = prepare_new(load_tournament(path), logs, run_id)
    start = time.perf_counter()
    execute(prepared, RunOptions(concurrency=concurrency))
    wall = time.perf_counter() - start
    _, records = read_run(prepared.log.dir)
    tokens = sum(u.get("completion_tokens", 0) for r in records for u in r["usage"].values())
    return wall, tokens, len(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 matches of 2 turns per setting (under a minute)")
    args = parser.parse_args()
    repeats, max_turns = (4, 2) if args.quick else (8, 10)

    import ray

    from arena.config.model_spec import ModelSpec
    from arena.runtime.model_actor import model_actor_for
    from arena.runtime.pool import start_ray

    start_ray()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # untimed: loads the model in the node's model actor and starts the Ray workers
        run(write_tournament(tmp, 1, 2), tmp / "logs", "warmup", 1)
        path = write_tournament(tmp, repeats, max_turns)
        rows = []
        for concurrency in (1, 4):
            wall, tokens, matches = run(path, tmp / "logs", f"c{concurrency}", concurrency)
            rows.append((concurrency, matches, tokens, wall, tokens / wall))
        spec = ModelSpec(max_tokens=60, temperature=0.7)
        info = ray.get(model_actor_for(spec).info.remote())
        actors = [a for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith("arena-model-")]
    print(f"{'in flight':>9} {'matches':>7} {'tokens':>7} {'wall s':>7} {'tok/s':>7}")
    for c, m, t, w, tps in rows:
        print(f"{c:>9} {m:>7} {t:>7} {w:>7.1f} {tps:>7.1f}")
    print(f"model actor: load {info.get('load_s', 0):.2f} s, resident {info.get('rss_bytes', 0) / 2**20:.0f} MiB "
          f"(+{info.get('rss_delta_bytes', 0) / 2**20:.0f} MiB for the weights); model actors on this node: "
          f"{len(actors)} for 2 players")
    print(f"summary: tokens/s 1 in flight {rows[0][4]:.1f}, 4 in flight {rows[1][4]:.1f}, "
          f"ratio {rows[1][4] / rows[0][4]:.2f} (llama.cpp serves one request at a time; ~1.0 is the ceiling)")


if __name__ == "__main__":
    main()
