"""Start or join Ray, place one actor per agent card, and keep N series in flight.

The driver runs one asyncio loop: each in-flight series awaits its players' actors turn by turn, and a
semaphore bounds how many series run at once (back-pressure: a new series starts only when one ends).
Finished matches are handed to ``emit`` in the driver as they finish, which is where the run log is
written. ``local=True`` runs the same loop with in-process policies and no Ray, for debugging.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from arena.agents.factory import build_critic, build_player
from arena.config.models import AgentCard, ResolvedTournament, ScriptedPolicy
from arena.errors import ClusterError
from arena.runtime.match import MatchContext, SeriesState
from arena.runtime.retry import MAX_ATTEMPTS, play_with_retries
from arena.schedule import SeriesSpec

AUTH_MODE_VAR = "RAY_AUTH_MODE"
SHIP_VAR = "ARENA_SHIP_CODE"  # "0": workers import the Arena installed on their node instead of the driver's
JOB_VAR = "RAY_JOB_CONFIG_JSON_ENV_VAR"  # set by Ray in a `ray job submit` driver, whose job ships the code
# Actors are restarted by Ray when they die (killed, out of memory, their node gone); the bounded number of
# match attempts (arena.runtime.retry) is what ends a run whose actor keeps dying, not a restart budget.
ACTOR_RESTARTS = -1

@dataclass(frozen=True)
class RunOptions:
    local: bool = False
    address: str | None = None
    concurrency: int | None = None
    max_attempts: int = MAX_ATTEMPTS  # plays of a match whose actor was lost (arena.runtime.retry)
    runners: int | None = None  # runner actors that step the envs beside their players (arena.runtime.runners)

    def in_flight(self, resolved: ResolvedTournament) -> int:
        return self.concurrency or resolved.tournament.concurrency or os.cpu_count() or 2


def default_address() -> str:
    """Where a run without ``--address`` starts Ray: its own local instance (``"local"``), unless
    ``RAY_ADDRESS`` names a cluster, as in a ``ray job submit`` driver, which must join its cluster.

    Why not ``ray.init()``'s own default: it joins any cluster ``ray start`` left running on this machine,
    so a run (or the test suite) would land on someone else's cluster, and fail on its auth token.
    """
    return os.environ.get("RAY_ADDRESS") or "local"


def start_ray(address: str | None = None) -> None:
    """Start a local Ray (address None) or join a cluster (``auto``, ``host:port``, ``ray://host:10001``), quietly.

    Joining uses the cluster's token when one is at hand (see :func:`use_cluster_token`); a cluster that cannot
    be joined is one :class:`ClusterError` line saying what to set or install, never a bare ConnectionError.
    """
    source = None
    if address:
        check_client_extra(address)
        source = use_cluster_token()
    import ray
    from ray.exceptions import AuthenticationError

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
    if not address:
        ray.init(address=default_address(), **kwargs)
        return
    if address.startswith("ray://"):
        kwargs.pop("include_dashboard")  # a driver-side option the Ray client refuses
    shipped = code_runtime_env()
    if shipped:
        kwargs["runtime_env"] = shipped
    try:
        ray.init(address=address, **kwargs)
    except (ConnectionError, RuntimeError, AuthenticationError) as exc:
        raise ClusterError(_join_failure(address, exc, source)) from exc


def code_runtime_env() -> dict[str, Any] | None:
    """The job's ``runtime_env`` that ships this Arena to every worker (``py_modules``), or None.

    Joining a cluster, the driver's own ``arena`` package is uploaded once (Ray caches it by content) and
    put first on every worker's path, so a node with Ray and Arena's dependencies but not Arena can serve,
    and every node runs the driver's code, not whatever version it has installed. Not under
    ``ray job submit``, whose job carries its own ``working_dir``, nor with ``ARENA_SHIP_CODE=0``.
    """
    if os.environ.get(SHIP_VAR) == "0" or os.environ.get(JOB_VAR):
        return None
    import arena

    return {"py_modules": [str(Path(arena.__file__).resolve().parent)]}


def check_client_extra(address: str) -> None:
    """A ``ray://`` address needs the Ray client's extra (grpcio): say what to install before anything runs."""
    if not address.startswith("ray://"):
        return
    try:
        import grpc  # noqa: F401
    except ImportError as exc:
        raise ClusterError(
            f"--address {address}: the Ray client needs grpcio, which is not installed; "
            "install it with: pip install 'ray[client]'"
        ) from exc


def token_source() -> str | None:
    """Where Ray would read a cluster token from, in its own order; None when there is no token here.

    ``RAY_AUTH_TOKEN`` (the token itself), ``RAY_AUTH_TOKEN_PATH`` (a file), else ``~/.ray/auth_token``,
    which ``ray start --head`` and a local ``ray.init()`` write on the head's machine.
    """
    if os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return "RAY_AUTH_TOKEN"
    if os.environ.get("RAY_AUTH_TOKEN_PATH"):
        return os.environ["RAY_AUTH_TOKEN_PATH"]
    default = Path.home() / ".ray" / "auth_token"
    try:
        return str(default) if default.read_text(encoding="utf-8").strip() else None
    except OSError:
        return None


def use_cluster_token() -> str | None:
    """Turn on token authentication for joining a cluster when a token is at hand; return where it comes from.

    Ray >= 2.59 starts ``ray start --head`` clusters with token authentication, yet ``ray.init(address=...)``
    connects with authentication off unless ``RAY_AUTH_MODE=token`` is exported, and the head then refuses
    the driver (after 20 s of retries, as a bare ConnectionError). An explicit ``RAY_AUTH_MODE`` is respected.
    """
    mode = os.environ.get(AUTH_MODE_VAR)
    source = token_source()
    if mode is not None or source is None:
        return source
    os.environ[AUTH_MODE_VAR] = "token"
    _reread_ray_config()
    return source


def _reread_ray_config() -> None:
    """Ray caches its config on first read: if it was read already, make it read RAY_AUTH_MODE again."""
    if "ray._raylet" in sys.modules:
        with contextlib.suppress(ImportError, AttributeError):
            from ray._raylet import Config

            Config.initialize("")


def _join_failure(address: str, exc: BaseException, source: str | None) -> str:
    """The one line for a cluster that refused or did not answer: what happened and what to set."""
    if type(exc).__name__ == "AuthenticationError":  # Ray could not read the configured token source
        return f"cannot join the Ray cluster at {address}: {exc}"
    cause = f"{type(exc).__name__} {exc} {exc.__cause__ or ''}"
    auth = any(word in cause for word in ("InvalidAuthToken", "Unauthenticated", "AuthenticationError"))
    how = ("set RAY_AUTH_TOKEN to the cluster's token (print it on the head with `ray get-auth-token`) "
           "or copy it to ~/.ray/auth_token")
    mode = os.environ.get(AUTH_MODE_VAR)
    if auth and mode not in (None, "token"):
        return f"cannot join the Ray cluster at {address}: it requires token authentication but " \
               f"{AUTH_MODE_VAR}={mode}; unset it or set {AUTH_MODE_VAR}=token, and {how}"
    if auth and source is None:
        return f"cannot join the Ray cluster at {address}: it requires token authentication and no token " \
               f"was found; {how}"
    if auth:
        return f"cannot join the Ray cluster at {address}: it refused the token from {source}; {how}"
    hint = "" if source else f"; if the cluster uses token authentication, {how}"
    return f"cannot join the Ray cluster at {address}: {exc} (is the head running at that address?){hint}"


def model_for(spec: Any) -> Any:
    """The model factory agents get (imported on first use: it loads Ray, which ``--local`` need not)."""
    from arena.runtime.model_actor import model_for as runtime_model_for

    return runtime_model_for(spec)


def build_context(resolved: ResolvedTournament, options: RunOptions) -> MatchContext:
    """Players and critic for every card of the run: actors under Ray, plain objects with --local."""
    # Build each policy once in the driver first: a bad card fails here with a clear error, not in an actor.
    # (Keys and servers were checked by preflight before the run directory was made.)
    # Players are the cards listed under `players`, whatever else they do: one card may also be the critic (or
    # the moderator), and then it gets a player and a critic, each built from the same card.
    playing = dict.fromkeys(name for names in resolved.players.values() for name in names)
    game = resolved.game
    local_players = {name: build_player(resolved.agents[name], game, model_for) for name in playing}
    local_critic = build_critic(resolved.agents[resolved.critic], game, model_for) if resolved.critic else None
    if options.local:
        return MatchContext(resolved, local_players, local_critic, model_factory=model_for)

    import ray

    from arena.runtime.actors import RayCritic, RayPlayer

    start_ray(options.address)
    env_vars = _key_env_vars(resolved)
    actor_options: dict[str, Any] = {"max_concurrency": max(64, 4 * options.in_flight(resolved))}
    if env_vars:
        actor_options["runtime_env"] = {"env_vars": env_vars}
    spawn = {name: partial(_player_actor, resolved.agents[name], game, actor_options, i)
             for i, name in enumerate(local_players)}
    spawn_critic = partial(_critic_actor, resolved.agents[resolved.critic], game, actor_options,
                           len(spawn)) if resolved.critic else None
    actors = {name: make() for name, make in spawn.items()}
    critic_actor = spawn_critic() if spawn_critic else None
    ray.get([a.ping.remote() for a in actors.values()] + ([critic_actor.ping.remote()] if critic_actor else []))
    players = {name: RayPlayer(actor, spawn[name]) for name, actor in actors.items()}
    critic = RayCritic(critic_actor, spawn_critic) if critic_actor else None
    return MatchContext(resolved, players, critic, model_factory=model_for)


def placement(index: int = 0) -> dict[str, Any]:
    """How the ``index``-th player or critic actor is placed: round-robin over the cluster's alive nodes with
    CPUs, so one node's CPUs (and its model actor) are not asked to serve every card, and restarted by Ray
    when it dies (killed, out of memory).

    The node affinity is hard: soft affinity and Ray's ``SPREAD`` are best effort (on a 3-node test
    cluster, 4 actors often landed on 1 or 2 nodes). Ray cannot restart a pinned actor whose node is gone,
    so the driver's handle then places a new one over the nodes alive at that time
    (:class:`arena.runtime.actors.RayPlayer`, ``respawn``).
    """
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = sorted(n["NodeID"] for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) > 0)
    strategy: Any = "SPREAD"
    if nodes:
        strategy = NodeAffinitySchedulingStrategy(node_id=nodes[index % len(nodes)], soft=False)
    return {"scheduling_strategy": strategy, "max_restarts": ACTOR_RESTARTS, "max_task_retries": 0}


