"""``arena export``: SFT, preference and trajectory files from a run through the real OpenAI SDK against the
local test server, each line checked against the shipped JSON Schema; pairs pinned by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from arena_cli import run_cli

from arena.export import FORMATS, preference, schema, trajectories

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon.yaml"
TIP = "TIP-EXPORT: come down a dollar."


def responder(request: dict, api: str) -> str:
    """The seller asks $16, or $15 once the critic's tip is in its prompt; the buyer accepts either."""
    text = json.dumps(request)
    if "negotiation coach" in text:
        return json.dumps({"tip1": TIP, "tip2": "Open with the item's value.", "tip3": "Stay polite."})
    if "role of the seller" in text:
        price = 15 if TIP in text else 16
        return json.dumps({"offer": price, "accept": False, "message": f"Yours for {price}."})
    return json.dumps({"offer": 12, "accept": "$15" in text or "$16" in text, "message": "Fine."})


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two series (arms none and ai, the same seeds), two rounds each, in-process."""
    from fake_llm_server import FakeLLMServer

    tmp = tmp_path_factory.mktemp("export")
    server = FakeLLMServer().start()
    server.responder = responder
    try:
        for name, role in (("seller", "seller"), ("buyer", "buyer"), ("critic", "critic")):
            persona = "You are an expert negotiation coach." if role == "critic" else f"You trade as the {role}."
            (tmp / f"{name}.yaml").write_text(f"""schema_version: 1
name: llm-{name}
roles: [{role}]
policy:
  type: llm
  persona: "{persona}"
  model: {{backend: openai, model: fake-model, base_url: "{server.openai_base_url}", max_retries: 0, timeout_s: 5}}
""")
        (tmp / "t.yaml").write_text(f"""schema_version: 1
