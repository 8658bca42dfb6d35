"""One error tree for everything a user can cause.

Each error renders as ONE line (``str(err)``) so the CLI can print it and exit non-zero without a
traceback. Lower-layer errors (pydantic, yaml, SDKs) are translated at the boundary into the most specific
class here, keeping ``__cause__`` for ``--debug``.
"""

from __future__ import annotations


class ArenaError(Exception):
    """Root of Arena's errors; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1

    def one_line(self) -> str:
        """The message folded onto one line, whatever the underlying text held."""
        return " ".join(str(self).split())


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
