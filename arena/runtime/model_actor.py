"""One model per Ray node, shared by every player and critic on it.

The embedded SmolLM2 costs about 210 MiB and serves one request at a time; loading it in every player
actor would multiply the memory and let the copies fight over the same 2 cores. So it lives in a
:class:`ModelActor`, found by name: ``model_actor_for(spec)`` returns the node's actor for that model,
creating it on first use (``get_if_exists`` makes the race between two players safe). Players hold a
:class:`RemoteChatModel`, which is a ``ChatModel`` like any other.

Errors: a ``ModelError`` must reach the player with its ``kind`` (the run summary counts kinds), but Ray
wraps actor exceptions in ``RayTaskError`` and an unpickled ``ModelError`` loses its keyword arguments.
So the actor returns ``{"error": {...}}`` and the proxy raises a fresh ``ModelError`` on the caller side.

Hosted backends (openai, anthropic) need no actor: their client is a connection pool, cheap to hold in
each player; :func:`chat_model_for` picks the right one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

import arena
from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm.base import Call, ChatModel, Completion, make_model

# Spec fields that decide what gets loaded; sampling settings travel with each call instead.
LOAD_FIELDS = ("backend", "model", "base_url", "n_ctx", "n_threads")
NAMESPACE = "arena"
NAME_PREFIX = "arena-model-"
MAX_CONCURRENCY = 1000  # calls wait on the model's own lock, not on Ray's per-actor queue


def _error_dict(err: ModelError) -> dict[str, Any]:
    """A ModelError as plain data; ``message`` is the text without the ``model: kind:`` prefix."""
    prefix = f"{err.model}: " if err.model else ""
    text = str(err)
    message = text[len(prefix) :] if text.startswith(prefix) else text
    if message.startswith(f"{err.kind}: "):
        message = message[len(err.kind) + 2 :]
    return {"message": message, "kind": err.kind, "model": err.model}


def _raise_error_dict(data: dict[str, Any]) -> None:
    raise ModelError(str(data.get("message", "")), kind=str(data.get("kind", "server")), model=data.get("model"))


@ray.remote
class ModelActor:
    """Hosts the models for one loading key on one node; ``complete`` returns plain dicts.

    Each distinct spec (same weights, different sampling) gets its own ``ChatModel`` object, and the
    embedded ones share one loaded engine, so the weights are in memory once.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self._models: dict[str, ChatModel] = {}
        self._load_error: dict[str, Any] | None = None
        try:
            self._model_for(spec)
        except ModelError as err:  # keep the actor alive so every caller gets the config error
            self._load_error = _error_dict(err)

    def _model_for(self, spec: dict[str, Any]) -> ChatModel:
        key = json.dumps(spec, sort_keys=True)
        model = self._models.get(key)
        if model is None:
            model = self._models[key] = make_model(ModelSpec.model_validate(spec))
        return model

    async def complete(self, spec: dict[str, Any], messages: list[dict[str, str]], **kwargs: Any) -> dict[str, Any]:
        """``{"completion": {...}}`` or ``{"error": {"message", "kind", "model"}}``."""
        if self._load_error is not None:
            return {"error": self._load_error}
        try:
            completion = await self._model_for(spec).complete(messages, **kwargs)
        except ModelError as err:
            return {"error": _error_dict(err)}
        return {"completion": completion.to_dict()}

    def info(self) -> dict[str, Any]:
        """Load time and memory of the hosted model(s), for the benchmark and the run header."""
        out: dict[str, Any] = {"error": self._load_error, "specs": len(self._models)}
        for model in self._models.values():
            info = getattr(model, "info", None)
            if callable(info):
                out.update(info())
                break
        return out


def load_key(spec: ModelSpec) -> str:
    """A short stable hash of the fields that decide what the actor loads."""
    fields: dict[str, Any] = {name: getattr(spec, name) for name in LOAD_FIELDS}
    fields["arena"] = arena.__version__
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]


