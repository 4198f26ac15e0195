"""Print app speed figures: start -> page served, start -> first answered question (through the
REST API, /api/search), warm API answers, and a warm answer rendered in a real browser (if Chromium
exists).

    .venv/bin/python -m bench.app_startup [--port 7870] [--root FOLDER]

With --root, the app serves that data folder, whose index must already be built (`reviewqa --root
FOLDER build`). Without it, the shipped collection is copied into a temporary folder and its index
built there first (about a minute; not counted), so the user's data folder is never touched.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REVIEWQA = Path(sys.executable).parent / "reviewqa"
QUESTIONS = ["baby bruising missed by GP", "co-sleeping and substance misuse", "teenager groomed to sell drugs",
             "examples of disguised compliance in neglect cases", "2022 reviews about knife crime in London",
             "mum kept making out her child was ill", "neglect and home education", "suicide of a child in care"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.app_startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=7870)
    parser.add_argument("--root", type=Path, help="a data folder with a built index (default: a temporary copy of "
                        "the shipped collection, built first)")
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if args.root:
        run(args, args.root, env)
        return
    with tempfile.TemporaryDirectory(prefix="reviewqa-bench-app-") as folder:
        from qa.settings import SHIPPED_COLLECTION

        root = Path(folder)
        (root / "corpus").mkdir()
        shutil.copyfile(SHIPPED_COLLECTION, root / "corpus" / "reviews.jsonl")
        started = time.perf_counter()
        subprocess.run([str(REVIEWQA), "--root", str(root), "build", "--quiet"], check=True, cwd=ROOT, env=env,
                       stdout=subprocess.DEVNULL)
        print(f"(index built in a temporary folder in {time.perf_counter() - started:.0f} s; not counted)")
        run(args, root, env)


def run(args, root: Path, env: dict) -> None:
    url = f"http://127.0.0.1:{args.port}/"
    started = time.perf_counter()
    server = subprocess.Popen([str(REVIEWQA), "--root", str(root), "serve", "--port", str(args.port),
                               "--no-build"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                if time.perf_counter() - started > 180 or server.poll() is not None:
                    raise SystemExit("the app did not start") from None
                time.sleep(0.1)
        page_ready = time.perf_counter() - started
        import httpx

        client = httpx.Client(base_url=url, timeout=120)
        while client.get("/api/search", params={"q": QUESTIONS[0]}).status_code == 503:
            time.sleep(0.05)       # the model and index are still loading in the background
        first_answer = time.perf_counter() - started
        print(f"start -> page served: {page_ready:.1f} s")
        print(f"start -> first answered question (API): {first_answer:.1f} s")
        warm = []
        for question in QUESTIONS * 3:
            began = time.perf_counter()
            client.get("/api/search", params={"q": question}).raise_for_status()
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
        for question in QUESTIONS:
            page.fill("#rq-question textarea", question)
            began = time.perf_counter()
            page.click("#rq-ask")
            # The answer is in when its heading names this question and its count line is drawn.
            page.wait_for_function(
                "(question) => (document.querySelector('#rq-answer .rq-answer-title')?.textContent || '')"
                ".includes(question) && document.querySelector('#rq-answer .rq-count')",
                arg=question, timeout=60_000)
            timings.append((time.perf_counter() - began) * 1000)
        browser.close()
    return (f"browser: page interactive {loaded:.0f} ms; question -> answer rendered, over {len(timings)} "
            f"questions: median {statistics.median(timings[1:]):.0f} ms (first {timings[0]:.0f} ms)")


if __name__ == "__main__":
    main()
