"""The app's "Edit details" form for the opened review, and the question the app asks before it
removes a document. Builders make the components (`edit_panel`, `removal_confirmation`); the
handlers are plain functions of the service and the form's values, wired in ui.py.

The form sends only what the user changed (a field left as it was prefilled is not sent), so a value
the collection holds in a form the boxes cannot show exactly is never rewritten by a save.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from ..changes import DocumentEdit, EditReport, ReviewEdit
from ..errors import ReviewQAError
from ..gazetteer import NATIONS, UNKNOWN
from ..ingest.metadata import ages_text
from ..records import DOCUMENT_KINDS

FIELDS = ("title", "year", "area", "nation", "region", "name", "child_ages")
KIND_CHOICES = [(label, kind) for kind, label in DOCUMENT_KINDS.items()]


@dataclass
class EditPanel:
    title: Any
    year: Any
    area: Any
    nation: Any
    region: Any
    name: Any
    ages: Any
    document: Any
    kind: Any
    save: Any
    status: Any

    @property
    def review_fields(self) -> list:
        return [self.title, self.year, self.area, self.nation, self.region, self.name, self.ages]

    @property
    def fields(self) -> list:
        """What `prefill` fills and `save` reads, in order."""
        return [*self.review_fields, self.document, self.kind]


def edit_panel(gr) -> EditPanel:
    with gr.Accordion("Edit details of the opened review", open=False, elem_id="rq-edit-panel"):
        gr.Markdown("Correct what was guessed when the review was added. Write *unknown* to clear a field. Nation "
                    "and region follow a new area unless you change them; nothing is embedded again.")
        with gr.Row():
            title = gr.Textbox(label="Title", max_length=300, elem_id="rq-edit-title", scale=3)
            year = gr.Textbox(label="Year", max_length=7, placeholder="e.g. 2021", elem_id="rq-edit-year")
            name = gr.Textbox(label="Child's name", max_length=200, placeholder="e.g. Child Q",
                              elem_id="rq-edit-name")
        with gr.Row():
            area = gr.Textbox(label="Area", max_length=100, placeholder="e.g. Kent", elem_id="rq-edit-area")
            nation = gr.Dropdown([*NATIONS, UNKNOWN], value=None, label="Nation", elem_id="rq-edit-nation")
            region = gr.Textbox(label="Region", max_length=100, elem_id="rq-edit-region")
            ages = gr.Textbox(label="Child ages", max_length=200, placeholder="e.g. 3 years; 5 months",
                              elem_id="rq-edit-ages")
        with gr.Row():
            document = gr.Dropdown([], label="Document", elem_id="rq-edit-document", scale=3)
            kind = gr.Dropdown(KIND_CHOICES, value=None, label="Kind", elem_id="rq-edit-kind")
        save = gr.Button("Save details", variant="primary", elem_id="rq-edit-save")
        status = gr.HTML(elem_id="rq-edit-status")
    return EditPanel(title, year, area, nation, region, name, ages, document, kind, save, status)


def review_values(review) -> list[str]:
    """The review's fields as the boxes show them (FIELDS' order)."""
    return [review.title, str(review.year) if review.year is not None else UNKNOWN, review.area, review.nation,
            review.region, review.name, ages_text(review.child_ages) or UNKNOWN]


def prefill(gr, service, review_id: str) -> list:
    """Updates for EditPanel.fields: the opened review's details, its documents and the first one's kind."""
    if not review_id:
        # Empty boxes; the nation list is emptied to no choice (an empty string is not one of its values).
        return ([gr.update(value=None if field == "nation" else "") for field in FIELDS]
                + [gr.update(choices=[], value=None), gr.update(value=None)])
    view = service.review(review_id)
    documents = [(f"{d.title or d.kind_label} ({d.id})", d.id) for d in view.documents]
    first = view.documents[0] if view.documents else None
    return ([gr.update(value=value) for value in review_values(view.review)]
            + [gr.update(choices=documents, value=first.id if first else None),
               gr.update(value=first.kind if first else None)])


def document_kind_of(service, review_id: str, document_id: str) -> str | None:
    """The kind to show when another document is picked."""
    if not review_id or not document_id:
        return None
    return next((d.kind for d in service.review(review_id).documents if d.id == document_id), None)


def save(service, review_id: str, title, year, area, nation, region, name, ages, document_id,
         kind) -> EditReport:
    """Send what differs from the review as it is to Service.edit."""
    if not review_id:
        raise ReviewQAError("Open a review first (pick a result, then Open review); then edit its details.")
    view = service.review(review_id)
    given = dict(zip(FIELDS, (title, year, area, nation, region, name, ages)))
    shown = dict(zip(FIELDS, review_values(view.review)))
    changed = {field: str(value).strip() for field, value in given.items()
               if value is not None and str(value).strip() != shown[field]}
    documents = {}
    if document_id and kind:
        current = next((d for d in view.documents if d.id == document_id), None)
        if current is not None and current.kind != kind:
            documents[document_id] = DocumentEdit(kind=kind)
    if not changed and not documents:
        raise ReviewQAError("Nothing was changed: edit a box (or a document's kind), then save.")
    return service.edit(review_id, ReviewEdit(**changed), documents)


def edit_status_html(report: EditReport) -> str:
    return f"<div class='rq-line'>{escape(report.message)}</div>"


# --- removal asks first ---------------------------------------------------------------------------------

@dataclass
class RemovalConfirmation:
    question: Any        # the sentence that asks (hidden until Remove is pressed)
    yes: Any
    cancel: Any
    asked: Any           # the document id the question is about (a later change of the pick does not count)


def removal_confirmation(gr) -> RemovalConfirmation:
    question = gr.HTML(visible=False, elem_id="rq-remove-question")
    with gr.Row():
        yes = gr.Button("Yes, remove it", variant="stop", visible=False, elem_id="rq-remove-yes")
        cancel = gr.Button("Cancel", visible=False, elem_id="rq-remove-cancel")
    return RemovalConfirmation(question, yes, cancel, gr.State(""))


def removal_question(service, document_id: str) -> tuple[str, str]:
    """(the question in HTML, the yes button's words) for removing an added document."""
    if not document_id:
        raise ReviewQAError("Choose a document to remove first.")
    index = service.index()
    document = next((d for d in index.documents if d.id == document_id), None)
    if document is None:
        raise ReviewQAError(f"There is no document with id '{document_id[:120]}'; it may have been removed already.")
    review = index.reviews.get(document.review_id)
    title = document.title or (review.title if review else document.id)
    alone = review is not None and len(index.documents_of(review.id)) == 1
    question = (f"Remove “{escape(title)}” ({escape(document.id)}) from the collection? Its kept original "
                f"{escape(document.file or '')} is deleted too"
                + (f", and its review “{escape(review.title)}”, which has no other document" if alone and review
                   else "") + ". This cannot be undone: to have it back, add the file again.")
    short = title if len(title) <= 60 else title[:57] + "…"
    return f"<div class='rq-note rq-remove-question'>{question}</div>", f"Yes, remove {short} and its kept original"


def ask_removal(gr, service, document_id: str) -> tuple:
    """Remove pressed: updates for (question, yes, cancel, asked)."""
    question, words = removal_question(service, document_id)
    return (gr.update(value=question, visible=True), gr.update(value=words, visible=True), gr.update(visible=True),
            document_id)


def hide_removal(gr) -> tuple:
    return gr.update(value="", visible=False), gr.update(visible=False), gr.update(visible=False), ""
