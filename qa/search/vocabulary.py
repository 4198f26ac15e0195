"""The values the filters can take in one index generation, with how many reviews have each, and
the check that a given value exists.

Values are compared by key (qa/text.py match_key; areas by gazetteer.area_key), so "self harm" and
"self-harm" are one keyword and one partnership written four ways is one area; each is shown in the
spelling most reviews use.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidQueryError
from ..gazetteer import AGE_GROUPS, ENGLAND_REGION_UNKNOWN, NATIONS, UNKNOWN, age_span_in, area_key
from ..index import SearchIndex
from ..records import Review
from ..text import match_key, usual_spellings
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


def value_counts(reviews: Sequence[Review], field: str) -> tuple[tuple[str, int], ...]:
    """Each known value of a field ("nation", "region", "area", "keyword") with how many reviews have
    it, most first (ties alphabetical), in its usual spelling."""
    key = key_for(field)
    values = [[k for k in r.keywords] if field == "keyword" else [getattr(r, field)] for r in reviews]
    spelled = usual_spellings((v for vs in values for v in vs), key)
    counted: Counter = Counter()
    for review_values in values:
        counted.update({key(v) for v in review_values})
    shown = [(spelled[k], n) for k, n in counted.items() if k not in ("", UNKNOWN, "anonymous")
             and not k.startswith(match_key(ENGLAND_REGION_UNKNOWN))]
    return tuple(sorted(shown, key=lambda pair: (-pair[1], pair[0].lower())))


def filter_values(reviews: Sequence[Review]) -> FilterValues:
    """Every filter's values among these reviews (the collection, or a result) with their counts."""
    ages = {label: sum(any(age_span_in(span, low, high) for span in r.child_ages) for r in reviews)
            for label, (low, high) in AGE_GROUPS.items()}
    years = Counter(r.year for r in reviews if r.year is not None)
    return FilterValues(
        years=tuple((str(y), years[y]) for y in sorted(years)), nations=value_counts(reviews, "nation"),
        regions=value_counts(reviews, "region"), areas=value_counts(reviews, "area"),
        keywords=value_counts(reviews, "keyword"), age_groups=tuple(ages.items()),
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
