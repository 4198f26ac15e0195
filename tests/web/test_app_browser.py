"""The app as a server: the `search` API through gradio_client, and a real browser (Playwright driving
Debian's Chromium) asking, filtering, opening a review and exporting. Screenshots: test-artifacts/."""

from pathlib import Path

import pytest

from qa.service import Service
from qa.web.ui import build_app, page_options
from testkit.documents import launch_chromium
from tests.helpers import ARTIFACTS, CHROMIUM, FakeEmbedder, free_port

pytestmark = pytest.mark.slow


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


def launch(settings, service, export_dir):
    port = free_port()
    # Exports go to the test's own folder: a test leaves nothing in the system temp dir.
    demo = build_app(settings, service, service.reviews(), export_dir=export_dir)
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **page_options())
    return demo, f"http://127.0.0.1:{port}/"


def titles(page) -> list[str]:
    return page.locator("#rq-answer .rq-title").all_inner_texts()


def ask(page, question: str) -> None:
    page.fill("#rq-question textarea", question)
    page.click("#rq-ask")
    wait_for_answer(page, question)


def wait_for_answer(page, question: str) -> None:
    page.wait_for_function(
        "(question) => (document.querySelector('#rq-answer .rq-answer-title')?.textContent || '').includes(question)"
        " && document.querySelector('#rq-answer .rq-count')", arg=question, timeout=120_000)


