"""Arena's games as PettingZoo AEC environments (pure rules, no LLM calls, no I/O).

``NegotiationEnv`` is the seller/buyer bargaining game (env name ``negotiation_v2``). When the installed
PettingZoo has a registry (``pettingzoo.register``), the env is also registered as ``arena/negotiation-v2``
so ``pettingzoo.make("aec", "arena/negotiation-v2", params=...)`` works; otherwise import the class.
"""

from __future__ import annotations

import pettingzoo

from arena.envs.negotiation import NegotiationEnv
from arena.envs.negotiation_rules import NegotiationParams

__all__ = ["NEGOTIATION_ID", "NegotiationEnv", "NegotiationParams"]

NEGOTIATION_ID = "arena/negotiation-v2"

_register = getattr(pettingzoo, "register", None)
if callable(_register):  # pragma: no branch - depends on the installed PettingZoo
    _register("aec", NEGOTIATION_ID, entry_point="arena.envs.negotiation:NegotiationEnv")
