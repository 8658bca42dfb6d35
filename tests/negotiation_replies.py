"""The test server's fixed negotiation, shared by the LLM match tests and the golden log.

The seller asks $16, the buyer bids $12 and accepts once $16 is on the table, the coach's first tip is
``tip`` (a marker the tests look for in later prompts), and a moderator, if asked, calls a deal at $16.
"""

from __future__ import annotations

import json
from collections.abc import Callable

Responder = Callable[[dict, str], str]


def negotiator(tip: str) -> Responder:
    """A responder for :class:`fake_llm_server.FakeLLMServer` playing the fixed negotiation."""

    def reply(request: dict, api: str) -> str:
        text = json.dumps(request)
        if "moderator of a bargaining game" in text:
            return json.dumps({"state": "deal", "price": 16})
        if "negotiation coach" in text:
            return json.dumps({"tip1": tip, "tip2": "Open with the item's value.", "tip3": "Stay polite."})
        if "role of the seller" in text:
            return json.dumps({"offer": 16, "accept": False, "message": "It is a fine balloon."})
        accept = "$16" in text
        return json.dumps({"offer": 12, "accept": accept, "message": "Deal." if accept else "Too much for me."})

    return reply
