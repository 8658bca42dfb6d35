"""Play one match (one round) and one series (R rounds with memory) against player handles, for any game.

This is the only code that steps an env, and it uses only the AEC API: ``agent_iter``, ``last``, ``step``,
the rewards ``last`` reports (summed per agent), ``infos[agent]["last_turn"]`` (what the log keeps of the
turn just played: the turn record's ``payload``) and ``info["outcome"]`` (the game's outcome, read from the
last info seen). Everything else about the game comes from its :class:`~arena.registry.Game` spec (env,
memory wording, judge).

It runs in the driver's event loop and awaits players and critics wherever they live (Ray actors, or
in-process objects with ``--local``), so a turn costs one remote call. Failures of a player or critic end
that match as ``error`` with the reason recorded; they never escape to the tournament.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from arena.config.models import ResolvedTournament
from arena.core.protocol import ActRequest, ActResult, Critic, CritiqueRequest, Player, add_usage
from arena.memory import Memory
from arena.registry import game as game_named
from arena.registry import game_of
from arena.runlog import ARENA_VERSION, SCHEMA_VERSION, turn_record, utc_now
from arena.schedule import SeriesSpec, derive_seed


@dataclass
class MatchContext:
    """What every match of a run shares: the config, player handles by agent name, the critic."""

    resolved: ResolvedTournament
    players: Mapping[str, Player]
    critic: Critic | None = None
    run_id: str = ""
    model_factory: Any = None  # builds an LLM judge's model (the runtime's factory)
    judge_cache: dict[str, Any] = field(default_factory=dict)  # the game's judge keeps its LLM here
    # hears each turn record as logged, its after_turn feedback included, as soon as it is played: a live
    # view of one match (``arena play`` shows a person the dialogue and the coach); it must not change it
    on_turn: Callable[[dict[str, Any]], None] | None = None


@dataclass
class SeriesState:
    """Where a series stands: the next round, each advised role's memory, and what the game carries
    (``Game.carry``: the state it rebuilds from the last round's outcome; None for most games)."""

    next_round: int = 1
    memories: dict[str, Memory] = field(default_factory=dict)
    carried: Any = None


def _error(kind: str, message: str, role: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "message": " ".join(str(message).split())[:2000], "role": role}


@dataclass
class Turns:
    """A match's turn loop so far: what :func:`play_turns` extends (a fork starts it from a logged prefix)."""

    agents: dict[str, str]
    transcript: list[dict[str, Any]] = field(default_factory=list)
    returns: dict[str, float] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: dict[str, Any] | None = None

    def rewards(self) -> dict[str, float]:
        """Each role's summed reward; all 0 for a match that ended in error."""
        if self.error is not None:
            return {role: 0.0 for role in self.agents}
        return {role: float(self.returns.get(role, 0.0)) for role in self.agents}


async def play_turns(
    ctx: MatchContext, series: SeriesSpec, env: Any, turns: Turns, *, round_: int, match_id: str,
    memories: Mapping[str, Memory], memory_text: dict[str, str], seed: int, first_turn: int = 0,
) -> None:
    """Step ``env`` to its end: each live agent's player acts, the turn is logged, and with ``after_turn``
    feedback the critic's advice enters that role's memory before its next turn.

    ``seed`` seeds the players' requests and the critic; ``first_turn`` numbers the AEC iterations (a
    fork continues the count of its replayed prefix, so its requests' seeds line up with the parent's).
    A player that raises or returns an error ends the loop with ``turns.error`` set. ``ctx.on_turn``, if
    set, hears each turn record once it is complete (its feedback attached), before the next turn.
    """
    game = game_of(ctx.resolved.scenarios[series.scenario])
    fb = ctx.resolved.tournament.feedback
    per_turn = fb is not None and fb.timing(series.arm) == "after_turn"
    for turn, role in enumerate(env.agent_iter(), start=first_turn):
        observation, reward, terminated, truncated, info = env.last()
        turns.returns[role] = turns.returns.get(role, 0.0) + float(reward)
        turns.outcome = dict(info.get("outcome", turns.outcome))
        if terminated or truncated:
            env.step(None)
            continue
        mem = memories.get(role)
        request = ActRequest(
            match_id=match_id,
            role=role,
            observation=observation["prompt"],
            info=info,
            memory=mem.kept(game.memory_wording) if mem else [],
            memory_text=memory_text.get(role, ""),
            seed=derive_seed(seed, f"{role}:{turn}"),
        )
        try:
            result: ActResult = await ctx.players[turns.agents[role]].act(request)
        except Exception as exc:  # a crashed actor or policy bug: this match fails, the run goes on
            turns.error = _error("crash", f"{type(exc).__name__}: {exc}", role)
            return
        add_usage(turns.usage.setdefault(role, {}), result.usage)
        if result.error:
            turns.error = {**result.error, "role": role}
            return
        env.step(result.text)
        after = env.infos.get(role, {})
        turns.outcome = dict(after.get("outcome", turns.outcome))
        logged = turn_record(turn=len(turns.transcript), role=role, agent=turns.agents[role], text=result.text,
                             player_how=result.how, game_fields=after.get("last_turn", {}), game=game.name)
        if result.prompt is not None:
            logged["prompt"] = result.prompt
        turns.transcript.append(logged)
        if per_turn and mem is not None:  # just-in-time advice: in this role's memory before its next turn
            given = await feedback_for(ctx, series, role, mem, seed=seed, match_id=match_id,
                                       transcript=turns.transcript, outcome=turns.outcome, turn=logged["turn"])
            mem.add_advice(round_, given["suggestions"])
            memory_text[role] = mem.render(game.memory_wording)
            logged["feedback"] = given
        if ctx.on_turn is not None:
            ctx.on_turn(logged)


async def judge_match(ctx: MatchContext, scenario: Any, turns: Turns, seed: int) -> None:
    """The game's optional judge: its verdict is logged as ``outcome["moderator"]`` beside the env's."""
    game = game_of(scenario)
    if game.judge is not None:
        card = ctx.resolved.agents[ctx.resolved.moderator] if ctx.resolved.moderator else None
        turns.outcome["moderator"] = await game.judge(turns.transcript, scenario, turns.outcome, seed=seed, card=card,
                                                      cache=ctx.judge_cache, model_factory=ctx.model_factory)


async def play_match(ctx: MatchContext, series: SeriesSpec, round_: int, state: SeriesState) -> dict[str, Any]:
    """Play round ``round_`` of ``series`` and return its log record (without feedback)."""
    scenario = ctx.resolved.scenarios[series.scenario]
    game = game_of(scenario)
    agents = series.agents
    seed = series.round_seed(round_)
    started, t0 = utc_now(), time.perf_counter()
    env = game.make_env(scenario) if game.carry is None else game.make_env(scenario, state.carried)
    env.reset(seed=seed)
    memory_text = {role: mem.render(game.memory_wording) for role, mem in state.memories.items()}
    turns = Turns(agents, returns={role: 0.0 for role in agents}, usage={role: {} for role in agents})
    # after_turn advice updates the copy, not the logged memory_before
    await play_turns(ctx, series, env, turns, round_=round_, match_id=series.match_id(round_),
                     memories=state.memories, memory_text=dict(memory_text), seed=seed)
    await judge_match(ctx, scenario, turns, seed)
    env.close()
    error, outcome, rewards = turns.error, turns.outcome, turns.rewards()
    transcript, usage = turns.transcript, turns.usage
    if error is None and game.carry is not None:  # what the next round starts from (a failed round: unchanged)
        state.carried = game.carry(outcome)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "match",
        "arena_version": ARENA_VERSION,
        "run_id": ctx.run_id,
        "match_id": series.match_id(round_),
        "series_id": series.series_id,
        "scenario": series.scenario,
        "game": scenario.game,
        "arm": series.arm,
        "repeat": series.repeat,
        "round": round_,
        "rounds": series.rounds,
        "seed": seed,
        "agents": agents,
        "status": "error" if error else "ok",
        "error": error,
        "outcome": outcome,
        "rewards": rewards,
        "transcript": transcript,
        "memory_before": memory_text,
        "feedback": {},
        "usage": usage,
        "started_at": started,
        "finished_at": utc_now(),
        "duration_s": round(time.perf_counter() - t0, 6),
    }


