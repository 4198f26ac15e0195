"""`PATCH /api/reviews/{id}`: a review's details and its documents' kinds corrected through the API,
behind the same token as every route, refused with one line and nothing written."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qa.changes import add_files
from qa.collection import load_collection
from qa.web.server import make_server_app
from tests.changes.test_add_remove import report_text, write
from tests.helpers import CountingEmbedder, FakeEmbedder, writer_lock_held_elsewhere
from tests.web.test_api import TOKEN, error_of

KENT = "2022-kent-child-k-431585"


def client_of(service, token=None) -> TestClient:
    return TestClient(make_server_app(service.settings, service, with_ui=False, token=token),
                      raise_server_exceptions=False)


def test_patch_changes_the_review_and_answers_as_get_does(service, tmp_path):
    path = write(tmp_path / "in" / "child-z-report.txt", report_text(year=2024))
    result = add_files(service.settings, [path], embedder=FakeEmbedder()).files[0]
    counting = CountingEmbedder()
    service._embedder = counting
    client = client_of(service)
    response = client.patch(f"/api/reviews/{result.review_id}",
                            json={"year": 2021, "area": "Kent", "child_ages": "3 years; 5 months",
                                  "documents": {result.document_id: {"kind": "learning brief"}}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == client.get(f"/api/reviews/{result.review_id}").json()
    assert (body["year"], body["area"], body["nation"], body["region"]) == (2021, "Kent", "England", "South East")
    assert body["child_ages"] == [[0.42, 0.42], [3.0, 3.0]]
    assert [(d["kind"], d["kind_label"]) for d in body["documents"]] == [("learning-brief", "Learning brief")]
    assert counting.texts == 0
    cleared = client.patch(f"/api/reviews/{result.review_id}", json={"year": "unknown"}).json()
    assert cleared["year"] is None


def test_patch_refuses_with_one_line_and_writes_nothing(service):
    client = client_of(service)
    before = service.settings.corpus_path.read_bytes()
    for body, status, words in (({"nation": "Narnia"}, 400, "nation 'Narnia'"),
                                ({"region": "Atlantis"}, 400, "region"),
                                ({"child_ages": "forty"}, 400, "ages"),
                                ({"year": 1850}, 422, "year"), ({"year": "2021"}, 422, "year"),
                                ({"colour": "red"}, 422, "Unknown parameter 'colour'"),
                                ({}, 400, "Nothing to change"),
                                ({"documents": {f"{KENT}/summary": {"kind": "report"}}}, 400, "stays summary"),
                                ({"documents": {"nope/nope": {"kind": "report"}}}, 404, "no document")):
        response = client.patch(f"/api/reviews/{KENT}", json=body)
        assert response.status_code == status and words in error_of(response), (body, response.text)
    response = client.patch("/api/reviews/no-such-review", json={"year": 2021})
    assert response.status_code == 404 and "no review with id" in error_of(response)
    assert service.settings.corpus_path.read_bytes() == before


def test_patch_while_another_change_runs_is_409(service, monkeypatch):
    import qa.collection

    original = qa.collection.writer_lock
    with writer_lock_held_elsewhere(service.settings.corpus_path):
        monkeypatch.setattr("qa.changes.edit.writer_lock", lambda path: original(path, wait=0.1))
        response = client_of(service).patch(f"/api/reviews/{KENT}", json={"year": 2021})
    assert response.status_code == 409 and "Another reviewqa command" in error_of(response)
    assert load_collection(service.settings.corpus_path).review(KENT).year == 2022


def test_patch_needs_the_token_when_one_is_set(service):
    client = client_of(service, TOKEN)
    refused = client.patch(f"/api/reviews/{KENT}", json={"year": 2021})
    assert refused.status_code == 401
    allowed = client.patch(f"/api/reviews/{KENT}", json={"year": 2021}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200 and allowed.json()["year"] == 2021
