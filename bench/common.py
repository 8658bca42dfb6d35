"""What several benchmarks share: how busy the machine is, and waiting for it to settle.

On a 2-core machine a benchmark's figures are only as good as the quiet around them: Ray keeps starting
helper processes for a few seconds after ``ray.init``, and another job on the machine halves llama.cpp's
speed. So benchmarks wait for the cores to settle before timing, and say how busy they found them.
"""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine_busy(seconds: float = 0.5) -> float | None:
    """Share of all cores busy over ``seconds`` (from /proc/stat); None where there is no /proc/stat."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def settle(threshold: float = 0.25, timeout_s: float = 20.0) -> float | None:
    """Wait (up to ``timeout_s``) until the cores are less than ``threshold`` busy; the last reading."""
    deadline = time.monotonic() + timeout_s
    busy = machine_busy()
    while busy is not None and busy >= threshold and time.monotonic() < deadline:
        busy = machine_busy()
    return busy


def write_short_balloon(tmp: Path, max_turns: int) -> str:
    """The shipped balloon scenario with fewer turns, as ``tmp/short.yaml``; returns the name to list."""
    scenario = (ROOT / "scenarios/negotiation/balloon.yaml").read_text()
    (tmp / "short.yaml").write_text(scenario.replace("max_turns: 20", f"max_turns: {max_turns}"))
    return "short.yaml"
