"""What several test modules share: a fake deterministic embedder, a search shortcut, a server on a
free loopback port, and where browser screenshots go."""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qa.search import SearchResponse, SimilarRequest, search_request

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class FakeEmbedder:
    """Deterministic bag-of-words hashing embedder: texts sharing words get similar vectors."""

    name = "fake-hash-64"
    dimension = 64

    def __init__(self):
        self.calls = 0

    def encode(self, texts, *, batch_size=32, progress=False):
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                out[row, digest[0] % self.dimension] += 1.0
            out[row] /= max(np.linalg.norm(out[row]), 1e-9)
        return out

    def count_tokens(self, text):
        return len(text.split()) + 2


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self):
        super().__init__()
        self.texts = 0

    def encode(self, texts, **kwargs):
        self.texts += len(texts)
        return super().encode(texts, **kwargs)


def ask(service, question, filters=None, **options) -> SearchResponse:
    """service.search with the request built as the edges build it (k, ranking, literal as options)."""
    return service.search(search_request(question, service.settings, filters=filters, **options))


def similar(service, review_id, filters=None, k=10) -> SearchResponse:
    from qa.search import Filters

    return service.more_like(SimilarRequest(review_id, filters or Filters(), k))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ServerThread:
    """uvicorn in a background thread on a free loopback port."""

    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None):
        import uvicorn

        from qa.web.server import quiet_shutdown, server_config

        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        config = server_config(app, host, self.port, graceful_seconds=2)
        quiet_shutdown()
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="reviewqa-server", daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def edge_search(service, question, *, k=None, literal=False, ranking=None, **filter_input) -> dict:
    """A search as every edge makes one from raw input (filters_from_input, then search_request): the
    JSON answer, or {"results": [], "error": ...} with the one-line message an edge shows."""
    from qa.errors import ReviewQAError
    from qa.search import filters_from_input

    try:
        filters = filters_from_input(**filter_input)
        request = search_request(question, service.settings, filters=filters, k=k, literal=literal, ranking=ranking)
        return service.search(request).to_json()
    except ReviewQAError as error:
        return {"query": question if isinstance(question, str) else None, "results": [], "error": str(error)}


@contextmanager
def writer_lock_held_elsewhere(corpus_path: Path) -> Iterator[None]:
    """The collection's writer lock held by another thread while the block runs, as another reviewqa
    command holds it during a change."""
    from qa.collection import writer_lock

    held, release = threading.Event(), threading.Event()

    def hold():
        with writer_lock(corpus_path):
            held.set()
            release.wait(10)
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()
