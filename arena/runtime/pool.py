"""Start or join Ray, place one actor per agent card, and keep N series in flight.

The driver runs one asyncio loop: each in-flight series awaits its players' actors turn by turn, and a
semaphore bounds how many series run at once (back-pressure: a new series starts only when one ends).
Finished matches are handed to ``emit`` in the driver as they finish, which is where the run log is
written. ``local=True`` runs the same loop with in-process policies and no Ray, for debugging.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arena.agents.factory import build_critic, build_player
from arena.config.models import AgentCard, ResolvedTournament, ScriptedPolicy
from arena.runtime.match import MatchContext, SeriesState, play_series
from arena.schedule import SeriesSpec


@dataclass(frozen=True)
class RunOptions:
    local: bool = False
    address: str | None = None
    concurrency: int | None = None

    def in_flight(self, resolved: ResolvedTournament) -> int:
        return self.concurrency or resolved.tournament.concurrency or os.cpu_count() or 2


def start_ray(address: str | None = None) -> None:
    """Start a local Ray (address None) or join a cluster (``auto``, ``ray://host:10001``), quietly."""
    import ray

    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    os.environ.setdefault("RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO", "0")
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": logging.ERROR,
        "namespace": "arena",
    }
    if address:
        ray.init(address=address, **kwargs)
    else:
        ray.init(**kwargs)


def build_context(resolved: ResolvedTournament, options: RunOptions) -> MatchContext:
    """Players and critic for every card of the run: actors under Ray, plain objects with --local."""
    # Build each policy once in the driver first: a bad card fails here with a clear error, not in an actor.
    # (Keys and servers were checked by preflight before the run directory was made.)
    # Players are the cards listed under `players`, whatever else they do: one card may also be the critic (or
    # the moderator), and then it gets a player and a critic, each built from the same card.
    playing = dict.fromkeys(name for names in resolved.players.values() for name in names)
    local_players = {name: build_player(resolved.agents[name]) for name in playing}
    local_critic = build_critic(resolved.agents[resolved.critic]) if resolved.critic else None
    if options.local:
        return MatchContext(resolved, local_players, local_critic)

    import ray

    from arena.runtime.actors import CriticActor, RayCritic, RayPlayer

    start_ray(options.address)
    env_vars = _key_env_vars(resolved)
    actor_options: dict[str, Any] = {"max_concurrency": max(64, 4 * options.in_flight(resolved))}
    if env_vars:
        actor_options["runtime_env"] = {"env_vars": env_vars}
    actors = {name: _player_actor(resolved.agents[name], actor_options) for name in local_players}
    critic_actor = (
        CriticActor.options(**actor_options).remote(resolved.agents[resolved.critic].model_dump())
        if resolved.critic else None
    )
    ray.get([a.ping.remote() for a in actors.values()] + ([critic_actor.ping.remote()] if critic_actor else []))
    players = {name: RayPlayer(actor) for name, actor in actors.items()}
    return MatchContext(resolved, players, RayCritic(critic_actor) if critic_actor else None)


def _player_actor(card: AgentCard, options: dict[str, Any]) -> Any:
    """A plain actor for a scripted card (cheaper per call), an async one for an LLM card (waits on I/O)."""
    from arena.runtime.actors import PlayerActor, ScriptedPlayerActor

    if isinstance(card.policy, ScriptedPolicy):
        return ScriptedPlayerActor.remote(card.model_dump())
    return PlayerActor.options(**options).remote(card.model_dump())


def _key_env_vars(resolved: ResolvedTournament) -> dict[str, str]:
    """API-key variables named by LLM cards, forwarded to the actors that need them (never logged).

    Workers inherit the environment of the Ray node they run on, which on a cluster (or when the variable
    was set after Ray started) is not the driver's; passing the named variables explicitly makes the card
    mean the same thing everywhere.
    """
    out: dict[str, str] = {}
    for card in resolved.agents.values():
        name = getattr(getattr(card.policy, "model", None), "api_key_env", None)
        if name and name in os.environ:
            out[name] = os.environ[name]
    return out


async def run_series_async(
    ctx: MatchContext,
    todo: list[tuple[SeriesSpec, SeriesState]],
    concurrency: int,
    emit: Callable[[dict[str, Any]], None],
) -> None:
    """Play every series in ``todo`` with at most ``concurrency`` in flight."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(series: SeriesSpec, state: SeriesState) -> None:
        async with gate:
            await play_series(ctx, series, state, emit)

    tasks = [asyncio.ensure_future(one(s, st)) for s, st in todo]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()


def run_series(
    ctx: MatchContext,
    todo: list[tuple[SeriesSpec, SeriesState]],
    concurrency: int,
    emit: Callable[[dict[str, Any]], None],
) -> None:
    asyncio.run(run_series_async(ctx, todo, concurrency, emit))
