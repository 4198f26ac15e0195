"""The Gradio app's Blocks: a question box, the answer as a list of cited reviews that starts at the
best one, with tabs beside it to read a review, open the source, keep passages for teaching, see what
the reviews learned, export, and see what the collection covers; filters and the order in a sidebar.
Every answer is a link (qa/web/links.py): the page's address holds the question, filters, order and
page, so reloading it, sending it to a colleague, back and forward all show the same answer.

`build_app` makes the Blocks from the panels (panels.py, one function each) and wires them to the service;
nothing heavy happens at import time. The conversation is in qa/conversation/, the answer's pages and
counts in answers.py, links in links.py, the values behind the components in forms.py, the HTML in
render.py, the page's JavaScript in scripts.py, the files in export.py, the add path in uploads.py, the
edit form in edit.py, the source view in source_view.py. Every handler's error is a `gr.Error` with one
sentence.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..conversation import chat_turn, more_like_turn, replay, rerun
from ..errors import ReviewQAError
from ..exports import clips_for
from ..search import Filters
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
from .kept import STORAGE_KEY, STORAGE_SECRET, check_room, restored, stored
from .links import AnswerView, from_query, link_of, to_query
from .panels import (
    EXAMPLES,
    add_panel,
    answer_panel,
    answer_panel_intro,
    digest_panel,
    export_panel,
    filter_panel,
    overview_panel,
    places_of,
    plot_rows,
    question_panel,
)
from .render import add_report_html, answer_html, digest_html, history_html, overview_html, selection_html
from .scripts import CLICKS_JS, PAGE_JS, PUSH_LINK_JS, SCROLL_TO_CITED_JS
from .source_view import connect as connect_source
from .source_view import source_panel
from .uploads import NATION_FROM_AREA, add_uploads

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
            return service.filter_values()
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
            plot_rows(here.years, "year"), plot_rows(places_of(here), "place"),
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
    def load_link(picks, request: gr.Request):
        params = {name: request.query_params.getlist(name) for name in request.query_params} if request else {}
        link = from_query(params, settings.max_query_chars)
        if link.empty:
            return (nothing(),) * (len(show_outputs) + 1)
        turn = replay(service, link.question, link.more_like, link.filters, link.literal, APP_K)
        return (*shown([turn], 0, link.view, picks), link.question)

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
                check_room(len(picks))
                picks += clips_for(list(conversation), [(index, click.review, click.passage)])
        else:
            return nothing(), nothing(), nothing()
        turn = conversation[index] if conversation and 0 <= index < len(conversation) else None
        kept = frozenset(clip.passage.chunk.id for clip in picks)
        answer = answer_html(turn, answer_page(turn, view), kept) if turn is not None else nothing()
        return picks, answer, selection_html(picks)

    pick_clicked.__annotations__["evt"] = gr.EventData

    def restore_selection(records):
        """The selection this browser kept, brought back on load; nothing changes while no index is open
        (the first start builds it), so what the browser holds waits for the next load."""
        if not records or not service.has_index():
            return nothing(), nothing()
        try:
            clips, dropped = restored(records, service.index())
        except ReviewQAError:
            return nothing(), nothing()
        return clips, selection_html(clips, dropped)

    @user_errors
    def show_overview():
        everywhere = collection_values()
        kinds = Counter(document.kind for document in service.index().documents) if service.has_index() else None
        return (overview_html(everywhere, kinds), plot_rows(everywhere.years, "year"),
                plot_rows(places_of(everywhere), "place"))

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
        # ... and what the browser keeps of it, so a reload loses nothing (qa/web/kept.py).
        kept_in_browser = gr.BrowserState([], storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
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
                .then(None, None, None, js=SCROLL_TO_CITED_JS, **private)
        # The form is filled when another review is opened, not on every click (a Keep click in the
        # answer must not wipe what is being typed); a save refills it itself.
        opened_id.change(user_errors(functools.partial(edit_form.prefill, gr, service)), [opened_id], edit.fields,
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
        picks.change(lambda clips: stored(list(clips or [])), [picks], [kept_in_browser], **private)
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
        # The kept selection first, so a linked answer marks what is already kept.
        demo.load(restore_selection, [kept_in_browser], [picks, selection_view], **private).then(
            load_link, [picks], [*show_outputs, question], **private)
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
