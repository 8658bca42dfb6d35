"""A recognisable fake key must never leave the environment variable: not in logs, run.json, error
messages, replay, leaderboard or the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arena_cli import run_cli as cli
from fake_llm_server import status

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-arena-FAKE-SECRET-0123456789"


def write_cards(tmp: Path, base_url: str) -> Path:
    for role in ("seller", "buyer"):
        (tmp / f"{role}.yaml").write_text(
            f"name: key-{role}\nroles: [{role}]\npolicy:\n  type: llm\n  model:\n    backend: openai\n"
            f"    model: fake\n    base_url: {base_url}\n    api_key_env: ARENA_SECRET_TEST\n    max_retries: 0\n"
        )
    path = tmp / "t.yaml"
    path.write_text(
        f'schema_version: 1\nname: secrets\nscenarios: ["{ROOT / "scenarios/negotiation/balloon.yaml"}"]\n'
        "players: {seller: [seller.yaml], buyer: [buyer.yaml]}\nrepeats: 2\n"
    )
    return path


def test_key_never_appears_in_any_output(tmp_path: Path, fake_llm, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ARENA_SECRET_TEST", SECRET)
    # the server echoes the Authorization header back in its error body: a worst case for error messages
    fake_llm.push(status(401, body=f"bad key {SECRET}"), status(500, body=f"echo Bearer {SECRET}"))
    path = write_cards(tmp_path, fake_llm.openai_base_url)
    logs = tmp_path / "logs"
    outputs = []
    assert cli("run", str(path), "--local", "--logs-dir", str(logs), "--run-id", "s") == 0
    outputs.append(capsys.readouterr())
    run_dir = logs / "s"
    records = [json.loads(x) for x in (run_dir / "matches.jsonl").read_text().splitlines()]
    assert any(r["status"] == "error" for r in records)  # the echoed errors were logged
    for args in (("replay", str(run_dir)), ("leaderboard", str(run_dir)), ("report", str(run_dir))):
        assert cli(*args) == 0
        outputs.append(capsys.readouterr())
    for rec in records:
        assert cli("replay", str(run_dir), "--match", rec["match_id"]) == 0
        outputs.append(capsys.readouterr())
    assert any(SECRET in json.dumps(r.headers) for r in fake_llm.requests)  # it was really used
    for out in outputs:
        assert SECRET not in out.out and SECRET not in out.err
    for file in run_dir.iterdir():
        assert SECRET not in file.read_bytes().decode("utf-8", "replace"), file.name


def test_missing_key_message_names_the_variable_not_a_value(tmp_path: Path, fake_llm, monkeypatch, capsys) -> None:
    monkeypatch.delenv("ARENA_SECRET_TEST", raising=False)
    path = write_cards(tmp_path, fake_llm.openai_base_url)
    assert cli("run", str(path), "--local", "--logs-dir", str(tmp_path / "logs")) == 2
    err = capsys.readouterr().err.strip()
    assert "ARENA_SECRET_TEST is not set" in err and err.count("\n") == 0
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize("loader", ["yaml"])
def test_yaml_is_loaded_safely(tmp_path: Path, loader: str, capsys) -> None:
    evil = tmp_path / "evil.yaml"
    marker = tmp_path / "pwned"
    evil.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\nroles: []\n")
    assert cli("validate", str(evil)) == 2
    assert not marker.exists()
    assert "not allowed" in capsys.readouterr().err
