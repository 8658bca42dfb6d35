"""The YAML file kinds as pydantic models: tournament, scenario, agent card.

Every model forbids unknown keys and carries ``schema_version`` so old files fail loudly, not quietly.
Cross-file references (a tournament naming cards and scenarios) are plain relative paths here; the
loader resolves them and produces a ``ResolvedTournament`` that holds everything by value, which is
what ``run.json`` stores and what a resumed run rebuilds from.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    SerializeAsAny,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from arena.config.model_spec import FieldProblem, ModelSpec, StrictModel
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
ARM_SOURCES: tuple[str, ...] = ("none", "constant", "human", "ai")


Timing = Literal["after_round", "after_turn"]
TIMINGS: tuple[str, ...] = ("after_round", "after_turn")
ARM_TEXT_PATTERN = rf"^({'|'.join(ARM_SOURCES)})(@({'|'.join(TIMINGS)}))?$"


def _arm_text(text: str) -> str:
    """``source`` or ``source@timing``: checked here so a typo gets one line naming the two forms."""
    if re.fullmatch(ARM_TEXT_PATTERN, text) is None:
        raise ValueError(f"unknown arm {text!r}: write a source ({', '.join(ARM_SOURCES)}), optionally "
                         f"@{' or @'.join(TIMINGS)}, or a mapping {{name, source, when}}")
    return text


class ArmSpec(StrictModel):
    """A named arm: its feedback ``source`` and, if given, its own timing (else ``feedback.when``).

    The name is what the log's ``arm`` field and the tables show, so two arms of one source can be told
    apart by when they advise (``{name: jit, source: ai, when: after_turn}`` beside ``{name: after_round,
    source: ai, when: after_round}``).
    """

    name: Name
    source: Arm = Field(description="where the advice comes from: none, constant, human (the scenario's "
                        "feedback_pool), ai (the critic)")
    when: Timing | None = Field(default=None, description="when this arm advises; default: feedback.when")

    @model_validator(mode="after")
    def _source_names_are_reserved(self) -> ArmSpec:
        if self.name in ARM_SOURCES and self.name != self.source:
            raise FieldProblem(f"an arm named {self.name!r} must have source {self.name!r}", "source")
        return self


ArmText = Annotated[str, AfterValidator(_arm_text), WithJsonSchema({"type": "string", "pattern": ARM_TEXT_PATTERN})]
# a string arm or a mapping, told apart by the node's kind (the tags "str"/"dict" are the YAML node's kind,
# which is how the loader drops them from an error's location)
ArmEntry = Annotated[
    Annotated[ArmText, Tag("str")] | Annotated[ArmSpec, Tag("dict")],
    Discriminator(lambda v: "str" if isinstance(v, str) else "dict"),
]


def arm_parts(arm: str | ArmSpec | dict[str, Any]) -> tuple[str, str, str | None]:
    """(name, source, timing or None) of an arm as written: ``ai``, ``ai@after_turn`` or a mapping."""
    if isinstance(arm, ArmSpec):
        return arm.name, arm.source, arm.when
    if isinstance(arm, dict):
        return str(arm["name"]), str(arm["source"]), arm.get("when")
    source, _, when = str(arm).partition("@")
    return str(arm), source, when or None


class FeedbackSpec(StrictModel):
    """Who gets advice, when, from whom, and which arms are compared.

    ``advise`` lists role names of the tournament's game; the loader checks them against the game and
    stores the list. A single name and ``both`` (every role) are read too, as files before the list wrote.
    ``when``: ``after_round`` (between rounds, the advice enters memory for the next round) or
    ``after_turn`` (right after each turn of an advised role, before its next turn), if the game supports it.

    Each arm has a source (none, constant, human, ai) and a timing, so one run can compare the same
    critic advising after each turn and after each round on the same seeds and pairings. An arm is
    written ``ai`` (the source is its name, its timing ``when``), ``ai@after_turn`` (source@timing; that
    text is its name), or ``{name: jit, source: ai, when: after_turn}`` (``when`` optional). The name is
    the arm in the log and the tables; a name that is a source's must be that source (``none`` stays the
    control).
    """

    advise: list[str] | str | None = Field(
        default=None, description="the roles the critic advises (role names of the game; 'both': every role); "
        "default: the game's first role")
    when: Timing = Field(default="after_round", description="when the critic advises: after_round or after_turn "
                         "(each arm's default)")
    critic: str | None = Field(default=None, description="path to the critic's agent card (source 'ai')")
    arms: list[ArmEntry] = Field(
        default_factory=lambda: ["ai"], min_length=1,
        description="the feedback arms compared, each a source: none, constant, human (the scenario's "
        "feedback_pool), ai (the critic); 'source@timing' (e.g. ai@after_turn) gives the arm its own timing; "
        "or a mapping {name, source, when} names it (the name is what the log and tables show)")
    constant_text: str = CONSTANT_FEEDBACK
    suggestions: int = Field(default=3, ge=1, le=10, description="at most this many suggestions per round")

    @field_validator("arms")
    @classmethod
    def _unique(cls, arms: list[Any]) -> list[Any]:
        names = [arm_parts(arm)[0] for arm in arms]
        if len(set(names)) != len(names):
            raise ValueError("arms repeat")
        return arms

    @model_validator(mode="after")
    def _critic_for_ai(self) -> FeedbackSpec:
        if "ai" in self.sources() and not self.critic:
            raise ValueError("arm 'ai' needs a critic card")
        return self

    def arm_names(self) -> list[str]:
        """The arms' names, in order: what the log's ``arm`` field holds."""
        return [arm_parts(arm)[0] for arm in self.arms]

    def sources(self) -> list[str]:
        return [arm_parts(arm)[1] for arm in self.arms]

    def source(self, arm: str) -> str:
        """The source of the arm named ``arm`` (a name not among the arms is read as a source)."""
        return next((parts[1] for parts in map(arm_parts, self.arms) if parts[0] == arm), arm)

    def timing(self, arm: str) -> str:
        """When the arm named ``arm`` advises: its own timing, else ``when``."""
        return next((parts[2] for parts in map(arm_parts, self.arms) if parts[0] == arm and parts[2]), self.when)

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
        return self.tournament.feedback.arm_names() if self.tournament.feedback else ["none"]
