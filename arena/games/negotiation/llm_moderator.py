"""The paper's LLM moderator: a model reads the last 4 utterances after labelled examples and says
whether the two sides struck a deal, and at what price.

Why its own module: the rule judge (:mod:`arena.games.negotiation.moderator`) needs no model layer; this one builds a
chat model from an agent card and falls back to the rule judge's verdict when the model fails, so a match
never stops on its judge. Its names are also importable from :mod:`arena.games.negotiation.moderator`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from arena.config.model_spec import ModelSpec
from arena.config.models import AgentCard, LLMPolicy
from arena.errors import ConfigError, ModelError
from arena.games.negotiation.moderator import STATES, WINDOW, RuleModerator, Verdict
from arena.games.negotiation.reading import offers_in, to_number
from arena.games.negotiation.rules import NegotiationParams

__all__ = ["EXAMPLES", "INSTRUCTIONS", "VERDICT_SCHEMA", "LLMModerator", "dialogue_text"]

_DEFAULT_PARAMS = NegotiationParams()

VERDICT_SCHEMA: dict[str, Any] = {
    "title": "moderator verdict",
    "type": "object",
    "properties": {
        "state": {"type": "string", "enum": list(STATES)},
        "price": {"type": ["number", "null"]},
    },
    "required": ["state", "price"],
    "additionalProperties": False,
}

INSTRUCTIONS = (
    "You are the moderator of a bargaining game between a seller and a buyer. Read the end of their "
    "conversation and decide its state.\n"
    '- "deal": one side has accepted the price the other side offered, so both agree on a price.\n'
    '- "no_deal": one side has walked away or ended the bargaining.\n'
    '- "ongoing": they are still bargaining. A counter-offer, a question, a condition ("deal if you ...") '
    "or a threat to leave is not agreement.\n"
    'Give the agreed price as a number for a deal, otherwise null. Answer only with JSON: '
    '{"state": "...", "price": ...}.'
)

# Few-shot examples in the paper's manner: short dialogue endings with the verdict. Written for the
# prompt; none is in tests/data/moderator_set.jsonl.
EXAMPLES: tuple[tuple[tuple[tuple[str, str], ...], str, float | None], ...] = (
    ((("buyer", "Could you go down to $14?"), ("seller", "I can meet you at $16.")), "ongoing", None),
    ((("seller", "My final offer is $16."), ("buyer", "Alright, $16 it is. Thank you!")), "deal", 16.0),
    ((("seller", "I'd like $18."), ("buyer", "Okay, but would you take $15?")), "ongoing", None),
    ((("buyer", "Can you do $13?"), ("seller", "That's below my cost. Goodbye.")), "no_deal", None),
    ((("buyer", "How about $15?"), ("seller", "You've got a deal."), ("buyer", "Great, thanks!")), "deal", 15.0),
    ((("seller", "It's $17."), ("buyer", "I'll take it if you add a ribbon.")), "ongoing", None),
    ((("seller", "I won't go under $19."), ("buyer", "Then I'll pass. [QUIT]")), "no_deal", None),
    ((("buyer", "[OFFER $12]"), ("seller", "[ACCEPT]")), "deal", 12.0),
)


def dialogue_text(dialogue: list[dict[str, Any]], window: int = WINDOW) -> str:
    """The last ``window`` utterances as ``role: text`` lines, one per utterance."""
    lines = []
    for turn in dialogue[-window:]:
        text = " ".join(str(turn.get("text", "")).split())
        lines.append(f"{turn.get('role', '?')}: {text}")
    return "\n".join(lines)


def _example_answer(state: str, price: float | None) -> str:
    return f'{{"state": "{state}", "price": {"null" if price is None else f"{price:g}"}}}'


_YES_NO = re.compile(r"answer is\W*(yes|no)\b")


class LLMModerator:
    """The paper's moderator: an LLM reads the last 4 utterances after labelled examples.

    Built from an agent card with an ``llm`` policy (its persona opens the system prompt) or a bare
    :class:`ModelSpec`. Asks for ``{"state", "price"}`` JSON through ``json_schema``; a free-text reply
    is read for yes/no (or a state word) and the last ``$N``. When the model fails (:class:`ModelError`)
    the verdict is the rule judge's, with ``error`` set, so a match never stops on its judge.
    """

    def __init__(
        self,
        card_or_spec: AgentCard | ModelSpec,
        *,
        window: int = WINDOW,
        model: Any = None,
        fallback: RuleModerator | None = None,
        model_factory: Any = None,
    ) -> None:
        if isinstance(card_or_spec, ModelSpec):
            self.spec, self.persona, self.name = card_or_spec, "", card_or_spec.model
        elif isinstance(card_or_spec, AgentCard):
            if not isinstance(card_or_spec.policy, LLMPolicy):
                raise ConfigError(
                    f"agent {card_or_spec.name!r} has policy type {card_or_spec.policy.type!r}; "
                    "a moderator needs policy type llm (or use the rule judge)",
                    field="policy.type",
                )
            self.spec, self.persona, self.name = (
                card_or_spec.policy.model, card_or_spec.policy.persona.strip(), card_or_spec.name,
            )
        else:
            raise TypeError(f"expected an AgentCard or a ModelSpec, got {type(card_or_spec).__name__}")
        self.window = window
        self.fallback = fallback if fallback is not None else RuleModerator()
        self._model = model
        self.model_factory = model_factory

    @property
    def model(self) -> Any:
        """The chat model, built on first use by the injected factory (the runtime's routes the embedded
        model through the node's model actor), else in-process."""
        if self._model is None:
            from arena.llm import make_model

            self._model = (self.model_factory or make_model)(self.spec)
        return self._model

    def messages(self, dialogue: list[dict[str, Any]]) -> list[dict[str, str]]:
        """System instructions, the examples as user/assistant turns, then the dialogue to judge."""
        system = f"{self.persona}\n\n{INSTRUCTIONS}" if self.persona else INSTRUCTIONS
        messages = [{"role": "system", "content": system}]
        for turns, state, price in EXAMPLES:
            example = [{"role": role, "text": text} for role, text in turns]
            messages.append({"role": "user", "content": dialogue_text(example, self.window)})
            messages.append({"role": "assistant", "content": _example_answer(state, price)})
        messages.append({"role": "user", "content": dialogue_text(dialogue, self.window)})
        return messages

    async def judge(
        self,
        dialogue: list[dict[str, Any]],
        params: NegotiationParams | None = None,
        *,
        seed: int | None = None,
    ) -> Verdict:
        """The model's verdict on the dialogue's last ``window`` utterances."""
        params = params if params is not None else _DEFAULT_PARAMS
        rules = self.fallback.judge(dialogue, params)
        schema = VERDICT_SCHEMA if self.spec.structured == "auto" else None
        try:
            completion = await self.model.complete(self.messages(dialogue), seed=seed, json_schema=schema)
        except ModelError as exc:
            return Verdict(rules.state, rules.price, "rules", error={"kind": exc.kind, "message": str(exc)})
        return self.read_reply(completion.text, dialogue, params, rules)

    def read_reply(
        self, text: str, dialogue: list[dict[str, Any]], params: NegotiationParams, rules: Verdict
    ) -> Verdict:
        """Turn the model's reply (JSON, or free text with yes/no) into a verdict."""
        from arena.llm.reply import parse_json_reply

        raw = text.strip()
        window = dialogue[-self.window:]
        reply = parse_json_reply(raw)
        state = reply.get("state") if isinstance(reply, dict) else None
        if isinstance(state, str) and state.strip().lower().replace(" ", "_") in STATES:
            state = state.strip().lower().replace(" ", "_")
            price = _as_price(reply.get("price"), params) if state == "deal" else None
            if state == "deal" and price is None:
                price = self._deal_price(raw, window, params, rules)
            return Verdict(state, price, "llm", raw=raw)  # type: ignore[arg-type]
        lowered = raw.lower()
        said = _YES_NO.search(lowered)
        if said:
            yes = said.group(1) == "yes"
        elif re.search(r"\bno[_ ]deal\b|\bwalked away\b", lowered):
            return Verdict("no_deal", None, "llm", raw=raw)
        elif re.search(r"\bongoing\b|\bstill (?:bargaining|negotiating)\b", lowered):
            return Verdict("ongoing", None, "llm", raw=raw)
        elif re.search(r"\b(?:yes|deal)\b", lowered):
            yes = True
        elif re.search(r"\bno\b", lowered):
            yes = False
        else:
            error = {"kind": "bad_response", "message": f"no verdict in the reply: {' '.join(raw.split())[:200]}"}
            return Verdict(rules.state, rules.price, "rules", error=error, raw=raw)
        if yes:
            return Verdict("deal", self._deal_price(raw, window, params, rules), "llm", raw=raw)
        # "No": the model says there is no deal; whether someone walked away is the rules' call.
        return Verdict("no_deal" if rules.state == "no_deal" else "ongoing", None, "llm", raw=raw)

    @staticmethod
    def _deal_price(
        raw: str, window: list[dict[str, Any]], params: NegotiationParams, rules: Verdict
    ) -> float | None:
        """A deal's price when the model gave none: the last ``$N`` of its reply, the rules', the window's."""
        _, in_reply = offers_in(raw.lower(), params.currency)
        if in_reply:
            return in_reply[-1]
        if rules.state == "deal" and rules.price is not None:
            return rules.price
        _, in_window = offers_in(" ".join(str(t.get("text", "")) for t in window).lower(), params.currency)
        return in_window[-1] if in_window else None


def _as_price(value: Any, params: NegotiationParams) -> float | None:
    """A JSON price (``15``, ``15.5``, ``"$15"``) as a non-negative float, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return round(float(value), 2) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str):
        _, mentions = offers_in(value.lower(), params.currency)
        return mentions[-1] if mentions else to_number(value.strip())
    return None
