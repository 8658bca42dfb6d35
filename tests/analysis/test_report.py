"""Tests for arena.analysis.report (the HTML report), arena.cli.report and arena.cli.curves_table."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from arena.analysis.curves import learning_curves
from arena.analysis.report import REPORT_FILE, render_report, write_report
from arena.cli.curves_table import per_round_table
from arena.runlog import MATCHES_FILE, RUN_FILE, dumps_line, read_run

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<script>alert(1)</script>"

CRITIC = """\
schema_version: 1
kind: agent
name: scripted-critic
roles: [critic]
policy: {type: scripted, strategy: fair}
"""

GAIN_SELLER = """\
schema_version: 1
kind: agent
name: gain-seller
roles: [seller]
policy: {type: scripted, strategy: fair, params: {advice_gain: 0.05}}
"""


def _execute(tournament: Path, logs: Path, run_id: str) -> Path:
    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    summary = execute(prepare_new(load_tournament(tournament), logs, run_id=run_id), RunOptions(local=True))
    assert summary.status == "finished"
    return logs / run_id


@pytest.fixture(scope="module")
def self_play_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The deterministic case: advice-gain seller, scripted critic, arms none vs ai, R=5, N=20."""
    tmp = tmp_path_factory.mktemp("report")
    (tmp / "critic.yaml").write_text(CRITIC)
    (tmp / "seller.yaml").write_text(GAIN_SELLER)
    (tmp / "t.yaml").write_text(
        "schema_version: 1\nkind: tournament\nname: feedback-report\nformat: self_play\n"
        f"scenarios: [{ROOT / 'scenarios/negotiation/balloon.yaml'}]\n"
        f"players:\n  seller: [seller.yaml]\n  buyer: [{ROOT / 'agents/eager-buyer.yaml'}]\n"
        "rounds: 5\nrepeats: 20\n"
        "feedback: {advise: seller, critic: critic.yaml, arms: [none, ai], suggestions: 1}\n"
    )
    return _execute(tmp / "t.yaml", tmp / "logs", "self-play-run")


def _images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def test_report_embeds_plots_and_names_run_arms_and_rounds(self_play_run):
    path = write_report(self_play_run)
    assert path == self_play_run / REPORT_FILE and path.exists()
    page = path.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    images = _images(page)
    assert len(images) >= 2 and all(img.startswith(b"\x89PNG\r\n\x1a\n") for img in images)
    assert "self-play-run" in page
    assert "<dt>arms</dt><dd>none, ai (control: none)</dd>" in page
    assert "<dt>rounds</dt><dd>5</dd>" in page
    assert "balloon" in page and "gain-seller" in page and "eager-buyer" in page and "scripted-critic" in page
    assert "Feedback effect" in page and "Leaderboard" in page and "Price against deals" in page
    assert "<script" not in page.lower()  # nothing executable, ever
    assert not list(self_play_run.glob("*.tmp"))


def test_report_escapes_log_and_config_text(self_play_run, tmp_path):
    run = tmp_path / "evil-run"
    shutil.copytree(self_play_run, run)
    header = json.loads((run / RUN_FILE).read_text())
    header["config"]["players"]["seller"] = [EVIL]
    header["config"]["critic"] = EVIL
    (run / RUN_FILE).write_text(json.dumps(header))
    _, records = read_run(run)
    for rec in records:
        if rec["repeat"] == 0:
            rec["agents"]["seller"] = EVIL
            for turn in rec["transcript"]:
                turn["text"] = f"I offer $20 {EVIL} & more"
                turn["agent"] = EVIL
            for memory in rec.get("memory_after", {}).values():
                for entry in memory["entries"]:
                    entry["text"] = EVIL
    (run / MATCHES_FILE).write_text("".join(dumps_line(r) for r in records))

    page = write_report(run).read_text(encoding="utf-8")
    assert EVIL not in page and "<script" not in page.lower()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert page.count(escaped) >= 4  # overview, leaderboard, the example dialogue, the advice in memory
    assert "I offer $20 &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


