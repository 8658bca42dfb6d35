"""A content-addressed store of model calls, so a run can be replayed bit for bit with no model server.

The key is a SHA-256 over what decides a reply: backend, model, base_url, the messages, the sampling
settings as sent (max_tokens, temperature, top_p, seed, stop), the response format (JSON schema and the
card's ``structured`` mode). Never the API key, nor the name of its variable: a key changes who pays,
not what the model says. The value is the :class:`~arena.llm.base.Completion` as plain data.

Modes (``arena run --cache``):

- ``write`` (the CLI's default): answer from the store when the key is there, else call the model and
  store the reply. A run is therefore always consistent with its own cache: two identical calls get one
  reply, which is what a rerun will serve.
- ``read``: answer only from the store; a missing key is a :class:`ModelError` of kind ``cache_miss``
  (the match is logged as an error naming the turn, and ``arena rerun`` stops on it).
- ``off``: no store.

A reply served from the store is the stored :class:`~arena.llm.base.Completion` as it was, latency
included: a rerun's usage figures equal the original's, and a cache hit's latency is the original call's.

Who writes when players live on other nodes: **one process on the driver's node**. Under Ray the driver
starts a :class:`CacheActor` pinned to its own node that owns the SQLite file; players and critics find it
by its fixed name and send it one ``get`` and (on a miss) one ``put`` per call. So the file can sit in
``logs/<run>/`` on the driver's disk with no shared file system, there is never more than one writer
(SQLite's locking across NFS is not to be trusted), and there is nothing to merge when the run ends.
The price is one small Ray round trip per model call, next to a model call that takes 10-1000 times as
long. With ``--local`` the store is opened in the driver's process and used directly.

Example::

    with activate(CallStore(run_dir / "calls.sqlite"), "write"):
        ...  # every ChatModel.complete in this process (and in Ray actors started now) goes through it
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

from arena.errors import ModelError

CacheMode = Literal["read", "write", "off"]
CACHE_FILE = "calls.sqlite"
ACTOR_NAME = "arena-call-cache"
NAMESPACE = "arena"
KEY_VERSION = 1  # bump when the key's contents change, so old stores miss instead of answering wrongly

__all__ = ["ACTOR_NAME", "CACHE_FILE", "CacheMode", "CallStore", "activate", "active_cache", "call_key",
           "cached_complete"]


def call_key(spec: Any, messages: list[dict[str, Any]], call: Any) -> str:
    """The store's key for one call: what decides the reply, resolved against the card (never the key)."""
    settings = {
        "v": KEY_VERSION,
        "backend": spec.backend,
        "model": spec.model,
        "base_url": spec.base_url,
        "messages": messages,
        "max_tokens": call.max_tokens if call.max_tokens is not None else spec.max_tokens,
        "temperature": call.temperature if call.temperature is not None else spec.temperature,
        "top_p": spec.top_p,
        "seed": call.seed,
        "stop": call.stop,
        "json_schema": call.json_schema,
        "structured": spec.structured,
    }
    blob = json.dumps(settings, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CallStore:
    """One SQLite file of ``key -> (request, completion)``; used by a single process at a time.

    The request is kept beside the reply (messages and settings, no key) so a store can be audited and
    an export can read what was asked. Every ``put`` commits: a crashed run keeps every reply it paid for.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        """The connection, opened on first use: a run without model calls (scripted players) leaves no file."""
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, request TEXT NOT NULL, "
                             "completion TEXT NOT NULL)")
        return self._db

    def _absent(self) -> bool:
        """Reading a store that does not exist is a miss, not a reason to make an empty file."""
        return self._db is None and not self.path.exists()

    def get(self, key: str) -> dict[str, Any] | None:
        if self._absent():
            return None
        row = self._connect().execute("SELECT completion FROM calls WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, request: dict[str, Any], completion: dict[str, Any]) -> dict[str, Any]:
        """Keep the first reply of a key and return the kept one.

        Two identical calls in flight at once both miss and both call the model; the second to finish
        gets the first one's reply back and uses it, so the run says what its cache (and a rerun) says
        even where a backend samples differently per call.
        """
        db = self._connect()
        db.execute("INSERT OR IGNORE INTO calls VALUES (?, ?, ?)",
                   (key, json.dumps(request, ensure_ascii=False), json.dumps(completion)))
        row = db.execute("SELECT completion FROM calls WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0])

    def __len__(self) -> int:
        return 0 if self._absent() else int(self._connect().execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        """Close the connection; with WAL, closing the last one folds the journal back into the file."""
        if self._db is not None:
            self._db.close()
            self._db = None


class _Client:
    """What the hook talks to: the store in this process, or the driver's cache actor."""

    def __init__(self, mode: CacheMode, store: CallStore | None = None, handle: Any = None) -> None:
        self.mode, self.store, self.handle = mode, store, handle

    async def get(self, key: str) -> dict[str, Any] | None:
        if self.store is not None:
            return self.store.get(key)
        return await self.handle.get.remote(key)

    async def put(self, key: str, request: dict[str, Any], completion: dict[str, Any]) -> dict[str, Any]:
        if self.store is not None:
            return self.store.put(key, request, completion)
        return await self.handle.put.remote(key, request, completion)


_ACTIVE: _Client | None = None
_LOOKED_UP = False  # a Ray worker looks for the driver's cache actor once (players live for one run)


def active_cache() -> _Client | None:
    """The cache this process's model calls go through, if any.

    In the driver (and with ``--local``) it is what :func:`activate` set. In a Ray worker it is the
    driver's :class:`CacheActor`, found by name on the first call; player and critic actors are started
    per run after the driver opened the cache, so one look-up per process is enough.
    """
    global _ACTIVE, _LOOKED_UP
    if _ACTIVE is not None or _LOOKED_UP:
        return _ACTIVE
    _LOOKED_UP = True
    try:
        import ray
    except ImportError:
        return None
    if not ray.is_initialized():
        return None
    if (ray.get_runtime_context().get_actor_name() or "").startswith("arena-model-"):
        _LOOKED_UP = False  # a node's long-lived model actor: its callers (the players) use the cache
        return None
    try:
        handle = ray.get_actor(ACTOR_NAME, namespace=NAMESPACE)
    except ValueError:
        return None
    _ACTIVE = _Client(ray.get(handle.mode.remote()), handle=handle)
    return _ACTIVE


async def cached_complete(model: Any, messages: list[dict[str, Any]], call: Any) -> Any:
    """``model._complete`` through the active cache (the hook in ``ChatModel.complete``).

    A backend object with ``cacheable = False`` always calls its model (an opt-out for wrappers whose
    caller already went through the cache)."""
    from arena.llm.base import Completion

    client = active_cache() if getattr(model, "cacheable", True) else None
    if client is None or client.mode == "off":
        return await model._complete(messages, call)
    key = call_key(model.spec, messages, call)
    hit = await client.get(key)
    if hit is not None:
        return Completion.from_dict(hit)
    if client.mode == "read":
        raise ModelError(f"no cached reply for this call (key {key[:12]}); the cache has only the calls of the "
                         "run it was written by", kind="cache_miss", model=model.spec.model)
    completion = await model._complete(messages, call)
    request = {"backend": model.spec.backend, "model": model.spec.model, "base_url": model.spec.base_url,
               "messages": messages, "call": asdict(call)}
    return Completion.from_dict(await client.put(key, request, completion.to_dict()))


@contextlib.contextmanager
def activate(store: CallStore | None, mode: CacheMode, *, ray_actor: bool = False) -> Iterator[None]:
    """Route this process's model calls (and, with ``ray_actor``, those of Ray actors started inside the
    block) through ``store`` in ``mode``; the store is closed at the end."""
    global _ACTIVE, _LOOKED_UP
    if store is None or mode == "off":
        yield
        return
    handle = None
    if ray_actor:
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        path = str(store.path.resolve())  # an actor's working directory is not the driver's
        store.close()  # the actor owns the file: one writer
        node = ray.get_runtime_context().get_node_id()
        actor_cls = ray.remote(num_cpus=0)(CacheActor)
        handle = actor_cls.options(
            name=ACTOR_NAME, namespace=NAMESPACE,
            scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=node, soft=False),
        ).remote(path, mode)
        ray.get(handle.mode.remote())
        store = None
    previous = _ACTIVE
    _ACTIVE, _LOOKED_UP = _Client(mode, store=store, handle=handle), True
    try:
        yield
    finally:
        _ACTIVE = previous
        if store is not None:
            store.close()
        if handle is not None:
            import ray

            ray.get(handle.close.remote())
            ray.kill(handle)


class CacheActor:
    """The single writer under Ray: owns the run's SQLite file on the driver's node (see the module doc)."""

    def __init__(self, path: str, mode: CacheMode) -> None:
        self._store = CallStore(path)
        self._mode = mode

    def mode(self) -> str:
        return self._mode

    def get(self, key: str) -> dict[str, Any] | None:
        return self._store.get(key)

    def put(self, key: str, request: dict[str, Any], completion: dict[str, Any]) -> dict[str, Any]:
        return self._store.put(key, request, completion)

    def close(self) -> None:
        self._store.close()
