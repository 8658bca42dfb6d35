"""One error tree for everything a user can cause.

Each error renders as ONE line (``str(err)``) so the CLI can print it and exit non-zero without a
traceback. Lower-layer errors (pydantic, yaml, SDKs) are translated at the boundary into the most specific
class here, keeping ``__cause__`` for ``--debug``.
"""

from __future__ import annotations

import unicodedata

_HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn")


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with control and format characters as visible escapes (``\\x1b``, ``\\u202e``).

    Names, keys and replies come from YAML files and logs: shown raw, an ANSI escape restyles or takes over
    the terminal and a bidi override reorders what the reader sees. Characters in ``keep`` (say ``"\\n\\t"``)
    pass through. Idempotent: the output has no control characters left to escape.
    """
    out = []
    for ch in text:
        if ch in keep:
            out.append(ch)
        elif unicodedata.category(ch) in _HIDDEN or ch in "\u2028\u2029":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """``text`` folded onto one line (runs of whitespace become one space), control characters escaped."""
    return escape_controls(" ".join(text.split()))


class ArenaError(Exception):
    """Root of Arena's errors; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1

    def one_line(self) -> str:
        """The message on one line, control characters escaped: YAML keys and log text reach it verbatim."""
        return one_line(str(self))


class ConfigError(ArenaError):
    """A YAML file (tournament, scenario or agent card) that cannot be used.

    Renders as ``path:line:col: field.path: message`` so editors and terminals can jump to it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        col: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.path or "<config>"
        if self.line is not None:
            where += f":{self.line}:{self.col or 1}"
        head = f"{where}: {self.field}: " if self.field else f"{where}: "
        return head + " ".join(self.message.split())


class ModelError(ArenaError):
    """A model call that failed after the SDK's own retries.

    ``kind`` groups failures for the run summary: ``connection``, ``timeout``, ``rate_limit``,
    ``server``, ``bad_response``, ``empty``, ``auth``, ``config``.
    """

    def __init__(self, message: str, *, kind: str = "server", model: str | None = None) -> None:
        self.kind = kind
        self.model = model
        prefix = f"{model}: " if model else ""
        super().__init__(f"{prefix}{kind}: {' '.join(message.split())}")


class RunlogError(ArenaError):
    """A run directory that cannot be written, resumed or read."""

    exit_code = 2


class ClusterError(ArenaError):
    """A Ray cluster that cannot be joined (a wrong address, a missing or refused token, a missing extra), or a
    runner actor lost mid-run."""

    exit_code = 2
