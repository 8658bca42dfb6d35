"""A local LLM server for tests and benchmarks: OpenAI chat-completions and Anthropic messages wire formats.

The real SDK clients talk to it over HTTP on 127.0.0.1, so tests exercise the same code paths (retries,
timeouts, response parsing) as production, without a hosted API and without mocking the client object.

Replies are deterministic: ``server.responder(request_json, api)`` returns the reply text, where ``api``
is ``"openai"`` or ``"anthropic"``. The default echoes a counter, or, when the request asks for a JSON
schema (OpenAI ``response_format``, Anthropic forced tool), a minimal JSON instance of that schema.

Faults are queued per test and consumed one per request, in order::

    fake_llm.push(status(500), status(429, retry_after=0.05), delay(2.0), malformed_json)

Every request is recorded in ``server.requests`` as :class:`Recorded` (path, headers, json).

Standalone for benchmarks: ``python tests/fake_llm_server.py --port 0 --delay 0.2`` prints the port.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

try:  # the fixture is for pytest; the standalone server (benchmarks) must not need it
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

Responder = Callable[[dict[str, Any], str], str]
# What llama-cpp-python 0.3's server answers (HTTP 500) to response_format json_schema, abridged
LLAMA_CPP_REFUSAL = (
    "1 validation error: {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
)


@dataclass(frozen=True)
class Fault:
    """One injected failure; ``kind`` picks the behaviour, the other fields parameterise it."""

    kind: str
    code: int = 500
    retry_after: float | None = None
    seconds: float = 0.0
    size: int = 0
    body: str | None = None


def status(code: int, retry_after: float | None = None, body: str | None = None) -> Fault:
    """Answer with an HTTP error in the API's own error format (``body`` overrides the message)."""
    return Fault("status", code=code, retry_after=retry_after, body=body)


def delay(seconds: float) -> Fault:
    """Sleep before answering normally (makes client timeouts fire)."""
    return Fault("delay", seconds=seconds)


def huge(size: int = 1_000_000) -> Fault:
    """A normal reply whose text is ``size`` characters long."""
    return Fault("huge", size=size)


malformed_json = Fault("malformed_json")  # 200, content-type json, body is not JSON
empty_content = Fault("empty_content")  # 200, a well-formed reply with empty text
invalid_utf8 = Fault("invalid_utf8")  # 200, JSON whose bytes are not valid UTF-8
cut_stream = Fault("cut_stream")  # headers promise more bytes than are sent, then the socket closes
close = Fault("close")  # drop the connection without any response


@dataclass(frozen=True)
class Recorded:
    """What the server received: enough to assert on prompts and on the auth header."""

    path: str
    headers: dict[str, str]
    json: Any
    api: str
    fault: str | None = None
    at: float = 0.0  # time.perf_counter() when the request arrived


