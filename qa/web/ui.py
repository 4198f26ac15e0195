"""The Gradio app's Blocks: a chat of cited answers, filters beside it, follow-ups, a review view,
exports and an add-documents panel. `build_app` makes the Blocks, one function per panel; nothing
heavy happens at import time.

This module only wires components to the service: the conversation is in qa/conversation/, the
values behind the components in forms.py, the HTML in render.py, the files in export.py, the add
path in uploads.py. Every handler's error is a `gr.Error` with one sentence.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..conversation import chat_turn, more_like_turn, rerun
from ..errors import ReviewQAError
from ..gazetteer import NATIONS, UNKNOWN
from ..search import Filters
from ..search.explain import UNKNOWN_MEANS
from ..search.vocabulary import FilterValues, filter_values
from ..settings import Settings
from . import edit as edit_form
from .forms import (
    ANY,
    age_choices,
    chat_messages,
    digest_of_answer,
    filters_to_panel,
    follow_up_example,
    keep_listed_years,
    keyword_choices,
    open_review,
    panel_to_filters,
    place_choices,
    removal_choices,
    review_choices,
    write_briefing,
    write_export,
)
from .render import add_report_html, digest_html
from .uploads import ADD_FILE_TYPES, NATION_FROM_AREA, add_uploads

log = logging.getLogger("reviewqa.app")

SOURCE_CREDIT = (
    "Review summaries: NSPCC Learning, *Recently published case reviews* (national case review repository), "
    "written by the NSPCC and the reviewing safeguarding partnerships; reviewqa quotes them word for word. "
    "Read the full report before relying on a summary. Concerned about a child? NSPCC Helpline 0808 800 5000."
)
SERVER_FAULT = "Something went wrong on our side and it was logged. Please try again."


def user_errors(handler: Callable) -> Callable:
    """A handler whose domain errors reach the user as one sentence (gr.Error); anything else is
    logged and reported plainly, never as a traceback."""
    import gradio as gr

    @functools.wraps(handler)
    def wrapped(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except gr.Error:
            raise
        except ReviewQAError as error:
            raise gr.Error(str(error), print_exception=False) from None
        except Exception:  # noqa: BLE001 - the UI edge: log it, tell the user plainly
            log.exception("unexpected error in %s", handler.__name__)
            raise gr.Error(SERVER_FAULT, print_exception=False) from None
    return wrapped


@dataclass
class FilterPanel:
    year_from: Any
    year_to: Any
    places: Any
    keywords: Any
    age: Any
    include_unknown: Any
    use_understanding: Any
    apply: Any
    clear: Any

    @property
    def values(self) -> list:
        return [self.year_from, self.year_to, self.places, self.keywords, self.age, self.include_unknown]


def _years(values: FilterValues) -> list[tuple[str, str]]:
    return [(ANY, ANY)] + [(f"{year} ({count})", year) for year, count in values.years]


def chat_panel(gr, limit: int):
    chatbot = gr.Chatbot(label="Answers", height=560, elem_id="rq-chat", sanitize_html=True, render_markdown=False,
                         buttons=["copy"])
    with gr.Row():
        # The box holds what the search takes: a longer paste is not cut silently and then refused.
        question = gr.Textbox(label=f"Question (up to {limit:,} characters)", scale=5, max_length=limit,
                              placeholder="e.g. baby bruising missed by GP", elem_id="rq-question", autofocus=True)
        ask = gr.Button("Search", variant="primary", scale=1, elem_id="rq-ask")
    gr.Examples(["reviews about co-sleeping and substance misuse", "baby bruising missed by GP",
                 "examples of disguised compliance in neglect cases",
                 "2022 reviews about teenagers groomed to sell drugs"], inputs=question)
    return chatbot, question, ask


def filter_panel(gr, values: FilterValues) -> FilterPanel:
    gr.Markdown("**Filters** (understood ones appear here; change them and press *Apply*). The numbers are "
                "how many reviews in the collection have each value.")
    years = _years(values)
    with gr.Row():
        year_from = gr.Dropdown(years, value=ANY, label="From year", elem_id="rq-year-from")
        year_to = gr.Dropdown(years, value=ANY, label="To year", elem_id="rq-year-to")
    places = gr.Dropdown(place_choices(values), value=[], multiselect=True, label="Nation, region or area",
                         elem_id="rq-places")
    keywords = gr.Dropdown(keyword_choices(values), value=[], multiselect=True, label="Subject keywords",
                           elem_id="rq-keywords")
    age = gr.Dropdown(age_choices(values), value=ANY, label="Child age group", elem_id="rq-age",
                      allow_custom_value=True)
    include_unknown = gr.Checkbox(value=False, label="Include reviews whose value is unknown (marked)",
                                  info=unknown_info(values), elem_id="rq-include-unknown")
    use_understanding = gr.Checkbox(value=True, label="Use filters understood from the question",
                                    elem_id="rq-understand")
    with gr.Row():
        apply = gr.Button("Apply filters", elem_id="rq-apply")
        clear = gr.Button("Clear filters", elem_id="rq-clear")
    return FilterPanel(year_from, year_to, places, keywords, age, include_unknown, use_understanding, apply, clear)


def unknown_info(values: FilterValues) -> str:
    counts = "; ".join(f"{values.unknown[group]} with {UNKNOWN_MEANS[group]}"
                       for group in ("place", "age", "year", "keyword") if values.unknown.get(group))
    return (f"A filter leaves out reviews whose value for it is unknown and says how many; tick to keep them. "
            f"In the collection: {counts}." if counts else "Every review's year, place, keywords and age are known.")


def review_panel(gr):
    gr.Markdown("**Read a review**")
    pick = gr.Dropdown([], label="Result", elem_id="rq-pick")
    with gr.Row():
        open_button = gr.Button("Open review", elem_id="rq-open")
        like_button = gr.Button("More like this review", elem_id="rq-more-like")
    return pick, open_button, like_button


def digest_panel(gr):
    with gr.Row():
        open_digest = gr.Button("What these reviews learned", elem_id="rq-digest")
        markdown = gr.Button("Briefing (Markdown)", size="sm", elem_id="rq-digest-md")
        word = gr.Button("Briefing (Word)", size="sm", elem_id="rq-digest-docx")
    view = gr.HTML(elem_id="rq-digest-view")
    briefing = gr.File(label="Briefing", visible=False, interactive=False, elem_id="rq-digest-file")
    return open_digest, {"md": markdown, "docx": word}, view, briefing


def export_panel(gr):
    gr.Markdown("**Export** (with full citations)")
    buttons = {}
    with gr.Row():
        buttons["results", "csv"] = gr.Button("Results CSV", size="sm", elem_id="rq-export-csv")
        buttons["results", "md"] = gr.Button("Results Markdown", size="sm", elem_id="rq-export-md")
    with gr.Row():
        buttons["conversation", "csv"] = gr.Button("Conversation CSV", size="sm", elem_id="rq-export-all-csv")
        buttons["conversation", "md"] = gr.Button("Conversation Markdown", size="sm", elem_id="rq-export-all-md")
    export_file = gr.File(label="Download", visible=False, interactive=False, elem_id="rq-export-file")
    return buttons, export_file


def add_panel(gr, settings: Settings):
    with gr.Accordion("Add documents", open=False, elem_id="rq-add-panel"):
        gr.Markdown(f"Add your own case review reports so they can be searched with the others: PDF (with a "
                    f"text layer; scanned PDFs need OCR first), Word (.docx), web pages (.html), text or Markdown, "
                    f"up to {settings.parse_limits.max_file_bytes / 2**20:.0f} MB each. Title, year and area are "
                    "guessed from the first page; fill in the boxes to set them yourself. A report joins an existing "
                    "review with the same area, name and year, or the review whose id you give.")
        upload = gr.File(label="Files to add", file_count="multiple", file_types=ADD_FILE_TYPES, type="filepath",
                         elem_id="rq-upload")
        with gr.Row():
            title = gr.Textbox(label="Title (optional)", max_length=300, elem_id="rq-add-title")
            year = gr.Textbox(label="Year (optional)", max_length=4, placeholder="e.g. 2024", elem_id="rq-add-year")
            area = gr.Textbox(label="Area (optional)", max_length=100, placeholder="e.g. Kent", elem_id="rq-add-area")
            nation = gr.Dropdown([NATION_FROM_AREA, *NATIONS, UNKNOWN], value=NATION_FROM_AREA, label="Nation",
                                 elem_id="rq-add-nation")
            review = gr.Textbox(label="Join review id (optional)", max_length=200, elem_id="rq-add-review")
        add = gr.Button("Add to the collection", variant="primary", elem_id="rq-add")
        status = gr.HTML(elem_id="rq-add-status")
        with gr.Row():
            remove_pick = gr.Dropdown([], label="Remove an added document", elem_id="rq-remove-pick", scale=4)
            remove = gr.Button("Remove", elem_id="rq-remove", scale=1)
        confirm = edit_form.removal_confirmation(gr)       # Remove asks first (qa/web/edit.py)
    return upload, [review, title, year, area, nation], add, status, remove_pick, remove, confirm


def build_app(settings: Settings, service, reviews, export_dir: Path | None = None):
    """The Blocks, answering from `service`. `reviews` fill the filter lists without waiting for the
    index to open (the page is up before the index and the model are loaded)."""
    import gradio as gr

    values = filter_values(list(reviews))
    # Made on the first export, not at start (serve() puts it in the server's temp folder, removed on exit).
    export_dir = (Path(export_dir) if export_dir
                  else Path(tempfile.gettempdir()) / f"reviewqa-exports-{os.urandom(6).hex()}")

    def panel_updates(filters):
        panel = filters_to_panel(filters)
        age, ages = panel["age"], age_choices(values)
        return (gr.update(value=panel["year_from"]), gr.update(value=panel["year_to"]),
                gr.update(value=panel["places"]), gr.update(value=panel["keywords"]),
                gr.update(value=age, choices=ages if age in {value for _, value in ages} else ages + [(age, age)]),
                gr.update(value=panel["include_unknown"]))

    def appended(conversation, turn):
        conversation.append(turn)
        return conversation, chat_messages(conversation), gr.update(choices=review_choices(turn), value=None)

    @user_errors
    def respond(message, conversation, year_from, year_to, places, keywords, age, include_unknown, use_understanding):
        conversation = list(conversation or [])
        if not (message or "").strip():
            raise ReviewQAError("The question is empty; type a few words describing what you are looking for.")
        filters = panel_to_filters(year_from, year_to, places, keywords, age, include_unknown)
        turn = chat_turn(service, message, conversation, filters, bool(use_understanding))
        conversation.append(turn)
        return ("", conversation, chat_messages(conversation), *panel_updates(turn.filters),
                gr.update(choices=review_choices(turn), value=None))

    @user_errors
    def apply_panel(conversation, year_from, year_to, places, keywords, age, include_unknown):
        conversation = list(conversation or [])
        if not conversation:
            raise ReviewQAError("Ask a question first; the filters apply to it.")
        filters = keep_listed_years(panel_to_filters(year_from, year_to, places, keywords, age, include_unknown),
                                    conversation[-1].filters)
        return rerun_with(conversation, filters)

    def rerun_with(conversation, filters):
        previous = conversation[-1]
        turn = rerun(service, previous, filters, previous.k, f"(filters) {filters.describe() or 'no filters'}",
                     "refine", "filters set in the panel: " + (filters.describe() or "none"))
        return appended(conversation, turn)

    @user_errors
    def clear_panel(conversation):
        cleared: tuple[str, str, list[str], list[str], str, bool] = (ANY, ANY, [], [], ANY, False)
        if not conversation:
            return (conversation, chat_messages([]), *cleared, gr.update())
        conversation, messages, choices = rerun_with(list(conversation), Filters())
        return (conversation, messages, *cleared, choices)

    def clear_chat():
        """The chat's bin: the conversation is forgotten too, so a follow-up cannot refine a question
        that is no longer on the screen."""
        return ([], [], ANY, ANY, [], [], ANY, False, gr.update(choices=[], value=None), "", "")

    @user_errors
    def show_review(choice):
        return open_review(service, choice)

    @user_errors
    def more_like_selected(review_id, conversation, year_from, year_to, places, keywords, age, include_unknown):
        conversation = list(conversation or [])
        if not review_id:
            raise ReviewQAError("Open a review first, then ask for more like it.")
        filters = panel_to_filters(year_from, year_to, places, keywords, age, include_unknown)
        title = service.review(review_id).review.title
        return appended(conversation, more_like_turn(service, review_id, filters, 10, "More like this review",
                                                     f"reviews like “{title}”"))

    @user_errors
    def show_digest(conversation):
        digest = digest_of_answer(service, list(conversation or []))
        return digest_html(digest, service.index().reviews), digest

    def briefing_writer(fmt: str):
        @user_errors
        def export(digest):
            name = write_briefing(digest, service.index().reviews, fmt, export_dir)
            return gr.update(value=name, visible=True)
        return export

    def exporter(scope: str, fmt: str):
        @user_errors
        def export(conversation):
            return gr.update(value=write_export(list(conversation or []), scope, fmt, export_dir), visible=True)
        return export

    def choice_updates():
        """New reviews' years and places in the filter panel, after an add or a remove."""
        try:
            fresh = filter_values(service.reviews())
        except ReviewQAError:
            return gr.update(), gr.update(), gr.update()
        years = _years(fresh)
        return gr.update(choices=years), gr.update(choices=years), gr.update(choices=place_choices(fresh))

    def removal_update():
        try:
            return gr.update(choices=removal_choices(service), value=None)
        except ReviewQAError:
            return gr.update()

    @user_errors
    def add_documents(files, review_id, title, year, area, nation, progress=gr.Progress()):
        report = add_uploads(service, files, review_id, title, year, area, "" if nation == NATION_FROM_AREA else nation,
                             progress=lambda fraction, message: progress(fraction, desc=message))
        return (add_report_html(report), gr.update(value=None), *choice_updates(), removal_update())

    @user_errors
    def remove_added(document_id):
        if not document_id:
            raise ReviewQAError("Choose a document to remove first.")
        report = service.remove(document_id)
        return (f"<div class='rq-line'>{html.escape(report.message)}</div>", removal_update(), *choice_updates(),
                *edit_form.hide_removal(gr))

    @user_errors
    def save_details(review_id, *values):
        report = edit_form.save(service, review_id, *values)
        view_html, _ = open_review(service, f"{review_id}|||")
        return (edit_form.edit_status_html(report), view_html, *edit_form.prefill(gr, service, review_id),
                *choice_updates())

    latest_year = values.years[-1][0] if values.years else "2022"
    with gr.Blocks(title="reviewqa — search child safeguarding case reviews") as demo:
        gr.Markdown("## reviewqa\nAsk about child safeguarding case reviews in your own words. Every answer is the "
                    f"reviews' own words, cited; follow up with *only {latest_year}*, *{follow_up_example(values)}*, "
                    "*show more*, *more like the second one* or *remove the year filter*. Questions are read in "
                    "English.")
        conversation = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot, question, ask = chat_panel(gr, settings.max_query_chars)
            with gr.Column(scale=2):
                filters = filter_panel(gr, values)
                pick, open_button, like_button = review_panel(gr)
                export_buttons, export_file = export_panel(gr)
        open_digest, briefing_buttons, digest_view, briefing_file = digest_panel(gr)
        digest_state = gr.State(None)
        review_view = gr.HTML(elem_id="rq-review")
        opened_id = gr.State("")
        edit = edit_form.edit_panel(gr)
        upload, add_fields, add_button, add_status, remove_pick, remove_button, confirm = add_panel(gr, settings)
        gr.Markdown(SOURCE_CREDIT)

        panel = filters.values
        private = {"api_visibility": "private"}
        for trigger in (ask.click, question.submit):
            trigger(respond, [question, conversation, *panel, filters.use_understanding],
                    [question, conversation, chatbot, *panel, pick], **private)
        filters.apply.click(apply_panel, [conversation, *panel], [conversation, chatbot, pick], **private)
        filters.clear.click(clear_panel, [conversation], [conversation, chatbot, *panel, pick], **private)
        chatbot.clear(clear_chat, None, [conversation, chatbot, *panel, pick, review_view, opened_id], **private)
        open_button.click(show_review, [pick], [review_view, opened_id], **private).then(
            user_errors(functools.partial(edit_form.prefill, gr, service)), [opened_id], edit.fields, **private)
        edit.document.change(user_errors(functools.partial(edit_form.document_kind_of, service)),
                             [opened_id, edit.document], [edit.kind], **private)
        like_button.click(more_like_selected, [opened_id, conversation, *panel], [conversation, chatbot, pick],
                          **private)
        open_digest.click(show_digest, [conversation], [digest_view, digest_state], **private)
        for fmt, button in briefing_buttons.items():
            button.click(briefing_writer(fmt), [digest_state], [briefing_file], **private)
        for (scope, fmt), button in export_buttons.items():
            button.click(exporter(scope, fmt), [conversation], [export_file], **private)
        # One change to the collection at a time (the writer lock would make a second one wait anyway).
        writer = {"concurrency_limit": 1, "concurrency_id": "collection-writer", **private}
        choices = [filters.year_from, filters.year_to, filters.places]
        add_button.click(add_documents, [upload, *add_fields], [add_status, upload, *choices, remove_pick], **writer)
        asking = [confirm.question, confirm.yes, confirm.cancel, confirm.asked]
        remove_button.click(user_errors(functools.partial(edit_form.ask_removal, gr, service)), [remove_pick], asking,
                            **private)
        confirm.cancel.click(user_errors(functools.partial(edit_form.hide_removal, gr)), None, asking, **private)
        confirm.yes.click(remove_added, [confirm.asked], [add_status, remove_pick, *choices, *asking], **writer)
        edit.save.click(save_details, [opened_id, *edit.fields], [edit.status, review_view, *edit.fields, *choices],
                        **writer)
        demo.load(removal_update, None, [remove_pick], **private)
    # Several people can search at once; each search is short, so a small pool keeps latency flat.
    demo.queue(default_concurrency_limit=4, max_size=64)
    demo.reviewqa_export_dir = export_dir
    return demo
