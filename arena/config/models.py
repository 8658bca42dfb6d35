"""The YAML file kinds as pydantic models: tournament, scenario, agent card.

Every model forbids unknown keys and carries ``schema_version`` so old files fail loudly, not quietly.
Cross-file references (a tournament naming cards and scenarios) are plain relative paths here; the
loader resolves them and produces a ``ResolvedTournament`` that holds everything by value, which is
what ``run.json`` stores and what a resumed run rebuilds from.
"""

from __future__ import annotations

import difflib
import functools
import re
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from arena.config.model_spec import FieldProblem, ModelSpec, StrictModel

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, description="letters, digits, '_', '.', '-'")]
Price = Annotated[float, Field(ge=0, allow_inf_nan=False, description="a price in the scenario's currency")]

CONSTANT_FEEDBACK = "Nice game. Let's play again. Can you do better?"


# ---------------------------------------------------------------- scenarios


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
    brief: str | None = None

    @model_validator(mode="after")
    def _opens_within_budget(self) -> BuyerSide:
        if self.opening > self.budget:
            raise FieldProblem(f"the buyer opens above its budget ({self.opening:g} > {self.budget:g}): "
                               "its own first bid would break its budget", "opening")
        return self


class DealRange(StrictModel):
    low: Price
    high: Price
    inclusive: bool = Field(default=False, description="false: a deal counts only strictly inside (low, high)")

    @model_validator(mode="after")
    def _ordered(self) -> DealRange:
        if self.high <= self.low:
            raise ValueError(f"high ({self.high:g}) must be above low ({self.low:g})")
        return self


class NegotiationScenario(StrictModel):
    """A buyer/seller bargaining setting (the paper's balloon is the default example)."""

    schema_version: Literal[1] = 1
    kind: Literal["scenario"] = "scenario"
    game: Literal["negotiation"] = "negotiation"
    name: Name
    description: str = ""
    item: str = Field(min_length=1)
    item_description: str = ""
    currency: str = "$"
    seller: SellerSide
    buyer: BuyerSide
    deal_range: DealRange
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
        from arena.envs.negotiation_rules import NegotiationParams

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

Scenario = NegotiationScenario
SCENARIO_GAMES: dict[str, type[StrictModel]] = {"negotiation": NegotiationScenario}


# ---------------------------------------------------------------- agent cards


class ScriptedPolicy(StrictModel):
    type: Literal["scripted"]
    strategy: str = Field(description="a strategy name from arena.agents.scripted (e.g. tough, fair, eager)")
    params: dict[str, float] = Field(default_factory=dict, description="overrides of the strategy's numbers")


class LLMPolicy(StrictModel):
    type: Literal["llm"]
    model: ModelSpec = Field(default_factory=ModelSpec)
    persona: str = Field(default="", description="system prompt prefix: who this agent is")
    examples: list[str] = Field(default_factory=list, description="few-shot example replies")
    bounded_offers: bool = Field(
        default=False,
        description="structured replies only: the offer is a whole price within the role's brief (a seller's "
        "cost..opening, a buyer's opening..budget) that can close a deal, accept only with an offer on the table, "
        "and an example exchange; for small models (off for research: it changes what is measured)",
    )


Policy = Annotated[ScriptedPolicy | LLMPolicy, Field(discriminator="type")]


class AgentCard(StrictModel):
    """A player or critic: a name, the roles it may take, and its policy (scripted or an LLM)."""

    schema_version: Literal[1] = 1
    kind: Literal["agent"] = "agent"
    name: Name
    description: str = ""
    roles: list[str] = Field(default_factory=list, description="roles it may play; empty = any")
    policy: Policy

    def plays(self, role: str) -> bool:
        return not self.roles or role in self.roles


# ---------------------------------------------------------------- tournaments

Arm = Literal["none", "constant", "human", "ai"]


class FeedbackSpec(StrictModel):
    """Who gets advice between rounds, from whom, and which arms are compared."""

    advise: Literal["seller", "buyer", "both"] = "seller"
    critic: str | None = Field(default=None, description="path to the critic's agent card (arm 'ai')")
    arms: list[Arm] = Field(default_factory=lambda: ["ai"], min_length=1)
    constant_text: str = CONSTANT_FEEDBACK
    suggestions: int = Field(default=3, ge=1, le=10, description="at most this many suggestions per round")

    @field_validator("arms")
    @classmethod
    def _unique(cls, arms: list[str]) -> list[str]:
        if len(set(arms)) != len(arms):
            raise ValueError("arms repeat")
        return arms

    @model_validator(mode="after")
    def _critic_for_ai(self) -> FeedbackSpec:
        if "ai" in self.arms and not self.critic:
            raise ValueError("arm 'ai' needs a critic card")
        return self

    def advised_roles(self) -> tuple[str, ...]:
        return ("seller", "buyer") if self.advise == "both" else (self.advise,)


class MemorySpec(StrictModel):
    budget_tokens: int = Field(default=600, ge=32, description="in-context memory budget per player")


class Tournament(StrictModel):
    """A set of matches: scenarios x pairings of agent cards x feedback arms x repeats, R rounds each."""

    schema_version: Literal[1] = 1
    kind: Literal["tournament"] = "tournament"
    name: Name
    description: str = ""
    format: Literal["cross_play", "self_play"] = "cross_play"
    scenarios: list[str] = Field(min_length=1, description="paths to scenario files")
    players: dict[str, list[str]] = Field(description="role -> paths to agent cards")
    rounds: int = Field(default=1, ge=1, le=1000, description="rounds per series; memory carries across")
    repeats: int = Field(default=1, ge=1, le=100_000, description="independent seeds per pairing")
    seed: int = Field(default=0, ge=0)
    concurrency: int | None = Field(default=None, ge=1, le=10_000, description="series in flight")
    feedback: FeedbackSpec | None = None
    memory: MemorySpec = Field(default_factory=MemorySpec)
    moderator: str | None = Field(
        default=None,
        description="path to an LLM card that judges each round's ending (logged beside the parser's outcome); "
        "omit for the rule-based judge",
    )

    @field_validator("players")
    @classmethod
    def _non_empty(cls, players: dict[str, list[str]]) -> dict[str, list[str]]:
        for role, cards in players.items():
            if not cards:
                raise ValueError(f"role {role!r} has no agent cards")
        return players

    @model_validator(mode="after")
    def _self_play_needs_feedback(self) -> Tournament:
        if self.format == "self_play" and self.feedback is None:
            raise ValueError("format self_play needs a 'feedback' section")
        return self


class ResolvedTournament(StrictModel):
    """A tournament with every reference replaced by its content: what a run stores and resumes from."""

    source: str
    tournament: Tournament
    scenarios: dict[str, NegotiationScenario]
    agents: dict[str, AgentCard]
    players: dict[str, list[str]] = Field(description="role -> agent names")
    critic: str | None = Field(default=None, description="agent name of the critic")
    moderator: str | None = Field(default=None, description="agent name of the LLM moderator, if any")
    agent_files: dict[str, str] = Field(default_factory=dict, description="agent name -> card file (for errors)")

    def arms(self) -> list[str]:
        return list(self.tournament.feedback.arms) if self.tournament.feedback else ["none"]
