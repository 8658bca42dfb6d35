"""Arena's YAML files: pydantic models and a loader whose errors name file, line, column and field."""

from arena.config.loader import load_agent, load_any, load_scenario, load_tournament
from arena.config.model_spec import ModelSpec
from arena.config.models import (
    AgentCard,
    FeedbackSpec,
    HumanPolicy,
    LLMPolicy,
    ResolvedTournament,
    Scenario,
    ScriptedPolicy,
    Tournament,
)

__all__ = [
    "AgentCard",
    "FeedbackSpec",
    "HumanPolicy",
    "LLMPolicy",
    "ModelSpec",
    "ResolvedTournament",
    "Scenario",
    "ScriptedPolicy",
    "Tournament",
    "load_agent",
    "load_any",
    "load_scenario",
    "load_tournament",
]
