"""The scripted coach gives a one-line reason per rated skill, from the markers: the one found (quoted),
the one missing, or why the skill had no occasion; after a round, the scores its mean is over."""

from __future__ import annotations

import asyncio

from arena.core.protocol import CritiqueRequest
from arena.games.dearman.scripted import ScriptedCoach

FIRST = "Sorry, maybe this is a bad time. Could you fix the heater?"
FACTS = "The heater has been broken for 3 weeks."
PARTLY = "Still, it broke again and it is frustrating; thanks, I guess we could compromise. Can you?"
TRANSCRIPT = [{"role": "learner", "text": FIRST}, {"role": "partner", "text": "No."},
              {"role": "learner", "text": FACTS}, {"role": "partner", "text": "No."},
              {"role": "learner", "text": PARTLY}]


def critique(transcript: list[dict], turn: int | None):
    request = CritiqueRequest("m", "learner", {"keywords": ["heater"]}, transcript, {}, max_suggestions=1, turn=turn)
    return asyncio.run(ScriptedCoach().critique(request))


def test_a_reason_per_skill_names_the_marker_found_or_missing() -> None:
    first = critique(TRANSCRIPT[:1], turn=0)
    assert first.ratings == {"describe": 0, "express": 0, "assert": 1, "reinforce": 0, "mindful": None,
                             "confident": 0, "negotiate": None}
    assert first.reasons == {
        "describe": "0: neither a fact with specifics nor a time cue",
        "express": "0: neither a feeling owned with 'I' nor a feeling word",
        "assert": "1: a soft request ('Could you'), not a clear request",
        "reinforce": "0: neither a benefit named for the other nor thanks",
        "mindful": "no occasion: the first turn",
        "confident": "0: 2 hedges (Sorry, maybe)",
        "negotiate": "no occasion: the first turn",
    }
    # the third turn: the facts were said clearly on the second (Describe has no occasion any more)
    third = critique(TRANSCRIPT, turn=4)
    assert third.ratings == {"describe": None, "express": 1, "assert": 1, "reinforce": 1, "mindful": 1,
                             "confident": 1, "negotiate": 1}
    assert third.reasons == {
        "describe": "no occasion: already said clearly in an earlier turn",
        "express": "1: a feeling word ('frustrating'), not a feeling owned with 'I'",
        "assert": "1: a soft request ('Can you'), not a clear request",
        "reinforce": "1: thanks ('thanks'), not a benefit named for the other",
        "mindful": "1: no objective word and return cue ('Still')",
        "confident": "1: 1 hedge (I guess)",
        "negotiate": "1: a compromise word ('compromise'), not an alternative offered",
    }
    assert set(third.reasons) == set(third.ratings) and all("\n" not in r for r in third.reasons.values())


def test_after_a_round_each_reason_lists_the_scores_of_its_mean() -> None:
    result = critique(TRANSCRIPT, turn=None)
    # turns: D0 E0 A1 R0 M- C0 N- / D2 E0 A0 R0 M1 C2 N0 / D- E1 A1 R1 M1 C1 N1
    assert result.reasons == {
        "describe": "mean of 2 rated turns: 0, 2", "express": "mean of 3 rated turns: 0, 0, 1",
        "assert": "mean of 3 rated turns: 1, 0, 1", "reinforce": "mean of 3 rated turns: 0, 0, 1",
        "mindful": "mean of 2 rated turns: 1, 1", "confident": "mean of 3 rated turns: 0, 2, 1",
        "negotiate": "mean of 2 rated turns: 0, 1",
    }
    assert result.ratings["describe"] == 1.0 and result.ratings["confident"] == 1.0
