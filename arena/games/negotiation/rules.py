"""Pure rules of the negotiation game (Fu et al. 2023, "Improving Language Model Negotiation with
Self-Play and In-Context Learning from AI Feedback"), with no gymnasium and no I/O.

Why a separate module: the rules are what the paper's numbers depend on (what counts as an offer, an
accept, a deal), so they are tested on their own; ``negotiation.py`` only translates them into the
PettingZoo AEC API, and :mod:`arena.games.negotiation.reading` reads one utterance (shared with the judge).

A seller and a buyer take turns, the seller first. Each utterance is free text; a move is read from it by
:func:`~arena.games.negotiation.reading.parse_move`: explicit tokens (``[OFFER $12]``, ``[ACCEPT]``,
``[QUIT]``) first, else the last price the speaker proposes and the scenario's accept phrases.
``[ACCEPT]`` accepts the OTHER side's standing offer; an accept that names another price is a
counter-offer. The game ends on an accept (a deal if the price lies inside the deal range, else
``out_of_range``), on ``[QUIT]``, or after ``max_turns`` utterances. A bad move is recorded as an event,
never an exception.

Example::

    >>> game = Bargain(NegotiationParams())
    >>> _ = game.apply("seller", "This is a good balloon and its price is $20.")
    >>> _ = game.apply("buyer", "Would you take [OFFER $15]?")
    >>> _ = game.apply("seller", "[ACCEPT]")
    >>> game.outcome["price"], game.rewards()
    (15.0, {'seller': 0.5, 'buyer': 0.5})
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass
from typing import Any, Literal

from arena.games.negotiation.reading import Move, parse_move, to_number
from arena.games.templates import render, template_problem
from arena.games.text import normalize

__all__ = [
    "NOTES", "ROLES", "Bargain", "Entry", "Move", "NegotiationParams", "format_money", "other_role", "parse_move",
    "to_number",
]

Role = Literal["seller", "buyer"]
ROLES: tuple[str, str] = ("seller", "buyer")
PLACEHOLDERS: tuple[str, ...] = tuple("item description cost budget opening other_opening currency".split())

DEFAULT_SELLER_BRIEF = (
    "You are the seller of {description}. It cost you {currency}{cost}; sell it for as high a price as you "
    'can. Open with: "This is a good {item} and its price is {currency}{opening}." The buyer is likely to '
    "offer about {currency}{other_opening}."
)
DEFAULT_BUYER_BRIEF = (
    "You are a buyer who wants {description}. You can pay at most {currency}{budget}; buy it for as low a "
    'price as you can. Open with: "Would you consider selling it for {currency}{opening}?" The seller is '
    "likely to ask about {currency}{other_opening}."
)
MOVE_RULES = (
    "Answer in one short sentence. To name a price write [OFFER {currency}N]. To accept the {other}'s last "
    "offer write [ACCEPT]. To walk away write [QUIT]."
)

_PRICE_FIELDS = ("seller_cost", "seller_opening", "buyer_opening", "buyer_budget", "deal_low", "deal_high")


def format_money(value: float) -> str:
    """``20.0 -> "20"``, ``12.5 -> "12.50"``: prompts read like prices, not floats."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def other_role(role: str) -> str:
    """The opponent of ``role``."""
    return "buyer" if role == "seller" else "seller"


