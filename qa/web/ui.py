"""The Gradio app's Blocks: a question box, the answer as a list of cited reviews that starts at the
best one, with tabs beside it to read a review, open the source, keep passages for teaching, see what
the reviews learned, export, and see what the collection covers; filters and the order in a sidebar.
Every answer is a link (qa/web/links.py): the page's address holds the question, filters, order and
page, so reloading it, sending it to a colleague, back and forward all show the same answer.

`build_app` makes the Blocks, one function per panel; nothing heavy happens at import time. This module
only wires components to the service: the conversation is in qa/conversation/, the answer's pages and
counts in answers.py, the values behind the components in forms.py, the HTML in render.py, the files in
export.py, the add path in uploads.py. Every handler's error is a `gr.Error` with one sentence.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..conversation import chat_turn, more_like_turn, replay, rerun
from ..errors import ReviewQAError
from ..exports import clips_for
from ..gazetteer import NATIONS, UNKNOWN
from ..search import Filters
from ..search.explain import UNKNOWN_MEANS
from ..search.vocabulary import FilterValues, filter_values
from ..settings import Settings
from . import edit as edit_form
from .answers import APP_K, answer_page, result_profile
from .forms import (
    ANY,
    Click,
    age_choices,
    click_of,
    digest_of_answer,
    filters_to_panel,
    follow_up_example,
    keep_listed_years,
    keyword_choices,
    open_review,
    panel_to_filters,
    place_choices,
    removal_choices,
    write_briefing,
    write_export,
    year_choices,
)
from .links import SORTS, AnswerView, from_query, link_of, to_query
from .render import add_report_html, answer_html, digest_html, history_html, overview_html, selection_html
from .source_view import connect as connect_source
from .source_view import source_panel
from .uploads import ADD_FILE_TYPES, NATION_FROM_AREA, add_uploads

log = logging.getLogger("reviewqa.app")

SOURCE_CREDIT = (
    "Review summaries: NSPCC Learning, *Recently published case reviews* (national case review repository), "
    "written by the NSPCC and the reviewing safeguarding partnerships; reviewqa quotes them word for word. "
    "Read the full report before relying on a summary. Concerned about a child? NSPCC Helpline 0808 800 5000."
)
SERVER_FAULT = "Something went wrong on our side and it was logged. Please try again."
EXAMPLES = ("reviews about co-sleeping and substance misuse", "baby bruising missed by GP",
            "examples of disguised compliance in neglect cases", "2022 reviews about teenagers groomed to sell drugs")

# A click on any control inside the answer's, review's or selection's HTML (a title, a citation, Keep, a
# step of the conversation) is sent to the server with the control's data-* attributes (forms.click_of).
CLICKS_JS = """
element.addEventListener('click', (event) => {
  const control = event.target.closest('[data-rq-action]');
  if (!control || !element.contains(control)) return;
  event.preventDefault();
  trigger('click', Object.assign({}, control.dataset));
});
"""
# Once per page: back and forward show the answer their address names (the page reads it on load);
# the question box counts its characters against the real limit.
PAGE_JS = """
() => {
  window.addEventListener('popstate', () => window.location.reload());
  const count = () => {
    const box = document.querySelector('#rq-question textarea');
    const out = document.getElementById('rq-counter-text');
    if (!box || !out) return;
    const limit = Number(out.dataset.limit);
    const used = box.value.length;
    out.textContent = used.toLocaleString('en-GB') + ' of ' + limit.toLocaleString('en-GB') + ' characters' +
      (used >= limit ? ' (the limit: text beyond it was not kept)' : '');
  };
  document.addEventListener('input', (event) => { if (event.target.closest('#rq-question')) count(); });
  setInterval(count, 1000);
  // On a phone the filters would cover the answer: the sidebar starts closed there (its button opens it).
  const closeOnPhone = (tries) => {
    const sidebar = document.getElementById('rq-sidebar');
    if (!sidebar) { if (tries > 0) setTimeout(() => closeOnPhone(tries - 1), 100); return; }
    if (window.innerWidth < 768 && sidebar.classList.contains('open')) sidebar.querySelector('.toggle-button')?.click();
  };
  closeOnPhone(50);
}
"""
# After an answer: its address in the browser's history, and the answer's top in view.
PUSH_LINK_JS = """
(query) => {
  const next = query || '';
  if (next !== window.location.search) history.pushState(null, '', next || window.location.pathname);
  const top = document.getElementById('rq-tabs');
  if (top) {
    const box = top.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight * 0.5) top.scrollIntoView({block: 'start'});
  }
}
"""
SCROLL_TO_CITED_JS = """
() => setTimeout(() => {
  const cited = document.querySelector('#rq-review mark');
  const top = document.getElementById('rq-tabs');
  (cited || top)?.scrollIntoView({block: cited ? 'center' : 'start'});
}, 150)
"""


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
    sort: Any
    weak: Any

    @property
    def values(self) -> list:
        return [self.year_from, self.year_to, self.places, self.keywords, self.age, self.include_unknown]


@dataclass
class AnswerPanel:
    answer: Any
    previous: Any
    next: Any
    pager: Any
    year_plot: Any
    place_plot: Any


def question_panel(gr, limit: int):
    with gr.Row(elem_id="rq-ask-row", equal_height=True):
        # The box holds what the search takes: a longer paste is not cut silently and then refused.
        question = gr.Textbox(label=f"Your question (up to {limit:,} characters)", scale=5, min_width=260,
                              max_length=limit, lines=1, placeholder="e.g. baby bruising missed by GP",
                              elem_id="rq-question", autofocus=True)
        ask = gr.Button("Search", variant="primary", scale=1, min_width=110, elem_id="rq-ask")
    gr.HTML(f"<span id='rq-counter-text' data-limit='{limit}' aria-live='polite'>0 of {limit:,} characters</span>",
            elem_id="rq-counter", padding=False)
    with gr.Row(elem_id="rq-examples") as examples:
        buttons = [gr.Button(text, size="sm", elem_classes=["rq-example"]) for text in EXAMPLES]
    return question, ask, examples, buttons


def filter_panel(gr, values: FilterValues) -> FilterPanel:
    gr.Markdown("## Filters and order\nUnderstood filters appear here; change them and press *Apply*. Numbers: "
                "reviews with each value in the answer (*here*) and in the collection.")
    sort = gr.Radio([(label, key) for key, label in SORTS.items()], value="relevance", label="Order",
                    elem_id="rq-sort")
    weak = gr.Checkbox(value=False, label="Show weak matches", elem_id="rq-weak")
    years = year_choices(values)
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
        apply = gr.Button("Apply filters", variant="primary", elem_id="rq-apply")
        clear = gr.Button("Clear filters", elem_id="rq-clear")
    return FilterPanel(year_from, year_to, places, keywords, age, include_unknown, use_understanding, apply, clear,
                       sort, weak)


def unknown_info(values: FilterValues) -> str:
    counts = "; ".join(f"{values.unknown[group]} with {UNKNOWN_MEANS[group]}"
                       for group in ("place", "age", "year", "keyword") if values.unknown.get(group))
    return (f"A filter leaves out reviews whose value for it is unknown and says how many; tick to keep them. "
            f"In the collection: {counts}." if counts else "Every review's year, place, keywords and age are known.")


def answer_panel(gr) -> AnswerPanel:
    answer = gr.HTML("<p class='rq-note'>Ask a question above: the reviews that answer it are listed here, "
                     "best first, each with the passages that answer it.</p>", elem_id="rq-answer",
                     js_on_load=CLICKS_JS, padding=False)
    with gr.Row(elem_id="rq-pages"):
        previous = gr.Button("← Previous 10", size="sm", interactive=False, elem_id="rq-previous")
        pager = gr.HTML("", elem_id="rq-pager", padding=False)
        following = gr.Button("Next 10 →", size="sm", interactive=False, elem_id="rq-next")
    with gr.Accordion("This answer by year and by place", open=False, elem_id="rq-answer-charts"):
        with gr.Row():
            year_plot = gr.BarPlot(x="year", y="reviews", title="Reviews in this answer by year", height=240,
                                   elem_id="rq-answer-years")
            place_plot = gr.BarPlot(x="place", y="reviews", title="… by nation or English region", height=240,
                                    sort="-y", elem_id="rq-answer-places")
    return AnswerPanel(answer, previous, following, pager, year_plot, place_plot)


def digest_panel(gr):
    with gr.Row():
        open_digest = gr.Button("What these reviews learned", variant="primary", elem_id="rq-digest")
        markdown = gr.Button("Briefing (Markdown)", size="sm", elem_id="rq-digest-md")
        word = gr.Button("Briefing (Word)", size="sm", elem_id="rq-digest-docx")
    view = gr.HTML(elem_id="rq-digest-view")
    briefing = gr.File(label="Briefing", visible=False, interactive=False, elem_id="rq-digest-file")
    return open_digest, {"md": markdown, "docx": word}, view, briefing


EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel", "md": "Markdown note", "docx": "Word note"}
EXPORT_SCOPES = {"selection": ("Your selection", "rq-export-sel"), "results": ("This answer", "rq-export"),
                 "conversation": ("Whole conversation", "rq-export-all")}


def export_panel(gr):
    gr.Markdown("## Your selection\nPress *Keep* beside any passage, in any answer, to collect it here; reorder or "
                "drop passages, then export only those. Teaching notes (Markdown, Word) group them by review, in the "
                "order of the report, with the evidence sentence marked and the citation once.")
    selection = gr.HTML("<p class='rq-note'>Nothing kept yet.</p>", elem_id="rq-selection", js_on_load=CLICKS_JS)
    buttons = {}
    for scope, (label, prefix) in EXPORT_SCOPES.items():
        with gr.Row():
            for fmt, name in EXPORT_FORMATS.items():
                buttons[scope, fmt] = gr.Button(f"{label}: {name}", size="sm", elem_id=f"{prefix}-{fmt}")
    clear = gr.Button("Clear the selection", size="sm", elem_id="rq-selection-clear")
    export_file = gr.File(label="Download", visible=False, interactive=False, elem_id="rq-export-file")
    return selection, buttons, clear, export_file


def overview_panel(gr):
    overview = gr.HTML(elem_id="rq-overview")
    with gr.Row():
        years = gr.BarPlot(x="year", y="reviews", title="Reviews by year", height=240, elem_id="rq-overview-years")
        places = gr.BarPlot(x="place", y="reviews", title="Reviews by nation or English region", height=240,
                            sort="-y", elem_id="rq-overview-places")
    return overview, years, places


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


def _plot_rows(counts, column: str):
    import pandas as pd

    return pd.DataFrame([{column: str(name), "reviews": count} for name, count in counts],
                        columns=[column, "reviews"])


def _places(values: FilterValues) -> list[tuple[str, int]]:
    """Nations and English regions (a region stands for England, so England itself is left out
    when its regions are there)."""
    nations = {name for name, _ in values.nations}
    regions = [(name, count) for name, count in values.regions if name not in nations]
    return ([(name, count) for name, count in values.nations if not (name == "England" and regions)] + regions)


def build_app(settings: Settings, service, reviews, export_dir: Path | None = None):
    """The Blocks, answering from `service`. `reviews` fill the filter lists without waiting for the
    index to open (the page is up before the index and the model are loaded)."""
    import gradio as gr

    values = filter_values(list(reviews))
    # Made on the first export, not at start (serve() puts it in the server's temp folder, removed on exit).
    export_dir = (Path(export_dir) if export_dir
                  else Path(tempfile.gettempdir()) / f"reviewqa-exports-{os.urandom(6).hex()}")
    nothing = gr.skip

    def collection_values() -> FilterValues:
        try:
            return filter_values(service.reviews())
        except ReviewQAError:
            return values

    def shown(conversation: list, index: int, view: AnswerView, picks=()):
        """Everything that shows an answer: the list, its pages, the conversation, the link, the
        charts, the filters (with the answer's counts) and the order; the Answer tab in front."""
        turn = conversation[index]
        page = answer_page(turn, view)
        view = replace(view, page=page.page)
        here, everywhere = result_profile(turn, view), collection_values()
        panel = filters_to_panel(turn.filters)
        ages = age_choices(everywhere, here)
        age = panel["age"]
        pager = (f"<span class='rq-note'>Page {page.page} of {page.pages}</span>" if page.pages > 1 else "")
        return (
            conversation, index, view,
            answer_html(turn, page, frozenset(clip.passage.chunk.id for clip in picks or ())),
            history_html(conversation, index),
            to_query(link_of(turn, view)),
            gr.update(interactive=page.page > 1), pager, gr.update(interactive=page.page < page.pages),
            _plot_rows(here.years, "year"), _plot_rows(_places(here), "place"),
            gr.update(value=panel["year_from"], choices=year_choices(everywhere, here)),
            gr.update(value=panel["year_to"], choices=year_choices(everywhere, here)),
            gr.update(value=panel["places"], choices=place_choices(everywhere, here)),
            gr.update(value=panel["keywords"], choices=keyword_choices(everywhere, here)),
            gr.update(value=age, choices=ages if age in {value for _, value in ages} else ages + [(age, age)]),
            gr.update(value=panel["include_unknown"]),
            gr.update(value=view.sort), gr.update(value=view.weak),
            gr.Tabs(selected="answer"), gr.update(visible=False),
        )

    @user_errors
    def respond(message, conversation, view, year_from, year_to, places, keywords, age, include_unknown,
                use_understanding, picks=()):
        conversation = list(conversation or [])
        if not (message or "").strip():
            raise ReviewQAError("The question is empty; type a few words describing what you are looking for.")
        filters = panel_to_filters(year_from, year_to, places, keywords, age, include_unknown)
        turn = chat_turn(service, message, conversation, filters, bool(use_understanding), k=APP_K)
        # "show more" turns the page; anything else starts at page 1 in the same order.
        view = replace(view, page=view.page + 1) if turn.kind == "more" else AnswerView(sort=view.sort)
        conversation.append(turn)
        return shown(conversation, len(conversation) - 1, view, picks)

    def current_turn(conversation, index):
        if not conversation:
            raise ReviewQAError("Ask a question first.")
        return conversation[index if 0 <= index < len(conversation) else -1]

    @user_errors
    def apply_panel(conversation, index, view, year_from, year_to, places, keywords, age, include_unknown, picks=()):
        conversation = list(conversation or [])
        if not conversation:
            raise ReviewQAError("Ask a question first; the filters apply to it.")
        previous = current_turn(conversation, index)
        filters = keep_listed_years(panel_to_filters(year_from, year_to, places, keywords, age, include_unknown),
                                    previous.filters)
        return rerun_with(conversation, previous, filters, view, picks)

    def rerun_with(conversation, previous, filters, view, picks=()):
        turn = rerun(service, previous, filters, APP_K, f"(filters) {filters.describe() or 'no filters'}",
                     "refine", "filters set in the panel: " + (filters.describe() or "none"))
        conversation.append(turn)
        return shown(conversation, len(conversation) - 1, replace(view, page=1), picks)

    @user_errors
    def clear_panel(conversation, index, view, picks=()):
        conversation = list(conversation or [])
        if not conversation:
            cleared = (gr.update(value=ANY), gr.update(value=ANY), gr.update(value=[]), gr.update(value=[]),
                       gr.update(value=ANY), gr.update(value=False))
            return (nothing(),) * 11 + cleared + (nothing(),) * 4
        return rerun_with(conversation, current_turn(conversation, index), Filters(), view, picks)

    @user_errors
    def change_view(conversation, index, view, sort, weak, picks, step):
        if not conversation:
            return (nothing(),) * len(show_outputs)
        page = 1 if step == 0 else view.page + step
        return shown(list(conversation), index, AnswerView(sort=sort, page=page, weak=bool(weak)), picks)

    def new_conversation():
        return ([], -1, AnswerView(), answer_panel_intro(), "", "", gr.update(interactive=False), "",
                gr.update(interactive=False), None, None,
                gr.update(value=ANY), gr.update(value=ANY), gr.update(value=[]), gr.update(value=[]),
                gr.update(value=ANY), gr.update(value=False), gr.update(value="relevance"), gr.update(value=False),
                gr.Tabs(selected="answer"), gr.update(visible=True))

    @user_errors
    def load_link(request: gr.Request):
        params = {name: request.query_params.getlist(name) for name in request.query_params} if request else {}
        link = from_query(params, settings.max_query_chars)
        if link.empty:
            return (nothing(),) * (len(show_outputs) + 1)
        turn = replay(service, link.question, link.more_like, link.filters, link.literal, APP_K)
        return (*shown([turn], 0, link.view), link.question)

    @user_errors
    def answer_clicked(evt: gr.EventData, conversation, index, view, picks=()):
        click = click_of(evt._data)
        if click.action == "turn" and click.turn is not None and conversation and click.turn < len(conversation):
            return (*shown(list(conversation), click.turn, AnswerView(sort=view.sort), picks), nothing(), nothing())
        if click.action == "source":
            # The source panel opens it (qa/web/source_view.py, wired to the same click); this brings its tab.
            return (nothing(),) * (len(show_outputs) - 2) + (gr.Tabs(selected="source"),) + (nothing(),) * 3
        if click.action == "open":
            return ((nothing(),) * (len(show_outputs) - 2) + (gr.Tabs(selected="review"), nothing())
                    + (open_review(service, click), click.review))
        return (nothing(),) * (len(show_outputs) + 2)

    # Gradio passes the request and the click's data to parameters annotated with its types; with
    # postponed annotations (and gradio imported in this function, not at import time) it could not
    # resolve the names, so the types are set here.
    load_link.__annotations__["request"] = gr.Request
    answer_clicked.__annotations__["evt"] = gr.EventData

    @user_errors
    def more_like(opened, conversation, view, keep, year_from, year_to, places, keywords, age, include_unknown,
                  picks=()):
        conversation = list(conversation or [])
        if not opened:
            raise ReviewQAError("Open a review first, then ask for more like it.")
        filters = panel_to_filters(year_from, year_to, places, keywords, age, include_unknown) if keep else Filters()
        title = service.review(opened).review.title
        kept = " (with the current filters)" if keep and filters.describe() else ""
        conversation.append(more_like_turn(service, opened, filters, APP_K, "More like this review",
                                           f"reviews like “{title}”{kept}"))
        return shown(conversation, len(conversation) - 1, AnswerView(sort=view.sort), picks)

    @user_errors
    def show_digest(conversation, index):
        conversation = list(conversation or [])
        if conversation:
            conversation = conversation[:index + 1] if 0 <= index < len(conversation) else conversation
        digest = digest_of_answer(service, conversation)
        return digest_html(digest, service.index().reviews), digest

    def briefing_writer(fmt: str):
        @user_errors
        def export(digest):
            name = write_briefing(digest, service.index().reviews, fmt, export_dir)
            return gr.update(value=name, visible=True)
        return export

    def exporter(scope: str, fmt: str):
        @user_errors
        def export(conversation, index, picks):
            conversation = list(conversation or [])
            if scope == "results" and 0 <= index < len(conversation):
                conversation = conversation[:index + 1]          # the answer on the screen
            return gr.update(value=write_export(conversation, scope, fmt, export_dir, kept=list(picks or [])),
                             visible=True)
        return export


    @user_errors
    def pick_clicked(evt: gr.EventData, conversation, index, view, picks):
        click = click_of(evt._data)
        picks = list(picks or [])
        if click.action in ("unpick", "up", "down"):
            at = next((i for i, clip in enumerate(picks) if clip.passage.chunk.id == click.passage), None)
            if at is None:
                return nothing(), nothing(), nothing()
            if click.action == "unpick":
                picks.pop(at)
            else:
                other = at - 1 if click.action == "up" else at + 1
                if 0 <= other < len(picks):
                    picks[at], picks[other] = picks[other], picks[at]
        elif click.action == "pick" and conversation and 0 <= index < len(conversation):
            # Keep adds (once); the selection's own buttons drop and reorder.
            # The passage as the answer showed it (a forged one is refused here), kept with its question: the
            # selection outlives the conversation (a new conversation, a colleague's link).
            if all(clip.passage.chunk.id != click.passage for clip in picks):
                picks += clips_for(list(conversation), [(index, click.review, click.passage)])
        else:
            return nothing(), nothing(), nothing()
        turn = conversation[index] if conversation and 0 <= index < len(conversation) else None
        kept = frozenset(clip.passage.chunk.id for clip in picks)
        answer = answer_html(turn, answer_page(turn, view), kept) if turn is not None else nothing()
        return picks, answer, selection_html(picks)

    pick_clicked.__annotations__["evt"] = gr.EventData

    @user_errors
    def show_overview():
        everywhere = collection_values()
        kinds = service.stats().documents_by_kind if service.has_index() else None
        return (overview_html(everywhere, kinds), _plot_rows(everywhere.years, "year"),
                _plot_rows(_places(everywhere), "place"))

    def choice_updates():
        """New reviews' years and places in the filter panel, after an add or a remove."""
        fresh = collection_values()
        return (gr.update(choices=year_choices(fresh)), gr.update(choices=year_choices(fresh)),
                gr.update(choices=place_choices(fresh)))

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
        return (edit_form.edit_status_html(report), open_review(service, Click("open", review=review_id)),
                *edit_form.prefill(gr, service, review_id), *choice_updates())

    latest_year = values.years[-1][0] if values.years else "2022"
    with gr.Blocks(title="reviewqa — search child safeguarding case reviews") as demo:
        gr.Markdown("# reviewqa\nSearch child safeguarding case reviews in your own words: every answer is the "
                    f"reviews' own words, cited. Follow up with *only {latest_year}*, *{follow_up_example(values)}*, "
                    "*show more* or *more like the second one*. Questions are read in English.",
                    elem_id="rq-intro")
        conversation = gr.State([])
        current = gr.State(-1)
        view_state = gr.State(AnswerView())
        opened_id = gr.State("")
        digest_state = gr.State(None)
        picks = gr.State([])          # the trainer's selection: qa/exports Clip records, in order
        link = gr.Textbox(visible="hidden", elem_id="rq-link", label="Link to this answer")
        with gr.Sidebar(label="Filters and order", open=True, elem_id="rq-sidebar"):
            filters = filter_panel(gr, values)
        question, ask, examples, example_buttons = question_panel(gr, settings.max_query_chars)
        with gr.Row(elem_id="rq-history-row"):
            history = gr.HTML("", elem_id="rq-history", js_on_load=CLICKS_JS, padding=False)
            new_button = gr.Button("New conversation", size="sm", scale=0, min_width=150, elem_id="rq-new")
        with gr.Tabs(selected="answer", elem_id="rq-tabs") as tabs:
            with gr.Tab("Answer", id="answer", elem_id="rq-tab-answer"):
                answers = answer_panel(gr)
            with gr.Tab("Review", id="review", elem_id="rq-tab-review"):
                with gr.Row():
                    back = gr.Button("← Back to the answer", size="sm", elem_id="rq-back")
                    like_button = gr.Button("More like this review", size="sm", elem_id="rq-more-like")
                    like_keep = gr.Button("More like this, keeping the filters", size="sm",
                                          elem_id="rq-more-like-filtered")
                review_view = gr.HTML("<p class='rq-note'>A result's title opens its review here, at the cited "
                                      "passage.</p>", elem_id="rq-review", js_on_load=CLICKS_JS)
                edit = edit_form.edit_panel(gr)
            with gr.Tab("Source", id="source", elem_id="rq-tab-source"):
                source = source_panel(gr)
            with gr.Tab("What these reviews learned", id="digest", elem_id="rq-tab-digest"):
                open_digest, briefing_buttons, digest_view, briefing_file = digest_panel(gr)
            with gr.Tab("Selection and export", id="export", elem_id="rq-tab-export"):
                selection_view, export_buttons, clear_selection, export_file = export_panel(gr)
            with gr.Tab("The collection", id="overview", elem_id="rq-tab-overview") as overview_tab:
                overview, overview_years, overview_places = overview_panel(gr)
        upload, add_fields, add_button, add_status, remove_pick, remove_button, confirm = add_panel(gr, settings)
        gr.Markdown(SOURCE_CREDIT, elem_id="rq-credit")

        panel = filters.values
        show_outputs = [conversation, current, view_state, answers.answer, history, link, answers.previous,
                        answers.pager, answers.next, answers.year_plot, answers.place_plot, *panel, filters.sort,
                        filters.weak, tabs, examples]
        private: dict[str, Any] = {"api_visibility": "private"}

        def then_link(event):
            event.then(None, [link], None, js=PUSH_LINK_JS, **private)

        ask_inputs = [question, conversation, view_state, *panel, filters.use_understanding, picks]
        for trigger in (ask.click, question.submit):
            then_link(trigger(respond, ask_inputs, show_outputs, **private))
        for button, text in zip(example_buttons, EXAMPLES):
            then_link(button.click(lambda text=text: text, None, [question], **private)
                      .then(respond, ask_inputs, show_outputs, **private))
        then_link(filters.apply.click(apply_panel, [conversation, current, view_state, *panel, picks], show_outputs,
                                      **private))
        then_link(filters.clear.click(clear_panel, [conversation, current, view_state, picks], show_outputs,
                                      **private))
        view_inputs = [conversation, current, view_state, filters.sort, filters.weak, picks]
        then_link(filters.sort.input(lambda *a: change_view(*a, 0), view_inputs, show_outputs, **private))
        then_link(filters.weak.input(lambda *a: change_view(*a, 0), view_inputs, show_outputs, **private))
        then_link(answers.previous.click(lambda *a: change_view(*a, -1), view_inputs, show_outputs, **private))
        then_link(answers.next.click(lambda *a: change_view(*a, 1), view_inputs, show_outputs, **private))
        click_outputs = [*show_outputs, review_view, opened_id]
        for clickable in (answers.answer, history, review_view):
            clickable.click(answer_clicked, [conversation, current, view_state, picks], click_outputs, **private) \
                .then(None, None, None, js=SCROLL_TO_CITED_JS, **private) \
                .then(user_errors(functools.partial(edit_form.prefill, gr, service)), [opened_id], edit.fields,
                      **private)
        edit.document.change(user_errors(functools.partial(edit_form.document_kind_of, service)),
                             [opened_id, edit.document], [edit.kind], **private)
        back.click(lambda: gr.Tabs(selected="answer"), None, [tabs], **private)
        then_link(new_button.click(new_conversation, None, show_outputs, **private))
        then_link(like_button.click(lambda *a: more_like(a[0], a[1], a[2], False, *a[3:]),
                                    [opened_id, conversation, view_state, *panel, picks], show_outputs, **private))
        then_link(like_keep.click(lambda *a: more_like(a[0], a[1], a[2], True, *a[3:]),
                                  [opened_id, conversation, view_state, *panel, picks], show_outputs, **private))
        connect_source(gr, source, [answers.answer, review_view], service, export_dir, user_errors, **private)
        open_digest.click(show_digest, [conversation, current], [digest_view, digest_state], **private)
        for fmt, button in briefing_buttons.items():
            button.click(briefing_writer(fmt), [digest_state], [briefing_file], **private)
        for (scope, fmt), button in export_buttons.items():
            button.click(exporter(scope, fmt), [conversation, current, picks], [export_file], **private)
        for clickable in (answers.answer, selection_view):
            clickable.click(pick_clicked, [conversation, current, view_state, picks],
                            [picks, answers.answer, selection_view], **private)
        clear_selection.click(lambda: ([], selection_html([])), None, [picks, selection_view], **private)
        overview_tab.select(show_overview, None, [overview, overview_years, overview_places], **private)
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
        demo.load(load_link, None, [*show_outputs, question], **private)
        demo.load(removal_update, None, [remove_pick], **private)
    # Several people can search at once; each search is short, so a small pool keeps latency flat.
    demo.queue(default_concurrency_limit=4, max_size=64)
    demo.reviewqa_export_dir = export_dir
    return demo


def page_options() -> dict:
    """What the page needs besides the Blocks (passed to mount_gradio_app or launch): the app's CSS
    and its one page script."""
    from .render import CSS

    return {"css": CSS, "js": PAGE_JS}


def answer_panel_intro() -> str:
    return ("<p class='rq-note'>Ask a question above: the reviews that answer it are listed here, best first, "
            "each with the passages that answer it.</p>")
