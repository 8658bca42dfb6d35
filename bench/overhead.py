"""Orchestration overhead per turn: a plain in-process loop over the env vs Arena's Ray runtime.

    python bench/overhead.py [--quick]

Both sides play the same scripted cross-play tournament (tough/fair/eager sellers x buyers on the
balloon, >= 500 matches) with the same seeds and requests, and must reach identical outcomes (checked).

(a) plain: for each match, make the env and step it, calling the scripted policy's ``decide`` directly.
(b) Arena: ``prepare_new`` + ``execute`` through Ray actors (one per card; plain actors, as Arena uses
    for scripted cards), the run log written and fsync'd per match, the rule moderator's verdict,
    everything a real run does.

Per-turn overhead is measured per match at one match in flight, so it is latency, not queueing: the
gap between two consecutive finished matches in Arena's log callback, divided by the match's turns,
minus the plain loop's time per turn for the same match. Ray start-up and actor start-up are timed
separately (they are paid once a run, not per turn). Throughput (matches/s) is also shown with more
matches in flight, the way ``arena run`` plays by default.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SELLERS = ["tough-seller", "fair-seller", "eager-seller"]
BUYERS = ["tough-buyer", "fair-buyer", "eager-buyer"]


def write_tournament(tmp: Path, repeats: int) -> Path:
    """The shipped scripted cross-play with more repeats (9 pairings x repeats matches).

    Match ids and seeds depend on the repeat index, not on how many repeats there are, so a tournament
    with fewer repeats plays exactly the first matches of a bigger one.
    """
    agents = ROOT / "agents"
    path = tmp / f"overhead-{repeats}.yaml"
    path.write_text(
        "schema_version: 1\nkind: tournament\nname: overhead\nformat: cross_play\n"
        f"scenarios: [{ROOT / 'scenarios/negotiation/balloon.yaml'}]\n"
        f"players:\n  seller: [{', '.join(str(agents / f'{n}.yaml') for n in SELLERS)}]\n"
        f"  buyer: [{', '.join(str(agents / f'{n}.yaml') for n in BUYERS)}]\n"
        f"rounds: 1\nrepeats: {repeats}\nseed: 7\n"
    )
    return path


def plain_loop(resolved: Any) -> Timings:
    """Per-turn seconds and outcome per match id, and the total wall time, for the bare env loop."""
    from arena.agents.factory import build_player
    from arena.core.protocol import ActRequest
    from arena.registry import game_of
    from arena.schedule import derive_seed, plan

    players = {name: build_player(card, resolved.game) for name, card in resolved.agents.items()}
    per_turn: dict[str, float] = {}
    outcomes: dict[str, Any] = {}
    start = time.perf_counter()
    for series in plan(resolved):
        t0 = time.perf_counter()
        scenario = resolved.scenarios[series.scenario]
        seed = series.round_seed(1)
        env = game_of(scenario).make_env(scenario)
        env.reset(seed=seed)
        turns = 0
        for turn, role in enumerate(env.agent_iter()):
            observation, _reward, terminated, truncated, info = env.last()
            if terminated or truncated:
                env.step(None)
                continue
            request = ActRequest(match_id=series.match_id(1), role=role, observation=observation["prompt"],
                                 info=info, seed=derive_seed(seed, f"{role}:{turn}"))
            env.step(players[series.agents[role]].decide(request).text)
            turns += 1
        match_id = series.match_id(1)
        per_turn[match_id] = (time.perf_counter() - t0) / max(turns, 1)
        outcomes[match_id] = env.outcome.get("price"), env.outcome.get("reason")
        env.close()
    return per_turn, outcomes, time.perf_counter() - start


Timings = tuple[dict[str, float], dict[str, Any], float]


def arena_run(resolved: Any, logs: Path, run_id: str, concurrency: int) -> Timings:
    """Per-turn seconds (from the gaps between finished matches), outcomes, and wall time of play."""
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    prepared = prepare_new(resolved, logs, run_id)
    stamps: list[tuple[float, dict[str, Any]]] = []
    execute(prepared, RunOptions(concurrency=concurrency), on_record=lambda r: stamps.append((time.perf_counter(), r)))
    per_turn: dict[str, float] = {}
    outcomes: dict[str, Any] = {}
    for (before, _), (after, record) in zip(stamps, stamps[1:], strict=False):
        per_turn[record["match_id"]] = (after - before) / max(len(record["transcript"]), 1)
    for _, record in stamps:
        outcomes[record["match_id"]] = record["outcome"].get("price"), record["outcome"].get("reason")
    wall = stamps[-1][0] - stamps[0][0] if len(stamps) > 1 else 0.0
    return per_turn, outcomes, wall * len(stamps) / max(len(stamps) - 1, 1)


def startup_costs(resolved: Any) -> tuple[float, float]:
    """Seconds for ``ray.init`` and for placing and pinging one actor per card."""
    from arena.runtime.pool import RunOptions, build_context, start_ray

    t0 = time.perf_counter()
    start_ray()
    t1 = time.perf_counter()
    build_context(resolved, RunOptions())
    return t1 - t0, time.perf_counter() - t1


def bare_actor_call_ms(calls: int = 2000) -> dict[str, list[float]]:
    """Round trips of an empty actor method with a typical request: the floor of one Ray hop.

    Both kinds: a plain actor (what Arena uses for scripted cards) and an async one (LLM cards).
    """
    import asyncio

    import ray

    from arena.core.protocol import ActRequest, ActResult

    @ray.remote(num_cpus=0)
    class Plain:
        def act(self, request: ActRequest) -> ActResult:
            return ActResult(text="[OFFER $10]")

    @ray.remote(num_cpus=0)
    class Async:
        async def act(self, request: ActRequest) -> ActResult:
            return ActResult(text="[OFFER $10]")

    request = ActRequest(match_id="m", role="seller", observation="x" * 800, info={"brief": {"item": "balloon"}})

    async def timed(actor: Any) -> list[float]:
        for _ in range(200):  # warm-up
            await actor.act.remote(request)
        out = []
        for _ in range(calls):
            t0 = time.perf_counter()
            await actor.act.remote(request)
            out.append((time.perf_counter() - t0) * 1000)
        return out

    samples = {}
    for kind, cls in (("plain", Plain), ("async", Async)):
        actor = cls.remote()
        samples[kind] = asyncio.run(timed(actor))
        ray.kill(actor)
    return samples


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="504 matches; per-turn latency on the first 252 of them (under a minute)")
    parser.add_argument("--in-flight", type=int, default=8, help="matches in flight for the throughput row")
    args = parser.parse_args()
    repeats = 56 if args.quick else 112  # 9 pairings x repeats: 504 or 1008 matches
    latency_repeats = 28 if args.quick else repeats  # matches timed one at a time

    from arena.config import load_tournament

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        resolved = load_tournament(write_tournament(tmp, repeats))
        ray_init_s, actors_s = startup_costs(resolved)
        bare_ms = bare_actor_call_ms(1000 if args.quick else 2000)
        plain_turn, plain_out, plain_wall = plain_loop(resolved)
        one_at_a_time = load_tournament(write_tournament(tmp, latency_repeats))
        arena_turn, arena_out, arena_wall = arena_run(one_at_a_time, tmp / "logs", "c1", 1)
        _, wide_out, wide_wall = arena_run(resolved, tmp / "logs", f"c{args.in_flight}", args.in_flight)
    matches = len(plain_out)
    if any(plain_out[m] != arena_out[m] for m in arena_out) or wide_out != plain_out:
        raise SystemExit("outcomes differ between the plain loop and Arena: the comparison is void")
    overhead_ms = [(arena_turn[m] - plain_turn[m]) * 1000 for m in arena_turn]
    plain_ms = [v * 1000 for v in plain_turn.values()]
    arena_ms = [v * 1000 for v in arena_turn.values()]
    print(f"{matches} matches (per-turn latency over the first {len(arena_out)}), identical outcomes on both "
          f"sides; ray.init {ray_init_s:.2f} s, "
          f"{len(resolved.agents)} actors placed in {actors_s:.2f} s (once a run, not counted below)")
    print(f"{'side':<24} {'ms/turn median':>14} {'p95':>7} {'matches/s':>10}")
    print(f"{'plain loop':<24} {statistics.median(plain_ms):>14.3f} {pct(plain_ms, 0.95):>7.3f} "
          f"{matches / plain_wall:>10.1f}")
    print(f"{'Arena, 1 in flight':<24} {statistics.median(arena_ms):>14.3f} {pct(arena_ms, 0.95):>7.3f} "
          f"{len(arena_out) / arena_wall:>10.1f}")
    print(f"{f'Arena, {args.in_flight} in flight':<24} {'':>14} {'':>7} {matches / wide_wall:>10.1f}")
    print(f"{'overhead (Arena - plain)':<24} {statistics.median(overhead_ms):>14.3f} {pct(overhead_ms, 0.95):>7.3f}")
    for kind, samples in bare_ms.items():
        print(f"{f'bare {kind} actor call':<24} {statistics.median(samples):>14.3f} {pct(samples, 0.95):>7.3f}")
    over, bare = statistics.median(overhead_ms), statistics.median(bare_ms["plain"])
    print(f"summary: Arena adds {over:.2f} ms per turn (median, p95 {pct(overhead_ms, 0.95):.2f} ms; "
          "target <= 1.5 ms), "
          f"{over / bare:.2f} bare calls to a plain actor as Arena uses for scripted cards ({bare:.2f} ms each here); "
          f"{matches / wide_wall:.0f} vs "
          f"{matches / plain_wall:.0f} matches/s (Arena {args.in_flight} in flight vs plain loop)")


if __name__ == "__main__":
    main()
