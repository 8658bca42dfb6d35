"""Play a series again from the round whose actor was lost, a bounded number of times.

Why here and not in Ray: Ray restarts a dead player, critic or model actor (``max_restarts``), but a
call that was in flight when it died fails (``max_task_retries`` is 0 on purpose: a turn half-served by a
dead actor is not something to replay blindly), and that ends the match as an error. Such an error says
nothing about the agent, so the match is played again, from the memory the series had before it, on the
restarted actor (or, when a node left, on the node Ray restarted it on), up to ``max_attempts`` times;
the last attempt is logged either way. A failed attempt is never logged, so every planned match is in
the log once, as its final attempt, with ``attempt`` saying how many it took.

Only a lost actor is retried (the player's :class:`~arena.runtime.actors.ActorLost`, or a model actor
that died under an LLM player): a policy's own bug or a refusing server would fail the same way again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from arena.memory import Memory
from arena.runtime.match import MatchContext, SeriesState, play_series
from arena.runtime.transfer import play_transfer
from arena.schedule import SeriesSpec

MAX_ATTEMPTS = 3  # plays of one match within a run when its actor is lost; the last is logged either way
READY_TIMEOUT_S = 60.0  # how long a replay waits for Ray to restart its actors (a lost node takes ~15-30 s)
BACKOFF_S = 0.5  # before attempt k+1: BACKOFF_S * 2**(k-1), e.g. for a model actor reloading its weights
LOST_MARKERS = ("ActorLost:", "the model actor died")


def lost_actor(record: dict[str, Any]) -> bool:
    """Whether a match failed because an actor it used died (not because of what the agent did)."""
    error = record.get("error") or {}
    message = str(error.get("message", ""))
    return record.get("status") == "error" and any(marker in message for marker in LOST_MARKERS)


class _Again(Exception):
    """Raised out of ``emit`` to stop a series at a lost match and play it again."""


def _snapshot(state: SeriesState) -> tuple[int, dict[str, dict[str, Any]]]:
    return state.next_round, {role: mem.to_dict() for role, mem in state.memories.items()}


def _restore(state: SeriesState, saved: tuple[int, dict[str, dict[str, Any]]]) -> None:
    state.next_round = saved[0]
    state.memories = {role: Memory.from_dict(data) for role, data in saved[1].items()}


async def play_with_retries(
    ctx: MatchContext, series: SeriesSpec, state: SeriesState, emit: Callable[[dict[str, Any]], None],
    max_attempts: int = MAX_ATTEMPTS,
) -> None:
    """The series' remaining rounds (and transfer rounds), each match's ``attempt`` counted from 1 in this run."""
    tries: dict[str, int] = {}
    saved = _snapshot(state)

    def guarded(record: dict[str, Any]) -> None:
        nonlocal saved
        tries[record["match_id"]] = record["attempt"] = tries.get(record["match_id"], 0) + 1
        if lost_actor(record) and record["attempt"] < max_attempts:
            raise _Again
        emit(record)
        saved = _snapshot(state)

    while True:
        try:
            await play_series(ctx, series, state, guarded)
            await play_transfer(ctx, series, state, guarded)
            return
        except _Again:
            _restore(state, saved)
            await asyncio.sleep(BACKOFF_S * 2 ** (max(tries.values()) - 1))
            await _wait_ready(ctx, series)


async def _wait_ready(ctx: MatchContext, series: SeriesSpec) -> None:
    """Wait until the series' players (and the critic) answer again; one that does not in time fails the
    next attempt the same way, which the attempt bound ends."""
    handles = [ctx.players[name] for name in dict.fromkeys(series.agents.values())]
    for handle in [*handles, ctx.critic]:
        ready = getattr(handle, "ready", None)
        if ready is not None:
            await ready(READY_TIMEOUT_S)
