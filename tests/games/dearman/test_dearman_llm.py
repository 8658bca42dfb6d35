"""The LLM learner and coach through the real OpenAI SDK against the local test server (in-process).

The server's learner always says the same hedged soft ask; its coach answers the flat per-skill JSON
with a numbered rewrite (``REWRITE-<n>``), or, where a test says so, a malformed or an empty reply. The
partner is the scripted one, so every learner turn is answered at once.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from arena.config import load_tournament
from arena.replay import match_view
from arena.runlog import MATCHES_FILE, read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new, prepare_resume

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "scenarios" / "dearman" / "landlord-repair.yaml"
LEARNER_TEXT = "Sorry, maybe this is a bad time. Could you fix the heater?"
GOOD = {"describe": "0", "express": "0", "assert": "1", "reinforce": "0", "mindful": "none", "confident": "0",
        "negotiate": "none", **{f"{s}_why": "because" for s in ("describe", "express", "assert", "reinforce",
                                                                "mindful", "confident", "negotiate")}}


class Coach:
    """A responder: the learner's fixed ask, and the coach's replies in the order ``plan`` gives (then good)."""

    def __init__(self, plan: list[str] | None = None, rewrite: str = "REWRITE-{n}", partner: str = "") -> None:
        self.plan = list(plan or [])
        self.rewrite = rewrite
        self.partner = partner  # what an LLM partner says (refusing for good), if the test has one
        self.calls = 0

    def __call__(self, request: dict, api: str) -> str:
        text = json.dumps(request)
        if "You answer the request." in text:
            return json.dumps({"reply": self.partner, "state": "refuse"})
        if "DEAR MAN skills coach" not in text:
            return json.dumps({"reply": LEARNER_TEXT})
        self.calls += 1
        kind = self.plan.pop(0) if self.plan else "good"
        if kind == "malformed":
            return '{"describe": "great", "rewrite": '
        if kind == "empty":
            return ""
        return json.dumps({**GOOD, "rewrite": self.rewrite.format(n=self.calls)})


def card(path: Path, name: str, role: str, base_url: str) -> str:
    persona = {"critic": "You are a DEAR MAN skills coach.", "partner": "You answer the request."}.get(
        role, "You ask for a repair.")
    path.write_text(f"""schema_version: 1
name: {name}
roles: [{role}]
policy:
  type: llm
  persona: "{persona}"
  model: {{backend: openai, model: fake-model, base_url: "{base_url}", api_key_env: ARENA_TEST_KEY,
          max_retries: 0, timeout_s: 5}}
""")
    return path.name


def tournament(tmp_path: Path, base_url: str, rounds: int = 1, llm_partner: bool = False) -> Path:
    learner = card(tmp_path / "learner.yaml", "llm-learner", "learner", base_url)
    coach = card(tmp_path / "coach.yaml", "llm-coach", "critic", base_url)
    partner = card(tmp_path / "partner.yaml", "llm-partner", "partner", base_url) if llm_partner \
        else f"{ROOT}/agents/dearman-partner.yaml"
    path = tmp_path / "t.yaml"
    path.write_text(f"""schema_version: 1
