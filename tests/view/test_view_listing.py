"""The match list's pure pieces: filters from a query string and back, outcome classes from a game's
declared rates, natural order of ids, and pages."""

from __future__ import annotations

import pytest

from arena.registry import Metric, game
from arena.view.listing import Filters, Row, matches, natural_key, outcome_choices, outcome_classes, paginate


def record(**fields: object) -> dict:
    base = {"match_id": "m", "status": "ok", "agents": {"seller": "s", "buyer": "b"}, "outcome": {}}
    return {**base, **fields}


def test_filters_read_a_query_string_and_write_it_back_without_empty_fields() -> None:
    filters = Filters.from_query({"arm": ["ai"], "agent": [""], "outcome": ["deal_rate=yes"], "page": ["3"]})
    assert filters == Filters(arm="ai", outcome="deal_rate=yes", page=3)
    assert filters.active() == {"arm": "ai", "outcome": "deal_rate=yes"}
    assert filters.query(page=4) == "?arm=ai&outcome=deal_rate%3Dyes&page=4"
    assert filters.query(page=1) == "?arm=ai&outcome=deal_rate%3Dyes"
    assert Filters().query() == ""


@pytest.mark.parametrize("page", ["0", "-2", "two", ""])
def test_a_page_that_is_not_a_positive_whole_number_is_the_first(page: str) -> None:
    assert Filters.from_query({"page": [page]}).page == 1


def test_a_negotiation_matchs_outcome_classes_are_its_deal_rate_and_error_stands_alone() -> None:
    metrics = game("negotiation").metrics
    assert outcome_classes(record(outcome={"deal": True, "price": 15}), metrics) == {"deal_rate=yes"}
    assert outcome_classes(record(outcome={"deal": False, "price": None}), metrics) == {"deal_rate=no"}
    assert outcome_classes(record(status="error", outcome={"deal": True}), metrics) == {"error"}
    assert outcome_choices(metrics, ["seller", "buyer"]) == [
        ("deal_rate=yes", "deals: yes"), ("deal_rate=no", "deals: no"), ("error", "error")]


def test_a_per_role_rate_gives_one_class_per_role_and_an_undefined_rate_none() -> None:
    won = Metric("win_rate", "wins", lambda r, role: 1.0 if r["outcome"].get("winner") == role else 0.0,
                 kind="rate", per_role=True)
    solved = Metric("solved", "solved", lambda r, role: r["outcome"].get("solved"), kind="rate", role="buyer")
    rec = record(outcome={"winner": "buyer"})
    assert outcome_classes(rec, (won, solved)) == {"win_rate@seller=no", "win_rate@buyer=yes"}
    assert [label for _v, label in outcome_choices((won, solved), ["seller", "buyer"])] == [
        "seller's wins: yes", "seller's wins: no", "buyer's wins: yes", "buyer's wins: no",
        "buyer's solved: yes", "buyer's solved: no", "error"]


def test_every_filter_set_must_hold_and_an_agent_matches_in_any_role() -> None:
    row = Row("m", "s", "balloon", "ai", 2, 3, False, (("seller", "tough"), ("buyer", "fair")), "ok", "deal $15",
              6, (("seller", 0.5),), frozenset({"deal_rate=yes"}))
    assert matches(row, Filters())
    assert matches(row, Filters(agent="fair"))
    assert matches(row, Filters(arm="ai", agent="tough", scenario="balloon", outcome="deal_rate=yes"))
    assert not matches(row, Filters(arm="ai", outcome="deal_rate=no"))
    assert not matches(row, Filters(agent="tough-buyer"))
    assert not matches(row, Filters(scenario="bicycle"))


def test_ids_sort_with_their_numbers_read_as_numbers() -> None:
    ids = ["b.s1.r10", "b.s1.r2", "b.s10.r1", "a.s2.r1", "b.s1.r1"]
    assert sorted(ids, key=natural_key) == ["a.s2.r1", "b.s1.r1", "b.s1.r2", "b.s1.r10", "b.s10.r1"]


def test_pages_hold_size_items_and_a_page_past_the_end_is_the_last() -> None:
    items = list(range(1, 24))  # 23 items, 10 a page: pages of 10, 10, 3
    second = paginate(items, 2, 10)
    assert (second.items, second.number, second.pages, second.total, second.start) == (
        list(range(11, 21)), 2, 3, 23, 11)
    last = paginate(items, 9, 10)
    assert (last.items, last.number, last.start) == ([21, 22, 23], 3, 21)
    empty = paginate([], 1, 10)
    assert (empty.items, empty.number, empty.pages, empty.start) == ([], 1, 1, 0)
    with pytest.raises(ValueError, match="page size must be at least 1, got 0"):
        paginate(items, 1, 0)
