"""The combined server (qa/app/server.py: the API at /api and the Gradio app at /) run by uvicorn on a
free loopback port: every REST route over HTTP, the Gradio `search` endpoint through gradio_client,
uploads, authentication, and a new index generation committed while a client is searching."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import gradio  # noqa: F401 - imported before any server temp folder exists: Gradio keeps the temp folder of
import httpx  # its first import for some files, and would recreate a removed one for every later app here
import pytest

from qa.collection import Collection, load_collection, save_collection
from qa.index import build_index, store
from qa.records import Document, Review, Section
from qa.service import Service
from qa.settings import ParseLimits
from qa.web.access import resolve_access
from qa.web.server import make_server_app, server_temp_dir
from tests.helpers import FakeEmbedder, ServerThread

pytestmark = pytest.mark.slow
TOKEN = "a-token-for-the-server-test-0123456789"
UNIQUE = "zyzzogeton"


def test_every_rest_route_over_http(server, built):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        search = http.get("/api/search", params={"q": "county lines exploitation", "k": 3})
        assert search.status_code == 200 and search.json()["results"][0]["name"] == "Child K"
        posted = http.post("/api/search", json={"question": "county lines exploitation", "k": 3})
        assert posted.json() == search.json()
        review_id = search.json()["results"][0]["review_id"]
        review = http.get(f"/api/reviews/{review_id}").json()
        assert review["id"] == review_id and review["documents"][0]["text"]
        similar = http.get(f"/api/reviews/{review_id}/similar", params={"k": 2}).json()
        assert similar["results"] and review_id not in {r["review_id"] for r in similar["results"]}
        health = http.get("/api/health").json()
        assert health["status"] == "ready" and health["generation"] == search.json()["generation"]
        assert http.get("/api/docs").status_code == 200
        assert http.get("/api/docs-static/swagger-ui-bundle.js").status_code == 200
        assert http.get("/openapi.json", follow_redirects=True).json()["info"]["title"] == "reviewqa API"
        bad = http.get("/api/search", params={"q": "neglect", "year_from": 10**20})
        assert bad.status_code == 422 and "year_from" in bad.json()["error"]
        assert http.get("/api/search", params={"q": "a" * 9000}).status_code == 414
        assert http.get("/api/reviews/nope").status_code == 404
        # The app is still there, at /.
        assert http.get("/").status_code == 200


def test_the_app_publishes_no_api_of_its_own(server):
    """The REST API at /api is the one search contract; the app's events are private to its page."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        info = http.get("/gradio_api/info").json()
    assert info.get("named_endpoints", {}) == {}


def test_uploads_are_limited_and_kept_in_the_server_temp_folder(built):
    # Regression: POST /gradio_api/upload stored anything, of any size (50 MB in 0.15 s).
    settings = built.with_(parse_limits=ParseLimits(max_file_bytes=2**20))
    with server_temp_dir() as temp:
        app = make_server_app(settings, Service(settings, embedder=FakeEmbedder()))
        with ServerThread(app) as running, httpx.Client(base_url=running.url, timeout=60) as http:
            big = http.post("/gradio_api/upload", files={"files": ("report.pdf", b"x" * (3 * 2**20))})
            assert big.status_code == 413
            exe = http.post("/gradio_api/upload", files={"files": ("tool.exe", b"MZ" * 100)})
            assert exe.status_code == 415
            stored = [p for p in temp.rglob("*") if p.is_file()]
            assert stored == []
            ok = http.post("/gradio_api/upload", files={"files": ("notes.txt", b"The health visitor visited.")})
            assert ok.status_code == 200
            (path,) = ok.json()
            assert Path(path).is_relative_to(temp) and Path(path).read_bytes() == b"The health visitor visited."
    assert not temp.exists()


def test_token_and_login_when_configured(built):
    access = resolve_access("0.0.0.0", environ={"REVIEWQA_API_TOKEN": TOKEN})
    with server_temp_dir():
        service = Service(built, embedder=FakeEmbedder())
        app = make_server_app(built, service, token=access.token, ui_auth=access.ui_auth)
        with ServerThread(app) as running, httpx.Client(base_url=running.url, timeout=30) as http:
            assert http.get("/api/search", params={"q": "neglect"}).status_code == 401
            authorised = http.get("/api/search", params={"q": "neglect"},
                                  headers={"Authorization": f"Bearer {TOKEN}"})
            assert authorised.status_code == 200
            # The Gradio side needs a login too: its API refuses, uploads refuse, the login works.
            assert http.post("/gradio_api/upload", files={"files": ("a.txt", b"x")}).status_code in (401, 403)
            assert http.post("/login", data={"username": "me", "password": "wrong"}).status_code in (400, 401)
            login = http.post("/login", data={"username": "me", "password": TOKEN})
            assert login.status_code == 200
            # With the login's cookie the app's own routes open.
            assert http.get("/config").status_code == 200