name: dm-llm
format: self_play
scenarios: ["{SCENARIO}"]
players: {{learner: [{learner}], partner: ["{partner}"]}}
rounds: {rounds}
seed: 1
feedback: {{advise: [learner], when: after_turn, critic: {coach}, arms: [ai], suggestions: 1}}
""")
    return path


def run(tmp_path: Path, fake_llm, rounds: int = 1, llm_partner: bool = False) -> list[dict]:
    prepared = prepare_new(load_tournament(tournament(tmp_path, fake_llm.openai_base_url, rounds, llm_partner)),
                           tmp_path / "logs", "run")
    summary = execute(prepared, RunOptions(local=True))
    assert summary.ok == rounds
    return sorted(read_run(prepared.log.dir)[1], key=lambda r: r["round"])


def learner_prompts(fake_llm) -> list[str]:
    return [json.dumps(r.json) for r in fake_llm.requests if "DEAR MAN skills coach" not in json.dumps(r.json)]


@pytest.fixture(autouse=True)
def _key(monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", "sk-test-dearman")


def test_the_coachs_structured_reply_is_rated_and_its_rewrite_is_in_the_next_prompt(tmp_path: Path,
                                                                                    fake_llm) -> None:
    fake_llm.responder = Coach()
    (rec,) = run(tmp_path, fake_llm)
    coach_request = next(r.json for r in fake_llm.requests if "DEAR MAN skills coach" in json.dumps(r.json))
    schema = coach_request["response_format"]["json_schema"]["schema"]
    assert {"describe", "describe_why", "negotiate_why", "rewrite"} <= set(schema["properties"])
    learner = [t for t in rec["transcript"] if t["role"] == "learner"]
    n = len(learner)
    assert n == 3 and rec["outcome"]["ending"] == "refuse"  # poor turns until the scripted partner's patience
    # (the patience is drawn from the match's seed: 3 turns on this seed, 4 before seeds became duplicates)
    assert learner[0]["feedback"]["ratings"] == {"describe": 0, "express": 0, "assert": 1, "reinforce": 0,
                                                 "mindful": None, "confident": 0, "negotiate": None}
    assert [t["feedback"]["suggestions"] for t in learner] == [[f"Describe: REWRITE-{i}"] for i in range(1, n + 1)]
    prompts = learner_prompts(fake_llm)
    assert len(prompts) == n
    for t in range(n):  # advice from turn t is in the learner's prompt at t+1, and not before
        assert f"REWRITE-{t + 1}" not in prompts[t]
        if t + 1 < n:
            assert f"REWRITE-{t + 1}" in prompts[t + 1]


def test_a_malformed_reply_is_retried_once(tmp_path: Path, fake_llm) -> None:
    fake_llm.responder = coach = Coach(plan=["malformed"])
    (rec,) = run(tmp_path, fake_llm)
    first = rec["transcript"][0]["feedback"]
    assert coach.calls == 4 and first["suggestions"] == ["Describe: REWRITE-2"] and "error" not in first
    assert first["usage"]["calls"] == 2


@pytest.mark.parametrize("kind", ["malformed", "empty"])
def test_twice_malformed_or_empty_leaves_the_turn_unrated(tmp_path: Path, fake_llm, kind: str) -> None:
    fake_llm.responder = Coach(plan=[kind, kind])
    (rec,) = run(tmp_path, fake_llm)
    assert rec["status"] == "ok"
    first, second = [t["feedback"] for t in rec["transcript"] if t["role"] == "learner"][:2]
    assert first["suggestions"] == [] and "ratings" not in first and first["error"]["kind"] == "unrated"
    assert second["suggestions"] == ["Describe: REWRITE-3"] and second["ratings"]["assert"] == 1
    assert "REWRITE" not in learner_prompts(fake_llm)[1]  # no advice entered memory after the unrated turn


def test_hostile_coach_text_is_stored_verbatim_and_shown_escaped(tmp_path: Path, fake_llm) -> None:
    fake_llm.responder = Coach(rewrite="\x1b[2J[bold red]pwned[/bold red]")
    (rec,) = run(tmp_path, fake_llm)
    advice = rec["transcript"][0]["feedback"]["suggestions"][0]
    assert advice == "Describe: \x1b[2J[bold red]pwned[/bold red]"
    console = Console(record=True, width=200)
    console.print(match_view(rec))
    shown = console.export_text()
    assert "\\x1b[2J[bold red]pwned[/bold red]" in shown and "\x1b" not in shown
    assert "[D0 E0 A1 R0 M- C0 N-]" in shown  # the coach's ratings, compactly, under the learner's turn


def test_the_coachs_reasons_are_logged_and_shown_only_when_asked(tmp_path: Path, fake_llm) -> None:
    fake_llm.responder = Coach()
    (rec,) = run(tmp_path, fake_llm)
    first = rec["transcript"][0]["feedback"]
    assert first["reasons"] == {skill: "because" for skill in ("describe", "express", "assert", "reinforce",
                                                               "mindful", "confident", "negotiate")}
    assert first["ratings"]["mindful"] is None  # no occasion, as the coach said
    plain_view, with_reasons = Console(record=True, width=200), Console(record=True, width=200)
    plain_view.print(match_view(rec))
    with_reasons.print(match_view(rec, reasons=True))
    shown = with_reasons.export_text()
    assert "describe: because" not in plain_view.export_text()
    assert "describe: because" in shown and "negotiate: because" in shown


def test_hostile_partner_text_is_stored_verbatim_and_shown_escaped(tmp_path: Path, fake_llm) -> None:
    hostile = "\x1b[31m[bold]no[/bold]\x07"
    fake_llm.responder = Coach(partner=hostile)
    (rec,) = run(tmp_path, fake_llm, llm_partner=True)
    partner = next(t for t in rec["transcript"] if t["role"] == "partner")
    assert partner["text"] == hostile + " [REFUSE]" and partner["payload"]["state"] == "refuse"  # state's token
    assert rec["outcome"]["ending"] == "refuse"
    console = Console(record=True, width=200)
    console.print(match_view(rec))
    shown = console.export_text()
    assert "\\x1b[31m[bold]no[/bold]\\x07 [REFUSE]" in shown and "\x1b" not in shown and "\x07" not in shown


def test_resume_mid_series_rebuilds_the_learners_memory(tmp_path: Path, fake_llm) -> None:
    fake_llm.responder = Coach()
    whole = run(tmp_path, fake_llm, rounds=2)
    run_dir = tmp_path / "logs" / "run"
    cut = tmp_path / "cut"
    shutil.copytree(run_dir, cut)
    lines = (cut / MATCHES_FILE).read_text().splitlines(keepends=True)
    (cut / MATCHES_FILE).write_text("".join(line for line in lines if json.loads(line)["round"] == 1))
    before = len(fake_llm.requests)
    fake_llm.responder = Coach()  # the numbering restarts, so compare the memory, not the texts after it
    execute(prepare_resume(cut), RunOptions(local=True))
    resumed = sorted(read_run(cut)[1], key=lambda r: r["round"])
    assert resumed[1]["memory_before"] == whole[1]["memory_before"]
    assert "REWRITE-3" in whole[1]["memory_before"]["learner"]
    assert "REWRITE-3" in learner_prompts(type("F", (), {"requests": fake_llm.requests[before:]}))[0]
