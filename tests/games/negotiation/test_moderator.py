"""The moderator: the rule judge on the labelled set, the LLM judge over the real SDKs against the local
fake server (structured, free-text and failing replies), the evaluation and its CLI, and a short run of
the real embedded SmolLM2."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import typer
from fake_llm_server import FakeLLMServer, status
from typer.testing import CliRunner

from arena.config.loader import load_agent
from arena.config.model_spec import ModelSpec
from arena.errors import ConfigError
from arena.games.negotiation.cli import DEFAULT_DATA, register
from arena.games.negotiation.moderator import STATES, VERDICT_SCHEMA, LLMModerator, RuleModerator, Verdict
from arena.games.negotiation.moderator_eval import EvalResult, Item, evaluate, load_items
from arena.games.negotiation.rules import NegotiationParams

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests/data/moderator_set.jsonl"
# Measured 90/90 (state and price) on the set; pinned with some room for later phrase-list edits. The
# rule judge before issue 11 scored 85/90 (state) and 83/90 (state and price) on it.
RULE_ACCURACY_FLOOR = 0.95


def turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"role": role, "text": text} for role, text in pairs]


def S(text: str) -> tuple[str, str]:  # noqa: N802 - reads like the transcript
    return ("seller", text)


def B(text: str) -> tuple[str, str]:  # noqa: N802
    return ("buyer", text)


# ------------------------------------------------------------------------------------ the labelled set


def test_the_set_is_large_varied_and_roughly_balanced() -> None:
    items = load_items(DATA)
    assert DEFAULT_DATA == DATA
    assert len(items) >= 48
    counts = {state: sum(it.state == state for it in items) for state in STATES}
    assert all(0.2 <= n / len(items) <= 0.45 for n in counts.values()), counts
    assert len({it.item for it in items}) >= 3  # balloon and other items
    token_style = sum(any("[" in t["text"] for t in it.dialogue) for it in items)
    assert 5 <= token_style <= len(items) // 2


def test_rule_judge_accuracy_on_the_set() -> None:
    result = evaluate(RuleModerator(), load_items(DATA))
    assert result.n >= 48
    assert result.state_accuracy >= RULE_ACCURACY_FLOOR, result.mistakes
    assert result.accuracy >= RULE_ACCURACY_FLOOR, result.mistakes


def test_rule_judge_reads_the_hard_endings_of_issue_11() -> None:
    """Counter-offers with an accept, echoed tokens, negations, refused or cent amounts: every one right."""
    hard = [it for it in load_items(DATA) if it.id.startswith("hard-")]
    assert len(hard) >= 15
    result = evaluate(RuleModerator(), hard)
    assert result.correct == result.n, result.mistakes


# --------------------------------------------------------------------------------------- rule judge


@pytest.mark.parametrize(
    ("dialogue", "expected"),
    [
        (turns(S("[OFFER $17]"), B("[OFFER $14]"), S("[ACCEPT]")), Verdict("deal", 14.0)),
        (turns(S("I can do $15."), B("Deal!")), Verdict("deal", 15.0)),
        (turns(S("I'd like $18."), B("Would you take $12?"), S("Ok but $15?")), Verdict("ongoing")),
        (turns(S("I can do $18."), B("Sounds good, but could you do $16?")), Verdict("ongoing")),
        (turns(B("Is $15 okay?"), S("Make it $16 and we have a deal.")), Verdict("ongoing")),
        (turns(S("I need $17."), B("Go down to $14 or I walk away.")), Verdict("ongoing")),
        (turns(S("$18."), B("No thanks, I'll pass.")), Verdict("no_deal")),
        (turns(S("$19."), B("[QUIT]")), Verdict("no_deal")),
        (turns(S("$16."), B("Too much, I'm leaving."), S("Wait, $12!")), Verdict("ongoing")),
        (turns(B("Could you do $14?"), S("$16, no lower."), B("Deal, though that's $2 more than I hoped.")),
         Verdict("deal", 16.0)),
        (turns(S("I'll sell for $15."), B("$12?"), S("I can't do $12."), B("Fine, I accept your earlier offer.")),
         Verdict("deal", 15.0)),
    ],
    ids=["tokens", "bare-deal", "ok-but", "sounds-good-but", "conditional", "threat", "pass", "quit-token",
         "called-back", "difference-amount", "earlier-offer"],
)
def test_rule_judge_reads_ambiguous_endings(dialogue: list[dict[str, str]], expected: Verdict) -> None:
    assert RuleModerator().judge(dialogue) == expected


def test_rule_judge_uses_the_scenarios_currency_and_accept_phrases() -> None:
    params = NegotiationParams(currency="EUR", accept_phrases=("einverstanden",))
    dialogue = turns(S("Sagen wir EUR 14."), B("Einverstanden."))
    assert RuleModerator().judge(dialogue, params) == Verdict("deal", 14.0)


@pytest.mark.parametrize(
    "dialogue",
    [[], [{"role": "seller"}], [{"text": None}], turns(S("\x1b[31m$$$ [OFFER $-3] [ACCEPT] [QUIT]" * 50))],
)
def test_rule_judge_never_raises(dialogue: list[dict[str, object]]) -> None:
    verdict = RuleModerator().judge(dialogue)  # type: ignore[arg-type]
    assert verdict.state in STATES and verdict.source == "rules"


# ---------------------------------------------------------------------------------------- LLM judge


def spec_for(server: FakeLLMServer, **overrides: object) -> ModelSpec:
    fields: dict[str, object] = {
        "backend": "openai", "model": "fake-judge", "base_url": server.openai_base_url,
        "timeout_s": 5.0, "max_retries": 0, "temperature": 0.0, "max_tokens": 40,
    }
    fields.update(overrides)
    return ModelSpec.model_validate(fields)


LONG = turns(S("This is a good balloon and its price is $20."), B("Would you consider $10?"),
             S("I can do $18."), B("How about $14?"), S("Meet me at $16."), B("Alright, $16 it is."))


def test_llm_judge_asks_for_json_over_the_last_four_utterances(fake_llm: FakeLLMServer) -> None:
    fake_llm.responder = lambda request, api: '{"state": "deal", "price": 16}'
    verdict = asyncio.run(LLMModerator(spec_for(fake_llm)).judge(LONG, seed=3))
    assert verdict == Verdict("deal", 16.0, "llm", raw='{"state": "deal", "price": 16}')
    (request,) = fake_llm.requests
    sent = request.json
    assert sent["response_format"]["json_schema"]["schema"] == VERDICT_SCHEMA
    assert sent["seed"] == 3 and sent["temperature"] == 0.0
    messages = sent["messages"]
    assert messages[0]["role"] == "system" and "moderator" in messages[0]["content"]
    assert [m["role"] for m in messages[1:3]] == ["user", "assistant"]  # few-shot examples
    assert messages[-1]["content"].splitlines() == [
        "seller: I can do $18.", "buyer: How about $14?", "seller: Meet me at $16.", "buyer: Alright, $16 it is.",
    ]


def test_llm_judge_card_persona_opens_the_prompt(fake_llm: FakeLLMServer, tmp_path: Path) -> None:
    card = load_agent(write_card(tmp_path, fake_llm))
    fake_llm.responder = lambda request, api: '{"state": "ongoing", "price": null}'
    assert asyncio.run(LLMModerator(card).judge(LONG[:2])).state == "ongoing"
    assert fake_llm.requests[0].json["messages"][0]["content"].startswith("You are a strict referee.")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"state": "no_deal", "price": null}', ("no_deal", None)),
        ('Sure: {"state": "deal", "price": "$15.50"}', ("deal", 15.5)),
        ('{"state": "deal", "price": null}', ("deal", 16.0)),  # no price given: the rules' price
        ("Because both sides agreed on $16. The answer is Yes.", ("deal", 16.0)),
        ("Because the buyer did not confirm. The answer is No.", ("ongoing", None)),
        ("yes", ("deal", 16.0)),
        ("The state is ongoing.", ("ongoing", None)),
    ],
    ids=["json", "json-in-prose", "json-deal-no-price", "free-yes", "free-no", "bare-yes", "state-word"],
)
def test_llm_judge_reads_structured_and_free_text_replies(
    fake_llm: FakeLLMServer, reply: str, expected: tuple[str, float | None]
) -> None:
    fake_llm.responder = lambda request, api: reply
    spec = spec_for(fake_llm, structured="off" if "{" not in reply else "auto")
    verdict = asyncio.run(LLMModerator(spec).judge(LONG))
    assert (verdict.state, verdict.price, verdict.source, verdict.error) == (*expected, "llm", None)
    if spec.structured == "off":
        assert "response_format" not in fake_llm.requests[0].json


def test_llm_judge_free_no_keeps_the_rules_walk_away(fake_llm: FakeLLMServer) -> None:
    fake_llm.responder = lambda request, api: "The answer is No."
    verdict = asyncio.run(LLMModerator(spec_for(fake_llm, structured="off")).judge(turns(S("$18."), B("I'll pass."))))
    assert (verdict.state, verdict.source) == ("no_deal", "llm")


def test_llm_judge_falls_back_to_rules_on_model_error(fake_llm: FakeLLMServer) -> None:
    fake_llm.push(status(500))
    verdict = asyncio.run(LLMModerator(spec_for(fake_llm)).judge(LONG))
    assert (verdict.state, verdict.price, verdict.source) == ("deal", 16.0, "rules")
    assert verdict.error is not None and verdict.error["kind"] == "server"
    assert "500" in verdict.error["message"]
    assert len(fake_llm.requests) == 1  # max_retries 0: one call, no retry


def test_llm_judge_unreadable_reply_falls_back_and_says_why(fake_llm: FakeLLMServer) -> None:
    fake_llm.responder = lambda request, api: "The balloon is red."
    verdict = asyncio.run(LLMModerator(spec_for(fake_llm, structured="off")).judge(LONG[:2]))
    assert (verdict.state, verdict.source, verdict.raw) == ("ongoing", "rules", "The balloon is red.")
    assert verdict.error is not None and verdict.error["kind"] == "bad_response"


def test_llm_judge_over_anthropic_tool_use(fake_llm: FakeLLMServer) -> None:
    fake_llm.responder = lambda request, api: '{"state": "deal", "price": 16}'
    spec = ModelSpec(backend="anthropic", model="fake-claude", base_url=fake_llm.anthropic_base_url, max_retries=0)
    verdict = asyncio.run(LLMModerator(spec).judge(LONG))
    assert (verdict.state, verdict.price, verdict.source) == ("deal", 16.0, "llm")
    assert fake_llm.requests[0].api == "anthropic"


def test_llm_judge_rejects_a_scripted_card(repo_root: Path) -> None:
    with pytest.raises(ConfigError, match="policy type 'scripted'; a moderator needs policy type llm"):
        LLMModerator(load_agent(repo_root / "agents/fair-seller.yaml"))


# ---------------------------------------------------------------------------------------- evaluation


class Always:
    def __init__(self, state: str, price: float | None = None) -> None:
        self.verdict = Verdict(state, price)  # type: ignore[arg-type]

    def judge(self, dialogue: list[dict[str, str]], params: NegotiationParams) -> Verdict:
        return self.verdict


class AsyncAlways(Always):
    async def judge(self, dialogue: list[dict[str, str]], params: NegotiationParams) -> Verdict:  # type: ignore[override]
        await asyncio.sleep(0)
        return self.verdict


ITEMS = [
    {"id": "a", "dialogue": turns(S("$15?"), B("Deal.")), "label": {"state": "deal", "price": 15}},
    {"id": "b", "dialogue": turns(S("$15?"), B("Deal.")), "label": {"state": "deal", "price": 14}},
    {"id": "c", "dialogue": turns(S("$15?"), B("Bye.")), "label": {"state": "no_deal", "price": None}},
]


@pytest.mark.parametrize("judge", [Always("deal", 15.0), AsyncAlways("deal", 15.0)], ids=["sync", "async"])
def test_evaluate_counts_state_price_and_confusion(judge: Always) -> None:
    seen: list[tuple[int, int]] = []
    result = evaluate(judge, ITEMS, progress=lambda done, total: seen.append((done, total)))
    assert isinstance(result, EvalResult)
    assert (result.n, result.state_correct, result.correct) == (3, 2, 1)
    assert result.state_accuracy == pytest.approx(2 / 3) and result.accuracy == pytest.approx(1 / 3)
    assert result.confusion["deal"] == {"deal": 2, "no_deal": 0, "ongoing": 0}
    assert result.confusion["no_deal"]["deal"] == 1
    assert [m.id for m in result.mistakes] == ["b", "c"]
    assert result.mistakes[0].expected == {"state": "deal", "price": 14.0}
    assert seen[-1] == (3, 3)
    assert json.loads(json.dumps(result.to_dict()))["mistakes"][1]["got"]["state"] == "deal"


def test_price_within_one_cent_counts() -> None:
    result = evaluate(Always("deal", 15.009), ITEMS[:1])
    assert result.correct == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"bad\.jsonl:2:2: not JSON"),
        ('{"id": "x", "dialogue": [], "label": {}}', r"bad\.jsonl:2: dialogue: must be a non-empty list"),
        ('{"id": "x", "dialogue": [{"role": "seller", "text": "hi"}], "label": {"state": "won"}}',
         r"bad\.jsonl:2: label\.state: must be one of deal, no_deal, ongoing, got 'won'"),
        ('{"id": "x", "dialogue": [{"role": "seller", "text": "hi"}], "label": {"state": "deal", "price": null}}',
         r"label\.price: a deal needs a price"),
        ('{"id": "ok", "dialogue": [{"role": "seller", "text": "hi"}], "label": {"state": "ongoing", "price": null}}',
         r"bad\.jsonl:2: id: duplicate id 'ok'"),
    ],
    ids=["json", "dialogue", "state", "deal-price", "duplicate"],
)
def test_bad_lines_are_located_config_errors(tmp_path: Path, line: str, message: str) -> None:
    good = '{"id": "ok", "dialogue": [{"role": "seller", "text": "hi"}], "label": {"state": "ongoing", "price": null}}'
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n" + line + "\n")
    with pytest.raises(ConfigError, match=message):
        load_items(path)


def test_items_round_trip() -> None:
    item = Item.from_dict(ITEMS[0])
    assert (item.id, item.state, item.price, item.dialogue[1]["text"]) == ("a", "deal", 15.0, "Deal.")


# ----------------------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:  # keeps the command a subcommand, as in arena's app
        pass

    return app


def write_card(tmp_path: Path, server: FakeLLMServer) -> Path:
    card = tmp_path / "judge.yaml"
    card.write_text(
        "schema_version: 1\nkind: agent\nname: fake-judge\nroles: [moderator]\npolicy:\n  type: llm\n"
        f"  persona: You are a strict referee.\n  model:\n    backend: openai\n    model: fake\n"
        f"    base_url: {server.openai_base_url}\n    max_retries: 0\n    temperature: 0\n"
    )
    return card


def test_cli_rules_prints_accuracy_and_confusion(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["moderator-eval", "rules"])
    assert result.exit_code == 0, result.output
    assert "rules on moderator_set.jsonl: state " in result.output
    for label in STATES:
        assert label in result.output


def test_cli_json_goes_to_stdout(cli: typer.Typer, fake_llm: FakeLLMServer, tmp_path: Path) -> None:
    data = tmp_path / "small.jsonl"
    data.write_text("\n".join(json.dumps(it) for it in ITEMS) + "\n")
    fake_llm.responder = lambda request, api: '{"state": "deal", "price": 15}'
    result = CliRunner().invoke(cli, ["moderator-eval", str(write_card(tmp_path, fake_llm)), "--data", str(data),
                                      "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["judge"], payload["n"], payload["correct"]) == ("fake-judge", 3, 1)
    assert len(fake_llm.requests) == 3


def test_cli_prints_data_as_text_not_markup(cli: typer.Typer, tmp_path: Path) -> None:
    data = tmp_path / "odd.jsonl"
    item = {"id": "[bold]x[/bold]", "dialogue": turns(S("$15?"), B("Deal.")),
            "label": {"state": "no_deal", "price": None}, "note": "[red]note"}
    data.write_text(json.dumps(item) + "\n")
    result = CliRunner().invoke(cli, ["moderator-eval", "rules", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "[bold]x[/bold]: expected no_deal , got deal $15 ([red]note)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.yaml"], r"nope\.yaml: no such agent card \(give a card path, or the word 'rules'\)"),
        (["agents/fair-seller.yaml"], r"policy\.type: policy type 'scripted' cannot judge"),
        (["rules", "--data", "missing.jsonl"], r"missing\.jsonl: labelled set not found"),
    ],
    ids=["no-card", "scripted-card", "no-data"],
)
def test_cli_errors_are_one_line_arena_errors(
    cli: typer.Typer, repo_root: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(repo_root)
    result = CliRunner().invoke(cli, ["moderator-eval", *args])
    assert isinstance(result.exception, ConfigError)
    assert "\n" not in result.exception.one_line()
    assert result.exception.exit_code == 2
    with pytest.raises(ConfigError, match=message):
        raise result.exception


def test_cli_default_data_missing_is_a_clean_error(cli: typer.Typer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("arena.games.negotiation.cli.DEFAULT_DATA", Path("/nonexistent/moderator_set.jsonl"))
    result = CliRunner().invoke(cli, ["moderator-eval", "rules"])
    assert isinstance(result.exception, ConfigError)
    assert "pass --data PATH" in str(result.exception)


# ----------------------------------------------------------------------------------- embedded SmolLM2


def test_embedded_smollm2_judge_returns_valid_verdicts(repo_root: Path) -> None:
    judge = LLMModerator(load_agent(repo_root / "agents/moderator-smollm2.yaml"))
    items = {it.id: it for it in load_items(DATA)}
    picks = [items["deal-tokens"], items["nodeal-pass"], items["ongoing-ok-but"]]

    async def run() -> list[Verdict]:
        return [await judge.judge(it.dialogue, seed=1) for it in picks]

    for verdict in asyncio.run(run()):
        assert verdict.state in STATES
        assert verdict.price is None or (verdict.state == "deal" and verdict.price >= 0)
        assert verdict.source == "llm" or verdict.error is not None
