"""Print app speed figures: start -> page served, start -> first answered question (through the
`search` API), warm API answers, and a warm answer rendered in a real browser (if Chromium exists).

    .venv/bin/python bench/app_startup.py [--port 7870]

The index must already be built (`reviewqa build`); figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["baby bruising missed by GP", "co-sleeping and substance misuse", "teenager groomed to sell drugs",
             "examples of disguised compliance in neglect cases", "2022 reviews about knife crime in London",
             "mum kept making out her child was ill", "neglect and home education", "suicide of a child in care"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=7870)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}/"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    server = subprocess.Popen([str(Path(sys.executable).parent / "reviewqa"), "serve", "--port", str(args.port),
                               "--no-build"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                if time.perf_counter() - started > 180 or server.poll() is not None:
                    raise SystemExit("the app did not start")
                time.sleep(0.1)
        page_ready = time.perf_counter() - started
        from gradio_client import Client

        client = Client(url, verbose=False)
        client.predict(QUESTIONS[0], api_name="/search")
        first_answer = time.perf_counter() - started
        print(f"start -> page served: {page_ready:.1f} s")
        print(f"start -> first answered question (API): {first_answer:.1f} s")
        warm = []
        for question in QUESTIONS * 3:
            began = time.perf_counter()
            client.predict(question, api_name="/search")
            warm.append((time.perf_counter() - began) * 1000)
        print(f"warm API answer over {len(warm)} questions: median {statistics.median(warm):.0f} ms, "
              f"max {max(warm):.0f} ms")
        chromium = shutil.which("chromium")
        if chromium:
            print(browser_render_ms(url, chromium))
    finally:
        server.terminate()
        server.wait(timeout=30)


def browser_render_ms(url: str, chromium: str) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        began = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("#rq-question textarea")
        loaded = (time.perf_counter() - began) * 1000
        timings = []
        for number, question in enumerate(QUESTIONS, 1):
            page.fill("#rq-question textarea", question)
            began = time.perf_counter()
            page.click("#rq-ask")
            page.wait_for_function(
                f"() => document.querySelectorAll('#rq-chat .message-row').length >= {2 * number} && "
                f"[...document.querySelectorAll('#rq-chat .message-row')].pop().querySelector('.rq-card, .rq-line')",
                timeout=60_000)
            timings.append((time.perf_counter() - began) * 1000)
        browser.close()
    return (f"browser: page interactive {loaded:.0f} ms; question -> answer rendered, over {len(timings)} "
            f"questions: median {statistics.median(timings[1:]):.0f} ms (first {timings[0]:.0f} ms)")


if __name__ == "__main__":
    main()
