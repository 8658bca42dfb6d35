"""Growth over 10 self-play rounds: prompt size and time per round as the coached player's memory fills.

    python bench/growth.py [--quick]

A SmolLM2 seller on a short balloon for 10 rounds, the seller coached after every round
(arm ``ai``), with a small memory budget so it is reached within the run. The seller's prompt holds
its earlier outcomes and every suggestion so far, until the budget drops the oldest outcomes, then the
oldest advice. Per round the table shows the memory kept (Arena's estimate, against the budget), the
seller's prompt tokens per model call (the model's own count), and the time per round and per call.
The prompt must stop growing once the budget is reached, and so must the time per call.

``--quick`` keeps only the coached seller on SmolLM2 (the scripted fair buyer and scripted critic make
no model calls; the critic's advice has a fixed length) so the run fits in a minute; the full run puts
SmolLM2 in all three seats and plays 3 series. Time per call follows the tokens generated (shown), which
the model chooses; the prompt is what memory drives.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import settle, write_short_balloon

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 10


def write_tournament(tmp: Path, repeats: int, max_turns: int, budget: int, critic: str, buyer: str) -> Path:
    write_short_balloon(tmp, max_turns)
    agents = ROOT / "agents"
    path = tmp / "growth.yaml"
    path.write_text(
        f"schema_version: 1\nname: growth\nformat: self_play\nscenarios: [short.yaml]\n"
        f"players: {{seller: [{agents / 'smollm2-seller.yaml'}], buyer: [{agents / buyer}]}}\n"
        f"rounds: {ROUNDS}\nrepeats: {repeats}\nseed: 3\nmemory: {{budget_tokens: {budget}}}\n"
        f"feedback: {{advise: seller, critic: {agents / critic}, arms: [ai]}}\n"
    )
    return path


def per_round(records: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Means over series, by round, of the figures the table shows."""
    from arena.memory import Memory

    by_round: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_round[record["round"]].append(record)
    rows = []
    for round_, group in sorted(by_round.items()):
        seller = [r["usage"].get("seller", {}) for r in group]
        calls = sum(u.get("calls", 0) for u in seller) or 1
        memory = [Memory.from_dict(r["memory_after"]["seller"]) for r in group if r["memory_after"].get("seller")]
        rows.append({
            "round": round_,
            # memory the seller saw in this round = what the previous round left (kept within budget)
            "memory_in": statistics.mean(_memory_in(r) for r in group),
            "entries": statistics.mean(len(m.entries) for m in memory) if memory else 0,
            "prompt_per_call": sum(u.get("prompt_tokens", 0) for u in seller) / calls,
            "out_per_call": sum(u.get("completion_tokens", 0) for u in seller) / calls,
            "s_per_call": sum(u.get("latency_s", 0) for u in seller) / calls,
            "ms_per_out": 1000 * sum(u.get("latency_s", 0) for u in seller)
            / max(1, sum(u.get("completion_tokens", 0) for u in seller)),
            "s_per_round": statistics.mean(r["duration_s"] for r in group),
        })
    return rows


def _memory_in(record: dict[str, Any]) -> int:
    from arena.memory import estimate_tokens

    text = record["memory_before"].get("seller", "")
    return estimate_tokens(text) if text else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 series, scripted buyer and critic (under a minute)")
    parser.add_argument("--budget", type=int, default=160, help="memory budget in tokens")
    args = parser.parse_args()
    repeats, max_turns, critic, buyer = (
        (1, 2, "scripted-critic.yaml", "fair-buyer.yaml") if args.quick
        else (3, 4, "smollm2-critic.yaml", "smollm2-buyer.yaml")
    )

    from arena.config import load_tournament
    from arena.runlog import read_run
    from arena.runtime.pool import RunOptions, start_ray
    from arena.tournament import execute, prepare_new

    start_ray()
    busy = settle()  # Ray's helper processes keep starting for seconds after ray.init
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        resolved = load_tournament(write_tournament(tmp, repeats, max_turns, args.budget, critic, buyer))
        prepared = prepare_new(resolved, tmp / "logs", "growth")
        start = time.perf_counter()
        summary = execute(prepared, RunOptions(concurrency=repeats))
        wall = time.perf_counter() - start
        _, records = read_run(prepared.log.dir)
    rows = per_round([r for r in records if r["status"] == "ok"])
    print(f"{summary.ok}/{summary.planned} matches ok in {wall:.0f} s; memory budget {args.budget} tokens; "
          f"buyer {buyer}, critic {critic}; {repeats} series x {ROUNDS} rounds, {max_turns} turns a round")
    print(f"{'round':>5} {'memory in':>9} {'entries':>7} {'prompt tok/call':>15} {'out tok/call':>12} {'s/call':>7} "
          f"{'ms/out tok':>10} {'s/round':>8}")
    for r in rows:
        print(f"{r['round']:>5} {r['memory_in']:>9.0f} {r['entries']:>7.1f} {r['prompt_per_call']:>15.0f} "
              f"{r['out_per_call']:>12.1f} {r['s_per_call']:>7.2f} {r['ms_per_out']:>10.1f} {r['s_per_round']:>8.2f}")
    # from the first round whose memory reached 80% of the budget on (the kept part then varies with the
    # length of the advice, which an LLM critic does not fix)
    reached = next((i for i, r in enumerate(rows) if r["memory_in"] >= 0.8 * args.budget), None)
    full = rows[reached:] if reached is not None else []
    first = rows[0]
    if not full:
        print(f"summary: the budget ({args.budget}) was not reached in {ROUNDS} rounds; raise rounds or lower --budget")
        return
    prompts = [r["prompt_per_call"] for r in full]
    slope = statistics.linear_regression([r["round"] for r in full], [r["s_per_round"] for r in full]).slope \
        if len(full) > 1 else 0.0
    print(f"summary: memory stays <= {max(r['memory_in'] for r in rows):.0f} of {args.budget} tokens; from round "
          f"{full[0]['round']} (budget reached) the seller's prompt stays at {min(prompts):.0f}-{max(prompts):.0f} "
          f"tokens/call (round 1: {first['prompt_per_call']:.0f}; last round / round {full[0]['round']} = "
          f"{rows[-1]['prompt_per_call'] / full[0]['prompt_per_call']:.2f}); time per round from then on: mean "
          f"{statistics.mean(r['s_per_round'] for r in full):.2f} s, trend {slope:+.2f} s per round (flat or "
          f"falling = no growth); CPU busy {'n/a' if busy is None else f'{100 * busy:.0f}%'} at start")


if __name__ == "__main__":
    main()
