"""The loader's errors name file, line, column and field; references resolve relative to the file naming them.

Messages are pinned whole (``match=`` on the rendered one-line error), so a change of wording is a
deliberate change of this file.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from arena.config import load_agent, load_any, load_scenario, load_tournament
from arena.config.loader import validate_model
from arena.config.models import ResolvedTournament
from arena.config.yaml_source import MAX_DEPTH, parse_yaml, read_yaml
from arena.errors import ConfigError
from arena.games.negotiation.scenario import NegotiationScenario

ROOT = Path(__file__).resolve().parents[2]
REAL_FILES = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("agents/*.yaml")])

SCENARIO = """\
schema_version: 1
kind: scenario
name: balloon
item: balloon
seller:
  cost: 8
  opening: 20
buyer: {opening: 10, budget: 20}
deal_range: {low: 10, high: 20}
feedback_pool: [one, two, three]
"""
SELLER = "kind: agent\nname: s\nroles: [seller]\npolicy: {type: scripted, strategy: tough}\n"
BUYER = "kind: agent\nname: b\nroles: [buyer]\npolicy: {type: scripted, strategy: eager}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def pinned(text: str) -> str:
    """A whole one-line message as a regex."""
    return "^" + re.escape(text) + "$"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small project: a tournament in configs/, its scenario beside it, cards in cards/; cwd is its root."""
    write(tmp_path / "configs/scenario.yaml", SCENARIO)
    write(tmp_path / "cards/seller.yaml", SELLER)
    write(tmp_path / "cards/buyer.yaml", BUYER)
    write(tmp_path / "configs/tournament.yaml", """\
        kind: tournament
        name: t
        scenarios: [scenario.yaml]
        players:
          seller: [../cards/seller.yaml]
          buyer: [../cards/buyer.yaml]
        repeats: 2
        seed: 5
        """)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- the five classic mistakes


def test_missing_field(project: Path) -> None:
    write(project / "configs/scenario.yaml", SCENARIO.replace("  cost: 8\n", ""))
    with pytest.raises(ConfigError, match=pinned("configs/scenario.yaml:6:3: seller.cost: required field is missing")):
        load_scenario("configs/scenario.yaml")


def test_wrong_type(project: Path) -> None:
    write(project / "configs/scenario.yaml", SCENARIO.replace("cost: 8", "cost: cheap"))
    with pytest.raises(ConfigError) as info:
        load_scenario("configs/scenario.yaml")
    assert str(info.value) == "configs/scenario.yaml:6:9: seller.cost: Input should be a valid number, got text 'cheap'"
    assert (info.value.path, info.value.line, info.value.col, info.value.field) == (
        "configs/scenario.yaml", 6, 9, "seller.cost")
    assert info.value.exit_code == 2


def test_unknown_key_with_hint(project: Path) -> None:
    write(project / "configs/scenario.yaml", SCENARIO.replace("  opening: 20", "  openning: 20"))
    with pytest.raises(ConfigError, match=pinned(
        "configs/scenario.yaml:7:3: seller.openning: unknown key; did you mean 'opening'? "
        "(allowed: brief, cost, opening) (+1 more)"
    )):
        load_scenario("configs/scenario.yaml")


def test_unknown_key_inside_a_policy_union(project: Path) -> None:
    write(project / "cards/llm.yaml", """\
        kind: agent
        name: llm
        policy:
          type: llm
          persona: a careful trader
          model: {backend: openai, max_token: 32}
        """)
    with pytest.raises(ConfigError, match=r"^cards/llm\.yaml:6:28: policy\.model\.max_token: unknown key; "
                                          r"did you mean 'max_tokens'\?"):
        load_agent("cards/llm.yaml")


def test_bad_yaml_syntax(project: Path) -> None:
    write(project / "configs/tournament.yaml", "kind: tournament\nname: t\nscenarios: [scenario.yaml\n")
    with pytest.raises(ConfigError, match=pinned(
        "configs/tournament.yaml:4:1: YAML syntax: expected ',' or ']', but got '<stream end>'"
    )):
        load_tournament("configs/tournament.yaml")