def actor_name(spec: ModelSpec, node_id: str) -> str:
    """``arena-model-<load hash>-<node id prefix>``: one name per (node, loaded model)."""
    return f"{NAME_PREFIX}{load_key(spec)}-{node_id[:12]}"


def model_actor_for(spec: ModelSpec) -> ray.actor.ActorHandle:
    """The model actor for this spec on the caller's node, created on first use.

    Pinned to the current node (hard affinity) so its calls never cross the network, with ``num_cpus=0``
    so hosting the model does not take a CPU slot from the players that call it.

    Detached, in the fixed namespace :data:`NAMESPACE`: a non-detached actor is owned by whichever
    player happened to create it and dies when that player's handle is garbage-collected or that player
    exits, even while other players (whose handles came from the name lookup) still use it. Detached,
    it lives until :func:`release_model_actors` or the end of the Ray cluster; a later run on the same
    cluster reuses the loaded model (the name includes the arena version, so new code gets a new actor).
    """
    if not ray.is_initialized():
        raise ModelError("Ray is not running (call ray.init first)", kind="config", model=spec.model)
    node_id = ray.get_runtime_context().get_node_id()
    return ModelActor.options(
        name=actor_name(spec, node_id),
        namespace=NAMESPACE,
        lifetime="detached",
        get_if_exists=True,
        num_cpus=0,
        max_restarts=-1,  # killed or out of memory: Ray reloads it; the lost calls' matches are played again
        max_concurrency=MAX_CONCURRENCY,
        scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=node_id, soft=False),
    ).remote(spec.model_dump(mode="json"))


def release_model_actors() -> list[str]:
    """Kill every model actor on the cluster (end of a run on a long-lived cluster); returns their names.

    Not needed with a local ``ray.init()``: its shutdown ends all actors. On a shared cluster, note that
    a run still in progress elsewhere loses its model actors too (its next calls fail as ``server``).
    """
    killed = []
    for entry in ray.util.list_named_actors(all_namespaces=True):
        if entry["namespace"] == NAMESPACE and entry["name"].startswith(NAME_PREFIX):
            try:
                ray.kill(ray.get_actor(entry["name"], namespace=NAMESPACE))
            except ValueError:  # already gone
                continue
            killed.append(entry["name"])
    return killed


class RemoteChatModel(ChatModel):
    """A ``ChatModel`` that forwards to a :class:`ModelActor`; cheap to pickle into player actors.

    The caller's own spec goes with every call, so two cards sharing the weights can still differ in
    temperature, max_tokens or structured mode.
    """

    def __init__(self, spec: ModelSpec, handle: ray.actor.ActorHandle | None = None) -> None:
        self.spec = spec
        self._spec_dict = spec.model_dump(mode="json")
        self.handle = handle if handle is not None else model_actor_for(spec)

    async def _complete(self, messages: list[dict[str, str]], call: Call) -> Completion:
        """Forward one call; awaits the ObjectRef so the caller's event loop is never blocked."""
        ref = self.handle.complete.remote(self._spec_dict, messages, **asdict(call))
        try:
            out = await ref
        except ray.exceptions.RayActorError as exc:  # the actor died (e.g. out of memory)
            raise ModelError(
                f"the model actor died: {type(exc).__name__}", kind="server", model=self.spec.model
            ) from exc
        if "error" in out:
            _raise_error_dict(out["error"])
        return Completion.from_dict(out["completion"])

    async def info(self) -> dict[str, Any]:
        """The actor's load figures."""
        return await self.handle.info.remote()


def chat_model_for(spec: ModelSpec) -> ChatModel:
    """What a player actor should hold: the node's shared actor for embedded, a direct client otherwise."""
    if spec.backend == "embedded":
        return RemoteChatModel(spec)
    return make_model(spec)


def model_for(spec: ModelSpec) -> ChatModel:
    """The runtime's model factory, injected into LLM agents and judges: the embedded model goes through
    the node's shared model actor when Ray is up; anything else (and everything with ``--local``) is built
    in-process."""
    if ray.is_initialized() and spec.backend == "embedded":
        return chat_model_for(spec)
    return make_model(spec)
