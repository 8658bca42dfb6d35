"""``arena schema`` prints JSON Schema for the three file kinds, and that schema accepts the real example files.

Editors validate YAML against this output (yaml-language-server), so a schema that rejects a file the
loader accepts would put red squiggles under good configs.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.arena_cli import run_captured

ROOT = Path(__file__).resolve().parents[2]
REAL_FILES = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("agents/*.yaml")])
KINDS = ("tournament", "scenario", "agent")


def arena(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[object, str, str]:
    return run_captured(capsys, *args)


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    from arena.cli.schema import schema

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        schema(None)
    return json.loads(buf.getvalue())


def test_schema_command_prints_all_three_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = arena(capsys, "schema")
    assert code == 0, err
    printed = json.loads(out)
    assert set(printed) == set(KINDS)
    for kind in KINDS:
        jsonschema.Draft202012Validator.check_schema(printed[kind])
        assert printed[kind]["type"] == "object"
        # unknown keys are errors in editors too (a scenario: in each game's branch)
        closed = [printed[kind]] if kind != "scenario" else list(printed[kind]["$defs"].values())
        assert all(s["additionalProperties"] is False for s in closed if "game" in s.get("properties", {})) or (
            printed[kind].get("additionalProperties") is False)


def test_schema_of_one_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = arena(capsys, "schema", "agent")
    assert code == 0
    assert json.loads(out)["title"] == "AgentCard"


def test_unknown_kind_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = arena(capsys, "schema", "agnet")
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == ["arena schema: unknown kind 'agnet' (one of: tournament, scenario, agent)"]


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_files_match_the_schema(name: str, schemas: dict[str, dict]) -> None:
    data = yaml.safe_load((ROOT / name).read_text())
    jsonschema.validate(data, schemas[data["kind"]], cls=jsonschema.Draft202012Validator)


def test_schema_rejects_what_the_loader_rejects(schemas: dict[str, dict]) -> None:
    card = yaml.safe_load((ROOT / "agents/fair-seller.yaml").read_text())
    validator = jsonschema.Draft202012Validator(schemas["agent"])
    assert not list(validator.iter_errors(card))
    assert list(validator.iter_errors({**card, "polcy": card["policy"]}))  # unknown key
    assert list(validator.iter_errors({**card, "policy": {"type": "scriptd", "strategy": "fair"}}))
    scenario = yaml.safe_load((ROOT / "scenarios/negotiation/balloon.yaml").read_text())
    bad = {**scenario, "seller": {**scenario["seller"], "cost": -1}}
    assert list(jsonschema.Draft202012Validator(schemas["scenario"]).iter_errors(bad))