def _player_actor(card: AgentCard, game: str, options: dict[str, Any], index: int) -> Any:
    """A plain actor for a scripted card (cheaper per call), an async one for an LLM card (waits on I/O)."""
    from arena.runtime.actors import PlayerActor, ScriptedPlayerActor

    if isinstance(card.policy, ScriptedPolicy):
        return ScriptedPlayerActor.options(**placement(index)).remote(card.model_dump(), game)
    return PlayerActor.options(**options, **placement(index)).remote(card.model_dump(), game)


def _critic_actor(card: AgentCard, game: str, options: dict[str, Any], index: int) -> Any:
    from arena.runtime.actors import CriticActor

    return CriticActor.options(**options, **placement(index)).remote(card.model_dump(), game)


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
    max_attempts: int = MAX_ATTEMPTS,
    on_flight: Callable[[int], None] | None = None,
) -> None:
    """Play every series in ``todo`` with at most ``concurrency`` in flight; a match whose actor was lost is
    played again up to ``max_attempts`` times (:mod:`arena.runtime.retry`). ``on_flight`` hears +1 when a
    series starts and -1 when it ends (the live view's "in flight")."""
    gate = asyncio.Semaphore(max(1, concurrency))
    flight = on_flight or (lambda _change: None)

    async def one(series: SeriesSpec, state: SeriesState) -> None:
        async with gate:
            flight(1)
            try:
                await play_with_retries(ctx, series, state, emit, max_attempts)
            finally:
                flight(-1)

    tasks = [asyncio.ensure_future(one(s, st)) for s, st in todo]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
