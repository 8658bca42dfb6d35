"""The negotiation scenario file (``game: negotiation``): the item, each side's numbers and brief, the
deal range, the turn cap, and the human arm's suggestion pool, each checked where a wrong value would make
the game meaningless, with the error at its field."""

from __future__ import annotations

import difflib
import functools
import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from arena.config.model_spec import FieldProblem, StrictModel
from arena.config.models import Scenario

Price = Annotated[float, Field(ge=0, allow_inf_nan=False, description="a price in the scenario's currency")]


class SellerSide(StrictModel):
    cost: Price = Field(description="what the item cost the seller; the seller's private floor")
    opening: Price = Field(description="the seller's opening ask")
    brief: str | None = Field(default=None, description="role brief template; {item} {cost} {opening} ...")

    @model_validator(mode="after")
    def _opens_at_or_above_cost(self) -> SellerSide:
        if self.opening < self.cost:
            raise FieldProblem(f"the seller opens below its cost ({self.opening:g} < {self.cost:g}): "
                               "its own first ask would lose money", "opening")
        return self


class BuyerSide(StrictModel):
    opening: Price = Field(description="the buyer's opening bid (the paper's target)")
    budget: Price = Field(description="the most the buyer will pay; private")
    brief: str | None = Field(default=None, description="role brief template; {item} {budget} {opening} ...")

    @model_validator(mode="after")
    def _opens_within_budget(self) -> BuyerSide:
        if self.opening > self.budget:
            raise FieldProblem(f"the buyer opens above its budget ({self.opening:g} > {self.budget:g}): "
                               "its own first bid would break its budget", "opening")
        return self


class DealRange(StrictModel):
    low: Price = Field(description="a deal must close above this price")
    high: Price = Field(description="a deal must close below this price")
    inclusive: bool = Field(default=False, description="false: a deal counts only strictly inside (low, high)")

    @model_validator(mode="after")
    def _ordered(self) -> DealRange:
        if self.high <= self.low:
            raise ValueError(f"high ({self.high:g}) must be above low ({self.low:g})")
        return self


