"""What DEAR MAN tells language models, the reply schemas, and how replies become moves and ratings.

Learner reply: ``{"reply": text}``. Partner reply: ``{"reply": text, "state": "continue"|"agree"|"refuse"}``;
the ``state`` field is authoritative: any state token inside ``reply`` is removed and the field's token
appended, so the env reads exactly the state the model chose.

Coach reply: one FLAT object (small models close flat objects far more reliably than arrays), a score
and a one-line reason per skill and one rewrite: ``{"describe": "0"|"1"|"2"|"none", "describe_why": "...",
..., "negotiate_why": "...", "rewrite": "..."}``. :func:`parse_coach_reply` turns it into ratings (None
for "none"), reasons, and the advice ``"<Skill label>: <rewrite>"`` aimed at the weakest applicable skill.
"""

from __future__ import annotations

from typing import Any

from arena.games.dearman.rules import LABELS, SKILLS, strip_state
from arena.memory import ADVICE, OUTCOME, MemoryWording

# The learner's memory: each practice conversation's ending, then the coach's rewrites (what it is to say);
# the budget drops old conversations before any rewrite, as Arena's default does.
MEMORY_WORDING = MemoryWording(
    headings={OUTCOME: "Your earlier conversations:", ADVICE: "Your coach's rewrites (use them):"},
    lines={OUTCOME: "- Conversation {round}: {text}"},
    drop_order=(OUTCOME, ADVICE),
)

SCORES = ("0", "1", "2", "none")

LEARNER_REPLY = {
    "type": "object",
    "properties": {"reply": {"type": "string", "minLength": 1, "maxLength": 280}},
    "required": ["reply"],
    "additionalProperties": False,
}
PARTNER_REPLY = {
    "type": "object",
    "properties": {"reply": {"type": "string", "minLength": 1, "maxLength": 240},
                   "state": {"type": "string", "enum": ["continue", "agree", "refuse"]}},
    "required": ["reply", "state"],
    "additionalProperties": False,
}
COACH_REPLY: dict[str, Any] = {
    "type": "object",
    "properties": {
        # the rewrite first: a small model writes it while the learner's turn is still near (written after
        # fourteen score fields, SmolLM2-135M produced "Describe: 1000000..."), and it starts as a sentence
        "rewrite": {"type": "string", "minLength": 8, "maxLength": 140},
        **{key: value for skill in SKILLS for key, value in (
            (skill, {"type": "string", "enum": list(SCORES)}),
            (f"{skill}_why", {"type": "string", "maxLength": 80}))},
    },
    "required": ["rewrite"] + [key for skill in SKILLS for key in (skill, f"{skill}_why")],
    "additionalProperties": False,
}

SKILL_GUIDE = (
    "Describe: states the facts with specifics (numbers, dates). Express: says how they feel ('I feel ...'). "
    "Assert: makes a clear request ('I need you to ...'). Reinforce: names a benefit for the other person. "
    "Mindful: returns to the objective after a reply. Appear confident: no apologies or hedging ('maybe', "
    "'just'). Negotiate: offers an alternative ('How about ...'). Score each 0 (absent or poor), 1 (partly), "
    "2 (clearly), or none when the turn gave no occasion for it (Mindful and Negotiate on a first turn; "
    "Describe and Express once already done)."
)


def reply_for(info: dict[str, Any], bounded: bool) -> tuple[dict[str, Any], str]:
    """The reply schema for the role in ``info`` (``bounded`` changes nothing: any utterance is a move)."""
    if info.get("role") == "partner":
        return PARTNER_REPLY, ('Answer with JSON only: {"reply": what you say, "state": "continue", "agree" '
                               '(you agree to the request) or "refuse" (you refuse for good)}.')
    return LEARNER_REPLY, 'Answer with JSON only: {"reply": what you say next}.'


