"""The in-context memory under its token budget: what is dropped first, what survives, what round-trips.

Token counts are computed by hand: ``estimate_tokens`` is ceil(len / 4) and each entry costs 4 more, so a
40-character text costs 10 + 4 = 14 tokens.
"""

from __future__ import annotations

from arena.memory import Memory, estimate_tokens

TEXT = "x" * 40  # 14 tokens as an entry


def memory(budget: int) -> Memory:
    mem = Memory(budget_tokens=budget)
    mem.add_outcome(1, "o1" + TEXT[2:])
    mem.add_advice(1, ["a1" + TEXT[2:], "a2" + TEXT[2:]])
    mem.add_outcome(2, "o2" + TEXT[2:])
    mem.add_advice(2, ["a3" + TEXT[2:]])
    return mem  # 5 entries, 70 tokens


def labels(mem: Memory) -> list[str]:
    return [e["text"][:2] for e in mem.kept()]


def test_token_estimate_by_hand() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens(TEXT) == 10


def test_within_budget_everything_is_kept_in_order() -> None:
    mem = memory(70)
    assert labels(mem) == ["o1", "a1", "a2", "o2", "a3"]
    assert mem.tokens() == 70


def test_over_budget_drops_the_oldest_outcome_first() -> None:
    mem = memory(69)  # one token over: one entry must go, and it is the round-1 outcome
    assert labels(mem) == ["a1", "a2", "o2", "a3"]
    assert mem.tokens() == 56


def test_every_outcome_goes_before_any_advice() -> None:
    mem = memory(42)  # 70 -> 56 (o1) -> 42 (o2): advice untouched
    assert labels(mem) == ["a1", "a2", "a3"]
    mem = memory(41)  # then the oldest advice
    assert labels(mem) == ["a2", "a3"]
    mem = memory(14)
    assert labels(mem) == ["a3"]


def test_never_over_budget_and_nothing_is_forgotten_for_the_log() -> None:
    for budget in range(0, 80):
        mem = memory(budget)
        assert mem.tokens() <= budget or not mem.kept()
        assert len(mem.to_dict()["entries"]) == 5  # the log keeps all; only the prompt is trimmed


def test_render_shows_only_what_fits() -> None:
    text = memory(41).render()
    assert "Round 1" not in text and "Round 2" not in text
    assert "a1" not in text
    assert text.splitlines() == ["Advice from your coach (apply it):", "- a2" + TEXT[2:], "- a3" + TEXT[2:]]
    assert Memory().render() == ""


def test_round_trip_keeps_budget_and_entries() -> None:
    mem = memory(41)
    again = Memory.from_dict(mem.to_dict())
    assert again.to_dict() == mem.to_dict()
    assert labels(again) == labels(mem)
