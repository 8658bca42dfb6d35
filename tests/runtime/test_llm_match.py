"""LLM players and critics through Ray actors, talking through the real SDKs to a local server.

The fake server plays a fixed negotiation: the seller asks $16, the buyer bids $12 and accepts once $16
is on the table, and the critic's tips carry a marker so the tests can see exactly which prompts
contained them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import negotiation_replies as replies
import pytest
from fake_llm_server import status

from arena.config import load_tournament
from arena.runlog import MATCHES_FILE, read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new, prepare_resume

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon.yaml"
TIP = "TIP-ALPHA: hold your price two turns longer."
SECRET = "sk-test-DO-NOT-LOG-4242"


negotiator = replies.negotiator(TIP)


def card(path: Path, name: str, role: str, backend: str, base_url: str, extra: str = "") -> str:
    persona = "You are an expert negotiation coach." if role == "critic" else f"You sell or buy as the {role}."
    path.write_text(
        f"""schema_version: 1
name: {name}
roles: [{role}]
policy:
  type: llm
  persona: "{persona}"
  model:
    backend: {backend}
    model: fake-model
    base_url: "{base_url}"
    api_key_env: ARENA_TEST_KEY
    max_retries: 0
    timeout_s: 5
{extra}"""
    )
    return path.name


def tournament(tmp_path: Path, base_url: str, backend: str, rounds: int = 2, arms: str = "[ai]") -> Path:
    seller = card(tmp_path / "seller.yaml", "llm-seller", "seller", backend, base_url)
    buyer = card(tmp_path / "buyer.yaml", "llm-buyer", "buyer", backend, base_url)
    critic = card(tmp_path / "critic.yaml", "llm-critic", "critic", backend, base_url)
    path = tmp_path / "t.yaml"
    path.write_text(
        f"""schema_version: 1
