"""The figures negotiation reports per agent and role: how often a deal closes (the main
figure: the curves count the deals lost from one round to the next), and at what price. Both are one
figure per match, the same for seller and buyer."""

from __future__ import annotations

from typing import Any

from arena.registry import Metric


def _deal(record: dict[str, Any], role: str) -> float:
    return 1.0 if (record.get("outcome") or {}).get("deal") else 0.0


def _price(record: dict[str, Any], role: str) -> float | None:
    outcome = record.get("outcome") or {}
    return float(outcome["price"]) if outcome.get("deal") else None


METRICS = (
    # keys: the names the curves' seeded draws had before metrics were declared, so the figures stay put
    Metric("deal_rate", "deals", _deal, kind="rate", fmt="{:.0%}", count="deals", key="deal"),
    Metric("mean_price", "price", _price, fmt="{:.2f}", key="price"),
)