async def feedback_for(
    ctx: MatchContext, series: SeriesSpec, role: str, memory: Memory, *, seed: int, match_id: str,
    transcript: list[dict[str, Any]], outcome: dict[str, Any], turn: int | None = None,
) -> dict[str, Any]:
    """The advice the advised ``role`` gets after a round (``turn`` None) or after its turn ``turn``, by the
    source of the series' arm: none, a constant text, a sample of the scenario's human pool, or the critic's
    result; logged under the arm's name."""
    fb = ctx.resolved.tournament.feedback
    at = "" if turn is None else f":t{turn}"
    scenario = ctx.resolved.scenarios[series.scenario]
    arm = series.arm
    source = fb.source(arm) if fb is not None else "none"
    if source == "none":
        return {"arm": arm, "suggestions": []}
    if source == "constant":
        return {"arm": arm, "suggestions": [fb.constant_text]}
    if source == "human":
        rng = random.Random(derive_seed(seed, f"human:{role}{at}"))
        return {"arm": arm, "suggestions": rng.sample(scenario.feedback_pool, fb.suggestions)}
    if ctx.critic is None:
        return {"arm": arm, "suggestions": [], "error": _error("config", "no critic")}
    request = CritiqueRequest(
        match_id=match_id,
        advised_role=role,
        scenario=scenario.model_dump(),
        transcript=list(transcript),
        outcome=outcome,
        memory=memory.kept(game_of(scenario).memory_wording),
        max_suggestions=fb.suggestions,
        seed=derive_seed(seed, f"critic:{role}{at}"),
        turn=turn,
    )
    try:
        result = await ctx.critic.critique(request)
    except Exception as exc:
        return {"arm": arm, "suggestions": [], "error": _error("crash", f"{type(exc).__name__}: {exc}")}
    out: dict[str, Any] = {
        "arm": arm, "critic": ctx.resolved.critic, "suggestions": result.suggestions[: fb.suggestions],
        "usage": result.usage,
    }
    if result.ratings:
        out["ratings"] = dict(result.ratings)
    if result.reasons:
        out["reasons"] = {str(k): str(v) for k, v in result.reasons.items()}
    if result.error:
        out["error"] = result.error
    return out


