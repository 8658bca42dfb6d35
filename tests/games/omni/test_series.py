"""A curriculum as a series: the teacher state carries from episode to episode in the log, a run cut
mid-curriculum resumes to exactly the records of an uninterrupted one (teacher state and archive
included), and replay shows each episode's task, interest, success and LP."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from arena_cli import run_cli

from arena.config import load_tournament
from arena.core.protocol import CritiqueRequest
from arena.games.omni.scripted import ScriptedCritic
from arena.runlog import MATCHES_FILE, read_run
from arena.runtime.match import restore_state
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new, prepare_resume

ROOT = Path(__file__).resolve().parents[3]
VOLATILE = {"started_at", "finished_at", "duration_s", "run_id", "latency_s"}


def tournament(tmp_path: Path, *, name: str = "omni-small", scenario: str = "small-pool.yaml",
               teachers: tuple[str, ...] = ("omni-teacher-omni", "omni-teacher-omni-generate"),
               learner: str = "omni-simulated-learner", rounds: int = 10, seed: int = 3) -> Path:
    """The scripted curriculum, cut by default to 2 teachers x 10 episodes (absolute paths: it lives in tmp)."""
    agents = ROOT / "agents"
    text = f"""schema_version: 1
kind: tournament
name: {name}
format: self_play
scenarios: [{ROOT / 'scenarios/omni' / scenario}]
players:
  teacher: [{', '.join(str(agents / f'{t}.yaml') for t in teachers)}]
  learner: [{agents / f'{learner}.yaml'}]
rounds: {rounds}
repeats: 1
seed: {seed}
memory: {{budget_tokens: 300}}
feedback: {{advise: [learner], when: after_round, critic: {agents / 'omni-critic.yaml'}, arms: [ai], suggestions: 1}}
"""
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return path


def scrub(record: dict) -> dict:
    return json.loads(json.dumps({k: v for k, v in record.items() if k not in VOLATILE}),
                      object_hook=lambda d: {k: v for k, v in d.items() if k not in VOLATILE})


def play(tmp_path: Path) -> tuple[Path, list[dict]]:
    prepared = prepare_new(load_tournament(tournament(tmp_path)), tmp_path / "logs", "full")
    summary = execute(prepared, RunOptions(local=True))
    assert summary.ok == 20 and not summary.errors
    return prepared.log.dir, sorted(read_run(prepared.log.dir)[1], key=lambda r: (r["series_id"], r["round"]))


def test_the_teacher_state_carries_and_a_cut_run_resumes_exactly(tmp_path: Path) -> None:
    run_dir, full = play(tmp_path)
    for series in {r["series_id"] for r in full}:
        rounds = [r for r in full if r["series_id"] == series]
        for before, after in zip(rounds, rounds[1:], strict=False):  # each episode extends the last one's history
            prev, now = before["outcome"]["state"], after["outcome"]["state"]
            assert now["episode"] == prev["episode"] + 1 == after["round"]
            hist = now["teacher"]["archive"]["history"][after["outcome"]["task"]]
            assert hist[-1] == [after["round"], after["outcome"]["success"]]
    generated = [r for r in full if "omni-generate" in r["series_id"]]
    assert any(e["kind"] in ("admitted", "uninteresting", "invalid_spec")
               for r in generated for e in r["outcome"]["events"])  # the generator proposed, the env judged

    cut = tmp_path / "logs" / "cut"
    cut.mkdir()
    for name in ("run.json", MATCHES_FILE):
        (cut / name).write_bytes((run_dir / name).read_bytes())
    lines = (cut / MATCHES_FILE).read_text().splitlines(keepends=True)
    (cut / MATCHES_FILE).write_text("".join(line for line in lines if json.loads(line)["round"] <= 4))
    kept = [r for r in full if r["round"] <= 4]
    prepared = prepare_resume(cut)
    for spec, state in prepared.todo:  # rebuilt from round 4's log, as memory is
        round4 = next(r for r in kept if r["series_id"] == spec.series_id and r["round"] == 4)
        assert state.next_round == 5 and state.carried == round4["outcome"]["state"]
        assert state.carried == restore_state(spec, [r for r in kept if r["series_id"] == spec.series_id]).carried
    summary = execute(prepared, RunOptions(local=True))
    assert summary.played == 12
    resumed = sorted(read_run(cut)[1], key=lambda r: (r["series_id"], r["round"]))
    assert [scrub(r) for r in resumed] == [scrub(r) for r in full]

    assert run_cli("replay", str(cut)) == 0


def test_replay_shows_the_curriculum(tmp_path: Path, capsys) -> None:
    run_dir, full = play(tmp_path)
    match = full[0]["match_id"]
    assert run_cli("replay", str(run_dir), "--match", match) == 0
    shown = capsys.readouterr().out
    assert "task: " in shown and "LP " in shown
    assert "(unjudged: nothing mastered yet)" in shown  # episode 1: no reference to judge the task against
    assert ("correct" in shown or "wrong" in shown)


def test_the_scripted_critic_advises_on_failures_only() -> None:
    critic = ScriptedCritic()
    failed = CritiqueRequest(match_id="m", advised_role="learner", scenario={}, transcript=[],
                             outcome={"success": 0.0, "description": "Add two 1-digit numbers", "expected": "7"})
    result = asyncio.run(critic.critique(failed))
    assert result.suggestions == ["For 'Add two 1-digit numbers' the answer was 7; work it out step by step and "
                                  "end with ANSWER: and the answer only."]
    passed = CritiqueRequest(match_id="m", advised_role="learner", scenario={}, transcript=[], outcome={"success": 1.0})
    assert asyncio.run(critic.critique(passed)).suggestions == []


def test_arena_run_prints_a_live_line_per_episode_for_a_game_that_asks(tmp_path: Path) -> None:
    from arena.cli.run import live_line

    _, full = play(tmp_path)
    first = full[0]
    lines = [live_line(r) for r in full]
    # teacher, round, success, LP, the MoI's verdict (nothing mastered yet: not judged), + an admitted proposal,
    # the task cut with an ellipsis to stay within 80 columns
    assert lines[0] == "omni-teacher-omni-generate r1 fail LP 0.000 unjudged     Reverse this string of…"
    assert lines[2] == "omni-teacher-omni-generate r3 fail LP 0.000 unjudged   + Find the date a number…"
    assert lines[16] == "omni-teacher-omni r7 pass LP 0.323 unjudged     Copy a string of length 3 exact…"
    assert max(len(text) for text in lines) == 80  # type: ignore[arg-type]
    assert live_line({**first, "status": "error"}) is None
    assert live_line({"game": "example", "status": "ok", "agents": {}, "round": 1,
                      "outcome": {"winner": "first", "secret": 3}}) is None  # the example game does not ask


def test_the_report_shows_the_series_end_figures(tmp_path: Path) -> None:
    from arena.analysis.report import render_report

    run_dir, full = play(tmp_path)
    page = render_report(*read_run(run_dir), n_boot=20)
    assert "teacher&#x27;s tasks &gt;0.05 (at each series&#x27; end: mean over series)" in page
    last = {r["agents"]["teacher"]: r["outcome"] for r in full if r["round"] == 10}
    # one series per teacher: the mean is that series' last episode, n = 1 (no interval)
    ends = {agent: f"{out['archive_size']:.1f} n=1 (n&lt;10)" for agent, out in last.items()}
    assert all(f'<td class="num">{cell}</td>' in page for cell in ends.values()), ends
