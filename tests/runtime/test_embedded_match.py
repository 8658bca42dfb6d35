"""The real embedded SmolLM2 plays a short match through Ray (no server, no key, no network)."""

from __future__ import annotations

from pathlib import Path

from arena.config import load_tournament
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[2]


def test_smollm2_short_match_logs_real_utterances(tmp_path: Path, ray_session) -> None:
    scenario = (ROOT / "scenarios/negotiation/balloon.yaml").read_text().replace("max_turns: 20", "max_turns: 4")
    (tmp_path / "short.yaml").write_text(scenario)
    cards = []
    for role in ("seller", "buyer"):
        text = (ROOT / f"agents/smollm2-{role}.yaml").read_text()
        text = text.replace("max_tokens: 60", "max_tokens: 40\n    n_threads: 1")
        (tmp_path / f"{role}.yaml").write_text(text)
        cards.append(f"{role}.yaml")
    (tmp_path / "t.yaml").write_text(
        "schema_version: 1\nname: smoke\nscenarios: [short.yaml]\n"
        f"players: {{seller: [{cards[0]}], buyer: [{cards[1]}]}}\n"
    )
    prepared = prepare_new(load_tournament(tmp_path / "t.yaml"), tmp_path / "logs", "smoke")
    summary = execute(prepared, RunOptions(concurrency=1))
    assert summary.ok == 1
    _, [record] = read_run(prepared.log.dir)
    assert 1 <= len(record["transcript"]) <= 4
    assert all(turn["text"].strip() for turn in record["transcript"])
    assert record["usage"]["seller"]["completion_tokens"] > 0
    assert {turn["player_how"] for turn in record["transcript"]} <= {"structured", "text"}