def example_for(schema: dict[str, Any]) -> Any:
    """A small deterministic instance of a JSON schema (enough for the schemas players use)."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return example_for(schema[key][0])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: example_for(sub) for name, sub in props.items()}
    if kind == "array":
        return [example_for(schema.get("items", {"type": "string"}))]
    return {"string": "ok", "integer": 1, "number": 1.0, "boolean": False, "null": None}.get(kind, "ok")


def requested_schema(request: dict[str, Any], api: str) -> dict[str, Any] | None:
    """The JSON schema a request asks the reply to follow, if any."""
    if api == "openai":
        fmt = request.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
        if fmt.get("type") == "json_object":
            return fmt.get("schema") or {"type": "object"}
        return None
    tools = request.get("tools") or []
    choice = request.get("tool_choice") or {}
    if tools and choice.get("type") in ("tool", "any"):
        wanted = choice.get("name")
        tool = next((t for t in tools if t.get("name") == wanted), tools[0])
        return tool.get("input_schema") or {"type": "object"}
    return None


def _words(text: str) -> int:
    return len(text.split())


def _prompt_tokens(request: dict[str, Any]) -> int:
    total = _words(str(request.get("system") or ""))
    for message in request.get("messages") or []:
        content = message.get("content")
        total += _words(content if isinstance(content, str) else json.dumps(content))
    return total


class FakeLLMServer:
    """The server; use the :func:`fake_llm` fixture in tests, or ``start()``/``stop()`` by hand."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, reply_delay: float = 0.0) -> None:
        self.reply_delay = reply_delay
        # like ``python -m llama_cpp.server``: a 500 to response_format json_schema (json_object + schema works)
        self.refuse_json_schema = False
        self.responder: Responder = self.default_responder
        self.requests: list[Recorded] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._count = 0
        self._stopping = threading.Event()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    # -- test-facing API ------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def openai_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def push(self, *faults: Fault) -> None:
        """Queue faults; each request consumes the next one (then requests succeed again)."""
        with self._lock:
            self._faults.extend(faults)

    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def default_responder(self, request: dict[str, Any], api: str) -> str:
        """Deterministic: a JSON instance of the requested schema, else ``reply <n>`` from a counter."""
        schema = requested_schema(request, api)
        if schema is not None:
            return json.dumps(example_for(schema))
        with self._lock:
            self._count += 1
            return f"reply {self._count} from the fake {api} server"

    def start(self) -> FakeLLMServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-llm", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; sleeping handlers wake up (their clients have usually given up by then)."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- used by the handler --------------------------------------------------------------------------
    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _record(self, entry: Recorded) -> None:
        with self._lock:
            self.requests.append(entry)

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler sleeping in a delay() fault must not hold up stop()
    allow_reuse_address = True
    request_queue_size = 256  # the benchmarks open 64+ connections at once; the stdlib's 5 drops SYNs
    owner: FakeLLMServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that timed out leaves a broken pipe behind, which is expected here."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do; every reply sets Content-Length
    # Headers and body go out in separate writes; with Nagle on, the body waits for the client's delayed
    # ACK (40 ms on Linux) on every kept-alive request. Real servers set TCP_NODELAY too.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        """Quiet: tests read ``.requests`` instead of a log."""

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
        owner = self.server.owner
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.endswith("/chat/completions"):
            api = "openai"
        elif path.endswith("/messages"):
            api = "anthropic"
        else:
            self._send_json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})
            return
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            request = json.loads(raw or b"{}")
        except ValueError:
            request = None
        fault = owner._next_fault()
        owner._record(
            Recorded(
                path=path,
                headers={k.lower(): v for k, v in self.headers.items()},
                json=request,
                api=api,
                fault=fault.kind if fault else None,
                at=time.perf_counter(),
            )
        )
        if request is None:
            self._send_error(api, 400, "request body is not JSON")
            return
        if owner.refuse_json_schema and (request.get("response_format") or {}).get("type") == "json_schema":
            self._send_error(api, 500, LLAMA_CPP_REFUSAL)
            return
        if owner.reply_delay:
            owner._sleep(owner.reply_delay)
        if fault is not None:
            if self._apply_fault(fault, api, request):
                return
        text = owner.responder(request, api)
        if fault is not None and fault.kind == "huge":
            text = ("lorem ipsum " * (fault.size // 12 + 1))[: fault.size]
        if fault is not None and fault.kind == "empty_content":
            text = ""
        if api == "openai" and request.get("stream"):
            self._stream_openai(request, text, cut=fault is not None and fault.kind == "cut_stream")
            return
        payload = self._openai_body(request, text) if api == "openai" else self._anthropic_body(request, text)
        body = json.dumps(payload).encode()
        if fault is not None and fault.kind == "cut_stream":
            self._send_raw(200, body[: len(body) // 2], content_length=len(body))
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.kind == "invalid_utf8":
            body = body[:-1] + b', "note": "\xff\xfe"}'
        self._send_raw(200, body)

    # -- faults ----------------------------------------------------------------------------------------
    def _apply_fault(self, fault: Fault, api: str, request: dict[str, Any]) -> bool:
        """Act out a fault; True when the response has been handled completely."""
        owner = self.server.owner
        if fault.kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["retry-after"] = f"{fault.retry_after:g}"
                headers["retry-after-ms"] = f"{fault.retry_after * 1000:g}"
            self._send_error(api, fault.code, fault.body or f"injected HTTP {fault.code}", headers)
            return True
        if fault.kind == "delay":
            owner._sleep(fault.seconds)
            return False
        if fault.kind == "malformed_json":
            self._send_raw(200, b'{"id": "chatcmpl-broken", "choices": [{"message": ')
            return True
        if fault.kind == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        return False  # huge, empty_content, invalid_utf8, cut_stream shape a normal reply

    # -- bodies ----------------------------------------------------------------------------------------
    @staticmethod
    def _openai_body(request: dict[str, Any], text: str) -> dict[str, Any]:
        prompt, completion = _prompt_tokens(request), _words(text)
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    @staticmethod
    def _anthropic_body(request: dict[str, Any], text: str) -> dict[str, Any]:
        schema = requested_schema(request, "anthropic")
        if schema is not None and text:
            try:
                tool_input = json.loads(text)
            except ValueError:
                tool_input = {"message": text}
            tool = (request.get("tool_choice") or {}).get("name") or request["tools"][0]["name"]
            content: list[dict[str, Any]] = [
                {"type": "tool_use", "id": "toolu_fake", "name": tool, "input": tool_input}
            ]
            stop_reason = "tool_use"
        else:
            content = [{"type": "text", "text": text}] if text else []
            stop_reason = "end_turn"
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": request.get("model", "fake"),
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": _prompt_tokens(request), "output_tokens": _words(text)},
        }

    def _stream_openai(self, request: dict[str, Any], text: str, *, cut: bool) -> None:
        """Server-sent events, one chunk per word; ``cut`` closes the socket halfway."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        pieces = [w + " " for w in text.split(" ")] if text else [""]
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = request.get("model", "fake")
        for i, piece in enumerate(pieces):
            if cut and i >= max(1, len(pieces) // 2):
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            chunk = dict(base, choices=[{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        last = dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])
        self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()

    def _send_error(self, api: str, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        if api == "openai":
            payload: dict[str, Any] = {"error": {"message": message, "type": "server_error", "code": code}}
        else:
            payload = {"type": "error", "error": {"type": "api_error", "message": message}}
        self._send_raw(code, json.dumps(payload).encode(), headers=headers)

    def _send_json(self, code: int, payload: Any) -> None:
        self._send_raw(code, json.dumps(payload).encode())

    def _send_raw(
        self,
        code: int,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        content_length: int | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body) if content_length is None else content_length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


def _fake_llm() -> Iterator[FakeLLMServer]:
    """A fresh server per test, so queued faults and recorded requests never leak between tests (nor what
    this process learnt of an earlier server on the same port: the openai backend's schema formats)."""
    from arena.llm import openai_chat

    openai_chat._SCHEMA_FORMAT.clear()
    server = FakeLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


fake_llm = pytest.fixture(_fake_llm, name="fake_llm") if pytest is not None else None


def main(argv: list[str] | None = None) -> None:
    """Run standalone (benchmarks): prints the port, serves until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before every reply")
    args = parser.parse_args(argv)
    server = FakeLLMServer(args.host, args.port, reply_delay=args.delay).start()
    print(server.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
