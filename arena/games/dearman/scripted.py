"""DEAR MAN baselines: scripted learners, a scripted partner and the scripted coach (the fast baseline).

Learners build each turn from the scenario's raw material (``info["brief"]``), one sentence per skill they
use; without Appear confident they open with a hedge ("Sorry to bother you, maybe this is a bad time."),
without Assert they ask softly ("Could you ...?"):

- ``plain`` uses no skill but a soft request, whatever its memory says (the ``none`` arm's learner);
- ``adopting`` starts as ``plain`` and adds each skill its memory's advice names (advice opens with the
  skill's label, ``"Negotiate: ..."``), so coaching shows up in its next turn;
- ``skilled`` uses every skill from the first turn.

The ``partner`` agrees (``[AGREE]``) once a learner turn's mastery reaches the scenario's threshold, refuses
for good (``[REFUSE]``) after ``patience`` poor turns (mastery below 1; the env draws ``patience`` from the
seed), and otherwise keeps talking. The scripted coach rates the learner's turn with the env's own markers
(:func:`~arena.games.dearman.rules.score_turn`) and rewrites it for the weakest applicable skill.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from arena.core.protocol import ActRequest, ActResult, CritiqueRequest, CritiqueResult
from arena.games.dearman.rules import LABELS, SKILLS, mastery, score_turn, skill_means, turn_reasons
from arena.games.scripted import ScriptedStrategy, card

HEDGED_OPENER = "Sorry to bother you, maybe this is a bad time."


class _NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


STRATEGY_PARAMS: dict[str, type[BaseModel]] = {"plain": _NoParams, "adopting": _NoParams, "skilled": _NoParams,
                                               "partner": _NoParams}


def phrase(skill: str, brief: dict[str, Any]) -> str:
    """The sentence that shows ``skill`` in a turn, from the scenario's raw material."""
    keywords = brief.get("keywords") or ["this"]
    return {
        "describe": str(brief.get("facts", "")).rstrip(".") + ".",
        "express": f"I feel {brief.get('feeling', '')}.",
        "assert": f"I need you to {brief.get('request', '')}.",
        "reinforce": f"That way you'll {brief.get('benefit', '')}.",
        "mindful": f"As I said, this is about the {keywords[0]}.",
        "confident": "",
        "negotiate": f"How about this: {brief.get('alternative', '')}.",
    }[skill]


def advised_skills(memory: list[dict[str, Any]]) -> set[str]:
    """The skills the advice in ``memory`` names (an advice text opens with the skill's label)."""
    by_label = {label.lower(): skill for skill, label in LABELS.items()}
    found = set()
    for entry in memory:
        if entry.get("kind") == "advice":
            head = str(entry.get("text", "")).split(":", 1)[0].strip().lower()
            if head in by_label:
                found.add(by_label[head])
    return found


def compose(skills: set[str], brief: dict[str, Any], first: bool) -> str:
    """One learner turn using ``skills`` (Mindful and Negotiate only after the first turn)."""
    parts = [] if "confident" in skills else [HEDGED_OPENER]
    for skill in ("describe", "express"):
        if skill in skills:
            parts.append(phrase(skill, brief))
    parts.append(phrase("assert", brief) if "assert" in skills else f"Could you {brief.get('request', '')}?")
    for skill in ("reinforce", "mindful", "negotiate"):
        if skill in skills and (skill == "reinforce" or not first):
            parts.append(phrase(skill, brief))
    return " ".join(parts)


class ScriptedPlayer(ScriptedStrategy):
    """A scripted learner (``plain``, ``adopting``, ``skilled``) or the scripted ``partner``."""

    strategies = STRATEGY_PARAMS

    def decide(self, request: ActRequest) -> ActResult:
        info = request.info
        if self.strategy == "partner":
            return ActResult(text=self.reply(info))
        skills = set(SKILLS) if self.strategy == "skilled" else set()
        if self.strategy == "adopting":
            skills |= advised_skills(request.memory)
        return ActResult(text=compose(skills, info.get("brief") or {}, first=not info.get("learner_turns")))

    @staticmethod
    def reply(info: dict[str, Any]) -> str:
        level = mastery([info.get("last_scores") or {}]) or 0.0
        if level >= float(info.get("threshold", 1.3)):
            return "All right, you have convinced me. I will do it. [AGREE]"
        if int(info.get("poor_turns", 0)) >= int(info.get("patience", 3)):
            return "No. That is my final answer. [REFUSE]"
        return "I hear you, but I am not convinced yet."