def test_report_of_a_cross_play_run_has_curves_and_leaderboard_only(tmp_path):
    run = _execute(ROOT / "scenarios/negotiation/balloon-scripted.yaml", tmp_path / "logs", "cross")
    page = write_report(run, tmp_path / "out.html", n_boot=200).read_text(encoding="utf-8")
    assert (tmp_path / "out.html").exists() and not (run / REPORT_FILE).exists()
    assert "cross" in page and "<dt>arms</dt><dd>none</dd>" in page and "<dt>rounds</dt><dd>1</dd>" in page
    assert len(_images(page)) == 3  # price, deal rate, price against deal rate: no effect plot
    assert "Feedback effect" not in page
    for agent in ("tough-seller", "fair-seller", "eager-seller", "tough-buyer"):
        assert agent in page
    # the rated leaderboard and the cross-play matrix (fair-seller x eager-buyer: a deal at $16.50 in all 4)
    assert "rating [95% CI] n" in page and "Cross-play: seller (rows) x buyer (columns)" in page
    assert '<td class="num">0.650 / 0.350; deals 4/4 n=4</td>' in page


def test_render_report_handles_errors_and_a_partial_run(self_play_run):
    header, records = read_run(self_play_run)
    partial = [r for r in records if r["round"] <= 2]
    partial[0] = {**partial[0], "status": "error", "error": {"kind": "crash", "message": EVIL}}
    page = render_report(header, partial, n_boot=100)
    assert "1 errors (left out)" in page and "<dt>rounds</dt><dd>5</dd>" in page
    assert EVIL not in page


def test_cli_report_writes_the_page_and_prints_the_table(self_play_run, tmp_path):
    from arena.cli import report as report_cli

    app = typer.Typer()
    report_cli.register(app)
    app.command("noop")(lambda: None)  # two commands, so typer keeps 'report' as a subcommand
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(self_play_run), "--out", str(out), "--n-boot", "300", "--json"])
    assert result.exit_code == 0, result.output
    assert out.exists() and "data:image/png;base64," in out.read_text()
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["arms"] == ["none", "ai"] and data["rounds"] == 5
    effect5 = next(e for e in data["effects"] if e["round"] == 5)
    assert effect5["metrics"]["mean_price"]["lo"] > 0


def _render(table: Any, width: int = 200, styles: bool = False) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), force_terminal=styles, color_system="standard")
    console.print(table)
    return console.export_text(styles=styles)


def test_per_round_table_shows_each_arm_and_the_effect(self_play_run):
    curves = learning_curves(*read_run(self_play_run), n_boot=300)
    text = _render(per_round_table(curves))
    heading = " ".join(text.split("─")[0].split())  # two-line column headings, read across
    assert heading.endswith("none none ai ai Δ deals Δ price round deals price deals price ai-none ai-none")
    line5 = next(line for line in text.splitlines() if line.strip().startswith("5 "))
    effect = curves.effect("ai", 5).metrics["mean_price"]
    # every figure with its n; the effect with its interval and its Holm-adjusted exact p (20 pairs)
    assert f"+{effect.value:.2f} [{effect.lo:.2f},{effect.hi:.2f}] p<0.001 n=20" in line5
    assert "100% n=20" in line5 and "+0% [0%,0%] p=1.000 n=20" in line5  # no deal lost, nothing to test
    assert "Holm-adjusted over the run's" in " ".join(text.split())
    # bold: the price effect of the rounds with advice (Holm p < 0.05); round 1 (no advice yet) and the deal
    # rate (no deal lost) never
    bold = {(row[0].plain, k) for row in per_round_table(curves).rows for k, cell in enumerate(row)
            if any(span.style == "bold" for span in cell.spans)}
    assert ("5", 6) in bold and not {r for r, _ in bold} & {"1"} and not {k for _, k in bold} - {6}
    assert "\x1b[1m+" in _render(per_round_table(curves), styles=True)  # and the terminal shows it bold
    narrow = _render(per_round_table(curves), width=80)
    assert "…" not in narrow  # wraps between a value and its interval, never truncates
    assert max(map(len, narrow.splitlines())) <= 80 and "ai-none" in narrow.split("─")[0]
    assert narrow.count("n=20") == text.count("n=20")  # nothing cropped: the last column is still there
    soft = Console(width=80, record=True, file=io.StringIO(), soft_wrap=True)  # as the CLI's console is
    soft.print(per_round_table(curves))
    assert max(map(len, soft.export_text().splitlines())) <= 80  # the caption wraps too


