"""The in-context memory under its token budget: what is dropped first, what survives, what round-trips.

Token counts are computed by hand: ``estimate_tokens`` is ceil(len / 4) and each entry costs 4 more, so a
40-character text costs 10 + 4 = 14 tokens.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from arena.memory import DEFAULT_WORDING, Memory, MemoryWording, estimate_tokens

ROOT = Path(__file__).resolve().parents[1]

TEXT = "x" * 40  # 14 tokens as an entry


def memory(budget: int) -> Memory:
    mem = Memory(budget_tokens=budget)
    mem.add_outcome(1, "o1" + TEXT[2:])
    mem.add_advice(1, ["a1" + TEXT[2:], "a2" + TEXT[2:]])
    mem.add_outcome(2, "o2" + TEXT[2:])
    mem.add_advice(2, ["a3" + TEXT[2:]])
    return mem  # 5 entries, 70 tokens


def labels(mem: Memory) -> list[str]:
    return [e["text"][:2] for e in mem.kept()]


def test_token_estimate_by_hand() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens(TEXT) == 10


def test_within_budget_everything_is_kept_in_order() -> None:
    mem = memory(70)
    assert labels(mem) == ["o1", "a1", "a2", "o2", "a3"]
    assert mem.tokens() == 70


def test_over_budget_drops_the_oldest_outcome_first() -> None:
    mem = memory(69)  # one token over: one entry must go, and it is the round-1 outcome
    assert labels(mem) == ["a1", "a2", "o2", "a3"]
    assert mem.tokens() == 56


def test_every_outcome_goes_before_any_advice() -> None:
    mem = memory(42)  # 70 -> 56 (o1) -> 42 (o2): advice untouched
    assert labels(mem) == ["a1", "a2", "a3"]
    mem = memory(41)  # then the oldest advice
    assert labels(mem) == ["a2", "a3"]
    mem = memory(14)
    assert labels(mem) == ["a3"]


def test_never_over_budget_and_nothing_is_forgotten_for_the_log() -> None:
    for budget in range(0, 80):
        mem = memory(budget)
        assert mem.tokens() <= budget or not mem.kept()
        assert len(mem.to_dict()["entries"]) == 5  # the log keeps all; only the prompt is trimmed


def test_render_shows_only_what_fits() -> None:
    text = memory(41).render()
    assert "Round 1" not in text and "Round 2" not in text
    assert "a1" not in text
    assert text.splitlines() == ["Advice from your coach (apply it):", "- a2" + TEXT[2:], "- a3" + TEXT[2:]]
    assert Memory().render() == ""


def test_round_trip_keeps_budget_and_entries() -> None:
    mem = memory(41)
    again = Memory.from_dict(mem.to_dict())
    assert again.to_dict() == mem.to_dict()
    assert labels(again) == labels(mem)


# --- the game's wording, and kinds beyond outcome and advice ---------------------------------------------

# A game's wording with a third kind: listed advice first, then hints, then outcomes; dropped outcomes
# first, then hints, advice last (the order the list is written in is not the order things are dropped).
WORDING = MemoryWording(
    headings={"advice": "Coach says:", "hint": "Hints:", "outcome": "Rounds so far:"},
    lines={"outcome": "- R{round}: {text}", "hint": "- ({round}) {text}"},
    drop_order=("outcome", "hint", "advice"),
)


def three_kinds(budget: int) -> Memory:
    mem = Memory(budget_tokens=budget)
    for round_ in (1, 2):
        mem.add("outcome", f"o{round_}" + TEXT[2:], round_)
        mem.add("hint", f"h{round_}" + TEXT[2:], round_)
        mem.add("advice", f"a{round_}" + TEXT[2:], round_)
    return mem  # 6 entries of 14 tokens: 84


def kinds_kept(mem: Memory, wording: MemoryWording = WORDING) -> list[str]:
    return [e["text"][:2] for e in mem.kept(wording)]


def test_the_default_wording_is_the_original_one_byte_for_byte() -> None:
    from arena.registry import game

    assert memory(70).render().splitlines() == [
        "Your previous rounds:", "- Round 1: o1" + TEXT[2:], "- Round 2: o2" + TEXT[2:],
        "Advice from your coach (apply it):", "- a1" + TEXT[2:], "- a2" + TEXT[2:], "- a3" + TEXT[2:]]
    assert game("negotiation").memory_wording == DEFAULT_WORDING  # so its logs (the golden ones) do not change
    assert game("example").memory_wording == DEFAULT_WORDING


def test_a_games_own_headings_and_lines_appear() -> None:
    from arena.registry import game

    text = memory(70).render(game("dearman").memory_wording)
    assert text.splitlines() == [
        "Your earlier conversations:", "- Conversation 1: o1" + TEXT[2:], "- Conversation 2: o2" + TEXT[2:],
        "Your coach's rewrites (use them):", "- a1" + TEXT[2:], "- a2" + TEXT[2:], "- a3" + TEXT[2:]]
    assert memory(70).render(game("omni").memory_wording).splitlines()[:2] == [
        "Your previous episodes:", "- Episode 1: o1" + TEXT[2:]]


def test_a_third_kind_is_trimmed_in_the_declared_order() -> None:
    assert kinds_kept(three_kinds(84)) == ["o1", "h1", "a1", "o2", "h2", "a2"]
    assert kinds_kept(three_kinds(83)) == ["h1", "a1", "o2", "h2", "a2"]  # 84 -> 70: the oldest outcome
    assert kinds_kept(three_kinds(56)) == ["h1", "a1", "h2", "a2"]  # 84 -> 70 -> 56: every outcome first
    assert kinds_kept(three_kinds(55)) == ["a1", "h2", "a2"]  # -> 42: then the oldest hint
    assert kinds_kept(three_kinds(28)) == ["a1", "a2"]  # -> 28: every hint before any advice
    assert kinds_kept(three_kinds(27)) == ["a2"]  # -> 14: advice last, oldest first
    assert three_kinds(55).tokens(WORDING) == 42
    # the default order does not know hints: they go before anything it names
    assert kinds_kept(three_kinds(55), DEFAULT_WORDING) == ["a1", "o2", "a2"]


def test_a_third_kind_renders_under_its_heading_in_the_games_order() -> None:
    assert three_kinds(55).render(WORDING).splitlines() == [
        "Coach says:", "- a1" + TEXT[2:], "- a2" + TEXT[2:], "Hints:", "- (2) h2" + TEXT[2:]]
    assert three_kinds(84).render(WORDING).splitlines()[-3:] == [
        "Rounds so far:", "- R1: o1" + TEXT[2:], "- R2: o2" + TEXT[2:]]


def test_a_kind_the_wording_does_not_name_is_shown_after_the_named_ones_never_lost() -> None:
    assert three_kinds(84).render().splitlines() == [
        "Your previous rounds:", "- Round 1: o1" + TEXT[2:], "- Round 2: o2" + TEXT[2:],
        "Advice from your coach (apply it):", "- a1" + TEXT[2:], "- a2" + TEXT[2:],
        "Hint:", "- h1" + TEXT[2:], "- h2" + TEXT[2:]]


def test_a_drop_order_must_name_each_headings_kind_once() -> None:
    with pytest.raises(ValueError, match=r"drop_order \['outcome'\] must name each heading's kind once"):
        MemoryWording(headings={"outcome": "A:", "advice": "B:"}, drop_order=("outcome",))


def test_a_third_kind_survives_a_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example game, given a third kind (each round's secret) and its wording: a run cut after round 1
    and resumed rebuilds that memory from the log, so round 2 is played and logged as without the cut."""
    from arena import registry
    from arena.config import load_tournament
    from arena.runlog import MATCHES_FILE, read_run
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new, prepare_resume

    spec = registry.game("example")
    wording = MemoryWording(headings={**DEFAULT_WORDING.headings, "secret": "Earlier secrets:"},
                            drop_order=("secret", "outcome", "advice"))
    monkeypatch.setitem(registry._LOADED, "example", dataclasses.replace(
        spec, memory_wording=wording,
        round_memory=lambda role, outcome, rewards, scenario: [
            ("outcome", spec.outcome_text(role, outcome, rewards, scenario)), ("secret", str(outcome["secret"]))]))
    tournament = load_tournament(ROOT / "scenarios" / "example" / "tournament.yaml")

    def records(run_dir: Path) -> list[dict]:
        volatile = {"started_at", "finished_at", "duration_s", "latency_s", "run_id"}
        return [{k: v for k, v in r.items() if k not in volatile}
                for r in sorted(read_run(run_dir)[1], key=lambda r: r["match_id"])]

    whole = prepare_new(tournament, tmp_path / "logs", "whole")
    assert execute(whole, RunOptions(local=True)).ok == 18
    cut = tmp_path / "logs" / "cut"
    shutil.copytree(whole.log.dir, cut)
    lines = (cut / MATCHES_FILE).read_text().splitlines(keepends=True)
    (cut / MATCHES_FILE).write_text("".join(line for line in lines if json.loads(line)["round"] == 1))
    assert execute(prepare_resume(cut), RunOptions(local=True)).played == 9
    assert records(cut) == records(whole.log.dir)

    second = next(r for r in records(cut) if r["round"] == 2 and r["arm"] == "none")
    first = next(r for r in records(cut) if r["match_id"] == second["match_id"].replace(".r2", ".r1"))
    secret = first["outcome"]["secret"]
    assert second["memory_before"]["first"].splitlines() == [
        "Your previous rounds:", f"- Round 1: {spec.outcome_text('first', first['outcome'], first['rewards'], None)}",
        "Earlier secrets:", f"- {secret}"]
    assert {"round": 1, "kind": "secret", "text": str(secret)} in first["memory_after"]["first"]["entries"]
