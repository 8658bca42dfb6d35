"""One person plays one role of a scenario against agents, logged as a run like any tournament (``arena play``).

The session is a one-series tournament built in code: the person's card (policy ``human``), an opponent
card for every other role (a given card, else the game's scripted baseline, ``Game.human_opponents``) and, when
the person is coached, a critic advising the person's role (a given card, else the game's scripted critic
when the game supports ``after_turn`` feedback). It is prepared and executed by :mod:`arena.tournament`, so
the run directory, ``run.json`` and ``matches.jsonl`` are those of any run and ``arena replay``,
``leaderboard`` and ``export`` read it unchanged.

Why in-process and not through Ray: one match at a time, waiting on a person, gains nothing from actors,
and a person's terminal lives in this process (an actor has no stdin); ``ray.init`` would also cost the
person 2-4 s before the first line. The players run in-process exactly as ``arena run --local`` runs them.

A person who ends input or presses Ctrl-C at their turn ends the match: it is logged with the turns so far
as ``status: error``, ``error.kind: abandoned`` (the game never ended, so it has no result and no reward,
and analysis leaves it out as it leaves out every failed match), the series stops there and ``run.json``
says ``interrupted``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena.agents.factory import build_critic, build_player
from arena.agents.human import HumanPlayer, Terminal, is_abandoned
from arena.agents.llm_player import in_process_model
from arena.config import load_agent, load_scenario
from arena.config.loader import display_path
from arena.config.models import (
    NAME_PATTERN,
    AgentCard,
    FeedbackSpec,
    HumanPolicy,
    ResolvedTournament,
    ScriptedPolicy,
    Tournament,
)
from arena.errors import ConfigError
from arena.registry import game_of
from arena.runtime.match import MatchContext
from arena.runtime.pool import RunOptions
from arena.tournament import RunSummary, execute, prepare_new

BUILT_IN = "(built in)"  # the file name stored for a card the session made itself


@dataclass
class PlaySetup:
    """What ``arena play`` was asked for: the scenario file, the person's role and name, optional cards."""

    scenario: Path
    role: str
    opponents: tuple[Path, ...] = ()
    coach: Path | None = None
    no_coach: bool = False
    rounds: int = 1
    seed: int = 0
    name: str = "human"
    when: str | None = None  # when the coach advises; None: after every turn where the game allows it


class Abandoned(Exception):
    """The person ended the match; raised out of the run after its record is logged, to stop the series."""


def _baseline(game: Any, role: str) -> AgentCard:
    strategy = game.human_opponents.get(role) or game.strategies[0]
    return AgentCard(name=f"scripted-{role}", description=f"the {game.name} game's scripted {strategy} {role}",
                     roles=[role], policy=ScriptedPolicy(type="scripted", strategy=strategy))


def _card(path: Path, what: str) -> AgentCard:
    card = load_agent(path)
    if isinstance(card.policy, HumanPolicy):
        raise ConfigError(f"agent {card.name!r} is a person; the {what} must be an agent", path=display_path(path),
                          field="policy.type")
    return card


def resolve_play(setup: PlaySetup) -> ResolvedTournament:
    """The session as a resolved one-series tournament; every bad choice is one located line."""
    scenario = load_scenario(setup.scenario)
    where = display_path(setup.scenario)
    game = game_of(scenario)
    if setup.role not in game.roles:
        close = difflib.get_close_matches(setup.role, game.roles, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"--as {setup.role!r}: no such role in the {game.name} game{hint} (roles: "
                          f"{', '.join(game.roles)})", path=where)
    if not re.fullmatch(NAME_PATTERN, setup.name):
        raise ConfigError(f"{setup.name!r}: use 1-64 letters, digits, '_', '.', '-' (starting with a letter or digit)",
                          path="arena play", field="--name")
    person = AgentCard(name=setup.name, description="a person at the keyboard (arena play)", roles=[setup.role],
                       policy=HumanPolicy(type="human"))
    given = [(path, _card(path, "opponent")) for path in setup.opponents]
    players: dict[str, list[str]] = {}
    agents: dict[str, AgentCard] = {person.name: person}
    files = {person.name: BUILT_IN}
    for role in game.roles:
        if role == setup.role:
            players[role] = [person.name]
            continue
        path, card = next(((p, c) for p, c in given if c.plays(role)), (None, _baseline(game, role)))
        if card.name in agents:
            raise ConfigError(f"agent name {card.name!r} is taken (by the {', '.join(agents[card.name].roles)}); "
                              "rename one (--name names the person)", path=where)
        players[role], agents[card.name] = [card.name], card
        files[card.name] = display_path(path) if path else BUILT_IN
    for path, card in given:
        if card.name not in agents:
            raise ConfigError(f"agent {card.name!r} plays {card.roles}, none of the roles left to the opponents "
                              f"({', '.join(r for r in game.roles if r != setup.role)})", path=display_path(path))
    feedback, critic = _coaching(setup, game, agents, files)
    files_of = {role: [files[name] for name in names] for role, names in players.items()}
    tournament = Tournament(name=f"play-{scenario.name}"[:64], description=f"{setup.name} plays the {setup.role}",
                            scenarios=[where], players=files_of, rounds=setup.rounds, seed=setup.seed, concurrency=1,
                            feedback=feedback)
    return ResolvedTournament(source=where, tournament=tournament, scenarios={scenario.name: scenario}, agents=agents,
                              players=players, critic=critic, agent_files=files)


