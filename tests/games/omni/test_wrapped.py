"""The families that wrap the other games: a negotiation won above a target price, a DEAR MAN objective
met with mastery above a threshold, each played by the wrapped game's own env and scripted policy."""

from __future__ import annotations

import pytest

from arena.games.omni.families import get_family, spec_of, tag_of
from arena.games.omni.scenario import OmniScenario

MALFORMED = [None, 123, "", "ANSWER:", "x" * 200_000, "ANSWER: \x00\u202e", "[[[", "k" * 5_000]


def test_a_firm_price_wins_against_the_eager_buyer_only_up_to_what_it_pays() -> None:
    deal = get_family("negotiation_deal")
    task = deal.generate(spec_of("negotiation_deal", buyer="eager", target=0.5), seed=3)
    assert task.answer == "18.0"  # the highest price the eager balloon buyer accepts (target: 15)
    assert deal.verify(task, "I will hold at 18. ANSWER: 18")
    assert not deal.verify(task, "ANSWER: 19.5")  # too greedy: no deal
    assert not deal.verify(task, "ANSWER: 12")  # a deal, below the target
    for bad in MALFORMED:
        assert deal.verify(task, bad) is False


def test_a_target_no_buyer_pays_is_impossible() -> None:
    hard = spec_of("negotiation_deal", buyer="tough", target=0.9)
    assert get_family("negotiation_deal").generate(hard, 0).answer == "none" and tag_of(hard) == "impossible"
    assert tag_of(spec_of("negotiation_deal", buyer="fair")) == "interesting"


def test_dearman_success_needs_the_objective_and_the_mastery() -> None:
    obj = get_family("dearman_objective")
    task = obj.generate(spec_of("dearman_objective", scenario="landlord-repair", threshold=1.0), seed=0)
    assert obj.verify(task, f"ANSWER: {task.answer}")
    assert not obj.verify(task, "ANSWER: Sorry to bother you, maybe this is a bad time. Could you fix the heater?")
    no_benefit = task.answer.replace(" That way you'll avoid a bigger repair bill once the pipes freeze.", "")
    assert no_benefit != task.answer and obj.verify(task, f"ANSWER: {no_benefit}")  # met, mastery 1.6 >= 1
    strict = obj.generate(spec_of("dearman_objective", scenario="landlord-repair", threshold=2.0), seed=0)
    assert obj.verify(strict, f"ANSWER: {task.answer}")  # every skill: mastery 2
    assert not obj.verify(strict, f"ANSWER: {no_benefit}")  # met, but mastery 1.6 < 2
    for bad in MALFORMED:
        assert obj.verify(task, bad) is False


@pytest.mark.parametrize("family", ["negotiation_deal", "dearman_objective"])
def test_a_curriculum_scenario_can_name_them(family: str) -> None:
    scenario = OmniScenario.model_validate({"name": "t", "families": [family, "add"]})
    assert {s.family for s in scenario.pool()} == {family, "add"}


def test_the_wrapped_scenarios_are_found_without_a_checkout_or_refused_in_one_line(monkeypatch, tmp_path) -> None:
    """A non-editable install has no ``parents[4]/scenarios``: the file is looked up under $ARENA_SCENARIOS and
    ./scenarios, and a curriculum naming a family whose scenario is nowhere fails to load in one line."""
    import shutil
    from pathlib import Path

    from pydantic import ValidationError

    from arena.games.omni.families import games, validate_spec

    repo_scenarios = games.CHECKOUT_SCENARIOS
    monkeypatch.setattr(games, "CHECKOUT_SCENARIOS", tmp_path / "site-packages" / "scenarios")  # not there
    monkeypatch.delenv(games.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    checked = validate_spec({"family": "negotiation_deal", "params": {"scenario": "bicycle"}})
    assert checked.spec is None and checked.reason.startswith(
        "negotiation scenario 'bicycle' not found: no negotiation/bicycle.yaml under ")
    assert "set ARENA_SCENARIOS" in checked.reason and "\n" not in checked.reason
    with pytest.raises(ValidationError, match="families: dearman_objective: dearman scenario 'landlord-repair'"):
        OmniScenario.model_validate({"name": "t", "families": ["dearman_objective"]})
    shipped = tmp_path / "shipped"
    (shipped / "negotiation").mkdir(parents=True)
    shutil.copy(repo_scenarios / "negotiation" / "bicycle.yaml", shipped / "negotiation")
    monkeypatch.setenv(games.ENV_VAR, str(shipped))
    assert games.scenario_path("negotiation", "bicycle") == shipped / "negotiation" / "bicycle.yaml"
    assert validate_spec({"family": "negotiation_deal", "params": {"scenario": "bicycle"}}).spec is not None
    monkeypatch.delenv(games.ENV_VAR)
    (tmp_path / "scenarios" / "dearman").mkdir(parents=True)  # ./scenarios of the working directory
    shutil.copy(repo_scenarios / "dearman" / "extra-work.yaml", tmp_path / "scenarios" / "dearman")
    assert games.scenario_path("dearman", "extra-work") == Path.cwd() / "scenarios" / "dearman" / "extra-work.yaml"
