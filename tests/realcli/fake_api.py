"""A loopback fake of the Anthropic Messages API, good enough to drive the real `claude -p` offline.

Wire facts (docs/testing-realcli.md, shared reference section 12): the CLI only sends
`POST /v1/messages?beta=true` with `"stream": true`; it reads server-sent events
(message_start, content_block_*, message_delta, message_stop). Which reply to send is chosen
by *step*: the number of `role: "assistant"` messages already in the request, so a retry or a
second request after a tool_result lands on the right turn without any server-side state.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union


@dataclass(frozen=True)
class ToolUse:
    """One assistant turn that proposes a single tool call (optionally after some text)."""

    name: str
    input: dict[str, Any]
    id: str = ""
    text: str = ""


@dataclass(frozen=True)
class Text:
    """One assistant turn that ends the conversation with plain text."""

    text: str


Step = Union[ToolUse, Text]


@dataclass
class Recorded:
    method: str
    path: str
    body: Any  # parsed JSON, or the raw text when it was not JSON


def tool_use_id(step: int) -> str:
    """Deterministic ids so tests can find the tool_result for a scripted call."""
    return f"toolu_guardrail_{step:02d}"


def _sse(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _chunks(text: str, size: int = 24) -> list[str]:
    # The CLI must reassemble input_json_delta fragments; send several to exercise that.
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def sse_events(turn: Step, *, model: str, step: int) -> list[bytes]:
    """The full event stream for one assistant turn."""
    out = [
        _sse(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": f"msg_fake_{step:02d}",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": 100,
                        "output_tokens": 1,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                    },
                },
            },
        )
    ]
    index = 0
    text = turn.text
    if text:
        out += [
            _sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}),
            _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}}),
            _sse("content_block_stop", {"type": "content_block_stop", "index": index}),
        ]
        index += 1
    if isinstance(turn, ToolUse):
        block = {"type": "tool_use", "id": turn.id or tool_use_id(step), "name": turn.name, "input": {}}
        out.append(_sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": block}))
        for frag in _chunks(json.dumps(turn.input)):
            out.append(
                _sse(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": frag}},
                )
            )
        out.append(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        stop = "tool_use"
    else:
        stop = "end_turn"
    out += [
        _sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": 20}}),
        _sse("message_stop", {"type": "message_stop"}),
    ]
    return out


def _message_json(turn: Step, *, model: str, step: int) -> dict[str, Any]:
    """Non-streaming reply (never seen from 2.1.330, kept so a stray request cannot hang the CLI)."""
    content: list[dict[str, Any]] = []
    if turn.text:
        content.append({"type": "text", "text": turn.text})
    if isinstance(turn, ToolUse):
        content.append({"type": "tool_use", "id": turn.id or tool_use_id(step), "name": turn.name, "input": turn.input})
    return {
        "id": f"msg_fake_{step:02d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if isinstance(turn, ToolUse) else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 20},
    }


@dataclass
class FakeMessagesAPI:
    """Scripted Messages API on 127.0.0.1:<ephemeral port>. Use as a context manager."""

    script: list[Step]
    final_text: str = "Done."
    # Subagents: a subagent starts a fresh `messages` list, so its script is chosen by a marker in its first user
    # message (the Agent call's prompt); the main session's script answers every other request.
    agents: dict[str, list[Step]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    unknown: list[Recorded] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> "FakeMessagesAPI":
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _read_body(self) -> Any:
                n = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(n).decode("utf-8", "replace") if n else ""
                try:
                    return json.loads(raw) if raw else None
                except ValueError:
                    return raw

            def _send(self, status: int, ctype: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(payload)
                self.close_connection = True

            def _handle(self, method: str) -> None:
                body = self._read_body() if method == "POST" else None
                rec = Recorded(method, self.path, body)
                path = self.path.split("?", 1)[0]
                if method == "POST" and path == "/v1/messages" and isinstance(body, dict):
                    with api._lock:
                        api.requests.append(rec)
                    api._reply(self, body)
                    return
                with api._lock:
                    api.unknown.append(rec)
                self._send(200, "application/json", b"{}")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_GET(self) -> None:
                self._handle("GET")

            def do_HEAD(self) -> None:
                self._handle("HEAD")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-messages-api", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- replies ---------------------------------------------------------------------------
    def choose(self, body: dict[str, Any]) -> tuple[Step, int]:
        """Pick the turn for this request: step n = assistant messages already present."""
        messages = body.get("messages") or []
        step = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")
        script = self.script
        if self.agents:
            first = first_user_text(messages)
            script = next((s for marker, s in self.agents.items() if marker in first), script)
        if step >= len(script):
            return Text(self.final_text), step
        turn = script[step]
        if isinstance(turn, ToolUse):
            tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
            if turn.name not in tools:
                # Side requests (titles, summaries, subagents without the tool) get plain text.
                return Text("ok"), step
        return turn, step

    def _reply(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        turn, step = self.choose(body)
        model = str(body.get("model") or "claude-fake")
        if not body.get("stream"):
            payload = json.dumps(_message_json(turn, model=model, step=step)).encode()
            handler._send(200, "application/json", payload)  # type: ignore[attr-defined]
            return
        payload = b"".join(sse_events(turn, model=model, step=step))
        handler._send(200, "text/event-stream", payload)  # type: ignore[attr-defined]

    # -- assertions helpers ----------------------------------------------------------------
    def tool_result(self, tool_id: str) -> dict[str, Any] | None:
        """The tool_result block for `tool_id` from the first request that carries it."""
        for rec in list(self.requests):
            for msg in rec.body.get("messages") or []:
                content = msg.get("content") if isinstance(msg, dict) else None
                if not isinstance(content, list):
                    continue
                for block in content:
                    if isinstance(block, dict) and block.get("type") == "tool_result" and block.get("tool_use_id") == tool_id:
                        return block
        return None


def first_user_text(messages: list[Any]) -> str:
    """The text of the first user message (a string or text blocks)."""
    for m in messages:
        if isinstance(m, dict) and m.get("role") == "user":
            content = m.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "\n".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
            return ""
    return ""


def tool_result_text(block: dict[str, Any]) -> str:
    """Flatten a tool_result's content (a string or a list of text blocks)."""
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return ""
