"""Language-model backends behind one small async API.

``make_model(spec)`` builds the backend a :class:`~arena.config.model_spec.ModelSpec` names (``openai``,
``anthropic`` or ``embedded``), importing its SDK only then; every backend answers
``await model.complete(messages, ...)`` with a :class:`Completion` (text, token usage, latency, finish
reason) or raises :class:`~arena.errors.ModelError` with a ``kind`` the run summary counts.
``check_ready(spec)`` tells before a run starts what is missing (a key env var, a package).
"""

from __future__ import annotations

from arena.llm.base import BACKENDS, ChatModel, Completion, check_ready, find_gguf, make_model

__all__ = ["BACKENDS", "ChatModel", "Completion", "check_ready", "find_gguf", "make_model"]
