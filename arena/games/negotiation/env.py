"""Negotiation (``negotiation_v2``): a seller and a buyer bargain over one item in free text.

The game of Fu et al. 2023 (arXiv 2305.10142) as a PettingZoo AEC environment. The rules live in
:mod:`arena.games.negotiation.rules`, the reading of one utterance in :mod:`arena.games.negotiation.reading`;
this module only translates them into the AEC API.

Agents
    ``["seller", "buyer"]``; the seller speaks first, then they alternate.

Action space (both agents)
    ``Text(max_length=max_utterance_chars, min_length=0, charset=arena.games.text.CHARSET)``: one utterance.
    Moves are tokens inside the text: ``[OFFER $12]`` (also ``[Offer: $12]``; the amount is the
    currency-marked number, so ``[OFFER 3 balloons for $12]`` offers 12), ``[ACCEPT]`` (accepts the other
    side's standing offer), ``[QUIT]`` (walk away). Without a token the last price the speaker proposes is
    its offer ("I can't do $12" proposes nothing) and the scenario's ``accept_phrases`` an accept, unless
    negated in their clause ("I cannot accept"), asked ("Deal?") or conditional ("a deal if ..."). An
    accept that names a price other than the standing offer (``[OFFER $18] [ACCEPT]`` against $12, "It's a
    deal at $15") is a counter-offer: the price is offered, nothing accepted. Any string is a legal action:
    text without a move is just talk; an impossible or refused move (``[ACCEPT]`` before any offer,
    ``[ACCEPT]`` with ``[QUIT]``, ``[OFFER between $10 and $12]``, ``[OFFER $-5]``) is recorded as an event
    with a reason in ``infos`` (``ambiguous_price``, ``bad_price``, ``counter_offer``, ...) and the game
    goes on. Non-strings (``None``) count as empty talk.

Observation space (both agents)
    ``Dict({"prompt": Text(max_length=prompt_max_length, min_length=0, charset=CHARSET),
    "turn": Discrete(max_turns + 1)})``. ``prompt`` is the agent's private brief and the move syntax, then
    the dialogue so far as one ``"seller: ..."`` / ``"buyer: ..."`` line per utterance (newlines inside an
    utterance become spaces, so nobody can forge the other's line; oldest lines dropped first if it
    would not fit, which the default sizing never needs), then notes about events since the agent last
    spoke. ``turn`` is the number of utterances so far.

Infos (``infos[agent]``, rebuilt after every step; players are built from this)::

    {"role": "seller", "turn": 3, "max_turns": 20,
     "brief": {"item", "description", "currency", "cost" (seller) | "budget" (buyer), "opening",
               "other_opening", "deal_low", "deal_high", "inclusive"},
     "dialogue": [{"role": "seller", "text": "...", "offer": 20.0 | None}, ...],
     "my_last_offer": float | None, "their_last_offer": float | None,
     "events": [{"turn": 2, "role": "buyer", "event": "accept_without_offer", "note": "..."}, ...],
     "last_turn": {"role", "offer", "accept", "quit", "how", "event", "note"} of the latest utterance | {},
     "outcome": {"deal", "price", "reason", "turns", "agreed_price"}}

    ``events`` holds the events of the utterances since (and including) the agent's own last one.
    ``last_turn`` and ``outcome`` are the keys Arena's generic match loop reads (see ``arena.registry``).

Rewards
    Only at the end. On a deal at price p (strictly inside ``(deal_low, deal_high)`` unless ``inclusive``):
    seller ``(p - deal_low) / (deal_high - deal_low)``, buyer the complement. No deal (quit, out-of-range
    agreement, turn cap): 0 to both.

Termination / truncation
    A deal, an out-of-range agreement or a quit terminates both agents; reaching ``max_turns``
    utterances without an end truncates both. ``env.outcome`` (``{"deal", "price", "reason", "turns",
    "agreed_price"}``) and ``env.bargain.dialogue`` are there for the match driver.

Arguments
    ``NegotiationEnv(params: NegotiationParams | None = None, render_mode: str | None = None)``; see
    :class:`~arena.games.negotiation.rules.NegotiationParams` (defaults: the paper's balloon game).

Version history
    v2: the reading rules changed (one clause-aware negation list shared with the judge; an accept naming
    another price is a counter-offer; the offer token takes the currency-marked amount and refuses
    ambiguous or malformed ones; plain text offers only the prices the speaker proposes). Spaces and
    rewards are unchanged.
    v1: first version.
"""

