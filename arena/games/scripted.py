"""The frame every game's scripted player shares: a strategy picked by name, its parameters checked by that
strategy's pydantic model, and a synchronous ``decide`` behind the protocol's asynchronous ``act`` (tests
and the ``--local`` loop call ``decide`` directly)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from arena.core.protocol import ActRequest, ActResult

__all__ = ["ScriptedStrategy", "card"]


class ScriptedStrategy:
    """Subclasses set ``strategies`` (name -> params model) and write ``decide``."""

    strategies: ClassVar[dict[str, type[BaseModel]]] = {}

    def __init__(self, strategy: str, params: dict[str, float] | None = None) -> None:
        if strategy not in self.strategies:
            raise ValueError(f"unknown scripted strategy {strategy!r} (one of: {', '.join(self.strategies)})")
        self.strategy = strategy
        self.params = self.strategies[strategy].model_validate(dict(params or {}))

    async def act(self, request: ActRequest) -> ActResult:
        return self.decide(request)

    def decide(self, request: ActRequest) -> ActResult:
        raise NotImplementedError


def card(name: str, roles: list[str], strategy: str, description: str, **params: float) -> dict[str, Any]:
    """A scripted agent card as plain data: the entries of a game's ``BASELINES`` (``arena new tournament``
    writes each as ``agents/<name>.yaml``)."""
    policy: dict[str, Any] = {"type": "scripted", "strategy": strategy}
    if params:
        policy["params"] = dict(params)
    return {"name": name, "description": description, "roles": roles, "policy": policy}