def download(page, button: str, link: str, target: Path) -> Path:
    """Press an export button, wait for its file's link (the first matching `link`) and save the file."""
    page.click(button)
    found = page.locator(link).first
    found.wait_for(timeout=60_000)
    with page.expect_download() as download_info:
        found.click()
    download_info.value.save_as(str(target))
    return target


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("(selector) => { const box = document.querySelector(selector).getBoundingClientRect();"
                         " return box.top >= 0 && box.bottom <= window.innerHeight; }", selector)


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make install does)")
def test_browser_ask_open_share_sort_page_filter_export(real_settings, real_service, tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    demo, url = launch(real_settings, real_service, tmp_path / "exports")
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(url)
            page.wait_for_selector("#rq-question textarea", timeout=60_000)
            assert page.get_by_text("NSPCC Helpline", exact=False).count() >= 1

            # Ask; the question carries a script that must show as text, never run. #1 is in view.
            question = "baby bruising missed by GP <script>alert('x')</script>"
            ask(page, question)
            assert page.locator("#rq-answer").get_by_text("<script>alert('x')</script>").count() >= 1
            assert page.locator("#rq-answer mark").count() >= 1
            assert in_viewport(page, "#rq-title-1"), "result #1 must be in view after a question"
            assert "q=baby+bruising" in page.url
            page.screenshot(path=str(ARTIFACTS / "01-answer.png"))

            # The character counter says how much of the limit is used.
            assert page.locator("#rq-counter-text").inner_text().startswith(f"{len(question)} of 1,000")

            # A title opens the review in place, at the cited passage.
            first = titles(page)[0]
            page.click("#rq-title-1 button")
            page.wait_for_selector("#rq-review mark", timeout=60_000)
            assert page.locator("#rq-review h3").first.inner_text() == first
            assert in_viewport(page, "#rq-review mark")
            page.screenshot(path=str(ARTIFACTS / "02-review.png"))
            page.click("#rq-back")

            # Sort by year and turn the page: the address follows; the next page continues the numbering.
            ask(page, "neglect")
            page.get_by_label("Newest first").check()
            page.wait_for_function("() => location.search.includes('sort=newest')", timeout=60_000)
            years = [int(meta.split(" ·")[0]) for meta in page.locator("#rq-answer .rq-meta").all_inner_texts()
                     if meta[:4].isdigit()]
            assert years == sorted(years, reverse=True) and years
            page.click("#rq-next")
            page.wait_for_function("() => location.search.includes('p=2')", timeout=60_000)
            page.wait_for_function("() => document.querySelector('#rq-answer .rq-count')?.textContent"
                                   ".includes('showing 11–20')", timeout=60_000)
            shared, shared_titles = page.url, titles(page)
            page.screenshot(path=str(ARTIFACTS / "03-sorted-page-2.png"))

            # A shared link, opened in another browser, shows the same answer; back returns to page 1.
            other = browser.new_page(viewport={"width": 1400, "height": 1000})
            other.goto(shared)
            other.wait_for_function("() => document.querySelector('#rq-answer .rq-count')?.textContent"
                                    ".includes('showing 11–20')", timeout=120_000)
            assert titles(other) == shared_titles
            other.close()
            page.go_back()
            page.wait_for_function("() => document.querySelector('#rq-answer .rq-count')?.textContent"
                                   ".includes('showing 1–10, newest first')", timeout=120_000)
            assert "p=2" not in page.url

            # Filter in the panel: years 2022 to 2022, then Apply; the lists count the answer.
            ask(page, "information sharing between agencies")
            for box in ("#rq-year-from", "#rq-year-to"):
                page.click(f"{box} input")
                page.locator("ul[role='listbox'] li", has_text="2022").first.click()
            page.click("#rq-apply")
            page.wait_for_function("() => location.search.includes('year_from=2022')", timeout=60_000)
            metas = page.locator("#rq-answer .rq-meta").all_inner_texts()
            assert metas and all(meta.startswith("2022 ·") for meta in metas)
            page.screenshot(path=str(ARTIFACTS / "04-filtered.png"))

            # A follow-up in words: the answer is the same question's, the conversation names the step.
            page.fill("#rq-question textarea", "what about 2021?")
            page.click("#rq-ask")
            page.wait_for_function("() => (document.querySelector(\"#rq-history [aria-current='true']\")?.textContent"
                                   " || '').includes('what about 2021?')", timeout=120_000)
            assert "Follow-up:" in page.locator("#rq-answer").inner_text()

            # Export the answer as CSV and download the file.
            page.locator("button[role='tab']", has_text="Export").click()
            saved = download(page, "#rq-export-csv", "#rq-export-file a", ARTIFACTS / "export.csv")
            content = saved.read_text(encoding="utf-8-sig")
            assert content.startswith("question,filters,turn,message,change,rank,title") and "2021" in content

            # What the reviews learned: the digest of the latest answer, exported as a Markdown briefing.
            page.locator("button[role='tab']", has_text="What these reviews learned").click()
            page.click("#rq-digest")
            page.wait_for_selector("#rq-digest-view .rq-chart", timeout=120_000)
            page.screenshot(path=str(ARTIFACTS / "05-digest.png"), full_page=True)
            briefing = download(page, "#rq-digest-md", "#rq-digest-file a", ARTIFACTS / "briefing.md")
            assert briefing.read_text(encoding="utf-8").startswith("# What the reviews say")

            # The collection overview.
            page.locator("button[role='tab']", has_text="The collection").click()
            page.wait_for_selector("#rq-overview .rq-table", timeout=60_000)
            assert "By nation" in page.locator("#rq-overview").inner_text()

            # A new conversation forgets the last one: "only 2021" is then a new question, not a refinement.
            page.click("#rq-new")
            page.wait_for_function("() => !document.querySelector('#rq-answer .rq-card')", timeout=30_000)
            ask(page, "only 2021")
            assert page.locator("#rq-answer").get_by_text("Follow-up:").count() == 0
            assert dialogs == []

            # At 400 px: the question box is usable and #1 is in view after a question.
            phone = browser.new_page(viewport={"width": 400, "height": 850})
            phone.goto(url)
            phone.wait_for_selector("#rq-question textarea", timeout=60_000)
            ask(phone, "co-sleeping and substance misuse")
            assert in_viewport(phone, "#rq-title-1"), "result #1 must be in view at 400 px"
            assert phone.locator("#rq-question textarea").bounding_box()["width"] > 250
            phone.screenshot(path=str(ARTIFACTS / "06-phone.png"))
            browser.close()
    finally:
        demo.close()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make install does)")
