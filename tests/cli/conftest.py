"""Fixtures the CLI tests share."""

from __future__ import annotations

from pathlib import Path

import pytest
from arena_cli import run_cli

BALLOON = Path(__file__).resolve().parents[2] / "scenarios" / "negotiation" / "balloon-scripted.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished scripted run (36 matches, in-process) named ``demo``, made once per test module."""
    logs = tmp_path_factory.mktemp("logs")
    assert run_cli("run", str(BALLOON), "--local", "--logs-dir", str(logs), "--run-id", "demo") == 0
    return logs / "demo"