def test_missing_referenced_file(project: Path) -> None:
    (project / "cards/buyer.yaml").unlink()
    with pytest.raises(ConfigError, match=pinned(
        "configs/tournament.yaml:6:11: players.buyer[0]: referenced file not found: ../cards/buyer.yaml"
    )):
        load_tournament("configs/tournament.yaml")


def test_error_inside_a_referenced_file_names_that_file(project: Path) -> None:
    write(project / "cards/buyer.yaml", BUYER.replace("eager", "greedy"))
    with pytest.raises(ConfigError, match=pinned(
        "cards/buyer.yaml:4:36: policy.strategy: unknown scripted strategy 'greedy' (one of: tough, fair, eager)"
    )):
        load_tournament("configs/tournament.yaml")


# ---------------------------------------------------------------- references and round trips


def test_references_resolve_relative_to_the_referencing_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = project / "somewhere/else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    resolved = load_tournament("../../configs/tournament.yaml")
    assert set(resolved.agents) == {"s", "b"}
    assert resolved.players == {"seller": ["s"], "buyer": ["b"]}
    assert list(resolved.scenarios) == ["balloon"]
    # and errors inside referenced files are still named by a path that works from here
    write(project / "cards/seller.yaml", SELLER.replace("tough", "tuff"))
    with pytest.raises(ConfigError, match=r"^\.\./\.\./cards/seller\.yaml:4:36: policy\.strategy: unknown"):
        load_tournament("../../configs/tournament.yaml")


def test_paths_outside_the_working_directory_are_shown_normalised(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("other"))
    write(project / "cards/seller.yaml", SELLER.replace("tough", "tuff"))
    with pytest.raises(ConfigError) as info:
        load_tournament(project / "configs/tournament.yaml")
    assert info.value.path == str(project / "cards/seller.yaml")


def test_resolved_tournament_round_trips_through_json(project: Path) -> None:
    resolved = load_tournament("configs/tournament.yaml")
    dumped = resolved.model_dump(mode="json")
    again = ResolvedTournament.model_validate(dumped)
    assert again == resolved
    assert again.model_dump(mode="json") == dumped


def test_real_tournament_round_trips() -> None:
    resolved = load_tournament(ROOT / "scenarios/negotiation/balloon-scripted.yaml")
    assert len(resolved.agents) == 6
    assert ResolvedTournament.model_validate(resolved.model_dump(mode="json")) == resolved


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_files_validate(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    kind, model = load_any(name)
    assert kind in {"tournament", "scenario", "agent"}
    assert model is not None


def test_real_files_exist() -> None:
    assert "scenarios/negotiation/balloon.yaml" in REAL_FILES
    assert sum(name.startswith("agents/") for name in REAL_FILES) >= 6


def test_same_card_from_two_paths_is_one_agent(project: Path) -> None:
    write(project / "configs/tournament.yaml", """\
        kind: tournament
        name: t
        scenarios: [scenario.yaml]
        players:
          seller: [../cards/seller.yaml]
          buyer: [../cards/buyer.yaml]
        feedback: {critic: ../cards/./critic.yaml, arms: [none, ai]}
        """)
    write(project / "cards/critic.yaml", "kind: agent\nname: c\npolicy: {type: scripted, strategy: made-up}\n"
                                         "roles: [critic]\n")
    resolved = load_tournament("configs/tournament.yaml")
    assert resolved.critic == "c"  # a scripted critic's strategy is never used, so any name is accepted


# ---------------------------------------------------------------- file kinds and whole-file problems


def test_kind_mismatch(project: Path) -> None:
    with pytest.raises(ConfigError, match=pinned("cards/seller.yaml:1:7: kind: expected a scenario file, this is "
                                                 "an agent")):
        load_scenario("cards/seller.yaml")
    with pytest.raises(ConfigError, match=pinned("configs/scenario.yaml:2:7: kind: expected a tournament file, "
                                                 "this is a scenario")):
        load_tournament("configs/scenario.yaml")


def test_tournament_naming_itself(project: Path) -> None:
    write(project / "configs/tournament.yaml",
          (project / "configs/tournament.yaml").read_text().replace("[scenario.yaml]", "[./tournament.yaml]"))
    with pytest.raises(ConfigError, match=pinned(
        "configs/tournament.yaml:3:13: scenarios[0]: ./tournament.yaml is this tournament file itself "
        "(a circular reference)"
    )):
        load_tournament("configs/tournament.yaml")


def test_missing_file_has_no_line(project: Path) -> None:
    with pytest.raises(ConfigError, match=pinned("nope.yaml: file not found")):
        load_any("nope.yaml")


def test_kind_is_inferred_without_a_kind_key(project: Path) -> None:
    write(project / "card.yaml", "name: x\npolicy: {type: scripted, strategy: fair}\n")
    assert load_any("card.yaml")[0] == "agent"


# ---------------------------------------------------------------- the YAML reader


def test_marks_point_at_keys_and_values() -> None:
    src = parse_yaml("a:\n  b: [1, {c: x}]\n", "f.yaml")
    assert src.data == {"a": {"b": [1, {"c": "x"}]}}
    assert src.where(("a", "b"), at="key") == (2, 3)
    assert src.where(("a", "b")) == (2, 6)
    assert src.where(("a", "b", 1, "c")) == (2, 14)
    assert src.where(("a", "missing")) == (2, 3)  # the mapping where it should be


def test_merge_keys_work_and_local_keys_override_them() -> None:
    src = parse_yaml("base: &b {cost: 8, opening: 20}\nseller: {<<: *b, opening: 25}\n", "m.yaml")
    assert src.data["seller"] == {"cost": 8, "opening": 25}
    assert src.where(("seller", "opening")) == (2, 27)
    src = parse_yaml("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc: {<<: [*a, *b]}\n", "m.yaml")
    assert src.data["c"] == {"x": 1, "y": 2}  # the first merged mapping wins


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match=pinned("d.yaml:3:1: a: duplicate key (first defined on line 1)")):
        parse_yaml("a: 1\nb: 2\na: 3\n", "d.yaml")


