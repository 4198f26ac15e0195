"""The source of a cited passage (qa/source.py), fast: a PDF written by hand (testkit/documents.py:
lines_pdf, text at known positions), DOCX-like text and HTML through the fake embedder; the REST
routes through FastAPI's TestClient. Chromium-printed reports are in tests/web/test_source_browser.py."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.errors import InvalidQueryError, NotFoundError
from qa.records import NSPCC_CASE_REVIEWS_URL
from qa.service import Service
from qa.source import DEFAULT_SCALE, PASSAGE_ANCHOR, document_html
from qa.web.server import make_server_app
from testkit.documents import lines_pdf
from tests.helpers import FakeEmbedder

TOKEN = "s3cret-token-for-tests-0123456789"
LEADING, TOP, LEFT = 16, 760, 72
PAGE_1 = ["Child Safeguarding Practice Review: Child P", "Westmere Safeguarding Children Partnership",
          "Published: May 2024", "", "1. Introduction", "",
          "The review panel met in the old library above the harbour on a wet Tuesday.",
          "The family had moved between three addresses in the year before the incident."]
PAGE_2 = ["2. Findings", "",
          "The lighthouse keeper reported the tangerine rowing boat to the harbour master",
          "twice that winter, and neither report reached the children's social care team.",
          "", "3. Recommendations", "",
          "The partnership should check that reports from the harbour reach the right team."]
PAGE_3 = ["4. Closing", "", "This closing sentence about the kettle stands alone on the final page."]


@pytest.fixture
def added(built, tmp_path):
    """The fixture collection with a three-page PDF and a text file added: (service, pdf id, text id)."""
    service = Service(built, embedder=FakeEmbedder())
    pdf = tmp_path / "in" / "child-p-review.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(lines_pdf([PAGE_1, PAGE_2, PAGE_3], leading=LEADING, top=TOP, left=LEFT))
    text = tmp_path / "in" / "child-t-brief.txt"
    text.write_text("Learning brief: Child T\n\nEastport Safeguarding Children Partnership, 2023\n\n"
                    "The school nurse wrote <script>alert('x')</script> in the referral, and nobody followed it "
                    "up.\n\nA second paragraph about supervision.\n", encoding="utf-8")
    report = service.add([pdf, text])
    assert [f.status for f in report.files] == ["added", "added"], [f.message for f in report.files]
    return service, report.files[0].document_id, report.files[1].document_id


def passage_with(service, document_id: str, words: str):
    index = service.index()
    document = index.documents_by_id[document_id]
    row = index.documents.index(document)
    for chunk_row in range(len(index.chunk_table)):
        if int(index.chunk_document[chunk_row]) == row:
            chunk = index.chunk(chunk_row)
            if words in chunk.text:
                return chunk
    raise AssertionError(f"no passage with {words!r}")


def line_box(page_lines: list[str], text: str) -> tuple[float, float]:
    """The pixel rows (top, bottom) of the line holding `text`, from where lines_pdf drew it."""
    number = next(i for i, line in enumerate(page_lines) if text in line)
    baseline = TOP - number * LEADING
    return (842 - baseline - 11) * DEFAULT_SCALE, (842 - baseline + 3) * DEFAULT_SCALE


def test_the_page_image_highlights_the_passage_lines_on_its_page(added):
    service, pdf_id, _ = added
    chunk = passage_with(service, pdf_id, "tangerine rowing boat")
    view = service.source(pdf_id, passage=chunk.id)
    assert (view.kind, view.page, view.pages, view.has_original) == ("page", 2, 3, True)
    image = service.page_image(pdf_id, 2, passage=chunk.id)
    assert image.png.startswith(b"\x89PNG")
    assert (image.width, image.height) == (math.ceil(595 * 1.5), math.ceil(842 * 1.5))
    # One box a line, each over the line where lines_pdf drew the passage's words, from the left margin.
    tops = [line_box(PAGE_2, "tangerine rowing boat"), line_box(PAGE_2, "twice that winter")]
    covered = [box for box in image.boxes if any(box[1] <= (a + b) / 2 <= box[3] for a, b in tops)]
    assert len(covered) >= 2
    assert all(abs(box[0] - LEFT * DEFAULT_SCALE) < 6 for box in covered)
    # Nothing is highlighted on the lines of other paragraphs.
    assert "harbour reach the right team" not in chunk.text
    heading = line_box(PAGE_2, "harbour reach the right team")
    assert not any(box[1] <= (heading[0] + heading[1]) / 2 <= box[3] for box in image.boxes)
    # The same boxes for the passage given by its offsets; none on a page it is not on.
    assert service.page_image(pdf_id, 2, start=chunk.start, end=chunk.end).boxes == image.boxes
    assert service.page_image(pdf_id, 3, passage=chunk.id).boxes == ()
    assert service.page_image(pdf_id, 1).boxes == ()


def test_pages_out_of_range_and_bad_passages_are_errors(added):
    service, pdf_id, text_id = added
    for page in (0, 4, -1):
        with pytest.raises(NotFoundError, match="has pages 1 to 3"):
            service.page_image(pdf_id, page)
    with pytest.raises(NotFoundError, match="has no passage"):
        service.page_image(pdf_id, 1, passage=f"{text_id}#0")
    with pytest.raises(NotFoundError, match="has no passage"):
        service.page_image(pdf_id, 1, passage=f"{pdf_id}#999")
    with pytest.raises(InvalidQueryError, match="start and end"):
        service.page_image(pdf_id, 1, start=5)
    with pytest.raises(InvalidQueryError, match="not both"):
        service.page_image(pdf_id, 1, passage=f"{pdf_id}#0", start=0, end=3)
    with pytest.raises(NotFoundError, match="not a PDF"):
        service.page_image(text_id, 1)
    with pytest.raises(NotFoundError, match="no document"):
        service.page_image("nope/report", 1)


def test_the_original_is_served_only_from_the_files_folder(added, tmp_path):
    service, pdf_id, text_id = added
    original = service.original(pdf_id)
    assert original.media_type == "application/pdf" and original.path.read_bytes().startswith(b"%PDF-")
    assert service.settings.files_dir.resolve() in original.path.parents
    # A summary has none, and says where the NSPCC publishes it.
    summary = next(d for d in service.index().documents if d.kind == "summary")
    with pytest.raises(NotFoundError, match="no kept original.*case-reviews"):
        service.original(summary.id)
    # A file gone, or a link that leads out of the files folder, is not served.
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    kept = service.original(text_id).path
    kept.unlink()
    with pytest.raises(NotFoundError, match="no longer in the collection"):
        service.original(text_id)
    kept.symlink_to(outside)
    with pytest.raises(NotFoundError, match="outside the collection's files folder"):
        service.original(text_id)


def test_text_documents_open_with_the_passage_marked_and_escaped(added):
    service, _, text_id = added
    chunk = passage_with(service, text_id, "school nurse")
    view = service.source(text_id, passage=chunk.id)
    assert (view.kind, view.span, view.has_original) == ("text", (chunk.start, chunk.end), True)
    html = document_html(view.document, view.span)
    assert html.count(f'<mark id="{PASSAGE_ANCHOR}">') == 1
    marked = html.split(f'<mark id="{PASSAGE_ANCHOR}">')[1].split("</mark>")[0]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in marked and "<script>" not in html
    assert "second paragraph" in html


def test_summaries_link_to_the_nspcc_page(added):
    service, _, _ = added
    summary = next(d for d in service.index().documents if d.kind == "summary")
    view = service.source(summary.id, start=0, end=10)
    assert (view.kind, view.link, view.has_original) == ("summary", NSPCC_CASE_REVIEWS_URL, False)
    assert NSPCC_CASE_REVIEWS_URL.startswith("https://learning.nspcc.org.uk/")


# --- REST ---------------------------------------------------------------------------------------------------

def test_rest_page_png_and_original(added):
    service, pdf_id, text_id = added
    client = TestClient(make_server_app(service.settings, service, with_ui=False), raise_server_exceptions=False)
    chunk = passage_with(service, pdf_id, "tangerine rowing boat")
    response = client.get(f"/api/documents/{pdf_id}/pages/2.png", params={"passage": chunk.id})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG") and response.headers["x-content-type-options"] == "nosniff"
    boxes = [tuple(int(v) for v in box.split(",")) for box in response.headers["x-highlight-boxes"].split()]
    assert boxes == list(service.page_image(pdf_id, 2, passage=chunk.id).boxes)
    assert response.headers["x-page-count"] == "3"
    by_offsets = client.get(f"/api/documents/{pdf_id}/pages/2.png", params={"start": chunk.start, "end": chunk.end})
    assert by_offsets.headers["x-highlight-boxes"] == response.headers["x-highlight-boxes"]

    for doc_id in (pdf_id, text_id):
        original = client.get(f"/api/documents/{doc_id}/original")
        assert original.status_code == 200 and original.content == service.original(doc_id).path.read_bytes()
        assert original.headers["content-disposition"].startswith("attachment; filename=")
        assert original.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/api/documents/{pdf_id}/original").headers["content-type"] == "application/pdf"
    assert client.get(f"/api/documents/{text_id}/original").headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("path, params, status, message", [
    ("/api/documents/{pdf}/pages/9.png", {}, 404, "has pages 1 to 3; there is no page 9"),
    ("/api/documents/{pdf}/pages/0.png", {}, 404, "there is no page 0"),
    ("/api/documents/{pdf}/pages/two.png", {}, 422, "whole number"),
    ("/api/documents/{pdf}/pages/1.png", {"passage": "{pdf}#999"}, 404, "has no passage"),
    ("/api/documents/{pdf}/pages/1.png", {"start": 3}, 400, "start and end"),
    ("/api/documents/{pdf}/pages/1.png", {"scale": 50}, 422, "scale"),
    ("/api/documents/{pdf}/pages/1.png", {"pasage": "x"}, 422, "Unknown parameter 'pasage'"),
    ("/api/documents/{text}/pages/1.png", {}, 404, "not a PDF"),
    ("/api/documents/nope/report/original", {}, 404, "no document with id 'nope/report'"),
    ("/api/documents/{summary}/original", {}, 404, "no kept original"),
    ("/api/documents/" + "x" * 400 + "/original", {}, 422, "too long"),
])
def test_rest_source_errors_are_one_line(added, path, params, status, message):
    service, pdf_id, text_id = added
    summary = next(d for d in service.index().documents if d.kind == "summary").id
    client = TestClient(make_server_app(service.settings, service, with_ui=False), raise_server_exceptions=False)
    fill = {"pdf": pdf_id, "text": text_id, "summary": summary}
    response = client.get(path.format(**fill), params={k: v.format(**fill) if isinstance(v, str) else v
                                                       for k, v in params.items()})
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and message in body["error"], body


def test_rest_source_needs_the_token_when_the_server_has_one(added):
    service, pdf_id, _ = added
    client = TestClient(make_server_app(service.settings, service, with_ui=False, token=TOKEN),
                        raise_server_exceptions=False)
    for path in (f"/api/documents/{pdf_id}/pages/1.png", f"/api/documents/{pdf_id}/original"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


# --- the app's source view (handlers; the browser test clicks through it) ----------------------------------

def test_app_source_view_opens_pages_texts_and_summaries(added, tmp_path):
    from qa.web.render import review_html
    from qa.web.source_view import open_source, request_of, turn_page

    service, pdf_id, text_id = added
    chunk = passage_with(service, pdf_id, "tangerine rowing boat")
    # The review view's citation carries the contract's data attributes.
    html = review_html(service.review(chunk.review_id), (pdf_id, chunk.start, chunk.end))
    assert (f"data-rq-action='source' data-document='{pdf_id}' data-page='2' data-start='{chunk.start}' "
            f"data-end='{chunk.end}'") in html
    folder = tmp_path / "exports"
    box, heading, image, previous, following, download, text, link, state = open_source(
        service, folder, {"rqAction": "source", "document": pdf_id, "page": "2", "passage": chunk.id})
    assert box["visible"] and "page 2 of 3" in heading and image["visible"] and not text["visible"]
    assert Path(image["value"]).read_bytes() == service.page_image(pdf_id, 2, start=chunk.start, end=chunk.end).png
    assert Path(download["value"]).read_bytes() == service.original(pdf_id).path.read_bytes()
    assert previous["interactive"] and following["interactive"] and state["page"] == 2
    # Previous and next stop at the first and last page.
    heading, image, previous, following, state = turn_page(service, folder, state, 1)
    assert state["page"] == 3 and "page 3 of 3" in heading and previous["interactive"] and not following["interactive"]
    assert turn_page(service, folder, state, 1)[-1]["page"] == 3
    state = turn_page(service, folder, turn_page(service, folder, state, -1)[-1], -1)[-1]
    assert state["page"] == 1 and not turn_page(service, folder, state, -1)[2]["interactive"]

    text_chunk = passage_with(service, text_id, "school nurse")
    outputs = open_source(service, folder, {"rqAction": "source", "document": text_id, "start": str(text_chunk.start),
                                            "end": str(text_chunk.end)})
    assert not outputs[2]["visible"] and outputs[6]["visible"] and 'id="rq-passage"' in outputs[6]["value"]
    assert outputs[5]["visible"] and Path(outputs[5]["value"]).name == service.original(text_id).filename

    summary = next(d for d in service.index().documents if d.kind == "summary")
    outputs = open_source(service, folder, {"rqAction": "source", "document": summary.id, "start": "0", "end": "20"})
    assert NSPCC_CASE_REVIEWS_URL in outputs[7]["value"] and outputs[7]["visible"] and not outputs[5]["visible"]

    source = {"rqAction": "source"}
    for bad in (None, {}, {"document": pdf_id}, {**source}, {**source, "document": "x" * 400},
                {**source, "document": pdf_id, "page": "2; drop"}, {**source, "document": pdf_id, "start": ["1"]},
                {"rqAction": "open", "document": pdf_id}):
        with pytest.raises(InvalidQueryError):
            request_of(bad)
    # An answer card's citation carries its passage id and its offsets: the id is used.
    asked = request_of({"rqAction": "source", "document": pdf_id, "page": "2", "passage": f"{pdf_id}#3",
                        "start": "10", "end": "90"})
    assert asked["passage"] == f"{pdf_id}#3" and asked["start"] is None and asked["end"] is None


def test_the_app_builds_with_the_source_view(added):
    from qa.web.ui import build_app

    service, _, _ = added
    demo = build_app(service.settings, service, service.reviews())
    ids = {block.elem_id for block in demo.blocks.values()}
    assert {"rq-source", "rq-source-page", "rq-source-previous", "rq-source-next", "rq-source-download",
            "rq-source-text"} <= ids
    review = next(block for block in demo.blocks.values() if block.elem_id == "rq-review")
    assert "data-rq-action" in review.js_on_load and "trigger('click'" in review.js_on_load
