"""The game registry: one lazy entry per game; an unknown name is a one-line error naming the known ones."""

from __future__ import annotations

import sys

import pytest

from arena import registry
from arena.errors import ConfigError


def test_an_unknown_game_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"game: unknown game 'negotiaton'; did you mean 'negotiation'\? "
                                          r"\(one of: negotiation, example, dearman, omni\)"):
        registry.game("negotiaton")


def test_a_registration_imports_nothing_until_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_ENTRIES", dict(registry._ENTRIES))
    registry.register("later", "arena_registry_probe_module:GAME")
    assert "later" in registry.known() and "arena_registry_probe_module" not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        registry.game("later")


def test_an_entry_that_is_not_the_games_spec_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_ENTRIES", dict(registry._ENTRIES))
    registry.register("other", "arena.games.negotiation.spec:GAME")  # negotiation's spec under another name
    with pytest.raises(ConfigError, match="is not the Game spec of 'other'"):
        registry.game("other")


def test_negotiation_is_registered_with_its_roles_and_env() -> None:
    spec = registry.game("negotiation")
    assert spec.roles == ("seller", "buyer") and spec.env_id == "arena/negotiation-v2"
    assert registry.default_game() == "negotiation"
