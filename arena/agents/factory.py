"""Build a player or critic policy from its agent card."""

from __future__ import annotations

from arena.agents.base import Critic, Player
from arena.config.models import AgentCard, ScriptedPolicy
from arena.errors import ConfigError


def build_player(card: AgentCard) -> Player:
    policy = card.policy
    if isinstance(policy, ScriptedPolicy):
        from arena.agents.scripted import ScriptedNegotiator

        try:
            return ScriptedNegotiator(policy.strategy, policy.params)
        except ValueError as exc:
            raise ConfigError(str(exc), path=f"agent {card.name}", field="policy.strategy") from exc
    from arena.agents.llm_player import LLMPlayer

    return LLMPlayer(card)


def build_critic(card: AgentCard) -> Critic:
    policy = card.policy
    if isinstance(policy, ScriptedPolicy):
        from arena.agents.scripted import ScriptedCritic

        return ScriptedCritic()
    from arena.agents.critic import LLMCritic

    return LLMCritic(card)
