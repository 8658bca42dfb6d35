"""Ray actors that host players and critics.

One actor per agent card serves every match that card plays. LLM cards get async actors, so one actor
has many requests in flight (an LLM player awaits its model while other matches' turns proceed);
scripted cards get plain actors, which answer a microsecond policy about 0.5 ms sooner. Requests and
results are small dataclasses; no file handles or loggers cross the boundary, so the same code runs on
a laptop and on a cluster.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import ray

from arena.core.protocol import ActRequest, ActResult, CritiqueRequest, CritiqueResult
from arena.errors import ModelError


class ActorLost(RuntimeError):
    """A player's or critic's actor died or its node left while a call was in flight (Ray restarts the
    actor; the pool plays the match again). Named in the match's error message, which is how the pool
    tells this from a policy's own failure, which a retry would only repeat."""


def where() -> dict[str, Any]:
    """Which node and process an actor runs in, and where its ``arena`` was imported from (shipped or
    installed): what the cluster tests check placement and code shipping with."""
    import arena

    return {"node": ray.get_runtime_context().get_node_id(), "pid": os.getpid(), "arena": arena.__file__}


def _load(card: dict[str, Any], kind: str, game: str) -> tuple[Any, Any]:
    """The card (validated again on this side of the process boundary) and the policy it describes, with
    the runtime's model factory (the node's shared model actor for the embedded backend)."""
    from arena.agents.factory import build_critic, build_player
    from arena.config.models import AgentCard
    from arena.runtime.model_actor import model_for

    parsed = AgentCard.model_validate(card)
    return parsed, (build_critic if kind == "critic" else build_player)(parsed, game, model_for)


def _build_model_now(agent: Any) -> None:
    """Build an LLM agent's model client while the actor starts (the driver waits for ``ping``), not on
    its first turn: importing the SDK takes 0.5-0.75 s, and every match in flight would wait for it while
    the model server sits idle (seen as 93% vs 99% server busy in ``bench/saturation.py``)."""
    from arena.agents.llm_player import LLMAgent

    # isinstance, not hasattr: hasattr reads the property, which would raise outside the try below
    if isinstance(agent, LLMAgent):
        try:
            agent.model  # noqa: B018 - the property builds and caches the client
        except ModelError:  # e.g. the SDK missing on this node: the first turn reports it as an error match
            pass


class _LLMHost:
    """What the two async actors share: load the card, build its model client before the first turn."""

    kind = "player"

    def __init__(self, card: dict[str, Any], game: str) -> None:
        self.card, self.agent = _load(card, self.kind, game)
        _build_model_now(self.agent)

    async def ping(self) -> str:
        return self.card.name

    async def where(self) -> dict[str, Any]:
        return where()


@ray.remote(num_cpus=0)
class PlayerActor(_LLMHost):
    async def act(self, request: ActRequest) -> ActResult:
        return await self.agent.act(request)


@ray.remote(num_cpus=0)
class ScriptedPlayerActor:
    """A scripted card: a pure function of the request, CPU-only and microseconds long.

    A plain (threadless, non-async) actor serves such a call about 0.5 ms cheaper than an async one,
    whose every call hops to its event-loop thread; async is for what waits on I/O (LLM players). One
    call at a time is plenty for a policy this fast, and keeps it on the actor's main thread.
    """

    def __init__(self, card: dict[str, Any], game: str) -> None:
        self.card, self.player = _load(card, "player", game)

    def act(self, request: ActRequest) -> ActResult:
        return self.player.decide(request)

    def ping(self) -> str:
        return self.card.name

    def where(self) -> dict[str, Any]:
        return where()


@ray.remote(num_cpus=0)
class CriticActor(_LLMHost):
    kind = "critic"

    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        return await self.agent.critique(request)


class _Handle:
    """An actor handle that outlives its actor's node: ``ready`` waits for Ray to restart the actor and, when
    the actor was pinned to a node that is gone (Ray cannot restart it there), places a new one through
    ``respawn`` (the pool's placement over the nodes alive now)."""

    def __init__(self, actor: Any, respawn: Callable[[], Any] | None = None) -> None:
        self.actor = actor
        self.respawn = respawn
        self._lock = asyncio.Lock()

    async def _call(self, method: str, request: Any) -> Any:
        """One awaited remote call; an actor that died or cannot be scheduled is :class:`ActorLost`, which
        the retry layer answers by playing the match again."""
        try:
            return await getattr(self.actor, method).remote(request)
        except (*LOST, ray.exceptions.ActorUnschedulableError) as exc:
            raise ActorLost(f"{type(exc).__name__}: {exc}") from exc

    async def ready(self, timeout_s: float) -> bool:
        """Wait until the actor answers ``ping`` again, at most ``timeout_s``; whether it did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            left = deadline - loop.time()
            if left <= 0:
                return False
            actor = self.actor
            try:
                await asyncio.wait_for(asyncio.wrap_future(actor.ping.remote().future()), left)
                return True
            except ray.exceptions.ActorUnschedulableError:  # its node is gone for good: place it again
                async with self._lock:
                    if self.respawn is None:
                        return False
                    if self.actor is actor:  # not already replaced by another series waiting on it
                        self.actor = self.respawn()
            except (TimeoutError, *LOST):
                await asyncio.sleep(min(0.5, max(0.0, deadline - loop.time())))


class RayPlayer(_Handle):
    """The driver-side handle: the ``Player`` protocol over an actor (one awaited remote call a turn)."""

    async def act(self, request: ActRequest) -> ActResult:
        return await self._call("act", request)


class RayCritic(_Handle):
    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        return await self._call("critique", request)


# What a call raises when its actor died or became unreachable (killed, out of memory, node removed).
LOST: tuple[type[BaseException], ...] = (ray.exceptions.RayActorError, ray.exceptions.ActorUnavailableError,
                                         ray.exceptions.NodeDiedError, ray.exceptions.WorkerCrashedError)
