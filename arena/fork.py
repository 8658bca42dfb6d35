"""Fork a logged match at turn k: replay its first k turns, then play on with a changed agent or critic.

"What if the seller had been coached from turn 4?" The env is restored by replaying the logged actions
(``reset`` with the match's seed, then ``step`` with each logged text; every replayed turn must give the
logged ``payload`` back, or the fork refuses: a game whose env is not a pure function of seed and
actions cannot be forked honestly). Memory comes from the record: the previous round's ``memory_after``
(what the series carried into this round), plus the per-turn advice logged in the prefix. From turn k on,
the players of the child's config act, each branch with its own seed for the players' requests, so N
branches of a sampled model differ; the env's seed stays the parent's.

The child is a new run whose ``run.json`` names ``parent`` (run, match, turn, swaps, and each branch's
seed); its matches are ``<parent match>.b<i>``. ``--turn k`` keeps the first k turns of the transcript
(the log's turns 0..k-1), so ``--turn 0`` replays the match from its start with the new cast.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from arena.config.loader import load_agent
from arena.config.models import ResolvedTournament
from arena.errors import ArenaError
from arena.memory import Memory
from arena.registry import game_of
from arena.rerun import child_id, stored_config
from arena.runlog import ARENA_VERSION, SCHEMA_VERSION, RunLog, read_run, turn_record, utc_now
from arena.runlog.stream import MatchIndex, find_match, load_index
from arena.runtime.match import MatchContext, Turns, judge_match, play_turns
from arena.runtime.pool import RunOptions, build_context
from arena.schedule import SeriesSpec, derive_seed, plan

__all__ = ["ForkError", "fork", "forked_config", "replay_prefix"]


class ForkError(ArenaError):
    exit_code = 2


def forked_config(resolved: ResolvedTournament, swaps: dict[str, Path], critic: Path | None) -> ResolvedTournament:
    """The parent's config with ``role`` played by the card at ``swaps[role]`` and, optionally, a new critic."""
    agents, players = dict(resolved.agents), {r: list(n) for r, n in resolved.players.items()}
    for role, path in swaps.items():
        if role not in players:
            raise ForkError(f"--swap {role}=...: the run's roles are {', '.join(sorted(players))}")
        card = load_agent(path)
        if not card.plays(role):
            raise ForkError(f"--swap {role}={path}: the card {card.name!r} does not play {role}")
        agents[card.name], players[role] = card, [card.name]
    update: dict[str, Any] = {"agents": agents, "players": players}
    if critic is not None:
        card = load_agent(critic)
        agents[card.name] = card
        update["critic"] = card.name
    return resolved.model_copy(update=update)


def _series_of(resolved: ResolvedTournament, record: dict[str, Any], seed_rule: int) -> SeriesSpec:
    for spec in plan(resolved, seed_rule=seed_rule):
        if spec.series_id == record["series_id"]:
            return spec
    raise ForkError(f"match {record['match_id']}: its series is not in the run's plan")


def replay_prefix(env: Any, record: dict[str, Any], k: int) -> tuple[dict[str, float], dict[str, Any], int]:
    """Step ``env`` (already reset with the match's seed) through the first ``k`` logged turns.

    Returns the rewards so far, the outcome so far and how many AEC iterations were used (the seed of a
    player's request depends on it). A turn whose payload differs from the log is a :class:`ForkError`.
    """
    logged = record["transcript"][:k]
    returns: dict[str, float] = {}
    outcome: dict[str, Any] = {}
    done, iterations = 0, 0
    for role in env.agent_iter():
        if done == len(logged):
            break
        iterations += 1
        _obs, reward, terminated, truncated, info = env.last()
        returns[role] = returns.get(role, 0.0) + float(reward)
        outcome = dict(info.get("outcome", outcome))
        if terminated or truncated:
            env.step(None)
            continue
        turn = logged[done]
        if turn["role"] != role:
            raise ForkError(f"match {record['match_id']} turn {done}: the env asks {role}, the log has {turn['role']}")
        env.step(turn["text"])
        after = env.infos.get(role, {})
        outcome = dict(after.get("outcome", outcome))
        payload = turn_record(turn=done, role=role, agent=turn["agent"], text=turn["text"], player_how=None,
                              game_fields=after.get("last_turn", {}))["payload"]
        if payload != turn["payload"]:
            raise ForkError(f"match {record['match_id']} turn {done}: replaying the logged action does not give the "
                            "logged turn back; this game's env cannot be forked by replay")
        done += 1
    return returns, outcome, iterations


