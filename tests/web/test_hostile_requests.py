"""Hostile requests to the running server (the API and the Gradio app in one uvicorn process): an add
event crafted to name a server file that was never uploaded, a named pipe or /dev/zero, and uploads
of decompression bombs. Each is refused, nothing is added, and /api/health keeps answering within
2 s throughout."""

from __future__ import annotations

import json
import os
import resource
import threading
import time
import uuid
from pathlib import Path

import gradio  # noqa: F401 - imported before any server temp folder exists (see test_api_server.py)
import httpx
import pytest

from qa.collection import load_collection
from qa.service import Service
from qa.web.server import make_server_app, server_temp_dir
from testkit.documents import pdf_bomb
from tests.helpers import FakeEmbedder, ServerThread

pytestmark = pytest.mark.slow
SECRET = "The server's private notes: the tea-urn password is pumpernickel."


def event_index(app, name: str) -> int:
    """The Gradio event (fn_index) whose function is called `name`."""
    demo = app.state.demo
    return next(index for index, function in demo.fns.items() if function.name == name)


def gradio_event(url: str, fn_index: int, data: list, timeout: float = 120) -> dict:
    """Join the Gradio queue with a raw event, as any client can, and return its completion message."""
    session = uuid.uuid4().hex[:12]
    with httpx.Client(base_url=url, timeout=timeout) as http:
        joined = http.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index,
                                                           "session_hash": session, "event_data": None,
                                                           "trigger_id": None})
        assert joined.status_code == 200, joined.text
        with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError("the event never completed")


def file_data(path: str) -> dict:
    return {"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


class HealthWatch:
    """Polls /api/health in the background and records the slowest answer."""

    def __init__(self, url: str):
        self.url, self.slowest, self.failures, self._stop = url, 0.0, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with httpx.Client(base_url=self.url, timeout=30) as http:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    status = http.get("/api/health").status_code
                    if status != 200:
                        self.failures.append(status)
                except httpx.HTTPError as error:
                    self.failures.append(repr(error))
                self.slowest = max(self.slowest, time.perf_counter() - started)
                time.sleep(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def server(built):
    with server_temp_dir() as temp:
        service = Service(built, embedder=FakeEmbedder())
        service.warm_up()
        app = make_server_app(built, service, export_dir=temp / "exports")
        with ServerThread(app) as running:
            running.app = app
            yield running


def test_crafted_add_events_cannot_read_server_files_or_stall_the_server(server, built, tmp_path):
    secret = tmp_path / "notes.txt"
    secret.write_text(SECRET + "\n\n" + "More private text. " * 20, encoding="utf-8")
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    before = built.corpus_path.read_bytes()
    add = event_index(server.app, "add_documents")
    with HealthWatch(server.url) as health:
        for path in (str(secret), str(pipe), "/dev/zero", "/etc/hostname"):
            started = time.perf_counter()
            data = [[file_data(path)], "", "", "2024", "", "From the area"]
            message = gradio_event(server.url, add, data, timeout=60)
            assert time.perf_counter() - started < 30, f"the add event for {path} took too long"
            assert SECRET not in json.dumps(message)
            if message.get("success"):
                # Refused by the app's own check: the status says so and nothing was added.
                assert "was not uploaded to this server" in json.dumps(message["output"])
    assert health.failures == [] and health.slowest < 2.0, (health.failures, health.slowest)
    assert built.corpus_path.read_bytes() == before
    with httpx.Client(base_url=server.url, timeout=30) as http:
        found = http.get("/api/search", params={"q": "tea-urn password pumpernickel"}).json()
    assert all("pumpernickel" not in json.dumps(result) for result in found["results"])


def test_uploaded_bombs_are_refused_and_the_server_keeps_answering(server, built):
    before = built.corpus_path.read_bytes()
    add = event_index(server.app, "add_documents")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with httpx.Client(base_url=server.url, timeout=120) as http:
        files = [("files", ("operators.pdf", pdf_bomb(1050), "application/pdf")),
                 ("files", ("spaces.pdf", pdf_bomb(1100, b" " * 1024), "application/pdf"))]
        uploaded = http.post("/gradio_api/upload", files=files)
        assert uploaded.status_code == 200, uploaded.text
        paths = uploaded.json()
    with HealthWatch(server.url) as health:
        message = gradio_event(server.url, add, [[file_data(p) for p in paths], "", "", "", "", "From the area"])
    assert message.get("success"), message
    status = message["output"]["data"][0]
    assert status.count("decompression bomb") == 2, status
    assert health.failures == [] and health.slowest < 2.0, (health.failures, health.slowest)
    assert built.corpus_path.read_bytes() == before
    assert [d for d in load_collection(built.corpus_path).documents if d.file] == []
    # The parse ran in child processes: this process (the server) did not inflate the bombs.
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    assert grown < 300 * 2**20, f"the server grew by {grown / 2**20:.0f} MB"
