"""The Gradio web app: a chat of cited answers, filters beside it, follow-ups, a review view, exports
and a `search` API. `build_app` makes the Blocks; nothing heavy happens at import time, and the index
and model load in a background thread so the page is up before they are.

This module only moves values between components and the service: the conversation logic is in
conversation.py, the HTML in render.py, the files in export.py.
"""

from __future__ import annotations

import html
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from ..errors import InvalidQueryError, ReviewQAError
from ..ingest.files import SUPPORTED
from ..search.rankings import DEFAULT_RANKING
from ..gazetteer import AGE_GROUPS, NATIONS, UNKNOWN, age_label
from ..search.filters import Filters, filters_from_input
from ..settings import Settings
from .conversation import Turn, chat_turn, more_like_turn, rerun
from .export import to_csv, to_markdown
from .render import add_report_html, answer_html, error_html, review_html

log = logging.getLogger("reviewqa.app")

SOURCE_CREDIT = (
    "Review summaries: NSPCC Learning, *Recently published case reviews* (national case review repository), "
    "written by the NSPCC and the reviewing safeguarding partnerships; reviewqa quotes them word for word. "
    "Read the full report before relying on a summary. Concerned about a child? NSPCC Helpline 0808 800 5000."
)
ANY = "any"
PLACE_KINDS = {"Nation": "nations", "Region": "regions", "Area": "areas"}


# --- filters between the panel and Filters -------------------------------------------------------

def place_choices(reviews) -> list[str]:
    nations = sorted({r.nation for r in reviews} - {"England", "unknown"})
    regions = sorted({r.region for r in reviews if r.nation == "England" and not r.region.startswith("England")})
    areas = sorted({r.area for r in reviews if r.area != "Anonymous"})
    return (["Nation: England"] + [f"Nation: {n}" for n in nations] + [f"Region: {r}" for r in regions]
            + [f"Area: {a}" for a in areas])


def panel_to_filters(year_from, year_to, places, keywords, age) -> Filters:
    chosen: dict[str, list[str]] = {field: [] for field in PLACE_KINDS.values()}
    for place in places or []:
        kind, _, name = str(place).partition(": ")
        chosen[PLACE_KINDS.get(kind, "areas")].append(name or kind)
    return filters_from_input(year_from=None if year_from == ANY else year_from,
                              year_to=None if year_to == ANY else year_to, keywords=keywords,
                              age_group=None if age == ANY else age, **chosen)


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


# --- what the components show ------------------------------------------------------------------

def chat_messages(conversation: list[Turn], error: tuple[str, str] | None = None) -> list[dict]:
    messages = []
    for turn in conversation:
        messages.append({"role": "user", "content": html.escape(turn.message)})
        messages.append({"role": "assistant", "content": answer_html(turn)})
    if error:
        messages.append({"role": "user", "content": html.escape(error[0])})
        messages.append({"role": "assistant", "content": error_html(error[1])})
    return messages


def review_choices(turn: Turn | None) -> list[tuple[str, str]]:
    """(label, "review id|document id|start|end") for each shown result's best passage."""
    if turn is None:
        return []
    choices = []
    for rank, hit in enumerate(turn.shown, 1):
        best = hit.passages[0].chunk if hit.passages else None
        value = f"{hit.review.id}|{best.document.id}|{best.start}|{best.end}" if best else f"{hit.review.id}|||"
        choices.append((f"{rank}. {hit.review.title}", value))
    return choices


def open_review(service, choice: str) -> tuple[str, str]:
    """(review HTML with the cited passage highlighted, review id)."""
    review_id, _, rest = (choice or "").partition("|")
    if not review_id:
        raise ReviewQAError("Pick one of the results first.")
    document_id, _, span = rest.partition("|")
    start, _, end = span.partition("|")
    view = service.review(review_id)
    digits = re.compile(r"[0-9]{1,9}")
    highlight = (document_id, int(start), int(end)) if digits.fullmatch(start) and digits.fullmatch(end) else None
    return review_html(view, highlight), review_id


