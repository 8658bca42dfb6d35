"""Checks before the first match: a run that cannot work should fail in one line, not after an hour.

For every LLM card (players and critic): the key variable it names is set, its SDK is installed, and a
``base_url`` it names accepts TCP connections. Hosted APIs without a ``base_url`` are not probed (that
would be network traffic the user did not ask for).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from arena.config.model_spec import ModelSpec
from arena.config.models import LLMPolicy, ResolvedTournament
from arena.errors import ConfigError, ModelError


def model_specs(resolved: ResolvedTournament) -> dict[str, ModelSpec]:
    return {name: card.policy.model for name, card in resolved.agents.items() if isinstance(card.policy, LLMPolicy)}


def check_reachable(spec: ModelSpec, timeout_s: float = 3.0) -> None:
    """Open (and close) a TCP connection to the spec's base_url; ModelError kind 'connection' if refused."""
    if not spec.base_url:
        return
    parts = urlsplit(spec.base_url)
    if not parts.hostname:
        raise ModelError(f"base_url {spec.base_url!r} has no host", kind="config", model=spec.model)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=min(timeout_s, spec.timeout_s)):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ModelError(f"cannot connect to {spec.base_url} ({reason})", kind="connection", model=spec.model) from exc


def preflight(resolved: ResolvedTournament) -> None:
    """Raise ConfigError naming the agent card for the first problem found."""
    from arena.llm import check_ready

    for name, spec in model_specs(resolved).items():
        try:
            check_ready(spec)
            check_reachable(spec)
        except ModelError as exc:
            where = resolved.agent_files.get(name, f"agent card {name!r}")
            field = "policy.model.api_key_env" if "environment variable" in str(exc) else "policy.model"
            raise ConfigError(exc.one_line(), path=where, field=field) from exc
