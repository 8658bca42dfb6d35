"""Values mean what they say or are refused: no YAML 1.1 guesses, no type coercion, no pasted keys.

Each table row is a value a user could write and what Arena makes of it, pinned whole; every refusal is
one located line. The corpus in ``tests/data/bad_configs/`` checks the same refusals through the CLI.
"""

from __future__ import annotations

import math
import re

import pytest

from arena.config.loader import validate_model
from arena.config.model_spec import ModelSpec, looks_like_key
from arena.config.models import AgentCard, Tournament
from arena.config.yaml_source import parse_yaml
from arena.errors import ConfigError
from arena.games.negotiation.scenario import NegotiationScenario

NUMBER = "is not a plain decimal number"
BOOL = "in YAML 1.1 but text in YAML 1.2: write true or false, or quote it for text"

# plain value -> what it reads as, or the message of its refusal
READINGS: list[tuple[str, object]] = [
    ("90", 90),
    ("-3", -3),
    ("+12", 12),
    ("0", 0),
    ("12.5", 12.5),
    ("5.", 5.0),
    (".5", 0.5),
    ("1.5e+3", 1500.0),
    ("true", True),
    ("FALSE", False),
    ("~", None),
    ("null", None),
    ("'1:30'", "1:30"),
    ('"yes"', "yes"),
    ("!!str no", "no"),
    ("!!float 8", 8.0),
    ("12 dollars", "12 dollars"),
    ("10-20", "10-20"),
    ("1:30", f"'1:30' {NUMBER} (YAML 1.1 reads it as 90): write numbers in decimal, or quote it for text"),
    ("1:30:00", f"'1:30:00' {NUMBER} (YAML 1.1 reads it as 5400)"),
    ("010", f"'010' {NUMBER} (YAML 1.1 reads it as 8)"),
    ("00", f"'00' {NUMBER} (YAML 1.1 reads it as 0)"),
    ("0x1F", f"'0x1F' {NUMBER} (YAML 1.1 reads it as 31)"),
    ("0b101", f"'0b101' {NUMBER} (YAML 1.1 reads it as 5)"),
    ("1_000", f"'1_000' {NUMBER} (YAML 1.1 reads it as 1000)"),
    ("0o17", f"'0o17' {NUMBER}: write numbers in decimal, or quote it for text"),  # 15 in YAML 1.2 only
    ("1e3", f"'1e3' {NUMBER}: write"),  # 1000.0 in YAML 1.2, text in PyYAML's YAML 1.1
    ("-.5", f"'-.5' {NUMBER}: write"),
    ("!!int 1:30", f"'1:30' {NUMBER} (YAML 1.1 reads it as 90)"),  # an explicit tag gets no more
    ("yes", f"'yes' is true {BOOL}"),
    ("No", f"'No' is false {BOOL}"),
    ("ON", f"'ON' is true {BOOL}"),
    ("off", f"'off' is false {BOOL}"),
    ("y", "y"),  # text in PyYAML and in YAML 1.2 (only the YAML 1.1 spec's own list has it)
    ("!!bool yes", f"'yes' is true {BOOL}"),
]


@pytest.mark.parametrize(("raw", "expected"), READINGS, ids=[r for r, _ in READINGS])
def test_plain_values_read_the_same_in_yaml_11_and_12_or_are_refused(raw: str, expected: object) -> None:
    text = f"kind: scenario\nvalue: {raw}\n"
    if isinstance(expected, str) and (NUMBER in expected or BOOL in expected):
        with pytest.raises(ConfigError) as err:
            parse_yaml(text, "f.yaml")
        line = err.value.one_line()
        assert line.startswith("f.yaml:2:8: value: "), line
        assert expected in line
    else:
        value = parse_yaml(text, "f.yaml").data["value"]
        assert value == expected and type(value) is type(expected)


def test_nan_and_infinity_are_numbers_the_models_refuse() -> None:
    data = parse_yaml("a: .nan\nb: -.inf\n", "f.yaml").data
    assert math.isnan(data["a"]) and data["b"] == -math.inf


def test_an_ambiguous_key_is_refused_too() -> None:
    """GitHub's `on:` trap: PyYAML makes the key True."""
    with pytest.raises(ConfigError, match=r"^f\.yaml:2:1: 'on' is true in YAML 1\.1"):
        parse_yaml("kind: agent\non: push\n", "f.yaml")