class NegotiationScenario(Scenario):
    """A buyer/seller bargaining setting (the paper's balloon is the default example)."""

    # the template of `arena new scenario negotiation <name>` (and an example in editors)
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "balloon", "description": "Bargaining over a balloon (Fu et al. 2023).",
        "item": "balloon", "item_description": "a good red party balloon", "currency": "$",
        "seller": {"cost": 8, "opening": 20}, "buyer": {"opening": 10, "budget": 20},
        "deal_range": {"low": 10, "high": 20, "inclusive": False}, "max_turns": 20,
        "accept_phrases": ["it's a deal", "deal!"],
        "feedback_pool": ["Open high and concede in small steps.", "Do not accept the first counter-offer.",
                          "Anchor the conversation on the item's value, not its cost."],
    }]})

    game: Literal["negotiation"] = "negotiation"
    item: str = Field(min_length=1, description="what is sold, as the players call it")
    item_description: str = Field(default="", description="a longer description the players read (default: item)")
    currency: str = Field(default="$", description="'$' or an ISO 4217 code such as EUR")
    seller: SellerSide = Field(description="the seller's private numbers and, optionally, its brief")
    buyer: BuyerSide = Field(description="the buyer's private numbers and, optionally, its brief")
    deal_range: DealRange = Field(description="where a closed price counts as a deal")
    max_turns: int = Field(default=20, ge=2, le=200, description="utterances per round (10 exchanges = 20)")
    accept_phrases: list[str] = Field(default_factory=list, description="extra phrases that mean accept")
    feedback_pool: list[str] = Field(
        default_factory=list, description="human-written suggestions for the 'human' feedback arm"
    )

    # field validators (not one model validator) so that the error names the field and its line
    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str) -> str:
        codes = _currency_codes()
        if currency != "$" and currency not in codes:
            close = difflib.get_close_matches(currency.upper(), sorted(codes), n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown currency {currency!r}{hint} (use '$' or an ISO 4217 code such as USD, EUR)")
        return currency

    @field_validator("buyer")
    @classmethod
    def _budget_above_cost(cls, buyer: BuyerSide, info: ValidationInfo) -> BuyerSide:
        seller = info.data.get("seller")
        if seller is not None and buyer.budget <= seller.cost:
            raise FieldProblem(f"no deal is possible: buyer budget {buyer.budget:g} <= seller cost {seller.cost:g}",
                               "budget")
        return buyer

    @field_validator("deal_range")
    @classmethod
    def _deal_possible(cls, deal_range: DealRange, info: ValidationInfo) -> DealRange:
        seller, buyer = info.data.get("seller"), info.data.get("buyer")
        if seller is None or buyer is None:
            return deal_range
        lo, hi = deal_range.low, deal_range.high
        if buyer.budget <= lo or seller.cost >= hi:
            raise ValueError(
                f"no deal is possible inside deal_range ({lo:g}, {hi:g}) with seller cost "
                f"{seller.cost:g} and buyer budget {buyer.budget:g}"
            )
        return deal_range

    @model_validator(mode="after")
    def _env_accepts(self) -> NegotiationScenario:
        try:
            self.to_params()  # the env's own checks (brief placeholders, currency, limits)
        except ValueError as exc:
            # the env names its parameter first ("seller_brief: ...", "currency must ..."): point at its field
            param = re.match(r"\w+", str(exc))
            at = _ENV_FIELDS.get(param.group() if param else "", ())
            message = re.sub(r"^\w+: ", "", str(exc)) if at else str(exc)
            raise FieldProblem(message, *at) from exc
        return self

    def warnings(self) -> list[tuple[tuple[str, ...], str]]:
        """Playable but probably not meant: a deal the range counts as a success that loses one side money."""
        out: list[tuple[tuple[str, ...], str]] = []
        low, high = self.deal_range.low, self.deal_range.high
        cost, budget = self.seller.cost, self.buyer.budget
        if low < cost < high:
            out.append((("seller", "cost"), f"cost {cost:g} is inside deal_range ({low:g}, {high:g}): a deal between "
                        f"{low:g} and {cost:g} counts as a deal but loses the seller money"))
        if low < budget < high:
            out.append((("buyer", "budget"), f"budget {budget:g} is inside deal_range ({low:g}, {high:g}): a deal "
                        f"between {budget:g} and {high:g} counts as a deal but breaks the buyer's budget"))
        return out

    @property
    def roles(self) -> tuple[str, ...]:
        return ("seller", "buyer")

    def to_params(self) -> Any:
        """The env's parameters (imported lazily: config must not pull in gymnasium)."""
        from arena.games.negotiation.rules import NegotiationParams

        return NegotiationParams(
            item=self.item,
            description=self.item_description or self.item,
            currency=self.currency,
            seller_cost=self.seller.cost,
            seller_opening=self.seller.opening,
            buyer_opening=self.buyer.opening,
            buyer_budget=self.buyer.budget,
            deal_low=self.deal_range.low,
            deal_high=self.deal_range.high,
            inclusive=self.deal_range.inclusive,
            max_turns=self.max_turns,
            accept_phrases=tuple(self.accept_phrases),
            seller_brief=self.seller.brief,
            buyer_brief=self.buyer.brief,
        )


@functools.cache
def _currency_codes() -> frozenset[str]:
    """ISO 4217's current codes (the iso4217 package's table, read on first use)."""
    from iso4217 import raw_table

    return frozenset(code for code in raw_table if code)


# the env's parameter names -> where they are in a scenario file
_ENV_FIELDS: dict[str, tuple[str, ...]] = {
    "item": ("item",), "description": ("item_description",), "currency": ("currency",),
    "seller_cost": ("seller", "cost"), "seller_opening": ("seller", "opening"), "seller_brief": ("seller", "brief"),
    "buyer_opening": ("buyer", "opening"), "buyer_budget": ("buyer", "budget"), "buyer_brief": ("buyer", "brief"),
    "deal_low": ("deal_range", "low"), "deal_high": ("deal_range", "high"), "inclusive": ("deal_range", "inclusive"),
    "max_turns": ("max_turns",), "accept_phrases": ("accept_phrases",),
}
