"""The app's source view: a cited passage opened where it is. A PDF shows its page drawn with the
passage highlighted (qa/source.py), with previous and next page and a download of the original; a
DOCX, web page or text file shows its text scrolled to the passage; an NSPCC summary links to the
NSPCC's page.

The contract with the rest of the app: any element in app HTML carrying
    data-rq-action="source" data-document="<document id>" data-page="<n>" data-passage="<passage id>"
(or data-start and data-end instead of data-passage) opens the source, when it sits inside a gr.HTML
made with `js_on_load=scripts.CLICKS_JS` whose click is wired by `connect` (forms.click_of reads it).
Images and downloads are files in the app's export folder, so Gradio serves them behind the app's own
login.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from ..errors import InvalidQueryError, ReviewQAError
from ..source import document_html
from .forms import click_of

# The text view scrolls to the marked passage each time it is shown.
SCROLL_TO_PASSAGE_JS = """
const scroll = () => {
  const mark = element.querySelector('#rq-passage');
  if (mark) mark.scrollIntoView({block: 'center'});
};
watch('value', scroll);
scroll();
"""
MAX_ID = 300


@dataclass
class SourcePanel:
    box: Any            # the column holding the rest (each part shown once a source is opened)
    heading: Any
    image: Any          # the PDF page, the passage highlighted
    previous: Any
    next: Any
    download: Any       # the original file
    text: Any           # a DOCX, web page or text file, the passage marked
    link: Any           # an NSPCC summary's page
    state: Any          # what is open: {"document", "page", "pages", "start", "end"}

    @property
    def outputs(self) -> list:
        return [self.box, self.heading, self.image, self.previous, self.next, self.download, self.text, self.link,
                self.state]


def source_panel(gr) -> SourcePanel:
    with gr.Column(elem_id="rq-source") as box:
        heading = gr.HTML(elem_id="rq-source-heading")
        image = gr.Image(type="filepath", format="png", interactive=False, show_label=False, visible=False,
                         elem_id="rq-source-page", buttons=[])
        with gr.Row():
            previous = gr.Button("Previous page", size="sm", visible=False, elem_id="rq-source-previous")
            next_page = gr.Button("Next page", size="sm", visible=False, elem_id="rq-source-next")
            download = gr.DownloadButton("Download the original", size="sm", visible=False,
                                         elem_id="rq-source-download")
        text = gr.HTML(visible=False, max_height=600, elem_id="rq-source-text", js_on_load=SCROLL_TO_PASSAGE_JS)
        link = gr.HTML(visible=False, elem_id="rq-source-link")
        state = gr.State({})
    return SourcePanel(box, heading, image, previous, next_page, download, text, link, state)


def request_of(data: Any) -> dict:
    """A citation's click (its data attributes, read by forms.click_of) -> the document id, page, passage
    id and offsets."""
    click = click_of(data)
    if click.action != "source" or not click.document:
        raise InvalidQueryError("That link does not say which document to open.")
    if len(click.document) > MAX_ID:
        raise InvalidQueryError("That link's document is not valid.")
    # A card's citation carries both its passage id and its offsets; the id is the more precise.
    passage = click.passage or None
    start, end = (None, None) if passage else (click.start, click.end)
    return {"document": click.document, "page": click.page, "passage": passage, "start": start, "end": end}


def open_source(service, folder: Path, data: Any) -> tuple:
    """The panel's outputs for a click on a marked element (its data attributes in `data`)."""
    import gradio as gr

    asked = request_of(data)
    view = service.source(asked["document"], passage=asked["passage"], start=asked["start"], end=asked["end"])
    document = view.document
    title = service.review(document.review_id).review.title
    span = view.span
    state = {"document": document.id, "page": None, "pages": view.pages,
             "start": span[0] if span else None, "end": span[1] if span else None}
    hidden = gr.update(visible=False)
    download = (gr.update(value=_copy_original(service, document.id, folder), visible=True) if view.has_original
                else hidden)
    if view.kind == "page":
        page = asked["page"] if asked["page"] and 1 <= asked["page"] <= view.pages else view.page or 1
        state["page"] = page
        return (gr.update(visible=True), _heading(document, title, page, view.pages),
                *_page_updates(service, folder, state), download, hidden, hidden, state)
    if view.kind == "summary":
        link = (f"<div class='rq-line'>This is the NSPCC's summary of the review. The summaries are published on "
                f"<a href='{escape(view.link or '')}' target='_blank' rel='noopener noreferrer'>the NSPCC's recently "
                "published case reviews page</a>, with links to the full reports.</div>")
        return (gr.update(visible=True), _heading(document, title), hidden, hidden, hidden, hidden,
                gr.update(value=document_html(document, span), visible=True), gr.update(value=link, visible=True),
                state)
    return (gr.update(visible=True), _heading(document, title), hidden, hidden, hidden, download,
            gr.update(value=document_html(document, span), visible=True), hidden, state)


