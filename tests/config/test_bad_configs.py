"""Every broken file in ``tests/data/bad_configs/`` is refused by ``arena validate`` and ``arena run`` with exit
code 2 and exactly ONE line ``path:line:col: field: message`` on stderr: no traceback, no log directory.

Each corpus file starts with its expectation:

- ``# expect: <line>:<col>: <text>``: the error is in this file at line:col and its line contains <text>;
- ``# expect-in: <other file>:<line>``: the error is located in a file this one references.

Paths in the corpus are relative to the corpus directory, which is the working directory of every call.
All cases run in-process (``main([...])`` with captured stderr); a representative few also run as real
subprocesses, the way a user runs them. Files that cannot be committed sensibly (empty, over 1 MB) are
generated into ``tmp_path``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from arena.cli import app as cli_app
from tests.arena_cli import run_captured

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_configs"
CASES = sorted(p.name for p in CORPUS.glob("*.yaml"))
LINE = re.compile(r"(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)")

# run as subprocesses too: a security case, a resource bomb, a run-time-only check, a reference to itself,
# bytes that are not text, and a plain typo
SUBPROCESS_CASES = [
    "tag-python-object.yaml",
    "alias-bomb.yaml",
    "ref-card-unknown-strategy.yaml",
    "circular-self-reference.yaml",
    "binary.yaml",
    "unknown-key-nested.yaml",
    "api-key-pasted.yaml",
    "yaml11-base60.yaml",
]


@dataclass(frozen=True)
class Expect:
    file: str
    line: int | None
    col: int | None = None
    text: str = ""


def expectation(path: Path) -> Expect:
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
    if m := re.fullmatch(r"# expect: (\d+):(\d+): (.+)", first):
        return Expect(path.name, int(m[1]), int(m[2]), m[3])
    if m := re.fullmatch(r"# expect-in: (\S+):(\d+)", first):
        return Expect(m[1], int(m[2]))
    raise ValueError(f"{path.name}: first line must be '# expect: L:C: text' or '# expect-in: FILE:L', got {first!r}")


def check_refusal(expect: Expect, code: object, out: str, err: str, logs: Path) -> None:
    """The contract of a refused file, whichever command refused it."""
    assert "Traceback" not in out + err
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    m = LINE.fullmatch(lines[0])
    assert m, f"not 'path:line:col: message': {lines[0]!r}"
    assert m["path"] == expect.file, lines[0]
    if expect.line is not None:
        assert int(m["line"]) == expect.line, lines[0]
    if expect.col is not None:
        assert int(m["col"]) == expect.col, lines[0]
    assert expect.text in m["message"], lines[0]
    assert out == ""
    assert not logs.exists(), f"a refused run created {sorted(logs.rglob('*'))}"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``arena ARGS`` in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv("ARENA_DEBUG", raising=False)
    # main() registers the commands again on every call (harmless once per process, quadratic over the
    # ~150 calls here): register once, then skip it
    if not cli_app.app.registered_commands:
        cli_app._register()
    monkeypatch.setattr(cli_app, "_register", lambda: None)

    def call(*args: str) -> tuple[object, str, str]:
        return run_captured(capsys, *args)

    return call


def arena_subprocess(args: list[str], cwd: Path, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    env.pop("ARENA_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", "from arena.cli.app import main; main()", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )


def test_corpus_is_complete() -> None:
    """At least 35 cases, each with a well-formed expectation pointing at an existing file."""
    assert len(CASES) >= 35
    for name in CASES:
        expect = expectation(CORPUS / name)
        assert (CORPUS / expect.file).is_file(), f"{name}: expected file {expect.file} does not exist"


@pytest.mark.parametrize("name", CASES)
def test_validate_refuses(name: str, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(CORPUS)
    check_refusal(expectation(CORPUS / name), *cli("validate", name), tmp_path / "logs")


@pytest.mark.parametrize("name", CASES)
def test_run_refuses(name: str, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(CORPUS)
    logs = tmp_path / "logs"
    check_refusal(expectation(CORPUS / name), *cli("run", name, "--local", "--logs-dir", str(logs)), logs)
    assert not (CORPUS / "logs").exists()


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_refuses_as_subprocess(name: str, command: str, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    extra = ["--local", "--logs-dir", str(logs)] if command == "run" else []
    proc = arena_subprocess([command, name, *extra], cwd=CORPUS)
    check_refusal(expectation(CORPUS / name), proc.returncode, proc.stdout, proc.stderr, logs)


def _huge() -> bytes:
    body = b"kind: scenario\nname: huge\ndescription: >\n" + b"  " + b"lorem ipsum " * 90_000 + b"\n"
    assert len(body) > 1_000_000
    return body


GENERATED = {
    # name: (content, expected line, text)
    "empty.yaml": (b"", 1, "file is empty"),
    "blank.yaml": (b"\n   \n\n", 1, "file is empty"),
    "bom-only.yaml": (b"\xef\xbb\xbf", 1, "file is empty"),
    "document-marker-only.yaml": (b"---\n...\n", 1, "file is empty"),
    "huge.yaml": (_huge(), 1, "larger than 1,000,000 bytes"),
    "binary-random.yaml": (bytes(range(256)) * 16, 1, "binary file"),
    "utf16.yaml": ("kind: agent\nname: x\n".encode("utf-16"), 1, "not UTF-8"),
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_files_are_refused(name: str, command: str, cli, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    content, line, text = GENERATED[name]
    (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    extra = ["--local", "--logs-dir", str(logs)] if command == "run" else []
    check_refusal(Expect(name, line, None, text), *cli(command, name, *extra), logs)


def test_huge_file_as_subprocess(tmp_path: Path) -> None:
    (tmp_path / "huge.yaml").write_bytes(_huge())
    logs = tmp_path / "logs"
    proc = arena_subprocess(["run", "huge.yaml", "--local", "--logs-dir", str(logs)], cwd=tmp_path)
    check_refusal(Expect("huge.yaml", 1, 1, "larger than 1,000,000 bytes"), proc.returncode, proc.stdout,
                  proc.stderr, logs)


def test_good_files_pass(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files the corpus references are valid, so each broken file is broken for its own reason."""
    monkeypatch.chdir(CORPUS)
    code, _, err = cli("validate", *sorted(str(p.relative_to(CORPUS)) for p in (CORPUS / "good").glob("*.yaml")))
    assert code == 0, err