def write_export(conversation: list[Turn], scope: str, fmt: str, folder: Path) -> str:
    """Write the latest results ("results") or every turn ("conversation") and return the file path."""
    if not conversation:
        raise ReviewQAError("Ask a question first; there is nothing to export yet.")
    turns = conversation[-1:] if scope == "results" else conversation
    content = to_csv(turns) if fmt == "csv" else to_markdown(turns)
    folder.mkdir(parents=True, exist_ok=True)
    # A new file every time (mkstemp): two people exporting in the same second never share one.
    handle, name = tempfile.mkstemp(dir=folder, prefix=f"reviewqa-{scope}-{time.strftime('%Y%m%d-%H%M%S')}-",
                                    suffix=".csv" if fmt == "csv" else ".md")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(content)
    return name


def api_search(service, question, year_from=None, year_to=None, nations=None, regions=None, areas=None,
               keywords=None, age_group=None, k=None, literal=False, ranking=DEFAULT_RANKING) -> dict:
    """What the `search` endpoint returns: the same JSON as `reviewqa search --json`, or an error."""
    try:
        if not isinstance(literal, bool):
            raise InvalidQueryError("literal must be true or false.")
        filters = filters_from_input(year_from=year_from, year_to=year_to, nations=nations, regions=regions,
                                     areas=areas, keywords=keywords, age_group=age_group)
        response = service.search(question, filters, k=k, literal=literal, ranking=ranking or DEFAULT_RANKING)
        return response.to_json()
    except ReviewQAError as error:
        return {"query": question if isinstance(question, str) else None, "results": [], "error": str(error)}


# --- adding documents ---------------------------------------------------------------------------------

ADD_FILE_TYPES = sorted(SUPPORTED)
NATION_FROM_AREA = "From the area"


def add_uploads(service, files, review_id="", title="", year="", area="", nation="", progress=None):
    """Add the files Gradio saved from an upload (paths in its temporary folder) with the metadata typed
    in the panel; returns the AddReport. The uploads are parsed where Gradio put them; only the copy in
    the collection is kept (the temporary ones are deleted afterwards)."""
    from ..adding import AddOptions

    paths = [str(getattr(f, "path", None) or getattr(f, "name", None) or f) for f in (files or [])]
    if not paths:
        raise ReviewQAError("Choose one or more files to add first (PDF, Word .docx, web page, text or Markdown).")
    folder = upload_folder()
    for path in paths:
        check_uploaded(path, folder)
    year_text = str(year or "").strip()
    if year_text and not re.fullmatch(r"[0-9]{4}", year_text):
        raise ReviewQAError(f"The year '{year_text[:20]}' is not a year; write it as four digits, e.g. 2023.")
    options = AddOptions(review_id=(review_id or "").strip() or None, title=(title or "").strip() or None,
                         year=int(year_text) if year_text else None, area=(area or "").strip() or None,
                         nation=(nation or "").strip() or None)
    try:
        return service.add(paths, options, progress=progress)
    finally:
        _discard_uploads(paths)


def upload_folder() -> Path:
    """Where this server's Gradio writes uploads (inside the server's own temp folder)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def check_uploaded(path: str, folder: Path) -> None:
    """An add from the app takes only files uploaded to this server: a regular file (not a link,
    pipe or device) inside its upload folder. Anything else is refused before it is opened."""
    import stat

    name = Path(path).name[:80] or "the file"
    candidate = Path(os.path.abspath(path))
    try:
        inside = folder in candidate.parent.resolve().parents or candidate.parent.resolve() == folder
        mode = os.lstat(candidate).st_mode
    except OSError:
        inside, mode = False, 0
    if not inside or not stat.S_ISREG(mode):
        raise ReviewQAError(f"'{name}' was not uploaded to this server; choose the file again with the upload box.")


def _discard_uploads(paths) -> None:
    """Delete uploaded files from Gradio's temporary folder (and nowhere else): reviews are sensitive."""
    try:
        folder = upload_folder()
    except Exception:  # noqa: BLE001 - an older Gradio: leave its cache to it
        return
    for path in paths:
        try:
            resolved = Path(path).resolve()
            if folder in resolved.parents and resolved.is_file():
                resolved.unlink()
        except OSError:
            pass


