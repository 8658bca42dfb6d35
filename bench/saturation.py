"""Model-server saturation: Arena's tokens/s against a real OpenAI-compatible server vs a raw load generator.

    python bench/saturation.py --quick     # C=4, about 45 s on 2 quiet cores
    python bench/saturation.py             # C=1 and C=4, longer runs: about 5 minutes

Why: between one reply and the next request of a match Arena puts a Ray actor hop, an env step and a
fsync'd log write. With C matches in flight the server should still be kept as busy as a plain client
keeping C requests in flight keeps it; the target is Arena >= 0.9 of raw.

How: starts ``python -m llama_cpp.server`` on the embedded SmolLM2 GGUF on a free port (it serves one
request at a time; ``--interrupt_requests False``, or concurrent requests come back empty) and stops it
on exit, error or Ctrl-C. Then, per C: Arena plays a short balloon tournament through its Ray runtime
(``prepare_new`` + ``execute``, C series in flight) against it; the raw side replays the exact prompts
Arena logged, with the same seeds and the request Arena's own ``build_request`` makes, through
``openai.AsyncOpenAI`` keeping C requests in flight; then Arena plays the same tournament once more.
Arena / raw / Arena puts both sides at the same mean time, so drift in machine load hits both alike.
tokens/s = completion tokens the server reported / wall time; busy % = the generation time the server
logged over the same wall time, which says whether a side left the server idle independently of how
fast the machine happened to be. Ray and the server are started and the server warmed up before any
timing. The machine has 2 cores and llama.cpp runs 2 threads: anything else busy on it (another
benchmark) slows the server a lot, so rerun if the figures look noisy. Ray runs its workers (Arena's
player actors) at nice 15 by default; ``RAY_worker_niceness=0 python bench/saturation.py`` compares.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # measure this tree's arena, also when it is not installed
    sys.path.insert(0, str(ROOT))

from common import machine_busy, write_short_balloon  # noqa: E402 - after the sys.path line above

MODEL = "local-model"  # what the shipped card sends; llama_cpp.server serves its one model whatever the name


@dataclass
class Side:
    """One timed pass: what was generated and how long it took."""

    side: str
    concurrency: int
    requests: int
    tokens: int
    wall: float
    busy: float | None = None  # seconds the server spent generating during the pass, from its log

    @property
    def tps(self) -> float:
        return self.tokens / self.wall if self.wall > 0 else 0.0

    @property
    def busy_pct(self) -> str:
        return f"{100 * self.busy / self.wall:.0f}" if self.busy is not None and self.wall > 0 else "n/a"


def combine(side: str, parts: list[Side]) -> Side:
    busy = [p.busy for p in parts]
    return Side(side, parts[0].concurrency, sum(p.requests for p in parts), sum(p.tokens for p in parts),
                sum(p.wall for p in parts), None if None in busy else sum(b or 0.0 for b in busy))


# -- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    from arena.llm.base import find_gguf

    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(find_gguf()), "--host", "127.0.0.1",
           "--port", str(port), "--interrupt_requests", "False", "--n_threads", "2", "--n_threads_batch", "2",
           "--n_ctx", "2048"]
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def wait_ready(proc: subprocess.Popen[bytes], base_url: str, log: Path, timeout_s: float = 120.0) -> None:
    """Poll ``GET /v1/models`` until the server answers; a server that died shows its log tail."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"llama_cpp.server did not answer {base_url}/models within {timeout_s:.0f} s")


_TOTAL = re.compile(rb"llama_perf_context_print:\s+total time =\s+([0-9.]+) ms")


def server_busy(log: Path, offset: int) -> float | None:
    """Seconds of generation the server logged after ``offset`` (llama.cpp's per-request "total time").

    Busy time over wall time tells "the client left the server idle" apart from "the machine got slower"
    (on 2 shared cores the second swings the tokens/s of both sides far more than the first). None when the
    log has no such lines (a llama-cpp-python that prints no timings).
    """
    with open(log, "rb") as fh:
        fh.seek(offset)
        times = [float(m) for m in _TOTAL.findall(fh.read())]
    return sum(times) / 1000 if times else None


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# -- Arena's side


