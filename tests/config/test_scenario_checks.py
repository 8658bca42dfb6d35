"""A scenario is checked as a game, and every finding points at the field that is wrong, not at line 1.

Errors refuse the file; warnings (playable, but a "deal" that loses one side money) are located lines
that ``arena validate`` prints under its ``ok``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from arena_cli import run_cli

from arena.config import load_any, load_scenario
from arena.errors import ConfigError

SCENARIO = """\
kind: scenario
name: s
item: balloon
currency: "$"
seller:
  cost: 8
  opening: 20
buyer:
  opening: 10
  budget: 20
deal_range: {low: 10, high: 20}
accept_phrases: [deal]
"""


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write SCENARIO with one replacement into ``s.yaml`` (cwd: tmp_path) and return its path."""
    monkeypatch.chdir(tmp_path)

    def write(old: str = "", new: str = "") -> Path:
        assert old in SCENARIO
        path = tmp_path / "s.yaml"
        path.write_text(SCENARIO.replace(old, new, 1))
        return path

    return write


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("opening: 20", "opening: 6",
         "s.yaml:7:12: seller.opening: the seller opens below its cost (6 < 8): its own first ask would lose money"),
        ("opening: 10", "opening: 25",
         "s.yaml:9:12: buyer.opening: the buyer opens above its budget (25 > 20): its own first bid would break its "
         "budget"),
        ("cost: 8", "cost: 20",
         "s.yaml:10:11: buyer.budget: no deal is possible: buyer budget 20 <= seller cost 20"),
        ('"$"', "dollars",
         "s.yaml:4:11: currency: unknown currency 'dollars' (use '$' or an ISO 4217 code such as USD, EUR)"),
        ('"$"', "eur", "s.yaml:4:11: currency: unknown currency 'eur'; did you mean 'EUR'? (use '$' or an ISO 4217 "
                       "code such as USD, EUR)"),
        ("[deal]", '["   "]',
         "s.yaml:12:17: accept_phrases: accept_phrases must be non-empty ASCII strings, got ' '"),  # spaces fold
        ("item: balloon", 'item: "  "', "s.yaml:3:7: item: item must be a non-empty string, got ' '"),
        ("opening: 20", "opening: 20\n  brief: Sell the {item} for {currency}{opening:.2f}.",
         "s.yaml:8:10: seller.brief: malformed template: placeholder {opening:.2f} must be a plain {name} (no ':', "
         "'!', '.' or '[')"),
    ],
)
def test_game_errors_point_at_the_field(at, old: str, new: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_scenario(at(old, new))
    assert err.value.one_line() == expected


@pytest.mark.parametrize(("old", "new"), [("opening: 20", "opening: 8"), ("opening: 10", "opening: 20")])
def test_opening_exactly_at_cost_or_budget_is_allowed(at, old: str, new: str) -> None:
    load_scenario(at(old, new))


def test_the_iso_code_of_a_currency_is_known(at) -> None:
    assert load_scenario(at('"$"', "EUR")).currency == "EUR"


SELLER_WARNING = ("s.yaml:6:9: seller.cost: warning: cost 12 is inside deal_range (10, 20): a deal between 10 and 12 "
                  "counts as a deal but loses the seller money")
BUYER_WARNING = ("s.yaml:10:11: buyer.budget: warning: budget 18 is inside deal_range (10, 20): a deal between 18 and "
                 "20 counts as a deal but breaks the buyer's budget")


def test_a_cost_or_budget_inside_the_deal_range_is_a_located_warning(at) -> None:
    path = at("cost: 8", "cost: 12")
    path.write_text(path.read_text().replace("budget: 20", "budget: 18"))
    found: list[str] = []
    load_any(path, warnings=found)
    assert found == [SELLER_WARNING, BUYER_WARNING]


def test_no_warning_when_the_range_lies_between_cost_and_budget(at) -> None:
    found: list[str] = []
    load_any(at(), warnings=found)
    assert found == []


def tournament_of(tmp_path: Path, scenarios: str) -> None:
    """``t.yaml``: the given scenarios between two scripted cards, beside them in ``tmp_path``."""
    for role in ("seller", "buyer"):
        (tmp_path / f"{role}.yaml").write_text(f"kind: agent\nname: {role}\nroles: [{role}]\n"
                                               "policy: {type: scripted, strategy: fair}\n")
    (tmp_path / "t.yaml").write_text(f"kind: tournament\nname: t\nscenarios: [{scenarios}]\n"
                                     "players: {seller: [seller.yaml], buyer: [buyer.yaml]}\n")


def test_a_tournament_reports_its_scenarios_warnings_in_the_scenario(at, tmp_path: Path) -> None:
    at("cost: 8", "cost: 12")
    tournament_of(tmp_path, "s.yaml, s.yaml")
    found: list[str] = []
    with pytest.raises(ConfigError, match="two scenarios are named 's'"):  # loaded once, warned once
        load_any(tmp_path / "t.yaml", warnings=found)
    assert found == [SELLER_WARNING]
    (tmp_path / "t.yaml").write_text((tmp_path / "t.yaml").read_text().replace("s.yaml, s.yaml", "s.yaml"))
    found.clear()
    load_any(tmp_path / "t.yaml", warnings=found)
    assert found == [SELLER_WARNING]


def test_validate_prints_the_warning_and_still_passes(at, capsys: pytest.CaptureFixture[str]) -> None:
    at("cost: 8", "cost: 12")
    assert run_cli("validate", "s.yaml") == 0
    out, err = capsys.readouterr()
    lines = (out + err).splitlines()
    assert "s.yaml: ok (scenario s)" in lines and SELLER_WARNING in lines


def test_run_prints_the_scenarios_warning_on_stderr_and_plays(at, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    at("cost: 8", "cost: 12")
    tournament_of(tmp_path, "s.yaml")
    assert run_cli("run", "t.yaml", "--local", "--logs-dir", str(tmp_path / "logs")) == 0
    out, err = capsys.readouterr()
    assert SELLER_WARNING in err.splitlines()
    assert SELLER_WARNING not in out
