"""DEAR MAN's per-turn coach: learner turns/s with and without it, at 1 and 16 series in flight.

    python bench/coach_overhead.py [--quick]

An LLM learner (openai SDK) plays the scripted partner on ``landlord-repair``; the coached runs add an LLM
coach after every learner turn (arm ``ai``, ``when: after_turn``). Both talk to ``tests/fake_llm_server.py``
with a fixed reply delay, so every model call costs the same and the shortfall from ideal is Arena's.
Ideal = C / (model calls per learner turn x the delay), with and without the coach: the coach should cost
its one extra model call per learner turn and nothing more, so both ratios to ideal should match. The
scripted partner costs no model call. Actors are placed once and shared by every level.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from scaling import KEY_ENV, card, start_server

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "dearman" / "landlord-repair.yaml"


def write_tournament(tmp: Path, base_url: str, repeats: int, name: str, coached: bool) -> Path:
    learner = card(tmp / "learner.yaml", "learner", base_url)
    coach = card(tmp / "critic.yaml", "critic", base_url)
    feedback = (f"format: self_play\nfeedback: {{advise: [learner], when: after_turn, critic: {coach}, arms: [ai], "
                "suggestions: 1}\n") if coached else ""
    path = tmp / f"{name}.yaml"
    path.write_text(f"schema_version: 1\nname: {name}\nscenarios: ['{SCENARIO}']\nplayers: {{learner: [{learner}], "
                    f"partner: ['{ROOT}/agents/dearman-partner.yaml']}}\nrepeats: {repeats}\n{feedback}")
    return path


def level(tmp: Path, base_url: str, c: int, matches: int, coached: bool, context: Any) -> dict[str, Any]:
    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    name = f"{'coach' if coached else 'plain'}-c{c}"
    prepared = prepare_new(load_tournament(write_tournament(tmp, base_url, matches, name, coached)), tmp / "logs", name)
    records: list[dict[str, Any]] = []
    start = time.perf_counter()
    summary = execute(prepared, RunOptions(concurrency=c), context=context, on_record=records.append)
    wall = time.perf_counter() - start
    if summary.ok != matches:
        raise SystemExit(f"{name}: {summary.ok}/{matches} ok ({dict(summary.errors)})")
    learner = [t for r in records for t in r["transcript"] if t["role"] == "learner"]
    calls = sum(r["usage"]["learner"].get("calls", 0) for r in records) + sum(
        (t.get("feedback") or {}).get("usage", {}).get("calls", 0) for t in learner)
    return {"c": c, "coached": coached, "turns": len(learner), "calls": calls, "wall": wall,
            "rate": len(learner) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 wave per level (under a minute)")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the server waits before every reply")
    args = parser.parse_args()
    waves = 1 if args.quick else 3
    os.environ[KEY_ENV] = "bench-key"

    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions, build_context

    server, port = start_server(args.delay)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            context = build_context(load_tournament(write_tournament(tmp, base_url, 1, "warm", True)),
                                    RunOptions(concurrency=16))
            level(tmp, base_url, 4, 4, True, context)  # warm the SDK clients' connection pools
            rows = [level(tmp, base_url, c, max(2, c) * waves, coached, context)
                    for c in (1, 16) for coached in (False, True)]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"model server: fixed {args.delay * 1000:.0f} ms per reply; {os.cpu_count()} cores")
    print(f"{'in flight':>9} {'coach':>5} {'turns':>5} {'calls/turn':>10} {'wall s':>7} {'turns/s':>8} "
          f"{'ideal':>7} {'ratio':>6}")
    summary = []
    for plain, coached in zip(rows[::2], rows[1::2], strict=True):
        ratios = []
        for row in (plain, coached):  # ideal: C turns at a time, each costing its model calls back to back
            ideal = row["c"] / (row["calls"] / row["turns"] * args.delay)
            ratios.append(row["rate"] / ideal)
            print(f"{row['c']:>9} {'yes' if row['coached'] else 'no':>5} {row['turns']:>5} "
                  f"{row['calls'] / row['turns']:>10.2f} {row['wall']:>7.2f} {row['rate']:>8.2f} {ideal:>7.2f} "
                  f"{ratios[-1]:>6.2f}")
        summary.append(f"C={plain['c']}: {coached['rate']:.1f} vs {plain['rate']:.1f} turns/s, {ratios[1]:.2f} vs "
                       f"{ratios[0]:.2f} of ideal")
    print("(ideal = C / (model calls per learner turn x the server's delay): the coach should cost its one extra "
          "call per learner turn and nothing more, so both ratios should match)")
    print("summary: with vs without the per-turn coach, " + "; ".join(summary))

if __name__ == "__main__":
    main()
