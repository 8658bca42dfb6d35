"""Every command of ``docs/tutorial.md`` runs, in order, as a new user would paste it.

Why: a tutorial whose commands rot is worse than none; this runs them all on each test run.

Fence convention in ``docs/tutorial.md`` (the first word after the backticks; GitHub ignores the rest):
- ```` ```bash ````: run. Each block is one ``bash -e -o pipefail`` script, run in order in one temporary
  folder holding copies of the repository's ``scenarios/`` and ``agents/`` (later blocks use the files and
  runs of earlier ones); any non-zero exit fails the test, naming the block's line and its output.
- ```` ```bash background PATH ````: a server the reader starts in a second terminal. Started in the
  background (its own process group), waited on until ``PATH`` (default ``/v1/models``: ``arena serve``)
  answers 200 on its ``--port``, and stopped by the test through its PID when the other blocks have run.
- anything else (```` ```sh ```` for commands that are not run here, such as the install and the
  interactive ``arena play``; ```` ```text ```` for output; ```` ```yaml ```` for file excerpts): shown, not
  run. So a command a person types by hand goes in a ```` ```sh ```` block, and its piped twin in a
  ```` ```bash ```` block.

One substitution: the ports ``8080`` and ``8090`` become free ports in every command (another program on
this machine may hold them). The ``arena`` on PATH runs this checkout's code (``PYTHONPATH`` points here).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial.md"
PORTS = ("8080", "8090")
FENCE = re.compile(r"^(`{3,})\s*(\S*)\s*(.*)$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    info: str  # what follows the language on the fence line ("background")
    body: str


def code_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order; an unclosed fence is an error, not a silent skip."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        ticks, start, body = match.group(1), i, []
        i += 1
        while i < len(lines) and lines[i].strip() != ticks:
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"line {start + 1}: unclosed code fence")
        blocks.append(Block(start + 1, match.group(2), match.group(3).strip(), "\n".join(body) + "\n"))
        i += 1
    return blocks


def runnable(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """(blocks run in order, background servers) under the fence convention above."""
    run = [b for b in blocks if b.lang == "bash" and b.info.split()[:1] != ["background"]]
    servers = [b for b in blocks if b.lang == "bash" and b.info.split()[:1] == ["background"]]
    return run, servers


def test_code_blocks_follow_the_fence_convention():
    text = ("intro\n```sh\npip install x\n```\n```bash\narena --help\n```\n````text\n```bash\nnot a block\n```\n"
            "````\n```bash background\narena serve --port 8080\n```\n```bash\na \\\n  b\n```\n")
    blocks = code_blocks(text)
    assert [(b.line, b.lang, b.info) for b in blocks] == [
        (2, "sh", ""), (5, "bash", ""), (8, "text", ""), (13, "bash", "background"), (16, "bash", "")]
    assert blocks[2].body == "```bash\nnot a block\n```\n"
    run, servers = runnable(blocks)
    assert [b.body for b in run] == ["arena --help\n", "a \\\n  b\n"]
    assert [b.body for b in servers] == ["arena serve --port 8080\n"]
    with pytest.raises(ValueError, match="line 1: unclosed"):
        code_blocks("```bash\nls\n")


def test_readme_links_the_tutorial_below_its_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = code_blocks(readme)[0]
    assert first.body == ("pip install -e . && arena run scenarios/negotiation/balloon-feedback.yaml\n"
                          "pip install -e '.[dev]' && ruff check . && pytest\n")
    after = readme.splitlines()[first.line + 2:first.line + 6]  # the lines just below the closing fence
    assert any("(docs/tutorial.md)" in line for line in after), after


def test_tutorial_has_what_issue_17_asks_for():
    text = TUTORIAL.read_text(encoding="utf-8")
    run, servers = runnable(code_blocks(text))
    commands = "".join(b.body for b in run)
    for needed in ("arena new scenario negotiation", "arena new scenario dearman", "arena new agent",
                   "--base-url http://127.0.0.1:8080/v1", "arena run", "arena replay", "arena report",
                   "| arena play"):
        assert needed in commands, needed
    assert [(b.body, ready_path(b)) for b in servers] == [("arena serve --port 8080\n", "/v1/models"),
                                                          ("arena view logs/ --port 8090\n", "/")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ready_path(block: Block) -> str:
    """The path a background block's server answers once it is up (the fence's word after ``background``)."""
    words = block.info.split()
    return words[1] if len(words) > 1 else "/v1/models"


def _port_of(script: str) -> int:
    return int(re.search(r"--port (\d+)", script).group(1))  # type: ignore[union-attr]


def _wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, log: Path, timeout_s: float = 120.0) -> None:
    url = f"http://127.0.0.1:{port}{path}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the tutorial's server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the tutorial's server did not answer {url} within {timeout_s:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its PID leads it), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def test_every_tutorial_command_runs_in_order(tmp_path: Path):
    run, servers = runnable(code_blocks(TUTORIAL.read_text(encoding="utf-8")))
    for folder in ("scenarios", "agents"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    ports = {fixed: str(_free_port()) for fixed in PORTS}
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "RAY_DEDUP_LOGS": "0"}
    started: list[subprocess.Popen[bytes]] = []
    try:
        for block in sorted(run + servers, key=lambda b: b.line):
            script = block.body
            for fixed, free in ports.items():
                script = script.replace(fixed, free)
            if block in servers:
                log = tmp_path / f"server-{block.line}.log"
                with open(log, "wb") as out:
                    proc = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=env, stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
                started.append(proc)
                _wait_ready(proc, _port_of(script), ready_path(block), log)
                continue
            done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
            assert done.returncode == 0, (
                f"docs/tutorial.md line {block.line}: exit {done.returncode}\n{script}\n"
                f"--- stdout (tail)\n{done.stdout[-3000:]}\n--- stderr (tail)\n{done.stderr[-3000:]}")
    finally:
        for proc in started:
            _stop(proc)
    # what the commands were for: the runs the later steps read, each with its matches logged
    for run_id, matches in (("first", 36), ("guitar-cup", 18), ("raise-practice", 8), ("my-seller", 2),
                            ("play-guitar", 1), ("play-raise", 1)):
        lines = (tmp_path / "logs" / run_id / "matches.jsonl").read_text().splitlines()
        assert len(lines) == matches, run_id
    assert (tmp_path / "logs" / "raise-practice" / "report.html").is_file()
    assert all(proc.returncode is not None for proc in started)