def test_per_round_table_prints_log_text_literally():
    def rec(arm: str, repeat: int, round_: int, price: float) -> dict[str, Any]:
        return {"kind": "match", "scenario": "[red]sc[/red]", "arm": arm, "repeat": repeat, "round": round_,
                "agents": {"seller": "s", "buyer": "b"}, "status": "ok",
                "outcome": {"deal": True, "price": price}, "rewards": {"seller": 0.5, "buyer": 0.5}}

    records = [rec(arm, k, 1, 15) for arm in ("none", "[bold]x[/bold]") for k in range(3)]
    records += [rec("none", k, 1, 15) | {"scenario": "other"} for k in range(2)]
    curves = learning_curves({"run_id": "[blink]id[/blink]", "config": {}}, records, n_boot=50)
    text = _render(per_round_table(curves))
    assert "[bold]x[/bold]" in text and "[red]sc[/red]" in text and "[blink]id[/blink]" in text
    assert "scenario" in text  # several scenarios: one column names them
    assert "[bold]x[/bold]-none" in text


def test_per_round_table_goes_long_with_many_arms():
    def rec(arm: str, repeat: int, round_: int, price: float) -> dict[str, Any]:
        return {"kind": "match", "scenario": "balloon", "arm": arm, "repeat": repeat, "round": round_,
                "agents": {"seller": "s", "buyer": "b"}, "status": "ok",
                "outcome": {"deal": True, "price": price}, "rewards": {"seller": 0.5, "buyer": 0.5}}

    arms = ["none", "constant", "human", "ai"]
    records = [rec(arm, k, r, 15 + i * (r - 1)) for i, arm in enumerate(arms) for k in range(4) for r in (1, 2)]
    head = {"run_id": "four", "config": {"tournament": {"rounds": 2, "feedback": {"advise": "seller", "arms": arms}}}}
    curves = learning_curves(head, records, n_boot=50)
    text = _render(per_round_table(curves), width=80)
    assert "effect" in text and "vs none" in text
    rows = [line.split() for line in text.splitlines() if line.strip()[:1].isdigit()]
    assert [(row[0], row[1]) for row in rows] == [(str(r), arm) for r in (1, 2) for arm in arms]
    # ai, round 2: 18 against 15 over 4 pairs: a value and its n, no interval (it used to show [3.00,3.00])
    assert rows[-1][-5:] == ["+0%", "n=4", "(n<10)", "+3.00", "n=4"]
    assert "nothing is tested, nothing is marked" in " ".join(text.split())
    assert "…" not in text
    wide = _render(per_round_table(curves, layout="wide"), width=300)
    assert "human" in wide and "effect" in wide
    with pytest.raises(ValueError, match="layout must be auto, wide, long or stacked"):
        per_round_table(curves, layout="tall")


def test_plots_take_names_with_dollars_as_text_and_split_scenarios():
    """A ``$...$`` in a name from the log is not LaTeX (bad mathtext would crash the plot)."""
    records = []
    for scenario in ("balloon", "car$x$"):
        for arm in ("none", r"a$\frac{1}{0}$ $\\"):
            for k in range(3):
                for r in (1, 2):
                    records.append({
                        "kind": "match", "match_id": f"{scenario}.{arm}.{k}.r{r}", "series_id": f"{scenario}.{arm}.{k}",
                        "scenario": scenario, "arm": arm, "repeat": k, "round": r,
                        "agents": {"seller": "s", "buyer": "b"}, "status": "ok",
                        "outcome": {"deal": True, "price": 15 + r}, "rewards": {"seller": 0.5, "buyer": 0.5},
                        "transcript": [{"role": "seller", "agent": "s", "text": "It costs $5, not $6."}],
                    })
    page = render_report({"run_id": "dollars", "config": {}}, records, n_boot=50)
    assert len(_images(page)) == 4
    assert "car$x$" in page and "It costs $5, not $6." in page


def test_a_warning_unrelated_to_the_plots_keeps_its_own_kind(self_play_run, monkeypatch):
    """A ResourceWarning that fires while plotting (a socket collected meanwhile) is not 'report plots'."""
    import warnings

    from arena.analysis import plots

    drawn = plots._series_plot

    def series_plot_meeting_a_socket(curves, figure):
        warnings.warn("unclosed transport", ResourceWarning, stacklevel=1)
        warnings.warn("Glyph 20013 missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1)
        return drawn(curves, figure)

    monkeypatch.setattr(plots, "_series_plot", series_plot_meeting_a_socket)
    header, records = read_run(self_play_run)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.render_plots(learning_curves(header, records))
    seen = [(w.category, str(w.message)) for w in caught]
    assert (ResourceWarning, "unclosed transport") in seen
    assert (UserWarning, "report plots: Glyph 20013 missing from font(s) DejaVu Sans.") in seen
    assert not any("report plots: unclosed" in message for _, message in seen)
