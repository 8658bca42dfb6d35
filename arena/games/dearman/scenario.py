"""The DEAR MAN scenario file (``game: dearman``): a hard conversation to practise.

The situation and objective are what the learner is told; the partner's persona, resistance and
``agree_when`` are what the partner is told. ``facts``, ``feeling``, ``request``, ``benefit`` and
``alternative`` are the raw material of one skilful turn: the scripted learner and coach build their
sentences from them, and an LLM learner reads them as its notes. ``keywords`` are the objective's words
the Mindful marker looks for. ``difficulty`` tags the scenario (``hard`` ones serve as transfer tests).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from arena.config.models import Scenario
from arena.games.dearman.rules import ROLES, DearManParams


class DearManScenario(Scenario):
    """One conversation: the learner's objective against a partner of some resistance, ``max_turns`` learner
    turns at most."""

    # the template of `arena new scenario dearman <name>` (and an example in editors)
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "landlord-repair", "description": "Ask a landlord for an overdue repair.",
        "difficulty": "medium",
        "situation": "Your flat's heater broke three weeks ago. You reported it twice by email and the landlord "
                     "promised to send someone, but nobody came. Nights are getting cold.",
        "objective": "Get the landlord to have the heater repaired by Friday.",
        "partner_persona": "Your landlord, a busy man who owns twelve flats, dislikes being pushed and often says "
                           "repairs are on their way.",
        "resistance": "medium",
        "agree_when": "The tenant states the facts, says clearly what they need and by when, and makes it easy "
                      "to say yes.",
        "max_turns": 6, "keywords": ["heater", "repair"],
        "facts": "The heater has been broken for 3 weeks and I emailed you 2 times about it",
        "feeling": "worried about the cold nights", "request": "have the heater repaired by Friday",
        "benefit": "avoid a bigger repair bill once the pipes freeze",
        "alternative": "I can be home any morning this week to let the repairer in",
        "feedback_pool": ["Say the facts with dates and numbers before you ask.",
                          "Ask for one clear thing and a deadline."],
    }]})

    game: Literal["dearman"] = "dearman"
    situation: str = Field(min_length=1, max_length=800, description="what happened, as the learner knows it")
    objective: str = Field(min_length=1, max_length=300, description="what the learner wants from the partner")
    partner_persona: str = Field(min_length=1, max_length=600, description="who the partner is and how they talk")
    resistance: Literal["low", "medium", "high"] = Field(default="medium",
                                                         description="how hard the partner is to move")
    agree_when: str = Field(min_length=1, max_length=400, description="what would make the partner agree")
    max_turns: int = Field(default=6, ge=1, le=20, description="learner turns at most (each gets a reply)")
    difficulty: Literal["easy", "medium", "hard"] = Field(default="medium",
                                                          description="a tag; hard scenarios serve as transfer tests")
    keywords: list[str] = Field(min_length=1, max_length=8, description="the objective's words (Mindful marker)")
    facts: str = Field(min_length=1, max_length=300, description="the facts, with specifics (Describe)")
    feeling: str = Field(min_length=1, max_length=200, description="how the learner feels, after 'I feel' (Express)")
    request: str = Field(min_length=1, max_length=200, description="the ask, after 'I need you to' (Assert)")
    benefit: str = Field(min_length=1, max_length=200, description="the gain for the partner, after 'you'll' "
                         "(Reinforce)")
    alternative: str = Field(min_length=1, max_length=200, description="a fallback offer, after 'how about' "
                             "(Negotiate)")
    feedback_pool: list[str] = Field(default_factory=list, description="suggestions for the 'human' arm")

    @property
    def roles(self) -> tuple[str, ...]:
        return ROLES

    def to_params(self) -> DearManParams:
        return DearManParams(max_turns=self.max_turns, resistance=self.resistance, keywords=tuple(self.keywords))
