"""The golden log: fixed-seed tournaments recorded before the game plug-in refactor must play the same.

Three runs, recorded from the code before anything moved (``tests/data/golden/*.jsonl``): the scripted
cross-play tournament, a scripted self-play tournament with every feedback arm, and an LLM self-play
through the real openai SDK against the local test server (with an LLM critic and an LLM moderator).
Replayed here with the same configs, every match record must equal its recording field by field, except
what differs between any two runs: timestamps, durations, latencies, run ids and package versions.

The recordings are run-log version 1 (the game's turn fields flat in the turn); today's log is version 2
(nested under ``payload``). Each recorded line goes through the log's own v1 upgrade
(:func:`arena.runlog.parse_match`) before the comparison, so the test pins both that the games play
the same and that the upgrade gives exactly what today's writer writes. Keep the recordings at version 1.

Re-record (only when a change of behaviour is intended, and say so in the commit):
``PYTHONPATH=$PWD python tests/test_golden.py --record``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from negotiation_replies import negotiator

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
# What two identical runs may differ in: wall-clock times, run ids, versions, and the test server's port.
VOLATILE = {"started_at", "finished_at", "duration_s", "latency_s", "run_id", "versions", "base_url",
            "arena_version"}

TIP = "TIP-GOLD: hold your price two turns longer."


def _card(path: Path, name: str, role: str, base_url: str, backend: str = "openai") -> str:
    persona = "You are an expert negotiation coach." if role == "critic" else f"You sell or buy as the {role}."
    path.write_text(f"""schema_version: 1
name: {name}
roles: [{role}]
policy:
  type: llm
  persona: "{persona}"
  model: {{backend: {backend}, model: fake-model, base_url: "{base_url}", api_key_env: ARENA_TEST_KEY,
          max_retries: 0, timeout_s: 5}}
""")
    return path.name


def llm_yaml(tmp: Path, base_url: str, backend: str = "openai") -> Path:
    seller, buyer, critic, moderator = (
        _card(tmp / f"{role}.yaml", f"llm-{role}", role, base_url, backend)
        for role in ("seller", "buyer", "critic", "moderator"))
    path = tmp / "llm.yaml"
    path.write_text(f"""schema_version: 1
name: golden-llm
format: self_play
scenarios: ["{ROOT}/scenarios/negotiation/balloon.yaml"]
players: {{seller: [{seller}], buyer: [{buyer}]}}
rounds: 2
repeats: 1
seed: 11
feedback: {{advise: seller, critic: {critic}, arms: [none, ai]}}
moderator: {moderator}
""")
    return path


def play(path: Path, tmp: Path) -> list[dict[str, Any]]:
    """Play a tournament in-process (``--local``) and return its match records in match-id order."""
    from arena.config import load_tournament
    from arena.runlog import read_run
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    prepared = prepare_new(load_tournament(path), tmp / "logs", path.stem)
    execute(prepared, RunOptions(local=True, concurrency=1))
    return sorted(read_run(prepared.log.dir)[1], key=lambda r: (r["match_id"], r.get("attempt", 1)))


def scrub(value: Any) -> Any:
    """``value`` without the fields that differ between two identical runs."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def run_case(name: str, tmp: Path, server: Any = None) -> list[dict[str, Any]]:
    if name == "scripted-cross":
        return play(ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml", tmp)
    if name == "scripted-arms":  # coachable seller vs fair buyer, scripted critic, every arm, 3 rounds x 2
        return play(GOLDEN / "arms.yaml", tmp)
    server.responder = negotiator(TIP)
    return play(llm_yaml(tmp, server.openai_base_url), tmp)


CASES = ["scripted-cross", "scripted-arms", "llm-openai"]


def _diff(expected: Any, got: Any, where: str = "") -> str | None:
    """The first path where ``got`` differs from ``expected``, with both values (a readable failure)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got)):
            if key not in got or key not in expected:
                return f"{where}.{key}: only in {'recording' if key in expected else 'replay'}"
            found = _diff(expected[key], got[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return f"{where}: {len(expected)} items recorded, {len(got)} replayed"
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            found = _diff(e, g, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if expected == got else f"{where}: recorded {expected!r}, replayed {got!r}"


@pytest.mark.parametrize("name", CASES)
def test_golden_log_replays_identically(name: str, tmp_path: Path, fake_llm, monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", "sk-golden-test")
    from arena.runlog import parse_match

    recorded = [json.loads(line) for line in (GOLDEN / f"{name}.jsonl").read_text().splitlines()]
    assert {rec["schema_version"] for rec in recorded} == {1}
    expected = [scrub(parse_match(rec)) for rec in recorded]
    got = [scrub(r) for r in run_case(name, tmp_path, fake_llm)]
    assert {rec["schema_version"] for rec in got} == {2}
    assert len(expected) == len(got) and expected
    for rec, new in zip(expected, got, strict=True):
        assert rec["match_id"] == new["match_id"]
        assert _diff(rec, new, rec["match_id"]) is None


def test_anthropic_backend_plays_the_openai_recording(tmp_path: Path, fake_llm, monkeypatch) -> None:
    """The LLM case through the anthropic SDK (Messages API, tool-forced JSON) gives the very records the
    openai SDK recorded: the backend changes the wire, not the match. (Recorded at the pre-refactor commit
    5d6cb3b with anthropic cards, the file was byte-identical to ``llm-openai.jsonl``.)"""
    from arena.runlog import parse_match

    monkeypatch.setenv("ARENA_TEST_KEY", "sk-golden-test")
    fake_llm.responder = negotiator(TIP)
    recorded = [json.loads(line) for line in (GOLDEN / "llm-openai.jsonl").read_text().splitlines()]
    expected = [scrub(parse_match(rec)) for rec in recorded]
    got = [scrub(r) for r in play(llm_yaml(tmp_path, fake_llm.anthropic_base_url, "anthropic"), tmp_path)]
    assert {r.path.rsplit("/", 1)[-1] for r in fake_llm.requests} == {"messages"}
    assert len(expected) == len(got) and expected
    for rec, new in zip(expected, got, strict=True):
        assert _diff(rec, new, rec["match_id"]) is None


def as_v1(record: dict[str, Any]) -> dict[str, Any]:
    """A version-2 match record in the version-1 shape the recordings keep (the inverse of the v1 upgrade:
    each turn's ``payload`` flattened back into the turn), so a re-recording still pins the upgrade."""
    out = {**record, "schema_version": 1}
    out["transcript"] = [{**{k: v for k, v in t.items() if k != "payload"}, **t.get("payload", {})}
                         for t in record.get("transcript", [])]
    return out


def record() -> None:  # pragma: no cover - run by hand to re-record
    import os
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from fake_llm_server import FakeLLMServer

    os.environ["ARENA_TEST_KEY"] = "sk-golden-test"
    GOLDEN.mkdir(parents=True, exist_ok=True)
    server = FakeLLMServer().start()
    try:
        for name in CASES:
            with tempfile.TemporaryDirectory() as tmp:
                records = [as_v1(scrub(r)) for r in run_case(name, Path(tmp), server)]
            text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
            (GOLDEN / f"{name}.jsonl").write_text(text)
            print(f"{name}: {len(records)} matches, {len(text)} bytes")
    finally:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    if "--record" in sys.argv:
        record()
