"""``arena play`` through a pseudo-terminal (pexpect), as a person types: matches complete, the coach's
advice shows right after the person's turn, end of input and Ctrl-C end a match cleanly, and the log is a
normal run that replay, leaderboard and export read. Opponents and coaches are scripted: a few seconds each."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from arena_cli import run_cli

from arena.config.loader import display_path

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon.yaml"
LANDLORD = ROOT / "scenarios" / "dearman" / "landlord-repair.yaml"
CRITIC = ROOT / "agents" / "scripted-critic.yaml"
SKILLED = ("The heater has been broken for 3 weeks. I feel worried. I need you to have the heater repaired by "
           "Friday; that way you will avoid a bigger bill.")


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    """``arena play`` in a pseudo-terminal (TERM=dumb: rich writes no escape codes to match around)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb", "NO_COLOR": "1"}
    return pexpect.spawn(sys.executable, ["-c", "from arena.cli.app import main; main()", "play", *args,
                                          "--logs-dir", str(tmp_path / "logs"), "--run-id", "session"],
                         env=env, cwd=str(tmp_path), encoding="utf-8", timeout=60, dimensions=(50, 200))


def say(child: pexpect.spawn, prompt: str, text: str) -> None:
    child.expect_exact(prompt)
    child.sendline(text)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus)