async def play_series(
    ctx: MatchContext, series: SeriesSpec, state: SeriesState, emit: Callable[[dict[str, Any]], None]
) -> None:
    """Play the remaining rounds of a series in order, updating memory between rounds (outcomes, and the
    critic's advice when the series' arm advises ``after_round``)."""
    fb = ctx.resolved.tournament.feedback
    scenario = ctx.resolved.scenarios[series.scenario]
    game = game_of(scenario)
    advised = fb.advised_roles(game.roles) if fb else ()
    budget = ctx.resolved.tournament.memory.budget_tokens
    for role in advised:
        state.memories.setdefault(role, Memory(budget_tokens=budget))
    for round_ in range(state.next_round, series.rounds + 1):
        record = await play_match(ctx, series, round_, state)
        # after the last practice round too when transfer rounds follow: the test starts from all of practice
        if record["status"] == "ok" and round_ < series.total_rounds:
            for role in advised:
                memory = state.memories[role]
                for kind, text in game.memory_of_round(role, record["outcome"], record["rewards"], scenario):
                    memory.add(kind, text, round_)
                if fb is not None and fb.timing(series.arm) == "after_round":
                    given = await feedback_for(
                        ctx, series, role, memory, seed=record["seed"], match_id=record["match_id"],
                        transcript=record["transcript"], outcome={**record["outcome"], "rewards": record["rewards"]})
                    memory.add_advice(round_, given["suggestions"])
                    record["feedback"][role] = given
        record["memory_after"] = {role: mem.to_dict() for role, mem in state.memories.items()}
        state.next_round = round_ + 1
        emit(record)


def restore_state(series: SeriesSpec, records: list[dict[str, Any]]) -> SeriesState:
    """Rebuild a series' state from its logged rounds: the contiguous prefix 1..k of rounds logged ``ok``.

    ``records`` hold one record per round (its last attempt); a round logged as ``error`` ends the prefix,
    so a resume plays it again and the rounds after it, whose memory lacked its outcome.
    """
    by_round = {r["round"]: r for r in records}
    k = 0
    while k + 1 in by_round and by_round[k + 1].get("status") == "ok":
        k += 1
    state = SeriesState(next_round=k + 1)
    if k:
        state.memories = {
            role: Memory.from_dict(data) for role, data in by_round[k].get("memory_after", {}).items()
        }
        carry = game_named(by_round[k]["game"]).carry if by_round[k].get("game") else None
        if carry is not None:
            state.carried = carry(by_round[k].get("outcome") or {})
    return state