@dataclass(frozen=True)
class NegotiationParams:
    """One negotiation scenario. Defaults are the paper's balloon game.

    Validated on construction (:meth:`validate`), so an impossible scenario never reaches a match.
    ``inclusive=False`` means a deal counts only strictly inside ``(deal_low, deal_high)``, as in the paper.
    Brief templates may use the placeholders in :data:`PLACEHOLDERS`; ``{opening}`` is the reader's own
    opening price and ``{other_opening}`` the opponent's.
    """

    item: str = "balloon"
    description: str = "a red party balloon"
    currency: str = "$"
    seller_cost: float = 8.0
    seller_opening: float = 20.0
    buyer_opening: float = 10.0
    buyer_budget: float = 20.0
    deal_low: float = 10.0
    deal_high: float = 20.0
    inclusive: bool = False
    max_turns: int = 20
    max_utterance_chars: int = 400
    accept_phrases: tuple[str, ...] = ()
    seller_brief: str | None = None
    buyer_brief: str | None = None

    def __post_init__(self) -> None:
        # YAML hands us lists and ints (numpy, its own scalars); freeze them into the declared types before checking.
        if isinstance(self.accept_phrases, list | str):
            phrases = (self.accept_phrases,) if isinstance(self.accept_phrases, str) else self.accept_phrases
            object.__setattr__(self, "accept_phrases", tuple(phrases))
        for name in _PRICE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, numbers.Real) and not isinstance(value, bool | float):
                object.__setattr__(self, name, float(value))
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the field when the scenario cannot be played as a bargain."""
        for name in ("item", "description"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise ValueError(f"{name} must be a non-empty string, got {getattr(self, name)!r}")
        cur = self.currency
        ascii_ok = isinstance(cur, str) and normalize(cur, 5) == cur == cur.strip()
        if not ascii_ok or not 1 <= len(cur) <= 5:
            raise ValueError(f"currency must be 1-5 printable ASCII characters, got {cur!r}")
        if any(char.isdigit() for char in cur):
            raise ValueError(f"currency must not contain digits, got {cur!r}")
        for name in _PRICE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {value:g}")
        if self.deal_low >= self.deal_high:
            raise ValueError(f"deal_low ({self.deal_low:g}) must be below deal_high ({self.deal_high:g})")
        if self.buyer_budget <= self.seller_cost:
            raise ValueError(
                f"buyer_budget ({self.buyer_budget:g}) must exceed seller_cost ({self.seller_cost:g}): "
                "otherwise no price is good for both sides"
            )
        if not isinstance(self.inclusive, bool):
            raise ValueError(f"inclusive must be true or false, got {self.inclusive!r}")
        for name, low, high in (("max_turns", 2, 1000), ("max_utterance_chars", 16, 4000)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer, got {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low} and {high}, got {value}")
        for phrase in self.accept_phrases:
            if not isinstance(phrase, str) or not normalize(phrase, 200).strip():
                raise ValueError(f"accept_phrases must be non-empty ASCII strings, got {phrase!r}")
        for role in ROLES:
            template = getattr(self, f"{role}_brief")
            if template is None:
                continue
            if not isinstance(template, str) or not template.strip():
                raise ValueError(f"{role}_brief must be a non-empty string or null, got {template!r}")
            if len(template) > 3000:
                raise ValueError(f"{role}_brief must be at most 3000 characters, got {len(template)}")
            problem = template_problem(template, PLACEHOLDERS)  # plain {name} only: never str.format user text
            if problem is not None:
                raise ValueError(f"{role}_brief: {problem}")

    def brief_numbers(self, role: str) -> dict[str, Any]:
        """The private facts ``role`` knows: what scripted players read from ``infos[agent]["brief"]``."""
        seller = role == "seller"
        numbers: dict[str, Any] = {"item": self.item, "description": self.description}
        numbers["currency"] = self.currency
        numbers["cost" if seller else "budget"] = self.seller_cost if seller else self.buyer_budget
        numbers["opening"] = self.seller_opening if seller else self.buyer_opening
        numbers["other_opening"] = self.buyer_opening if seller else self.seller_opening
        numbers.update(deal_low=self.deal_low, deal_high=self.deal_high, inclusive=self.inclusive)
        return numbers

    def brief(self, role: str) -> str:
        """The role's brief (template filled in) followed by the move syntax, normalised to the charset."""
        seller = role == "seller"
        template = self.seller_brief if seller else self.buyer_brief
        if template is None:
            template = DEFAULT_SELLER_BRIEF if seller else DEFAULT_BUYER_BRIEF
        values = {
            "item": self.item,
            "description": self.description,
            "currency": self.currency,
            "cost": format_money(self.seller_cost),
            "budget": format_money(self.buyer_budget),
            "opening": format_money(self.seller_opening if seller else self.buyer_opening),
            "other_opening": format_money(self.buyer_opening if seller else self.seller_opening),
        }
        rules = MOVE_RULES.format(currency=self.currency, other=other_role(role))
        text = render(template, values) + "\n" + rules
        return normalize(text, 4000)


#: what each refused or ignored move means, in the words players (and people, in ``arena play``) are told
NOTES = {
    "accept_and_quit": "[ACCEPT] and [QUIT] in one message cancel each other; neither was applied.",
    "offer_without_price": "an [OFFER] token had no price; write it like [OFFER $12].",
    "bad_price": "an [OFFER] token had a price that is not a plain non-negative amount; write it like [OFFER $12].",
    "ambiguous_price": "an [OFFER] token named more than one price; name one, like [OFFER $12].",
    "counter_offer": "an accept that names a price other than the standing offer is a counter-offer; nothing "
    "was accepted. To accept, write [ACCEPT] alone.",
    "accept_without_offer": "[ACCEPT] was ignored: the other side has made no offer yet.",
}


