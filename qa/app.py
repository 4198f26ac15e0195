"""The Gradio web app. `build_app` makes the Blocks; nothing heavy happens at import time, and the
index and model load in a background thread so the page is up before they are."""

from __future__ import annotations

import html
import threading
from typing import Callable

from .errors import ReviewQAError
from .settings import Settings

SOURCE_CREDIT = (
    "Review summaries: NSPCC Learning, “Recently published case reviews” (national case review repository), "
    "written by the NSPCC and the reviewing safeguarding partnerships. reviewqa quotes them verbatim."
)


class LazySearcher:
    """Opens the Searcher once, in the background, and hands it to every request."""

    def __init__(self, open_searcher: Callable[[], object]):
        self._open = open_searcher
        self._ready = threading.Event()
        self._searcher = None
        self._error: Exception | None = None
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="reviewqa-load", daemon=True).start()

    def _load(self) -> None:
        try:
            self._searcher = self._open()
        except Exception as error:  # noqa: BLE001 - reported to every request, not raised in a thread
            self._error = error
        finally:
            self._ready.set()

    def get(self, timeout: float = 300.0):
        self.start()
        if not self._ready.wait(timeout):
            raise ReviewQAError("The search index is still loading; try again in a few seconds.")
        if self._error is not None:
            if isinstance(self._error, ReviewQAError):
                raise self._error
            raise ReviewQAError(f"The search index could not be loaded ({self._error}); run `reviewqa build --force`.")
        return self._searcher


def render_results(records: list[dict], query: str) -> str:
    """Results as HTML. Every piece of review or user text goes through html.escape."""
    if not records:
        return f"<p>No passages matched “{html.escape(query)}”. Try other words or fewer filters.</p>"
    parts = [f"<p class='rq-summary'>{len(records)} passages for “{html.escape(query)}”</p>"]
    for rank, record in enumerate(records, 1):
        parts.append(
            "<div class='rq-card'>"
            f"<div class='rq-title'>{rank}. {html.escape(record['title'])} "
            f"<span class='rq-meta'>{html.escape(record['nation'])} · score {record['score']:.3f}</span></div>"
            f"<div class='rq-section'>{html.escape(record['section_label'])}</div>"
            f"<blockquote>{html.escape(record['passage'])}</blockquote>"
            "</div>"
        )
    return "\n".join(parts)


def build_app(settings: Settings, searcher: LazySearcher):
    import gradio as gr

    def answer(question: str) -> str:
        try:
            response = searcher.get().search(question)
            return render_results(response.to_records(), response.query)
        except ReviewQAError as error:
            return f"<p class='rq-error'>{html.escape(str(error))}</p>"

    def api_search(question: str, k: float = 10) -> dict:
        try:
            response = searcher.get().search(question, k=int(k))
        except ReviewQAError as error:
            return {"query": question, "results": [], "error": str(error)}
        return {"query": response.query, "results": response.to_records()}

    with gr.Blocks(title="reviewqa — search case reviews") as demo:
        gr.Markdown("# reviewqa\nSearch child safeguarding case reviews. Every answer is a review's own words, cited.")
        question = gr.Textbox(label="Question", placeholder="e.g. baby bruising missed by GP")
        ask = gr.Button("Search", variant="primary")
        results = gr.HTML()
        gr.Markdown(SOURCE_CREDIT)
        ask.click(answer, question, results, api_visibility="private")
        question.submit(answer, question, results, api_visibility="private")
        k_box = gr.Number(value=10, visible=False)
        api_out = gr.JSON(visible=False)
        gr.Button(visible=False).click(api_search, [question, k_box], api_out, api_name="search")
    demo.queue(default_concurrency_limit=2)
    return demo


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, build: bool = True) -> None:
    from .embedding import load_embedder
    from .index import build_index, staleness
    from .search import Searcher

    if staleness(settings) is not None:
        if not build:
            from .index import load_index

            load_index(settings)  # raises the clear "run reviewqa build" error
        embedder = load_embedder(settings)
        report = build_index(settings, embedder)
        print(f"Built the index: {report.reviews} reviews, {report.chunks} passages in {report.seconds:.1f} s")
        lazy = LazySearcher(lambda: Searcher.open(settings, embedder))
    else:
        lazy = LazySearcher(lambda: Searcher.open(settings))
    lazy.start()
    demo = build_app(settings, lazy)
    print(f"reviewqa is running at http://{host}:{port} (Ctrl+C to stop)")
    demo.launch(server_name=host, server_port=port, show_error=False, footer_links=["api"])
