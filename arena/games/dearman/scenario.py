"""The DEAR MAN scenario file (``game: dearman``): a hard conversation to practise.

The situation and objective are what the learner is told; the partner's persona, resistance and
``agree_when`` are what the partner is told. ``facts``, ``feeling``, ``request``, ``benefit`` and
``alternative`` are the raw material of one skilful turn: the scripted learner and coach build their
sentences from them, and an LLM learner reads them as its notes. ``keywords`` are the objective's words
the Mindful marker looks for. ``difficulty`` tags the scenario (``hard`` ones serve as transfer tests).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from arena.config.models import Scenario
from arena.games.dearman.rules import ROLES, DearManParams


class DearManScenario(Scenario):
    """One conversation: the learner's objective against a partner of some resistance, ``max_turns`` learner
    turns at most."""

    game: Literal["dearman"] = "dearman"
    situation: str = Field(min_length=1, max_length=800, description="what happened, as the learner knows it")
    objective: str = Field(min_length=1, max_length=300, description="what the learner wants from the partner")
    partner_persona: str = Field(min_length=1, max_length=600, description="who the partner is and how they talk")
    resistance: Literal["low", "medium", "high"] = "medium"
    agree_when: str = Field(min_length=1, max_length=400, description="what would make the partner agree")
    max_turns: int = Field(default=6, ge=1, le=20, description="learner turns at most (each gets a reply)")
    difficulty: Literal["easy", "medium", "hard"] = "medium"
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
