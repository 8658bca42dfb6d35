"""Seeds for duplicate comparisons: every pairing on a scenario meets the same seed per repeat."""

from __future__ import annotations

from pathlib import Path

from arena.analysis.ratings import comparisons
from arena.config import load_tournament
from arena.runlog import read_run
from arena.runtime.pool import RunOptions
from arena.schedule import derive_seed, plan
from arena.tournament import execute, prepare_new

BALLOON = Path(__file__).resolve().parents[2] / "scenarios" / "negotiation" / "balloon-scripted.yaml"


def test_every_pairing_meets_the_same_seed_per_repeat() -> None:
    series = plan(load_tournament(BALLOON))
    by_repeat: dict[int, set[int]] = {}
    for spec in series:
        by_repeat.setdefault(spec.repeat, set()).add(spec.seed)
    assert len(series) == 36 and all(len(seeds) == 1 for seeds in by_repeat.values())  # 9 pairings, one seed
    assert by_repeat[0] == {derive_seed(7, "balloon|0")}  # the file's seed: 7, scenario and repeat only
    assert len({next(iter(s)) for s in by_repeat.values()}) == 4  # the repeats differ


def test_a_played_tournament_is_compared_on_the_same_seeds(tmp_path: Path) -> None:
    """Keyed on the seed as well, the scripted cross-play still compares every pair of a role on every board:
    3 agents a role (3 pairs) x 3 opponents x 4 repeats = 36 comparisons per role."""
    prepared = prepare_new(load_tournament(BALLOON), tmp_path / "logs", "dup")
    execute(prepared, RunOptions(local=True))
    comps = comparisons(read_run(prepared.log.dir)[1])
    assert sum(c.role == "seller" for c in comps) == 36 and sum(c.role == "buyer" for c in comps) == 36


def test_a_run_keeps_the_seed_rule_it_started_with(tmp_path: Path) -> None:
    """New runs say seed_rule 2 in run.json; a run whose header has none (written before rule 2) is planned,
    resumed and rerun with rule 1, where the pairing is part of the key, or its arms would meet other seeds."""
    from arena.runlog import read_header
    from arena.tournament import prepare_resume

    resolved = load_tournament(BALLOON)
    old = {spec.series_id: spec.seed for spec in plan(resolved, seed_rule=1)}
    first = next(iter(old))  # balloon.tough-seller.tough-buyer.none.s0 in the file's order
    agents = first.split(".")[1:3]
    assert old[first] == derive_seed(7, f"balloon|{agents[0]}|{agents[1]}|0")
    prepared = prepare_new(resolved, tmp_path / "logs", "rule")
    assert read_header(prepared.log.dir)["seed_rule"] == 2
    prepared.log.close()
    header_path = prepared.log.dir / "run.json"
    import json

    header = json.loads(header_path.read_text())
    del header["seed_rule"]  # as a run written before rule 2
    header_path.write_text(json.dumps(header))
    resumed = prepare_resume(prepared.log.dir)
    assert {spec.series_id: spec.seed for spec in resumed.series} == old
    resumed.log.close()
