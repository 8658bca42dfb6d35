"""Faults: a player actor killed mid-tournament is restarted by Ray and its match played again (a bounded
number of times, then logged as error); a model actor killed under a match is restarted and the match played
again; SIGTERM stops a run like Ctrl-C, with --local and through Ray.

Every planned match is in the log exactly once, as its final attempt.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from arena.config import load_tournament
from arena.core.protocol import ActRequest, ActResult
from arena.runlog import read_run
from arena.runtime.actors import ActorLost
from arena.runtime.pool import RunOptions, build_context
from arena.runtime.retry import MAX_ATTEMPTS
from arena.tournament import execute, prepare_new

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon-scripted.yaml"
VICTIM = "fair-seller"


class KillingPlayer:
    """A player handle that kills its actor (Ray restarts it) while a call is in flight, when ``when`` says.

    A scripted call takes microseconds, so now and then it is answered before the kill lands: ``lost``
    counts the calls that did fail (what the pool saw), ``kills`` every kill.
    """

    def __init__(self, inner: Any, when: Callable[[ActRequest, int], bool]) -> None:
        self.inner, self.when, self.kills, self.lost = inner, when, 0, 0

    async def act(self, request: ActRequest) -> ActResult:
        if not self.when(request, self.lost):
            return await self.inner.act(request)
        import ray

        task = asyncio.ensure_future(self.inner.act(request))
        await asyncio.sleep(0)  # the call is submitted: now its actor dies under it
        ray.kill(self.inner.actor, no_restart=False)
        self.kills += 1
        try:
            return await task
        except ActorLost:
            self.lost += 1
            raise

    async def ready(self, timeout_s: float) -> bool:
        return await self.inner.ready(timeout_s)


def play_with_killer(
    tmp_path: Path, when: Callable[[ActRequest, int], bool]
) -> tuple[list[dict[str, Any]], KillingPlayer]:
    """The scripted cross-play through Ray, one series at a time (so a kill fails only the target's match)."""
    resolved = load_tournament(BALLOON)
    ctx = build_context(resolved, RunOptions(concurrency=1))
    killer = KillingPlayer(ctx.players[VICTIM], when)
    ctx.players = {**ctx.players, VICTIM: killer}
    prepared = prepare_new(resolved, tmp_path / "logs", "k")
    execute(prepared, RunOptions(concurrency=1), context=ctx)
    return [json.loads(line) for line in (prepared.log.dir / "matches.jsonl").read_text().splitlines()], killer


def test_a_killed_player_actor_is_restarted_and_its_match_played_again(tmp_path: Path, ray_session) -> None:
    target = "balloon.fair-seller.tough-buyer.none.s1.r1"
    records, killer = play_with_killer(tmp_path, lambda request, lost: request.match_id == target and not lost)
    assert killer.lost == 1
    ids = [r["match_id"] for r in records]
    assert len(ids) == len(set(ids)) == 36  # every planned match once; the failed attempt is not logged
    assert all(r["status"] == "ok" for r in records)
    assert {r["match_id"]: r["attempt"] for r in records if r["attempt"] != 1} == {target: 2}


def test_an_actor_that_keeps_dying_ends_its_match_as_error_after_the_bounded_attempts(
    tmp_path: Path, ray_session
) -> None:
    target = "balloon.fair-seller.eager-buyer.none.s2.r1"
    records, killer = play_with_killer(tmp_path, lambda request, _lost: request.match_id == target)
    assert killer.lost == MAX_ATTEMPTS == 3
    ids = [r["match_id"] for r in records]
    assert len(ids) == len(set(ids)) == 36
    (failed,) = [r for r in records if r["status"] != "ok"]
    assert (failed["match_id"], failed["attempt"], failed["error"]["kind"]) == (target, 3, "crash")
    assert failed["error"]["message"].startswith("ActorLost: ")
    _, read = read_run(tmp_path / "logs" / "k")
    assert sum(r["status"] == "ok" for r in read) == 35  # the actor served everything after its restarts


def test_a_killed_model_actor_is_restarted_by_ray(ray_session) -> None:
    import ray

    from arena.config.model_spec import ModelSpec
    from arena.runtime.model_actor import model_actor_for

    spec = ModelSpec.model_validate({"backend": "embedded", "n_threads": 1, "n_ctx": 256})
    actor = model_actor_for(spec)
    try:
        assert ray.get(actor.info.remote())["error"] is None
        ray.kill(actor, no_restart=False)
        deadline = time.monotonic() + 60
        while True:  # the same handle answers again once Ray has restarted (and reloaded) it
            try:
                assert ray.get(actor.info.remote(), timeout=30)["error"] is None
                break
            except ray.exceptions.RayActorError:
                assert time.monotonic() < deadline
                time.sleep(0.5)
    finally:
        ray.kill(actor, no_restart=True)


class ModelKiller:
    """An LLM player's handle that kills the node's embedded model actor (Ray restarts it) while the player's
    call to it is in flight, on each of ``target``'s turns until one call fails for it.

    A kill can land before the player has reached its model (the queued call is then served by the
    restarted actor): ``kills`` counts every kill, ``lost`` the turns that came back failed by one.
    """

    def __init__(self, inner: Any, target: str, model: Any) -> None:
        self.inner, self.target, self.model, self.kills, self.lost = inner, target, model, 0, 0

    async def act(self, request: ActRequest) -> ActResult:
        if request.match_id != self.target or self.lost:
            return await self.inner.act(request)
        import ray

        task = asyncio.ensure_future(self.inner.act(request))
        await asyncio.sleep(0.3)  # the player has sent its prompt: the model is reading it or generating
        ray.kill(self.model, no_restart=False)
        self.kills += 1
        result = await task
        if result.error and "the model actor died" in result.error["message"]:
            self.lost += 1
        return result

    async def ready(self, timeout_s: float) -> bool:
        return await self.inner.ready(timeout_s)


def test_a_model_actor_killed_mid_match_is_restarted_and_the_match_played_again(
    tmp_path: Path, ray_session
) -> None:
    """A real embedded SmolLM2 seller (short replies) against a scripted buyer, 3 seeds one at a time: the
    node's model actor is killed under the second match; that match is played again on the reloaded model
    and logged once, ok, as attempt 2; the others are untouched."""
    import ray

    from arena.runtime.model_actor import NAMESPACE, actor_name

    card = yaml.safe_load((ROOT / "agents" / "smollm2-seller.yaml").read_text())
    card["policy"]["model"]["max_tokens"] = 24
    (tmp_path / "seller.yaml").write_text(yaml.safe_dump(card))
    (tmp_path / "balloon.yaml").write_text(
        (BALLOON.parent / "balloon.yaml").read_text().replace("max_turns: 20", "max_turns: 4"))
    (tmp_path / "t.yaml").write_text(yaml.safe_dump({
        "schema_version": 1, "kind": "tournament", "name": "model-kill", "format": "cross_play",
        "scenarios": ["balloon.yaml"], "rounds": 1, "repeats": 3, "seed": 7,
        "players": {"seller": ["seller.yaml"], "buyer": [str(ROOT / "agents" / "fair-buyer.yaml")]}}))
    resolved = load_tournament(tmp_path / "t.yaml")
    ctx = build_context(resolved, RunOptions(concurrency=1))
    spec = resolved.agents["smollm2-seller"].policy.model
    model = ray.get_actor(actor_name(spec, ray.get_runtime_context().get_node_id()), namespace=NAMESPACE)
    target = "balloon.fair-buyer.smollm2-seller.none.s1.r1"  # the second of s0, s1, s2
    killer = ModelKiller(ctx.players["smollm2-seller"], target, model)
    ctx.players = {**ctx.players, "smollm2-seller": killer}
    prepared = prepare_new(resolved, tmp_path / "logs", "m")
    try:
        execute(prepared, RunOptions(concurrency=1), context=ctx)
    finally:
        ray.kill(model, no_restart=True)  # detached: it would outlive the test
    _, records = read_run(prepared.log.dir)
    assert killer.lost == 1 and killer.kills >= 1
    ids = [r["match_id"] for r in records]
    assert len(ids) == len(set(ids)) == 3  # every planned match once; the failed attempt is not logged
    assert [r["status"] for r in records] == ["ok"] * 3
    assert {r["match_id"]: r["attempt"] for r in records} == {
        target.replace("s1", s): 2 if s == "s1" else 1 for s in ("s0", "s1", "s2")}
    (retried,) = [r for r in records if r["match_id"] == target]
    assert retried["transcript"] and retried["usage"]["seller"]["completion_tokens"] > 0  # the reloaded model spoke


def _tournament(tmp_path: Path, repeats: int) -> Path:
    text = BALLOON.read_text().replace("../../agents/", f"{ROOT / 'agents'}/")
    text = text.replace("[balloon.yaml]", f"[{BALLOON.parent / 'balloon.yaml'}]")
    path = tmp_path / "t.yaml"
    path.write_text(text.replace("repeats: 4", f"repeats: {repeats}"))
    return path


def _arena(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}  # a run without --local starts its own Ray
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return subprocess.Popen([sys.executable, "-c", "from arena.cli.app import main; main()", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _sigterm_then_resume(tmp_path: Path, repeats: int, *how: str) -> None:
    """Start ``arena run`` (``how``: --local, or Ray's flags), SIGTERM it once a match is logged, then resume.

    Checked: exit 130, the run marked interrupted, only whole ok matches logged, the resume command printed
    (no traceback); the resume, run the same way, plays what is left: every planned match once."""
    planned = 9 * repeats
    tournament = _tournament(tmp_path, repeats)
    run = _arena("run", str(tournament), *how, "--quiet", "--logs-dir", str(tmp_path), "--run-id", "t")
    log = tmp_path / "t" / "matches.jsonl"
    deadline = time.monotonic() + 120
    while not (log.exists() and log.stat().st_size) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert run.poll() is None, run.communicate()[1]
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err[-2000:]
    assert json.loads((tmp_path / "t" / "run.json").read_text())["status"] == "interrupted"
    lines = log.read_text().splitlines()
    assert 0 < len(lines) < planned and all(json.loads(line)["status"] == "ok" for line in lines)  # none torn
    assert f"resume with arena run --resume {tmp_path / 't'}" in err and "Traceback" not in err
    again = _arena("run", "--resume", str(tmp_path / "t"), *how, "--quiet", "--json")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-2000:]
    ids = [json.loads(line)["match_id"] for line in log.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == planned
    assert json.loads(out)["already_done"] == len(lines)
    assert json.loads((tmp_path / "t" / "run.json").read_text())["status"] == "finished"


def test_sigterm_stops_cleanly_and_the_resume_finishes_every_match_once(tmp_path: Path) -> None:
    _sigterm_then_resume(tmp_path, 150, "--local")  # 1,350 matches: seconds of work, stopped after a few


def test_sigterm_through_ray_stops_cleanly_and_the_resume_finishes_every_match_once(tmp_path: Path) -> None:
    """The same through Ray (the run's own local instance): the series in flight are cancelled while their
    actors' calls are out, and the resume places the actors again."""
    _sigterm_then_resume(tmp_path, 40, "--concurrency", "2")  # 360 matches, about 10 s through Ray


def test_only_a_lost_actor_is_retried_not_what_the_agent_did() -> None:
    """The errors as the match loop and the LLM player record them: a lost player actor (``ActorLost``) and a
    dead model actor (the LLM player's ModelError) are retried; a policy bug or a refusing server is not."""
    from arena.errors import ModelError
    from arena.runtime.match import _error
    from arena.runtime.retry import lost_actor

    def failed(error: dict[str, Any]) -> dict[str, Any]:
        return {"status": "error", "error": error}

    lost = ActorLost("ActorDiedError: the actor died")
    model = ModelError("the model actor died: ActorDiedError", kind="server", model="smollm2")
    refused = ModelError("HTTP 500", kind="server", model="smollm2")
    assert lost_actor(failed(_error("crash", f"{type(lost).__name__}: {lost}", "seller")))
    assert lost_actor(failed({"kind": model.kind, "message": str(model), "role": "seller"}))
    assert not lost_actor(failed(_error("crash", "ValueError: bad offer", "seller")))
    assert not lost_actor(failed({"kind": refused.kind, "message": str(refused), "role": "seller"}))
    assert not lost_actor({"status": "ok", "error": None})