name: export
format: self_play
scenarios: ["{BALLOON}"]
players: {{seller: [seller.yaml], buyer: [buyer.yaml]}}
rounds: 2
repeats: 1
feedback: {{advise: seller, critic: critic.yaml, arms: [none, ai]}}
""")
        assert run_cli("run", str(tmp / "t.yaml"), "--local", "--logs-dir", str(tmp / "logs"), "--run-id", "x") == 0
    finally:
        server.stop()
    return tmp / "logs" / "x"


def export_lines(run_dir: Path, tmp_path: Path, fmt: str, *extra: str) -> list[dict[str, Any]]:
    out = tmp_path / f"{fmt}.jsonl"
    assert run_cli("export", str(run_dir), "--format", fmt, "--out", str(out), *extra) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    validator = jsonschema.Draft202012Validator(schema(fmt))
    for line in lines:
        validator.validate(line)
    return lines


def test_every_format_validates_against_its_schema(run_dir: Path, tmp_path: Path) -> None:
    for fmt in FORMATS:
        jsonschema.Draft202012Validator.check_schema(schema(fmt))
        assert export_lines(run_dir, tmp_path, fmt), fmt


def test_sft_is_the_prompt_the_player_saw_then_its_move(run_dir: Path, tmp_path: Path) -> None:
    lines = export_lines(run_dir, tmp_path, "sft", "--role", "seller")
    assert len(lines) == 4  # 4 matches, one seller turn each
    by = {(x["meta"]["match_id"], x["meta"]["turn"]): x for x in lines}
    coached = by[("balloon.llm-seller.llm-buyer.ai.s0.r2", 0)]["messages"]
    assert [m["role"] for m in coached] == ["system", "user", "assistant"]
    assert TIP in coached[0]["content"]  # the memory (the critic's advice) was in the prompt
    assert coached[-1]["content"] == "[OFFER $15] Yours for 15."  # the move as the env took it
    # the seller's reward is its share of the surplus: (15 - 10) / (20 - 10) = 0.5 on balloon.yaml
    assert by[("balloon.llm-seller.llm-buyer.ai.s0.r2", 0)]["meta"]["reward"] == 0.5
    assert by[("balloon.llm-seller.llm-buyer.none.s0.r2", 0)]["meta"]["reward"] == 0.6
    assert TIP not in json.dumps(by[("balloon.llm-seller.llm-buyer.none.s0.r2", 0)]["messages"])
    assert export_lines(run_dir, tmp_path, "sft", "--role", "seller", "--min-reward", "1000") == []


def test_preference_pairs_same_seed_and_before_after_feedback(run_dir: Path, tmp_path: Path) -> None:
    lines = export_lines(run_dir, tmp_path, "preference", "--role", "seller")
    ai, none = "balloon.llm-seller.llm-buyer.ai.s0", "balloon.llm-seller.llm-buyer.none.s0"
    pairs = sorted((x["meta"]["kind"], x["meta"]["chosen_match"], x["meta"]["rejected_match"]) for x in lines)
    # r2 of arm none ($16) beats r2 of arm ai ($15) at the same seed; r1 of arm ai ($16) beats its own r2
    assert pairs == [("before_after_feedback", f"{ai}.r1", f"{ai}.r2"), ("same_seed", f"{none}.r2", f"{ai}.r2")]
    for x in lines:
        assert TIP not in json.dumps(x["prompt"])  # the memory is cut out of the shared prompt
        assert x["meta"]["chosen_reward"] > x["meta"]["rejected_reward"]
        assert "16" in x["chosen"][0]["content"] and "15" in x["rejected"][0]["content"]


def turn(t: int, role: str, text: str, system: str) -> dict[str, Any]:
    return {"turn": t, "role": role, "agent": role, "text": text,
            "prompt": [{"role": "system", "content": system}, {"role": "user", "content": "go"}], "payload": {}}


def record(mid: str, seed: int, reward: float, text: str, memory: str = "", series: str = "s", round_: int = 1) -> dict:
    system = "You sell." + (f"\n\n{memory}" if memory else "")
    return {"status": "ok", "match_id": mid, "series_id": series, "scenario": "b", "game": "negotiation",
            "arm": "none", "round": round_, "seed": seed, "agents": {"seller": "a", "buyer": "b"},
            "rewards": {"seller": reward, "buyer": -reward}, "outcome": {}, "memory_before": {"seller": memory},
            "transcript": [turn(0, "seller", text, system)], "feedback": {}}


def test_preference_by_hand() -> None:
    records = [record("m1", 7, 4.0, "ask 12", series="x"), record("m2", 7, 6.0, "ask 16", "Round 1: no deal", "y"),
               record("m3", 7, 6.0, "ask 17", series="z"), record("m4", 8, 1.0, "ask 9", series="w")]
    pairs = list(preference(records, "seller"))
    # m1 vs m2 and m1 vs m3 (same seed, 6 > 4); m2 vs m3 tie; m4 has another seed and another series
    assert [(p["meta"]["chosen_match"], p["meta"]["rejected_match"]) for p in pairs] == [("m2", "m1"), ("m3", "m1")]
    assert pairs[0]["prompt"][0]["content"] == "You sell."
    assert list(preference(records, "seller", min_reward=7.0)) == []


def test_trajectory_rewards_are_sparse_and_sum_to_the_match_reward() -> None:
    rec = record("m1", 7, 4.0, "ask 12")
    rec["transcript"] += [turn(1, "buyer", "bid 9", "You buy."), turn(2, "seller", "ask 11", "You sell.")]
    (episode,) = trajectories([rec])
    assert [(s["role"], s["reward"], s["done"]) for s in episode["steps"]] == [
        ("seller", 0.0, False), ("buyer", -4.0, False), ("seller", 4.0, True)]
    assert list(trajectories([rec], "buyer", min_reward=0.0)) == []


def test_unknown_role_is_one_line(run_dir: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert run_cli("export", str(run_dir), "--format", "sft", "--out", str(tmp_path / "o"), "--role", "pirate") == 2
    assert capsys.readouterr().err.strip() == "--role 'pirate': the run's roles are buyer, seller"
