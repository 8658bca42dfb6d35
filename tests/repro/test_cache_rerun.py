"""The call cache and ``arena rerun``: a run through the real SDKs against the local test server, then a
rerun with the server stopped gives equal outcomes and transcripts, and the server sees no request."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import negotiation_replies as replies
import pytest
from arena_cli import run_cli

from arena.config.model_spec import ModelSpec
from arena.llm.base import Call
from arena.llm.cache import CACHE_FILE, call_key
from arena.runlog import read_run

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon.yaml"
TIP = "TIP-REPRO: hold your price."
VOLATILE = ("run_id", "started_at", "finished_at", "duration_s")


def write_tournament(tmp_path: Path, base_url: str, rounds: int = 2) -> Path:
    for name, role in (("seller", "seller"), ("buyer", "buyer"), ("critic", "critic")):
        persona = "You are an expert negotiation coach." if role == "critic" else f"You trade as the {role}."
        (tmp_path / f"{name}.yaml").write_text(f"""schema_version: 1
name: llm-{name}
roles: [{role}]
policy:
  type: llm
  persona: "{persona}"
  model: {{backend: openai, model: fake-model, base_url: "{base_url}", api_key_env: ARENA_TEST_KEY,
          max_retries: 0, timeout_s: 5}}
""")
    path = tmp_path / "t.yaml"
    path.write_text(f"""schema_version: 1
name: repro
format: self_play
scenarios: ["{BALLOON}"]
players: {{seller: [seller.yaml], buyer: [buyer.yaml]}}
rounds: {rounds}
repeats: 2
feedback: {{advise: seller, critic: critic.yaml, arms: [ai]}}
""")
    return path


def counting(tip: str) -> Any:
    """The fixed negotiation, with a call counter in every message: a reply is never the same twice, so
    only a cache can give a rerun the original's transcripts."""
    base = replies.negotiator(tip)
    count = {"n": 0}

    def reply(request: dict, api: str) -> str:
        count["n"] += 1
        data = json.loads(base(request, api))
        if "message" in data:
            data["message"] += f" (call {count['n']})"
        return json.dumps(data)

    return reply


def comparable(run_dir: Path) -> dict[str, dict[str, Any]]:
    _, records = read_run(run_dir)
    return {r["match_id"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in records}


@pytest.fixture
def original(tmp_path: Path, fake_llm, ray_session, monkeypatch) -> Path:
    """A 4-match run with an AI critic through Ray actors and the real OpenAI SDK, cache written."""
    monkeypatch.setenv("ARENA_TEST_KEY", "sk-test-REPRO-1234")
    fake_llm.responder = counting(TIP)
    path = write_tournament(tmp_path, fake_llm.openai_base_url)
    assert run_cli("run", str(path), "--logs-dir", str(tmp_path / "logs"), "--run-id", "orig",
                   "--concurrency", "2") == 0
    return tmp_path / "logs" / "orig"


def test_rerun_with_the_server_stopped_equals_the_original(original: Path, fake_llm, capsys) -> None:
    served = len(fake_llm.requests)
    assert served == 10  # 2 series x (round 1: seller, buyer, critic; round 2: seller, buyer)
    fake_llm.stop()
    fake_llm.requests.clear()
    capsys.readouterr()
    assert run_cli("rerun", str(original), "--run-id", "again") == 0
    assert fake_llm.requests == []
    again = original.parent / "again"
    assert comparable(again) == comparable(original)
    assert "(call " in json.dumps(comparable(original))  # the counter made every reply unique
    header = json.loads((again / "run.json").read_text())
    assert header["parent"] == {"run_id": "orig", "run_dir": str(original), "kind": "rerun"}
    assert header["status"] == "finished"


def test_rerun_through_ray_actors_too(original: Path, fake_llm) -> None:
    fake_llm.stop()
    fake_llm.requests.clear()
    assert run_cli("rerun", str(original), "--run-id", "ray-again", "--ray") == 0
    assert fake_llm.requests == []
    assert comparable(original.parent / "ray-again") == comparable(original)


def test_a_call_missing_from_the_cache_is_one_line_naming_match_and_turn(original: Path, fake_llm, capsys) -> None:
    fake_llm.stop()
    with sqlite3.connect(original / CACHE_FILE) as db:  # forget the buyer's reply of one match
        rows = db.execute("SELECT key, request FROM calls").fetchall()
        victim = next(key for key, req in rows if "role of the buyer" in req)
        db.execute("DELETE FROM calls WHERE key = ?", (victim,))
    capsys.readouterr()
    assert run_cli("rerun", str(original), "--run-id", "holey") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert " turn 1 (buyer)" in err and ": match balloon.llm-seller.llm-buyer.ai.s" in err
    assert "not in" in err and CACHE_FILE in err


def test_cache_off_writes_no_store(tmp_path: Path, fake_llm, monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", "sk-test-REPRO-1234")
    fake_llm.responder = counting(TIP)
    path = write_tournament(tmp_path, fake_llm.openai_base_url, rounds=1)
    assert run_cli("run", str(path), "--local", "--cache", "off", "--logs-dir", str(tmp_path / "l"),
                   "--run-id", "x") == 0
    assert not (tmp_path / "l" / "x" / CACHE_FILE).exists()


def test_the_key_covers_what_decides_a_reply_and_never_the_key() -> None:
    spec = ModelSpec(backend="openai", model="m", base_url="http://h/v1", api_key_env="KEY_A")
    msgs = [{"role": "user", "content": "hi"}]
    key = call_key(spec, msgs, Call(seed=1))
    assert key == call_key(spec.model_copy(update={"api_key_env": "KEY_B"}), msgs, Call(seed=1))
    assert key == call_key(spec, msgs, Call(seed=1, temperature=0.7, max_tokens=64))  # the card's values
    for other in (call_key(spec, msgs, Call(seed=2)), call_key(spec, msgs, Call(seed=1, temperature=0.0)),
                  call_key(spec, [{"role": "user", "content": "hi!"}], Call(seed=1)),
                  call_key(spec.model_copy(update={"base_url": "http://g/v1"}), msgs, Call(seed=1)),
                  call_key(spec, msgs, Call(seed=1, json_schema={"type": "object"}))):
        assert other != key


def test_two_identical_calls_in_flight_get_the_one_reply_the_cache_keeps(tmp_path: Path, monkeypatch) -> None:
    """A sampling backend can answer the same call twice differently; the run must say what its cache says."""
    import asyncio

    from fake_llm_server import FakeLLMServer

    from arena.llm import make_model
    from arena.llm.cache import CallStore, activate

    server = FakeLLMServer(reply_delay=0.3).start()  # replies "reply <n> ...": never the same twice
    try:
        spec = ModelSpec(backend="openai", model="m", base_url=server.openai_base_url, structured="off")
        model = make_model(spec)
        store = CallStore(tmp_path / CACHE_FILE)
        msgs = [{"role": "user", "content": "same"}]

        async def both() -> list[Any]:
            return list(await asyncio.gather(model.complete(msgs, seed=1), model.complete(msgs, seed=1)))

        with activate(store, "write"):
            first, second = asyncio.run(both())
    finally:
        server.stop()
    assert len(server.requests) == 2  # both missed and called the model
    assert first.text == second.text and first.text.startswith("reply ")
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        (stored,) = db.execute("SELECT completion FROM calls").fetchall()
    assert json.loads(stored[0])["text"] == first.text
