"""Suite-wide fixtures: one Ray for the whole session (``ray.init`` costs 2-3 s), the local LLM server,
and helpers to run the ``arena`` CLI in-process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from fake_llm_server import fake_llm  # noqa: E402, F401


@pytest.fixture(scope="session")
def ray_session():
    """Start Ray once (2 CPUs, quiet) and share it; shut down at the end of the session."""
    import ray

    from arena.runtime.pool import start_ray

    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    if not ray.is_initialized():
        start_ray()
    yield ray
    ray.shutdown()


@pytest.fixture
def repo_root() -> Path:
    return ROOT
