"""What the view reads of a run, without a browser: an unfiltered page reads only its own records, a filter
streams the log once and then only what it gained, and the filters count what they should (the runs are
described in conftest.py: ``fb`` has 24 matches, 12 per arm and per seller, 6 deals in ``none``, 2 in ``ai``)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arena.errors import RunlogError
from arena.view import runs as runs_module
from arena.view.listing import Filters, natural_key
from arena.view.runs import Catalog


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The match ids the view parses from the log, in order (a spy on the streaming reader it uses)."""
    seen: list[str] = []
    real = runs_module.iter_records

    def spy(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for record in real(*args, **kwargs):
            seen.append(record["match_id"])
            yield record

    monkeypatch.setattr(runs_module, "iter_records", spy)
    return seen


def ids_of(page: Any) -> list[str]:
    return [row.match_id for row in page.items]


def test_an_unfiltered_page_reads_its_own_ten_records_and_no_others(view_logs: Path, parsed: list[str]) -> None:
    run = Catalog(view_logs, page_size=10).run("fb")
    everything = sorted(json.loads(line)["match_id"] for line in (run.path / "matches.jsonl").open())
    page = run.page(Filters(page=2))
    assert (page.number, page.pages, page.total, page.start) == (2, 3, 24, 11)
    assert ids_of(page) == sorted(everything, key=natural_key)[10:20]
    assert sorted(parsed) == sorted(ids_of(page))  # 10 records read, not 24


def test_filters_narrow_the_list_to_the_hand_counted_matches(view_logs: Path, parsed: list[str]) -> None:
    run = Catalog(view_logs, page_size=10).run("fb")
    asked = [{"arm": "ai"}, {"agent": "tough-seller"}, {"arm": "ai", "agent": "tough-seller"},
             {"outcome": "deal_rate=yes"}, {"outcome": "deal_rate=no"}, {"outcome": "error"}, {"scenario": "balloon"}]
    assert [run.page(Filters(**filters)).total for filters in asked] == [12, 12, 6, 8, 16, 0, 24]
    assert len(parsed) == 24  # the first filter streamed the log once; the others read nothing
    advised_deals = run.page(Filters(arm="ai", outcome="deal_rate=yes"))
    assert ids_of(advised_deals) == ["balloon.coachable-seller.fair-buyer.ai.s0.r1",
                                     "balloon.coachable-seller.fair-buyer.ai.s1.r1"]
    assert [row.outcome for row in advised_deals.items] == ["deal $15", "deal $15"]
    second = run.page(Filters(arm="none", page=2))
    assert (len(second.items), second.number, second.pages, second.start) == (2, 2, 2, 11)


def test_a_growing_log_is_read_from_its_new_tail_only(view_logs: Path, tmp_path: Path, parsed: list[str]) -> None:
    shutil.copytree(view_logs / "fb", tmp_path / "fb")
    run = Catalog(tmp_path).run("fb")
    assert run.page(Filters(outcome="error")).total == 0
    log = run.path / "matches.jsonl"
    first = json.loads(log.open().readline())
    retried = {**first, "attempt": 2, "status": "error", "error": {"kind": "crash", "message": "boom"}}
    line, before = json.dumps(retried) + "\n", log.stat().st_size
    with log.open("a") as fh:
        fh.write(line)
        fh.write('{"match_id":"half-written","kind":"match"}\n')  # indexed, but not a match record
    parsed.clear()
    errors = run.page(Filters(outcome="error"))
    assert ids_of(errors) == [first["match_id"]]  # its last attempt counts, as on resume
    assert parsed == [first["match_id"]]  # one new record read (and a bad line skipped), not 25
    assert run.page(Filters(outcome="deal_rate=yes")).total == 7  # the first match dealt; its retry failed
    assert run.problems == [f"{log} at byte {before + len(line)}: schema_version: Field required"]


def test_the_filter_options_come_from_the_runs_config_and_game(view_logs: Path) -> None:
    run = Catalog(view_logs).run("fb")
    choices = run.choices(Filters(arm="forked-arm"))
    assert choices["arm"] == [("none", "none"), ("ai", "ai"), ("forked-arm", "forked-arm")]
    assert [v for v, _ in choices["agent"]] == ["coachable-seller", "tough-seller", "fair-buyer"]
    assert choices["scenario"] == [("balloon", "balloon")]
    assert choices["outcome"] == [("deal_rate=yes", "deals: yes"), ("deal_rate=no", "deals: no"), ("error", "error")]


def test_the_catalog_lists_runs_and_refuses_a_name_it_does_not_list(view_logs: Path, tmp_path: Path) -> None:
    catalog = Catalog(view_logs)
    assert catalog.names() == ["fb", "dm"]
    assert [(s.name, s.matches, s.header["status"]) for s in catalog.summaries()] == [
        ("fb", 24, "finished"), ("dm", 144, "finished")]
    for name in ("nope", "..", "../fb"):
        with pytest.raises(RunlogError, match="no run"):
            catalog.run(name)
    assert Catalog(view_logs / "fb").single() and Catalog(view_logs / "fb").names() == ["fb"]
    with pytest.raises(RunlogError, match="no such directory"):
        Catalog(tmp_path / "missing").names()
