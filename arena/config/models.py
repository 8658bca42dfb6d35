"""The YAML file kinds as pydantic models: tournament, scenario, agent card.

Every model forbids unknown keys and carries ``schema_version`` so old files fail loudly, not quietly.
Cross-file references (a tournament naming cards and scenarios) are plain relative paths here; the
loader resolves them and produces a ``ResolvedTournament`` that holds everything by value, which is
what ``run.json`` stores and what a resumed run rebuilds from.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SerializeAsAny, field_validator, model_validator

from arena.config.model_spec import ModelSpec, StrictModel
from arena.registry import default_game, game

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, description="letters, digits, '_', '.', '-'")]

CONSTANT_FEEDBACK = "Nice game. Let's play again. Can you do better?"


# ---------------------------------------------------------------- scenarios


class Scenario(StrictModel):
    """What every scenario file has; a game's own model (``Game.scenario_model``, selected by ``game:``)
    subclasses it with the game's fields, and must give ``roles`` (and ``feedback_pool`` for the human
    arm)."""

    schema_version: Literal[1] = 1
    kind: Literal["scenario"] = "scenario"
    game: str = Field(description="the game this scenario sets up (a registered game name)")
    name: Name
    description: str = ""

    @property
    def roles(self) -> tuple[str, ...]:
        return game(self.game).roles

    def warnings(self) -> list[tuple[tuple[str, ...], str]]:
        """Playable but probably not meant: ``(field path, message)`` pairs, shown located by ``validate``."""
        return []


def scenario_from(data: Any) -> Any:
    """A scenario dict validated by its game's model (a model instance passes through)."""
    if isinstance(data, dict):
        return game(data.get("game", default_game())).scenario_model.model_validate(data)
    return data


# ---------------------------------------------------------------- agent cards


class ScriptedPolicy(StrictModel):
    type: Literal["scripted"]
    strategy: str = Field(description="one of the game's scripted strategies (e.g. tough, fair, eager)")
    params: dict[str, float] = Field(default_factory=dict, description="overrides of the strategy's numbers")


class LLMPolicy(StrictModel):
    type: Literal["llm"]
    model: ModelSpec = Field(default_factory=ModelSpec)
    persona: str = Field(default="", description="system prompt prefix: who this agent is")
    examples: list[str] = Field(default_factory=list, description="few-shot example replies")
    bounded_offers: bool = Field(
        default=False,
        description="structured replies only: the game narrows the reply schema to the moves the role's brief "
        "allows at this turn, with matching instructions and an example exchange; for small models (off for "
        "research: it changes what is measured)",
    )


class HumanPolicy(StrictModel):
    """A person at the keyboard. ``arena play`` seats one in the role the person takes; a tournament cannot
    (its matches run unattended, many at once, in actors with no terminal)."""

    type: Literal["human"]


Policy = Annotated[ScriptedPolicy | LLMPolicy | HumanPolicy, Field(discriminator="type")]


class AgentCard(StrictModel):
    """A player or critic: a name, the roles it may take, and its policy (scripted, an LLM, or a person)."""

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


Timing = Literal["after_round", "after_turn"]


class FeedbackSpec(StrictModel):
    """Who gets advice, when, from whom, and which arms are compared.

    ``advise`` lists role names of the tournament's game; the loader checks them against the game and
    stores the list. A single name and ``both`` (every role) are read too, as files before the list wrote.
    ``when``: ``after_round`` (between rounds, the advice enters memory for the next round) or
    ``after_turn`` (right after each turn of an advised role, before its next turn), if the game supports it.
    """

    advise: list[str] | str | None = Field(
        default=None, description="the roles the critic advises (role names of the game; 'both': every role); "
        "default: the game's first role")
    when: Timing = Field(default="after_round", description="when the critic advises: after_round or after_turn")
    critic: str | None = Field(default=None, description="path to the critic's agent card (arm 'ai')")
    arms: list[Arm] = Field(default_factory=lambda: ["ai"], min_length=1,
                            description="the feedback arms compared: none, constant, human (the scenario's "
                            "feedback_pool), ai (the critic)")
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

    def advised_roles(self, roles: tuple[str, ...] | list[str] | None = None) -> tuple[str, ...]:
        """The advised roles, given the game's ``roles`` (needed for the default and for ``both``)."""
        roles = tuple(roles or ())
        if self.advise is None:
            return roles[:1]
        if self.advise == "both":
            return roles
        return (self.advise,) if isinstance(self.advise, str) else tuple(self.advise)


class TransferSpec(StrictModel):
    """A transfer test: after its practice rounds, every series plays ``rounds`` more on ``scenario`` with no
    feedback (whatever its arm), its memory carried over. Does what was learnt hold in a new situation?"""

    scenario: str = Field(description="path to the test scenario (same game, not one of the practice scenarios)")
    rounds: int = Field(default=1, ge=1, le=100, description="rounds on the test scenario after the practice rounds")


class MemorySpec(StrictModel):
    budget_tokens: int = Field(default=600, ge=32, description="in-context memory budget per player")


class Tournament(StrictModel):
    """A set of matches: scenarios x pairings of agent cards x feedback arms x repeats, R rounds each."""

    schema_version: Literal[1] = 1
    kind: Literal["tournament"] = "tournament"
    name: Name
    description: str = ""
    format: Literal["cross_play", "self_play"] = Field(
        default="cross_play", description="cross_play: every card of a role meets every card of the others; "
        "self_play: the same, comparing feedback arms (needs 'feedback')")
    scenarios: list[str] = Field(min_length=1, description="paths to scenario files")
    players: dict[str, list[str]] = Field(description="role -> paths to agent cards")
    rounds: int = Field(default=1, ge=1, le=1000, description="rounds per series; memory carries across")
    repeats: int = Field(default=1, ge=1, le=100_000, description="independent seeds per pairing")
    seed: int = Field(default=0, ge=0, description="every match's seed derives from it")
    concurrency: int | None = Field(default=None, ge=1, le=10_000, description="series in flight")
    feedback: FeedbackSpec | None = None
    memory: MemorySpec = Field(default_factory=MemorySpec)
    transfer: TransferSpec | None = None
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
    scenarios: dict[str, SerializeAsAny[Scenario]]
    agents: dict[str, AgentCard]
    players: dict[str, list[str]] = Field(description="role -> agent names")
    critic: str | None = Field(default=None, description="agent name of the critic")
    moderator: str | None = Field(default=None, description="agent name of the LLM moderator, if any")
    agent_files: dict[str, str] = Field(default_factory=dict, description="agent name -> card file (for errors)")
    transfer: str | None = Field(default=None, description="scenario name of the transfer test (in scenarios)")

    @field_validator("scenarios", mode="before")
    @classmethod
    def _by_game(cls, scenarios: Any) -> Any:
        """A stored config (``run.json``) holds scenarios as dicts: each is read by its own game's model."""
        if isinstance(scenarios, dict):
            return {name: scenario_from(data) for name, data in scenarios.items()}
        return scenarios

    @property
    def game(self) -> str:
        """The game this tournament plays (the loader checks that its scenarios agree)."""
        return next(iter(self.scenarios.values())).game

    def arms(self) -> list[str]:
        return list(self.tournament.feedback.arms) if self.tournament.feedback else ["none"]