async def play_branch(ctx: MatchContext, series: SeriesSpec, record: dict[str, Any], k: int, branch: int,
                      fork_seed: int, memories: dict[str, Memory]) -> dict[str, Any]:
    """One branch: the first ``k`` turns as logged, the rest played by ``ctx``'s players."""
    scenario = ctx.resolved.scenarios[record["scenario"]]  # a transfer round plays its own scenario
    game = game_of(scenario)
    agents, seed, round_ = series.agents, record["seed"], record["round"]
    started, t0 = utc_now(), time.perf_counter()
    env = game.make_env(scenario)
    env.reset(seed=seed)
    returns, outcome, skip = replay_prefix(env, record, k)
    turns = Turns(agents, transcript=[dict(t) for t in record["transcript"][:k]], returns=returns, outcome=outcome,
                  usage={role: {} for role in agents})
    for turn in turns.transcript:  # the prefix's own advice went into memory as it was given
        if turn.get("feedback") and turn["role"] in memories:
            memories[turn["role"]].add_advice(round_, turn["feedback"].get("suggestions", []))
    match_id = f"{record['match_id']}.b{branch}"
    await play_turns(ctx, series, env, turns, round_=round_, match_id=match_id, memories=memories,
                     memory_text={role: mem.render(game.memory_wording) for role, mem in memories.items()},
                     seed=fork_seed, first_turn=skip)
    await judge_match(ctx, scenario, turns, seed)
    env.close()
    error, outcome, rewards = turns.error, turns.outcome, turns.rewards()
    transcript, usage = turns.transcript, turns.usage
    return {
        "schema_version": SCHEMA_VERSION, "kind": "match", "arena_version": ARENA_VERSION, "run_id": ctx.run_id,
        "match_id": match_id, "series_id": f"{record['series_id']}.b{branch}", "scenario": record["scenario"],
        "game": record["game"], "arm": record["arm"], "repeat": record["repeat"], "round": round_,
        "rounds": record["rounds"], "seed": seed, "agents": agents, "status": "error" if error else "ok",
        "error": error, "outcome": outcome, "rewards": rewards, "transcript": transcript,
        "memory_before": record.get("memory_before", {}), "feedback": {}, "usage": usage,
        "memory_after": {role: mem.to_dict() for role, mem in memories.items()},
        "started_at": started, "finished_at": utc_now(), "duration_s": round(time.perf_counter() - t0, 6),
    }


def _memories_before(run_dir: Path, index: MatchIndex, record: dict[str, Any]) -> dict[str, Memory]:
    """What the series carried into this round: the previous round's ``memory_after`` (none in round 1)."""
    previous_id = f"{record['series_id']}.r{record['round'] - 1}"
    previous = find_match(run_dir, previous_id, index) if previous_id in index.entries else None
    if previous is None:
        return {}
    return {role: Memory.from_dict(data) for role, data in (previous.get("memory_after") or {}).items()}


