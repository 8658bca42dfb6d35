"""A 3-node Ray cluster from ``ray.cluster_utils.Cluster`` (real raylets), driven by this process.

Run by tests/runtime/test_cluster.py in a subprocess, so the suite's own Ray (one ``ray.init`` per pytest
session) is never touched: ``python tests/runtime/cluster_job.py MODE WORKDIR`` prints one JSON document.
The cluster's temp dir is under WORKDIR, so the test can tell this cluster's processes from any other.

Modes:
- ``place``: place the players of an embedded tournament (4 SmolLM2 cards: each loads the node's model
  actor) and report where every actor lives; then play the scripted cross-play tournament and report its
  log and every file under WORKDIR (only the driver may have written ``logs/``).
- ``node-loss``: play a scripted tournament and remove the worker node with the most player actors after a
  few matches are logged; report the log, the removal's time, and where each card's player lived before
  and lives afterwards.
"""

from __future__ import annotations

import collections
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AGENTS = ROOT / "agents"
SCENARIO = ROOT / "scenarios" / "negotiation" / "balloon.yaml"
CARDS = {"seller": ["tough-seller", "fair-seller", "eager-seller"],
         "buyer": ["tough-buyer", "fair-buyer", "eager-buyer"]}


def tournament(work: Path, name: str, players: dict[str, list[str]], repeats: int) -> Path:
    listed = ", ".join(f"{role}: [{', '.join(str(work / f'{c}.yaml') for c in cards)}]"
                       for role, cards in players.items())
    path = work / f"{name}.yaml"
    path.write_text(f"schema_version: 1\nname: {name}\nformat: cross_play\nscenarios: [{SCENARIO}]\n"
                    f"players: {{{listed}}}\nrounds: 1\nrepeats: {repeats}\nseed: 3\n")
    return path


def copy_cards(work: Path) -> None:
    """The shipped cards, plus two more SmolLM2 players (same weights: the same model actor per node)."""
    for card in AGENTS.glob("*.yaml"):
        (work / card.name).write_text(card.read_text())
    for role in ("seller", "buyer"):
        text = (AGENTS / f"smollm2-{role}.yaml").read_text()
        (work / f"smollm2-{role}-b.yaml").write_text(text.replace(f"name: smollm2-{role}", f"name: smollm2-{role}-b"))


def actors() -> list[dict[str, Any]]:
    """Every actor of the cluster: class, node, state, name (GCS's table; no dashboard needed)."""
    import ray._private.state as state

    return [{"class": a["ActorClassName"], "node": a["Address"]["NodeID"], "state": a["State"], "name": a["Name"]}
            for a in state.actors().values()]


def files(work: Path) -> list[str]:
    return sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file() and p.name != "result.json"
                  and not str(p.relative_to(work)).startswith(("ray/", "cards/", "home/")) and p.suffix != ".yaml")


def play(path: Path, address: str, on_record: Any = None, concurrency: int = 3, context: Any = None) -> Path:
    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    prepared = prepare_new(load_tournament(path), Path("logs"), path.stem)
    execute(prepared, RunOptions(address=address, concurrency=concurrency), on_record, context=context)
    return prepared.log.dir


def hosts(ctx: Any) -> dict[str, str | None]:
    """The node each card's player actor lives on now; None for one still pinned to a removed node (a lost
    actor is placed again only when one of its calls fails, and a card may have had no call left to make)."""
    import ray
    from ray.exceptions import RayError

    out: dict[str, str | None] = {}
    for name, player in ctx.players.items():
        try:
            out[name] = ray.get(player.actor.where.remote(), timeout=30)["node"]
        except (RayError, TimeoutError):
            out[name] = None
    return out