def removal_choices(service) -> list[tuple[str, str]]:
    """(label, document id) of each document added from a file, from the index being served (every
    add and remove in the app rebuilds it): a page load reads no file."""
    index = service.index()
    return [(f"{d.title or index.reviews[d.review_id].title} ({d.id})", d.id)
            for d in index.documents if d.file is not None]


# --- Gradio wiring -----------------------------------------------------------------------------------

def build_app(settings: Settings, service, reviews, export_dir: Path | None = None):
    """The Blocks. `reviews` fill the filter choices without waiting for the index to open."""
    import gradio as gr

    # Made on the first export, not at start (serve() puts it in the server's temp folder, removed on exit).
    export_dir = (Path(export_dir) if export_dir
                  else Path(tempfile.gettempdir()) / f"reviewqa-exports-{os.urandom(6).hex()}")
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
        turn = chat_turn(service, message, conversation,
                         panel_to_filters(year_from, year_to, places, keywords, age), bool(use_understanding))
        conversation.append(turn)
        return ("", conversation, chat_messages(conversation), *panel_updates(turn.filters),
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
        previous = conversation[-1]
        turn = rerun(service, previous, filters, previous.k, f"(filters) {filters.describe() or 'no filters'}",
                     "refine", "filters set in the panel: " + (filters.describe() or "none"))
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
        return open_review(service, choice)
    show_review.on_error = lambda args, text: (error_html(text), "")

    def more_like_selected(review_id, conversation, year_from, year_to, places, keywords, age):
        conversation = list(conversation or [])
        if not review_id:
            raise ReviewQAError("Open a review first, then ask for more like it.")
        filters = panel_to_filters(year_from, year_to, places, keywords, age)
        title = service.review(review_id).review.title
        turn = more_like_turn(service, review_id, filters, 10, "More like this review", f"reviews like “{title}”")
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

    def choice_updates():
        """New reviews' years and places in the filter panel, after an add or a remove."""
        try:
            fresh = service.reviews()
        except ReviewQAError:
            return gr.update(), gr.update(), gr.update()
        fresh_years = [ANY] + [str(y) for y in sorted({r.year for r in fresh})]
        return gr.update(choices=fresh_years), gr.update(choices=fresh_years), gr.update(choices=place_choices(fresh))

    def removal_update():
        try:
            return gr.update(choices=removal_choices(service), value=None)
        except ReviewQAError:
            return gr.update()

    def add_documents(files, review_id, title, year, area, nation, progress=gr.Progress()):
        paths = [str(getattr(f, "path", None) or f) for f in (files or [])]
        try:
            report = add_uploads(service, files, review_id, title, year, area,
                                 "" if nation == NATION_FROM_AREA else nation,
                                 progress=lambda fraction, message: progress(fraction, desc=message))
        except Exception as error:  # noqa: BLE001 - the UI edge: a message, never a traceback
            if isinstance(error, ReviewQAError):
                text = str(error)
            else:
                log.exception("unexpected error while adding documents")
                text = "Something went wrong on our side and it was logged. Please try again."
            # Uploads that were processed are gone from the temporary folder: the user chooses again.
            gone = any(not Path(path).exists() for path in paths)
            return (error_html(text), gr.update(value=None) if gone else gr.update(), gr.update(), gr.update(),
                    gr.update(), gr.update())
        return (add_report_html(report), gr.update(value=None), *choice_updates(), removal_update())

    def remove_added(document_id):
        if not document_id:
            raise ReviewQAError("Choose a document to remove first.")
        report = service.remove(document_id)
        return (f"<div class='rq-line'>{html.escape(report.message)}</div>", removal_update(), *choice_updates())
    remove_added.on_error = lambda args, text: (error_html(text), gr.update(), gr.update(), gr.update(), gr.update())

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
        with gr.Accordion("Add documents", open=False, elem_id="rq-add-panel"):
            gr.Markdown(f"Add your own case review reports so they can be searched with the others: PDF (with a "
                        f"text layer; scanned PDFs need OCR first), Word (.docx), web pages (.html), text or Markdown, "
                        f"up to {settings.parse_limits.max_file_bytes / 2**20:.0f} MB each. Title, year and area are guessed from "
                        "the first page; fill in the boxes to set them yourself. A report joins an existing review "
                        "with the same area, name and year, or the review whose id you give.")
            upload = gr.File(label="Files to add", file_count="multiple", file_types=ADD_FILE_TYPES, type="filepath",
                             elem_id="rq-upload")
            with gr.Row():
                add_title = gr.Textbox(label="Title (optional)", max_length=300, elem_id="rq-add-title")
                add_year = gr.Textbox(label="Year (optional)", max_length=4, placeholder="e.g. 2024",
                                      elem_id="rq-add-year")
                add_area = gr.Textbox(label="Area (optional)", max_length=100, placeholder="e.g. Kent",
                                      elem_id="rq-add-area")
                add_nation = gr.Dropdown([NATION_FROM_AREA, *NATIONS, UNKNOWN], value=NATION_FROM_AREA, label="Nation",
                                         elem_id="rq-add-nation")
                add_review = gr.Textbox(label="Join review id (optional)", max_length=200, elem_id="rq-add-review")
            add_button = gr.Button("Add to the collection", variant="primary", elem_id="rq-add")
            add_status = gr.HTML(elem_id="rq-add-status")
            with gr.Row():
                remove_pick = gr.Dropdown([], label="Remove an added document", elem_id="rq-remove-pick", scale=4)
                remove_button = gr.Button("Remove", elem_id="rq-remove", scale=1)
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
            return api_search(service, question, year_from, year_to, nations, regions, areas, keywords,
                              age_group, k, literal)

        gr.api(search, api_name="search")

        # One change to the collection at a time (the writer lock would make a second one wait anyway).
        add_button.click(add_documents, [upload, add_review, add_title, add_year, add_area, add_nation],
                         [add_status, upload, year_from, year_to, places, remove_pick], api_visibility="private",
                         concurrency_limit=1, concurrency_id="collection-writer")
        remove_button.click(safely(remove_added), [remove_pick], [add_status, remove_pick, year_from, year_to, places],
                            api_visibility="private", concurrency_limit=1, concurrency_id="collection-writer")
        demo.load(removal_update, None, [remove_pick], api_visibility="private")
    # Several people can search at once; each search is short, so a small pool keeps latency flat.
    demo.queue(default_concurrency_limit=4, max_size=64)
    demo.reviewqa_export_dir = export_dir
    return demo


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, build: bool = True, *,
          token_file=None, auth_file=None, no_auth: bool = False) -> None:
    """The app at / and the HTTP API at /api in one uvicorn process (qa/app/server.py). Beyond loopback it
    needs a token (--token-file or $REVIEWQA_API_TOKEN) unless no_auth."""
    from ..collection import load_collection
    from ..index import index_status
    from ..service import Service
    from .server import make_server_app, resolve_access, run_server, server_temp_dir

    access = resolve_access(host, token_file=token_file, auth_file=auth_file, no_auth=no_auth)
    started = time.perf_counter()
    service = Service(settings)
    collection = load_collection(settings.corpus_path)
    status = index_status(settings, collection)
    if status.problem is not None or status.changes is not None:
        if not build and status.problem is not None:
            service.index()  # raises the clear "run reviewqa build" error
        if build:
            report = service.build()
            print(f"Built index generation {report.generation}: {report.reviews} reviews, {report.documents} "
                  f"documents, {report.chunks} passages in {report.seconds:.1f} s")
    # The page first (importing Gradio takes seconds), then the model and index load in the background
    # while the user types. Uploads, Gradio's cache and exports live in one temp folder, removed on exit.
    with server_temp_dir() as temp:
        app = make_server_app(settings, service, reviews=collection.reviews, token=access.token,
                              ui_auth=access.ui_auth, export_dir=temp / "exports")
        threading.Thread(target=_warm, args=(service,), name="reviewqa-load", daemon=True).start()
        print(f"reviewqa is running at http://{host}:{port} (API: http://{host}:{port}/api/docs; Ctrl+C to stop); "
              f"{access.describe()}; page ready {time.perf_counter() - started:.1f} s after start")
        run_server(app, host, port)


def _warm(service) -> None:
    try:
        service.warm_up()
    except Exception as error:  # noqa: BLE001 - reported to every request by the service, not raised here
        log.error("could not load the index or model: %s", error)
