"""Filters on review metadata: publication year, nation, region, area, subject keyword, child age."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ..errors import InvalidQueryError
from ..gazetteer import AGE_GROUPS, OLDEST_CHILD, age_label
from ..records import Review


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    nations: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    age_min: float | None = None
    age_max: float | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def merged_with(self, other: Filters) -> Filters:
        """Fields set in `other` win; the rest are kept."""
        changes: dict[str, Any] = {f.name: getattr(other, f.name) for f in fields(other)
                                   if getattr(other, f.name) not in (None, ())}
        return replace(self, **changes)

    def without(self, *names: str) -> Filters:
        defaults: dict[str, Any] = {name: Filters.__dataclass_fields__[name].default for name in names}
        return replace(self, **defaults)

    def describe(self) -> str:
        parts = []
        if self.year_from is not None or self.year_to is not None:
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


def review_passes(review: Review, filters: Filters) -> bool:
    if filters.year_from is not None and (review.year is None or review.year < filters.year_from):
        return False
    if filters.year_to is not None and (review.year is None or review.year > filters.year_to):
        return False
    if filters.nations or filters.regions or filters.areas:
        # Places are alternatives: "Kent or London" keeps reviews from either.
        in_place = (review.nation.lower() in {n.lower() for n in filters.nations}
                    or review.region.lower() in {r.lower() for r in filters.regions}
                    or review.area.lower() in {a.lower() for a in filters.areas})
        if not in_place:
            return False
    if filters.keywords:
        have = {k.lower() for k in review.keywords}
        if not all(k.lower() in have for k in filters.keywords):
            return False
    if (filters.age_min is not None or filters.age_max is not None) and review.child_ages:
        # A summary that states no age is kept: absence of an age is not evidence against it.
        low = filters.age_min if filters.age_min is not None else 0.0
        high = filters.age_max if filters.age_max is not None else OLDEST_CHILD
        if not any(low <= age <= high for age in review.child_ages):
            return False
    return True


MAX_FILTER_VALUES = 50
YEAR_RANGE = (1900, 2100)


def filters_from_input(*, year=None, year_from=None, year_to=None, nations=None, regions=None, areas=None,
                       keywords=None, age_group=None) -> Filters:
    """The one place where edge input (CLI flags, the app's panel, API parameters) becomes Filters.
    Values are checked, not coerced silently: a wrong type or range raises InvalidQueryError."""
    if year is not None and year != "":
        if year_from not in (None, "") or year_to not in (None, ""):
            raise InvalidQueryError("Give either a year or a range (year_from / year_to), not both.")
        year_from = year_to = year
    low, high = _year(year_from, "year_from"), _year(year_to, "year_to")
    if low is not None and high is not None and low > high:
        raise InvalidQueryError(f"The year range {low}–{high} is reversed; did you mean {high}–{low}?")
    age_min, age_max = age_range(age_group)
    return Filters(year_from=low, year_to=high, nations=_names(nations, "nations"), regions=_names(regions, "regions"),
                   areas=_names(areas, "areas"), keywords=tuple(k.lower() for k in _names(keywords, "keywords")),
                   age_min=age_min, age_max=age_max)


def age_range(label) -> tuple[float | None, float | None]:
    """An age group's label (or the "children aged 16–17" of an understood question) -> its bounds."""
    if label in (None, "", "any"):
        return None, None
    if not isinstance(label, str):
        raise InvalidQueryError(f"The age group must be one of: {', '.join(AGE_GROUPS)}.")
    if label in AGE_GROUPS:
        return AGE_GROUPS[label]
    match = re.fullmatch(r"children aged (\d{1,2}(?:\.\d+)?)\s*[–-]\s*(\d{1,2})", label.strip())
    if match and float(match[1]) <= float(match[2]) <= 17:
        return float(match[1]), float(match[2]) + 0.99
    raise InvalidQueryError(f"Unknown age group '{label[:60]}'; choose one of: {', '.join(AGE_GROUPS)}.")


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
