"""Make ``tests/`` importable so the shared local LLM server and its fixture can be used here.

Remove once ``tests/conftest.py`` re-exports ``fake_llm`` for the whole suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from fake_llm_server import fake_llm  # noqa: E402, F401
