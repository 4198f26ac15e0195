"""Filters on review metadata: publication year, nation, region, area, subject keyword, child age.

Unknown is neither "no" nor "yes". A review whose value for a filtered field is unknown (no stated
year, an anonymous area, no subject keywords, no stated child age) is left out of the filtered result
unless `include_unknown` is set, and every search says how many were left out for each filter, so
the user can include them. The same rule holds for every filter.

Spellings are compared by key (qa/text.py match_key, and for areas also without "and"/"with"), so
"self harm" finds "self-harm" and one partnership written four ways is one area.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ..errors import InvalidQueryError
from ..gazetteer import (
    ADULT,
    AGE_GROUP_ALIASES,
    AGE_GROUPS,
    UNKNOWN,
    UNPLACED_AREAS,
    age_label,
    age_span_in,
    area_key,
)
from ..records import Review
from ..text import match_key

# The fields a filter can set, grouped as the user sees them (each group is one filter).
GROUPS = {"year": ("year_from", "year_to", "years"), "place": ("nations", "regions", "areas"),
          "keyword": ("keywords",), "age": ("age_min", "age_max")}


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    nations: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    age_min: float | None = None        # child ages in years, [age_min, age_max)
    age_max: float | None = None
    years: tuple[int, ...] = ()         # listed years that are not a range ("2019 and 2021")
    include_unknown: bool = False       # also keep reviews whose value for a filter is unknown

    def is_empty(self) -> bool:
        return not self.active()

    def active(self) -> tuple[str, ...]:
        """The filter groups this sets ("year", "place", "keyword", "age")."""
        return tuple(group for group, names in GROUPS.items() if any(getattr(self, n) not in (None, ()) for n in names))

    def merged_with(self, other: Filters) -> Filters:
        """Fields set in `other` win; the rest are kept."""
        changes: dict[str, Any] = {f.name: getattr(other, f.name) for f in fields(other)
                                   if getattr(other, f.name) not in (None, (), False)}
        return replace(self, **changes)

    def without(self, *names: str) -> Filters:
        """These fields (or groups: "year", "place", ...) unset."""
        fields_named = [field for name in names for field in GROUPS.get(name, (name,))]
        defaults: dict[str, Any] = {name: Filters.__dataclass_fields__[name].default for name in fields_named}
        return replace(self, **defaults)

    def describe(self) -> str:
        parts = []
        if self.years:
            listed = sorted(self.years)
            parts.append(", ".join(map(str, listed[:-1])) + f" and {listed[-1]}" if len(listed) > 1 else str(listed[0]))
        elif self.year_from is not None or self.year_to is not None:
            low, high = self.year_from, self.year_to
            if low == high:
                parts.append(str(low))
            elif high is None:
                parts.append(f"{low} onwards")
            elif low is None:
                parts.append(f"up to {high}")
            else:
                parts.append(f"{low}–{high}")
        parts += list(self.nations) + list(self.regions) + list(self.areas)
        parts += [f"keyword “{k}”" for k in self.keywords]
        if self.age_min is not None or self.age_max is not None:
            parts.append(age_label(self.age_min, self.age_max))
        return ", ".join(parts)

    def to_json(self) -> dict:
        return {key: (list(value) if isinstance(value, tuple) else value) for key, value in asdict(self).items()}

    @classmethod
    def from_json(cls, record: dict | None) -> Filters:
        if not record:
            return cls()
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in record.items():
            if key in known and value not in (None, "", []):
                values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


# --- keys ---------------------------------------------------------------------------------------------

def keyword_key(keyword: str) -> str:
    return match_key(keyword)


# --- what is unknown --------------------------------------------------------------------------------------

def unknown(review: Review, group: str) -> bool:
    """Whether a review's value for a filter group is unknown (not the same as not matching)."""
    if group == "year":
        return review.year is None
    if group == "place":
        return review.nation == UNKNOWN and review.area.lower() in UNPLACED_AREAS
    if group == "keyword":
        return not review.keywords
    if group == "age":
        return not review.child_ages
    return False


def place_unknown_for(review: Review, filters: Filters) -> bool:
    """Unknown for the place filters given: no nation at all, or (for a region or area filter) an
    English review whose region or area is not known."""
    if unknown(review, "place"):
        return True
    if filters.nations:
        return False
    if filters.regions and review.region.lower().startswith(("england (region unknown)", UNKNOWN)):
        return True
    return bool(filters.areas and not filters.regions and review.area.lower() in UNPLACED_AREAS)


def passes_group(review: Review, filters: Filters, group: str) -> bool:
    """Whether a review's known value passes one filter group (False when it is unknown)."""
    if group == "year":
        if review.year is None:
            return False
        if filters.years:
            return review.year in filters.years
        return ((filters.year_from is None or review.year >= filters.year_from)
                and (filters.year_to is None or review.year <= filters.year_to))
    if group == "place":
        # Places are alternatives: "Kent or London" keeps reviews from either.
        return (match_key(review.nation) in {match_key(n) for n in filters.nations}
                or match_key(review.region) in {match_key(r) for r in filters.regions}
                or area_key(review.area) in {area_key(a) for a in filters.areas})
    if group == "keyword":
        have = {keyword_key(k) for k in review.keywords}
        return all(keyword_key(k) in have for k in filters.keywords)
    if group == "age":
        low = filters.age_min if filters.age_min is not None else 0.0
        high = filters.age_max if filters.age_max is not None else ADULT
        return any(age_span_in(span, low, high) for span in review.child_ages)
    return True


