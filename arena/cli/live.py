"""The live view of ``arena run``: one rich ``Live`` display while the run plays.

It shows matches done/total, series in flight, errors by kind, tokens in and out, tokens/s, the ETA,
and the top of the rated leaderboard (duplicate Bradley-Terry, :mod:`arena.analysis.ratings`) as it
forms. The live rating is the point estimate with its n (no bootstrap: 1,000 refits a second would cost
more than the matches); the final table after the run has the intervals. Ratings are refitted at most
every ``RATE_EVERY_S`` seconds, in chronological order of the records as they finish.

``--quiet`` (CI logs) shows nothing while running; a console that is not a terminal gets no animation,
only the final frame, so a redirected stderr holds one summary instead of hundreds of redraws.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from arena.analysis.ratings import Rating, rate

RATE_EVERY_S = 1.0
TOP = 3  # leaderboard rows per role


class LiveView:
    """What the display shows, updated by the run's callbacks (``record`` per finished match, ``flight``)."""

    def __init__(self, name: str, total: int, done: int, console: Console, *, quiet: bool = False,
                 clock: Any = time.monotonic, line: Callable[[dict[str, Any]], str | None] | None = None) -> None:
        self.name, self.total, self.done, self.console, self.quiet = name, total, done, console, quiet
        self.line = line  # a game's one line per finished match, printed above the display (Game.live)
        self.start_done = done
        self.clock = clock
        self.started = clock()
        self.in_flight = 0
        self.errors: Counter[str] = Counter()
        self.tokens_in = self.tokens_out = 0
        self.records: list[dict[str, Any]] = []
        self.ratings: dict[tuple[str, str], Rating] = {}
        self._rated_at = float("-inf")
        self._live: Live | None = None

    # --- callbacks -------------------------------------------------------------------------------------
    def record(self, record: dict[str, Any]) -> None:
        self.done += 1
        for use in (record.get("usage") or {}).values():
            self.tokens_in += int(use.get("prompt_tokens", 0) or 0)
            self.tokens_out += int(use.get("completion_tokens", 0) or 0)
        if record.get("status") == "ok":
            self.records.append(record)
        else:
            self.errors[(record.get("error") or {}).get("kind", "unknown")] += 1
        text = self.line(record) if self.line is not None and not self.quiet else None
        if text:
            # one line whatever the game wrote: cut at the terminal's width rather than wrapped into the view
            self.console.print(text, markup=False, highlight=False, no_wrap=True, overflow="ellipsis", crop=True)
        if self.clock() - self._rated_at >= RATE_EVERY_S:
            self.rerate()
        self.refresh()

    def flight(self, change: int) -> None:
        self.in_flight += change
        self.refresh()

    def rerate(self) -> None:
        self.ratings = rate(self.records, n_boot=0)
        self._rated_at = self.clock()

    # --- display ---------------------------------------------------------------------------------------
    def status_line(self) -> str:
        elapsed = max(self.clock() - self.started, 1e-9)
        played = self.done - self.start_done
        tokens = self.tokens_in + self.tokens_out
        left = self.total - self.done
        eta = f"{left * elapsed / played:.0f}s" if played else "-"
        errors = ", ".join(f"{kind} {n}" for kind, n in sorted(self.errors.items())) or "0"
        # no tokens: scripted agents only (or no model call answered yet); a row of zeros reads as a fault
        speed = f"tokens in {self.tokens_in} out {self.tokens_out} ({tokens / elapsed:.0f}/s), " if tokens else ""
        return (f"{self.name}: {self.done}/{self.total} matches, {self.in_flight} in flight, errors: {errors}\n"
                f"{speed}elapsed {elapsed:.0f}s, ETA {eta}")

    def leaderboard(self) -> Table | None:
        rated = [r for r in self.ratings.values() if r.value is not None]
        if not rated:
            return None
        table = Table(title="rated so far (duplicate Bradley-Terry; intervals at the end)", title_justify="left")
        for column in ("role", "agent", "rating"):
            table.add_column(column)
        for role in sorted({r.role for r in rated}):
            top = sorted((r for r in rated if r.role == role), key=lambda r: -(r.value or 0.0))[:TOP]
            for r in top:
                table.add_row(role, r.agent, f"{r.value:+.2f} n={r.n}")
        return table

    def render(self) -> Group:
        board = self.leaderboard()
        return Group(Text(self.status_line()), *([board] if board is not None else []))

    def refresh(self) -> None:
        if self._live is not None:
            self._live.update(self.render())

    def __enter__(self) -> LiveView:
        if not self.quiet:
            self._live = Live(self.render(), console=self.console, refresh_per_second=4, transient=False,
                              auto_refresh=self.console.is_terminal)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self.rerate()
            self._live.update(self.render())
            self._live.__exit__(None, None, None)
            self._live = None
            if not self.console.is_terminal:
                self.console.line()  # a terminal's Live leaves the cursor below the frame; a file needs the newline

    def stop(self) -> None:
        """Stop the display before an error or interruption is printed below it."""
        self.__exit__()