def test_each_bad_file_gets_its_own_line(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """``arena validate`` of several files reports each bad one on its own line and exits 2."""
    monkeypatch.chdir(CORPUS)
    names = ["negative-price.yaml", "good/seller.yaml", "duplicate-keys.yaml"]
    code, out, err = cli("validate", *names)
    assert code == 2
    lines = err.splitlines()  # errors on stderr; the ok verdict is the result, on stdout
    assert [ln.split(":", 1)[0] for ln in lines] == [names[0], names[2]]
    assert out == "good/seller.yaml: ok (agent good-seller)\n"


def test_error_line_is_not_wrapped_at_80_columns() -> None:
    """A long error stays one line on a narrow terminal or a pipe (rich would word-wrap it by default)."""
    proc = arena_subprocess(["validate", "unknown-key-top.yaml"], cwd=CORPUS, columns=40)
    assert proc.returncode == 2
    assert len(proc.stderr) > 100
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_a_pasted_key_is_never_echoed(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Not by validate, not by run, not even in the traceback ``--debug`` prints."""
    monkeypatch.chdir(CORPUS)
    key = (CORPUS / "api-key-pasted.yaml").read_text().rsplit("api_key_env: ", 1)[1].strip()
    assert key.startswith("sk-") and len(key) > 30
    for args in (["validate"], ["run", "--local", "--logs-dir", str(tmp_path / "logs")]):
        code, out, err = cli(*args[:1], "api-key-pasted.yaml", *args[1:])
        assert code == 2 and "looks like an API key" in err and key not in out + err
    proc = arena_subprocess(["--debug", "run", "api-key-pasted.yaml", "--local", "--logs-dir", str(tmp_path / "l")],
                            cwd=CORPUS)
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "looks like an API key" in proc.stderr
    assert key not in proc.stdout + proc.stderr