def learner_turns(request: CritiqueRequest) -> list[dict[str, Any]]:
    return [t for t in request.transcript if t.get("role") == request.advised_role]


def rate_turns(request: CritiqueRequest) -> list[dict[str, int | None]]:
    """The markers' scores of each of the advised role's turns so far, as the env scored them."""
    keywords = tuple(request.scenario.get("keywords") or ())
    rated: list[dict[str, int | None]] = []
    for turn in learner_turns(request):
        done = frozenset(s for r in rated for s in ("describe", "express") if r[s] == 2)
        rated.append(score_turn(turn.get("text", ""), first=not rated, keywords=keywords, done=done))
    return rated


def weakest(ratings: dict[str, Any]) -> str | None:
    """The applicable skill with the lowest score (DEAR MAN order breaks ties); None when all are 2."""
    applicable = [(float(v), i, s) for i, s in enumerate(SKILLS) if (v := ratings.get(s)) is not None]
    low = min(applicable, default=None)
    return None if low is None or low[0] >= 2 else low[2]


def rewrite(skill: str, text: str, brief: dict[str, Any]) -> str:
    """The advice for ``skill``: its label, then a concrete sentence to say (what enters memory)."""
    if skill == "confident":
        plain = " ".join(text.replace(HEDGED_OPENER, "").split()) or "Say what you need plainly."
        return f"{LABELS[skill]}: drop the apologies and hedges; say: '{plain[:200]}'"
    return f"{LABELS[skill]}: say '{phrase(skill, brief)}'"


def round_reasons(rated: list[dict[str, int | None]]) -> dict[str, str]:
    """A one-line reason per skill for a round's mean: the scores of the turns it averages."""
    out: dict[str, str] = {}
    for skill in SKILLS:
        values = [str(r[skill]) for r in rated if r.get(skill) is not None]
        out[skill] = (f"mean of {len(values)} rated turn{'s' if len(values) > 1 else ''}: {', '.join(values)}"
                      if values else "no occasion in any turn")
    return out


class ScriptedCoach:
    """Rates the learner's latest turn (``after_turn``) or its round's mean (``after_round``) by the markers,
    with a one-line reason per skill (the marker found or missing; for a round, the turns' scores)."""

    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        rated = rate_turns(request)
        if not rated:
            return CritiqueResult(suggestions=[])
        text = str(learner_turns(request)[-1].get("text", ""))
        if request.turn is not None:
            ratings: dict[str, Any] = dict(rated[-1])
            reasons = turn_reasons(text, rated[-1], first=len(rated) == 1,
                                   keywords=tuple(request.scenario.get("keywords") or ()))
        else:
            ratings, reasons = skill_means(rated), round_reasons(rated)
        skill = weakest(ratings)
        tips = [] if skill is None else [rewrite(skill, text, request.scenario)]
        return CritiqueResult(suggestions=tips[: request.max_suggestions], ratings=ratings, reasons=reasons)



#: what ``arena new tournament`` plays: the adopting learner coached after each of its turns, or not
BASELINES: dict[str, Any] = {
    "players": {"learner": [card("dearman-adopting", ["learner"], "adopting",
                                 "Starts without skills and adds each one its coach names.")],
                "partner": [card("dearman-partner", ["partner"], "partner",
                                 "Agrees once a turn shows enough skill; refuses after too many poor turns.")]},
    "feedback": {"advise": ["learner"], "when": "after_turn", "arms": ["none", "ai"], "suggestions": 1,
                 "critic": card("dearman-coach", ["critic"], "coach",
                                "Rates the learner's turn by the skills' markers and rewrites it for the weakest.")},
    "rounds": 2,
    "repeats": 2,
}

Player = ScriptedPlayer  # the names the game spec is built from (arena.registry.game_from)
Critic = ScriptedCoach
