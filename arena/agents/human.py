"""A player whose moves a person types: the same :class:`~arena.core.protocol.Player` as the LLM and scripted
ones, so the env and the match loop treat a person's turn like any other (TextArena's ``HumanAgent``).

The person's text is the move, read by the env exactly as an LLM's free-text reply is (``player_how``
``human``). Before it is played, the game may say why it cannot read it (``Game.reply_problem``: a
malformed move token, say); the person is then told why and asked again, so a typo never costs a turn.
Where the person's text comes from, and how things are shown, is a :class:`Terminal` the caller injects
(``arena play`` passes a rich console; tests may pass a script).

The person ends the match by ending input (EOF) or with Ctrl-C: the terminal answers None and the player
returns an ``abandoned`` error, which the match loop ends the match with, like any player error, keeping
the turns so far; the match is logged with ``status: error`` and ``error.kind: abandoned``.
"""

from __future__ import annotations

from typing import Any, Protocol

from arena.core.protocol import ActRequest, ActResult
from arena.registry import Game

ABANDONED = "abandoned"
DEFAULT_HINT = "free text"


class Terminal(Protocol):
    """Where a person reads and types; ``ended_by`` says how the person ended the match (``eof``,
    ``interrupt``), None while they play on."""

    ended_by: str | None

    def brief(self, role: str, text: str) -> None:
        """Show the role's private brief, once, before the person's first turn."""

    def ask(self, role: str, hint: str) -> str | None:
        """The person's next reply (one line), or None when they ended the match (EOF, Ctrl-C)."""

    def refuse(self, reason: str) -> None:
        """Tell the person why their reply cannot be played (they are asked again)."""


class HumanPlayer:
    """A person playing one role of ``scenario``, briefed once per session (the brief is the same every round)."""

    def __init__(self, game: Game, scenario: Any, terminal: Terminal) -> None:
        self.game = game
        self.scenario = scenario
        self.terminal = terminal
        self.briefed = False
        self.ended = False

    async def act(self, request: ActRequest) -> ActResult:
        if not self.briefed:
            self.briefed = True
            brief = self.game.briefing(request.role, self.scenario) if self.game.briefing else request.observation
            self.terminal.brief(request.role, brief)
        hint = self.game.reply_hint(request.info) if self.game.reply_hint else DEFAULT_HINT
        while not self.ended:
            typed = self.terminal.ask(request.role, hint)
            if typed is None:
                self.ended = True
                break
            text = " ".join(typed.split())
            problem = "say something (end of input or Ctrl-C ends the match)." if not text else (
                self.game.reply_problem(text, request.info, self.scenario) if self.game.reply_problem else None)
            if problem is None:
                return ActResult(text=text, how="human", prompt=self.seat_prompt(request))
            self.terminal.refuse(problem)
        how = {"eof": " (end of input)", "interrupt": " (Ctrl-C)"}.get(self.terminal.ended_by or "", "")
        return ActResult(text="", how="human", error={
            "kind": ABANDONED, "message": f"the person playing the {request.role} ended the match{how}"})

    def seat_prompt(self, request: ActRequest) -> list[dict[str, str]]:
        """What an LLM player in this seat is sent (no persona, free text), logged as the turn's ``prompt``:
        the person saw the same brief and dialogue, so their turns export as demonstrations
        (``arena export --format sft``) beside a model's."""
        system = [*self.game.player_system(request.role, ""), *([request.memory_text] if request.memory_text else [])]
        user = f"{request.observation}\n\nYour turn as the {request.role}."
        return [{"role": "system", "content": "\n\n".join(system)}, {"role": "user", "content": user}]


def is_abandoned(record: dict[str, Any]) -> bool:
    """Whether a logged match is one a person ended before the game did."""
    return (record.get("error") or {}).get("kind") == ABANDONED
