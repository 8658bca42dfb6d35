"""Which language model an agent card or critic uses, and how to call it.

Kept apart from the other config models because ``arena.llm`` needs it and nothing else from config.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EMBEDDED_MODEL = "SmolLM2-135M-Instruct"

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# prefixes of hosted services' keys and tokens (OpenAI, Anthropic, Stripe-style, GitHub, GitLab, Slack,
# AWS, Google, Hugging Face, Groq, xAI, Replicate)
_KEY_PREFIXES = ("sk-", "sk_", "pk_", "rk_", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "xox", "akia", "asia",
                 "aiza", "hf_", "gsk_", "xai-", "r8_")


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, and values are never coerced (strict mode).

    Without ``strict``, pydantic reads ``repeats: true`` as 1, ``cost: true`` as 1.0 and ``cost: "8"`` as 8:
    a file that says something else than the user meant would run. Strict mode still takes an int where a
    float is declared (``cost: 8``).
    """

    # hide_input_in_errors: a pasted key must not reach a --debug traceback either (.errors() keeps the input)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)


class FieldProblem(ValueError):
    """A validator's ValueError about one field below the model it validates (``at``), so that the loader
    can point at that field's line, not at the model's first line."""

    def __init__(self, message: str, *at: str | int) -> None:
        super().__init__(message)
        self.at = at


def looks_like_key(value: str) -> bool:
    """True for a value that is probably an API key or token rather than the name of a variable holding one.

    A known key prefix; or 20+ characters in mixed case with digits, or without '_' and with 4+ digits
    (variable names are words in one case joined by ``_``; keys are random); or high entropy over 24+
    characters. A heuristic: it errs towards refusing, and a refused name can always be renamed.
    """
    lowered = value.lower()
    if lowered.startswith(_KEY_PREFIXES) or len(value) > 64:
        return True
    letters_digits = sum(ch.isalnum() for ch in value)
    mixed = all(any(test(ch) for ch in value) for test in (str.islower, str.isupper, str.isdigit))
    if len(value) >= 20 and mixed and letters_digits >= 0.9 * len(value):
        return True
    if len(value) >= 20 and "_" not in value and sum(ch.isdigit() for ch in value) >= 4:  # hex and base-36 keys
        return True
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values()) if value else 0.0
    return len(value) >= 24 and entropy >= 4.0


class ModelSpec(StrictModel):
    """A model endpoint plus sampling settings. The default is the embedded SmolLM2 (no key, no network).

    The ``examples`` (one per backend) are the templates of ``arena new agent --backend ...``.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"backend": "embedded", "model": EMBEDDED_MODEL, "temperature": 0.7, "max_tokens": 60, "n_threads": 1},
        {"backend": "openai", "model": "gpt-4o-mini", "api_key_env": "OPENAI_API_KEY", "temperature": 0.7,
         "max_tokens": 120},
        {"backend": "anthropic", "model": "claude-haiku-4-5", "api_key_env": "ANTHROPIC_API_KEY", "temperature": 0.7,
         "max_tokens": 120},
    ]})

    backend: Literal["embedded", "openai", "anthropic"] = Field(
        default="embedded", description="embedded (SmolLM2 in-process), openai (or any OpenAI-compatible server), "
        "anthropic")
    model: str = Field(default=EMBEDDED_MODEL, description="the model's name at the backend")
    base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible servers (vLLM, Ollama, llama.cpp) end in /v1; Anthropic's must not.",
    )
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the API key (never the key)."
    )
    temperature: float = Field(default=0.7, ge=0, le=2, description="sampling temperature (0: greedy)")
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int = Field(default=64, gt=0, le=32768, description="the longest reply, in tokens")
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=20)
    structured: Literal["auto", "off"] = Field(
        default="auto",
        description="auto: ask for JSON replies where the backend can constrain them (llama.cpp grammar, "
        "OpenAI json_schema, Anthropic tool use); off: free text, the game's parser reads it.",
    )
    n_ctx: int = Field(default=2048, ge=256, description="embedded only: context window to allocate.")
    n_threads: int | None = Field(default=None, ge=1, description="embedded only: CPU threads.")

    @field_validator("api_key_env")
    @classmethod
    def _a_variable_name(cls, name: str | None) -> str | None:
        """A name like OPENAI_API_KEY; a pasted key is refused without repeating it (errors end up in logs)."""
        if name is None:
            return name
        if looks_like_key(name):
            raise ValueError("this looks like an API key, not the name of a variable holding one (the value is not "
                             "shown); put the key in an environment variable and name that, e.g. OPENAI_API_KEY")
        if not ENV_NAME.fullmatch(name):
            raise ValueError("must be an environment variable name (letters, digits and '_', not starting with a "
                             "digit), e.g. OPENAI_API_KEY; the value is not shown")
        return name
