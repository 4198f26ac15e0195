"""A conversation of searches, without any UI: each message becomes a Turn, a typed record holding
the search response it produced. Follow-ups ("only 2022", "show more", "more like the second one")
refine the previous turn; anything else is a new question. The Gradio app and the tests call these
functions; nothing here knows about components or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import ReviewQAError
from ..search import MAX_K, Filters, ReviewHit, SearchRequest, SearchResponse, SimilarRequest, search_request
from .followup import interpret

MORE_STEP = 10


@dataclass(frozen=True)
class Turn:
    message: str                  # what the user typed (or a label for a panel action)
    question: str                 # the question searched (the original one, for follow-ups)
    kind: str                     # one of TURN_KINDS (followup.py)
    change: str                   # what a follow-up changed, in words
    k: int
    response: SearchResponse
    literal: bool                 # filters understood from the question were not used
    more_like: str | None = None  # the review id a "more like this" turn started from
    # The filters the search was given (the panel's, or a follow-up's); with `question`, `literal` and
    # `more_like` they replay this answer exactly (a shared link). `filters` adds what was understood.
    given: Filters = field(default_factory=Filters)
    # "show more" searches again with a larger k: the first `shown_from` shown results are the ones the
    # previous turn listed, so this turn's own results are those after them (11-20 after 1-10).
    shown_from: int = 0

    @property
    def filters(self) -> Filters:
        return self.response.filters

    @property
    def understood(self) -> Filters:
        return Filters() if self.literal else self.response.understood.filters

    @property
    def notes(self) -> tuple[str, ...]:
        return () if self.literal else tuple(self.response.understood.notes)

    @property
    def shown(self):
        """The hits worth showing: weak matches are hidden."""
        return [hit for hit in self.response.hits if not hit.weak]

    @property
    def ranked(self) -> list[tuple[int, ReviewHit]]:
        """(rank, hit) of every shown hit: ranks count shown results from 1, as the answer numbers them."""
        return list(enumerate(self.shown, 1))

    @property
    def new_results(self) -> list[tuple[int, ReviewHit]]:
        """(rank, hit) of the results this turn added: all of them, or for "show more" those after the
        ones already listed."""
        return self.ranked[self.shown_from:]


def chat_turn(service, message: str, conversation: list[Turn], panel: Filters, use_understanding: bool = True,
              k: int = 10) -> Turn:
    """Answer one chat message. Raises ReviewQAError for input that cannot be searched."""
    previous = conversation[-1] if conversation else None
    follow = interpret(message, previous.filters if previous else None, service.reviews())
    if follow.kind == "new" or previous is None:
        base = _without_stale_understanding(panel, previous)
        request = search_request(message, service.settings, filters=base, k=k, literal=not use_understanding)
        return Turn(message, request.question, "new", "", k, service.search(request), not use_understanding,
                    given=base)
    if follow.kind == "more_like":
        hits = previous.response.hits
        rank = len(hits) if follow.more_like_rank == -1 else follow.more_like_rank
        if not 1 <= rank <= len(hits):
            raise ReviewQAError(f"There is no result {rank} in the previous answer; it has {len(hits)}.")
        source = hits[rank - 1].review
        return more_like_turn(service, source.id, follow.filters, previous.k, message,
                              f"{follow.change} (“{source.title}”)")
    more = previous.k + (MORE_STEP if follow.kind == "more" else 0)
    turn = rerun(service, previous, follow.filters, more, message, follow.kind, follow.change)
    return replace(turn, shown_from=len(previous.shown)) if follow.kind == "more" else turn


def more_like_turn(service, review_id: str, filters: Filters, k: int, message: str, change: str) -> Turn:
    response = service.more_like(SimilarRequest(review_id, filters, k))
    return Turn(message, response.query, "more_like", change, k, response, True, more_like=review_id, given=filters)


def rerun(service, previous: Turn, filters: Filters, k: int, message: str, kind: str, change: str) -> Turn:
    """The previous turn's search again (a question, or "more like" a review) with other filters or k."""
    k = min(k, MAX_K)
    if previous.more_like:
        response = service.more_like(SimilarRequest(previous.more_like, filters, k))
    else:
        response = service.search(SearchRequest(previous.question, filters, k, literal=True))
    return Turn(message, previous.question, kind, change, k, response, True, more_like=previous.more_like,
                given=filters)


def replay(service, question: str, more_like: str, given: Filters, literal: bool, k: int) -> Turn:
    """The answer a shared link names (qa/web/links.py): a turn's question or "more like" review,
    the filters it was given and whether filters were read from the question; the same search again."""
    if more_like:
        title = service.review(more_like).review.title
        return more_like_turn(service, more_like, given, k, "More like this review", f"reviews like “{title}”")
    request = search_request(question, service.settings, filters=given, k=k, literal=literal)
    return Turn(question, request.question, "new", "", k, service.search(request), literal, given=given)


def _without_stale_understanding(panel: Filters, previous: Turn | None) -> Filters:
    """Filters understood from the previous question belong to it: a new question drops them unless
    the user has changed them in the panel since."""
    if previous is None or previous.understood.is_empty():
        return panel
    understood, applied = previous.understood, previous.filters
    names = [name for name, value in understood.to_json().items() if value not in (None, [])]
    if all(getattr(panel, name) == getattr(applied, name) for name in names):
        return panel.without(*names)
    return panel
