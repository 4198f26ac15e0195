"""The source at the cited page, on report PDFs printed by Chromium (testkit/documents.py): the
highlight lies where pypdfium2's own search finds the passage's words, and in a real browser a click
on a citation in the review view shows the page. Slow: Chromium prints the PDF and drives the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.service import Service
from qa.source import DEFAULT_SCALE
from qa.web.ui import build_app, page_options
from testkit import documents
from tests.helpers import ARTIFACTS, CHROMIUM, FakeEmbedder, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def added_report(built, report_pdf):
    service = Service(built, embedder=FakeEmbedder())
    [result] = service.add([report_pdf]).files
    assert result.status == "added", result.message
    return service, result.document_id


def searched_rects(path: Path, page_number: int, phrase: str) -> list[tuple[float, float, float, float]]:
    """Where pypdfium2's own search finds `phrase` on the page, in page pixels (left, top, right, bottom)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        page = pdf[page_number - 1]
        height = page.get_height()
        textpage = page.get_textpage()
        searcher = textpage.search(phrase, match_case=False)
        found = []
        while (hit := searcher.get_next()) is not None:
            first, count = hit
            for i in range(textpage.count_rects(first, count)):
                left, bottom, right, top = textpage.get_rect(i)
                found.append((left * DEFAULT_SCALE, (height - top) * DEFAULT_SCALE, right * DEFAULT_SCALE,
                              (height - bottom) * DEFAULT_SCALE))
        return found
    finally:
        pdf.close()


def test_the_highlight_lies_on_the_passage_words_of_a_printed_report(added_report, report_pdf):
    service, document_id = added_report
    index = service.index()
    document = index.documents_by_id[document_id]
    row = index.documents.index(document)
    chunks = [index.chunk(r) for r in range(len(index.chunk_table)) if int(index.chunk_document[r]) == row]
    checked = 0
    for chunk in chunks:
        # The marker sentence is written once in the report: its words are a phrase found only here.
        if documents.MARKER_PAGE_2[:40] not in chunk.text:
            continue
        image = service.page_image(document_id, 2, passage=chunk.id)
        assert image.boxes
        rects = searched_rects(report_pdf, 2, "borrowed room above the Northbridge library")
        assert rects
        for left, top, right, bottom in rects:
            middle = ((left + right) / 2, (top + bottom) / 2)
            inside = [b for b in image.boxes if b[0] <= middle[0] <= b[2] and b[1] <= middle[1] <= b[3]]
            assert inside, (rects, image.boxes)
        checked += 1
    assert checked == 1
    # Every passage that starts on a page gets a highlight there, on lines inside the page.
    for chunk in chunks[::3]:
        page = document.page_at(chunk.start)
        image = service.page_image(document_id, page.number, passage=chunk.id)
        assert image.boxes, chunk.id
        assert all(0 <= b[0] < b[2] <= image.width and 0 <= b[1] < b[3] <= image.height for b in image.boxes)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make install does)")
def test_browser_opens_a_citation_at_its_page(added_report, tmp_path):
    from playwright.sync_api import sync_playwright

    from testkit.documents import launch_chromium

    service, document_id = added_report
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    demo = build_app(service.settings, service, service.reviews(), export_dir=tmp_path / "exports")
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **page_options())
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#rq-question textarea", timeout=60_000)
            page.fill("#rq-question textarea", "borrowed room above the Northbridge library")
            page.click("#rq-ask")
            # A citation in the answer's card of the report opens the Source tab at its page.
            link = page.locator(f"#rq-answer .rq-cite[data-document='{document_id}']").first
            link.wait_for(timeout=120_000)
            cited_page = link.get_attribute("data-page")
            assert cited_page
            link.click()
            # Gradio's image loads lazily: brought into view, it loads.
            page.wait_for_selector("#rq-source-page img", state="attached", timeout=60_000)
            page.locator("#rq-source-page").scroll_into_view_if_needed()
            page.wait_for_function("() => { const img = document.querySelector('#rq-source-page img');"
                                   " return img && img.complete && img.naturalWidth > 0; }", timeout=60_000)
            width, height = page.evaluate("() => { const img = document.querySelector('#rq-source-page img');"
                                          " return [img.naturalWidth, img.naturalHeight]; }")
            assert (width, height) == (893, 1263)
            heading = page.locator("#rq-source-heading").inner_text()
            assert f"page {cited_page} of" in heading
            page.screenshot(path=str(ARTIFACTS / "06-source-page.png"), full_page=True)
            # The next page, and the original to download.
            page.click("#rq-source-next")
            page.wait_for_function("() => document.querySelector('#rq-source-heading').innerText.includes('page "
                                   f"{int(cited_page) + 1} of')", timeout=60_000)
            assert page.locator("#rq-source-download").is_visible()
            browser.close()
    finally:
        demo.close()
