"""The transfer test: after a series' practice rounds, its players meet the tournament's test scenario
with no feedback, their memory carried over (``tournament.transfer``).

Why a separate step and not more rounds: the test changes the scenario and switches the critic off
whatever the series' arm, so each arm's players are compared on the same new situation, on their own.
The rounds keep the series' id, seeds and arm and continue its numbering (round R+1, ...); each record
says ``"transfer": true`` and names the test scenario, so a resumed run rebuilds the memory from the log
as for any round, and readers can tell practice from test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from arena.registry import game_of
from arena.runtime.match import MatchContext, SeriesState, play_match
from arena.schedule import SeriesSpec


async def play_transfer(
    ctx: MatchContext, series: SeriesSpec, state: SeriesState, emit: Callable[[dict[str, Any]], None]
) -> None:
    """Play the series' remaining transfer rounds (none without ``tournament.transfer``)."""
    name = ctx.resolved.transfer
    if name is None or not series.transfer_rounds or state.next_round <= series.rounds:
        return
    tournament = ctx.resolved.tournament.model_copy(update={"feedback": None})
    test_ctx = replace(ctx, resolved=ctx.resolved.model_copy(update={"tournament": tournament}))
    spec = replace(series, scenario=name, rounds=series.total_rounds)
    scenario = ctx.resolved.scenarios[name]
    for round_ in range(state.next_round, spec.rounds + 1):
        record = await play_match(test_ctx, spec, round_, state)
        record["transfer"] = True
        if record["status"] == "ok" and round_ < spec.rounds:
            for role, memory in state.memories.items():
                for kind, text in game_of(scenario).memory_of_round(role, record["outcome"], record["rewards"],
                                                                    scenario):
                    memory.add(kind, text, round_)
        record["memory_after"] = {role: mem.to_dict() for role, mem in state.memories.items()}
        state.next_round = round_ + 1
        emit(record)
