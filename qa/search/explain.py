"""What a search did with its filters, in sentences every edge shows the same way.

The library says what happened ("53 reviews with no known place were left out"); each edge adds how
to change it (the CLI's --include-unknown, the app's tick box, the API's include_unknown field).
"""

from __future__ import annotations

from dataclasses import dataclass

from .filters import GROUPS, Filters, is_unknown_for

# What "unknown" means for each filter group, as a phrase after "reviews with".
UNKNOWN_MEANS = {"year": "no known year", "place": "no known place", "keyword": "no subject keywords",
                 "age": "no stated child age"}


@dataclass(frozen=True)
class FilterReport:
    """Sentences about the filters of one search: what was read but not applied, what unknown values
    left out, and (when nothing passed) which filter emptied the result."""

    not_applied: tuple[str, ...]
    left_out: tuple[str, ...]
    emptied: str

    def lines(self) -> list[str]:
        return [*self.not_applied, *self.left_out, *([self.emptied] if self.emptied else [])]


def only(filters: Filters, group: str) -> Filters:
    """The filters of one group."""
    return filters.without(*(g for g in GROUPS if g != group))


def left_out_sentence(group: str, count: int, filters: Filters) -> str:
    reviews = "review" if count == 1 else "reviews"
    was = "was" if count == 1 else "were"
    return (f"{count} {reviews} with {UNKNOWN_MEANS[group]} {was} left out by the {group} filter "
            f"({only(filters, group).describe()}).")


def emptied_sentence(filters: Filters, passing_without: dict[str, int]) -> str:
    if not passing_without:
        return ""
    parts = [f"without the {g} filter ({only(filters, g).describe()}) {n} would"
             for g, n in passing_without.items()]
    return "No review passes all the filters together: " + "; ".join(parts) + "."


def filter_report(response) -> FilterReport:
    return FilterReport(
        not_applied=tuple(response.understood.not_applied),
        left_out=tuple(left_out_sentence(g, n, response.filters) for g, n in response.unknown_left_out.items()),
        emptied="" if response.matched else emptied_sentence(response.filters, response.passing_without))


def unknown_marks(review, filters: Filters) -> list[str]:
    """The filter groups a shown review passed only because unknown values were included."""
    if not filters.include_unknown:
        return []
    return [group for group in filters.active() if is_unknown_for(review, filters, group)]