def test_browser_keep_three_passages_from_two_questions_and_export_them(built, tmp_path):
    import csv

    import openpyxl
    from playwright.sync_api import sync_playwright

    demo, url = launch(built, Service(built, embedder=FakeEmbedder()), tmp_path / "exports")
    kept: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.goto(url)
            page.wait_for_selector("#rq-question textarea", timeout=60_000)
            for question, count in (("information shared between agencies", 2), ("neglect", 1)):
                ask(page, question)
                page.get_by_label("Show weak matches").check()       # the fixture's fake embedder matches weakly
                page.wait_for_function("() => location.search.includes('weak=1')", timeout=60_000)
                for _ in range(count):
                    pressed = page.locator("#rq-answer .rq-keep[aria-pressed='true']").count()
                    button = page.locator("#rq-answer .rq-keep[aria-pressed='false']").first
                    kept.append(button.get_attribute("data-passage"))
                    button.click()
                    page.wait_for_function("(n) => document.querySelectorAll(\"#rq-answer .rq-keep[aria-pressed="
                                           "'true']\").length > n", arg=pressed, timeout=60_000)
            # The selection outlives the conversation, and an answer marks what is already kept.
            page.click("#rq-new")
            page.wait_for_function("() => !document.querySelector('#rq-answer .rq-card')", timeout=30_000)
            ask(page, "information shared between agencies")
            page.get_by_label("Show weak matches").check()
            page.wait_for_function("() => document.querySelectorAll(\"#rq-answer .rq-keep[aria-pressed='true']\")"
                                   ".length >= 2", timeout=60_000)
            page.locator("button[role='tab']", has_text="Selection and export").click()
            page.wait_for_selector("#rq-selection .rq-picked", timeout=60_000)
            assert page.locator("#rq-selection .rq-picked").count() == 3
            order = page.locator("#rq-selection .rq-keep[data-rq-action='unpick']").evaluate_all(
                "buttons => buttons.map(b => b.dataset.passage)")
            # A reload (or a closed tab) loses nothing: the browser keeps the selection, in its order,
            # and the exports below are made from the selection brought back.
            page.reload()
            page.wait_for_selector("#rq-question textarea", timeout=60_000)
            # The address replays the last answer, which marks the two passages kept from it.
            page.wait_for_function("() => document.querySelectorAll(\"#rq-answer .rq-keep[aria-pressed='true']\")"
                                   ".length >= 2", timeout=60_000)
            page.locator("button[role='tab']", has_text="Selection and export").click()
            page.wait_for_function("() => document.querySelectorAll('#rq-selection .rq-picked').length === 3",
                                   timeout=60_000)
            assert page.locator("#rq-selection .rq-keep[data-rq-action='unpick']").evaluate_all(
                "buttons => buttons.map(b => b.dataset.passage)") == order
            page.screenshot(path=str(ARTIFACTS / "07-selection.png"))
            files = {}
            for fmt, button in (("csv", "#rq-export-sel-csv"), ("xlsx", "#rq-export-sel-xlsx"),
                                ("md", "#rq-export-sel-md")):
                files[fmt] = download(page, button, f"#rq-export-file a[href$='.{fmt}']",
                                      tmp_path / f"selection.{fmt}")
            browser.close()
    finally:
        demo.close()
    with files["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert files["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(rows) == 3 and len({row["passage"] for row in rows}) == 3
    sheet = openpyxl.load_workbook(files["xlsx"]).active
    assert sheet.max_row == 4                                 # the header and the three passages
    note = files["md"].read_text(encoding="utf-8")
    assert note.count("> ") >= 3 and "characters" not in note and "**" in note


def test_browser_edit_form_keeps_typing_through_a_keep_click_and_refills_on_another_review(fixture_server):
    """The Edit details form is filled from the review opened; a Keep click in the answer does not wipe
    what is being typed; opening another review fills it from that one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(fixture_server)
        page.wait_for_selector("#rq-question textarea", timeout=60_000)
        ask(page, "neglect")
        page.get_by_label("Show weak matches").check()
        page.wait_for_function("() => document.querySelectorAll('#rq-answer .rq-card').length >= 2", timeout=60_000)
        first, second = titles(page)[:2]
        page.click("#rq-title-1 button")
        page.locator("#rq-edit-panel").get_by_text("Edit details of the opened review").click()
        title_box = page.locator("#rq-edit-title textarea, #rq-edit-title input").first
        page.wait_for_function("(t) => [...document.querySelectorAll('#rq-edit-title textarea, #rq-edit-title input')]"
                               ".some(e => e.value && t.includes(e.value))", arg=first, timeout=60_000)
        title_box.fill("A title being typed")
        page.click("#rq-back")
        page.locator("#rq-answer .rq-keep[aria-pressed='false']").first.click()
        page.wait_for_function("() => document.querySelector(\"#rq-answer .rq-keep[aria-pressed='true']\")",
                               timeout=60_000)
        page.wait_for_timeout(1500)              # any refill would have arrived with the Keep's answer
        page.click("#rq-tab-review-button")
        assert title_box.input_value() == "A title being typed"
        page.click("#rq-back")
        page.click("#rq-title-2 button")
        page.wait_for_function("(t) => [...document.querySelectorAll('#rq-edit-title textarea, #rq-edit-title input')]"
                               ".some(e => e.value && t.includes(e.value))", arg=second, timeout=60_000)
        browser.close()
