"""The Gradio web app: a chat of cited answers, filters beside it, follow-ups, a review view, exports
and a `search` API. `build_app` makes the Blocks; nothing heavy happens at import time, and the index
and model load in a background thread so the page is up before they are.

The handlers are plain functions over a conversation (a list of turn dicts), so they are tested
without a browser; the Gradio wiring at the bottom only moves values in and out of components.
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .errors import ReviewQAError
from .export import to_csv, to_markdown
from .filters import AGE_GROUPS, Filters, age_label
from .followup import interpret
from .render import CSS, answer_html, error_html, review_html
from .settings import Settings

log = logging.getLogger("reviewqa.app")

SOURCE_CREDIT = (
    "Review summaries: NSPCC Learning, *Recently published case reviews* (national case review repository), "
    "written by the NSPCC and the reviewing safeguarding partnerships; reviewqa quotes them word for word. "
    "Read the full report before relying on a summary. Concerned about a child? NSPCC Helpline 0808 800 5000."
)
ANY = "any"
MORE_STEP = 10


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


# --- filters between the panel and Filters -------------------------------------------------------

def place_choices(reviews) -> list[str]:
    nations = sorted({r.nation for r in reviews} - {"England", "unknown"})
    regions = sorted({r.region for r in reviews if r.nation == "England" and not r.region.startswith("England")})
    areas = sorted({r.area for r in reviews if r.area != "Anonymous"})
    return ([f"Nation: England"] + [f"Nation: {n}" for n in nations] + [f"Region: {r}" for r in regions]
            + [f"Area: {a}" for a in areas])


def panel_to_filters(year_from, year_to, places, keywords, age) -> Filters:
    nations, regions, areas = [], [], []
    for place in places or []:
        kind, _, name = place.partition(": ")
        {"Nation": nations, "Region": regions, "Area": areas}.get(kind, areas).append(name)
    age_min, age_max = _age_range(age)
    return Filters(
        year_from=None if year_from in (None, "", ANY) else int(year_from),
        year_to=None if year_to in (None, "", ANY) else int(year_to),
        nations=tuple(nations), regions=tuple(regions), areas=tuple(areas), keywords=tuple(keywords or ()),
        age_min=age_min, age_max=age_max,
    )


def _age_range(label) -> tuple[float | None, float | None]:
    if label in (None, "", ANY):
        return None, None
    if label in AGE_GROUPS:
        return AGE_GROUPS[label]
    # "children aged 16–17" (understood from a question)
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", str(label))]
    return (numbers[0], numbers[1] + 0.99) if len(numbers) == 2 else (None, None)


def filters_to_panel(filters: Filters) -> dict:
    places = ([f"Nation: {n}" for n in filters.nations] + [f"Region: {r}" for r in filters.regions]
              + [f"Area: {a}" for a in filters.areas])
    age = ANY
    if filters.age_min is not None or filters.age_max is not None:
        age = next((label for label, span in AGE_GROUPS.items() if span == (filters.age_min, filters.age_max)),
                   age_label(filters.age_min, filters.age_max))
    return {
        "year_from": ANY if filters.year_from is None else str(filters.year_from),
        "year_to": ANY if filters.year_to is None else str(filters.year_to),
        "places": places, "keywords": list(filters.keywords), "age": age,
    }


# --- one chat turn ---------------------------------------------------------------------------------

def chat_turn(searcher, message: str, conversation: list[dict], panel: Filters, use_understanding: bool = True,
              k: int = 10) -> dict:
    """Answer one chat message: a follow-up refines the previous turn, anything else is a new search.
    Raises ReviewQAError for input that cannot be searched."""
    previous = conversation[-1] if conversation else None
    reviews = list(searcher.index.reviews.values())
    follow = interpret(message, previous, reviews)
    if follow.kind == "new":
        base = _without_stale_understanding(panel, previous)
        response = searcher.search(message, base, k=k, use_understanding=use_understanding)
        return _turn(message, message, response, k, "new", "", use_understanding)
    question = previous["question"]
    if follow.kind == "more_like":
        results = previous.get("results", [])
        rank = len(results) if follow.more_like_rank == -1 else follow.more_like_rank
        if not 1 <= rank <= len(results):
            raise ReviewQAError(f"There is no result {rank} in the previous answer; it has {len(results)}.")
        source = results[rank - 1]
        response = searcher.more_like(source["review_id"], follow.filters, k=previous.get("k", k))
        return _turn(message, response.query, response, previous.get("k", k), "more_like",
                     f"{follow.change} (“{source['title']}”)", False, more_like=source["review_id"])
    more = previous.get("k", k) + (MORE_STEP if follow.kind == "more" else 0)
    return rerun(searcher, previous, follow.filters, more, message, follow.kind, follow.change)


def rerun(searcher, previous: dict, filters: Filters, k: int, message: str, kind: str, change: str) -> dict:
    """The previous turn's search again (a question, or "more like" a review) with other filters or k."""
    if previous.get("more_like"):
        response = searcher.more_like(previous["more_like"], filters, k=k)
    else:
        response = searcher.search(previous["question"], filters, k=k, use_understanding=False)
    return _turn(message, previous["question"], response, k, kind, change, False, more_like=previous.get("more_like"))


