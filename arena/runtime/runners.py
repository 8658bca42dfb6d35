"""Runner actors (``arena run --runners N``): series played beside their players, records streamed back.

Why: without runners the driver steps every env and awaits one remote call per turn, about 1.2 ms of its
own CPU per turn, so one driver tops out near 700-800 turns/s on 2 cores (``bench/driver_ceiling.py``). A
runner is one actor that holds the run's players in its own process (as ``--local`` does: a scripted
policy answers in microseconds; an LLM player still calls its backend or the node's model actor), steps
the envs of the series it was given, and yields every finished match record as a Ray streaming generator.
The driver only receives records and logs them: it alone writes the run log, as without runners.

Series are dealt round-robin to the runners (each with its share of ``--concurrency``), which are placed
round-robin over the nodes like player actors. A runner plays its series with the same loop and the same
bounded retries as the driver (:func:`arena.runtime.pool.run_series_async`), so a lost model actor is
retried there. A runner that dies itself ends the run as an error; ``arena run --resume`` plays what is
missing (every finished match was logged when it arrived).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from arena.config.models import ResolvedTournament
from arena.errors import ClusterError
from arena.runtime.match import SeriesState
from arena.schedule import SeriesSpec

_DONE = "done"
STREAM_AHEAD = 256  # streamed items (records, series starts and ends) a runner may be ahead of the driver


class RunnerActor:
    """Plays series in this process with in-process players; :meth:`play` streams what finishes."""

    def __init__(self, resolved: ResolvedTournament, run_id: str) -> None:
        from arena.runtime.pool import RunOptions, build_context

        self.ctx = replace(build_context(resolved, RunOptions(local=True)), run_id=run_id)

    def ping(self) -> bool:
        return True

    async def play(self, todo: list[tuple[SeriesSpec, SeriesState]], concurrency: int,
                   max_attempts: int) -> AsyncIterator[tuple[str, Any]]:
        """Yields ``("record", record)`` per finished match and ``("flight", +1 / -1)`` as series start and end."""
        from arena.runtime.pool import run_series_async

        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        async def run() -> None:
            try:
                await run_series_async(self.ctx, todo, concurrency, lambda r: queue.put_nowait(("record", r)),
                                       max_attempts, lambda d: queue.put_nowait(("flight", d)))
            finally:
                queue.put_nowait((_DONE, None))

        task = asyncio.ensure_future(run())
        try:
            while True:
                kind, value = await queue.get()
                if kind == _DONE:
                    break
                yield kind, value
            await task  # a failure of the loop itself surfaces in the driver
        finally:
            task.cancel()


def deal(todo: list[tuple[SeriesSpec, SeriesState]], runners: int) -> list[list[tuple[SeriesSpec, SeriesState]]]:
    """The series of each runner: round-robin in plan order, so every runner gets a similar mix; none empty."""
    shares = [todo[i::runners] for i in range(max(1, runners))]
    return [share for share in shares if share]


async def run_with_runners(
    resolved: ResolvedTournament,
    run_id: str,
    todo: list[tuple[SeriesSpec, SeriesState]],
    runners: int,
    concurrency: int,
    emit: Callable[[dict[str, Any]], None],
    max_attempts: int,
    on_flight: Callable[[int], None] | None = None,
) -> None:
    """Start ``runners`` runner actors, give each its share of ``todo`` and ``concurrency``, and hand every
    record they stream to ``emit`` (in the driver) as it arrives."""
    import ray
    from ray.exceptions import RayActorError

    from arena.runtime.pool import placement

    shares = deal(todo, runners)
    remote = ray.remote(RunnerActor)
    actors = []
    for i in range(len(shares)):
        options = {**placement(i), "max_restarts": 0}  # a restarted runner would not know what it had played
        actors.append(remote.options(name=f"arena-runner-{run_id}-{i}", **options).remote(resolved, run_id))
    flight = on_flight or (lambda _change: None)
    each = max(1, math.ceil(concurrency / len(shares))) if shares else 1

    async def drain(actor: Any, share: list[tuple[SeriesSpec, SeriesState]]) -> None:
        # back-pressure: a runner is at most STREAM_AHEAD items ahead of the driver's log (which fsyncs each
        # record), so records wait in the runner, not in the driver's memory, and a lost runner loses few
        stream = actor.play.options(num_returns="streaming", _generator_backpressure_num_objects=STREAM_AHEAD
                                    ).remote(share, each, max_attempts)
        async for ref in stream:
            kind, value = await ref
            if kind == "record":
                emit(value)
            else:
                flight(value)

    try:
        await asyncio.gather(*(actor.ping.remote() for actor in actors))
        await asyncio.gather(*(drain(actor, share) for actor, share in zip(actors, shares, strict=True)))
    except RayActorError as exc:
        raise ClusterError(f"a runner actor was lost ({type(exc).__name__}: its process or node died); the matches "
                           f"it finished are logged: arena run --resume <logs-dir>/{run_id} plays the rest") from exc
    finally:
        for actor in actors:
            ray.kill(actor)
