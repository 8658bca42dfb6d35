"""The example game end to end: a second game through the whole plug-in interface, with no line of
Arena outside its folder (and one registration) knowing it.

Its rules by hand, its env through PettingZoo's api_test, then a self-play tournament with a per-turn
critic in-process and through Ray (the same records), resumed after a cut, replayed, ranked, reported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from arena_cli import run_cli
from pettingzoo.test import api_test

from arena.config import load_tournament
from arena.games.example.env import GuessEnv
from arena.games.example.rules import Guessing, GuessParams, possible, read_guess
from arena.runlog import MATCHES_FILE, read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new, prepare_resume

ROOT = Path(__file__).resolve().parents[3]
TOURNAMENT = ROOT / "scenarios" / "example" / "tournament.yaml"
VOLATILE = {"started_at", "finished_at", "duration_s", "run_id", "latency_s"}


def test_the_rules_by_hand() -> None:
    assert read_guess("[GUESS 42] maybe 7") == 42 and read_guess("I say 7") == 7 and read_guess("no idea") is None
    game = Guessing(GuessParams(low=1, high=10, max_turns=4), secret=7)
    assert game.apply("first", "[GUESS 5]") == {"role": "first", "guess": 5, "answer": "higher", "halved": True}
    assert game.apply("second", "[GUESS 9]") == {"role": "second", "guess": 9, "answer": "lower", "halved": False}
    assert possible(1, 10, game.guesses) == (6, 8)
    game.apply("first", "[GUESS 7]")
    assert game.outcome == {"winner": "first", "secret": 7, "turns": 3, "reason": "guessed"}
    assert game.rewards() == {"first": 1.0, "second": 0.0}


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_env_passes_pettingzoos_api_test() -> None:
    api_test(GuessEnv(GuessParams(max_turns=6)), num_cycles=20)


def scrub(record: dict) -> dict:
    return json.loads(json.dumps({k: v for k, v in record.items() if k not in VOLATILE}),
                      object_hook=lambda d: {k: v for k, v in d.items() if k not in VOLATILE})


def play(tmp_path: Path, run_id: str, local: bool) -> tuple[Path, list[dict]]:
    prepared = prepare_new(load_tournament(TOURNAMENT), tmp_path / "logs", run_id)
    summary = execute(prepared, RunOptions(local=local, concurrency=2))
    assert summary.ok == 18 and not summary.errors
    return prepared.log.dir, sorted(read_run(prepared.log.dir)[1], key=lambda r: r["match_id"])


def test_self_play_with_a_per_turn_critic(tmp_path: Path) -> None:
    _, records = play(tmp_path, "local", local=True)
    for rec in records:
        assert rec["game"] == "example" and rec["feedback"] == {}  # after_turn: nothing between rounds
        firsts = [t for t in rec["transcript"] if t["role"] == "first"]
        assert all(t["feedback"]["arm"] == rec["arm"] for t in firsts)
        assert all("feedback" not in t for t in rec["transcript"] if t["role"] == "second")
        if rec["arm"] == "ai":  # the scripted critic's structured result, logged on the turn it follows
            assert [t["feedback"]["ratings"] for t in firsts] == [{"turns": float(i + 1)} for i in range(len(firsts))]
        lows = []  # was each of the linear guesser's guesses the lowest number still possible?
        for t in firsts:
            before = [g["payload"] for g in rec["transcript"] if g["turn"] < t["turn"]]
            lows.append(t["payload"]["guess"] == possible(1, 100, before)[0])
        if rec["arm"] == "none":
            assert all(lows)  # the linear guesser on its own, every round
        elif rec["round"] == 1:  # two pieces of advice, then it halves
            assert all(lows[:2]) and all(t["payload"]["halved"] for t in firsts[2:])
        else:  # the advice of round 1 is in its memory from the first turn of round 2
            assert all(t["payload"]["halved"] for t in firsts)
    assert sum(r["rewards"]["first"] for r in records if r["arm"] != "none") > sum(
        r["rewards"]["first"] for r in records if r["arm"] == "none")


def test_ray_resume_replay_leaderboard_report(tmp_path: Path, ray_session) -> None:
    _, local = play(tmp_path, "local", local=True)
    run_dir, on_ray = play(tmp_path, "ray", local=False)
    assert [scrub(r) for r in on_ray] == [scrub(r) for r in local]

    cut = tmp_path / "logs" / "cut"
    shutil.copytree(run_dir, cut)
    lines = (cut / MATCHES_FILE).read_text().splitlines(keepends=True)
    (cut / MATCHES_FILE).write_text("".join(line for line in lines if json.loads(line)["round"] == 1))
    summary = execute(prepare_resume(cut), RunOptions(local=True))
    assert summary.played == 9
    resumed = sorted(read_run(cut)[1], key=lambda r: r["match_id"])
    assert [scrub(r) for r in resumed] == [scrub(r) for r in local]

    match = "number.example-linear.example-bisect.ai.s0.r2"
    for args in (["replay", str(cut)], ["replay", str(cut), "--match", match], ["leaderboard", str(cut)],
                 ["report", str(cut)]):
        assert run_cli(*args) == 0, args
    assert (cut / "report.html").exists()


def test_replay_words_the_games_turns_outcome_and_per_turn_feedback(tmp_path: Path) -> None:
    from rich.console import Console

    from arena.replay import match_view

    _, records = play(tmp_path, "local", local=True)
    rec = next(r for r in records if r["arm"] == "ai" and r["round"] == 1)
    console = Console(record=True, width=120)
    console.print(match_view(rec))
    text = console.export_text()
    first = rec["transcript"][0]["payload"]
    assert f"guess {first['guess']}: {first['answer']}" in text
    assert "feedback to first (ai) [turns 1]" in text and "- Guess the middle of the numbers still possible." in text
    winner = rec["outcome"]["winner"]
    assert f"outcome: {winner or 'nobody'} found {rec['outcome']['secret']}" in text


def test_the_leaderboard_reports_the_games_own_metrics(tmp_path: Path) -> None:
    from arena.analysis.leaderboard import leaderboard

    _, records = play(tmp_path, "local", local=True)
    rows = {r.agent: r.to_dict() for r in leaderboard(records)}
    linear = [r for r in records if r["agents"]["first"] == "example-linear"]
    wins = sum(r["outcome"]["winner"] == "first" for r in linear)
    assert rows["example-linear"]["wins"] == wins and rows["example-linear"]["win_rate"] == round(wins / 18, 4)
    assert rows["example-bisect"]["wins"] == 18 - wins - sum(r["outcome"]["winner"] is None for r in linear)
    turns = sum(r["outcome"]["turns"] for r in linear) / 18
    assert rows["example-linear"]["mean_turns"] == round(turns, 4)
    assert not any("deal" in key or "price" in key for key in rows["example-linear"])


def test_the_example_game_gets_curves_of_its_own_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The per-round table, effects and report follow the game's declared metrics: the advised role's wins
    (a metric every role has, shown for the advised ``first``) and the turns, never deals or prices."""
    from arena.analysis.curves import learning_curves

    run_dir, records = play(tmp_path, "local", local=True)
    header, _ = read_run(run_dir)
    capsys.readouterr()
    assert run_cli("leaderboard", str(run_dir)) == 0
    assert run_cli("report", str(run_dir)) == 0
    out, err = capsys.readouterr()
    page = (run_dir / "report.html").read_text()
    heading = " ".join(out.split("Per round")[1].split("─")[0].split())
    assert heading.endswith("Δ first wins Δ turns round arm first wins turns vs none vs none")
    assert "first wins per round" in page and "turns per round" in page and "Turns against first wins" in page
    assert not any(word in (out + err + page).lower() for word in ("deal", "price"))
    curves = learning_curves(header, records, n_boot=50)
    assert [f.key for f in curves.figures] == ["win_rate.first", "mean_turns"] and curves.main == "win_rate.first"
    for arm in ("none", "ai"):
        played = [r for r in records if r["arm"] == arm and r["round"] == 2]
        point = curves.point(arm, 2)
        assert point.metrics["win_rate.first"].value == sum(r["outcome"]["winner"] == "first" for r in played) / 3
        assert point.metrics["mean_turns"].value == pytest.approx(sum(r["outcome"]["turns"] for r in played) / 3)
    wins = {arm: {r["repeat"]: r["outcome"]["winner"] == "first" for r in records if r["arm"] == arm
                  and r["round"] == 2} for arm in ("none", "ai")}
    effect = curves.effect("ai", 2).metrics["win_rate.first"]
    assert effect.n == 3 and effect.value == pytest.approx(sum(wins["ai"][k] - wins["none"][k] for k in range(3)) / 3)

