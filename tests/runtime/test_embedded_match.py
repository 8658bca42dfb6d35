"""The real embedded SmolLM2 plays the README's main job, shrunk, through Ray (no server, no key, no network).

One test on purpose: every embedded call costs about a second on a CI core, so it covers the players'
real utterances and usage, the critic's advice and the offers' bounds in one short tournament.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from arena.config import load_tournament
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[2]


def test_the_main_jobs_own_cards_play_a_short_feedback_tournament(tmp_path: Path, ray_session) -> None:
    """The README's main job, shrunk (2 rounds x 1 repeat, 2 utterances a match), with its cards as shipped:
    every match ends ok, the critic advises the ai arm, and every offer lies within its role's bounds."""
    job_file = ROOT / "scenarios/negotiation/balloon-feedback.yaml"
    job = yaml.safe_load(job_file.read_text())
    [scenario] = job["scenarios"]
    text = (job_file.parent / scenario).read_text()
    (tmp_path / "short.yaml").write_text(text.replace("max_turns: 20", "max_turns: 2"))
    here = job_file.parent
    cards = {role: [str((here / card).resolve()) for card in paths] for role, paths in job["players"].items()}
    feedback = {**job["feedback"], "critic": str((here / job["feedback"]["critic"]).resolve())}
    short = {**job, "name": "main-job-smoke", "scenarios": ["short.yaml"], "players": cards, "feedback": feedback,
             "rounds": 2, "repeats": 1}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(short))
    prepared = prepare_new(load_tournament(tmp_path / "t.yaml"), tmp_path / "logs", "smoke")
    summary = execute(prepared, RunOptions(concurrency=2))
    _, records = read_run(prepared.log.dir)
    assert summary.ok == len(records) == 2 * len(job["feedback"]["arms"])
    [advised] = [r for r in records if r["arm"] == "ai" and r["round"] == 1]
    assert advised["feedback"]["seller"]["suggestions"] and "error" not in advised["feedback"]["seller"]
    bounds = {"seller": (11, 19), "buyer": (11, 19)}  # balloon: the briefs' whole prices strictly inside $10-$20
    turns = [turn for record in records for turn in record["transcript"]]
    assert turns and all(turn["player_how"] == "structured" and turn["text"].strip() for turn in turns)
    assert all(bounds[turn["role"]][0] <= turn["payload"]["offer"] <= bounds[turn["role"]][1]
               for turn in turns if turn["payload"]["offer"] is not None)
    assert any(turn["payload"]["offer"] is not None for turn in turns)
    assert all(record["usage"]["seller"]["completion_tokens"] > 0 for record in records)