name: llm-{backend}
format: self_play
scenarios: ["{BALLOON}"]
players: {{seller: [{seller}], buyer: [{buyer}]}}
rounds: {rounds}
repeats: 2
feedback: {{advise: seller, critic: {critic}, arms: {arms}}}
"""
    )
    return path


def base_url(fake_llm, backend: str) -> str:
    return fake_llm.openai_base_url if backend == "openai" else fake_llm.anthropic_base_url


def seller_prompts(fake_llm) -> list[str]:
    return [json.dumps(r.json) for r in fake_llm.requests
            if "role of the seller" in json.dumps(r.json)]


@pytest.mark.parametrize("backend", ["openai", "anthropic"])
def test_llm_match_through_ray(backend: str, tmp_path: Path, fake_llm, ray_session, monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)
    fake_llm.responder = negotiator
    prepared = prepare_new(load_tournament(tournament(tmp_path, base_url(fake_llm, backend), backend)),
                           tmp_path / "logs", "r")
    summary = execute(prepared, RunOptions(concurrency=2))
    assert summary.ok == 4 and not summary.errors
    _, records = read_run(prepared.log.dir)
    for rec in records:
        assert rec["outcome"]["deal"] and rec["outcome"]["price"] == 16
        assert [t["player_how"] for t in rec["transcript"]] == ["structured"] * 2  # seller asks $16, buyer accepts
        assert rec["usage"]["seller"]["calls"] == 1 and rec["usage"]["seller"]["completion_tokens"] > 0
    # the key went over the wire, but nowhere into the logs
    assert any(SECRET in json.dumps(r.headers) for r in fake_llm.requests)
    for file in prepared.log.dir.iterdir():
        assert SECRET not in file.read_text(errors="replace")


def test_feedback_after_round_k_is_in_the_prompt_of_round_k_plus_1(tmp_path: Path, fake_llm, ray_session,
                                                                     monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)
    fake_llm.responder = negotiator
    path = tournament(tmp_path, fake_llm.openai_base_url, "openai", rounds=3, arms="[none, ai]")
    prepared = prepare_new(load_tournament(path), tmp_path / "logs", "mem")
    execute(prepared, RunOptions(concurrency=1))
    _, records = read_run(prepared.log.dir)
    by_id = {r["match_id"]: r for r in records}
    ai = "balloon.llm-seller.llm-buyer.ai.s0"
    assert TIP in by_id[f"{ai}.r1"]["feedback"]["seller"]["suggestions"]
    assert TIP not in by_id[f"{ai}.r1"]["memory_before"].get("seller", "")
    assert TIP in by_id[f"{ai}.r2"]["memory_before"]["seller"]
    assert by_id[f"{ai}.r3"]["memory_before"]["seller"].count("TIP-ALPHA") == 2  # advice accumulates
    none = "balloon.llm-seller.llm-buyer.none.s0"
    assert "Round 1: Deal at $16" in by_id[f"{none}.r2"]["memory_before"]["seller"]
    assert TIP not in by_id[f"{none}.r3"]["memory_before"]["seller"]
    # and it really was sent: the request of round 2's seller turn carried the tip
    prompts = seller_prompts(fake_llm)
    assert any(TIP in p for p in prompts) and any(TIP not in p for p in prompts)


def test_resumed_run_sends_the_same_prompts(tmp_path: Path, fake_llm, ray_session, monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)
    fake_llm.responder = negotiator
    path = tournament(tmp_path, fake_llm.openai_base_url, "openai", rounds=2, arms="[ai]")
    full = prepare_new(load_tournament(path), tmp_path / "logs", "full")
    execute(full, RunOptions(concurrency=1))
    uninterrupted = [p for p in seller_prompts(fake_llm) if TIP in p]

    crashed = tmp_path / "logs" / "crashed"
    shutil.copytree(full.log.dir, crashed)
    lines = (crashed / MATCHES_FILE).read_text().splitlines(keepends=True)
    round1 = [ln for ln in lines if json.loads(ln)["round"] == 1]
    (crashed / MATCHES_FILE).write_text("".join(round1))
    fake_llm.requests.clear()
    summary = execute(prepare_resume(crashed), RunOptions(concurrency=1))
    assert summary.played == 2
    resumed = [p for p in seller_prompts(fake_llm) if TIP in p]
    assert sorted(resumed) == sorted(uninterrupted) and resumed


def test_server_errors_end_as_logged_error_matches(tmp_path: Path, fake_llm, ray_session, monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)
    fake_llm.responder = negotiator
    fake_llm.push(*[status(500)] * 3)
    path = tournament(tmp_path, fake_llm.openai_base_url, "openai", rounds=1, arms="[none]")
    prepared = prepare_new(load_tournament(path), tmp_path / "logs", "err")
    summary = execute(prepared, RunOptions(concurrency=1))
    assert summary.played == 2
    assert summary.errors["server"] >= 1
    _, records = read_run(prepared.log.dir)
    errors = [r for r in records if r["status"] == "error"]
    assert errors and errors[0]["error"]["kind"] == "server" and errors[0]["error"]["role"] in ("seller", "buyer")
    assert SECRET not in (prepared.log.dir / MATCHES_FILE).read_text()


def test_missing_key_fails_before_any_match(tmp_path: Path, fake_llm, monkeypatch) -> None:
    from arena.errors import ConfigError

    monkeypatch.delenv("ARENA_TEST_KEY", raising=False)
    path = tournament(tmp_path, fake_llm.openai_base_url, "openai", rounds=1, arms="[none]")
    with pytest.raises(ConfigError, match=r"seller.yaml: policy.model.api_key_env: .*ARENA_TEST_KEY is not set"):
        prepare_new(load_tournament(path), tmp_path / "logs", "nokey")
    assert not (tmp_path / "logs").exists()


def test_unreachable_server_fails_before_any_match(tmp_path: Path, monkeypatch) -> None:
    from arena.errors import ConfigError

    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)
    path = tournament(tmp_path, "http://127.0.0.1:9/v1", "openai", rounds=1, arms="[none]")
    with pytest.raises(ConfigError, match=r"cannot connect to http://127.0.0.1:9/v1"):
        prepare_new(load_tournament(path), tmp_path / "logs", "down")
    assert not (tmp_path / "logs").exists()


def test_llm_moderator_verdict_is_logged_beside_the_parser(tmp_path: Path, fake_llm, ray_session,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)

    def with_moderator(request: dict, api: str) -> str:
        if "moderator of a bargaining game" in json.dumps(request):
            return json.dumps({"state": "deal", "price": 16})
        return negotiator(request, api)

    fake_llm.responder = with_moderator
    path = tournament(tmp_path, fake_llm.openai_base_url, "openai", rounds=1, arms="[none]")
    card(tmp_path / "moderator.yaml", "llm-moderator", "moderator", "openai", fake_llm.openai_base_url)
    path.write_text(path.read_text() + "moderator: moderator.yaml\n")
    prepared = prepare_new(load_tournament(path), tmp_path / "logs", "judge")
    execute(prepared, RunOptions(concurrency=2))
    _, records = read_run(prepared.log.dir)
    assert len(records) == 2
    for rec in records:
        verdict = rec["outcome"]["moderator"]
        assert verdict["source"] == "llm" and verdict["state"] == "deal" and verdict["price"] == 16
        assert verdict["agrees"] is True
