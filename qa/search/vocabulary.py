"""The values the filters can take in one index generation, with how many reviews have each, and
the check that a given value exists.

Values are compared by key (qa/text.py match_key; areas by gazetteer.area_key), so "self harm" and
"self-harm" are one keyword and one partnership written four ways is one area; each is shown in the
spelling most reviews use.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidQueryError
from ..gazetteer import AGE_GROUPS, NATIONS, UNKNOWN, area_key
from ..index import SearchIndex
from ..text import match_key
from .filters import GROUPS, Filters, unknown

FIELDS = ("nation", "region", "area", "keyword")


def key_for(field: str):
    return area_key if field == "area" else match_key


@dataclass(frozen=True)
class FilterValues:
    """Every value of each filter in the collection, most reviews first, with its count; and per
    filter group, how many reviews have no known value for it."""

    years: tuple[tuple[str, int], ...]
    nations: tuple[tuple[str, int], ...]
    regions: tuple[tuple[str, int], ...]
    areas: tuple[tuple[str, int], ...]
    keywords: tuple[tuple[str, int], ...]
    age_groups: tuple[tuple[str, int], ...]
    unknown: dict[str, int]
    reviews: int

    def to_json(self) -> dict:
        listed = ("years", "nations", "regions", "areas", "keywords", "age_groups")
        return {"reviews": self.reviews, "unknown": dict(self.unknown),
                **{name: [{"value": v, "count": n} for v, n in getattr(self, name)] for name in listed}}


def filter_values(index: SearchIndex) -> FilterValues:
    everyone = np.arange(len(index.review_ids))
    reviews = list(index.reviews.values())

    def known(field: str) -> tuple[tuple[str, int], ...]:
        counted = index.counts(field, everyone)
        return tuple((v, n) for v, n in counted.items() if match_key(v) not in ("", UNKNOWN, "anonymous"))

    ages = {label: sum(any(low <= a < high for a in r.child_ages) for r in reviews)
            for label, (low, high) in AGE_GROUPS.items()}
    years = tuple((label, n) for label, n in index.counts("year", everyone).items() if label.isdigit())
    return FilterValues(
        years=tuple(sorted(years)), nations=known("nation"), regions=known("region"), areas=known("area"),
        keywords=known("keyword"), age_groups=tuple(ages.items()),
        unknown={group: sum(unknown(r, group) for r in reviews) for group in GROUPS}, reviews=len(reviews))


def check_known(filters: Filters, index: SearchIndex) -> None:
    """A filter value that matches nothing in the collection is a mistake to report ("Walse"), not
    an empty answer to give. Only the fields a filter sets are checked (most searches set none)."""
    given = {"nation": filters.nations, "region": filters.regions, "area": filters.areas,
             "keyword": filters.keywords}
    for field, values in given.items():
        if not values:
            continue
        key = key_for(field)
        present = index.vocabulary(field)
        # Valid names with no review in this collection ("Northern Ireland") get their own message.
        known = {**({key(n): n for n in (*NATIONS, UNKNOWN)} if field == "nation" else {}), **present}
        for value in values:
            if key(value) in present:
                continue
            if key(value) in known:
                raise InvalidQueryError(f"No review in the collection has the {field} '{known[key(value)]}'.")
            close = difflib.get_close_matches(key(value), list(known), n=3, cutoff=0.6)
            hint = (f" Did you mean {', '.join(repr(known[c]) for c in close)}?" if close
                    else f" Try `reviewqa stats` for the {field}s in the collection.")
            raise InvalidQueryError(f"No review in the collection has the {field} '{value[:60]}'.{hint}")