def records(tmp_path: Path) -> list[dict[str, Any]]:
    lines = (tmp_path / "logs" / "session" / "matches.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def status(tmp_path: Path) -> str:
    return json.loads((tmp_path / "logs" / "session" / "run.json").read_text())["status"]


def test_negotiation_two_rounds_with_a_critic_between_rounds(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    child = spawn(tmp_path, str(BALLOON), "--as", "buyer", "--coach", str(CRITIC), "--rounds", "2",
                  "--when", "after_round")
    child.expect_exact("You are the buyer")
    child.expect_exact("[ACCEPT] takes the seller's $20")  # the hint names the standing offer
    say(child, "human (buyer)> ", "Would you take $12?")
    say(child, "human (buyer)> ", "[OFFER 12 or 13]")  # the game cannot read it: asked again, not played
    child.expect_exact("not played: an [OFFER] token named more than one price")
    say(child, "human (buyer)> ", "[OFFER $14]")
    say(child, "human (buyer)> ", "[ACCEPT]")
    child.expect_exact("outcome: deal $19")
    child.expect_exact("- Hold your bid longer before raising it; the seller would have sold for less.")
    say(child, "human (buyer)> ", "[QUIT]")
    child.expect_exact("outcome: no deal")
    assert finish(child) == 0
    first, second = records(tmp_path)
    assert first["agents"] == second["agents"] == {"seller": "scripted-seller", "buyer": "human"}
    mine = [(t["text"], t["player_how"], t["payload"]["offer"]) for t in first["transcript"] if t["role"] == "buyer"]
    assert mine == [("Would you take $12?", "human", 12.0), ("[OFFER $14]", "human", 14.0), ("[ACCEPT]", "human", None)]
    assert [t["payload"]["offer"] for t in first["transcript"] if t["role"] == "seller"] == [20.0, 19.5, 19.0]
    assert first["outcome"]["price"] == 19.0 and first["rewards"] == {"seller": 0.9, "buyer": pytest.approx(0.1)}
    assert first["feedback"]["buyer"]["critic"] == "scripted-critic"
    assert first["feedback"]["buyer"]["suggestions"] == [
        "Hold your bid longer before raising it; the seller would have sold for less.",
        "Anchor on the item's value before naming a price."]
    assert "Anchor on the item's value" in second["memory_before"]["buyer"]  # the advice reached round 2
    assert second["outcome"]["reason"] == "quit" and status(tmp_path) == "finished"
    run = tmp_path / "logs" / "session"
    assert run_cli("replay", str(run), "--match", "balloon.scripted-seller.human.ai.s0.r1") == 0
    assert "human (buyer)" in capsys.readouterr().out
    assert run_cli("leaderboard", str(run)) == 0
    assert "human" in capsys.readouterr().out
    assert run_cli("export", str(run), "--format", "sft", "--role", "buyer", "--out", str(tmp_path / "sft.jsonl")) == 0
    demos = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]
    assert [d["messages"][-1]["content"] for d in demos] == ["Would you take $12?", "[OFFER $14]", "[ACCEPT]", "[QUIT]"]


def test_negotiation_buyer_is_advised_after_each_turn_by_default(tmp_path: Path) -> None:
    child = spawn(tmp_path, str(BALLOON), "--as", "buyer")
    child.expect_exact("coach scripted-coach (after turn)")
    say(child, "human (buyer)> ", "Would you take $12?")
    # the critic's advice comes right after the person's turn, before the seller answers: $12 is above the
    # buyer's $10 opening
    child.expect_exact("      coach")
    child.expect_exact("- You opened at $12, above your $10 opening price: open at $10 and go up from there.")
    child.expect_exact("I can let it go for $19.5.")
    say(child, "human (buyer)> ", "[OFFER $16]")
    # $12 to $16 is a $4 step, more than a quarter of the $10-$20 range ($2.50)
    child.expect_exact("- You went up $4 in one step ($12 to $16), more than a quarter of the $10-$20 range: "
                       "concede in smaller steps.")
    child.expect_exact("I can let it go for $19.")
    say(child, "human (buyer)> ", "[ACCEPT]")
    child.expect_exact("- Deal at $19, above the $15 middle of the $10-$20 range: next time hold out longer before "
                       "you go up.")
    child.expect_exact("outcome: deal $19")
    assert finish(child) == 0
    (record,) = records(tmp_path)
    assert record["feedback"] == {}  # nothing between rounds
    buyer = [t for t in record["transcript"] if t["role"] == "buyer"]
    assert [t["text"] for t in buyer] == ["Would you take $12?", "[OFFER $16]", "[ACCEPT]"]
    assert [t["feedback"]["critic"] for t in buyer] == ["scripted-coach"] * 3
    assert [t["feedback"]["suggestions"] for t in buyer] == [
        ["You opened at $12, above your $10 opening price: open at $10 and go up from there."],
        ["You went up $4 in one step ($12 to $16), more than a quarter of the $10-$20 range: concede in smaller "
         "steps."],
        ["Deal at $19, above the $15 middle of the $10-$20 range: next time hold out longer before you go up."]]
    assert all("feedback" not in t for t in record["transcript"] if t["role"] == "seller")


def test_dearman_learner_is_coached_after_each_turn(tmp_path: Path) -> None:
    child = spawn(tmp_path, str(LANDLORD), "--as", "learner")
    child.expect_exact("You are the learner")
    say(child, "human (learner)> ", "Hi, can you fix the heater?")
    # the coach's ratings and rewrite come right after the person's turn, before the partner answers
    child.expect_exact("coach [D0 E0 A1 R0 M- C2 N-]")
    child.expect_exact("- Describe: say 'The heater has been broken for 3 weeks and I emailed you 2 times about it.'")
    child.expect_exact("I hear you, but I am not convinced yet.")
    say(child, "human (learner)> ", SKILLED)
    child.expect_exact("[D2 E2 A2 R2 M1 C2 N0]")
    child.expect_exact("All right, you have convinced me.")
    child.expect_exact("outcome: objective met (agree, 2 turns), mastery 1.17")
    assert finish(child) == 0
    (record,) = records(tmp_path)
    learner = [t for t in record["transcript"] if t["role"] == "learner"]
    assert [t["text"] for t in learner] == ["Hi, can you fix the heater?", SKILLED]
    assert learner[0]["feedback"]["ratings"] == {"describe": 0, "express": 0, "assert": 1, "reinforce": 0,
                                                 "mindful": None, "confident": 2, "negotiate": None}
    assert learner[1]["feedback"]["ratings"] == {"describe": 2, "express": 2, "assert": 2, "reinforce": 2,
                                                 "mindful": 1, "confident": 2, "negotiate": 0}
    assert learner[1]["feedback"]["suggestions"] == [
        "Negotiate: say 'How about this: I can be home any morning this week to let the repairer in.'"]
    # mastery (0+0+1+0+2 + 2+2+2+2+1+2+0) / 12 = 14/12; the learner's reward 1 + mastery/2
    assert record["rewards"]["learner"] == pytest.approx(1 + 14 / 12 / 2)


def test_end_of_input_mid_match_keeps_the_log(tmp_path: Path) -> None:
    child = spawn(tmp_path, str(LANDLORD), "--as", "learner")
    say(child, "human (learner)> ", "Hi, can you fix the heater?")
    child.expect_exact("human (learner)> ")
    child.sendeof()
    child.expect_exact("outcome: abandoned (the turns so far are logged)")
    assert finish(child) == 0  # ending input is a person's way to stop: exit 0
    (record,) = records(tmp_path)
    assert record["status"] == "error"
    assert record["error"] == {"kind": "abandoned", "role": "learner",
                               "message": "the person playing the learner ended the match (end of input)"}
    assert [t["role"] for t in record["transcript"]] == ["learner", "partner"]
    assert record["transcript"][0]["feedback"]["ratings"]["assert"] == 1
    assert status(tmp_path) == "interrupted"


def test_ctrl_c_at_the_prompt_ends_the_match_with_130(tmp_path: Path) -> None:
    child = spawn(tmp_path, str(BALLOON), "--as", "seller")
    say(child, "human (seller)> ", "It is a fine balloon: [OFFER $18]")
    child.expect_exact("human (seller)> ")
    child.sendintr()
    child.expect_exact("outcome: abandoned")
    assert finish(child) == 130
    (record,) = records(tmp_path)
    assert record["error"]["message"] == "the person playing the seller ended the match (Ctrl-C)"
    assert [t["text"] for t in record["transcript"]][0] == "It is a fine balloon: [OFFER $18]"
    assert len(record["transcript"]) == 2  # the seller's offer and the scripted buyer's answer


def test_an_unknown_role_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("play", str(BALLOON), "--as", "sellr", "--logs-dir", str(tmp_path / "logs")) == 2
    err = capsys.readouterr().err
    assert err == (f"{display_path(BALLOON)}: --as 'sellr': no such role in the negotiation game; did you mean "
                   "'seller'? (roles: seller, buyer)\n")
    assert not (tmp_path / "logs").exists()


def test_a_tournament_cannot_seat_a_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "me.yaml").write_text("kind: agent\nname: me\npolicy: {type: human}\n")
    (tmp_path / "t.yaml").write_text(
        f"kind: tournament\nname: t\nscenarios: [{BALLOON}]\n"
        f"players:\n  seller: [me.yaml]\n  buyer: [{ROOT / 'agents' / 'fair-buyer.yaml'}]\n")
    assert run_cli("validate", str(tmp_path / "t.yaml")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "players.seller[0]: agent 'me' is a person (policy type human)" in err


def test_cards_that_cannot_sit_where_asked_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    buyer = ROOT / "agents" / "fair-buyer.yaml"
    logs = str(tmp_path / "logs")
    assert run_cli("play", str(BALLOON), "--as", "buyer", "--opponent", str(buyer), "--logs-dir", logs) == 2
    assert capsys.readouterr().err == (f"{display_path(buyer)}: agent 'fair-buyer' plays ['buyer'], none of the "
                                       "roles left to the opponents (seller)\n")
    assert run_cli("play", str(BALLOON), "--as", "buyer", "--coach", str(buyer), "--logs-dir", logs) == 2
    assert capsys.readouterr().err == (f"{display_path(buyer)}: roles: agent 'fair-buyer' plays ['buyer'], "
                                       "not 'critic'\n")
    assert run_cli("play", str(BALLOON), "--as", "buyer", "--name", "two words", "--logs-dir", logs) == 2
    assert capsys.readouterr().err == ("arena play: --name: 'two words': use 1-64 letters, digits, '_', '.', '-' "
                                       "(starting with a letter or digit)\n")
    assert run_cli("play", str(BALLOON), "--as", "buyer", "--when", "after_match", "--logs-dir", logs) == 2
    assert capsys.readouterr().err == ("arena play: --when: the negotiation game's critic advises after_round or "
                                       "after_turn, not after_match\n")
    assert not (tmp_path / "logs").exists()
