"""Brief templates take plain ``{name}`` placeholders only, and rendering never runs ``str.format`` on them."""

from __future__ import annotations

import time

import pytest

from arena.games.negotiation.rules import PLACEHOLDERS, NegotiationParams
from arena.games.templates import render, template_problem

VALUES = {"item": "balloon", "cost": "8", "currency": "$"}


def test_plain_placeholders_and_escaped_braces_render() -> None:
    rendered = render("A {item} for {currency}{cost}; {{not a placeholder}}.", VALUES)
    assert rendered == "A balloon for $8; {not a placeholder}."


def test_a_value_is_pasted_in_and_never_read_as_a_template() -> None:
    assert render("Sell the {item}.", {"item": "{cost:>999999999}"}) == "Sell the {cost:>999999999}."


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{cost:>999999999}", "malformed template: placeholder {cost:>999999999} must be a plain {name} "
                              "(no ':', '!', '.' or '[')"),
        ("{item.__class__}", "malformed template: placeholder {item.__class__} must be a plain {name}"),
        ("{item[0]}", "malformed template: placeholder {item[0]} must be a plain {name}"),
        ("{item!r}", "malformed template: placeholder {item!r} must be a plain {name}"),
        ("{0}", "malformed template: placeholder {0} must be a plain {name}"),
        ("{}", "malformed template: placeholder {} must be a plain {name}"),
        ("{cost:" + ">9" * 40 + "}", "malformed template: placeholder {cost:" + ">9" * 15 + "...} must be"),
        ("{itme}", "unknown placeholder {itme}; known: {item}, {cost}, {currency}"),
        ("{cost", "malformed template (expected '}' before end of string); write literal braces as {{ and }}"),
        ("cost}", "malformed template (Single '}' encountered in format string); write literal braces as {{ and }}"),
    ],
)
def test_anything_but_a_plain_known_name_is_refused(template: str, problem: str) -> None:
    assert (template_problem(template, VALUES) or "").startswith(problem)
    with pytest.raises(ValueError, match="placeholder|malformed"):
        render(template, VALUES)


def test_the_padding_bomb_is_refused_at_once() -> None:
    """``str.format`` took 84 s and about 1 GB for this brief; validation must not render it."""
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"^seller_brief: malformed template: placeholder \{cost:>999999999\}"):
        NegotiationParams(seller_brief="It cost you {cost:>999999999}.")
    assert time.perf_counter() - start < 0.5


def test_an_attribute_lookup_never_reaches_the_prompt() -> None:
    with pytest.raises(ValueError, match=r"^buyer_brief: malformed template: placeholder \{item.__class__\}"):
        NegotiationParams(buyer_brief="You want a {item.__class__}.")


def test_every_placeholder_the_env_offers_renders() -> None:
    template = " ".join("{" + name + "}" for name in PLACEHOLDERS)
    brief = NegotiationParams(seller_brief=template).brief("seller")
    assert brief.splitlines()[0] == "balloon a red party balloon 8 20 20 10 $"