def _without_stale_understanding(panel: Filters, previous: dict | None) -> Filters:
    """Filters understood from the previous question belong to it: a new question drops them unless
    the user has changed them in the panel since."""
    if not previous or not previous.get("understood"):
        return panel
    understood = Filters.from_json(previous["understood"])
    applied = Filters.from_json(previous.get("filters"))
    names = [name for name, value in understood.to_json().items() if value not in (None, [])]
    if all(getattr(panel, name) == getattr(applied, name) for name in names):
        return panel.without(*names)
    return panel


def _turn(message, question, response, k, kind, change, use_understanding, more_like=None) -> dict:
    return {
        "message": message, "question": question, "kind": kind, "change": change, "k": k,
        "filters": response.filters.to_json(), "filters_text": response.filters.describe(),
        "understood": response.understood.filters.to_json() if use_understanding else {},
        "notes": list(response.understood.notes) if use_understanding else [],
        "literal": not use_understanding, "matched": response.matched, "more_like": more_like,
        "results": response.to_records(),
    }


def chat_messages(conversation: list[dict], error: tuple[str, str] | None = None) -> list[dict]:
    messages = []
    for turn in conversation:
        messages.append({"role": "user", "content": html.escape(turn["message"])})
        messages.append({"role": "assistant", "content": answer_html(turn)})
    if error:
        messages.append({"role": "user", "content": html.escape(error[0])})
        messages.append({"role": "assistant", "content": error_html(error[1])})
    return messages


def review_choices(turn: dict | None) -> list[tuple[str, str]]:
    if not turn:
        return []
    return [(f"{rank}. {record['title']}", f"{record['review_id']}|{record['start']}|{record['end']}")
            for rank, record in enumerate(turn.get("results", []), 1) if not record.get("weak_match")]


def open_review(searcher, choice: str) -> tuple[str, str]:
    """(review HTML with the cited passage highlighted, review id)."""
    review_id, _, span = (choice or "").partition("|")
    review = searcher.index.reviews.get(review_id)
    if review is None:
        raise ReviewQAError("Pick one of the results first.")
    start, _, end = span.partition("|")
    highlight = (int(start), int(end)) if start.isdigit() and end.isdigit() else None
    return review_html(review, highlight), review_id


def write_export(conversation: list[dict], scope: str, fmt: str, folder: Path) -> str:
    """Write the latest results ("results") or every turn ("conversation") and return the file path."""
    if not conversation:
        raise ReviewQAError("Ask a question first; there is nothing to export yet.")
    turns = conversation[-1:] if scope == "results" else conversation
    content = to_csv(turns) if fmt == "csv" else to_markdown(turns)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"reviewqa-{scope}-{time.strftime('%Y%m%d-%H%M%S')}.{'csv' if fmt == 'csv' else 'md'}"
    path.write_text(content, encoding="utf-8")
    return str(path)