def main(mode: str, work: Path) -> dict[str, Any]:
    import ray
    from ray.cluster_utils import Cluster

    from arena.config import load_tournament
    from arena.runlog.files import utc_now
    from arena.runtime.pool import RunOptions, build_context, start_ray

    cards = work / "cards"
    cards.mkdir()
    copy_cards(cards)
    os.chdir(work)  # logs/ is relative: a worker that wrote one would leave it here too
    t0 = time.monotonic()
    # no full dashboard: with ray[default] installed (the dev extra, for the job test) the head would start one
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "temp_dir": str(work / "ray"),
                                                            "include_dashboard": False})
    workers = [cluster.add_node(num_cpus=1) for _ in range(2)]
    cluster.wait_for_nodes()
    out: dict[str, Any] = {"nodes": [cluster.head_node.node_id] + [w.node_id for w in workers]}
    try:
        start_ray(cluster.address)
        out["started_s"] = round(time.monotonic() - t0, 1)
        if mode == "place":
            embedded = tournament(cards, "embedded", {"seller": ["smollm2-seller", "smollm2-seller-b"],
                                                      "buyer": ["smollm2-buyer", "smollm2-buyer-b"]}, 1)
            ctx = build_context(load_tournament(embedded), RunOptions(address=cluster.address))
            out["players"] = {name: ray.get(p.actor.where.remote()) for name, p in ctx.players.items()}
            models = [a for a in actors() if a["class"] == "ModelActor"]
            from arena.runtime.model_actor import NAMESPACE
            out["model_info"] = ray.get([ray.get_actor(m["name"], namespace=NAMESPACE).info.remote() for m in models])
            out["actors"] = actors()
            del ctx  # the embedded players go (their model actors are detached: the cluster's end stops them)
            scripted = tournament(cards, "scripted", CARDS, 1)
            run_dir = play(scripted, cluster.address)
            out["scripted_players"] = [a for a in actors() if a["class"] == "ScriptedPlayerActor"]
        else:
            scripted = tournament(cards, "scripted", CARDS, 6)
            options = RunOptions(address=cluster.address, concurrency=3)
            ctx = build_context(load_tournament(scripted), options)
            out["hosts_before"] = hosts(ctx)
            seen: list[str] = []

            def on_record(record: dict[str, Any]) -> None:
                seen.append(record["match_id"])
                if len(seen) == 8:  # remove the worker node that hosts the most players
                    out["actors_before"] = actors()
                    hosted = collections.Counter(a["node"] for a in out["actors_before"]
                                                 if a["class"] == "ScriptedPlayerActor" and a["state"] == "ALIVE")
                    node = max(workers, key=lambda w: hosted[w.node_id])
                    out["removed"] = node.node_id
                    cluster.remove_node(node, allow_graceful=False)
                    out["removed_at"] = utc_now()  # as the log stamps finished_at: comparable as text

            run_dir = play(scripted, cluster.address, on_record, context=ctx)
            out["actors_after"] = actors()
            out["hosts_after"] = hosts(ctx)
        out["records"] = [json.loads(line) for line in (run_dir / "matches.jsonl").read_text().splitlines()]
        out["header"] = json.loads((run_dir / "run.json").read_text())
        out["files"] = files(work)
        out["elapsed_s"] = round(time.monotonic() - t0, 1)
    finally:
        ray.shutdown()
        cluster.shutdown()
    return out


if __name__ == "__main__":
    if os.environ.get("RAY_AUTH_MODE") != "token":
        # Token authentication, as `ray start --head` clusters have it since Ray 2.59, with this cluster's own
        # token in a HOME of its own (start_ray finds it there, as on a head). Ray reads both when it is
        # imported, so set them and start again.
        home = Path(sys.argv[2]).resolve() / "home"
        (home / ".ray").mkdir(parents=True, exist_ok=True)
        (home / ".ray" / "auth_token").write_text(os.urandom(32).hex())
        # A removed node is noticed after 1 s, not Ray's default 15 s (3 s health checks, 5 failures).
        fast = {"RAY_health_check_period_ms": "500", "RAY_health_check_timeout_ms": "500",
                "RAY_health_check_failure_threshold": "2"}
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**os.environ, **fast, "HOME": str(home), "RAY_AUTH_MODE": "token"})
    result = main(sys.argv[1], Path(sys.argv[2]).resolve())
    (Path(sys.argv[2]) / "result.json").write_text(json.dumps(result))  # stdout also carries Ray's notices
