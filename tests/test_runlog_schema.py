"""The run log's typed records (schema_version 2): what validates, what is refused and how it is said, and
the upgrade of a version-1 line, pinned by hand on a turn of the committed v1 fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from arena import __version__
from arena.errors import RunlogError
from arena.runlog import (
    MATCHES_FILE,
    MatchRecord,
    RunLog,
    dumps_line,
    first_error,
    parse_header,
    parse_match,
    read_matches,
    turn_record,
)

V1 = Path(__file__).resolve().parent / "data" / "v1_log"


def v2_record() -> dict[str, Any]:
    """A small version-2 match line, as the writer writes it."""
    return {
        "schema_version": 2, "kind": "match", "arena_version": "9.9.9", "run_id": "r", "match_id": "m.r1",
        "series_id": "m", "scenario": "balloon", "game": "negotiation", "arm": "ai", "repeat": 0, "round": 1,
        "rounds": 2, "attempt": 1, "seed": 5, "agents": {"seller": "s", "buyer": "b"}, "status": "ok",
        "error": None, "outcome": {"deal": True, "price": 15.0, "free": {"any": [1]}},
        "rewards": {"seller": 0.5, "buyer": 0.5},
        "transcript": [
            {"turn": 0, "role": "seller", "agent": "s", "text": "[OFFER $20]", "player_how": "scripted",
             "payload": {"offer": 20.0, "accept": False, "how": "token"}},
            {"turn": 1, "role": "buyer", "agent": "b", "text": "deal!", "player_how": "structured",
             "payload": {"accept": True}, "prompt": [{"role": "user", "content": "hi"}],
             "feedback": {"arm": "ai", "suggestions": ["hold"], "ratings": {"timing": 2.0}}},
        ],
        "memory_before": {"seller": ""}, "feedback": {}, "memory_after": {"seller": {"entries": []}},
        "usage": {"seller": {}, "buyer": {}}, "started_at": "t0", "finished_at": "t1", "duration_s": 0.25,
    }


def refusal(record: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        parse_match(record)
    return first_error(info.value)


def test_a_v2_record_round_trips_through_the_models_and_the_line() -> None:
    record = v2_record()
    assert MatchRecord.model_validate(record).model_dump(exclude_unset=True) == record
    assert parse_match(json.loads(dumps_line(record))) == record


def test_a_game_field_at_the_top_of_a_turn_is_refused_by_name() -> None:
    record = v2_record()
    record["transcript"][0]["offer"] = 20.0
    assert refusal(record) == ("transcript.0: game field 'offer' at the top level of a turn; a game's own turn "
                               "fields belong under 'payload'")


def test_a_record_without_its_arena_version_is_refused() -> None:
    record = v2_record()
    del record["arena_version"]
    assert refusal(record) == "arena_version: Field required"


def test_a_match_level_field_the_log_does_not_know_is_refused() -> None:
    record = v2_record()
    record["price"] = 15.0  # a game's result belongs in outcome
    assert refusal(record) == "price: Extra inputs are not permitted"


def test_a_line_from_a_newer_arena_is_reported_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / MATCHES_FILE
    path.write_text(dumps_line({**v2_record(), "schema_version": 3}))
    loaded = read_matches(path)
    assert loaded.records == []
    assert loaded.bad_lines == [(1, "schema_version 3: a match record from a newer Arena (this one reads 1 and 2); "
                                    "upgrade Arena to read it")]


def test_the_upgrade_of_a_v1_turn_pinned_by_hand() -> None:
    line = json.loads((V1 / MATCHES_FILE).read_text().splitlines()[0])
    assert line["transcript"][1] == {
        "turn": 1, "role": "buyer", "agent": "fair-buyer", "text": "Would you consider selling it for $10? [OFFER $10]",
        "player_how": "scripted", "offer": 10.0, "accept": False, "quit": False, "how": "token", "event": None,
        "note": None}
    upgraded = parse_match(line)
    assert upgraded["transcript"][1] == {
        "turn": 1, "role": "buyer", "agent": "fair-buyer", "text": "Would you consider selling it for $10? [OFFER $10]",
        "player_how": "scripted",
        "payload": {"offer": 10.0, "accept": False, "quit": False, "how": "token", "event": None, "note": None}}
    assert (upgraded["schema_version"], upgraded["arena_version"]) == (2, "unknown")
    assert upgraded["outcome"] == line["outcome"] and upgraded["memory_after"] == line["memory_after"]
    MatchRecord.model_validate(upgraded)  # the upgraded fixture line is a valid version-2 record


def test_a_v1_header_takes_its_arena_version_from_its_segments() -> None:
    header = parse_header(json.loads((V1 / "run.json").read_text()))
    assert (header["schema_version"], header["arena_version"]) == (2, "0.1.0")
    assert parse_header(header) == header  # and is a valid version-2 header
    with pytest.raises(ValidationError) as info:
        parse_header({**header, "deal_rate": 0.5})
    assert first_error(info.value) == "deal_rate: Extra inputs are not permitted"


def test_turn_record_nests_the_games_fields_and_drops_a_repeated_generic_one() -> None:
    turn = turn_record(turn=3, role="seller", agent="s", text="hi", player_how="scripted",
                       game_fields={"role": "seller", "offer": 12.0})
    assert turn == {"turn": 3, "role": "seller", "agent": "s", "text": "hi", "player_how": "scripted",
                    "payload": {"offer": 12.0}}
    with pytest.raises(RunlogError, match=r"^game g: info\['last_turn'\] gives role='buyer' on turn 3, but 'role' "
                                          r"is the log's own turn field \('seller'\); a bug in the game$"):
        turn_record(turn=3, role="seller", agent="s", text="hi", player_how=None, game_fields={"role": "buyer"},
                    game="g")


def test_the_writer_refuses_an_invalid_record_and_writes_nothing(tmp_path: Path) -> None:
    log = RunLog.create(tmp_path, "run", {"tournament": {}, "players": {}}, seed=1, argv=[])
    try:
        header = json.loads((log.dir / "run.json").read_text())
        assert (header["schema_version"], header["arena_version"]) == (2, __version__)
        good = {**v2_record(), "arena_version": __version__}
        log.append(good)
        bad = {**good, "match_id": "m.r2", "round": 2, "transcript": [{**good["transcript"][0], "offer": 20.0}]}
        with pytest.raises(RunlogError, match=r"refusing to write match 'm\.r2', not a valid record \(transcript\.0: "
                                              r"game field 'offer' at the top level of a turn"):
            log.append(bad)
    finally:
        log.close()
    assert [json.loads(x) for x in (log.dir / MATCHES_FILE).read_text().splitlines()] == [good]