def is_unknown_for(review: Review, filters: Filters, group: str) -> bool:
    return place_unknown_for(review, filters) if group == "place" else unknown(review, group)


def review_passes(review: Review, filters: Filters) -> bool:
    """Every filter the review's known values pass; unknown values pass only with include_unknown."""
    for group in filters.active():
        if is_unknown_for(review, filters, group):
            if not filters.include_unknown:
                return False
        elif not passes_group(review, filters, group):
            return False
    return True


# --- from edge input --------------------------------------------------------------------------------------

MAX_FILTER_VALUES = 50
YEAR_RANGE = (1900, 2100)


def filters_from_input(*, year=None, year_from=None, year_to=None, nations=None, regions=None, areas=None,
                       keywords=None, age_group=None, age_min=None, age_max=None,
                       include_unknown=False) -> Filters:
    """The one place where edge input (CLI flags, the app's panel, API parameters) becomes Filters.
    Values are checked, not coerced silently: a wrong type or range raises InvalidQueryError."""
    if year is not None and year != "":
        if year_from not in (None, "") or year_to not in (None, ""):
            raise InvalidQueryError("Give either a year or a range (year_from / year_to), not both.")
        year_from = year_to = year
    low, high = _year(year_from, "year_from"), _year(year_to, "year_to")
    if low is not None and high is not None and low > high:
        raise InvalidQueryError(f"The year range {low}–{high} is reversed; did you mean {high}–{low}?")
    if age_group not in (None, "", "any") and (age_min is not None or age_max is not None):
        raise InvalidQueryError("Give either an age group or an age range (age_min / age_max), not both.")
    youngest, oldest = age_range(age_group) if age_min is None and age_max is None else _ages(age_min, age_max)
    if not isinstance(include_unknown, bool):
        raise InvalidQueryError("include_unknown must be true or false.")
    return Filters(year_from=low, year_to=high, nations=_names(nations, "nations"), regions=_names(regions, "regions"),
                   areas=_names(areas, "areas"), keywords=tuple(k.lower() for k in _names(keywords, "keywords")),
                   age_min=youngest, age_max=oldest, include_unknown=include_unknown)


def age_range(label) -> tuple[float | None, float | None]:
    """An age group's label (or the age words of an understood question, as age_label writes them)
    -> its bounds."""
    if label in (None, "", "any"):
        return None, None
    if not isinstance(label, str):
        raise InvalidQueryError(f"The age group must be one of: {', '.join(AGE_GROUPS)}.")
    text = label.strip().removeprefix("children: ")
    if text in AGE_GROUPS:
        return AGE_GROUPS[text]
    if text in AGE_GROUP_ALIASES:
        return AGE_GROUP_ALIASES[text]
    for low, high in _AGE_LABELS:
        if age_label(low, high) == label.strip():
            return low, high
    match = re.fullmatch(r"children aged (\d{1,2})(?:\s*[–-]\s*(\d{1,2}))?", text)
    if match and float(match[1]) <= float(match[2] or match[1]) <= 17:
        return float(match[1]), float(match[2] or match[1]) + 1
    raise InvalidQueryError(f"Unknown age group {label[:60]!r}; choose one of: {', '.join(AGE_GROUPS)}.")


# Month and week ranges understood questions produce, so their labels in the app's panel read back.
_AGE_LABELS = [(0.0, months / 12) for months in range(1, 13)] + [(0.0, weeks / 52) for weeks in range(1, 53)]


def _ages(age_min, age_max) -> tuple[float | None, float | None]:
    values: list[float | None] = []
    for name, value in (("age_min", age_min), ("age_max", age_max)):
        if value is None or value == "":
            values.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= ADULT:
            raise InvalidQueryError(f"{name} must be an age in years from 0 to 18 (months as fractions, e.g. 0.5), "
                                    f"not {str(value)[:40]!r}.")
        values.append(float(value))
    low, high = values
    if low is not None and high is not None and low >= high:
        raise InvalidQueryError(f"The age range {low:g}–{high:g} is empty; age_max is the first age left out "
                                "(aged 12 is age_min 12, age_max 13).")
    return low, high


def _year(value, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidQueryError(f"{name} must be a year such as 2021, not {value!r}.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidQueryError(f"{name} must be a year such as 2021, not {str(value)[:40]!r}.")
    if not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise InvalidQueryError(f"{name} must be a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}, not {value}.")
    return value


def _names(values, name: str) -> tuple[str, ...]:
    if values is None or values == "":
        return ()
    if isinstance(values, str):
        # One value given where a list is expected ("Wales"): it is that one value, not its letters.
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise InvalidQueryError(f"{name} must be a list of names.")
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidQueryError(f"{name} has {len(values)} values; the limit is {MAX_FILTER_VALUES}.")
    names = []
    for value in values:
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise InvalidQueryError(f"Each of {name} must be a non-empty name (text), not {str(value)[:40]!r}.")
        names.append(" ".join(value.split()))
    return tuple(dict.fromkeys(names))
