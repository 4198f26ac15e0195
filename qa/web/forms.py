"""What the app's components hold, to and from the library's records: the filter panel and
Filters, a conversation as chat messages, the result picker, exports. No Gradio here: these are
plain functions the Blocks in ui.py call, and the tests call directly."""

from __future__ import annotations

import html
import os
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from ..conversation import Turn
from ..digest import briefing
from ..errors import ReviewQAError
from ..gazetteer import AGE_GROUPS, age_label
from ..search import search_request
from ..search.filters import Filters, filters_from_input
from ..search.vocabulary import FilterValues
from .export import write_export as write_export  # the app's export buttons (ui.py) call it from here
from .render import answer_html, error_html, review_html

ANY = "any"
PLACE_KINDS = {"Nation": "nations", "Region": "regions", "Area": "areas"}

def place_choices(values: FilterValues) -> list[tuple[str, str]]:
    """(label with the number of reviews, value) for every nation, English region and area."""
    kinds = (("Nation", values.nations), ("Region", [(r, n) for r, n in values.regions
                                                     if r not in {nation for nation, _ in values.nations}]),
             ("Area", values.areas))
    return [(f"{kind}: {name} ({count})", f"{kind}: {name}") for kind, listed in kinds for name, count in listed]


def keyword_choices(values: FilterValues) -> list[tuple[str, str]]:
    return [(f"{keyword} ({count})", keyword) for keyword, count in sorted(values.keywords)]


def age_choices(values: FilterValues) -> list[tuple[str, str]]:
    return [(ANY, ANY)] + [(f"{label} ({count})", label) for label, count in values.age_groups]


def panel_to_filters(year_from, year_to, places, keywords, age, include_unknown=False) -> Filters:
    chosen: dict[str, list[str]] = {field: [] for field in PLACE_KINDS.values()}
    for place in places or []:
        kind, _, name = str(place).partition(": ")
        chosen[PLACE_KINDS.get(kind, "areas")].append(name or kind)
    return filters_from_input(year_from=None if year_from == ANY else year_from,
                              year_to=None if year_to == ANY else year_to, keywords=keywords,
                              age_group=None if age == ANY else age, include_unknown=bool(include_unknown), **chosen)


def keep_listed_years(filters: Filters, previous: Filters) -> Filters:
    """The panel shows a year range, not a list: the listed years ("2019 and 2021") the last answer used
    stay when the panel's years are left as they are, instead of vanishing on Apply."""
    if previous.years and filters.year_from is None and filters.year_to is None:
        return replace(filters, years=previous.years)
    return filters


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
        "include_unknown": filters.include_unknown,
    }


def follow_up_example(values: FilterValues) -> str:
    """A place follow-up the collection can answer: the region (else nation) with most reviews."""
    nations = {nation for nation, _ in values.nations}
    regions = [name for name, _ in values.regions if name not in nations]
    return f"what about {regions[0] if regions else values.nations[0][0] if values.nations else 'England'}?"


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


def digest_of_answer(service, conversation: list[Turn], limit: int = 50):
    """The digest of the latest answer's matching reviews: its question with the filters it used."""
    if not conversation:
        raise ReviewQAError("Ask a question first; the digest gathers what the reviews that answer it learned.")
    last = conversation[-1]
    if last.more_like:
        raise ReviewQAError("A digest needs a question; ask one (“more like this” lists have none).")
    request = search_request(last.question, service.settings, filters=last.filters, literal=True)
    return service.digest(request, limit)


def write_briefing(digest, reviews, fmt: str, folder: Path) -> str:
    """The digest as a Markdown or Word briefing in a new file; its path."""
    if digest is None:
        raise ReviewQAError("Open the digest first; then export it.")
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, prefix=f"reviewqa-briefing-{time.strftime('%Y%m%d-%H%M%S')}-",
                                    suffix=f".{fmt}")
    os.close(handle)
    if fmt == "docx":
        briefing.write_docx(digest, reviews, Path(name))
    else:
        Path(name).write_text(briefing.to_markdown(digest, reviews), encoding="utf-8")
    return name


def removal_choices(service) -> list[tuple[str, str]]:
    """(label, document id) of each document added from a file, from the index being served (every
    add and remove in the app rebuilds it): a page load reads no file."""
    index = service.index()
    return [(f"{d.title or index.reviews[d.review_id].title} ({d.id})", d.id)
            for d in index.documents if d.file is not None]
