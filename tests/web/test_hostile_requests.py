"""Hostile requests to the running server (the API and the Gradio app in one uvicorn process): an add
event crafted to name a server file that was never uploaded, a named pipe or /dev/zero, and uploads
of decompression bombs. Each is refused, nothing is added, and /api/health keeps answering within
2 s throughout."""

from __future__ import annotations

import json
import os
import re
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
        if joined.status_code == 400:
            return {"refused": joined.json()["error"]}      # refused before Gradio queued it
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
            assert message.get("refused") == ("A file named in this event was not uploaded to this server; upload "
                                              "it first."), message
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
        large = (b"The health visitor recorded the concern. " * 1_150_000)[:45 * 2**20]   # 45 MB of sentences
        files = [("files", ("operators.pdf", pdf_bomb(1050), "application/pdf")),
                 ("files", ("spaces.pdf", pdf_bomb(1100, b" " * 1024), "application/pdf")),
                 ("files", ("large.txt", large, "text/plain"))]
        uploaded = http.post("/gradio_api/upload", files=files)
        assert uploaded.status_code == 200, uploaded.text
        paths = uploaded.json()
    with HealthWatch(server.url) as health:
        message = gradio_event(server.url, add, [[file_data(p) for p in paths], "", "", "", "", "From the area"])
    assert message.get("success"), message
    status = message["output"]["data"][0]
    assert status.count("decompression bomb") == 2, status
    assert re.search(r"&#x27;large.txt&#x27; holds 47,\d{3},\d{3} characters of text, over the limit", status), status
    assert health.failures == [] and health.slowest < 2.0, (health.failures, health.slowest)
    assert built.corpus_path.read_bytes() == before
    assert [d for d in load_collection(built.corpus_path).documents if d.file] == []
    # The parse ran in child processes: this process (the server) did not inflate the bombs.
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    assert grown < 300 * 2**20, f"the server grew by {grown / 2**20:.0f} MB"


def first_response_without_a_body(url: str, path: str, headers: dict) -> tuple[int, str]:
    """Send a request's headers, promising a large body, and read what comes back before any of the
    body is sent: a server that checks authentication first answers at once."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}",
             *(f"{name}: {value}" for name, value in headers.items()), "", ""]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode())
        chunks = []
        while chunk := sock.recv(65536):       # the refusal closes the connection
            chunks.append(chunk)
        answer = b"".join(chunks).decode("latin-1")
    status = int(answer.split(" ", 2)[1])
    return status, answer.split("\r\n\r\n", 1)[-1]


def test_requests_without_credentials_are_refused_before_their_bodies_are_read(built):
    from qa.web.access import Access

    token = "a-token-for-the-hostile-test-0123456789"
    with server_temp_dir() as temp:
        service = Service(built, embedder=FakeEmbedder())
        app = make_server_app(built, service, token=token, ui_auth=Access(token).ui_auth,
                              export_dir=temp / "exports")
        with ServerThread(app) as running:
            # 50 files of 49 MB promised; nothing sent. Before the fix the guard spooled the whole body first.
            status, body = first_response_without_a_body(
                running.url, "/gradio_api/upload",
                {"Content-Type": "multipart/form-data; boundary=xyz", "Content-Length": str(50 * 49 * 2**20)})
            assert status == 401 and "Log in" in body
            spooled = [p for p in temp.rglob("*") if p.is_file()]
            assert spooled == []
            status, body = first_response_without_a_body(
                running.url, "/api/search", {"Content-Type": "application/json", "Content-Length": "60000"})
            assert status == 401 and "Bearer" in body
            # With the token, the same API request is read and answered.
            with httpx.Client(base_url=running.url, timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as http:
                assert http.post("/api/search", json={"question": "county lines"}).status_code == 200


def test_malformed_events_are_refused_in_one_line_without_a_traceback(server, capfd):
    add = event_index(server.app, "add_documents")
    respond = event_index(server.app, "respond")
    wanted = len(server.app.state.demo.fns[respond].inputs)
    assert wanted > 2
    assert gradio_event(server.url, respond, [12, {"a": 1}]) == {"refused": f"This event takes {wanted} values, not 2."}
    assert gradio_event(server.url, 999, ["x"]) == {"refused": "There is no such event in this app."}
    refused = gradio_event(server.url, add, [[file_data("/etc/hostname")], "", "", "", "", "From the area"])
    assert "not uploaded to this server" in refused["refused"]
    assert "Traceback" not in capfd.readouterr().err


def test_an_over_long_request_line_gets_the_documented_json_414(server):
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(server.url)
    for size in (70_000, 200_000, 900_000):
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(f"GET /api/search?q={'a' * size} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 414") and json.loads(body)["error"].startswith("The query string is"), head


def test_a_claimed_forwarded_host_does_not_reach_the_app_config(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        config = http.get("/config", headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
                                              "Forwarded": "host=evil.example"})
    assert config.status_code == 200 and "evil.example" not in config.text
