"""Which language model an agent card or critic uses, and how to call it.

Kept apart from the other config models because ``arena.llm`` needs it and nothing else from config.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EMBEDDED_MODEL = "SmolLM2-135M-Instruct"


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, values are not silently coerced from str."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(StrictModel):
    """A model endpoint plus sampling settings. The default is the embedded SmolLM2 (no key, no network)."""

    backend: Literal["embedded", "openai", "anthropic"] = "embedded"
    model: str = EMBEDDED_MODEL
    base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible servers (vLLM, Ollama, llama.cpp) end in /v1; Anthropic's must not.",
    )
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the API key (never the key)."
    )
    temperature: float = Field(default=0.7, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int = Field(default=64, gt=0, le=32768)
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=20)
    structured: Literal["auto", "off"] = Field(
        default="auto",
        description="auto: ask for JSON replies where the backend can constrain them (llama.cpp grammar, "
        "OpenAI json_schema, Anthropic tool use); off: free text, the game's parser reads it.",
    )
    n_ctx: int = Field(default=2048, ge=256, description="embedded only: context window to allocate.")
    n_threads: int | None = Field(default=None, ge=1, description="embedded only: CPU threads.")
