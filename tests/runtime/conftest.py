"""Fixtures shared by the runtime tests."""

from __future__ import annotations

import dataclasses

import pytest

from arena import registry


@pytest.fixture
def negotiation_after_round_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negotiation as a game that takes after_round feedback only (it takes both), so a refusal can be tested."""
    spec = registry.game("negotiation")
    monkeypatch.setitem(registry._LOADED, "negotiation", dataclasses.replace(spec, feedback_timings=("after_round",)))
