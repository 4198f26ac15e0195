"""An answer's results a page at a time, in relevance or year order, for a list that pages (11-20
after 1-10) instead of re-listing from the first result. Ranks stay the relevance ranks the answer
numbers its results by, whatever the order."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InvalidQueryError
from ..search import ReviewHit
from .turns import MORE_STEP, Turn

ORDERS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class ResultPage:
    number: int                                    # 1-based, within 1..pages
    size: int
    total: int                                     # shown results in all
    results: tuple[tuple[int, ReviewHit], ...]     # (relevance rank, hit)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first(self) -> int:
        """The position of this page's first result in the order (1-based; 0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.results else 0

    @property
    def last(self) -> int:
        return self.first + len(self.results) - 1 if self.results else 0


def page_of(turn: Turn, number: int, size: int = MORE_STEP, order: str = "relevance") -> ResultPage:
    """Page `number` of a turn's shown results; a number past the end gives the last page. Year
    orders put reviews of unknown year last and keep relevance order among equal years."""
    if order not in ORDERS:
        raise InvalidQueryError(f"Results can be ordered by {', '.join(ORDERS)}; not '{order}'.")
    if size < 1:
        raise InvalidQueryError("A page holds at least one result.")
    ranked = turn.ranked
    if order != "relevance":
        newest = order == "newest"
        ranked = sorted(ranked, key=lambda item: (item[1].review.year is None,
                                                  -(item[1].review.year or 0) if newest else item[1].review.year or 0,
                                                  item[0]))
    pages = max(1, math.ceil(len(ranked) / size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return ResultPage(number, size, len(ranked), tuple(ranked[start:start + size]))