@dataclass(frozen=True)
class Entry:
    """One utterance as recorded: normalised text, the parsed move and what the rules made of it.

    ``event`` is the most important code (``deal``, ``out_of_range``, ``quit``, ``max_turns``,
    ``accept_without_offer`` or a :class:`Move` reason) or None; ``note`` explains it in plain words.
    """

    turn: int
    role: str
    text: str
    offer: float | None
    accept: bool
    quit: bool
    how: str
    event: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for logs and infos."""
        return asdict(self)


class Bargain:
    """The game state: whose turn, the dialogue, standing offers and the outcome."""

    def __init__(self, params: NegotiationParams | None = None) -> None:
        self.params = params if params is not None else NegotiationParams()
        self.params.validate()
        self.dialogue: list[Entry] = []
        self.last_offer: dict[str, float | None] = dict.fromkeys(ROLES)
        self._reason: str | None = None
        self._agreed: float | None = None

    @property
    def done(self) -> bool:
        """True once the game has ended, for whatever reason."""
        return self._reason is not None

    @property
    def to_move(self) -> str | None:
        """The role that speaks next (the seller opens), or None when the game is over."""
        return None if self.done else ROLES[len(self.dialogue) % 2]

    def price_in_range(self, price: float) -> bool:
        """Whether ``price`` counts as a deal under the scenario's range (strict unless inclusive)."""
        low, high = self.params.deal_low, self.params.deal_high
        return low <= price <= high if self.params.inclusive else low < price < high

    def apply(self, role: str, text: object) -> Entry:
        """Play one utterance by ``role`` and return its record.

        Never raises on any ``text`` (non-strings are turned into text first); raises ``ValueError`` only
        when called out of turn or after the end, which is a driver bug, not a player's move.
        """
        if self.done:
            raise ValueError(f"the game is over ({self._reason}); {role!r} cannot move")
        if role != self.to_move:
            raise ValueError(f"it is the {self.to_move}'s turn, not the {role}'s")
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        text = "" if text is None else text if isinstance(text, str) else str(text)
        text = normalize(text, self.params.max_utterance_chars)
        move = parse_move(text, self.params, standing=self.last_offer[other_role(role)])
        events: list[str] = [move.reason] if move.reason else []
        notes: list[str] = [NOTES[move.reason]] if move.reason else []
        if move.offer is not None:
            self.last_offer[role] = move.offer
        standing = self.last_offer[other_role(role)]
        cur = self.params.currency
        if move.accept and move.quit:
            pass  # contradiction: neither applies (already recorded as the event)
        elif move.quit:
            self._reason = "quit"
            events.insert(0, "quit")
            notes.insert(0, f"the {role} walked away; no deal.")
        elif move.accept and standing is None:
            events.append("accept_without_offer")
            notes.append(NOTES["accept_without_offer"])
        elif move.accept and standing is not None:
            self._agreed = standing
            self._reason = "deal" if self.price_in_range(standing) else "out_of_range"
            events.insert(0, self._reason)
            if self._reason == "deal":
                notes.insert(0, f"deal at {cur}{format_money(standing)}.")
            else:
                notes.insert(0, f"agreed on {cur}{format_money(standing)}, outside the deal range; no deal.")
        if self._reason is None and len(self.dialogue) + 1 >= self.params.max_turns:
            self._reason = "max_turns"
            events.insert(0, "max_turns")
            notes.insert(0, f"no deal after {self.params.max_turns} messages.")
        entry = Entry(
            turn=len(self.dialogue) + 1,
            role=role,
            text=text,
            offer=move.offer,
            accept=move.accept,
            quit=move.quit,
            how=move.how,
            event=events[0] if events else None,
            note=" ".join(notes) if notes else None,
        )
        self.dialogue.append(entry)
        return entry

    @property
    def outcome(self) -> dict[str, Any]:
        """``{"deal", "price", "reason", "turns", "agreed_price"}``; ``reason`` is None while running.

        ``price`` is set only for a deal; ``agreed_price`` also for an out-of-range agreement.
        """
        deal = self._reason == "deal"
        return {
            "deal": deal,
            "price": self._agreed if deal else None,
            "reason": self._reason,
            "turns": len(self.dialogue),
            "agreed_price": self._agreed,
        }

    def rewards(self) -> dict[str, float]:
        """Seller ``(price - low) / (high - low)``, buyer the complement on a deal; 0 to both otherwise."""
        if self._reason != "deal" or self._agreed is None:
            return dict.fromkeys(ROLES, 0.0)
        share = (self._agreed - self.params.deal_low) / (self.params.deal_high - self.params.deal_low)
        return {"seller": share, "buyer": 1.0 - share}
