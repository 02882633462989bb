"""The embedded engine: llama.cpp's OpenAI-compatible server (llama-cpp-python) run as our child process.

Each role gets its own server process, because one llama.cpp context keeps the KV cache of one
prompt prefix only, and llama_cpp.server reloads the whole model when one process is asked for
two models. With a server per role, the client's and the rater's cached prefixes never evict each
other; the weights are mmap'ed, so the second process shares the first one's page cache.

The child is this module run as a script (`python -m simulator.llm.embedded CONFIG`): it builds
llama_cpp.server's app with the same settings its command-line flags set, and adds two things
the stock `python -m llama_cpp.server` lacks: it serves on a socket we bound beforehand (so the
port is ours from construction on and no other program can take it between choosing and binding),
and it accepts OpenAI's `response_format: {"type": "json_schema", ...}`, which 0.3.36 rejects, by
rewriting it to the `json_object` + `schema` form that llama.cpp turns into a decoding grammar.

The server must not outlive us: `stop()` and an atexit hook end it; if we die without running
either (SIGTERM, SIGKILL, a crash), the pipe on its stdin closes, and a thread in the child exits
on that EOF; on Linux PR_SET_PDEATHSIG is set as well.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path
from typing import Any

from simulator import paths
from simulator.llm.dry import DryLogitsProcessor, DrySettings, sequence_breakers
from simulator.errors import ConfigError, ModelError

DEFAULT_N_CTX = 8192
STARTUP_TIMEOUT = 120.0
SERVER_PACKAGES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
INSTALL_ENGINE_HINT = "run `make` (it builds llama-cpp-python[server]==0.3.36 with portable CPU flags)"

# A loopback probe must not go through an HTTP proxy set in the environment.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_live_engines: weakref.WeakSet[EmbeddedEngine] = weakref.WeakSet()
_atexit_registered = False


def _stop_all() -> None:
    for engine in list(_live_engines):
        engine.stop()


class EmbeddedEngine:
    """One llama.cpp server on 127.0.0.1 serving one model for one role, started on first use."""

    def __init__(
        self,
        model_path: Path,
        role: str = "client",
        *,
        n_ctx: int = DEFAULT_N_CTX,
        n_threads: int | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
        log_path: Path | None = None,
        verbose: bool = False,
        embedding: bool = False,
        prompt_cache_bytes: int = 0,
    ) -> None:
        self.model_path = Path(model_path)
        self.role = role
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.startup_timeout = startup_timeout
        self.log_path = log_path or paths.user_cache_dir() / "logs" / f"engine-{role}.log"
        self.verbose = verbose
        self.embedding = embedding
        """Serve /v1/embeddings (mean pooling over at most n_ctx tokens) instead of chat."""
        self.prompt_cache_bytes = prompt_cache_bytes
        """Keep the KV state of this many bytes of past prompts in RAM (llama.cpp's prompt cache),
        so prompts that take turns (a room's tabs) each resume from their own prefix."""
        self._socket: socket.socket | None = None
        self._port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._lock = threading.Lock()
        self._reserve_port()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI-style API root; fixed from construction on, serving once started."""
        return f"http://127.0.0.1:{self._port}/v1"

    @property
    def model_name(self) -> str:
        """The name the server lists under /v1/models (the model file's stem)."""
        return self.model_path.stem

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _reserve_port(self) -> None:
        # Bound but not listening: connections are refused until the server listens on it.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", self._port))
        except OSError as error:
            sock.close()
            raise ModelError(f"cannot reserve port {self._port} on 127.0.0.1 for the local model ({error.strerror})",
                             "close the program that uses it, or restart Rehearse") from None
        self._port = sock.getsockname()[1]
        self._socket = sock

    def start(self) -> None:
        """Start the server if it is not running, and wait until it answers."""
        if self._ready and self.running:
            return
        self._spawn()
        self._wait_ready()

    async def ensure_started(self) -> None:
        """`start()` for async callers: the spawn happens here, the waiting in a worker thread."""
        if self._ready and self.running:
            return
        self._spawn()
        await asyncio.to_thread(self._wait_ready)

    def _spawn(self) -> None:
        with self._lock:
            if self.running:
                return
            self.stop()  # reap a server that died since it started
            _check_installed()
            if not self.model_path.is_file():
                raise ModelError(f"model file {self.model_path} not found", "run `rehearse model install`")
            if self._socket is None:
                self._reserve_port()
            assert self._socket is not None
            config = {
                "fd": self._socket.fileno(),
                "parent_pid": os.getpid(),
                # PR_SET_PDEATHSIG fires when the *thread* that spawned the child ends, so it is
                # only safe from the main thread; the stdin pipe covers the other cases.
                "pdeathsig": threading.current_thread() is threading.main_thread(),
                "model": {
                    "model": str(self.model_path),
                    "model_alias": self.model_name,
                    "n_ctx": self.n_ctx,
                    "n_threads": self.n_threads,
                    "n_threads_batch": self.n_threads,
                    "use_mlock": False,
                    # The server's default (True) computes and copies logits for every prompt token
                    # and allocates n_ctx x vocabulary floats; we never ask for prompt logprobs.
                    "logits_all": False,
                    "verbose": self.verbose,
                    **({"cache": True, "cache_type": "ram", "cache_size": self.prompt_cache_bytes}
                       if self.prompt_cache_bytes else {}),
                },
                "embedding": self.embedding,
            }
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            if self.log_path.exists():  # keep the last run's log, e.g. of a crash mid-session
                self.log_path.replace(self.log_path.with_name(self.log_path.name + ".previous"))
            env = {key: value for key, value in os.environ.items() if key != "CONFIG_FILE"}
            package_root = str(paths.PACKAGE_DIR.parent)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
            with self.log_path.open("wb") as log:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "simulator.llm.embedded", json.dumps(config)],
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(self._socket.fileno(),),
                    env=env,
                    # Its own session: a Ctrl+C in the terminal goes to us alone, and we stop it in order.
                    start_new_session=True,
                )
            # The child holds the socket now; once it exits the port is refused, not left hanging.
            self._socket.close()
            self._socket = None
            self._ready = False
            _live_engines.add(self)
            global _atexit_registered
            if not _atexit_registered:
                atexit.register(_stop_all)
                _atexit_registered = True

    def _wait_ready(self) -> None:
        process = self._process
        if process is None:
            raise ModelError("the local model server was not started", "try again")
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            code = process.poll()
            if code is not None:
                raise _startup_failure(self, code)
            try:
                with _NO_PROXY.open(f"{self.base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        self._ready = True
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise ModelError(f"the local {self.role} model did not start within {self.startup_timeout:g} s",
                         f"see {self.log_path}; try a smaller model or a longer startup timeout")

    def stop(self, timeout: float = 5.0) -> None:
        """End the server and wait until it is gone; does nothing when it is not running."""
        process, self._process = self._process, None
        self._ready = False
        _live_engines.discard(self)
        if process is None:
            return
        if process.stdin:
            process.stdin.close()  # the child's watchdog exits on EOF
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        """Stop the server and release the reserved port."""
        self.stop()
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> EmbeddedEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log_tail(self, lines: int = 3) -> str:
        """The error the server last raised, or else its last lines, as one line for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        kept = [line.strip() for line in text.splitlines() if line.strip()]
        errors = [line for line in kept if re.match(r"^[\w.]+(Error|Exception)\b", line)]
        return errors[-1][:400] if errors else " | ".join(kept[-lines:])[-400:]


def _check_installed() -> None:
    missing = [name for name in SERVER_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(f"the embedded model engine is not installed (missing: {', '.join(missing)})",
                          INSTALL_ENGINE_HINT + ", or set REHEARSE_BASE_URL / OPENAI_API_KEY to use a server")


def _startup_failure(engine: EmbeddedEngine, code: int) -> ModelError:
    engine.stop()
    if code == -signal.SIGILL:
        return ModelError("llama.cpp crashed on an instruction this CPU lacks (Illegal instruction)",
                          "reinstall llama-cpp-python with the portable build flags: "
                          "`make clean && make` (see CMAKE_ARGS in the Makefile)")
    tail = engine.log_tail()
    return ModelError(f"the local {engine.role} model server exited while starting (code {code}): {tail}",
                      f"see {engine.log_path}")


# ----- the child process -----

def _die_with_parent(parent_pid: int, pdeathsig: bool) -> None:
    if pdeathsig and sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)

    def watch_stdin() -> None:
        # os.read, not sys.stdin: a daemon thread blocked in a buffered read aborts interpreter shutdown.
        while os.read(0, 4096):
            pass
        os._exit(0)

    threading.Thread(target=watch_stdin, name="parent-watchdog", daemon=True).start()


def _openai_response_format(body: dict[str, Any]) -> bool:
    """Rewrite OpenAI's json_schema response_format into llama-cpp-python's form; True if changed."""
    response_format = body.get("response_format")
    if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
        return False
    schema = (response_format.get("json_schema") or {}).get("schema")
    body["response_format"] = {"type": "json_object", **({"schema": _grammar_schema(schema)} if schema else {})}
    return True


def _grammar_schema(schema: Any) -> Any:
    """`schema` with small integer ranges spelled out as enums.

    llama-cpp-python's schema-to-grammar converter ignores minimum/maximum, so a 0-4 rating could
    come back as 1025; an enum becomes an exact grammar rule.
    """
    if isinstance(schema, list):
        return [_grammar_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    spelled = {key: _grammar_schema(value) for key, value in schema.items()}
    low, high = schema.get("minimum"), schema.get("maximum")
    if (schema.get("type") == "integer" and "enum" not in schema
            and isinstance(low, int) and isinstance(high, int) and 0 <= high - low <= 100):
        spelled["enum"] = list(range(low, high + 1))
    return spelled


CONTINUATION_FIELDS = ("continue_final_message", "add_generation_prompt")
"""vLLM's request fields for carrying on a reply from its given first words."""


def _continues_final_message(body: dict[str, Any]) -> bool:
    """Whether a request asks the model to carry on its last (assistant) message; takes the fields out."""
    wanted = body.pop("continue_final_message", False) is True
    body.pop("add_generation_prompt", None)
    messages = body.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    return wanted and isinstance(last, dict) and last.get("role") == "assistant" and isinstance(last.get("content"), str)


def _accept_json_schema(app: Any) -> Any:
    """ASGI middleware that lets chat completions take OpenAI's structured-output response_format,
    llama.cpp's `dry_*` sampling fields (see dry.py) and vLLM's `continue_final_message`."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/chat/completions"):
            await app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await app(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        try:
            data = json.loads(body)
        except ValueError:
            pass  # the app answers malformed JSON with its own 422
        else:
            if isinstance(data, dict):
                asked = any(key.startswith("dry_") or key in CONTINUATION_FIELDS for key in data)
                REQUESTED_DRY.set(DrySettings.from_request(data))  # the app's own model would drop them
                REQUESTED_CONTINUATION.set(_continues_final_message(data))
                if _openai_response_format(data) or asked:
                    body = json.dumps(data).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls wait for the client to disconnect

        await app(scope, replay, send)

    return wrapped


def _embedding_app(settings: dict[str, Any]) -> Any:
    """An OpenAI-style /v1/embeddings over one model, mean-pooled (llama_cpp.server 0.3.36 cannot set
    the pooling, and this model's default gives one vector per token)."""
    import llama_cpp
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    n_ctx = settings["n_ctx"]
    model = llama_cpp.Llama(model_path=settings["model"], embedding=True, pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                            n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx, n_threads=settings["n_threads"],
                            n_threads_batch=settings["n_threads_batch"], use_mlock=False, verbose=settings["verbose"])
    lock = threading.Lock()
    name = settings["model_alias"]

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": name, "object": "model", "owned_by": "me"}]})

    def embed(texts: list[str]) -> dict[str, Any]:
        with lock:
            return model.create_embedding(texts, model=name)

    async def embeddings(request: Request) -> JSONResponse:
        try:
            body = await request.json()
            texts = body["input"]
            texts = [texts] if isinstance(texts, str) else texts
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": {"message": "input must be a string or a list of strings"}}, status_code=422)
        return JSONResponse(await asyncio.to_thread(embed, texts))

    return Starlette(routes=[Route("/v1/models", models), Route("/v1/embeddings", embeddings, methods=["POST"])])


REQUESTED_DRY: contextvars.ContextVar[DrySettings | None] = contextvars.ContextVar("requested_dry", default=None)
"""The DRY settings of the request being served (set by the middleware, read in the model's thread)."""


def _sample_with_dry() -> None:
    """Have the server's chat completions add the DRY penalty a request asked for."""
    import llama_cpp

    plain = llama_cpp.Llama.create_chat_completion
    breakers: dict[int, frozenset[int]] = {}

    def create_chat_completion(llama: Any, *args: Any, **kwargs: Any) -> Any:
        settings = REQUESTED_DRY.get()
        if settings is not None:
            if id(llama) not in breakers:
                breakers[id(llama)] = sequence_breakers(llama.detokenize, llama.n_vocab())
            processors = kwargs.get("logits_processor") or llama_cpp.LogitsProcessorList()
            processors.append(DryLogitsProcessor(settings, breakers[id(llama)]))
            kwargs["logits_processor"] = processors
        return plain(llama, *args, **kwargs)

    llama_cpp.Llama.create_chat_completion = create_chat_completion


REQUESTED_CONTINUATION: contextvars.ContextVar[bool] = contextvars.ContextVar("requested_continuation", default=False)
"""Whether the request being served carries on its final assistant message."""


def _continue_final_message() -> None:
    """Have the model's chat template end a continued request's prompt inside the last assistant
    message (its first words), where the model carries on, instead of opening a new one."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    plain = Jinja2ChatFormatter.__call__

    def render(formatter: Any, *, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
        if not REQUESTED_CONTINUATION.get() or not messages or messages[-1].get("role") != "assistant":
            return plain(formatter, messages=messages, **kwargs)
        formatted = plain(formatter, messages=messages[:-1], **kwargs)
        formatted.prompt += messages[-1]["content"]
        return formatted

    Jinja2ChatFormatter.__call__ = render


def _serve(config: dict[str, Any]) -> None:
    _die_with_parent(config["parent_pid"], config["pdeathsig"])
    sock = socket.socket(fileno=config["fd"])
    import uvicorn

    if config.get("embedding"):
        app = _embedding_app(config["model"])
        uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_keep_alive=30)).run(sockets=[sock])
        return
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    app = create_app(
        server_settings=ServerSettings(host="127.0.0.1", port=sock.getsockname()[1], interrupt_requests=False),
        model_settings=[ModelSettings(**config["model"])],
    )
    _sample_with_dry()
    _continue_final_message()
    server = uvicorn.Server(uvicorn.Config(_accept_json_schema(app), log_level="warning", timeout_keep_alive=30))
    server.run(sockets=[sock])


if __name__ == "__main__":
    _serve(json.loads(sys.argv[1]))
