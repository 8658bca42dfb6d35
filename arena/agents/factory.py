"""Build a player or critic policy from its agent card, for a game: scripted baselines come from the
game's spec, LLM policies are generic and get the game's wording from it."""

from __future__ import annotations

from arena.agents.llm_player import ModelFactory
from arena.config.models import AgentCard, HumanPolicy, ScriptedPolicy
from arena.core.protocol import Critic, Player
from arena.errors import ConfigError
from arena.registry import game


def build_player(card: AgentCard, game_name: str, model_factory: ModelFactory | None = None) -> Player:
    policy = card.policy
    spec = game(game_name)
    if isinstance(policy, HumanPolicy):  # a person needs a terminal: arena play builds a HumanPlayer itself
        raise ConfigError("a person (policy type human) plays only through `arena play`", path=f"agent {card.name}",
                          field="policy.type")
    if isinstance(policy, ScriptedPolicy):
        try:
            return spec.scripted_player(policy.strategy, policy.params)
        except ValueError as exc:
            raise ConfigError(str(exc), path=f"agent {card.name}", field="policy.strategy") from exc
    from arena.agents.llm_player import LLMPlayer

    return LLMPlayer(card, spec, model_factory)


def build_critic(card: AgentCard, game_name: str, model_factory: ModelFactory | None = None) -> Critic:
    spec = game(game_name)
    if isinstance(card.policy, HumanPolicy):
        raise ConfigError("a person (policy type human) cannot be a critic", path=f"agent {card.name}",
                          field="policy.type")
    if isinstance(card.policy, ScriptedPolicy):
        return spec.scripted_critic()
    if spec.llm_critic is not None:
        return spec.llm_critic(card, spec, model_factory)
    from arena.agents.critic import LLMCritic

    return LLMCritic(card, spec, model_factory)
