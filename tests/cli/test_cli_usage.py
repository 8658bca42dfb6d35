"""Mistyped commands and options get click's usage message and exit 2, never "internal error"."""

from __future__ import annotations

import pytest
from arena_cli import run_cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "t.yaml", "--logs", "x"), "No such option: --logs"),
        (("runn",), "No such command"),
        (("replay", "--match"), "requires an argument"),
    ],
)
def test_usage_errors_exit_2_with_the_usage_message(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(*args) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert message in text
    assert "internal error" not in text and "Traceback" not in text
