"""The "Add documents" panel in a real browser (Playwright driving Debian's Chromium): upload a Word
report, see what was added and guessed, then ask a question and get a passage from it. Screenshots go
to test-artifacts/."""

from pathlib import Path

import pytest

from qa.collection import load_collection
from qa.service import Service
from qa.web.ui import build_app, page_options
from testkit.documents import launch_chromium
from tests.helpers import ARTIFACTS, CHROMIUM, FakeEmbedder, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]

MARKER = "The marmalade cat was rehomed by the fostering panel after the second strategy meeting."


def make_upload(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Child Safeguarding Practice Review: Child W", level=0)
    document.add_paragraph("Northbridge Safeguarding Children Partnership")
    document.add_paragraph("Published: 9 October 2023")
    document.add_heading("1. Findings", level=1)
    document.add_paragraph(MARKER)
    document.add_paragraph("The school nurse was not told that the family had moved to temporary accommodation.")
    document.save(str(path))


def test_upload_a_report_and_find_a_passage_from_it(built, tmp_path):
    from playwright.sync_api import sync_playwright

    upload = tmp_path / "Child W review <final>.docx"
    make_upload(upload)
    service = Service(built, embedder=FakeEmbedder())
    demo = build_app(built, service, service.reviews(), export_dir=tmp_path / "exports")
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **page_options(),
                max_file_size=built.parse_limits.max_file_bytes)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#rq-question textarea", timeout=60_000)

            page.get_by_text("Add documents").first.click()
            page.locator("#rq-upload input[type=file]").set_input_files(str(upload))
            # The upload has finished when the component lists the file.
            page.locator("#rq-upload").get_by_text("Child W review", exact=False).first.wait_for(timeout=60_000)
            page.click("#rq-add")
            status = page.locator("#rq-add-status")
            status.get_by_text("added", exact=False).first.wait_for(timeout=120_000)
            text = status.inner_text()
            # Gradio drops the angle brackets from the uploaded file's name; the rest is kept.
            assert "Child W review final.docx: added as" in text, text
            assert "started a new review" in text and "Guessed from the first page" in text
            assert "Northbridge" in text and "2023" in text
            page.screenshot(path=str(ARTIFACTS / "05-added.png"), full_page=True)

            page.fill("#rq-question textarea", "marmalade cat rehomed by the fostering panel")
            page.click("#rq-ask")
            card = page.locator("#rq-answer .rq-card", has_text="marmalade cat")
            card.first.wait_for(timeout=120_000)
            assert "Overview report" in card.first.inner_text()
            page.screenshot(path=str(ARTIFACTS / "06-found-added.png"))
            assert dialogs == []
            browser.close()
    finally:
        demo.close()
    added = [d for d in load_collection(built.corpus_path).documents if d.file]
    assert len(added) == 1 and MARKER in added[0].text
    stored = built.root / added[0].file
    assert stored.exists() and stored.name == "Child_W_review_final.docx"