TOURNAMENT = "kind: tournament\nname: t\nscenarios: [s.yaml]\nplayers: {seller: [a.yaml], buyer: [b.yaml]}\n"
SCENARIO = ("kind: scenario\nname: s\nitem: balloon\nseller: {cost: 8, opening: 20}\n"
            "buyer: {opening: 10, budget: 20}\ndeal_range: {low: 10, high: 20}\n")


def refusal(model: type, text: str) -> str:
    with pytest.raises(ConfigError) as err:
        validate_model(model, parse_yaml(text, "f.yaml"))
    return err.value.one_line()


@pytest.mark.parametrize(
    ("model", "text", "expected"),
    [
        (Tournament, TOURNAMENT + "repeats: true\n",
         "f.yaml:5:10: repeats: Input should be a valid integer, got boolean True"),
        (Tournament, TOURNAMENT + "rounds: 2.0\n",
         "f.yaml:5:9: rounds: Input should be a valid integer, got float 2.0"),
        (Tournament, TOURNAMENT + 'seed: "7"\n', "f.yaml:5:7: seed: Input should be a valid integer, got text '7'"),
        (NegotiationScenario, SCENARIO.replace("cost: 8", "cost: true"),
         "f.yaml:4:16: seller.cost: Input should be a valid number, got boolean True"),
        (NegotiationScenario, SCENARIO.replace("cost: 8", 'cost: "8"'),
         "f.yaml:4:16: seller.cost: Input should be a valid number, got text '8'"),
        (NegotiationScenario, SCENARIO.replace("high: 20}", 'high: 20, inclusive: "yes"}'),
         "f.yaml:6:44: deal_range.inclusive: Input should be a valid boolean, got text 'yes'; write true or false"),
        (NegotiationScenario, SCENARIO.replace("item: balloon", "item: 12"),
         "f.yaml:3:7: item: Input should be a valid string, got int 12"),
        (AgentCard, "kind: agent\nname: a\npolicy: {type: llm, model: {temperature: '0.5'}}\n",
         "f.yaml:3:42: policy.model.temperature: Input should be a valid number, got text '0.5'"),
    ],
)
def test_values_are_never_coerced(model: type, text: str, expected: str) -> None:
    assert refusal(model, text) == expected


def test_an_int_still_fills_a_float_field() -> None:
    scenario = validate_model(NegotiationScenario, parse_yaml(SCENARIO, "f.yaml"))
    assert scenario.seller.cost == 8.0 and isinstance(scenario.seller.cost, float)


KEY = "sk-proj-Xq3vT9rLmK2pW8sN4bY7cJ1dF6gH0aZe"


@pytest.mark.parametrize(
    "pasted",
    [KEY, "sk-ant-api03-abcdefghijklmnop", "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
     "AKIAIOSFODNN7EXAMPLE", "9f86d081884c7d659a2feaa0c55ad015", "x" * 65],
)
def test_a_pasted_key_is_refused_without_echoing_it(pasted: str) -> None:
    text = f"kind: agent\nname: a\npolicy:\n  type: llm\n  model: {{backend: openai, api_key_env: {pasted}}}\n"
    with pytest.raises(ConfigError) as err:
        validate_model(AgentCard, parse_yaml(text, "f.yaml"))
    line = err.value.one_line()
    assert line.startswith("f.yaml:5:41: policy.model.api_key_env: this looks like an API key, not the name of a "
                           "variable holding one (the value is not shown)"), line
    assert pasted not in line
    assert pasted not in str(err.value.__cause__)  # nor in the pydantic error a --debug traceback shows


@pytest.mark.parametrize("name", ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "my_key", "_PRIVATE", "AZURE_OPENAI_API_KEY_2",
                                  "GOOGLE_APPLICATION_CREDENTIALS_FOR_PROD", "OPENAI_API_KEY_20240101"])
def test_variable_names_are_accepted(name: str) -> None:
    assert not looks_like_key(name)
    assert ModelSpec.model_validate({"api_key_env": name}).api_key_env == name


@pytest.mark.parametrize("name", ["OPENAI API KEY", "1PASSWORD", "OPENAI-KEY", "$OPENAI_API_KEY", ""])
def test_an_api_key_env_that_is_no_variable_name_is_refused_unechoed(name: str) -> None:
    with pytest.raises(ValueError) as err:
        ModelSpec.model_validate({"api_key_env": name})
    message = re.sub(r"\s+", " ", str(err.value))
    assert "must be an environment variable name (letters, digits and '_', not starting with a digit)" in message
    if name:
        assert name not in message