def model_block(base_url: str, max_tokens: int, structured: str) -> dict[str, Any]:
    return {"backend": "openai", "model": MODEL, "base_url": base_url, "temperature": 0.7,
            "max_tokens": max_tokens, "structured": structured}


def write_tournament(tmp: Path, model: dict[str, Any], repeats: int, max_turns: int) -> Path:
    """The shipped OpenAI-compatible seller card (and a buyer like it) pointed at our server, on short balloons."""
    import yaml

    write_short_balloon(tmp, max_turns)
    seller = yaml.safe_load((ROOT / "agents/openai-compatible-seller.yaml").read_text())
    seller["policy"]["model"] = model
    buyer_persona = yaml.safe_load((ROOT / "agents/smollm2-buyer.yaml").read_text())["policy"]["persona"]
    buyer = {**seller, "name": "openai-compatible-buyer", "roles": ["buyer"],
             "description": "A buyer served by a local OpenAI-compatible endpoint.",
             "policy": {**seller["policy"], "persona": buyer_persona}}
    for role, card in (("seller", seller), ("buyer", buyer)):
        (tmp / f"{role}.yaml").write_text(yaml.safe_dump(card, sort_keys=False))
    path = tmp / "t.yaml"
    path.write_text(
        "schema_version: 1\nname: saturation\nscenarios: [short.yaml]\n"
        f"players: {{seller: [seller.yaml], buyer: [buyer.yaml]}}\nrepeats: {repeats}\n"
    )
    return path


