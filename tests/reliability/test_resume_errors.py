"""``--resume`` plays a match logged as ``error`` again, as a new line with the next ``attempt`` number,
together with the later rounds of its series; every reader takes each match's last attempt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import fake_llm_server as fake
from arena_cli import run_cli as cli

from arena.analysis.leaderboard import leaderboard
from arena.config import load_tournament
from arena.runlog import MATCHES_FILE, read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new, prepare_resume

ROOT = Path(__file__).resolve().parents[2]
AGENTS = ROOT / "agents"


def raw(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / MATCHES_FILE).read_text().splitlines()]


def llm_tournament(tmp: Path, base_url: str) -> Path:
    for role in ("seller", "buyer"):
        (tmp / f"{role}.yaml").write_text(
            f"name: f-{role}\nroles: [{role}]\npolicy:\n  type: llm\n  model:\n    backend: openai\n"
            f"    model: fake\n    base_url: {base_url}\n    max_retries: 0\n    timeout_s: 2\n    structured: 'off'\n"
        )
    path = tmp / "t.yaml"
    path.write_text(
        f'schema_version: 1\nname: faults\nscenarios: ["{ROOT / "scenarios/negotiation/balloon.yaml"}"]\n'
        "players: {seller: [seller.yaml], buyer: [buyer.yaml]}\nrepeats: 1\n"
    )
    return path


def test_a_failed_match_is_played_again_on_resume(tmp_path: Path, fake_llm, capsys) -> None:  # noqa: ANN001
    fake_llm.responder = lambda request, api: "I ask [OFFER $15]"
    fake_llm.push(fake.status(500))  # the first call fails, and max_retries is 0
    logs = tmp_path / "logs"
    path = llm_tournament(tmp_path, fake_llm.openai_base_url)
    assert cli("run", str(path), "--local", "--logs-dir", str(logs), "--run-id", "e") == 0
    run_dir = logs / "e"
    [first] = raw(run_dir)
    assert (first["status"], first["attempt"], first["error"]["kind"]) == ("error", 1, "server")

    capsys.readouterr()
    assert cli("run", "--resume", str(run_dir), "--local") == 0
    err = capsys.readouterr().err
    assert "resume: playing 1 logged match(es) again" in err
    lines = raw(run_dir)
    assert [(r["match_id"], r["status"], r["attempt"]) for r in lines] == [
        (first["match_id"], "error", 1), (first["match_id"], "ok", 2)]
    _, records = read_run(run_dir)
    assert [(r["status"], r["attempt"]) for r in records] == [("ok", 2)]
    [row_seller, row_buyer] = sorted((r.to_dict() for r in leaderboard(records)), key=lambda d: d["role"])
    assert row_seller["matches"] == row_buyer["matches"] == 1 and row_seller["errors"] == 0
    header = json.loads((run_dir / "run.json").read_text())
    assert header["summary"]["retried"] == 1 and header["summary"]["played"] == 1

    # an ok match is never played again
    assert cli("run", "--resume", str(run_dir), "--local") == 0
    assert len(raw(run_dir)) == 2


def coached(tmp: Path) -> Path:
    """A self-play run whose advised seller carries memory across 3 rounds (scripted, so repeatable)."""
    path = tmp / "coached.yaml"
    path.write_text(
        f"""schema_version: 1
name: coached
format: self_play
scenarios: ["{ROOT / 'scenarios/negotiation/balloon.yaml'}"]
players: {{seller: ["{AGENTS / 'coachable-seller.yaml'}"], buyer: ["{AGENTS / 'fair-buyer.yaml'}"]}}
rounds: 3
repeats: 2
seed: 5
feedback: {{advise: seller, critic: "{AGENTS / 'scripted-critic.yaml'}", arms: [none, ai], suggestions: 2}}
"""
    )
    return path


def test_a_failed_round_is_replayed_with_the_rest_of_its_series(tmp_path: Path) -> None:
    resolved = load_tournament(coached(tmp_path))
    reference = prepare_new(resolved, tmp_path / "logs", "ref")
    execute(reference, RunOptions(local=True))
    want = {r["match_id"]: r for r in raw(reference.log.dir)}
    assert len(want) == 2 * 2 * 3

    # the same run, as if round 2 of one coached series had failed: its round 3 then ran without round 2's
    # outcome in memory
    hurt = tmp_path / "logs" / "hurt"
    shutil.copytree(reference.log.dir, hurt)
    failed = "balloon.coachable-seller.fair-buyer.ai.s1.r2"
    lines = raw(hurt)
    for rec in lines:
        if rec["match_id"] == failed:
            rec.update(status="error", error={"kind": "server", "message": "500", "role": "seller"},
                       rewards={"seller": 0.0, "buyer": 0.0}, feedback={})
    (hurt / MATCHES_FILE).write_text("".join(json.dumps(r) + "\n" for r in lines))

    prepared = prepare_resume(hurt)
    assert prepared.summary.already_done == 12 - 2
    assert prepared.summary.retried == 2
    assert execute(prepared, RunOptions(local=True)).played == 2
    again = raw(hurt)[12:]
    assert [(r["match_id"], r["attempt"], r["status"]) for r in again] == [
        (failed, 2, "ok"), ("balloon.coachable-seller.fair-buyer.ai.s1.r3", 2, "ok")]

    _, records = read_run(hurt)
    assert len(records) == 12
    for rec in records:  # the last attempts are what an uninterrupted run logged
        ref = want[rec["match_id"]]
        assert (rec["outcome"], rec["memory_before"], rec["memory_after"]) == (
            ref["outcome"], ref["memory_before"], ref["memory_after"])