def fork(run_dir: Path, match: str, k: int, *, swaps: dict[str, Path] | None = None, critic: Path | None = None,
         n: int = 1, logs_dir: Path | None = None, run_id: str | None = None) -> Path:
    """Write a child run of ``n`` branches of ``match`` forked after its first ``k`` turns; returns its directory."""
    header, resolved = stored_config(run_dir)
    index = load_index(run_dir)
    record = find_match(run_dir, match, index) if match in index.entries else None
    if record is None:
        raise ForkError(f"{run_dir}: no match {match!r} (list them with: arena replay {run_dir})")
    if not 0 <= k <= len(record["transcript"]):
        raise ForkError(f"--turn {k}: match {match} has {len(record['transcript'])} logged turns")
    swaps = swaps or {}
    child = forked_config(resolved, swaps, critic)
    series = _series_of(resolved, record, int(header.get("seed_rule", 1)))
    swapped = tuple((role, child.players[role][0] if role in swaps else agent) for role, agent in series.pairing)
    series = replace(series, pairing=swapped)
    seeds = [derive_seed(record["seed"], f"fork{i}") for i in range(n)]
    parent = {
        "kind": "fork", "run_id": header["run_id"], "run_dir": str(run_dir), "match_id": match, "turn": k,
        "swap": {r: str(p) for r, p in swaps.items()}, "critic": str(critic) if critic else None,
        "branches": [{"match_id": f"{match}.b{i}", "seed": s} for i, s in enumerate(seeds)],
    }
    log = RunLog.create(logs_dir or run_dir.parent, run_id or child_id(header["run_id"], "fork"),
                        child.model_dump(mode="json"), seed=child.tournament.seed, argv=sys.argv[1:],
                        seed_rule=int(header.get("seed_rule", 1)), parent=parent)
    try:
        ctx = build_context(child, RunOptions(local=True))
        ctx.run_id = log.header["run_id"]

        async def all_branches() -> None:
            fb = child.tournament.feedback
            advised = fb.advised_roles(game_of(child.scenarios[record["scenario"]]).roles) if fb else ()
            for i, fork_seed in enumerate(seeds):
                memories = _memories_before(run_dir, index, record)
                for role in advised:
                    memories.setdefault(role, Memory(budget_tokens=child.tournament.memory.budget_tokens))
                log.append(await play_branch(ctx, series, record, k, i, fork_seed, memories))

        asyncio.run(all_branches())
    except BaseException:
        log.finish("interrupted")
        raise
    log.finish("finished", {"planned": n, "played": n})
    return log.dir


def fork_view(header: dict[str, Any], records: list[dict[str, Any]]) -> str | None:
    """A child run's branches as text: the shared prefix once, then each branch from the first turn where
    the branches differ (a mark on turns that differ from the parent's). None for a run that is no fork."""
    parent = header.get("parent") or {}
    if parent.get("kind") != "fork":
        return None
    k = int(parent["turn"])
    parent_turns: list[dict[str, Any]] = []
    try:
        _, parent_records = read_run(Path(parent["run_dir"]), on_problem=lambda _m: None)
        parent_turns = next((r["transcript"] for r in parent_records if r["match_id"] == parent["match_id"]), [])
    except ArenaError:
        pass  # the parent was moved: show the branches without the comparison
    branches = sorted(records, key=lambda r: r["match_id"])
    lines = [f"fork of {parent['run_id']} match {parent['match_id']} after turn {k}"
             + (f", swap {', '.join(f'{r}={p}' for r, p in parent['swap'].items())}" if parent.get("swap") else "")
             + (f", critic {parent['critic']}" if parent.get("critic") else "") + f": {len(branches)} branch(es)"]
    texts = [[t["text"] for t in r["transcript"]] for r in branches]
    shared = 0
    while texts and all(len(t) > shared for t in texts) and len({t[shared] for t in texts}) == 1:
        shared += 1
    lines.append(f"-- shared prefix: turns 0..{shared - 1} ({k} replayed from the parent)" if shared else
                 "-- no shared prefix")
    for turn in (branches[0]["transcript"][:shared] if branches else []):
        lines.append(_turn_line(turn, parent_turns))
    for record in branches:
        rewards = ", ".join(f"{r} {v:g}" for r, v in record["rewards"].items())
        lines.append(f"-- branch {record['match_id']} ({record['status']}; rewards {rewards}); from turn {shared}:")
        lines += [_turn_line(t, parent_turns) for t in record["transcript"][shared:]]
    return "\n".join(lines)


def _turn_line(turn: dict[str, Any], parent_turns: list[dict[str, Any]]) -> str:
    i = turn["turn"]
    same = i < len(parent_turns) and parent_turns[i]["text"] == turn["text"] and parent_turns[i]["role"] == turn["role"]
    mark = " " if same else "*"
    return f"{mark} {i:>3} {turn['role']:<10} {turn['agent']:<16} {' '.join(turn['text'].split())}"