def _coaching(setup: PlaySetup, game: Any, agents: dict[str, AgentCard], files: dict[str, str]
              ) -> tuple[FeedbackSpec | None, str | None]:
    """The feedback section advising the person's role, and the critic's name (None, None: no coach).

    ``setup.when`` if given (a timing the game lacks is refused), else ``after_turn`` where the game supports
    it (the advice follows each of the person's turns), else ``after_round`` (it follows each round but the
    last: see ``--rounds``)."""
    if setup.no_coach:
        return None, None
    if setup.when is not None and setup.when not in game.feedback_timings:
        raise ConfigError(f"the {game.name} game's critic advises {' or '.join(game.feedback_timings)}, not "
                          f"{setup.when}", path="arena play", field="--when")
    if setup.coach is not None:
        card = _card(setup.coach, "coach")
        if not card.plays("critic"):
            raise ConfigError(f"agent {card.name!r} plays {card.roles}, not 'critic'", path=display_path(setup.coach),
                              field="roles")
        if card.name in agents:
            raise ConfigError(f"agent name {card.name!r} is taken by a player; the coach needs its own name",
                              path=display_path(setup.coach))
        files[card.name] = display_path(setup.coach)
    elif "after_turn" in game.feedback_timings:
        card = AgentCard(name="scripted-coach", description=f"the {game.name} game's scripted critic",
                         roles=["critic"], policy=ScriptedPolicy(type="scripted", strategy="critic"))
        files[card.name] = BUILT_IN
    else:
        return None, None
    agents[card.name] = card
    when = setup.when or ("after_turn" if "after_turn" in game.feedback_timings else "after_round")
    return FeedbackSpec(advise=[setup.role], when=when, critic=files[card.name], arms=["ai"]), card.name


@dataclass
class PlayResult:
    summary: RunSummary
    records: list[dict[str, Any]]
    abandoned: bool


def play(resolved: ResolvedTournament, role: str, terminal: Terminal, logs_dir: Path, run_id: str | None = None,
         on_turn: Callable[[dict[str, Any]], None] | None = None,
         on_record: Callable[[dict[str, Any]], None] | None = None) -> PlayResult:
    """Play the session to its end, or until the person ends a match; every match is logged as it ends.

    ``on_turn`` hears each turn as logged (with the coach's advice on the person's turns), ``on_record``
    each finished match. A Ctrl-C that is not at the person's prompt propagates (KeyboardInterrupt) after
    ``run.json`` is marked interrupted; the match in play is then not logged.
    """
    scenario = next(iter(resolved.scenarios.values()))
    game = game_of(scenario)
    prepared = prepare_new(resolved, logs_dir, run_id)
    human = resolved.players[role][0]
    person = HumanPlayer(game, scenario, terminal)
    if game.briefing is not None:  # before the first turn, even when another role opens
        terminal.brief(role, game.briefing(role, scenario))
        person.briefed = True
    players: dict[str, Any] = {human: person}
    for names in resolved.players.values():
        if names[0] != human:
            players[names[0]] = build_player(resolved.agents[names[0]], game.name, in_process_model)
    critic = build_critic(resolved.agents[resolved.critic], game.name, in_process_model) if resolved.critic else None
    ctx = MatchContext(resolved, players, critic, model_factory=in_process_model, on_turn=on_turn)
    records: list[dict[str, Any]] = []

    def heard(record: dict[str, Any]) -> None:
        records.append(record)
        if on_record is not None:
            on_record(record)
        if is_abandoned(record):
            raise Abandoned

    try:
        summary = execute(prepared, RunOptions(local=True, concurrency=1), heard, context=ctx)
    except Abandoned:
        return PlayResult(prepared.summary, records, abandoned=True)
    return PlayResult(summary, records, abandoned=False)
