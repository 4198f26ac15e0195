"""All together: every field read from one document."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ...gazetteer import UNKNOWN
from .children import _children
from .kind import _kind, _review_type
from .layout import _layout
from .naming import _document_title, _name, catalogue_title
from .places import _area, _nation
from .record import Guess
from .year import _year

if TYPE_CHECKING:
    from ...records import Page, Section


def guess_metadata(text: str, sections: Sequence[Section] = (), pages: Sequence[Page] = (), *,
                   file_name: str = "", furniture: Iterable[str] = (), page_title: str | None = None) -> Guess:
    """Everything a document says about itself (see the package's docstring); None where it says
    nothing."""
    layout = _layout(text, sections, pages, furniture)
    sources: dict[str, str] = {}
    area = _area(layout)
    review_type = _review_type(layout)
    kind = _kind(layout, file_name, review_type)
    year = _year(layout)
    name = _name(layout, area.value if area else None, file_name, kind)
    nation = _nation(layout, review_type, area)
    ages, sex, children_where = _children(layout, name.value if name else None)
    document_title = _document_title(layout, name, page_title)
    for key, found in (("document_title", document_title), ("year", year), ("area", area), ("name", name),
                       ("nation", nation), ("kind", kind), ("review_type", review_type)):
        if found is not None:
            sources[key] = found.where
    if children_where:
        if ages:
            sources["child_ages"] = children_where
        if sex != UNKNOWN:
            sources["child_sex"] = children_where
    title = None
    if name is not None:
        title = catalogue_title(year.value if year else None, area.value if area else None, name.value)
        sources["title"] = "year, area and name"
    return Guess(title=title, document_title=document_title.value if document_title else None,
                 year=year.value if year else None, area=area.value if area else None,
                 name=name.value if name else None, nation=nation.value if nation else None,
                 kind=kind.value if kind else None, review_type=review_type.value if review_type else None,
                 child_ages=ages, child_sex=sex, sources=sources)


def guess_parsed(parsed, file_name: str = "") -> Guess:
    """guess_metadata for a ParsedFile (qa/ingest/parsed.py)."""
    return guess_metadata(parsed.text, parsed.sections, parsed.pages, file_name=file_name,
                          furniture=parsed.furniture, page_title=parsed.page_title)