from __future__ import annotations

import sys
from typing import Any

import gymnasium
from gymnasium.spaces import Dict, Discrete
from gymnasium.utils import seeding
from pettingzoo import AECEnv

from arena.games.aec import begin_step, end_episode, start_episode
from arena.games.negotiation.rules import ROLES, Bargain, NegotiationParams, other_role
from arena.games.text import tail, text_space

__all__ = ["NegotiationEnv"]

_DIALOGUE_HEADER = "\n\nDialogue so far:\n"
_EMPTY_DIALOGUE = "(nothing yet)\n"
_NOTES_BUDGET = 1200  # room for the notes of two utterances (each note is under 200 characters)


def _one_line(text: str) -> str:
    """Newlines and tabs become spaces (same length, so the prompt sizing still holds)."""
    return text.replace("\n", " ").replace("\t", " ")


class NegotiationEnv(AECEnv):
    """Seller and buyer bargain in free text; see the module docstring for spaces, infos and rewards."""

    metadata = {"name": "negotiation_v2", "render_modes": ["human", "ansi"], "is_parallelizable": False}

    def __init__(self, params: NegotiationParams | None = None, render_mode: str | None = None) -> None:
        super().__init__()
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            modes = self.metadata["render_modes"]
            raise ValueError(f"render_mode must be one of {modes} or None, got {render_mode!r}")
        self.params = params if params is not None else NegotiationParams()
        self.params.validate()
        self.render_mode = render_mode
        self.possible_agents = list(ROLES)
        self._briefs = {role: self.params.brief(role) for role in ROLES}
        line_max = max(len(role) for role in ROLES) + 2 + self.params.max_utterance_chars + 1
        self.prompt_max_length = (
            max(len(brief) for brief in self._briefs.values())
            + len(_DIALOGUE_HEADER)
            + max(len(_EMPTY_DIALOGUE), self.params.max_turns * line_max)
            + _NOTES_BUDGET
        )
        # Spaces are built once: api_test and seed_test need the same object on every call.
        self._observation_spaces = {
            role: Dict({"prompt": text_space(self.prompt_max_length), "turn": Discrete(self.params.max_turns + 1)})
            for role in ROLES
        }
        self._action_spaces = {role: text_space(self.params.max_utterance_chars) for role in ROLES}
        self.np_random, self.np_random_seed = seeding.np_random(None)
        self.bargain = Bargain(self.params)
        self._reset_dicts()

    def observation_space(self, agent: str) -> gymnasium.Space:
        """The agent's observation space (the same object every call)."""
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.Space:
        """The agent's action space (the same object every call)."""
        return self._action_spaces[agent]

    @property
    def outcome(self) -> dict[str, Any]:
        """The rules' outcome: ``{"deal", "price", "reason", "turns", "agreed_price"}``."""
        return self.bargain.outcome

    def _reset_dicts(self) -> None:
        start_episode(self, first=self.bargain.to_move)
        self._rendered = 0
        self.infos = {agent: self._info(agent) for agent in self.agents}

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Start a new episode. ``seed`` seeds ``self.np_random`` (the rules use no randomness yet)."""
        if seed is not None:
            self.np_random, self.np_random_seed = seeding.np_random(seed)
        self.bargain = Bargain(self.params)
        self._reset_dicts()

    def _events_for(self, agent: str) -> list[dict[str, Any]]:
        """Events of the utterances since (and including) ``agent``'s own last one."""
        dialogue = self.bargain.dialogue
        start = 0
        for index in range(len(dialogue) - 1, -1, -1):
            if dialogue[index].role == agent:
                start = index
                break
        return [
            {"turn": entry.turn, "role": entry.role, "event": entry.event, "note": entry.note}
            for entry in dialogue[start:]
            if entry.event is not None
        ]

    def _info(self, agent: str) -> dict[str, Any]:
        bargain = self.bargain
        return {
            "role": agent,
            "turn": len(bargain.dialogue),
            "max_turns": self.params.max_turns,
            "brief": self.params.brief_numbers(agent),
            "dialogue": [{"role": e.role, "text": e.text, "offer": e.offer} for e in bargain.dialogue],
            "my_last_offer": bargain.last_offer[agent],
            "their_last_offer": bargain.last_offer[other_role(agent)],
            "events": self._events_for(agent),
            "last_turn": self._last_turn(),
            "outcome": dict(bargain.outcome),
        }

    def _last_turn(self) -> dict[str, Any]:
        """What a log keeps of the latest utterance beyond its text: how it was read and what it did."""
        if not self.bargain.dialogue:
            return {}
        entry = self.bargain.dialogue[-1].to_dict()
        entry.pop("text", None)
        entry.pop("turn", None)
        return entry

    def observe(self, agent: str) -> dict[str, Any]:
        """``{"prompt": brief + dialogue + notes, "turn": utterances so far}``, always inside the space."""
        head = self._briefs[agent] + _DIALOGUE_HEADER
        # One line per utterance: a newline inside a message must not forge a "buyer: ..." line.
        lines = [f"{entry.role}: {_one_line(entry.text)}\n" for entry in self.bargain.dialogue]
        body = "".join(lines) if lines else _EMPTY_DIALOGUE
        notes = "".join(f"Note: {event['note']}\n" for event in self._events_for(agent) if event["note"])
        body += notes[:_NOTES_BUDGET]
        prompt = head + tail(body, self.prompt_max_length - len(head))
        return {"prompt": prompt, "turn": min(len(self.bargain.dialogue), self.params.max_turns)}

    def step(self, action: Any) -> None:
        """Play ``action`` (one utterance) for the selected agent; any value is accepted."""
        agent = begin_step(self, action)
        if agent is None:
            return
        self.bargain.apply(agent, action)
        if self.bargain.done:
            end_episode(self, self.bargain.rewards(), truncated=self.bargain.outcome["reason"] == "max_turns")
        for name in self.agents:
            self.infos[name] = self._info(name)
        self.agent_selection = other_role(agent)
        self._accumulate_rewards()
        if self.render_mode == "human":
            self.render()

    def render(self) -> str | None:
        """``"ansi"`` returns the transcript as text; ``"human"`` writes it to stdout."""
        if self.render_mode is None:
            gymnasium.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'human'")
            return None
        lines = [
            f"{entry.role}: {_one_line(entry.text)}" + (f"  <{entry.event}>" if entry.event else "")
            for entry in self.bargain.dialogue
        ]
        outcome = self.bargain.outcome
        if outcome["reason"] is not None:
            lines.append(f"-- {outcome['reason']}" + (f" at {outcome['price']:g}" if outcome["deal"] else ""))
        if self.render_mode == "ansi":
            return "\n".join(lines) + "\n" if lines else "(no messages yet)\n"
        # "human" is called after every step: write only what has not been shown yet.
        fresh = lines[self._rendered :]
        self._rendered = len(lines)
        if fresh:
            sys.stdout.write("\n".join(fresh) + "\n")
        return None

    def close(self) -> None:
        """Nothing to release; defined because ``render`` is overridden (api_test expects both)."""


def _register_with_pettingzoo() -> None:
    """``pettingzoo.make("aec", "arena/negotiation-v2", params=...)`` where the installed PettingZoo has a
    registry (``pettingzoo.register``); otherwise import the class."""
    import pettingzoo

    from arena.games.negotiation.spec import ENV_ID

    register = getattr(pettingzoo, "register", None)
    if callable(register):  # pragma: no branch - depends on the installed PettingZoo
        register("aec", ENV_ID, entry_point="arena.games.negotiation.env:NegotiationEnv")


_register_with_pettingzoo()
