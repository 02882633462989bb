"""A small scripted OpenAI-compatible server on 127.0.0.1, for tests and benchmarks.

It answers /v1/models, /v1/embeddings and /v1/chat/completions (streamed or not). Requests that carry a
`response_format` take their answer from the queue for their schema's name (`answers_for(name)`),
else from `structured`; others take theirs from `chat`. Each queue holds answers or `Fault`s, used
in order. With the queues empty, chat answers `default_reply` and structured requests get an answer
built from the schema they sent. Every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Fault:
    """What to do instead of answering normally."""

    status: int | None = None
    """Answer with this HTTP status and an OpenAI-style error body."""
    delay: float = 0.0
    """Seconds to wait before answering at all."""
    drop_after: int | None = None
    """Streamed answers: send this many pieces of `text`, then cut the connection."""
    text: str = ""
    retry_after: float | None = None
    """With `status`: send this Retry-After header."""
    raw: bytes | None = None
    """Answer 200 with this body as it is, of type `raw_type`: a server that is not quite OpenAI's."""
    raw_type: str = "text/event-stream"
    keep_alive_for: float = 0.0
    """Streamed answers: send only SSE comments, one every 0.1 s, for this many seconds, then the text."""


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: dict[str, Any]
    received_at: float = 0.0
    """Wall-clock time the request was read (time.time(), comparable across processes)."""
    first_byte_at: float = 0.0
    """A streamed reply: when its first piece was sent."""

    @property
    def streamed(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def structured(self) -> bool:
        return "response_format" in self.body

    @property
    def schema_name(self) -> str:
        return self.body.get("response_format", {}).get("json_schema", {}).get("name", "")

    @property
    def all_text(self) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


def example_for(schema: dict[str, Any]) -> Any:
    """A value that fits `schema`: the middle of each number range, the first of each enum."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return {key: example_for(sub) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_for(schema["items"])] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        low, high = schema.get("minimum", 0), schema.get("maximum", 10)
        return (low + high) // 2 if kind == "integer" else (low + high) / 2
    if kind == "boolean":
        return False
    return "scripted"


class ScriptedServer:
    model = "scripted-model"

    def __init__(self, token_delay: float = 0.0) -> None:
        self.chat: deque[str | Fault] = deque()
        self.structured: deque[Any] = deque()
        self.named: dict[str, deque[Any]] = {}
        self.responders: dict[str, Any] = {}
        """Schema name to a function of the request body that returns the answer (after named queues)."""
        self.requests: list[RecordedRequest] = []
        self.default_reply = "I don't know what to say."
        self.embeddings: dict[str, list[float]] = {}
        """Text to the vector /v1/embeddings gives it; other texts get a fixed pseudo-random vector."""
        self.embedding_size = 1536
        self.yes_probability: Any = None
        """Requests asking for logprobs: a function of the body giving P("yes"); None sends no logprobs."""
        self.token_delay = token_delay
        self._lock = threading.Lock()
        ThreadingHTTPServer.request_queue_size = 64  # room for a client's concurrent connections
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answers_for(self, schema_name: str) -> deque[Any]:
        """The queue of answers for structured requests whose json_schema has this name."""
        return self.named.setdefault(schema_name, deque())

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions") and not r.structured]

    def structured_requests(self, schema_name: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions") and r.structured
                and (schema_name is None or r.schema_name == schema_name)]

    def embedding_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/embeddings")]

    def embedding_of(self, text: str) -> list[float]:
        if text in self.embeddings:
            return self.embeddings[text]
        import hashlib
        import random

        seed = int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big")
        generator = random.Random(seed)
        return [generator.gauss(0.0, 1.0) for _ in range(self.embedding_size)]

    def _next(self, body: dict[str, Any]) -> Any:
        with self._lock:
            if "response_format" in body:
                json_schema = body["response_format"].get("json_schema", {})
                named = self.named.get(json_schema.get("name", ""))
                if named:
                    return named.popleft()
                responder = self.responders.get(json_schema.get("name", ""))
                if responder is not None:
                    return responder(body)
                if self.structured:
                    return self.structured.popleft()
                return example_for(json_schema.get("schema", {}))
            return self.chat.popleft() if self.chat else self.default_reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _record(self, body: dict[str, Any]) -> None:
                self.recorded = RecordedRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                                body, received_at=time.time())
                with server._lock:
                    server.requests.append(self.recorded)

            def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._record({})
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                self._record(body)
                if self.path.endswith("/embeddings"):
                    texts = body.get("input")
                    texts = [texts] if isinstance(texts, str) else texts
                    self._json(200, {"object": "list", "model": body.get("model", server.model),
                                     "data": [{"object": "embedding", "index": i, "embedding": server.embedding_of(t)}
                                              for i, t in enumerate(texts)],
                                     "usage": {"prompt_tokens": 1, "total_tokens": 1}})
                    return
                if not self.path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                answer = server._next(body)
                fault = answer if isinstance(answer, Fault) else None
                if fault:
                    time.sleep(fault.delay)
                    if fault.status:
                        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                        self._json(fault.status, {"error": {"message": f"scripted {fault.status}", "type": "scripted"}},
                                   headers)
                        return
                    if fault.raw is not None:
                        self.send_response(200)
                        self.send_header("Content-Type", fault.raw_type)
                        self.send_header("Content-Length", str(len(fault.raw)))
                        self.end_headers()
                        self.wfile.write(fault.raw)
                        return
                    answer = fault.text
                content = answer if isinstance(answer, str) else json.dumps(answer)
                logprobs = None
                if body.get("logprobs") and server.yes_probability is not None:
                    import math

                    p = min(max(float(server.yes_probability(body)), 1e-6), 1 - 1e-6)
                    top = [{"token": "yes", "logprob": math.log(p), "bytes": None},
                           {"token": "no", "logprob": math.log(1 - p), "bytes": None}]
                    content = "yes" if p >= 0.5 else "no"
                    logprobs = {"content": [{**top[0 if p >= 0.5 else 1], "top_logprobs": top}]}
                if body.get("stream"):
                    self._stream(content, fault.drop_after if fault else None,
                                 fault.keep_alive_for if fault else 0.0)
                else:
                    self._json(200, {
                        "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()),
                        "model": body.get("model", server.model),
                        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": logprobs,
                                     "message": {"role": "assistant", "content": content}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _stream(self, content: str, drop_after: int | None, keep_alive_for: float = 0.0) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                until = time.monotonic() + keep_alive_for
                while time.monotonic() < until:
                    try:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                    except OSError:
                        return  # the client gave up
                    time.sleep(0.1)
                pieces = [word + " " for word in content.split(" ")]
                pieces[-1] = pieces[-1][:-1]
                for index, piece in enumerate(pieces):
                    if drop_after is not None and index >= drop_after:
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        return
                    chunk = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk",
                             "created": int(time.time()), "model": server.model,
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if index == 0:
                        self.recorded.first_byte_at = time.time()
                    if server.token_delay:
                        time.sleep(server.token_delay)
                done = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": server.model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        return Handler
