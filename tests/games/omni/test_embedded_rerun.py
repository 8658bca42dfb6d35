"""A curriculum with the embedded SmolLM2 as learner and as the omni_generate teacher's generator replays
from its seed: two runs in one process give the same records (transcripts, prompts' memory, outcomes).

Both runs share the process's one loaded model, so the second starts from the KV cache and the sampler
state the first left behind: a call without its own seed (it would take the model's next seed) or a reply
that depends on the call before it (arena/llm/embedded.py) shows here as a changed record. A report that
curriculum.yaml's successes differ between runs was checked this way (seeds 1 and 7, --local and Ray,
1 to 4 series in flight, runs under load): the records were identical; the figures that differed came from
runs of different code.
"""

from __future__ import annotations

import json
from pathlib import Path

from arena.config import load_tournament
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new
from tests.games.omni.test_series import tournament as scripted_tournament

ROOT = Path(__file__).resolve().parents[3]
VOLATILE = {"started_at", "finished_at", "duration_s", "run_id", "match_id", "latency_s"}


def tournament(tmp_path: Path) -> Path:
    """curriculum.yaml cut to the generating teacher x 3 episodes (its one proposal is episode 3's move)."""
    return scripted_tournament(tmp_path, name="omni-embedded-rerun", scenario="small-pool-generated.yaml",
                               teachers=("omni-teacher-omni-generate",), learner="smollm2-student", rounds=3, seed=7)


def scrub(record: dict) -> dict:
    return json.loads(json.dumps(record), object_hook=lambda d: {k: v for k, v in d.items() if k not in VOLATILE})


def play(tmp_path: Path, run_id: str) -> list[dict]:
    prepared = prepare_new(load_tournament(tournament(tmp_path)), tmp_path / "logs", run_id)
    summary = execute(prepared, RunOptions(local=True))
    assert summary.ok == 3 and not summary.errors
    return sorted(read_run(prepared.log.dir)[1], key=lambda r: r["round"])


def test_two_runs_of_an_embedded_curriculum_give_the_same_records(tmp_path: Path) -> None:
    first, second = play(tmp_path, "first"), play(tmp_path, "second")
    proposal = first[2]["transcript"][0]
    assert proposal["role"] == "teacher" and not proposal["text"].startswith("proposer failed")
    assert any(e["kind"] in ("admitted", "uninteresting", "invalid_spec") for e in first[2]["outcome"]["events"])
    learner_texts = [t["text"] for r in first for t in r["transcript"] if t["role"] == "learner"]
    assert len(learner_texts) == 3 and all(learner_texts)
    assert [scrub(r) for r in second] == [scrub(r) for r in first]
