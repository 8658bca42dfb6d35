"""``arena play``: a person plays one role of a scenario in the terminal, against agents, coached or not.

The dialogue is shown as ``arena replay`` shows a logged match (:func:`arena.replay.turn_view`: each turn as
it is logged, the game's reading of it, the coach's ratings and advice right after the person's turn);
what the game tells the person (the role's brief, a hint of the reply's form) comes from the game's hooks.
The session is a normal run directory under ``--logs-dir`` (see :mod:`arena.play`).

Ending early: at the person's prompt, end of input (Ctrl-D, or a script's stdin running out) or Ctrl-C ends
the match. It is logged with the turns so far as abandoned (``status: error``, ``error.kind: abandoned``);
the exit code is 0 after end of input (a person may stop when they like) and 130 after Ctrl-C (the house
rule for an interrupt). A Ctrl-C while an agent or the coach is thinking ends the match at the person's
next prompt; a second one stops at once (exit 130, run marked interrupted, that match not logged).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from arena.agents.human import is_abandoned
from arena.cli.app import console, out
from arena.replay import outcome_text, turn_view, visible
from arena.runlog import read_header


def register(app: typer.Typer) -> None:
    app.command("play")(play)


class RichTerminal:
    """The person's side of the :class:`~arena.agents.human.Terminal`: rich output, one line of input a turn.

    ``ended_by`` says how the person ended the match (``eof``, ``interrupt``), None while they play on.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.reading = False
        self.stop_asked = False
        self.ended_by: str | None = None

    def brief(self, role: str, text: str) -> None:
        out.print(Text(f"You are the {role}", style="bold reverse"))
        out.print(Text(visible(text)))
        out.print()

    def ask(self, role: str, hint: str) -> str | None:
        if self.stop_asked:
            self.ended_by = "interrupt"
            return None
        out.print(Text(visible(f"    ({hint})"), style="dim"))
        self.reading = True
        try:
            line = out.input(Text(f"{self.name} ({role})> ", style="bold"))
            if not sys.stdin.isatty():  # piped: nothing echoed the line's newline, so the turn shown next
                out.print()  # would start on the prompt's line
            return line
        except EOFError:
            self.ended_by = "eof"
        except KeyboardInterrupt:
            self.ended_by = "interrupt"
        finally:
            self.reading = False
        out.print()
        return None

    def refuse(self, reason: str) -> None:
        out.print(Text(visible(f"    not played: {reason} Try again."), style="red"))

    @contextmanager
    def ctrl_c(self) -> Iterator[None]:
        """Ctrl-C at the prompt ends the match (KeyboardInterrupt inside ``input``); elsewhere the first one
        asks to end at the next prompt and a second one stops at once. Why a handler of our own: asyncio's
        would only cancel the loop, leaving the prompt blocked on input."""

        def handler(signum: int, frame: Any) -> None:
            if self.reading or self.stop_asked:
                raise KeyboardInterrupt
            self.stop_asked = True
            console.print("stopping: the match ends at your next turn (Ctrl-C again to stop now)", markup=False)

        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def play(
    scenario: Path = typer.Argument(..., help="The scenario YAML to play."),
    role: str = typer.Option(..., "--as", help="The role you play (one of the scenario game's roles)."),
    opponent: list[Path] = typer.Option([], "--opponent", help="An agent card for another role (repeatable); "
                                        "default: the game's scripted baseline."),
    coach: Path | None = typer.Option(None, "--coach", help="A critic card that advises you; default: the game's "
                                      "scripted critic where it can advise after every turn."),
    no_coach: bool = typer.Option(False, "--no-coach", help="Play without a coach."),
    when: str | None = typer.Option(None, "--when", help="When the coach advises: after_turn (right after each of "
                                    "your turns) or after_round (between rounds, the paper's protocol); default: "
                                    "after_turn where the game allows it."),
    rounds: int = typer.Option(1, "--rounds", min=1, max=100, help="Rounds against the same opponent (an "
                               "after-round critic advises between them)."),
    seed: int = typer.Option(0, "--seed", min=0, help="The session's seed (scripted agents' draws)."),
    name: str = typer.Option("human", "--name", help="Your name in the log and the leaderboard."),
    logs_dir: Path = typer.Option(Path("logs"), "--logs-dir", help="Where the run directory goes."),
    run_id: str | None = typer.Option(None, "--run-id", help="Name of the run directory."),
) -> None:
    """Play one role yourself, in the terminal; the session is logged like any run."""
    from arena.play import PlaySetup, resolve_play
    from arena.play import play as play_session
    from arena.registry import game

    if coach is not None and no_coach:
        raise typer.BadParameter("--coach and --no-coach contradict each other")
    if when is not None and no_coach:
        raise typer.BadParameter("--when and --no-coach contradict each other")
    resolved = resolve_play(PlaySetup(scenario=scenario, role=role, opponents=tuple(opponent), coach=coach,
                                      no_coach=no_coach, rounds=rounds, seed=seed, name=name, when=when))
    sc = next(iter(resolved.scenarios.values()))
    spec, stored = game(sc.game), sc.model_dump(mode="json")
    others = ", ".join(f"{r}: {n[0]}" for r, n in resolved.players.items() if r != role)
    fb = resolved.tournament.feedback
    coached = f"coach {resolved.critic} ({fb.when.replace('_', ' ')})" if fb else "no coach"
    console.print(f"{sc.name}: you play the {role} against {others}; {coached}. End the match with Ctrl-D "
                  "(end of input) or Ctrl-C.", markup=False)
    if fb is not None and fb.when == "after_round" and rounds == 1:
        other = " or --when after_turn" if "after_turn" in spec.feedback_timings else ""
        console.print(f"note: the coach advises between rounds; with --rounds 1 it gives none (try --rounds 2{other})",
                      markup=False)
    terminal = RichTerminal(name)

    echoed = sys.stdin.isatty()  # a terminal shows what the person typed; piped input is shown by us

    def on_turn(turn: dict[str, Any]) -> None:
        for part in turn_view(turn, spec, stored, reasons=True, text=not echoed or turn.get("role") != role,
                              feedback_label="coach"):  # a person reads "coach", not the arm's name
            out.print(part)

    def on_record(record: dict[str, Any]) -> None:
        end = Text("outcome: ", style="bold")
        aborted, error = is_abandoned(record), record.get("error") or {}
        if aborted:
            end.append("abandoned (the turns so far are logged)")
        elif error:  # an agent failed (a model server down): the match ends, the session goes on
            why = f"error ({error.get('kind')}, {error.get('role')}): {error.get('message')}"
            end.append(visible(why), style="red")
        else:
            end.append(visible(outcome_text(record, stored)))
            end.append(visible("   rewards: " + ", ".join(f"{r} {v:.2f}" for r, v in record["rewards"].items())))
        out.print(end)
        for given in (record.get("feedback") or {}).values():  # after_round advice, for the next round
            if given.get("suggestions"):
                out.print(Text(visible("advice for the next round:\n" + "\n".join(
                    f"- {s}" for s in given["suggestions"])), style="yellow"))
        if not aborted and record.get("round", 1) < rounds:
            out.print(Text(f"round {record.get('round', 1) + 1} of {rounds}", style="bold reverse"))

    with terminal.ctrl_c():
        result = play_session(resolved, role, terminal, logs_dir, run_id, on_turn=on_turn, on_record=on_record)
    run_dir = result.summary.run_dir
    status = read_header(run_dir).get("status")
    played = len(result.records)
    console.print(f"log: {run_dir} ({played} match{'' if played == 1 else 'es'}, run {status}); "
                  f"replay: arena replay {run_dir}",
                  markup=False)
    if terminal.ended_by == "interrupt":
        sys.exit(130)
