"""The games Arena knows: one :class:`Game` spec per game, registered by name as a lazy ``"module:attr"``.

A game is one folder, ``arena/games/<name>/``; one line here (or a ``register`` call in a user's own
package) names the object that describes it. Why lazy: the registry is read by config validation, the
CLI and the runtime, and a game's spec pulls in its env (PettingZoo), its prompts and its judge; looking a
name up imports only that game, on first use, the way :mod:`arena.llm` imports a backend's SDK.

The runtime, config, analysis and CLI know a game only through this spec; nothing there names one.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from arena.errors import ConfigError
from arena.memory import DEFAULT_WORDING, OUTCOME, MemoryWording

__all__ = ["Game", "Metric", "default_game", "game", "game_from", "game_of", "known", "register"]


@dataclass(frozen=True)
class Metric:
    """One figure a game declares, computed per match from the logged record; analysis knows a game by these.

    ``value(record, role)`` is the match's value, or None where it is not defined (an amount only some
    matches have). A ``rate`` counts 1.0 as a success over the matches played (n = played; None counts as
    no success) and may name a ``count`` key for the successes; a ``mean`` averages the defined values
    (n = how many). ``fmt`` formats it in tables; ``higher_is_better`` says which way is good.

    Whose figure it is:

    - ``role=None`` (default): one figure per match, the same for every role (``value`` may ignore
      ``role``); the leaderboard shows it in every role's rows, the curves once per arm and round.
    - ``role="<role>"``: that role's figure only (a learner's mastery): shown in that role's rows alone,
      and ``value`` is always asked for that role.
    - ``per_role=True``: every role has its own (who won): each row shows its own role's, and the curves
      show it per advised role, like the reward.

    ``main`` marks the game's headline success (at most one; default: the first rate): the curves count
    how often a series loses it from one round to the next. ``key`` names the metric in the analysis'
    seeded random draws (default: ``name``), so renaming a metric need not move its intervals.

    For games with many figures: ``headline`` marks those the terminal tables show (when a game marks
    none, they show all; every figure stays in ``--json`` and the report); ``group`` folds the headline
    figures sharing it into one compact terminal cell (``D1.20 E0.80 ...``, each figure's label and value).
    ``pooled`` says the figure is comparable across scenarios (a 0..2 skill score, not a price): the curves
    then also follow it over all practice scenarios together, an effect over all their pairs.

    ``at_end`` says the figure is a state the series builds up (a curriculum's tasks mastered so far): what
    counts is its value after the series' last round, one per series. The leaderboard then leaves it out
    of its per-match columns and reports it per agent over the series it played (the unit): the mean, a
    95% interval from 10 series, and an exact Mann-Whitney test against the next agent of the role
    (:mod:`arena.analysis.ends`). The curves follow it round by round as any mean.
    """

    name: str
    label: str
    value: Callable[[dict[str, Any], str], float | None]
    kind: str = "mean"  # mean | rate
    fmt: str = "{:.2f}"
    count: str | None = None
    higher_is_better: bool = True
    role: str | None = None
    per_role: bool = False
    main: bool = False
    key: str | None = None
    headline: bool = False
    group: str | None = None
    pooled: bool = False
    at_end: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("mean", "rate"):
            raise ValueError(f"metric {self.name!r}: kind must be 'mean' or 'rate', not {self.kind!r}")
        if self.role is not None and self.per_role:
            raise ValueError(f"metric {self.name!r}: a metric is one role's (role=) or every role's (per_role=), "
                             "not both")
        if self.main and self.kind != "rate":
            raise ValueError(f"metric {self.name!r}: the main figure is a rate (a success that can be lost)")
        if self.at_end and self.kind != "mean":
            raise ValueError(f"metric {self.name!r}: a figure at the series' end is a mean over series")

    def shown_for(self, role: str) -> bool:
        """Whether a leaderboard row of ``role`` has this figure (a role's own metric is blank elsewhere)."""
        return self.role is None or self.role == role


@dataclass(frozen=True)
class Game:
    """What the generic runtime, config loader and LLM agents need to know about one game.

    - ``roles``: the players' role names, in seat order.
    - ``scenario_model``: the pydantic model of a scenario file (selected by its ``game:`` key); it has
      ``name``, ``roles`` and ``feedback_pool``, ``warnings()``, and is what ``make_env`` receives.
    - ``make_env(scenario)``: a fresh PettingZoo AEC env. The match loop uses only ``agent_iter``,
      ``last``, ``step``, ``rewards``/``_cumulative_rewards`` and two documented keys of ``info``:
      ``info["last_turn"]`` (the fields the log keeps for the turn just played) and, once the env is
      done, ``info["outcome"]`` (the game's outcome dict, logged as the match's ``outcome``).
    - ``outcome_text(role, outcome, rewards, scenario)``: one line for a role's memory after a round.
    - ``memory_wording``: how a role's memory is worded in its prompt (a heading per kind of entry, in
      order, an entry's line format) and which kinds the token budget drops first
      (:class:`~arena.memory.MemoryWording`; default: Arena's original wording, outcomes dropped first).
    - ``round_memory(role, outcome, rewards, scenario)`` (optional): what a round leaves in a role's
      memory as ``(kind, text)`` pairs, for a game that keeps kinds beyond the outcome (name each in
      ``memory_wording``); default: one ``outcome`` entry, ``outcome_text``'s line.
    - ``reply_for(info, bounded)`` / ``reply_to_action(reply, info)``: the JSON shape an LLM player is
      asked for where the backend constrains decoding, and how such a reply becomes the env's action.
    - ``player_system(role, persona)``: the game's wording of an LLM player's system prompt head.
    - ``critic_messages(request, persona)``: an LLM critic's chat messages for one finished round.
    - ``scripted_player(strategy, params)`` / ``scripted_critic()`` / ``scripted_params(strategy)``: the
      game's baselines, and the pydantic model that checks a card's ``policy.params`` (None: unknown).
    - ``judge(ctx_cache, transcript, scenario, outcome, seed)`` (optional, async): a verdict logged as
      ``outcome["moderator"]`` beside the env's own outcome.
    - ``cli(app)`` (optional): adds the game's own commands to the ``arena`` CLI.
    - ``outcome_line(outcome, scenario)`` / ``turn_details(payload, scenario)`` (optional): how ``arena
      replay`` shows a match's outcome (the record's ``outcome``) and what the game read in a turn
      (``payload``: the turn record's game fields, the dict the env gave as ``info["last_turn"]``, never
      the whole turn record); ``scenario`` is the stored scenario dict. Critics and judges get the turn
      records, so they too find the game's fields under ``turn["payload"]``.
    - ``feedback_details(feedback)`` (optional): a short cell for the ratings of one logged feedback record
      (what ``arena replay`` shows after ``feedback to <role>``; default: ``criterion value`` pairs).
    - ``llm_critic(card, spec, model_factory)`` (optional): the game's own LLM critic, for a game whose
      critic answers in its own shape (per-criterion ratings); default: the generic ``tip1..tipN`` critic.
    - ``feedback_timings``: when a critic may advise in this game (``after_round``, ``after_turn``).
    - ``metrics``: the figures analysis reports per agent and role (:class:`Metric`), beside the reward.
    - ``carry(outcome)`` (optional): state a game carries from one round of a series to the next (a
      curriculum's state), read from the round's logged ``outcome`` (JSON), so a resumed series rebuilds
      it from the log as memory is; with it the runtime calls ``make_env(scenario, carried)``, ``carried``
      None before the first round.
    - ``briefing(role, scenario)`` / ``reply_hint(info)`` / ``reply_problem(text, info, scenario)`` (optional):
      what ``arena play`` shows a person playing ``role``: the role's private brief once at the start
      (default: the role's first observation), a one-line hint of the form a reply takes this turn (default:
      free text), and why the game cannot read the person's reply (None: it can; the reply is asked for
      again otherwise, so a typo never becomes a wasted or refused move).
    - ``human_opponents``: role -> the scripted strategy ``arena play`` sets against a person by default (a
      role not named: the game's first strategy).
    - ``baselines``: what ``arena new tournament`` fills in, so that a generated tournament runs with no
      model: a tournament fragment whose agent cards are given by value (``players``: role -> card dicts;
      optionally ``feedback`` with its ``critic`` card, and ``rounds``, ``repeats``, ``memory``). The
      scaffold writes each card as ``agents/<name>.yaml`` unless that file exists. The template of a new
      scenario is the first of ``scenario_model``'s JSON Schema ``examples`` (editors show it too).
    - ``live(record)`` (optional): one line (at most 80 columns) that ``arena run`` prints above its live
      view for each finished match, from its logged record (for games of many short matches whose
      outcomes are the story, as a curriculum's episodes); None prints nothing for that match.
    """

    name: str
    roles: tuple[str, ...]
    scenario_model: type[Any]
    make_env: Callable[[Any], Any]
    outcome_text: Callable[[str, dict[str, Any], dict[str, float], Any], str]
    reply_for: Callable[[dict[str, Any], bool], tuple[dict[str, Any], str]]
    reply_to_action: Callable[[dict[str, Any], dict[str, Any]], str]
    player_system: Callable[[str, str], list[str]]
    critic_messages: Callable[[Any, str], list[dict[str, str]]]
    scripted_player: Callable[[str, dict[str, float]], Any]
    scripted_critic: Callable[[], Any]
    scripted_params: Callable[[str], Any]
    strategies: tuple[str, ...] = ()
    judge: Callable[..., Any] | None = None
    cli: Callable[[Any], None] | None = None
    outcome_line: Callable[[dict[str, Any], dict[str, Any]], str] | None = None
    turn_details: Callable[[dict[str, Any], dict[str, Any]], list[str]] | None = None
    feedback_details: Callable[[dict[str, Any]], str] | None = None
    briefing: Callable[[str, Any], str] | None = None
    reply_hint: Callable[[dict[str, Any]], str] | None = None
    reply_problem: Callable[[str, dict[str, Any], Any], str | None] | None = None
    human_opponents: dict[str, str] = field(default_factory=dict)
    llm_critic: Callable[..., Any] | None = None
    env_id: str | None = None
    feedback_timings: tuple[str, ...] = ("after_round",)
    metrics: tuple[Metric, ...] = ()
    carry: Callable[[dict[str, Any]], Any] | None = None
    live: Callable[[dict[str, Any]], str | None] | None = None
    memory_wording: MemoryWording = DEFAULT_WORDING
    round_memory: Callable[[str, dict[str, Any], dict[str, float], Any], list[tuple[str, str]]] | None = None
    baselines: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def memory_of_round(self, role: str, outcome: dict[str, Any], rewards: dict[str, float],
                        scenario: Any) -> list[tuple[str, str]]:
        """The ``(kind, text)`` entries a finished round leaves in ``role``'s memory."""
        if self.round_memory is not None:
            return list(self.round_memory(role, outcome, rewards, scenario))
        return [(OUTCOME, self.outcome_text(role, outcome, rewards, scenario))]


def game_from(name: str, *, prompts: Any, scripted: Any, render: Any = None, human: Any = None,
              **fields: Any) -> Game:
    """A :class:`Game` from a game folder's modules, by the template's names (``arena/games/example/``):
    ``prompts.{outcome_text, reply_for, reply_to_action, player_system, critic_messages}``,
    ``prompts.MEMORY_WORDING`` if it has one, ``scripted.{Player, Critic, STRATEGY_PARAMS}`` (and
    ``scripted.BASELINES`` if it has them) and, if
    given, ``render.{outcome_line, turn_details}`` and ``human.{briefing, reply_hint, reply_problem,
    OPPONENTS}`` (what ``arena play`` shows a person, and whom it sets against them);
    ``fields`` gives the rest (``roles``, ``scenario_model``, ``make_env``, ``metrics``, ...)."""
    named = {key: getattr(prompts, key) for key in
             ("outcome_text", "reply_for", "reply_to_action", "player_system", "critic_messages")}
    if render is not None:
        named.update(outcome_line=render.outcome_line, turn_details=render.turn_details)
    if hasattr(prompts, "MEMORY_WORDING"):
        named.update(memory_wording=prompts.MEMORY_WORDING)
    if hasattr(scripted, "BASELINES"):
        named.update(baselines=scripted.BASELINES)
    if human is not None:
        named.update(briefing=human.briefing, reply_hint=human.reply_hint, reply_problem=human.reply_problem,
                     human_opponents=dict(human.OPPONENTS))
    return Game(name=name, scripted_player=scripted.Player, scripted_critic=scripted.Critic,
                scripted_params=scripted.STRATEGY_PARAMS.get, strategies=tuple(scripted.STRATEGY_PARAMS),
                **named, **fields)


_ENTRIES: dict[str, str] = {}
_LOADED: dict[str, Game] = {}


def register(name: str, entry: str) -> None:
    """Register game ``name`` as ``"package.module:attr"`` (a :class:`Game`), imported on first lookup."""
    if ":" not in entry:
        raise ValueError(f"game entry {entry!r} must be 'module:attr'")
    _ENTRIES[name] = entry
    _LOADED.pop(name, None)


def known() -> list[str]:
    """The registered game names, in registration order."""
    return list(_ENTRIES)


def default_game() -> str:
    """The game of a scenario file without a ``game:`` key (files older than the key): the first registered."""
    return known()[0]


def game(name: str) -> Game:
    """The spec of game ``name``; an unknown name is a ConfigError naming the known ones."""
    if name in _LOADED:
        return _LOADED[name]
    entry = _ENTRIES.get(name)
    if entry is None:
        close = difflib.get_close_matches(str(name), known(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown game {name!r}{hint} (one of: {', '.join(known())})", field="game")
    module, attr = entry.split(":", 1)
    spec = getattr(importlib.import_module(module), attr)
    if not isinstance(spec, Game) or spec.name != name:
        raise ConfigError(f"game entry {entry!r} is not the Game spec of {name!r}", field="game")
    _LOADED[name] = spec
    return spec


def game_of(scenario: Any) -> Game:
    """The spec of a scenario's game (its ``game`` field)."""
    return game(scenario.game)


# Arena's own games: one line each.
register("negotiation", "arena.games.negotiation.spec:GAME")
register("example", "arena.games.example.spec:GAME")
register("dearman", "arena.games.dearman.spec:GAME")
register("omni", "arena.games.omni.spec:GAME")
