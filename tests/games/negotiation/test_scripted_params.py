"""A scripted card's ``params`` are checked per strategy, with ranges: what validates, plays.

Before, ``speed: -1`` or ``.nan`` validated and then every match crashed. Now every value out of range is
refused at load time, located at the parameter, and the edges of every range play whole matches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.config import load_agent, load_tournament
from arena.errors import ConfigError
from arena.games.negotiation.scripted import STRATEGIES, STRATEGY_PARAMS, ConcessionParams, strategy
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.tournament import execute, prepare_new

BALLOON = Path(__file__).resolve().parents[3] / "scenarios" / "negotiation" / "balloon.yaml"


def card(tmp_path: Path, params: str, name: str = "edgy") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"kind: agent\nname: {name}\nroles: [seller, buyer]\n"
                    f"policy:\n  type: scripted\n  strategy: tough\n  params: {params}\n")
    return path


@pytest.mark.parametrize(
    ("params", "where", "message"),
    [
        ("{speed: -1}", "7:19", "policy.params.speed: Input should be greater than 0"),
        ("{speed: 0}", "7:19", "policy.params.speed: Input should be greater than 0"),
        ("{speed: .nan}", "7:19", "policy.params.speed: Input should be a finite number"),
        ("{step: .inf}", "7:18", "policy.params.step: Input should be a finite number"),
        ("{jitter: -0.1}", "7:20", "policy.params.jitter: Input should be greater than or equal to 0"),
        ("{buyer_reservation: 2}", "7:31", "policy.params.buyer_reservation: Input should be less than or equal to 1"),
        ("{advice_gain: true}", "7:25", "policy.params.advice_gain: Input should be a valid number, got boolean True"),
        ("{speeed: 2}", "7:12", "policy.params.speeed: unknown key; did you mean 'speed'?"),
    ],
)
def test_a_param_out_of_range_is_refused_at_the_param(tmp_path: Path, params: str, where: str, message: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        load_agent(card(tmp_path, params))
    assert err.value.one_line().startswith(f"edgy.yaml:{where}: {message}"), err.value.one_line()


def test_every_strategy_has_a_params_model_and_its_defaults_fit_it() -> None:
    assert set(STRATEGY_PARAMS) == set(STRATEGIES)
    for name, numbers in STRATEGIES.items():
        STRATEGY_PARAMS[name].model_validate(vars(numbers))  # the shipped numbers lie inside the ranges


def test_strategy_applies_only_what_the_card_sets() -> None:
    assert strategy("tough", {"speed": 3}) == STRATEGIES["tough"].__class__(
        seller_reservation=0.7, buyer_reservation=0.3, speed=3.0)


def edges() -> list[str]:
    """Each parameter at each end of its declared range (just inside an open end), read from the model, so a
    range widened past what the curve can play fails here."""
    out = []
    for name, info in ConcessionParams.model_fields.items():
        for rule in info.metadata:
            for attr, inside in (("ge", 0.0), ("le", 0.0), ("gt", 1e-3), ("lt", -1e-3)):
                if hasattr(rule, attr):
                    out.append(f"{{{name}: {getattr(rule, attr) + inside}}}")
    return out


EDGES = edges()


def test_the_edges_of_every_range_play_whole_matches(tmp_path: Path) -> None:
    assert len(EDGES) == 2 * len(ConcessionParams.model_fields)  # every parameter bounded on both sides
    (tmp_path / "critic.yaml").write_text("kind: agent\nname: critic\nroles: [critic]\n"
                                          "policy: {type: scripted, strategy: fair}\n")
    (tmp_path / "fair.yaml").write_text("kind: agent\nname: fair\npolicy: {type: scripted, strategy: fair}\n")
    edgy = ", ".join(card(tmp_path, params, f"edge{i}").name for i, params in enumerate(EDGES))
    for role, other in (("seller", "buyer"), ("buyer", "seller")):
        path = tmp_path / f"edges-{role}.yaml"
        path.write_text(f"kind: tournament\nname: edges-{role}\nformat: self_play\nscenarios: [{BALLOON}]\n"
                        f"players: {{{role}: [{edgy}], {other}: [fair.yaml]}}\nrounds: 2\n"
                        f"feedback: {{advise: {role}, critic: critic.yaml, arms: [ai]}}\n")
        prepared = prepare_new(load_tournament(path), tmp_path / "logs", role)
        execute(prepared, RunOptions(local=True, concurrency=4))
        _, records = read_run(prepared.log.dir)
        assert len(records) == len(EDGES) * 2
        assert all(r["status"] == "ok" for r in records), [r.get("error") for r in records if r["status"] != "ok"]