def _add_review(settings) -> str:
    review = Review(id="2024-testshire-child-z-000001", title="2024 – Testshire – Child Z", year=2024,
                    area="Testshire", name="Child Z", nation="England", keywords=(UNIQUE,), region="South East")
    text = (f"Child Z was a {UNIQUE} enthusiast whose school noticed bruising. Learning: agencies should share "
            f"information about {UNIQUE} clubs promptly.")
    document = Document(f"{review.id}/summary", review.id, "summary", text, (Section("summary", 0, len(text)),),
                        title=review.title)
    collection = load_collection(settings.corpus_path)
    save_collection(Collection(collection.reviews + (review,), collection.documents + (document,)),
                    settings.corpus_path)
    return review.id


def test_a_new_generation_is_served_under_load_without_a_failed_or_mixed_request(server, built):
    """While clients search, the collection gains a review and a new generation is committed: no request
    fails, none mixes generations, and the new review is served within 2 s of the commit."""
    old = store.current_generation(built.index_dir).name
    seen: list[tuple[float, int, int, bool]] = []   # (time received, status, generation, new review present)
    failures: list[str] = []
    stop = threading.Event()

    def client_loop():
        with httpx.Client(base_url=server.url, timeout=30) as http:
            while not stop.is_set():
                try:
                    response = http.get("/api/search", params={"q": f"{UNIQUE} bruising school", "k": 5})
                    record = response.json()
                    if response.status_code != 200:
                        failures.append(f"{response.status_code}: {record}")
                        continue
                    present = any(r["name"] == "Child Z" for r in record["results"])
                    seen.append((time.time(), response.status_code, record["generation"], present))
                except Exception as error:  # noqa: BLE001 - counted, and the test fails on it
                    failures.append(repr(error))

    threads = [threading.Thread(target=client_loop) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        review_id = _add_review(built)
        report = build_index(built, FakeEmbedder(), progress=False)
        committed = os.stat(built.index_dir / store.POINTER).st_mtime
        assert store.current_generation(built.index_dir).name != old
        deadline = time.time() + 5
        while time.time() < deadline and not any(g == report.generation for _, _, g, _ in seen):
            time.sleep(0.02)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert failures == []
    first_new = min(t for t, _, g, _ in seen if g == report.generation)
    assert first_new - committed <= 2.0
    # No mixing: the new review is in exactly the answers from the new generation.
    assert all(present == (generation == report.generation) for _, _, generation, present in seen)
    assert {generation for _, _, generation, _ in seen} == {report.generation - 1, report.generation}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        answer = http.get("/api/search", params={"q": UNIQUE}).json()
        assert answer["results"][0]["review_id"] == review_id
        assert http.get("/api/health").json()["generation"] == report.generation
        assert http.get(f"/api/reviews/{review_id}").json()["keywords"] == [UNIQUE]


def test_queued_searches_do_not_starve_other_routes(built, tmp_path):
    """Searches beyond the concurrency limit wait in the event loop, not in worker threads: with more
    slow searches queued than the server has threads, /api/health still answers at once."""
    import concurrent.futures
    import time

    class SlowService(Service):
        def search(self, *args, **kwargs):
            time.sleep(0.5)
            return super().search(*args, **kwargs)

    service = SlowService(built, embedder=FakeEmbedder())
    service.warm_up()
    app = make_server_app(built, service, export_dir=tmp_path / "exports")
    with ServerThread(app) as running, concurrent.futures.ThreadPoolExecutor(60) as pool:
        def ask(_):
            return httpx.get(f"{running.url}/api/search", params={"q": "neglect"}, timeout=120).status_code

        searches = [pool.submit(ask, n) for n in range(60)]
        time.sleep(1.0)                                   # the queue is full by now
        started = time.perf_counter()
        health = httpx.get(f"{running.url}/api/health", timeout=30)
        waited = time.perf_counter() - started
        assert health.status_code == 200 and waited < 3.0, f"health waited {waited:.1f} s behind the searches"
        assert [f.result() for f in searches] == [200] * 60
