"""The deterministic feedback case at scale: R=10 rounds, N=50 repeats, arms none vs ai, scripted players.

    python bench/feedback_effect.py [--quick] [--ray]

The seller's reservation moves with each piece of advice in its memory (advice_gain), a scripted critic
gives one suggestion per round, the buyer is eager. Prints the wall time (in-process, or through Ray with
--ray) and the measured effect of feedback on the seller's price per round, with bootstrap intervals.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write(tmp: Path, rounds: int, repeats: int) -> Path:
    path = tmp / "t.yaml"
    path.write_text(
        f"""schema_version: 1
name: feedback-bench
format: self_play
scenarios: ["{ROOT / 'scenarios/negotiation/balloon.yaml'}"]
players: {{seller: ["{ROOT / 'agents/coachable-seller.yaml'}"], buyer: ["{ROOT / 'agents/eager-buyer.yaml'}"]}}
rounds: {rounds}
repeats: {repeats}
feedback: {{advise: seller, critic: "{ROOT / 'agents/scripted-critic.yaml'}", arms: [none, ai], suggestions: 1}}
"""
    )
    return path


def money(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


PRICE, DEALS = "mean_price", "deal_rate"  # negotiation's declared metrics (arena/games/negotiation/metrics.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="R=5, N=10")
    parser.add_argument("--ray", action="store_true", help="through Ray actors instead of in-process")
    args = parser.parse_args()
    rounds, repeats = (5, 10) if args.quick else (10, 50)

    from arena.analysis.curves import learning_curves
    from arena.config import load_tournament
    from arena.runlog import read_run
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        prepared = prepare_new(load_tournament(write(tmp, rounds, repeats)), tmp / "logs", "bench")
        start = time.perf_counter()
        summary = execute(prepared, RunOptions(local=not args.ray, concurrency=8))
        wall = time.perf_counter() - start
        header, records = read_run(prepared.log.dir)
        curves = learning_curves(header, records)
    print(f"{'round':>5} {'price none':>10} {'price ai':>9} {'effect [95% CI]':>22} {'deals ai':>8}")
    for r in range(1, rounds + 1):
        none, ai, eff = curves.point("none", r), curves.point("ai", r), curves.effect("ai", r)
        price = eff.metrics[PRICE] if eff else None
        effect = price.format("{:.2f}", signed=True) if price and price.value is not None else "-"
        deals = f"{ai.metrics[DEALS].value:.0%}"
        print(f"{r:>5} {money(none.metrics[PRICE].value):>10} {money(ai.metrics[PRICE].value):>9} {effect:>22} "
              f"{deals:>8}")
    effects = {r: e.metrics[PRICE] for r in range(1, rounds + 1)
               if (e := curves.effect("ai", r)) and e.metrics[PRICE].value is not None}
    best = max(effects, key=lambda r: effects[r].value)
    deals_last = curves.point("ai", rounds).metrics[DEALS].value
    print(f"summary: {summary.played} matches in {wall:.1f} s ({'Ray' if args.ray else 'in-process'}); "
          f"largest price effect {effects[best].format('{:.2f}', signed=True)} at round {best}; "
          f"deal rate with feedback at round {rounds}: {deals_last:.0%} (control "
          f"{curves.point('none', rounds).metrics[DEALS].value:.0%})")

if __name__ == "__main__":
    main()
