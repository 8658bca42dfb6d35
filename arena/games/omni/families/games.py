"""Two families that wrap Arena's other games through the game registry, so a curriculum can move a
learner between all three games. The task is a whole match of the wrapped game, played by its own env
against its own scripted policy; the learner's answer decides its side's play; the wrapped game's outcome
decides success. No model is involved: the env verifies, as for every family.

- ``negotiation_deal``: the learner sells in a negotiation scenario against a scripted buyer. Its answer
  is the price it holds firm at (offered every turn; any buyer offer at or above it is accepted). Success:
  a deal at or above the target price (``target``: a fraction of the scenario's deal range from its low
  end). The hidden answer is the highest price that wins, found by playing the match at each candidate.
- ``dearman_objective``: the learner speaks in a DEAR MAN scenario against the scripted partner. Its
  answer is what it says, used for every learner turn. Success: the objective met with mastery at least
  ``threshold`` (0..2). The hidden answer is a turn showing every skill (the scripted skilled learner's).

Scenarios are read from ``scenarios/<game>/<name>.yaml`` files by name, through the config loader, and the
envs and players come from the registry (``game(name).make_env``, ``scripted_player``). Where the
``scenarios/`` folder is: ``$ARENA_SCENARIOS`` if set, else ``./scenarios`` in the working directory, else the
source checkout this module sits in (``parents[4]``, which exists only in a checkout or an editable
install); the first that holds the file wins. A non-editable install has no checkout, so a curriculum that
names these families is refused when its scenario is loaded, in one line saying where it looked and how to
point at the folder (:func:`scenario_path`), never at play time.
"""

from __future__ import annotations

import functools
import os
import random
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from arena.core.protocol import ActRequest
from arena.games.omni.families.base import Family, Params, Tag, Task, answer_line, last_token, register

CHECKOUT_SCENARIOS = Path(__file__).resolve().parents[4] / "scenarios"
ENV_VAR = "ARENA_SCENARIOS"


def scenario_dirs() -> list[Path]:
    """Where ``scenarios/`` folders are looked for, in order (see the module docstring)."""
    found = [Path(os.environ[ENV_VAR])] if os.environ.get(ENV_VAR) else []
    return [*found, Path.cwd() / "scenarios", CHECKOUT_SCENARIOS]


def scenario_path(game: str, name: str) -> Path:
    """The file of the wrapped game's scenario ``name``; a ``FileNotFoundError`` with one line otherwise."""
    dirs = scenario_dirs()
    for folder in dirs:
        candidate = folder / game / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{game} scenario {name!r} not found: no {game}/{name}.yaml under "
                            f"{', '.join(str(d) for d in dict.fromkeys(dirs))}; set {ENV_VAR} to the repository's "
                            "scenarios/ folder (or run from the repository root)")


def _missing(game: str, name: str) -> str | None:
    try:
        scenario_path(game, name)
    except FileNotFoundError as err:
        return str(err)
    return None


@functools.cache
def _scenario(game: str, name: str) -> Any:
    from arena.config.loader import load_scenario

    return load_scenario(scenario_path(game, name))


def _play(game_name: str, scenario: Any, learner_role: str, learner_text: Any, other: Any, seed: int) -> dict:
    """Play one match of a registered game; the learner's move is ``learner_text(info)``; returns the outcome."""
    from arena.registry import game

    env = game(game_name).make_env(scenario)
    env.reset(seed=seed)
    outcome: dict[str, Any] = {}
    for turn, role in enumerate(env.agent_iter(max_iter=200)):
        observation, _reward, terminated, truncated, info = env.last()
        outcome = dict(info.get("outcome") or outcome)
        if terminated or truncated:
            env.step(None)
            continue
        if role == learner_role:
            text = learner_text(info)
        else:
            request = ActRequest(match_id="omni", role=role, observation=observation["prompt"], info=info,
                                 seed=seed * 1000 + turn)
            text = other.decide(request).text
        env.step(text)
        outcome = dict(env.infos.get(role, {}).get("outcome") or outcome)
    env.close()
    return outcome


class DealParams(Params):
    scenario: Literal["balloon", "bicycle", "concert-ticket"] = "balloon"
    buyer: Literal["tough", "fair", "eager"] = "fair"
    target: float = Field(0.5, ge=0.0, le=1.0, description="target price, as a fraction of the deal range")


