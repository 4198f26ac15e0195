"""The app as a server: the `search` API through gradio_client, and a real browser (Playwright driving
Debian's Chromium) asking, filtering, opening a review and exporting. Screenshots: test-artifacts/."""

import shutil
import socket
from pathlib import Path

import pytest

from qa.service import Service
from qa.web.render import CSS
from qa.web.ui import build_app
from testkit.documents import launch_chromium
from tests.helpers import ROOT, FakeEmbedder

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(settings, service, export_dir):
    port = free_port()
    # Exports go to the test's own folder: a test leaves nothing in the system temp dir.
    demo = build_app(settings, service, service.reviews(), export_dir=export_dir)
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, css=CSS)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture
def fixture_server(built, tmp_path):
    demo, url = launch(built, Service(built, embedder=FakeEmbedder()), tmp_path / "exports")
    yield url
    demo.close()


def test_server_listens_on_loopback_and_serves_no_project_files(fixture_server):
    import urllib.error
    import urllib.request

    assert fixture_server.startswith("http://127.0.0.1:")
    for path in ("file=README.md", "file=/etc/passwd", "gradio_api/file=/etc/passwd", "gradio_api/file=README.md"):
        try:
            with urllib.request.urlopen(fixture_server + path, timeout=10) as response:
                body = response.read()
            assert b"root:" not in body and b"reviewqa" not in body[:200]
        except urllib.error.HTTPError as error:
            assert error.code in (403, 404)


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make install does)")
def test_browser_ask_filter_open_export(real_settings, real_service, tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    demo, url = launch(real_settings, real_service, tmp_path / "exports")
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(url)
            page.wait_for_selector("#rq-question textarea", timeout=60_000)
            assert page.get_by_text("NSPCC Helpline", exact=False).count() >= 1

            # Ask; the question carries a script that must show as text, never run.
            page.fill("#rq-question textarea", "baby bruising missed by GP <script>alert('x')</script>")
            page.click("#rq-ask")
            page.wait_for_selector("#rq-chat .rq-card", timeout=120_000)
            assert page.locator("#rq-chat").get_by_text("<script>alert('x')</script>").count() >= 1
            assert page.locator("#rq-chat mark").count() >= 1
            page.screenshot(path=str(ARTIFACTS / "01-answer.png"))

            # Filter in the panel: years 2022 to 2022, then Apply.
            for box in ("#rq-year-from", "#rq-year-to"):
                page.click(f"{box} input")
                page.locator("ul[role='listbox'] li", has_text="2022").first.click()
            page.click("#rq-apply")
            page.wait_for_function(
                "() => [...document.querySelectorAll('#rq-chat .rq-note')].some(n => n.textContent.includes('2022'))",
                timeout=60_000)
            metas = page.locator("#rq-chat .message-row").last.locator(".rq-meta").all_inner_texts()
            assert metas and all(meta.startswith("2022 ·") for meta in metas)
            page.screenshot(path=str(ARTIFACTS / "02-filtered.png"))

            # A follow-up in words.
            page.fill("#rq-question textarea", "what about 2021?")
            page.click("#rq-ask")
            page.wait_for_function(
                "() => [...document.querySelectorAll('#rq-chat .rq-note')].some(n => n.textContent.includes('2021'))",
                timeout=60_000)

            # Open the first result.
            page.click("#rq-pick input")
            page.locator("ul[role='listbox'] li").first.click()
            page.click("#rq-open")
            page.wait_for_selector("#rq-review mark", timeout=60_000)
            page.locator("#rq-review").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "03-review.png"), full_page=True)

            # Export the results as CSV and download the file.
            page.click("#rq-export-csv")
            link = page.locator("#rq-export-file a").first
            link.wait_for(timeout=60_000)
            with page.expect_download() as download_info:
                link.click()
            saved = ARTIFACTS / "export.csv"
            download_info.value.save_as(str(saved))
            content = saved.read_text(encoding="utf-8-sig")
            assert content.startswith("question,filters,rank,title") and "2021" in content
            page.screenshot(path=str(ARTIFACTS / "04-export.png"))

            # What the reviews learned: the digest of the latest answer, exported as a Markdown briefing.
            page.click("#rq-digest")
            page.wait_for_selector("#rq-digest-view .rq-chart", timeout=120_000)
            page.locator("#rq-digest-view").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "05-digest.png"), full_page=True)
            page.click("#rq-digest-md")
            link = page.locator("#rq-digest-file a").first
            link.wait_for(timeout=60_000)
            with page.expect_download() as download_info:
                link.click()
            briefing = ARTIFACTS / "briefing.md"
            download_info.value.save_as(str(briefing))
            assert briefing.read_text(encoding="utf-8").startswith("# What the reviews say")

            # The chat's bin forgets the conversation: "only 2021" is then a new question, not a refinement.
            page.locator("#rq-chat button[aria-label='Clear']").first.click()
            page.wait_for_function("() => !document.querySelector('#rq-chat .rq-card')", timeout=30_000)
            page.fill("#rq-question textarea", "only 2021")
            page.click("#rq-ask")
            page.wait_for_selector("#rq-chat .message-row", timeout=60_000)
            page.wait_for_timeout(2000)
            assert page.locator("#rq-chat").get_by_text("Follow-up:").count() == 0
            assert dialogs == []
            browser.close()
    finally:
        demo.close()
