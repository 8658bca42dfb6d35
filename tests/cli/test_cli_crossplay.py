"""``arena run scenarios/negotiation/crossplay.yaml`` prints the cross-play matrix and the rated leaderboard
with intervals: the shipped file, with a scripted card in place of each SmolLM2 one so it plays in seconds.

The counts are the file's shape: 4 sellers x 4 buyers x 4 repeats = 64 matches, 16 per agent; a board is one
opponent and repeat (16 per agent), on which each agent is compared with the 3 others of its role: n = 48.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from arena_cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
CROSSPLAY = ROOT / "scenarios" / "negotiation" / "crossplay.yaml"
AGENTS = ["tough", "fair", "eager", "steady"]


def scripted_variant(tmp: Path) -> Path:
    """The shipped file with its paths made absolute and each SmolLM2 card replaced by a scripted "steady" one
    (between fair and tough: a late-conceding, fair reservation)."""
    text = CROSSPLAY.read_text().replace("[balloon.yaml]", f"[{CROSSPLAY.parent / 'balloon.yaml'}]")
    for role in ("seller", "buyer"):
        card = tmp / f"steady-{role}.yaml"
        card.write_text(f"schema_version: 1\nkind: agent\nname: steady-{role}\nroles: [{role}]\n"
                        "policy: {type: scripted, strategy: fair, params: {speed: 1.5}}\n")
        assert f"../../agents/smollm2-{role}.yaml" in text
        text = text.replace(f"../../agents/smollm2-{role}.yaml", str(card))
    path = tmp / "crossplay.yaml"
    path.write_text(text.replace("../../agents/", f"{ROOT / 'agents'}/"))
    return path


def test_the_crossplay_file_prints_the_matrix_and_every_rating_with_its_interval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli("run", str(scripted_variant(tmp_path)), "--local", "--quiet", "--logs-dir", str(tmp_path / "logs"))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "64 matches played" in err and "(64 ok)" in err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80

    board = lines[:lines.index("Cross-play: seller (rows) x buyer (columns)")]
    for role in ("seller", "buyer"):
        for name in AGENTS:
            first = next(i for i, line in enumerate(board) if line.split()[:2] == [f"{name}-{role}", role])
            cells = board[first].split()
            assert cells[2] == "16" and "n=48" in cells  # matches; comparisons
            assert re.fullmatch(r"\[-?\d+\.\d\d, -?\d+\.\d\d\]", board[first + 1].strip()), board[first + 1]

    matrix = lines[lines.index("Cross-play: seller (rows) x buyer (columns)"):]
    head = next(line for line in matrix if line.startswith("seller "))
    assert sorted(head.split()[1:]) == sorted(f"{name}-buyer" for name in AGENTS)
    for name in AGENTS:
        row = next(i for i, line in enumerate(matrix) if line.startswith(f"{name}-seller "))
        assert len(re.findall(r"\d\.\d\d/\d\.\d\d", matrix[row])) == 4  # both rewards, every buyer
        assert matrix[row + 1].split().count("n=4") == 4  # 4 repeats per pairing
    # tough meets tough: both hold out past each other's reservation, no deal on any seed
    tough = next(i for i, line in enumerate(matrix) if line.startswith("tough-seller "))
    column = head.split()[1:].index("tough-buyer")
    assert matrix[tough].split()[1 + column] == "0.00/0.00"
    assert re.findall(r"deals \d/4", matrix[tough + 1])[column] == "deals 0/4"