@register
class NegotiationDeal(Family):
    """Sell above a target price against a scripted buyer (the negotiation game)."""

    name = "negotiation_deal"
    params_model = DealParams
    summary = "Sell an item in a negotiation for at least a target price"
    standard = False

    def unavailable(self, params: Any) -> str | None:
        return _missing("negotiation", params.scenario)

    def _target(self, params: Any) -> tuple[Any, float]:
        scenario = _scenario("negotiation", params.scenario)
        low, high = scenario.deal_range.low, scenario.deal_range.high
        return scenario, round(low + params.target * (high - low), 2)

    def outcome_for(self, params: Any, price: float, seed: int) -> dict:
        from arena.registry import game

        scenario, _ = self._target(params)
        buyer = game("negotiation").scripted_player(params.buyer, {})
        cur = scenario.currency if hasattr(scenario, "currency") else "$"

        def firm(info: dict) -> str:
            theirs = info.get("their_last_offer")
            if theirs is not None and theirs >= price:
                return f"Deal at {cur}{theirs:g}. [ACCEPT]"
            return f"My price is {cur}{price:g}. [OFFER {cur}{price:g}]"

        return _play("negotiation", scenario, "seller", firm, buyer, seed)

    def wins(self, params: Any, price: float, seed: int) -> bool:
        _, target = self._target(params)
        out = self.outcome_for(params, price, seed)
        return bool(out.get("deal")) and float(out.get("price") or 0.0) >= target

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        scenario, target = self._target(params)
        seed = rng.randrange(2**20)
        low, high = scenario.deal_range.low, scenario.deal_range.high
        candidates = [round(high - 0.5 * i, 2) for i in range(int((high - low) * 2) + 1)]
        answer = next((str(p) for p in candidates if p >= target and self.wins(params, p, seed)), "none")
        prompt = (f"You sell {scenario.item_description}. A buyer opens at {scenario.buyer.opening:g}; a deal "
                  f"counts between {low:g} and {high:g}. Name ONE price: you will offer it every turn and "
                  f"accept any offer at or above it. You succeed with a deal at {target:g} or more. "
                  "Reply with the price after ANSWER:")
        return prompt, answer, {"seed": seed}

    def check(self, task: Task, answer_text: str) -> bool:
        found = last_token(answer_line(answer_text).replace(",", ""), r"-?\d+(?:\.\d+)?")
        if found is None:
            return False
        params = self.parse(task.spec.params)
        return self.wins(params, float(found), int(task.extra["seed"]))

    def variants(self) -> list[dict[str, Any]]:
        return [{"scenario": "balloon", "buyer": b, "target": 0.5} for b in ("eager", "fair", "tough")]

    def near(self, a: Any, b: Any) -> bool:
        return a.scenario == b.scenario and abs(a.target - b.target) <= 0.2

    def winnable(self, params: Any) -> bool:
        """Whether some price wins (on the task of seed 0): a target above what the buyer pays never does."""
        return self.generate_answer(params) != "none"

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one registry instance; params are frozen and hashable
    def generate_answer(self, params: Any) -> str:
        return self.make(params, random.Random(0))[1]

    def tag(self, params: Any) -> Tag:
        return "interesting" if self.winnable(params) else "impossible"

    def difficulty(self, params: Any) -> float:
        return 8.0 + 10.0 * params.target if self.winnable(params) else 0.0


class ObjectiveParams(Params):
    scenario: Literal["landlord-repair", "roommate-share", "deadline-extension", "extra-work", "faulty-product",
                      "relative-boundary"] = "landlord-repair"
    threshold: float = Field(1.0, ge=0.0, le=2.0, description="mastery (0..2) the learner's turns must reach")


@register
class DearManObjective(Family):
    """Get what you need in a hard conversation, with skill (the DEAR MAN game)."""

    name = "dearman_objective"
    params_model = ObjectiveParams
    summary = "Ask for what you need in a hard conversation, using DEAR MAN skills"
    standard = False

    def unavailable(self, params: Any) -> str | None:
        return _missing("dearman", params.scenario)

    def outcome_for(self, params: Any, text: str) -> dict:
        from arena.registry import game

        scenario = _scenario("dearman", params.scenario)
        partner = game("dearman").scripted_player("partner", {})
        return _play("dearman", scenario, "learner", lambda info: text, partner, 0)

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        from arena.registry import game

        scenario = _scenario("dearman", params.scenario)
        env = game("dearman").make_env(scenario)
        env.reset(seed=0)
        info = {**env.infos["learner"], "learner_turns": [None]}  # a later turn: every skill has its occasion
        skilled = game("dearman").scripted_player("skilled", {})
        answer = skilled.decide(ActRequest(match_id="omni", role="learner", observation="", info=info)).text
        prompt = (f"{scenario.situation}\nYou want: {scenario.objective}\nWrite what you say to them, in a few "
                  "sentences: the facts, how you feel, what you need, what they gain, and an alternative. "
                  "Reply after ANSWER:")
        return prompt, answer, {}

    def check(self, task: Task, answer_text: str) -> bool:
        text = answer_line(answer_text)
        if not text:
            return False
        params = self.parse(task.spec.params)
        out = self.outcome_for(params, text[:1000])
        return bool(out.get("objective_met")) and float(out.get("mastery") or 0.0) >= params.threshold

    def variants(self) -> list[dict[str, Any]]:
        return [{"scenario": s, "threshold": 1.0} for s in ("landlord-repair", "roommate-share", "relative-boundary")]

    def near(self, a: Any, b: Any) -> bool:
        return a.scenario == b.scenario

    def difficulty(self, params: Any) -> float:
        return 10.0 + 5.0 * params.threshold
