"""The HTTP API (qa/web/api.py) through FastAPI's TestClient over the fixture collection, the upload
guard, the server's temp folder and who may use the server (qa/web/access.py). Fast: no model, no Gradio."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from qa.errors import InvalidQueryError, ReviewQAError
from qa.search.filters import filters_from_input
from qa.service import Service
from qa.web.access import resolve_access
from qa.web.api import SearchBody, parse_body
from qa.web.guards import MAX_BODY, MAX_QUERY_STRING, UploadGuard
from qa.web.server import TEMP_PREFIX, make_server_app, server_temp_dir, sweep_stale
from tests.helpers import ask, edge_search, similar

TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture
def client(service):
    return TestClient(make_server_app(service.settings, service, with_ui=False), raise_server_exceptions=False)


@pytest.fixture
def guarded(service):
    return TestClient(make_server_app(service.settings, service, with_ui=False, token=TOKEN),
                      raise_server_exceptions=False)


def error_of(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and "\n" not in body["error"] and body["error"]
    return body["error"]


# --- every route ---------------------------------------------------------------------------------------

def test_get_search_is_the_cli_json(client, service):
    response = client.get("/api/search", params={"q": "neglect", "year_from": 2019, "year_to": 2019, "k": 3})
    assert response.status_code == 200
    expected = ask(service, "neglect", filters_from_input(year_from=2019, year_to=2019), k=3).to_json()
    assert response.json() == json.loads(json.dumps(expected))
    assert {r["year"] for r in response.json()["results"]} == {2019}


def test_post_search_is_the_cli_json(client, service):
    body = {"question": "records shared", "nations": ["Channel Islands"], "k": 2, "literal": True,
            "ranking": "hybrid"}
    response = client.post("/api/search", json=body)
    assert response.status_code == 200
    expected = ask(service, "records shared", filters_from_input(nations=["Channel Islands"]), k=2,
                              literal=True, ranking="hybrid").to_json()
    assert response.json() == json.loads(json.dumps(expected))
    # "q" is accepted for "question", as in the query string.
    assert client.post("/api/search", json={"q": "records shared", "k": 2}).status_code == 200


def test_repeated_query_parameters_are_lists(client):
    response = client.get("/api/search?q=exploitation&nation=England&nation=Channel+Islands&keyword=county+lines")
    assert response.status_code == 200
    assert response.json()["filters"]["nations"] == ["England", "Channel Islands"]
    assert {r["name"] for r in response.json()["results"]} == {"Child K"}


def test_unknown_values_ages_and_filter_counts_through_the_api(client, service):
    # Left out and counted by default; kept and marked with include_unknown (query string and body).
    left_out = client.get("/api/search", params={"q": "neglect", "nation": "Wales"}).json()
    assert left_out["unknown_left_out"] == {"place": 4} and left_out["matched_reviews"] == 1
    kept = client.get("/api/search", params={"q": "neglect", "nation": "Wales", "include_unknown": "true"}).json()
    assert kept["matched_reviews"] == 5 and sum(r["unknown"] == ["place"] for r in kept["results"]) == 4
    body = client.post("/api/search", json={"question": "exploitation", "age_min": 12, "age_max": 18,
                                            "include_unknown": True}).json()
    assert body["filters"]["age_min"] == 12 and body["filters"]["include_unknown"] is True
    assert client.post("/api/search", json={"question": "x", "include_unknown": "yes"}).status_code == 422
    assert client.get("/api/search", params={"q": "x", "age_group": "teenagers (13-17)"}).status_code == 200
    values = client.get("/api/filters").json()
    assert values["reviews"] == 9 and values["unknown"]["place"] == 4
    assert {"value": "Wales", "count": 1} in values["nations"]
    assert [g["value"] for g in values["age_groups"]] == ["babies (under 1)", "young children (1-4)",
                                                          "children (5-11)", "young people (12-17)"]


def test_review_route_gives_metadata_and_documents(client, service):
    view = service.review("2022-kent-child-k-431585")
    record = client.get("/api/reviews/2022-kent-child-k-431585").json()
    assert record["id"] == view.review.id and record["title"] == view.review.title and record["year"] == 2022
    assert [d["id"] for d in record["documents"]] == [d.id for d in view.documents]
    document = record["documents"][0]
    assert set(document) >= {"id", "kind", "title", "file", "pages", "text", "sections"}
    assert document["text"] == view.documents[0].text and document["pages"] == len(view.documents[0].pages)
    for section in document["sections"]:
        assert 0 <= section["start"] <= section["end"] <= len(document["text"])


def test_similar_route(client, service):
    response = client.get("/api/reviews/2022-kent-child-k-431585/similar", params={"k": 3})
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(similar(service, "2022-kent-child-k-431585", k=3).to_json()))
    ids = [r["review_id"] for r in response.json()["results"]]
    assert ids and "2022-kent-child-k-431585" not in ids
    filtered = client.get("/api/reviews/2022-kent-child-k-431585/similar?year_from=2023&k=5").json()
    assert {r["year"] for r in filtered["results"]} == {2023}


def test_health_shows_the_generation_served(client, service):
    service.warm_up()
    record = client.get("/api/health").json()
    assert record["status"] == "ready" and record["generation"] == service.index().generation
    assert record["reviews"] == 9 and record["documents"] == 9 and record["passages"] > 0
    assert record["model"] == "fake-hash-64"


def test_health_before_the_index_is_open_says_loading(client):
    response = client.get("/api/health")
    assert response.status_code == 503 and response.json()["status"] == "loading"


def test_openapi_documents_every_answer_and_only_the_error_shape(client):
    """Every route's 200 has a schema; every error status it documents is `{"error": str}` (the one
    exception: health's 503, which is the health record); FastAPI's `{"detail": ...}` 422 is gone."""
    schema = client.get("/api/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(schema) and '"detail"' not in json.dumps(schema)
    assert schema["components"]["schemas"]["ErrorAnswer"]["required"] == ["error"]
    operations = [(path, method, operation) for path, methods in schema["paths"].items()
                  for method, operation in methods.items()]
    assert len(operations) >= 8
    for path, method, operation in operations:
        responses = operation["responses"]
        # Files (a page image, an original) are described by their media type; every JSON answer by a model.
        content = responses["200"]["content"]
        assert ("application/json" not in content and set(content) <= {"image/png", "application/octet-stream"}
                or content["application/json"]["schema"]["$ref"].endswith("Answer")), (path, method)
        errors = {code: r["content"]["application/json"]["schema"]["$ref"] for code, r in responses.items()
                  if code != "200"}
        assert "422" in errors or not operation.get("parameters") and "requestBody" not in operation, (path, method)
        assert "401" in errors and "503" in errors, (path, method)
        for code, ref in errors.items():
            expected = "HealthAnswer" if (path, code) == ("/health", "503") else "ErrorAnswer"
            assert ref == f"#/components/schemas/{expected}", (path, method, code)


def test_real_answers_match_their_schema_models(client, service):
    """Every route's JSON validates against the model its schema names (extra fields are refused, so a
    field added to a record without its model fails here), and so does each error."""
    from qa.web import schema

    review_id = service.reviews()[0].id
    answers = [
        (client.get("/api/search", params={"q": "neglect", "k": 3}), schema.SearchAnswer),
        (client.post("/api/search", json={"question": "county lines", "nations": "England"}), schema.SearchAnswer),
        (client.get("/api/search", params={"q": "neglect in Wales", "include_unknown": True}), schema.SearchAnswer),
        (client.get("/api/digest", params={"q": "neglect"}), schema.DigestAnswer),
        (client.post("/api/digest", json={"question": "neglect", "limit": 5}), schema.DigestAnswer),
        (client.get(f"/api/reviews/{review_id}"), schema.ReviewAnswer),
        (client.get(f"/api/reviews/{review_id}/similar", params={"k": 2}), schema.SearchAnswer),
        (client.get("/api/filters"), schema.FilterValuesAnswer),
        (client.get("/api/health"), schema.HealthAnswer),
    ]
    for response, model in answers:
        assert response.status_code == 200, response.text
        model.model_validate(response.json())
    assert client.get("/api/search", params={"q": "neglect"}).json()["results"][0]["passages"]
    for response, status in [(client.get("/api/search", params={"q": "  "}), 400),
                             (client.get("/api/reviews/nope"), 404),
                             (client.get("/api/search", params={"q": "x", "k": "many"}), 422),
                             (client.post("/api/search", content=b"{not json"), 422)]:
        assert response.status_code == status
        schema.ErrorAnswer.model_validate(response.json())


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/search", "/reviews/{review_id}", "/reviews/{review_id}/similar", "/health"} <= set(schema["paths"])
    assert client.get("/openapi.json").json() == schema  # redirected to /api/openapi.json
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower() and "/api/openapi.json" in docs.text
    # The docs page works offline: its script comes from this server, not a CDN.
    assert "cdn." not in docs.text or "/api/docs-static/" not in docs.text
    parameters = {p["name"]: p for p in schema["paths"]["/search"]["get"]["parameters"]}
    assert parameters["year_from"]["schema"]["anyOf"][0]["maximum"] == 2100
    assert "teenagers (13-17)" in json.dumps(parameters["age_group"])


# --- refusals: 4xx with one line, never 500 --------------------------------------------------------------

@pytest.mark.parametrize("params, status, message", [
    ({"q": "neglect", "year_from": 10**20}, 422, "year_from must be from 1900 to 2100"),
    ({"q": "neglect", "year_from": "1e308"}, 422, "year_from must be a whole number"),
    ({"q": "neglect", "k": "inf"}, 422, "k must be a whole number"),
    ({"q": "neglect", "k": 0}, 422, "k must be from 1 to 100"),
    ({"q": "neglect", "literal": "maybe"}, 422, "literal must be true or false"),
    ({"q": "neglect", "age_group": "old"}, 422, "age_group must be one of"),
    ({"q": "neglect", "ranking": "best"}, 422, "ranking must be one of"),
    ({"q": "neglect", "nations": "Wales"}, 422, "Unknown parameter 'nations'. Did you mean 'nation'?"),
    ({}, 422, "q is required"),
    ({"q": "   "}, 400, "The question is empty"),
    ({"q": "x" * 1500}, 400, "the limit is 1,000"),
    ({"q": "neglect", "nation": "Walse"}, 400, "Did you mean 'Wales'"),
    ({"q": "neglect", "area": "Kentt"}, 400, "Did you mean 'Kent'"),
    ({"q": "neglect", "year_from": 2023, "year_to": 2019}, 400, "reversed"),
    ({"q": "neglect", "year": 2020, "year_from": 2019}, 400, "not both"),
])
def test_get_search_refuses_with_one_line(client, params, status, message):
    response = client.get("/api/search", params=params)
    assert response.status_code == status, response.text
    assert message in error_of(response)


# The defects found before (issue 10), through the JSON body; each is refused with its field named.
@pytest.mark.parametrize("body, message", [
    ({"question": "neglect", "year_from": 10**20}, "year_from must be from 1900 to 2100"),
    ({"question": "neglect", "year_from": 1e308}, "year_from must be a whole number"),
    ({"question": "neglect", "k": float("inf")}, "k must be a whole number"),
    ({"question": "neglect", "k": 10**30}, "k must be from 1 to 100"),
    ({"question": "neglect", "k": True}, "k must be a whole number"),
    ({"question": "neglect", "k": "5"}, "k must be a whole number"),
    ({"question": "neglect", "keywords": [None]}, "keywords[0] must be text"),
    ({"question": "neglect", "nations": [{"a": 1}]}, "nations[0] must be text"),
    ({"question": "neglect", "areas": [5]}, "areas[0] must be text"),
    ({"question": "neglect", "nations": 5}, "nations must be a list of names"),
    ({"question": "neglect", "nations": ["x"] * 51}, "nations has 51 values; the limit is 50"),
    ({"question": "neglect", "literal": "no"}, "literal must be true or false"),
    ({"question": 5}, "question must be text"),
    ({"question": "neglect", "nation": ["Wales"]}, "Did you mean 'nations'?"),
])
def test_post_search_refuses_hostile_values(client, body, message):
    response = client.post("/api/search", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert message in error_of(response)


def test_a_string_where_a_list_is_expected_is_one_value(client):
    # nations="Wales" is the nation Wales, not the letters W, a, l, e, s.
    response = client.post("/api/search", json={"question": "records shared", "nations": "Channel Islands"})
    assert response.status_code == 200 and response.json()["filters"]["nations"] == ["Channel Islands"]
    missing = client.post("/api/search", json={"question": "neglect", "nations": "Northern Ireland"})
    assert missing.status_code == 400 and "nation 'Northern Ireland'" in error_of(missing)


@pytest.mark.parametrize("content, message", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ("5", "must be a JSON object"),
    ("null", "must be a JSON object"),
    ("{}", "question is required"),
])
def test_post_body_that_is_not_an_object(client, content, message):
    response = client.post("/api/search", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 422 and message in error_of(response)


def test_the_gradio_endpoint_refuses_the_same_inputs(service):
    # The REST body model and the app's `search` endpoint refuse each previously found defect.
    for options in ({"year_from": 10**20}, {"year_from": 1e308}, {"k": float("inf")}, {"keywords": [None]},
                    {"nations": [{"a": 1}]}, {"areas": [5]}, {"literal": "no"}):
        with pytest.raises(InvalidQueryError):
            parse_body({"question": "neglect", **options})
        assert edge_search(service, "neglect", **options)["error"]
    assert edge_search(service, "records shared", nations="Channel Islands")["results"]
    assert parse_body({"question": "x", "nations": "Wales"}).nations == "Wales"


def test_oversized_query_string_and_body(client):
    long_query = client.get("/api/search", params={"q": "a" * (MAX_QUERY_STRING + 10)})
    assert long_query.status_code == 414 and "POST /api/search" in error_of(long_query)
    big = client.post("/api/search", content=b"{" + b" " * MAX_BODY + b"}",
                      headers={"content-type": "application/json"})
    assert big.status_code == 413 and "limit" in error_of(big)

    def chunks():  # no Content-Length: cut off at the limit while reading
        for _ in range(MAX_BODY // 1024 + 2):
            yield b" " * 1024
    streamed = client.post("/api/search", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_unknown_review_route_and_method(client):
    assert client.get("/api/reviews/no-such-review").status_code == 404
    assert "no review with id" in error_of(client.get("/api/reviews/no-such-review"))
    assert client.get("/api/reviews/no-such-review/similar").status_code == 404
    assert client.get("/api/reviews/" + "x" * 400).status_code == 422
    assert client.get("/api/nowhere").status_code == 404 and "/api/docs" in error_of(client.get("/api/nowhere"))
    assert client.delete("/api/search").status_code == 405
    # Found by the fuzz tests: a path no route matches (a newline in the id) was FastAPI's {"detail": ...}.
    for path in ("/api/reviews/%0A", "/api/reviews/%0A/similar"):
        assert client.get(path).status_code == 404 and error_of(client.get(path))


def test_similar_refuses_bad_filters(client):
    response = client.get("/api/reviews/2022-kent-child-k-431585/similar", params={"k": 1000})
    assert response.status_code == 422 and "k must be from 1 to 100" in error_of(response)
    response = client.get("/api/reviews/2022-kent-child-k-431585/similar", params={"nation": "Narnia"})
    assert response.status_code == 400 and "nation 'Narnia'" in error_of(response)


def test_an_unexpected_error_is_logged_and_never_a_500(service, caplog):
    class Broken(Service):
        def search(self, *args, **kwargs):
            raise RuntimeError("boom")

    broken = Broken(service.settings, embedder=service.embedder())
    client = TestClient(make_server_app(service.settings, broken, with_ui=False), raise_server_exceptions=False)
    response = client.get("/api/search", params={"q": "neglect"})
    assert response.status_code == 503 and "logged" in error_of(response)
    assert "boom" in caplog.text


def test_a_missing_index_is_503_with_the_build_hint(settings, fake_embedder):
    client = TestClient(make_server_app(settings, Service(settings, embedder=fake_embedder), with_ui=False),
                        raise_server_exceptions=False)
    response = client.get("/api/search", params={"q": "neglect"})
    assert response.status_code == 503 and "reviewqa build" in error_of(response)
    assert client.get("/api/reviews/x").status_code == 503


# --- the token ----------------------------------------------------------------------------------------------

def test_token_is_needed_when_configured(guarded):
    for path in ("/api/search?q=neglect", "/api/reviews/2022-kent-child-k-431585", "/api/health",
                 "/api/reviews/2022-kent-child-k-431585/similar"):
        refused = guarded.get(path)
        assert refused.status_code == 401 and "Bearer" in error_of(refused)
        assert refused.headers["www-authenticate"] == "Bearer"
        assert guarded.get(path, headers={"Authorization": "Bearer wrong-token"}).status_code == 401
        assert guarded.get(path, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert guarded.get("/api/search?q=neglect", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert guarded.post("/api/search", json={"question": "neglect"},
                        headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    # The docs describe the API without data: open, and they say how to authenticate.
    assert guarded.get("/api/docs").status_code == 200
    assert "bearer" in json.dumps(guarded.get("/api/openapi.json").json()["components"]["securitySchemes"]).lower()


def test_beyond_loopback_needs_auth_or_an_explicit_no_auth(tmp_path):
    assert resolve_access("127.0.0.1", environ={}).token is None
    assert resolve_access("localhost", environ={}).ui_auth is None
    assert resolve_access("::1", environ={}).token is None
    with pytest.raises(ReviewQAError, match="Refusing to serve on 0.0.0.0 without authentication"):
        resolve_access("0.0.0.0", environ={})
    with pytest.raises(ReviewQAError, match="--no-auth"):
        resolve_access("192.168.1.5", environ={})
    assert resolve_access("0.0.0.0", no_auth=True, environ={}).open_beyond_loopback
    access = resolve_access("0.0.0.0", environ={"REVIEWQA_API_TOKEN": TOKEN})
    assert access.token == TOKEN and access.ui_auth("anyone", TOKEN) and not access.ui_auth("anyone", "guess")
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    assert resolve_access("0.0.0.0", token_file=token_file, environ={}).token == TOKEN
    token_file.write_text("short\n")
    with pytest.raises(ReviewQAError, match="at least 16"):
        resolve_access("0.0.0.0", token_file=token_file, environ={})
    with pytest.raises(ReviewQAError, match="cannot be read"):
        resolve_access("0.0.0.0", token_file=tmp_path / "absent", environ={})
    users = tmp_path / "users"
    users.write_text("# logins\nalice:correct-horse\nbob:battery-staple\n")
    access = resolve_access("0.0.0.0", auth_file=users, environ={"REVIEWQA_API_TOKEN": TOKEN})
    assert access.ui_auth == [("alice", "correct-horse"), ("bob", "battery-staple")]
    users.write_text("alice\n")
    with pytest.raises(ReviewQAError, match="Line 1"):
        resolve_access("0.0.0.0", auth_file=users, environ={"REVIEWQA_API_TOKEN": TOKEN})


def test_serve_refuses_to_start_beyond_loopback_without_auth(tmp_path):
    env = {**os.environ, "REVIEWQA_ROOT": str(tmp_path)}
    env.pop("REVIEWQA_API_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "qa.cli", "serve", "--host", "0.0.0.0", "--no-build"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "Refusing to serve on 0.0.0.0" in done.stderr and "Traceback" not in done.stderr


# --- uploads ----------------------------------------------------------------------------------------------------

def _upload_app():
    seen = []

    async def app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"stored"})
    return app, seen


def test_upload_guard_allows_the_types_reviewqa_reads_within_the_size_limit():
    app, seen = _upload_app()
    client = TestClient(UploadGuard(app, max_file_bytes=10_000))
    files = [("files", ("report.pdf", b"%PDF-1.7" + b"x" * 5000)), ("files", ("notes.TXT", b"plain text"))]
    response = client.post("/gradio_api/upload", files=files)
    assert response.status_code == 200 and len(seen) == 1 and b"x" * 5000 in seen[0]


@pytest.mark.parametrize("name, size, status, message", [
    ("tool.exe", 100, 415, "not a file type reviewqa reads"),
    ("page.svg", 100, 415, "not a file type"),
    ("no-extension", 100, 415, "not a file type"),
    ("big.pdf", 20_000, 413, "over the limit"),
])
def test_upload_guard_refuses_before_anything_is_stored(name, size, status, message):
    app, seen = _upload_app()
    client = TestClient(UploadGuard(app, max_file_bytes=10_000))
    response = client.post("/gradio_api/upload", files=[("files", (name, b"x" * size))])
    assert response.status_code == status and message in response.json()["error"]
    assert seen == []


def test_upload_guard_limits_the_whole_request_and_the_file_count():
    app, seen = _upload_app()
    client = TestClient(UploadGuard(app, max_file_bytes=1000, max_files=3))
    too_many = client.post("/gradio_api/upload", files=[("files", (f"{i}.txt", b"x")) for i in range(4)])
    assert too_many.status_code == 413 and "At most 3 files" in too_many.json()["error"]
    huge = client.post("/gradio_api/upload", content=b"x" * 20_000,
                       headers={"content-type": "multipart/form-data; boundary=abc"})
    assert huge.status_code == 413 and seen == []
    garbage = client.post("/gradio_api/upload", content=b"x" * 100,
                          headers={"content-type": "multipart/form-data; boundary=abc"})
    assert garbage.status_code == 400 and "not a valid multipart form" in garbage.json()["error"] and seen == []
    # Other routes pass untouched.
    assert client.post("/gradio_api/queue/join", content=b"x" * 10_000).status_code == 200


# --- temp files ---------------------------------------------------------------------------------------------------

def test_server_temp_dir_holds_gradio_files_and_is_removed(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    with server_temp_dir(tmp_path) as folder:
        assert os.environ["GRADIO_TEMP_DIR"] == str(folder / "gradio")
        (folder / "gradio").mkdir()
        (folder / "gradio" / "upload.pdf").write_bytes(b"x")
    assert not folder.exists() and "GRADIO_TEMP_DIR" not in os.environ


def test_folders_of_killed_servers_are_swept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{TEMP_PREFIX}{dead.pid}-abc"
    mine = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def"
    for folder in (stale, mine):
        (folder / "gradio").mkdir(parents=True)
    assert sweep_stale(tmp_path) == [stale]
    assert not stale.exists() and mine.exists()


def test_building_the_app_leaves_no_temp_folder(settings, fixture_reviews, tmp_path, monkeypatch):
    # Regression: every app start left a reviewqa-exports-* folder behind.
    import tempfile

    from qa.web.ui import build_app

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    build_app(settings, object(), fixture_reviews)
    assert not list(tmp_path.glob("reviewqa-exports-*"))


def test_search_body_model_documents_its_limits():
    schema = SearchBody.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "question" in schema["required"]


def test_sigterm_stops_the_server_and_removes_its_temp_folder(tmp_path):
    # uvicorn re-raises SIGTERM after shutting down; the temp folder must still go.
    import signal
    from pathlib import Path

    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n"
              "from fastapi import FastAPI\n"
              "from tests.helpers import free_port\nfrom qa.web.server import run_server, server_temp_dir\n"
              f"with server_temp_dir({str(tmp_path)!r}) as folder:\n"
              "    print(folder, flush=True)\n"
              "    run_server(FastAPI(), '127.0.0.1', free_port())\n")
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        folder = Path(process.stdout.readline().strip())
        assert folder.is_dir() and folder.parent == tmp_path
        import time
        time.sleep(1.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) != 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not folder.exists()
