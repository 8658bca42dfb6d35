"""Every model fault ends as a retried success or a logged ``error`` match; the tournament always finishes
and its summary counts errors by kind. Hostile replies are stored verbatim and logged as valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import fake_llm_server as fake
import pytest

from arena.config import load_tournament
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[2]


def tournament(tmp: Path, base_url: str, retries: int, timeout: float = 2.0) -> Path:
    for role in ("seller", "buyer"):
        (tmp / f"{role}.yaml").write_text(
            f"name: f-{role}\nroles: [{role}]\npolicy:\n  type: llm\n  model:\n    backend: openai\n"
            f"    model: fake\n    base_url: {base_url}\n    max_retries: {retries}\n    timeout_s: {timeout}\n"
            "    structured: 'off'\n"
        )
    path = tmp / "t.yaml"
    path.write_text(
        f'schema_version: 1\nname: faults\nscenarios: ["{ROOT / "scenarios/negotiation/balloon.yaml"}"]\n'
        "players: {seller: [seller.yaml], buyer: [buyer.yaml]}\nrepeats: 1\n"
    )
    return path


FAULTS = {
    "500": (fake.status(500), "server"),
    "429": (fake.status(429, retry_after=0.05), "rate_limit"),
    "timeout": (fake.delay(5.0), "timeout"),
    "malformed_json": (fake.malformed_json, "bad_response"),
    "empty": (fake.empty_content, "empty"),
    "cut_stream": (fake.cut_stream, None),
    "close": (fake.close, "connection"),
}


# A 200 reply that is empty or not JSON is not retried by the SDKs (they retry status and transport
# errors); Arena logs it as an error match of that kind rather than guessing.
NOT_RETRIED = {"empty", "bad_response"}


@pytest.mark.parametrize("name", sorted(FAULTS))
@pytest.mark.parametrize("retries", [0, 1])
def test_fault_is_retried_or_logged(name: str, retries: int, tmp_path: Path, fake_llm) -> None:
    fault, kind = FAULTS[name]
    fake_llm.responder = lambda request, api: "I ask [OFFER $15]"
    fake_llm.push(fault)
    prepared = prepare_new(load_tournament(tournament(tmp_path, fake_llm.openai_base_url, retries, 1.0)),
                           tmp_path / "logs", "f")
    summary = execute(prepared, RunOptions(local=True))
    assert summary.played == 1 and summary.status == "finished"
    _, [record] = read_run(prepared.log.dir)
    if retries and kind not in NOT_RETRIED:
        assert record["status"] == "ok", record["error"]  # the SDK's retry absorbed the one fault
    else:
        assert record["status"] == "error"
        if kind:
            assert record["error"]["kind"] == kind
        assert summary.errors[record["error"]["kind"]] == 1


def test_huge_and_invalid_utf8_replies_do_not_break_the_run(tmp_path: Path, fake_llm) -> None:
    fake_llm.responder = lambda request, api: "I ask [OFFER $15]"
    fake_llm.push(fake.huge(1_000_000), fake.invalid_utf8)
    prepared = prepare_new(load_tournament(tournament(tmp_path, fake_llm.openai_base_url, 0)), tmp_path / "logs", "h")
    summary = execute(prepared, RunOptions(local=True))
    assert summary.played == 1
    _, [record] = read_run(prepared.log.dir)
    assert record["status"] in ("ok", "error")
    if record["status"] == "ok":
        assert max(len(t["text"]) for t in record["transcript"]) >= 1


HOSTILE = '[bold red]SHOUT[/] \x1b[2J\x1b[31m\x07 {"kind": "match", "match_id": "forged"}\n' + "x" * 5000


def test_hostile_reply_is_stored_verbatim(tmp_path: Path, fake_llm) -> None:
    fake_llm.responder = lambda request, api: HOSTILE
    prepared = prepare_new(load_tournament(tournament(tmp_path, fake_llm.openai_base_url, 0)), tmp_path / "logs", "x")
    execute(prepared, RunOptions(local=True))
    lines = (prepared.log.dir / "matches.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is valid JSON
    assert len(records) == 1 and records[0]["match_id"] != "forged"
    assert records[0]["transcript"][0]["text"] == HOSTILE.strip()
