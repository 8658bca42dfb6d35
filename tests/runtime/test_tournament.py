"""A scripted tournament end to end: through Ray, in-process, resumed after a torn write, reseeded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from arena.config import load_tournament
from arena.runlog import MATCHES_FILE, read_run
from arena.runtime.pool import RunOptions
from arena.schedule import plan
from arena.tournament import execute, prepare_new, prepare_resume

BALLOON = Path(__file__).resolve().parents[2] / "scenarios" / "negotiation" / "balloon-scripted.yaml"


def run(tmp_path: Path, options: RunOptions, run_id: str = "t", source: Path = BALLOON) -> Path:
    prepared = prepare_new(load_tournament(source), tmp_path / "logs", run_id)
    execute(prepared, options)
    return prepared.log.dir


def outcomes(run_dir: Path) -> dict[str, tuple]:
    _, records = read_run(run_dir)
    return {r["match_id"]: (r["outcome"]["deal"], r["outcome"]["price"], r["rewards"]["seller"]) for r in records}


def test_through_ray_logs_every_planned_match(tmp_path: Path, ray_session) -> None:
    run_dir = run(tmp_path, RunOptions(concurrency=4))
    header, records = read_run(run_dir)
    assert len(records) == 3 * 3 * 4  # sellers x buyers x repeats, one round each
    assert len({r["match_id"] for r in records}) == len(records)
    assert header["status"] == "finished"
    assert header["summary"]["ok"] == 36
    assert all(r["status"] == "ok" and r["transcript"] for r in records)
    # the run.json holds everything needed to resume without the YAML
    names = {f"{s}-{r}" for s in ("tough", "fair", "eager") for r in ("seller", "buyer")}
    assert set(header["config"]["agents"]) == names


def test_ray_and_local_agree_and_seed_fixes_outcomes(tmp_path: Path, ray_session) -> None:
    through_ray = outcomes(run(tmp_path, RunOptions(concurrency=3), "ray"))
    local = outcomes(run(tmp_path, RunOptions(local=True), "local"))
    again = outcomes(run(tmp_path, RunOptions(local=True, concurrency=1), "again"))
    assert through_ray == local == again


def copy_of_balloon(tmp_path: Path, seed: int = 7) -> Path:
    """balloon-scripted.yaml under ``tmp_path`` (its relative paths made absolute), never in the repository."""
    agents = BALLOON.parents[2] / "agents"
    text = BALLOON.read_text().replace("[balloon.yaml]", f"[{BALLOON.parent / 'balloon.yaml'}]")
    text = text.replace("../../agents/", f"{agents}/").replace("seed: 7", f"seed: {seed}")
    path = tmp_path / f"balloon-seed{seed}.yaml"
    path.write_text(text)
    return path


def test_other_seed_changes_outcomes(tmp_path: Path) -> None:
    a = outcomes(run(tmp_path, RunOptions(local=True), "a"))
    b = outcomes(run(tmp_path, RunOptions(local=True), "b", copy_of_balloon(tmp_path, seed=8)))
    assert a.keys() == b.keys()
    assert a != b


def test_series_ids_cannot_collide_when_names_hold_dots(tmp_path: Path) -> None:
    # scenario "s" with seller "x.y" and scenario "s.x" with seller "y" joined to one id before
    root = BALLOON.parents[2]
    for name in ("s", "s.x"):
        text = (BALLOON.parent / "balloon.yaml").read_text().replace("name: balloon", f"name: {name}")
        (tmp_path / f"{name}.yaml").write_text(text)
    for name in ("x.y", "y"):
        text = (root / "agents" / "fair-seller.yaml").read_text().replace("name: fair-seller", f"name: {name}")
        (tmp_path / f"{name}-card.yaml").write_text(text)
    path = tmp_path / "t.yaml"
    path.write_text(
        "schema_version: 1\nname: dots\nscenarios: [s.yaml, s.x.yaml]\n"
        f"players: {{seller: [x.y-card.yaml, y-card.yaml], buyer: [{root / 'agents' / 'fair-buyer.yaml'}]}}\n"
        "repeats: 1\n"
    )
    series = plan(load_tournament(path))
    ids = sorted(s.series_id for s in series)
    assert len(set(ids)) == len(ids) == 4
    assert "s.x%2Ey.fair-buyer.none.s0" in ids and "s%2Ex.y.fair-buyer.none.s0" in ids
    _, records = read_run(run(tmp_path, RunOptions(local=True), "dots", path))
    assert len(records) == 4  # every reader sees each match; a shared id would have hidden one


def test_resume_after_torn_write_finishes_the_rest_once(tmp_path: Path) -> None:
    full = run(tmp_path, RunOptions(local=True), "full")
    # simulate a kill mid-write: keep 10 whole lines and half of the 11th
    crashed = tmp_path / "logs" / "crashed"
    shutil.copytree(full, crashed)
    lines = (crashed / MATCHES_FILE).read_bytes().splitlines(keepends=True)
    (crashed / MATCHES_FILE).write_bytes(b"".join(lines[:10]) + lines[10][: len(lines[10]) // 2])
    header = json.loads((crashed / "run.json").read_text())
    header["status"] = "running"
    (crashed / "run.json").write_text(json.dumps(header))

    prepared = prepare_resume(crashed)
    assert prepared.summary.already_done == 10
    assert prepared.summary.torn_bytes == len(lines[10]) // 2
    summary = execute(prepared, RunOptions(local=True))
    assert summary.played == 26

    _, records = read_run(crashed)
    ids = [r["match_id"] for r in records]
    assert len(ids) == len(set(ids)) == 36
    assert outcomes(crashed) == outcomes(full)
    assert (crashed / "matches.jsonl.torn").read_bytes().startswith(lines[10][:20])


def test_resume_of_a_finished_run_plays_nothing(tmp_path: Path) -> None:
    done = run(tmp_path, RunOptions(local=True))
    prepared = prepare_resume(done)
    assert prepared.todo == []
    assert execute(prepared, RunOptions(local=True)).played == 0
    assert len(read_run(done)[1]) == 36


def test_existing_run_directory_is_never_overwritten(tmp_path: Path) -> None:
    from arena.errors import RunlogError

    run(tmp_path, RunOptions(local=True), "same")
    before = (tmp_path / "logs" / "same" / MATCHES_FILE).read_bytes()
    with pytest.raises(RunlogError, match="run directory exists; resume it with --resume"):
        run(tmp_path, RunOptions(local=True), "same")
    assert (tmp_path / "logs" / "same" / MATCHES_FILE).read_bytes() == before


def test_moderator_verdict_is_logged_beside_the_parser(tmp_path: Path) -> None:
    _, records = read_run(run(tmp_path, RunOptions(local=True)))
    for rec in records:
        verdict = rec["outcome"]["moderator"]
        assert verdict["source"] == "rules"
        assert verdict["agrees"] is True  # scripted players speak in tokens: judge and parser agree
        if rec["outcome"]["deal"]:
            assert verdict["state"] == "deal" and verdict["price"] == rec["outcome"]["price"]


def test_placed_actors_serve_a_second_run_of_the_same_cards(tmp_path: Path, ray_session) -> None:
    from arena.runtime.pool import build_context

    resolved = load_tournament(BALLOON)
    context = build_context(resolved, RunOptions(concurrency=4))
    dirs = []
    for run_id in ("first", "second"):
        prepared = prepare_new(resolved, tmp_path / "logs", run_id)
        execute(prepared, RunOptions(concurrency=4), context=context)
        dirs.append(prepared.log.dir)
    assert outcomes(dirs[0]) == outcomes(dirs[1])
    assert {r["run_id"] for r in read_run(dirs[1])[1]} == {"second"}


def test_a_reused_context_must_hold_every_card_the_run_plays(tmp_path: Path) -> None:
    from arena.runtime.pool import build_context

    resolved = load_tournament(BALLOON)
    context = build_context(resolved, RunOptions(local=True))
    context.players = {k: v for k, v in context.players.items() if k != "eager-buyer"}
    prepared = prepare_new(resolved, tmp_path / "logs", "short")
    with pytest.raises(ValueError, match="eager-buyer"):
        execute(prepared, RunOptions(local=True), context=context)
