"""Rule-based negotiators and a rule-based critic: fast, deterministic baselines and test fixtures.

Each scripted player follows a concession curve from its opening price toward a reservation price
placed inside the scenario's deal range: ``price(k) = opening + (reservation - opening) * progress**speed``
where ``progress`` runs from 0 at its first turn to 1 at its last. ``speed > 1`` concedes late (tough),
``speed < 1`` concedes early (eager). It accepts the other side's standing offer once that offer is a
valid deal and at least as good as what it would ask next.

``advice_gain`` makes the strategy respond to feedback in memory: each piece of advice moves its
reservation by that fraction of the deal range in its own favour. With a scripted critic this gives a
deterministic case where feedback measurably changes outcomes (used by tests and benchmarks).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from arena.core.protocol import ActRequest, ActResult, CritiqueRequest, CritiqueResult
from arena.games.scripted import card


@dataclass(frozen=True)
class Concession:
    """A strategy's numbers; reservations are fractions of the deal range from the low end."""

    seller_reservation: float
    buyer_reservation: float
    speed: float
    jitter: float = 0.02
    advice_gain: float = 0.0
    step: float = 0.5


class ConcessionParams(BaseModel):
    """The overrides a card may give a concession strategy (``policy.params``), each within the range where
    the curve is defined: a negative ``speed`` divides by zero on the first turn, NaN breaks every
    comparison, so a card that names one is refused when it is loaded, not in every match."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    seller_reservation: float | None = Field(default=None, ge=0, le=1, description="fraction of the deal range")
    buyer_reservation: float | None = Field(default=None, ge=0, le=1, description="fraction of the deal range")
    speed: float | None = Field(default=None, gt=0, le=100, description="> 1 concedes late, < 1 early")
    jitter: float | None = Field(default=None, ge=0, le=0.5, description="random shift of the reservation")
    advice_gain: float | None = Field(default=None, ge=0, le=1, description="reservation shift per advice")
    step: float | None = Field(default=None, ge=0, le=1000, description="prices are rounded to this; 0: cents")


STRATEGIES: dict[str, Concession] = {
    "tough": Concession(seller_reservation=0.7, buyer_reservation=0.3, speed=2.0),
    "fair": Concession(seller_reservation=0.5, buyer_reservation=0.5, speed=1.0),
    "eager": Concession(seller_reservation=0.2, buyer_reservation=0.8, speed=0.5),
}
#: the model that checks a card's ``params``, per strategy
STRATEGY_PARAMS: dict[str, type[BaseModel]] = dict.fromkeys(STRATEGIES, ConcessionParams)


def strategy(name: str, params: dict[str, float] | None = None) -> Concession:
    """Look up a strategy and apply a card's overrides; an unknown name is a ValueError, bad params a
    pydantic ``ValidationError`` (also a ValueError) that names the parameter."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown scripted strategy {name!r} (one of: {', '.join(STRATEGIES)})")
    checked = STRATEGY_PARAMS[name].model_validate(dict(params or {}))
    return replace(STRATEGIES[name], **checked.model_dump(exclude_none=True))


def _round_to(value: float, step: float) -> float:
    return round(round(value / step) * step, 2) if step > 0 else round(value, 2)


def _is_deal_price(price: float, brief: dict[str, Any]) -> bool:
    low, high = brief["deal_low"], brief["deal_high"]
    if brief.get("inclusive"):
        return low <= price <= high
    return low < price < high


