"""What the commands show: the scenario's currency, escaped text from YAML and logs, an 80-column list."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from arena_cli import run_cli as cli
from rich.console import Console

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "negotiation"
BALLOON = SCENARIOS / "balloon-scripted.yaml"
HOSTILE = "x\x1b[31m\u202e"  # an ANSI colour switch and a right-to-left override


def _eur_tournament(tmp_path: Path) -> Path:
    scenario = (SCENARIOS / "balloon.yaml").read_text().replace("item: balloon\n", "item: balloon\ncurrency: EUR\n")
    (tmp_path / "balloon.yaml").write_text(scenario)
    tournament = BALLOON.read_text().replace("../../agents/", f"{ROOT / 'agents'}/").replace("repeats: 4", "repeats: 1")
    (tmp_path / "t.yaml").write_text(tournament)
    return tmp_path / "t.yaml"


def test_replay_shows_the_scenarios_currency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", str(_eur_tournament(tmp_path)), "--local", "--logs-dir", str(tmp_path), "--run-id", "eur") == 0
    records = [json.loads(line) for line in (tmp_path / "eur" / "matches.jsonl").read_text().splitlines()]
    deal = next(r for r in records if r["outcome"]["deal"])
    capsys.readouterr()
    assert cli("replay", str(tmp_path / "eur"), "--match", deal["match_id"]) == 0
    shown = capsys.readouterr().out
    assert "offer EUR 20" in shown  # every scripted seller opens at 20
    assert f"outcome: deal EUR {deal['outcome']['price']:g}" in shown
    assert "$" not in shown
    assert cli("replay", str(tmp_path / "eur")) == 0
    listed = capsys.readouterr().out
    assert f"deal EUR {deal['outcome']['price']:g}" in listed and "$" not in listed


def test_replay_header_and_labels_are_escaped() -> None:
    from arena.replay import match_list, match_view

    record = {
        "match_id": f"m{HOSTILE}", "series_id": "s", "scenario": f"s{HOSTILE}", "arm": f"a{HOSTILE}", "round": 1,
        "seed": 0, "status": "ok", "agents": {f"r{HOSTILE}": f"b{HOSTILE}"}, "outcome": {"deal": False, "reason": "q"},
        "rewards": {f"r{HOSTILE}": 0.0}, "memory_before": {f"r{HOSTILE}": "m"},
        "feedback": {f"r{HOSTILE}": {"arm": f"a{HOSTILE}", "suggestions": ["s"]}},
        "transcript": [{"turn": 0, "role": f"r{HOSTILE}", "agent": "a", "text": "t", "event": f"e{HOSTILE}"}],
    }
    console = Console(record=True, width=200, color_system=None)
    console.print(match_view(record))
    console.print(match_list([record]))
    text = console.export_text()
    assert "\x1b" not in text and "\u202e" not in text
    assert text.count("x\\x1b[31m\\u202e") >= 9  # header (id, scenario, arm), memory, turn, event, rewards, ...


def test_a_yaml_key_with_control_characters_is_escaped_in_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('schema_version: 1\nkind: agent\nname: a\n"\\e[31mevil\\u202e": 1\npolicy: {type: scripted}\n')
    assert cli("validate", str(bad)) == 2
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\u202e" not in out + err
    assert out == "" and err.count("\n") == 1 and "\\x1b[31mevil\\u202e" in err


def test_errors_escape_control_characters_on_their_one_line() -> None:
    from arena.errors import ConfigError, RunlogError

    error = ConfigError("bad\x07 value\n\tnext", path="f\x1b.yaml", line=3, col=2, field="a.\x1b[2J")
    assert error.one_line() == "f\\x1b.yaml:3:2: a.\\x1b[2J: bad\\x07 value next"
    assert RunlogError("run \u202edir\r\nx").one_line() == "run \\u202edir x"


def test_report_plot_warnings_are_escaped(run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """matplotlib warns about glyphs missing from its font and quotes them; the arm name here comes from a log."""
    hostile = tmp_path / "hostile"
    shutil.copytree(run_dir, hostile)
    log = hostile / "matches.jsonl"
    text = log.read_text()
    assert '"arm":"none"' in text
    log.write_text(text.replace('"arm":"none"', '"arm":"n\\u001b[31m\\u4e2done"'))
    assert cli("report", str(hostile), "--n-boot", "10") == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: report plots: Glyph 20013 (\\N{CJK UNIFIED IDEOGRAPH-4E2D}) missing from font(s) "
                        "DejaVu Sans."]


def test_replay_list_fits_80_columns(run_dir: Path) -> None:
    from arena.replay import match_list

    records = [json.loads(line) for line in (run_dir / "matches.jsonl").read_text().splitlines()]
    for width, agents in ((80, False), (140, True)):
        console = Console(record=True, width=width, color_system=None)
        console.print(match_list(records, width=width))
        lines = console.export_text().splitlines()
        assert max(map(len, lines)) <= width
        text = "\n".join(lines)
        assert "…" not in text
        assert all(r["match_id"] in text for r in records)  # every id whole, as --match takes it
        assert ("tough-seller / tough-buyer" in text) is agents