def api_search(searcher, question: str, year_from=None, year_to=None, nations=None, regions=None, areas=None,
               keywords=None, age_group=None, k=10, literal=False, ranking="default") -> dict:
    """What the `search` endpoint returns: the same JSON as `reviewqa search --json`."""
    try:
        filters = Filters(
            year_from=int(year_from) if year_from not in (None, "") else None,
            year_to=int(year_to) if year_to not in (None, "") else None,
            nations=tuple(nations or ()), regions=tuple(regions or ()), areas=tuple(areas or ()),
            keywords=tuple(keywords or ()), age_min=_age_range(age_group)[0], age_max=_age_range(age_group)[1],
        )
        response = searcher.get().search(question, filters, k=max(1, min(int(k or 10), 100)),
                                         use_understanding=not literal, ranking=ranking or "default")
        return response.to_json()
    except ReviewQAError as error:
        return {"query": question, "results": [], "error": str(error)}
    except (TypeError, ValueError) as error:
        return {"query": question, "results": [], "error": f"Invalid filter value ({error})."}


# --- Gradio wiring -----------------------------------------------------------------------------------

def build_app(settings: Settings, searcher: LazySearcher, reviews, export_dir: Path | None = None):
    """The Blocks. `reviews` (the corpus records) fill the filter choices without waiting for the index."""
    import gradio as gr

    export_dir = Path(export_dir or tempfile.mkdtemp(prefix="reviewqa-exports-"))
    years = [ANY] + [str(y) for y in sorted({r.year for r in reviews})]
    keyword_choices = sorted({k for r in reviews for k in r.keywords})
    age_choices = [ANY] + list(AGE_GROUPS)

    def safely(handler):
        """Errors become a message in the app, never a traceback."""
        def wrapped(*args):
            try:
                return handler(*args)
            except ReviewQAError as error:
                return handler.on_error(args, str(error))
            except Exception:  # noqa: BLE001 - the UI edge: log it, tell the user plainly
                log.exception("unexpected error in %s", handler.__name__)
                return handler.on_error(args, "Something went wrong on our side and it was logged. "
                                              "Please try again or rephrase the question.")
        wrapped.__name__ = handler.__name__
        return wrapped

    def appended(conversation, turn):
        conversation.append(turn)
        return conversation, chat_messages(conversation), gr.update(choices=review_choices(turn), value=None)

    def panel_updates(filters: Filters):
        values = filters_to_panel(filters)
        age = values["age"]
        return (gr.update(value=values["year_from"]), gr.update(value=values["year_to"]),
                gr.update(value=values["places"]), gr.update(value=values["keywords"]),
                gr.update(value=age, choices=age_choices if age in age_choices else age_choices + [age]))

    def respond(message, conversation, year_from, year_to, places, keywords, age, use_understanding):
        conversation = list(conversation or [])
        if not (message or "").strip():
            raise ReviewQAError("The question is empty; type a few words describing what you are looking for.")
        turn = chat_turn(searcher.get(), message, conversation,
                         panel_to_filters(year_from, year_to, places, keywords, age), bool(use_understanding))
        conversation.append(turn)
        return ("", conversation, chat_messages(conversation),
                *panel_updates(Filters.from_json(turn["filters"])),
                gr.update(choices=review_choices(turn), value=None))

    def respond_error(args, text):
        message, conversation = args[0], list(args[1] or [])
        return (message, conversation, chat_messages(conversation, (message or "", text)),
                *[gr.update()] * 5, gr.update())
    respond.on_error = respond_error

    def apply_panel(conversation, year_from, year_to, places, keywords, age):
        conversation = list(conversation or [])
        if not conversation:
            raise ReviewQAError("Ask a question first; the filters apply to it.")
        filters = panel_to_filters(year_from, year_to, places, keywords, age)
        turn = rerun(searcher.get(), conversation[-1], filters, conversation[-1].get("k", 10),
                     f"(filters) {filters.describe() or 'no filters'}", "refine",
                     "filters set in the panel: " + (filters.describe() or "none"))
        return appended(conversation, turn)

    def apply_error(args, text):
        conversation = list(args[0] or [])
        return conversation, chat_messages(conversation, ("(filters)", text)), gr.update()
    apply_panel.on_error = apply_error

    def clear_panel(conversation):
        cleared = (ANY, ANY, [], [], ANY)
        if not conversation:
            return (conversation, chat_messages([]), *cleared, gr.update())
        conversation, messages, choices = safely(apply_panel)(conversation, *cleared)
        return (conversation, messages, *cleared, choices)

    def show_review(choice):
        page, review_id = open_review(searcher.get(), choice)
        return page, review_id
    show_review.on_error = lambda args, text: (error_html(text), "")

    def more_like_selected(review_id, conversation, year_from, year_to, places, keywords, age):
        conversation = list(conversation or [])
        if not review_id:
            raise ReviewQAError("Open a review first, then ask for more like it.")
        filters = panel_to_filters(year_from, year_to, places, keywords, age)
        response = searcher.get().more_like(review_id, filters, k=10)
        turn = _turn("More like this review", response.query, response, 10, "more_like",
                     f"reviews like “{searcher.get().index.reviews[review_id].title}”", False, more_like=review_id)
        return appended(conversation, turn)

    def more_like_error(args, text):
        conversation = list(args[1] or [])
        return conversation, chat_messages(conversation, ("More like this review", text)), gr.update()
    more_like_selected.on_error = more_like_error

    def exporter(scope, fmt):
        def export(conversation):
            return gr.update(value=write_export(list(conversation or []), scope, fmt, export_dir), visible=True), ""
        export.__name__ = f"export_{scope}_{fmt}"
        export.on_error = lambda args, text: (gr.update(), text)
        return export

    with gr.Blocks(title="reviewqa — search child safeguarding case reviews") as demo:
        gr.Markdown("## reviewqa\nAsk about child safeguarding case reviews in your own words. Every answer is the "
                    "reviews' own words, cited; follow up with *only 2022*, *what about Wales?*, *show more*, "
                    "*more like the second one* or *remove the year filter*.")
        conversation = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Answers", height=560, elem_id="rq-chat", sanitize_html=True,
                                     render_markdown=False, buttons=["copy"])
                with gr.Row():
                    question = gr.Textbox(label="Question", placeholder="e.g. baby bruising missed by GP",
                                          scale=5, max_length=2000, elem_id="rq-question", autofocus=True)
                    ask = gr.Button("Search", variant="primary", scale=1, elem_id="rq-ask")
                gr.Examples(["reviews about co-sleeping and substance misuse", "baby bruising missed by GP",
                             "examples of disguised compliance in neglect cases",
                             "2022 reviews about teenagers groomed to sell drugs"], inputs=question)
            with gr.Column(scale=2):
                gr.Markdown("**Filters** (understood ones appear here; change them and press *Apply*)")
                with gr.Row():
                    year_from = gr.Dropdown(years, value=ANY, label="From year", elem_id="rq-year-from")
                    year_to = gr.Dropdown(years, value=ANY, label="To year", elem_id="rq-year-to")
                places = gr.Dropdown(place_choices(reviews), value=[], multiselect=True, label="Nation, region or area",
                                     elem_id="rq-places")
                keywords = gr.Dropdown(keyword_choices, value=[], multiselect=True, label="Subject keywords",
                                       elem_id="rq-keywords")
                age = gr.Dropdown(age_choices, value=ANY, label="Child age group", elem_id="rq-age",
                                  allow_custom_value=True)
                use_understanding = gr.Checkbox(value=True, label="Use filters understood from the question",
                                                elem_id="rq-understand")
                with gr.Row():
                    apply_button = gr.Button("Apply filters", elem_id="rq-apply")
                    clear_button = gr.Button("Clear filters", elem_id="rq-clear")
                gr.Markdown("**Read a review**")
                pick = gr.Dropdown([], label="Result", elem_id="rq-pick")
                with gr.Row():
                    open_button = gr.Button("Open review", elem_id="rq-open")
                    like_button = gr.Button("More like this review", elem_id="rq-more-like")
                gr.Markdown("**Export** (with full citations)")
                with gr.Row():
                    csv_results = gr.Button("Results CSV", size="sm", elem_id="rq-export-csv")
                    md_results = gr.Button("Results Markdown", size="sm", elem_id="rq-export-md")
                with gr.Row():
                    csv_all = gr.Button("Conversation CSV", size="sm", elem_id="rq-export-all-csv")
                    md_all = gr.Button("Conversation Markdown", size="sm", elem_id="rq-export-all-md")
                export_file = gr.File(label="Download", visible=False, interactive=False, elem_id="rq-export-file")
                export_note = gr.Markdown()
        review_panel = gr.HTML(elem_id="rq-review")
        opened_id = gr.State("")
        gr.Markdown(SOURCE_CREDIT)

        panel = [year_from, year_to, places, keywords, age]
        for trigger in (ask.click, question.submit):
            trigger(safely(respond), [question, conversation, *panel, use_understanding],
                    [question, conversation, chatbot, *panel, pick], api_visibility="private")
        apply_button.click(safely(apply_panel), [conversation, *panel], [conversation, chatbot, pick],
                           api_visibility="private")
        clear_button.click(clear_panel, [conversation], [conversation, chatbot, *panel, pick], api_visibility="private")
        open_button.click(safely(show_review), [pick], [review_panel, opened_id], api_visibility="private")
        like_button.click(safely(more_like_selected), [opened_id, conversation, *panel], [conversation, chatbot, pick],
                          api_visibility="private")
        for button, scope, fmt in ((csv_results, "results", "csv"), (md_results, "results", "md"),
                                   (csv_all, "conversation", "csv"), (md_all, "conversation", "md")):
            button.click(safely(exporter(scope, fmt)), [conversation], [export_file, export_note],
                         api_visibility="private")

        def search(question: str, year_from: int | None = None, year_to: int | None = None,
                   nations: list[str] | None = None, regions: list[str] | None = None,
                   areas: list[str] | None = None, keywords: list[str] | None = None, age_group: str | None = None,
                   k: int = 10, literal: bool = False) -> dict:
            """Search the reviews. Returns the same JSON as `reviewqa search --json`: a dict with "results"."""
            return api_search(searcher, question, year_from, year_to, nations, regions, areas, keywords,
                              age_group, k, literal)

        gr.api(search, api_name="search")
    # Several people can search at once; each search is short, so a small pool keeps latency flat.
    demo.queue(default_concurrency_limit=4, max_size=64)
    return demo


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, build: bool = True) -> None:
    from .corpus import load_reviews
    from .embedding import load_embedder
    from .index import build_index, load_index, staleness
    from .search import Searcher

    started = time.perf_counter()
    if staleness(settings) is not None:
        if not build:
            load_index(settings)  # raises the clear "run reviewqa build" error
        embedder = load_embedder(settings)
        report = build_index(settings, embedder)
        print(f"Built the index: {report.reviews} reviews, {report.chunks} passages in {report.seconds:.1f} s")
        lazy = LazySearcher(lambda: Searcher.open(settings, embedder))
    else:
        lazy = LazySearcher(lambda: Searcher.open(settings))
    # The page first (importing Gradio takes seconds), then the model and index load in the background
    # while the user types: measured: page served 5.6 s after start instead of 7.9 s, first answer about as soon (16 s).
    demo = build_app(settings, lazy, load_reviews(settings.corpus_path))
    lazy.start()
    print(f"reviewqa is running at http://{host}:{port} (Ctrl+C to stop); "
          f"page ready {time.perf_counter() - started:.1f} s after start")
    demo.launch(server_name=host, server_port=port, show_error=False, footer_links=["api"], css=CSS,
                theme=None)
