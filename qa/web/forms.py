"""What the app's components hold, to and from the library's records: the filter panel and
Filters, a conversation as chat messages, the result picker, exports. No Gradio here: these are
plain functions the Blocks in ui.py call, and the tests call directly."""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ..conversation import Turn
from ..digest import briefing
from ..errors import InvalidQueryError, ReviewQAError
from ..gazetteer import AGE_GROUPS, age_label
from ..search import search_request
from ..search.filters import Filters, filters_from_input
from ..search.vocabulary import FilterValues
from .export import write_export as write_export  # the app's export buttons (ui.py) call it from here
from .render import review_html

ANY = "any"
PLACE_KINDS = {"Nation": "nations", "Region": "regions", "Area": "areas"}

def _counted(name: str, count: int, here: dict[str, int] | None) -> str:
    """A filter value's label: how many reviews in the collection have it, and (for an answer) how
    many of the answer's reviews do."""
    if here is None:
        return f"{name} ({count})"
    return f"{name} ({here.get(name, 0)} here · {count} in all)"


def _here(values: FilterValues | None, name: str) -> dict[str, int] | None:
    return None if values is None else dict(getattr(values, name))


def year_choices(values: FilterValues, here: FilterValues | None = None) -> list[tuple[str, str]]:
    return [(ANY, ANY)] + [(_counted(year, count, _here(here, "years")), year) for year, count in values.years]


def place_choices(values: FilterValues, here: FilterValues | None = None) -> list[tuple[str, str]]:
    """(label with the number of reviews, value) for every nation, English region and area."""
    nations = {nation for nation, _ in values.nations}
    kinds = (("Nation", values.nations, "nations"),
             ("Region", [(r, n) for r, n in values.regions if r not in nations], "regions"),
             ("Area", values.areas, "areas"))
    return [(f"{kind}: {_counted(name, count, _here(here, field))}", f"{kind}: {name}")
            for kind, listed, field in kinds for name, count in listed]


def keyword_choices(values: FilterValues, here: FilterValues | None = None) -> list[tuple[str, str]]:
    return [(_counted(keyword, count, _here(here, "keywords")), keyword) for keyword, count in sorted(values.keywords)]


def age_choices(values: FilterValues, here: FilterValues | None = None) -> list[tuple[str, str]]:
    return [(ANY, ANY)] + [(_counted(label, count, _here(here, "age_groups")), label)
                           for label, count in values.age_groups]


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

ACTIONS = ("open", "source", "pick", "turn", "unpick", "up", "down")
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Click:
    """A click on a control inside the app's HTML (render.py's data-* attributes), as the browser
    sent it: checked here, since anyone can send any event data."""

    action: str
    review: str = ""
    document: str = ""
    passage: str = ""
    start: int | None = None
    end: int | None = None
    page: int | None = None
    turn: int | None = None


def click_of(data) -> Click:
    if not isinstance(data, dict) or data.get("rqAction") not in ACTIONS:
        raise InvalidQueryError("That control is not one this page knows; reload the page.")

    def text(name: str) -> str:
        value = data.get(name, "")
        if not isinstance(value, str) or len(value) > 400:
            raise InvalidQueryError("That control sent a value this page cannot use; reload the page.")
        return value

    def number(name: str) -> int | None:
        value = text(name)
        if value and not _DIGITS.fullmatch(value):
            raise InvalidQueryError("That control sent a value this page cannot use; reload the page.")
        return int(value) if value else None

    return Click(action=data["rqAction"], review=text("review"), document=text("document"), passage=text("passage"),
                 start=number("start"), end=number("end"), page=number("page"), turn=number("turn"))


def open_review(service, click: Click) -> str:
    """The review HTML with the cited passage (document, start, end) highlighted."""
    if not click.review:
        raise ReviewQAError("Pick one of the results first.")
    view = service.review(click.review)
    highlight = ((click.document, click.start, click.end)
                 if click.document and click.start is not None and click.end is not None else None)
    return review_html(view, highlight)


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
