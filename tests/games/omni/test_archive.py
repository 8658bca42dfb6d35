"""The archive: list moves (failed to learn, then learned) and an exact JSON round trip."""

from __future__ import annotations

import json

from arena.games.omni.archive import Archive
from arena.games.omni.families import spec_of

ADD1, UNITS = spec_of("add", digits=1), spec_of("units", kind="mass")


def test_a_task_fails_to_learn_then_learns():
    archive = Archive.seeded([ADD1, ADD1, UNITS])
    assert archive.tasks == [ADD1.id, UNITS.id]  # the duplicate is dropped
    assert archive.record(UNITS.id, 25, 0.1, 0.1, mastery=0.5, patience=2) == "learning"
    assert archive.record(UNITS.id, 50, 0.2, 0.2, mastery=0.5, patience=2) == "failed_to_learn"
    assert archive.failed_to_learn == [UNITS.id]
    assert archive.record(UNITS.id, 75, 0.9, 0.6, mastery=0.5, patience=2) == "learned"
    assert (archive.learned, archive.failed_to_learn) == ([UNITS.id], [])
    # learned is sticky: the archive records achievement, not the current level
    assert archive.record(UNITS.id, 100, 0.0, 0.3, mastery=0.5, patience=2) == "learned"
    assert archive.history[UNITS.id] == [(25, 0.1), (50, 0.2), (75, 0.9), (100, 0.0)]


def test_round_trip_through_json_is_exact():
    archive = Archive.seeded([ADD1])
    archive.add(UNITS)
    archive.record(ADD1.id, 25, 1 / 3, 0.7, mastery=0.5, patience=3)
    archive.refuse_generation("{not json" + "x" * 1000, "spec is not JSON: Expecting property name", 25)
    archive.refuse_uninteresting(spec_of("add", digits=3), "a near variant of 'Add two 1-digit numbers'", 50)
    restored = Archive.from_dict(json.loads(json.dumps(archive.to_dict())))
    assert restored == archive
    assert restored.to_dict() == archive.to_dict()
    assert restored.spec(UNITS.id) == UNITS
    assert restored.seen(spec_of("add", digits=3).id) and not restored.seen(spec_of("add", digits=4).id)
    assert len(restored.failed_generation[0].proposal) == 500