def test_python_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = write(tmp_path / "evil.yaml", f"""\
        kind: agent
        name: !!python/object/apply:os.system ["touch {marker}"]
        policy: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]
        """)
    with pytest.raises(ConfigError, match="YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"):
        load_any(path)
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly() -> None:
    import time

    layers = ["a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    layers += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    start = time.perf_counter()
    with pytest.raises(ConfigError, match=r"aliases expand to more than 10,000 values"):
        parse_yaml("\n".join(layers) + "\n", "bomb.yaml")
    assert time.perf_counter() - start < 2


def test_modest_aliases_are_fine() -> None:
    src = parse_yaml("a: &a [1, 2, 3]\nb: *a\nc: *a\n", "ok.yaml")
    assert src.data == {"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 3]}


def test_deep_nesting_is_refused_before_python_recursion() -> None:
    deep = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(ConfigError, match=pinned(f"deep.yaml:1:{3 + MAX_DEPTH}: nested deeper than {MAX_DEPTH} "
                                                 "levels")):
        parse_yaml(deep, "deep.yaml")


def test_whole_file_checks(tmp_path: Path) -> None:
    big = write(tmp_path / "big.yaml", "a: " + "x" * 1_000_001 + "\n")
    with pytest.raises(ConfigError, match=pinned("big.yaml:1:1: file is larger than 1,000,000 bytes, the limit for "
                                                 "config files")):
        read_yaml(big, "big.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=pinned("l.yaml:1:10: not UTF-8 text (byte 0xe9); save the file as UTF-8")):
        read_yaml(latin1, "l.yaml")
    with pytest.raises(ConfigError, match=pinned("dir: is a directory, expected a YAML file")):
        read_yaml(tmp_path, "dir")


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SCENARIO.encode())
    assert isinstance(load_scenario(path), NegotiationScenario)


def test_validate_model_reports_the_most_telling_error() -> None:
    """An unknown key is reported before the missing field it was probably meant to be."""
    src = parse_yaml("name: x\nitem: b\nseler: {cost: 8, opening: 20}\n", "s.yaml")
    with pytest.raises(ConfigError, match=r"^s\.yaml:3:1: seler: unknown key; did you mean 'seller'\?"):
        validate_model(NegotiationScenario, src)


def test_errors_are_one_line_whatever_the_input() -> None:
    src = parse_yaml('name: "x\\ny"\nitem: "multi\\nline"\n', "s.yaml")
    with pytest.raises(ConfigError) as info:
        validate_model(NegotiationScenario, src)
    assert "\n" not in info.value.one_line()
