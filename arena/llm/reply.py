"""Reading a model's JSON reply: the first JSON object in the text, or what can be salvaged of one cut off.

Shared by every LLM policy (players, critics, judges), whatever the game.
"""

from __future__ import annotations

import json
import re
from typing import Any


def parse_json_reply(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text`` (models wrap JSON in prose or code fences), or None.

    A reply cut off by ``max_tokens`` mid-object is salvaged field by field: the complete
    ``"key": value`` pairs before the cut are kept, and a cut string value is kept as far as it got.
    """
    start = text.find("{")
    while start != -1:
        try:
            value, _ = json.JSONDecoder().raw_decode(text[start:])
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        return value if isinstance(value, dict) else None
    first = text.find("{")
    return _salvage(text[first:]) if first != -1 else None


_PAIR = re.compile(r'"(\w+)"\s*:\s*(-?\d+(?:\.\d+)?|true|false|null|"(?:[^"\\]|\\.)*"?)')


def _salvage(fragment: str) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key, raw in _PAIR.findall(fragment):
        if raw.startswith('"') and not (len(raw) > 1 and raw.endswith('"')):
            raw += '"'
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            continue
    return out or None