def reply_to_action(reply: dict[str, Any], info: dict[str, Any]) -> str:
    text = strip_state(str(reply.get("reply") or ""))
    if info.get("role") != "partner":
        return text
    state = reply.get("state")
    token = {"agree": " [AGREE]", "refuse": " [REFUSE]"}.get(state if isinstance(state, str) else "", "")
    return (text + token).strip()


def player_system(role: str, persona: str) -> list[str]:
    if role == "partner":
        return [persona or "You play the other person in a hard conversation. Stay in character.",
                "Say one or two sentences. Agree only when the request is clear and fair to you."]
    return [persona or "You are practising a hard conversation: ask for what you need, clearly and kindly.",
            "Say one to three sentences to the other person."]


def _dialogue(transcript: list[dict[str, Any]]) -> str:
    return "\n".join(f"{t.get('role')}: {t.get('text')}" for t in transcript)


def critic_messages(request: Any, persona: str) -> list[dict[str, str]]:
    """The coach's prompt: the situation, the conversation, the learner's latest turn to rate."""
    s = request.scenario
    mine = [t for t in request.transcript if t.get("role") == request.advised_role]
    latest = mine[-1].get("text", "") if mine else ""
    # no "0|1|2|none" placeholder: SmolLM2-135M copied it into the rewrite ("Describe: 1|1|1|..."); the
    # scores are explained in SKILL_GUIDE and constrained by the schema where the backend can
    keys = ", ".join(f'"{skill}": "<score>", "{skill}_why": "<why>"' for skill in SKILLS)
    system = (f"{persona or 'You are a DBT skills coach for the DEAR MAN skills.'}\n{SKILL_GUIDE}\n"
              "First write one concrete rewrite of the turn, in the speaker's own words, that fixes its weakest "
              "skill (for example: \"I need you to answer me by Friday; that way we can both plan.\"); then rate "
              "the turn.")
    user = (f"Situation: {s.get('situation', '')}\nObjective: {s.get('objective', '')}\n\n"
            f"Conversation so far:\n{_dialogue(request.transcript)}\n\nRate the {request.advised_role}'s latest "
            f"turn: {latest}\n\nAnswer with JSON only: {{\"rewrite\": \"I ...\", {keys}}}.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def parse_coach_reply(reply: Any) -> tuple[dict[str, int | None], dict[str, str], str] | None:
    """``(ratings, reasons, advice)`` from a coach reply, or None when it is malformed (a skill's score
    missing or not one of 0/1/2/none, or no rewrite)."""
    if not isinstance(reply, dict):
        return None
    ratings: dict[str, int | None] = {}
    for skill in SKILLS:
        value = reply.get(skill)
        text = str(value).strip().lower() if value is not None and not isinstance(value, bool) else ""
        if text in ("none", "n/a", "-", "null"):
            ratings[skill] = None
        elif text in ("0", "1", "2", "0.0", "1.0", "2.0"):
            ratings[skill] = int(float(text))
        else:
            return None
    rewrite = " ".join(str(reply.get("rewrite") or "").split())
    if not rewrite:
        return None
    reasons = {skill: " ".join(str(reply.get(f"{skill}_why") or "").split())[:160] for skill in SKILLS}
    applicable = [(v, i, s) for i, s in enumerate(SKILLS) if (v := ratings[s]) is not None]
    target = min(applicable)[2] if applicable else "assert"
    return ratings, reasons, f"{LABELS[target]}: {rewrite}"


def outcome_text(role: str, outcome: dict[str, Any], rewards: dict[str, float], scenario: Any) -> str:
    mastery = outcome.get("mastery")
    level = "no skill rated" if mastery is None else f"skill mastery {mastery:.2f} of 2"
    ending = {"agree": "they agreed", "refuse": "they refused for good", "max_turns": "time ran out"}.get(
        str(outcome.get("ending")), "it ended")
    return f"{ending.capitalize()} after {outcome.get('turns')} turn(s); {level} (reward {rewards.get(role, 0):.2f})."