def _utc(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def run_arena(path: Path, logs: Path, run_id: str, concurrency: int) -> tuple[Side, Side, list[dict[str, Any]]]:
    """One timed Arena run: (matches only, whole execute, records).

    ``execute`` first builds the player actors (a Ray worker process per agent card, pinged before the
    first match), then plays. That is a fixed cost per run, not saturation, and in --quick it is a visible
    share of the wall time, so the headline figure times from the first match's start (its ``started_at``)
    to the end of ``execute``, and the whole ``execute`` is reported beside it. What each actor does on its
    first turn (build the model client, which imports the openai SDK) stays inside the headline figure:
    the server sits idle meanwhile, and a run pays it every time.
    """
    from arena.config import load_tournament
    from arena.runlog import read_run
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    prepared = prepare_new(load_tournament(path), logs, run_id)
    start = time.time()
    execute(prepared, RunOptions(concurrency=concurrency))
    end = time.time()
    _, records = read_run(prepared.log.dir)
    tokens = sum(u.get("completion_tokens", 0) for r in records for u in r["usage"].values())
    calls = sum(u.get("calls", 0) for r in records for u in r["usage"].values())
    errors = [r["error"] for r in records if r["status"] != "ok"]
    if errors:
        print(f"warning: {len(errors)} of {len(records)} Arena matches failed, first: {errors[0]}", file=sys.stderr)
    first = min(_utc(r["started_at"]) for r in records)
    return (Side("arena", concurrency, calls, tokens, end - first),
            Side("arena+startup", concurrency, calls, tokens, end - start), records)


# -- the raw load generator


Call = tuple[dict[str, Any], str]  # chat.completions.create kwargs, the text Arena logged for that turn


def raw_matches(path: Path, records: list[dict[str, Any]], schema_format: str = "json_schema") -> list[list[Call]]:
    """Every model call Arena made, match by match, as the kwargs Arena's backend built for it.

    Same messages (logged per turn), same seed (derived as ``play_match`` derives it), same limits and
    response_format (Arena's ``build_request`` with the game's reply schema when the card is structured,
    in the ``schema_format`` Arena settled on for this server). Matches in the order Arena started them.
    """
    from arena.config import load_tournament
    from arena.games.negotiation.prompts import NEGOTIATION_REPLY
    from arena.llm.openai_chat import build_request
    from arena.schedule import derive_seed

    agents = load_tournament(path).agents
    matches = []
    for record in sorted(records, key=lambda r: r["started_at"]):
        schema = NEGOTIATION_REPLY
        calls = []
        for turn in record["transcript"]:
            if "prompt" not in turn:
                continue
            spec = agents[turn["agent"]].policy.model
            kwargs = build_request(
                spec, turn["prompt"], max_tokens=None, temperature=None, stop=None,
                seed=derive_seed(record["seed"], f"{turn['role']}:{turn['turn']}"),
                json_schema=schema if spec.structured == "auto" else None, schema_format=schema_format,
            )
            calls.append((kwargs, turn["text"]))
        matches.append(calls)
    return matches


async def run_raw(base_url: str, matches: list[list[Call]], concurrency: int) -> tuple[Side, int]:
    """Replay ``matches`` with ``concurrency`` in flight; (figures, replies identical to Arena's).

    Each of the C slots replays one match turn by turn, the next turn sent when the last reply is in, as
    Arena's pool plays C series at once. So C requests are in flight all the time, and the server sees the
    same kind of request sequence as under Arena. That matters: llama.cpp keeps the KV cache of the last
    prompt only, so how much of each prompt it must evaluate depends on what came just before. (In a trial,
    a flat queue in log order, which puts one match's seller and buyer prompts back to back, made ~40%
    fewer tokens/s than this.)
    """
    import openai

    gate = asyncio.Semaphore(concurrency)
    client = openai.AsyncOpenAI(base_url=base_url, api_key="x", timeout=60.0, max_retries=2)
    tokens = same = 0

    async def one(calls: list[Call]) -> None:
        nonlocal tokens, same
        async with gate:
            for kwargs, arena_text in calls:
                response = await client.chat.completions.create(**kwargs)
                tokens += response.usage.completion_tokens if response.usage else 0
                same += (response.choices[0].message.content or "").strip() == arena_text

    try:
        start = time.perf_counter()
        await asyncio.gather(*(one(calls) for calls in matches))
        wall = time.perf_counter() - start
    finally:
        await client.close()
    return Side("raw", concurrency, sum(len(m) for m in matches), tokens, wall), same


async def warm_up(base_url: str, model: dict[str, Any]) -> str:
    """Two untimed requests; the schema format the server takes: ``json_schema``, else ``json_object``.

    llama_cpp.server 0.3.x knows only ``text`` and ``json_object`` (with a ``schema``) and answers
    json_schema with HTTP 500. Arena's openai backend finds that out on its first structured call and
    switches; the raw side is told here, so both send the same requests from the first timed one.
    """
    import openai

    from arena.config.model_spec import ModelSpec
    from arena.games.negotiation.prompts import NEGOTIATION_REPLY
    from arena.llm.openai_chat import build_request

    spec = ModelSpec(**model)
    messages = [{"role": "user", "content": "Offer a price for a red balloon."}]
    client = openai.AsyncOpenAI(base_url=base_url, api_key="x", timeout=60.0, max_retries=0)
    try:
        plain = build_request(spec, messages, max_tokens=None, temperature=None, seed=1, stop=None, json_schema=None)
        await client.chat.completions.create(**plain)
        schema = NEGOTIATION_REPLY
        structured = build_request(spec, messages, max_tokens=None, temperature=None, seed=1, stop=None,
                                   json_schema=schema)
        try:
            await client.chat.completions.create(**structured)
        except openai.APIStatusError:
            return "json_object"
        return "json_schema"
    finally:
        await client.close()


# -- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="C=4 only, short matches (under a minute)")
    parser.add_argument("--concurrency", type=int, nargs="+", help="C values (default: 1 4; --quick: 4)")
    args = parser.parse_args()
    levels = args.concurrency or ([4] if args.quick else [1, 4])
    # (matches per run, turns per match, max_tokens); --quick: 3 passes of 12 requests, ~15 s each when quiet
    repeats, max_turns, max_tokens = (4, 3, 24) if args.quick else (8, 4, 32)
    # SIGTERM (kill, a CI timeout) should run the finally below too, not leave the server behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Ray workers import arena from PYTHONPATH when it is not installed (they inherit the raylet's environment).
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)

    t_script = time.perf_counter()
    busy_before = machine_busy()
    rows: list[Side] = []
    headline: dict[int, tuple[Side, Side, Side, float]] = {}
    same_total = raw_total = 0
    with tempfile.TemporaryDirectory(prefix="arena-saturation-") as tmp_name:
        tmp = Path(tmp_name)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}/v1"
        log = tmp / "server.log"
        proc = start_server(port, log)
        try:
            from arena.runtime.pool import start_ray

            start_ray()  # while the server loads its weights; Ray startup is never inside a measurement
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # again: ray.init installs its own
            wait_ready(proc, base_url, log)
            schema_format = asyncio.run(warm_up(base_url, model_block(base_url, max_tokens, "auto")))
            model = model_block(base_url, max_tokens, "auto")
            path = write_tournament(tmp, model, repeats, max_turns)
            for c in levels:
                mark = log.stat().st_size
                first, first_all, records = run_arena(path, tmp / "logs", f"c{c}-a", c)
                first.busy = first_all.busy = server_busy(log, mark)
                mark = log.stat().st_size
                raw, same = asyncio.run(run_raw(base_url, raw_matches(path, records, schema_format), c))
                raw.busy = server_busy(log, mark)
                mark = log.stat().st_size
                second, second_all, _ = run_arena(path, tmp / "logs", f"c{c}-b", c)
                second.busy = second_all.busy = server_busy(log, mark)
                same_total, raw_total = same_total + same, raw_total + raw.requests
                first.side, second.side = "arena run 1", "arena run 2"
                arena, whole = combine("arena", [first, second]), combine("arena+startup", [first_all, second_all])
                rows += [first, raw, second, arena, whole]
                drift = abs(first.tps - second.tps) / max(first.tps, second.tps, 1e-9)
                headline[c] = (arena, raw, whole, drift)
        finally:
            stop_server(proc)
    script_s = time.perf_counter() - t_script

    print(f"{'side':<14} {'C':>3} {'requests':>8} {'tokens':>7} {'wall s':>7} {'tok/s':>7} {'busy %':>6}")
    for r in rows:
        print(f"{r.side:<14} {r.concurrency:>3} {r.requests:>8} {r.tokens:>7} {r.wall:>7.1f} {r.tps:>7.1f} "
              f"{r.busy_pct:>6}")
    niceness = os.environ.get("RAY_worker_niceness", "15, Ray's default")
    print(f"(run 1, raw, run 2 in that order; arena = both runs timed from their first match's start, "
          f"arena+startup = their whole execute incl. player actor startup; per run {repeats} matches of <= "
          f"{max_turns} turns, max_tokens {max_tokens}, structured: {model['structured']}; Ray worker niceness "
          f"{niceness}; busy % = the server's logged generation time over the wall time)")
    if schema_format == "json_object":
        print("note: this llama_cpp.server refuses response_format json_schema (HTTP 500); Arena's players each "
              "spent one refused probe, then sent json_object + schema, as the raw side does throughout")
    before = "n/a" if busy_before is None else f"{100 * busy_before:.0f}%"
    quiet = "" if (busy_before or 0) < 0.15 else "  (something else was running: figures are noisy, rerun)"
    # structured replies are logged as the env action Arena made of the JSON, so only free text compares
    same_text = f"{same_total}/{raw_total}" if model["structured"] == "off" else "n/a"
    print(f"raw replies identical to Arena's (same prompts and seeds): {same_text}; CPU busy before start "
          f"{before}; script {script_s:.0f} s{quiet}")
    for c in levels:
        arena, raw, whole, drift = headline[c]
        lead = "summary: " if c == levels[-1] else ""
        noisy = f" (NOISY: Arena runs 1 and 2 differ by {100 * drift:.0f}%, rerun)" if drift > 0.2 else ""
        print(f"{lead}Arena {arena.tps:.1f} tok/s vs raw {raw.tps:.1f} tok/s at C={c}: ratio "
              f"{arena.tps / raw.tps:.2f} (target >= 0.9); with actor startup {whole.tps / raw.tps:.2f}; "
              f"server busy {arena.busy_pct}% vs {raw.busy_pct}%{noisy}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the server was stopped in main's finally
        sys.exit(130)
