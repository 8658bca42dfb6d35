"""Concurrency scaling: matches/s with 1, 4, 16 and 64 matches in flight against a 200 ms model server.

    python bench/scaling.py [--quick]

The players are LLM cards (official openai SDK) talking to the test server ``tests/fake_llm_server.py``,
started here with a fixed reply delay, so every model call costs the same 200 ms and any shortfall from
ideal scaling is the client side's (driver loop, Ray hops, SDK clients in the player actors), not the
model's. To tell Arena's share from the SDK's, a bare ``openai.AsyncOpenAI`` client then replays the
same calls at the same C (``saturation.raw_matches`` / ``run_raw``): its own ratio is the ceiling that
this machine's cores and the SDK's per-call CPU allow.

Ideal at C in flight = C x the single-match rate measured at C=1 in the same run. The actors are placed
once and reused by every level (``execute(..., context=...)``), so actor start-up is not in the figures;
each level is a full ``arena run`` otherwise: run log written and fsync'd per match, moderator verdicts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import write_short_balloon

ROOT = Path(__file__).resolve().parents[1]
KEY_ENV = "ARENA_BENCH_KEY"


def start_server(delay: float) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/fake_llm_server.py"), "--port", "0", "--delay", str(delay)],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def card(path: Path, role: str, base_url: str) -> str:
    path.write_text(
        f"schema_version: 1\nname: fake-{role}\nroles: [{role}]\npolicy:\n  type: llm\n"
        f"  persona: You are the {role}.\n  model:\n    backend: openai\n    model: fake\n"
        f"    base_url: {base_url}\n    api_key_env: {KEY_ENV}\n    max_tokens: 40\n    timeout_s: 30\n"
    )
    return path.name


def write_tournament(tmp: Path, base_url: str, max_turns: int, repeats: int, name: str) -> Path:
    write_short_balloon(tmp, max_turns)
    seller, buyer = card(tmp / "seller.yaml", "seller", base_url), card(tmp / "buyer.yaml", "buyer", base_url)
    path = tmp / f"{name}.yaml"
    path.write_text(
        f"schema_version: 1\nname: {name}\nscenarios: [short.yaml]\n"
        f"players: {{seller: [{seller}], buyer: [{buyer}]}}\nrepeats: {repeats}\n"
    )
    return path


def level(
    tmp: Path, base_url: str, max_turns: int, concurrency: int, matches: int, context: Any, name: str = ""
) -> dict[str, Any]:
    """One full run of ``matches`` matches with ``concurrency`` in flight; wall time of play only."""
    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    name = name or f"c{concurrency}"
    path = write_tournament(tmp, base_url, max_turns, matches, name)
    resolved = load_tournament(path)
    prepared = prepare_new(resolved, tmp / "logs", name)
    records: list[dict[str, Any]] = []
    start = time.perf_counter()
    summary = execute(prepared, RunOptions(concurrency=concurrency), context=context, on_record=records.append)
    wall = time.perf_counter() - start
    if summary.ok != matches:
        raise SystemExit(f"C={concurrency}: {summary.ok}/{matches} matches ok ({dict(summary.errors)})")
    turns = sum(len(r["transcript"]) for r in records)
    return {"c": concurrency, "matches": matches, "turns": turns, "wall": wall, "rate": matches / wall,
            "path": path, "records": records}


def raw_rate(base_url: str, row: dict[str, Any]) -> float:
    """Calls/s of a bare openai SDK client replaying the level's calls, match by match, C at a time."""
    from saturation import raw_matches, run_raw

    side, _ = asyncio.run(run_raw(base_url, raw_matches(row["path"], row["records"]), row["c"]))
    return side.requests / side.wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 waves per level (under a minute)")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the server waits before every reply")
    args = parser.parse_args()
    waves, max_turns = (2, 4) if args.quick else (4, 6)
    levels = (1, 4, 16, 64)
    os.environ[KEY_ENV] = "bench-key"

    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions, build_context

    server, port = start_server(args.delay)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            resolved = load_tournament(write_tournament(tmp, base_url, max_turns, 1, "warmup"))
            context = build_context(resolved, RunOptions(concurrency=max(levels)))
            level(tmp, base_url, max_turns, 4, 4, context, "warmup")  # warm the SDK clients' connection pools
            rows = [level(tmp, base_url, max_turns, c, max(4, c) * waves, context) for c in levels]
            for row in rows:  # the same calls from a bare SDK client: the ceiling of this machine and SDK
                row["raw_calls"] = raw_rate(base_url, row)
    finally:
        server.terminate()
        server.wait(timeout=10)
    single = rows[0]["rate"]
    print(f"model server: fixed {args.delay * 1000:.0f} ms per reply; {rows[0]['turns'] // rows[0]['matches']} turns "
          f"a match; {os.cpu_count()} cores")
    print(f"{'in flight':>9} {'matches':>7} {'wall s':>7} {'matches/s':>9} {'ideal':>7} {'ratio':>6} "
          f"{'calls/s':>8} {'raw SDK calls/s':>15} {'raw ratio':>9}")
    raw_single = rows[0]["raw_calls"]
    for row in rows:
        ideal = single * row["c"]
        calls = row["turns"] / row["wall"]
        print(f"{row['c']:>9} {row['matches']:>7} {row['wall']:>7.2f} {row['rate']:>9.2f} {ideal:>7.2f} "
              f"{row['rate'] / ideal:>6.2f} {calls:>8.1f} {row['raw_calls']:>15.1f} "
              f"{row['raw_calls'] / (raw_single * row['c']):>9.2f}")
    top = rows[-1]
    print("(raw = a bare openai SDK client in one process replaying the same calls, C matches at a time; raw "
          "ratio = its own scaling: the ceiling this machine and SDK allow)")
    print(f"summary: {top['c']} in flight reach {top['rate'] / (single * top['c']):.2f} of ideal "
          f"({top['rate']:.1f} vs {single * top['c']:.1f} matches/s; target >= 0.8); a bare SDK client reaches "
          f"{top['raw_calls'] / (raw_single * top['c']):.2f} at the same C")


if __name__ == "__main__":
    main()