class ScriptedNegotiator:
    """A concession-curve player for either negotiation role."""

    def __init__(self, name: str, params: dict[str, float] | None = None) -> None:
        self.name = name
        self.numbers = strategy(name, params)

    def reservation(self, role: str, brief: dict[str, Any], advice: int, rng: random.Random) -> float:
        low, high = brief["deal_low"], brief["deal_high"]
        span = high - low
        n = self.numbers
        frac = n.seller_reservation if role == "seller" else n.buyer_reservation
        frac += rng.uniform(-n.jitter, n.jitter)
        gain = n.advice_gain * advice
        frac = frac + gain if role == "seller" else frac - gain
        frac = min(max(frac, 0.0), 1.0)
        price = low + frac * span
        if role == "seller":
            return max(price, float(brief.get("cost", low)))
        return min(price, float(brief.get("budget", high)))

    def planned(self, request: ActRequest, k: int) -> float:
        """The price this player asks (seller) or bids (buyer) on its k-th turn (0-based)."""
        info = request.info
        brief = info["brief"]
        role = request.role
        rng = random.Random(request.seed * 7919 + (0 if role == "seller" else 1))
        advice = sum(1 for entry in request.memory if entry.get("kind") == "advice")
        reservation = self.reservation(role, brief, advice, rng)
        opening = float(brief["opening"])
        turns = max(int(info["max_turns"]) // 2, 2)
        progress = min(k / (turns - 1), 1.0)
        price = opening + (reservation - opening) * progress ** self.numbers.speed
        return _round_to(price, self.numbers.step)

    async def act(self, request: ActRequest) -> ActResult:
        return self.decide(request)

    def decide(self, request: ActRequest) -> ActResult:
        info = request.info
        brief = info["brief"]
        k = int(info["turn"]) // 2
        mine = self.planned(request, k)
        theirs = info.get("their_last_offer")
        currency = brief.get("currency", "$")
        item = brief.get("item", "item")
        if theirs is not None and _is_deal_price(theirs, brief):
            good_enough = theirs >= mine if request.role == "seller" else theirs <= mine
            if good_enough:
                return ActResult(text=f"Deal at {currency}{theirs:g}. [ACCEPT]", parsed={"accept": True})
        if request.role == "seller":
            text = (
                f"This is a good {item} and its price is {currency}{mine:g}. [OFFER {currency}{mine:g}]"
                if k == 0
                else f"I can let it go for {currency}{mine:g}. [OFFER {currency}{mine:g}]"
            )
        else:
            text = (
                f"Would you consider selling it for {currency}{mine:g}? [OFFER {currency}{mine:g}]"
                if k == 0
                else f"I could pay {currency}{mine:g}. [OFFER {currency}{mine:g}]"
            )
        return ActResult(text=text, parsed={"offer": mine})


class ScriptedCritic:
    """Advice from the price trajectory alone: after a round, phrased like the paper's generic suggestions;
    after a turn (``after_turn``), one concrete suggestion on the dialogue so far (:func:`turn_advice`)."""

    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        return CritiqueResult(suggestions=self.advise(request))

    def advise(self, request: CritiqueRequest) -> list[str]:
        if request.turn is not None:
            return [turn_advice(request.advised_role, request.transcript, request.outcome,
                                request.scenario)][: request.max_suggestions]
        role = request.advised_role
        outcome = request.outcome
        own = [t["payload"].get("offer") for t in request.transcript
               if t.get("role") == role and t["payload"].get("offer") is not None]
        tips: list[str] = []
        if not outcome.get("deal"):
            tips.append("The round ended without a deal: concede a little sooner so the deal closes.")
        elif role == "seller":
            tips.append("Hold your price longer before conceding; the buyer would have paid more.")
        else:
            tips.append("Hold your bid longer before raising it; the seller would have sold for less.")
        if len(own) >= 2:
            steps = [abs(b - a) for a, b in zip(own, own[1:], strict=False) if b != a]
            if steps and max(steps) > 2 * min(steps):
                tips.append("Make your concessions smaller and more even.")
        tips.append("Anchor on the item's value before naming a price.")
        return tips[: request.max_suggestions]


def turn_advice(role: str, transcript: list[dict[str, Any]], outcome: dict[str, Any],
                scenario: dict[str, Any]) -> str:
    """One rule-based suggestion for ``role`` right after its turn, worded from the scenario's numbers.

    Why rules in this order: a price past the role's own bound loses money whatever follows; a good offer
    left on the table is the costliest miss while the match goes on; an opening or a single concession
    that gives away too much is the habit the paper's critic corrects; otherwise, where the role's price
    stands against the middle of the deal range. ``scenario`` is the scenario as a plain dict (the
    request's), ``transcript`` the logged turns so far, the last one the role's own.
    """
    seller = role == "seller"
    other = "buyer" if seller else "seller"
    c = scenario.get("currency", "$")
    low, high = float(scenario["deal_range"]["low"]), float(scenario["deal_range"]["high"])
    mid, span = (low + high) / 2, high - low
    band = f"the {c}{low:g}-{c}{high:g} range"

    def money(value: float) -> str:
        return f"{c}{value:g}"

    def offers(of: str) -> list[float]:
        return [float(t["payload"]["offer"]) for t in transcript
                if t.get("role") == of and (t.get("payload") or {}).get("offer") is not None]

    if outcome.get("deal"):
        price = float(outcome["price"])
        good = price >= mid if seller else price <= mid
        side = "above" if price > mid else "below" if price < mid else "at"
        move = "come down" if seller else "go up"
        return (f"Deal at {money(price)}, {side} the {money(mid)} middle of {band}: "
                + ("a good close." if good else f"next time hold out longer before you {move}."))
    if outcome.get("reason"):
        return f"The talks ended without a deal: any price inside {band} would have beaten walking away."
    own, theirs = offers(role), offers(other)
    bound = float(scenario["seller"]["cost"] if seller else scenario["buyer"]["budget"])
    opening = float(scenario[role]["opening"])
    if own and (own[-1] < bound if seller else own[-1] > bound):
        return (f"Your offer of {money(own[-1])} is below your {money(bound)} cost: never sell at a loss." if seller
                else f"Your offer of {money(own[-1])} is over your {money(bound)} budget: stay within it.")
    if theirs and low <= theirs[-1] <= high and (theirs[-1] >= mid if seller else theirs[-1] <= mid):
        side = "at" if theirs[-1] == mid else "above" if seller else "below"
        return (f"The {other}'s {money(theirs[-1])} is on the table, {side} the {money(mid)} middle of {band}: "
                "accept it before it slips away.")
    if len(own) == 1 and (own[0] < opening if seller else own[0] > opening):
        verb, move = ("below", "come down") if seller else ("above", "go up")
        return (f"You opened at {money(own[0])}, {verb} your {money(opening)} opening price: open at "
                f"{money(opening)} and {move} from there.")
    if len(own) >= 2:
        step = own[-2] - own[-1] if seller else own[-1] - own[-2]
        if step > span / 4:
            move = "came down" if seller else "went up"
            return (f"You {move} {money(step)} in one step ({money(own[-2])} to {money(own[-1])}), more than a "
                    f"quarter of {band}: concede in smaller steps.")
    if not own:
        return f"Name your price: open at {money(opening)} and let the {other} come to you."
    if len(own) == 1:
        return (f"A firm opening at {money(own[0])}; now concede in small steps and make the {other} move "
                "too.")
    holding = own[-1] > mid if seller else own[-1] < mid
    if holding:
        return (f"Your {money(own[-1])} is still {'above' if seller else 'below'} the {money(mid)} middle of "
                f"{band}: keep conceding in small steps.")
    return (f"Your {money(own[-1])} is already past the {money(mid)} middle of {band}: hold there and let the "
            f"{other} move.")


_PACE = {"tough": "Opens hard and concedes slowly; walks away rather than go past a tight reservation price.",
         "fair": "Concedes at a steady pace toward the middle of the deal range.",
         "eager": "Concedes fast and accepts early; wants the deal more than the price."}
#: what ``arena new tournament`` plays (the cards of ``agents/``): every scripted seller against every buyer
BASELINES: dict[str, Any] = {
    "players": {role: [card(f"{name}-{role}", [role], name, text) for name, text in _PACE.items()]
                for role in ("seller", "buyer")},
    "repeats": 2,
}

Player = ScriptedNegotiator  # the names the game spec is built from (arena.registry.game_from)
Critic = ScriptedCritic
