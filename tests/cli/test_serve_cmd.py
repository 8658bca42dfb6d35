"""``arena serve``: the command line it hands to ``llama_cpp.server``, and a bad model path as one line.

The server itself is started for real by ``tests/docs/test_tutorial_commands.py`` (the tutorial's step 5).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from arena_cli import run_cli

from arena.cli.serve import server_command
from arena.llm.base import find_gguf


def test_the_server_gets_the_embedded_gguf_on_this_machine_only_with_one_thread():
    args = server_command(port=8123, host="127.0.0.1", model=None, n_threads=1)
    assert args[:3] == [sys.executable, "-m", "llama_cpp.server"]
    options = dict(zip(args[3::2], args[4::2], strict=True))
    assert options == {"--model": str(find_gguf()), "--host": "127.0.0.1", "--port": "8123", "--n_ctx": "2048",
                       "--n_threads": "1", "--n_threads_batch": "1", "--interrupt_requests": "False",
                       "--verbose": "False"}


def test_a_missing_model_file_is_one_located_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    missing = tmp_path / "nope.gguf"
    assert run_cli("serve", "--model", str(missing)) == 2
    err = capsys.readouterr().err
    assert err == f"{missing}: no such model file\n"
