"""``arena new``: every generated file validates, names an existing schema that accepts it, and a generated
tournament runs, for every registered game, on its example scenario or on a generated one; generated cards of
each backend play (embedded in-process, openai and anthropic on tests/fake_llm_server.py); an existing file is
refused, bad names are one-line errors.

Each test works in its own empty directory (the layout a new user starts from: ``scenarios/<game>/``,
``agents/``, ``schemas/`` are made by the command), running ``arena`` in-process.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from arena import registry
from arena.runlog import read_run
from tests.arena_cli import run_captured

ROOT = Path(__file__).resolve().parents[2]
GAMES = registry.known()
SCHEMA_LINE = "# yaml-language-server: $schema="
# matches a generated tournament plays, counted by hand from each game's baselines:
# pairings x arms x repeats x rounds
MATCHES = {
    "negotiation": 3 * 3 * 1 * 2 * 1,  # tough/fair/eager sellers x buyers, cross-play, 2 repeats
    "example": 2 * 2 * 1 * 2 * 1,  # bisect/linear in both seats, 2 repeats
    "dearman": 1 * 1 * 2 * 2 * 2,  # adopting learner x partner, arms none/ai, 2 repeats, 2 rounds
    "omni": 2 * 1 * 1 * 2 * 10,  # uniform/lp teachers x simulated learner, arm ai, 2 repeats, 10 episodes
}


@pytest.fixture(autouse=True)
def in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def arena(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[object, str, str]:
    return run_captured(capsys, *args)


def schema_of(path: Path) -> dict:
    """The schema a file's first line names (resolved as yaml-language-server does: from the file's folder)."""
    first = path.read_text().splitlines()[0]
    assert first.startswith(SCHEMA_LINE), first
    schema_path = path.parent / first[len(SCHEMA_LINE):]
    assert schema_path.is_file(), schema_path
    return json.loads(schema_path.read_text())


def check_file(capsys: pytest.CaptureFixture[str], path: Path, kind: str, name: str) -> dict:
    """``path`` passes `arena validate` and the schema its first line names (what an editor checks)."""
    code, out, err = arena(capsys, "validate", str(path))
    assert code == 0, err
    assert out.strip() == f"{path}: ok ({kind} {name})"
    data = yaml.safe_load(path.read_text())
    jsonschema.validate(data, schema_of(path), cls=jsonschema.Draft202012Validator)
    return data


def described_keys_are_commented(path: Path, model: type) -> None:
    """Each top-level key whose field has a description sits right under a comment."""
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        key = line.split(":", 1)[0]
        if line[:1].isalpha() and getattr(model.model_fields.get(key), "description", None):
            assert lines[i - 1].startswith("# "), f"{key} has no comment above it"


@pytest.mark.parametrize("game", GAMES)
def test_new_scenario_validates(capsys: pytest.CaptureFixture[str], tmp_path: Path, game: str) -> None:
    code, out, err = arena(capsys, "new", "scenario", game, "my-own")
    assert code == 0, err
    path = Path("scenarios") / game / "my-own.yaml"
    assert out.splitlines() == ["wrote schemas/scenario.json", f"wrote {path}"]
    assert path.read_text().splitlines()[0] == f"{SCHEMA_LINE}../../schemas/scenario.json"
    data = check_file(capsys, path, "scenario", "my-own")
    assert (data["kind"], data["game"], data["name"]) == ("scenario", game, "my-own")
    described_keys_are_commented(path, registry.game(game).scenario_model)


@pytest.mark.parametrize("backend", ["embedded", "openai", "anthropic"])
def test_new_agent_validates(capsys: pytest.CaptureFixture[str], backend: str) -> None:
    code, out, err = arena(capsys, "new", "agent", "my-agent", "--backend", backend, "--role", "seller")
    assert code == 0, err
    path = Path("agents/my-agent.yaml")
    assert path.read_text().splitlines()[0] == f"{SCHEMA_LINE}../schemas/agent.json"
    data = check_file(capsys, path, "agent", "my-agent")
    assert data["roles"] == ["seller"]
    assert data["policy"]["type"] == "llm" and data["policy"]["model"]["backend"] == backend
    key_env = {"embedded": None, "openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}[backend]
    assert data["policy"]["model"].get("api_key_env") == key_env


@pytest.mark.parametrize("game", GAMES)
def test_new_tournament_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path, game: str) -> None:
    code, out, err = arena(capsys, "new", "tournament", "baselines", "--game", game)
    assert code == 0, err
    path = Path("scenarios") / game / "baselines.yaml"
    assert out.splitlines()[-1] == f"wrote {path}"
    assert path.read_text().splitlines()[0] == f"{SCHEMA_LINE}../../schemas/tournament.json"
    check_file(capsys, path, "tournament", "baselines")
    for written in [*Path("agents").glob("*.yaml"), *Path("scenarios").glob("*/*.yaml")]:  # cards and scenario
        schema_of(written)
        assert arena(capsys, "validate", str(written))[0] == 0, written
    code, _, err = arena(capsys, "run", str(path), "--local", "--quiet", "--logs-dir", "logs", "--run-id", "r")
    assert code == 0, err
    _, records = read_run(tmp_path / "logs" / "r")
    assert len(records) == MATCHES[game]
    assert all(r["status"] == "ok" for r in records)


def test_baselines_are_the_shipped_cards() -> None:
    """A baseline card named like a card in agents/ plays the same (in the repository, `arena new tournament`
    reuses agents/'s files)."""
    compared = 0
    for game in GAMES:
        base = registry.game(game).baselines
        cards = [c for cs in base["players"].values() for c in cs] + [base.get("feedback", {}).get("critic")]
        for card in filter(None, cards):
            shipped = ROOT / "agents" / f"{card['name']}.yaml"
            if shipped.exists():
                data = yaml.safe_load(shipped.read_text())
                assert (data["roles"], data["policy"]) == (card["roles"], card["policy"]), card["name"]
                compared += 1
    assert compared == 17  # 6 negotiation, 4 example (2 cards in 2 seats), 3 dearman, 4 omni


def test_own_card_plays_in_a_new_tournament(capsys: pytest.CaptureFixture[str], tmp_path: Path, fake_llm,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A new openai card on a local server (no key needed), put into a new tournament with --player: the run
    calls the server."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert arena(capsys, "new", "agent", "my-seller", "--backend", "openai", "--model", "fake-model",
                 "--base-url", fake_llm.openai_base_url, "--role", "seller")[0] == 0
    model = check_file(capsys, Path("agents/my-seller.yaml"), "agent", "my-seller")["policy"]["model"]
    assert model == {"backend": "openai", "model": "fake-model", "temperature": 0.7, "max_tokens": 120,
                     "base_url": fake_llm.openai_base_url}
    code, out, err = arena(capsys, "new", "tournament", "mine", "--player", "seller=agents/my-seller.yaml")
    assert code == 0, err
    path = Path("scenarios/negotiation/mine.yaml")
    assert yaml.safe_load(path.read_text())["players"]["seller"] == ["../../agents/my-seller.yaml"]
    assert not Path("agents/tough-seller.yaml").exists()  # the replaced role's baselines are not written
    check_file(capsys, path, "tournament", "mine")
    code, _, err = arena(capsys, "run", str(path), "--local", "--quiet", "--logs-dir", "logs", "--run-id", "own")
    assert code == 0, err
    _, records = read_run(tmp_path / "logs" / "own")
    assert len(records) == 3 * 2  # my-seller x 3 scripted buyers, 2 repeats
    assert {r["agents"]["seller"] for r in records} == {"my-seller"}
    assert fake_llm.requests


def shrink(tournament: Path, opponent: str) -> Path:
    """Cut a generated negotiation tournament to one match: one repeat, one buyer (``opponent``), and its example
    scenario to 2 messages (the seller's, then the buyer's), so a model-backed card is called once."""
    replace(tournament, "\nrepeats: 2\n", "\nrepeats: 1\n")
    replace(tournament, "\n  buyer: [../../agents/tough-buyer.yaml, ../../agents/fair-buyer.yaml, "
            "../../agents/eager-buyer.yaml]\n", f"\n  buyer: [../../agents/{opponent}.yaml]\n")
    [scenario] = yaml.safe_load(tournament.read_text())["scenarios"]
    replace(tournament.parent / scenario, "\nmax_turns: 20\n", "\nmax_turns: 2\n")
    return tournament


def replace(path: Path, old: str, new: str) -> None:
    """Edit a generated file in place as a user would (its comments and schema line kept); ``old`` is there once."""
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def own_seller_plays_once(capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str,
                          *options: str) -> dict:
    """A new ``backend`` seller card, put into a new tournament with --player, shrunk to one match and run
    with --local: the match's record (checked to be ok, the seller's one turn a non-empty model reply)."""
    code, _, err = arena(capsys, "new", "agent", "my-seller", "--backend", backend, "--role", "seller", *options)
    assert code == 0, err
    check_file(capsys, Path("agents/my-seller.yaml"), "agent", "my-seller")
    code, _, err = arena(capsys, "new", "tournament", "mine", "--player", "seller=agents/my-seller.yaml")
    assert code == 0, err
    path = shrink(Path("scenarios/negotiation/mine.yaml"), "fair-buyer")
    check_file(capsys, path, "tournament", "mine")
    code, _, err = arena(capsys, "run", str(path), "--local", "--quiet", "--logs-dir", "logs", "--run-id", backend)
    assert code == 0, err
    _, [record] = read_run(tmp_path / "logs" / backend)
    assert (record["status"], record["agents"]) == ("ok", {"seller": "my-seller", "buyer": "fair-buyer"})
    seller, buyer = record["transcript"]
    assert (seller["role"], seller["agent"], buyer["player_how"]) == ("seller", "my-seller", "scripted")
    assert seller["player_how"] == "structured" and seller["text"].strip()
    assert record["usage"]["seller"]["calls"] == 1 and record["usage"]["seller"]["completion_tokens"] > 0
    return record


def test_new_embedded_card_plays(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The default backend as generated (SmolLM2 in-process, one thread, 60 tokens) plays one real match."""
    own_seller_plays_once(capsys, tmp_path, "embedded")


def test_new_anthropic_card_plays(capsys: pytest.CaptureFixture[str], tmp_path: Path, fake_llm,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A new anthropic card with --base-url keeps its api_key_env; with that variable set, the match calls the
    server's Messages API with the key."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-dummy-for-the-fake-server")
    own_seller_plays_once(capsys, tmp_path, "anthropic", "--model", "fake-claude",
                          "--base-url", fake_llm.anthropic_base_url)
    model = yaml.safe_load(Path("agents/my-seller.yaml").read_text())["policy"]["model"]
    assert model == {"backend": "anthropic", "model": "fake-claude", "api_key_env": "ANTHROPIC_API_KEY",
                     "temperature": 0.7, "max_tokens": 120, "base_url": fake_llm.anthropic_base_url}
    [request] = fake_llm.requests
    assert (request.api, request.path, request.json["model"]) == ("anthropic", "/v1/messages", "fake-claude")
    key = "sk-ant-dummy-for-the-fake-server"  # sent as x-api-key or as a bearer token, as the SDK chooses
    assert key in (request.headers.get("x-api-key"), request.headers.get("authorization", "")[7:])


@pytest.mark.parametrize("game", GAMES)
def test_new_scenario_plays_in_a_new_tournament(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                game: str) -> None:
    """A generated scenario, named with --scenario, is what a generated tournament plays (no example written)."""
    assert arena(capsys, "new", "scenario", game, "my-own")[0] == 0
    scenario = Path("scenarios") / game / "my-own.yaml"
    code, out, err = arena(capsys, "new", "tournament", "t", "--game", game, "--scenario", str(scenario))
    assert code == 0, err
    path = Path("scenarios") / game / "t.yaml"
    assert yaml.safe_load(path.read_text())["scenarios"] == ["my-own.yaml"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["my-own.yaml", "t.yaml"]
    check_file(capsys, path, "tournament", "t")
    code, _, err = arena(capsys, "run", str(path), "--local", "--quiet", "--logs-dir", "logs", "--run-id", "s")
    assert code == 0, err
    _, records = read_run(tmp_path / "logs" / "s")
    assert len(records) == MATCHES[game]
    assert {(r["game"], r["scenario"], r["status"]) for r in records} == {(game, "my-own", "ok")}


def test_existing_file_is_refused_unless_forced(capsys: pytest.CaptureFixture[str]) -> None:
    assert arena(capsys, "new", "scenario", "negotiation", "mine")[0] == 0
    path = Path("scenarios/negotiation/mine.yaml")
    path.write_text("# edited by hand\n")
    code, out, err = arena(capsys, "new", "scenario", "negotiation", "mine")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["arena new scenario: scenarios/negotiation/mine.yaml exists; pass --force to "
                                "overwrite it"]
    assert path.read_text() == "# edited by hand\n"
    assert arena(capsys, "new", "scenario", "negotiation", "mine", "--force")[0] == 0
    assert path.read_text().startswith(SCHEMA_LINE)

    assert arena(capsys, "new", "agent", "a")[0] == 0
    code, _, err = arena(capsys, "new", "agent", "a", "--backend", "openai")
    assert (code, err.splitlines()) == (2, ["arena new agent: agents/a.yaml exists; pass --force to overwrite it"])


def test_a_second_tournament_reuses_cards_and_refuses_itself(capsys: pytest.CaptureFixture[str]) -> None:
    assert arena(capsys, "new", "tournament", "one", "--game", "example")[0] == 0
    Path("agents/example-bisect.yaml").write_text(Path("agents/example-bisect.yaml").read_text() + "# mine\n")
    code, out, err = arena(capsys, "new", "tournament", "two", "--game", "example")
    assert code == 0, err
    assert out.splitlines() == ["uses scenarios/example/number.yaml", "uses agents/example-bisect.yaml",
                                "uses agents/example-linear.yaml", "uses agents/example-bisect.yaml",
                                "uses agents/example-linear.yaml", "wrote scenarios/example/two.yaml"]
    assert Path("agents/example-bisect.yaml").read_text().endswith("# mine\n")
    code, out, err = arena(capsys, "new", "tournament", "two", "--game", "example")
    assert (code, err.splitlines()) == (2, ["arena new tournament: scenarios/example/two.yaml exists; pass --force "
                                            "to overwrite it"])


@pytest.mark.parametrize(("args", "line"), [
    (("new", "scenario", "chess", "x"),
     "arena new scenario: unknown game 'chess' (one of: negotiation, example, dearman, omni)"),
    (("new", "scenario", "dearmann", "x"),
     "arena new scenario: unknown game 'dearmann'; did you mean 'dearman'? (one of: negotiation, example, dearman, "
     "omni)"),
    (("new", "tournament", "x", "--game", "go"),
     "arena new tournament: unknown game 'go' (one of: negotiation, example, dearman, omni)"),
    (("new", "agent", "x", "--backend", "ollama"),
     "arena new agent: unknown backend 'ollama' (one of: embedded, openai, anthropic)"),
    (("new", "agent", "x", "--backend", "anthropic", "--base-url", "http://127.0.0.1:9/v1"),
     "arena new agent: --base-url: claude-haiku-4-5: config: base_url 'http://127.0.0.1:9/v1' must not end in /v1: "
     "the Anthropic SDK appends /v1/messages itself (use 'http://127.0.0.1:9')"),
    (("new", "agent", "../x"),
     "arena new agent: name '../x': use letters, digits, '_', '.', '-' (64 at most, starting with a letter or digit)"),
    (("new", "tournament", "x", "--player", "host=a.yaml"),
     "arena new tournament: --player 'host=a.yaml': give ROLE=CARD, ROLE one of the negotiation game's roles: "
     "seller, buyer"),
    (("new", "tournament", "x", "--scenario", "nowhere.yaml"),
     "arena new tournament: --scenario nowhere.yaml: no such file"),
])
def test_bad_input_is_one_line(capsys: pytest.CaptureFixture[str], args: tuple[str, ...], line: str) -> None:
    code, out, err = arena(capsys, *args)
    assert (code, out, err.splitlines()) == (2, "", [line])
    assert not Path("scenarios").exists() and not Path("agents").exists()


def test_schema_out_writes_what_stdout_prints(capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, _ = arena(capsys, "schema", "tournament")
    assert code == 0
    assert arena(capsys, "schema", "tournament", "--out", "x/tournament.json") == (0, "", "")
    assert Path("x/tournament.json").read_text() == printed
    assert json.loads(printed)["title"] == "Tournament"
