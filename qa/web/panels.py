"""The app's panels: one function per panel makes its Gradio components (given `gr`, so nothing is
imported at import time) and returns them, as a small record where the wiring needs them by name. No
handler here: ui.py wires the panels to the service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..gazetteer import NATIONS, UNKNOWN
from ..search.explain import UNKNOWN_MEANS
from ..search.vocabulary import FilterValues
from ..settings import Settings
from . import edit as edit_form
from .forms import ANY, age_choices, keyword_choices, place_choices, year_choices
from .links import SORTS
from .scripts import CLICKS_JS
from .uploads import ADD_FILE_TYPES, NATION_FROM_AREA

EXAMPLES = ("reviews about co-sleeping and substance misuse", "baby bruising missed by GP",
            "examples of disguised compliance in neglect cases", "2022 reviews about teenagers groomed to sell drugs")


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
    answer = gr.HTML(answer_panel_intro(), elem_id="rq-answer", js_on_load=CLICKS_JS, padding=False)
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


def plot_rows(counts, column: str):
    import pandas as pd

    return pd.DataFrame([{column: str(name), "reviews": count} for name, count in counts],
                        columns=[column, "reviews"])


def places_of(values: FilterValues) -> list[tuple[str, int]]:
    """Nations and English regions (a region stands for England, so England itself is left out
    when its regions are there)."""
    nations = {name for name, _ in values.nations}
    regions = [(name, count) for name, count in values.regions if name not in nations]
    return ([(name, count) for name, count in values.nations if not (name == "England" and regions)] + regions)


def answer_panel_intro() -> str:
    return ("<p class='rq-note'>Ask a question above: the reviews that answer it are listed here, best first, "
            "each with the passages that answer it.</p>")