def turn_page(service, folder: Path, state: Any, step: int) -> tuple:
    """The heading, page image and buttons for the page `step` away from the one shown (kept in range)."""
    if not isinstance(state, dict) or not state.get("document") or not state.get("page"):
        raise ReviewQAError("Open a source first.")
    state = {**state, "page": min(max(1, int(state["page"]) + step), int(state["pages"]))}
    view = service.source(state["document"])
    title = service.review(view.document.review_id).review.title
    return (_heading(view.document, title, state["page"], state["pages"]), *_page_updates(service, folder, state),
            state)


def _page_updates(service, folder: Path, state: dict) -> tuple:
    import gradio as gr

    highlight = {"start": state["start"], "end": state["end"]} if state.get("start") is not None else {}
    image = service.page_image(state["document"], state["page"], **highlight)
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, prefix=f"reviewqa-page-{state['page']}-", suffix=".png")
    with os.fdopen(handle, "wb") as out:
        out.write(image.png)
    return (gr.update(value=name, visible=True), gr.update(visible=True, interactive=state["page"] > 1),
            gr.update(visible=True, interactive=state["page"] < state["pages"]))


def _copy_original(service, document_id: str, folder: Path) -> str:
    """A copy of the original in the export folder (a folder of its own, so the download keeps the
    original's name and two people never share one)."""
    original = service.original(document_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(dir=folder, prefix="reviewqa-original-")) / original.filename
    shutil.copyfile(original.path, target)
    return str(target)


def _heading(document, title: str, page: int | None = None, pages: int = 0) -> str:
    where = ""
    if page is not None:
        label = document.pages[page - 1].label if 0 < page <= len(document.pages) else None
        printed = f" (printed {escape(label)})" if label and label != str(page) else ""
        where = f" · page {page} of {pages}{printed}"
    return (f"<div class='rq-source-heading'><strong>{escape(document.kind_label)}</strong> · {escape(title)}"
            f"{where}</div>")


def connect(gr, panel: SourcePanel, triggers, service, folder: Path, user_errors, **options) -> None:
    """Wire gr.HTMLs whose clicks carry data attributes (`triggers`) and the panel's page buttons. A click
    on another control of the same HTML (its data-rq-action is not "source") leaves the panel as it is."""

    def clicked(evt):
        data = getattr(evt, "_data", None)
        if isinstance(data, dict) and data.get("rqAction") != "source":
            return tuple(gr.skip() for _ in panel.outputs)
        return open_source(service, folder, data)

    # Gradio passes the click's data to a parameter typed gr.EventData; the type is set as an object,
    # since a string annotation could not be resolved in this module (gradio is imported late).
    clicked.__annotations__ = {"evt": gr.EventData}
    on_click = user_errors(clicked)

    @user_errors
    def previous(state):
        return turn_page(service, folder, state, -1)

    @user_errors
    def following(state):
        return turn_page(service, folder, state, 1)

    for trigger in triggers:
        trigger.click(on_click, None, panel.outputs, **options)
    page_outputs = [panel.heading, panel.image, panel.previous, panel.next, panel.state]
    panel.previous.click(previous, [panel.state], page_outputs, **options)
    panel.next.click(following, [panel.state], page_outputs, **options)
