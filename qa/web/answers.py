"""One answer as the app lists it: in the chosen order, a page of ten at a time, numbered by how well
each review matched (so "#3" is the third best match in any order), with weak matches shown only when
asked. And what the listed reviews are, counted by year, place, keyword and age group. No Gradio here.

    answer_page(turn, view)     -> AnswerPage: the entries on the page and where they sit in the whole
    result_profile(turn, view)  -> FilterValues of the listed reviews (every page), for counts and charts
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..search import MAX_K
from ..search.vocabulary import FilterValues, filter_values
from .links import AnswerView

PAGE_SIZE = 10
# The app asks for every result a search can return (100 take ~25 ms against ~8 ms for 10, on 2 cores):
# the pages, the year order, the counts and the charts are then over the whole answer, not its first ten.
APP_K = MAX_K


@dataclass(frozen=True)
class AnswerPage:
    entries: tuple[tuple[int, Any], ...]      # (rank by match, ReviewHit) on this page, in the chosen order
    first: int                                # 1-based position of the page's first entry in the list
    listed: int                               # how many the whole list holds (every page)
    weak_hidden: int                          # weak matches left out of the list
    page: int
    pages: int
    view: AnswerView

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1


def listed_hits(turn, view: AnswerView) -> list[tuple[int, Any]]:
    ranked = list(enumerate(turn.response.hits, 1))
    if not view.weak:
        ranked = [(rank, hit) for rank, hit in ranked if not hit.weak]
    if view.sort in ("newest", "oldest"):
        sign = -1 if view.sort == "newest" else 1
        # Reviews whose year is unknown go last in either order, still listed (never dropped).
        ranked.sort(key=lambda entry: (entry[1].review.year is None, sign * (entry[1].review.year or 0), entry[0]))
    return ranked


def answer_page(turn, view: AnswerView, size: int = PAGE_SIZE) -> AnswerPage:
    ranked = listed_hits(turn, view)
    pages = max(1, -(-len(ranked) // size))
    page = min(max(1, view.page), pages)
    start = (page - 1) * size
    weak = sum(1 for hit in turn.response.hits if hit.weak)
    return AnswerPage(entries=tuple(ranked[start:start + size]), first=start + 1, listed=len(ranked),
                      weak_hidden=0 if view.weak else weak, page=page, pages=pages, view=view)


def result_profile(turn, view: AnswerView) -> FilterValues:
    return filter_values([hit.review for _, hit in listed_hits(turn, view)])
