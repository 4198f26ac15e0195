"""WCAG 2.1 AA checks of the app's main views with axe-core, at a desktop and a phone width.

axe-core is the npm package; the test takes the copy that the PyPI package axe-playwright-python ships
(so `make install` needs no npm) and injects it into the page with Playwright."""

from pathlib import Path

import pytest

from qa.service import Service
from testkit.documents import launch_chromium
from tests.helpers import FakeEmbedder
from tests.web.test_app_browser import CHROMIUM, launch

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page, script: str) -> list[str]:
    # Gradio fades a view while an event that updates it is still running; check the settled page.
    page.wait_for_timeout(1500)
    page.add_script_tag(content=script)
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width, height", [(1400, 1000), (400, 850)])
def test_main_views_have_no_serious_accessibility_violations(built, tmp_path, width, height):
    from playwright.sync_api import sync_playwright

    script = axe_source()
    demo, url = launch(built, Service(built, embedder=FakeEmbedder()), tmp_path / "exports")
    found: dict[str, list[str]] = {}
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url + "?q=information+shared+between+agencies")
            page.wait_for_selector("#rq-answer .rq-count", timeout=60_000)
            found["answer"] = serious_violations(page, script)
            page.click("#rq-answer .rq-title")
            page.wait_for_selector("#rq-review h3", timeout=60_000)
            found["review"] = serious_violations(page, script)
            page.locator("button[role='tab']", has_text="The collection").click() if width > 800 else None
            if width > 800:
                page.wait_for_selector("#rq-overview .rq-table", timeout=60_000)
                found["overview"] = serious_violations(page, script)
            page.goto(url)
            page.wait_for_selector("#rq-question textarea", timeout=60_000)
            found["start"] = serious_violations(page, script)
            browser.close()
    finally:
        demo.close()
    assert not any(found.values()), found


def test_the_answer_is_reached_by_keyboard(built, tmp_path):
    """Tab from the question box reaches the tabs, then result #1's title, its citation and Keep, in
    reading order; Enter on the title opens the review."""
    from playwright.sync_api import sync_playwright

    demo, url = launch(built, Service(built, embedder=FakeEmbedder()), tmp_path / "exports")
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "?q=information+shared+between+agencies&weak=1")
            page.wait_for_selector("#rq-answer .rq-title", timeout=60_000)
            page.focus("#rq-question textarea")
            reached = []
            for _ in range(30):
                page.keyboard.press("Tab")
                reached.append(page.evaluate("() => document.activeElement.className.toString()"
                                             " + '|' + document.activeElement.id"))
                if reached[-1].startswith("rq-keep"):
                    break
            order = [entry for entry in reached if entry.split("|")[0] in ("rq-title", "rq-cite", "rq-keep")]
            assert [entry.split("|")[0] for entry in order] == ["rq-title", "rq-cite", "rq-keep"], reached
            assert any(entry.endswith("|rq-ask") for entry in reached)
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Enter")
            page.wait_for_selector("#rq-review mark, #rq-review h3", timeout=60_000)
            browser.close()
    finally:
        demo.close()


def test_tab_out_of_a_multi_select_list_keeps_the_keyboards_place(built, tmp_path):
    """Gradio's multi-select lists drop focus to the page when Tab leaves them; the page script moves it
    on to the next control (places -> keywords -> age group), and Shift+Tab back."""
    from playwright.sync_api import sync_playwright

    demo, url = launch(built, Service(built, embedder=FakeEmbedder()), tmp_path / "exports")
    where = ("() => { const e = document.activeElement; return e === document.body ? 'body'"
             " : (e.closest('[id^=\"rq-\"]') || {id: e.tagName}).id; }")
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector("#rq-places input", timeout=60_000)
            page.focus("#rq-places input")
            visited = []
            for key in ("Tab", "Tab", "Shift+Tab", "Shift+Tab"):
                page.keyboard.press(key)
                page.wait_for_timeout(400)
                visited.append(page.evaluate(where))
            assert visited == ["rq-keywords", "rq-age", "rq-keywords", "rq-places"], visited
            browser.close()
    finally:
        demo.close()
