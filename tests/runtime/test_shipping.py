"""Code shipping: joining a cluster, the driver's arena goes to the workers as the job's ``py_modules`` (the
3-node test checks that workers import it from there); not under ``ray job submit`` nor when turned off."""

from __future__ import annotations

from pathlib import Path

import pytest

import arena
from arena.runtime.pool import JOB_VAR, SHIP_VAR, code_runtime_env


def test_the_driver_ships_its_own_arena_unless_a_job_does_or_it_is_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SHIP_VAR, raising=False)
    monkeypatch.delenv(JOB_VAR, raising=False)
    assert code_runtime_env() == {"py_modules": [str(Path(arena.__file__).resolve().parent)]}
    monkeypatch.setenv(JOB_VAR, "{}")  # a `ray job submit` driver: the job's working_dir ships the code
    assert code_runtime_env() is None
    monkeypatch.delenv(JOB_VAR)
    monkeypatch.setenv(SHIP_VAR, "0")
    assert code_runtime_env() is None
