"""IMBUE's two conditions, deterministic: a scripted learner that adopts its coach's advice, coached after
each turn (arm ``ai`` with ``when: after_turn``, IMBUE's ``jit``) or not at all (``none``), on the practice
tournament; then each learner plays the harder transfer scenario with its practice memory and no coach.

The jit arm beats none on mastery in practice and in transfer, by the exact paired sign-flip test (Holm
over the two) with p < 0.05. The transfer round is played here with the runtime's own ``play_match``:
the tournament config has no transfer step yet (see the README section "DEAR MAN").
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

from arena.agents.factory import build_player
from arena.analysis.stats import holm, sign_flip_p
from arena.config import load_tournament
from arena.memory import Memory
from arena.runlog import read_run
from arena.runtime.match import MatchContext, SeriesState, play_match
from arena.runtime.pool import RunOptions
from arena.schedule import plan
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[3]
PRACTICE = ROOT / "scenarios" / "dearman" / "practice.yaml"
HARD = ROOT / "scenarios" / "dearman" / "relative-boundary.yaml"


def practice(tmp_path: Path) -> list[dict]:
    prepared = prepare_new(load_tournament(PRACTICE), tmp_path / "logs", "practice")
    summary = execute(prepared, RunOptions(local=True))
    assert summary.ok == summary.planned == 3 * 4 * 2 * 3  # scenarios x repeats x arms x rounds
    return read_run(prepared.log.dir)[1]


def transfer(tmp_path: Path, records: list[dict]) -> dict[tuple[str, int, str], dict]:
    """Each practice series' learner, with the memory its last round ended with, on the hard scenario,
    uncoached; the same seed for both arms of a pairing."""
    path = tmp_path / "transfer.yaml"
    path.write_text(f"""schema_version: 1
kind: tournament
name: dearman-transfer
scenarios: ["{HARD}"]
players: {{learner: ["{ROOT}/agents/dearman-adopting.yaml"], partner: ["{ROOT}/agents/dearman-partner.yaml"]}}
repeats: 4
seed: 13
""")
    resolved = load_tournament(path)
    players = {name: build_player(card, "dearman") for name, card in resolved.agents.items()}
    ctx = MatchContext(resolved=resolved, players=players)
    specs = {spec.repeat: spec for spec in plan(resolved)}
    out = {}
    for rec in records:
        if rec["round"] == rec["rounds"]:
            state = SeriesState(memories={"learner": Memory.from_dict(rec["memory_after"]["learner"])})
            key = (rec["scenario"], rec["repeat"], rec["arm"])
            out[key] = asyncio.run(play_match(ctx, specs[rec["repeat"]], 1, state))
    return out


def test_jit_feedback_beats_simulation_alone_in_practice_and_in_transfer(tmp_path: Path) -> None:
    records = practice(tmp_path)
    by_series: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    for rec in records:
        by_series[(rec["scenario"], rec["repeat"], rec["arm"])].append(rec["outcome"]["mastery"])
        coached = [t for t in rec["transcript"] if t["role"] == "learner"]
        assert all(("ratings" in t["feedback"]) == (rec["arm"] == "ai") for t in coached)
    pairs = sorted({(s, k) for s, k, _ in by_series})
    practice_diffs = [sum(by_series[(s, k, "ai")]) / 3 - sum(by_series[(s, k, "none")]) / 3 for s, k in pairs]

    played = transfer(tmp_path, records)
    assert all(r["status"] == "ok" and r["scenario"] == "relative-boundary" for r in played.values())
    assert all("feedback" not in t for r in played.values() for t in r["transcript"])  # no coach in transfer
    transfer_diffs = [played[(s, k, "ai")]["outcome"]["mastery"] - played[(s, k, "none")]["outcome"]["mastery"]
                      for s, k in pairs]
    met = {arm: sum(r["outcome"]["objective_met"] for key, r in played.items() if key[2] == arm)
           for arm in ("ai", "none")}

    assert len(pairs) == 12 and all(d > 0 for d in practice_diffs + transfer_diffs)
    p_practice, p_transfer = holm([sign_flip_p(practice_diffs), sign_flip_p(transfer_diffs)])
    assert p_practice < 0.05 and p_transfer < 0.05  # 12 pairs, all positive: 2 / 2**12 each, x2 by Holm
    assert met == {"ai": 12, "none": 0}  # n = 12 per arm: the coached learners convince the hard partner
