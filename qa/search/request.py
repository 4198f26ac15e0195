"""A search as asked: the question and everything that shapes its answer, checked once, at the edge
that received it (the CLI, the REST API, the app). Past this point nothing is checked again: the
service checks only what depends on the index (filter values no review has), and the engine
trusts what it is given."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InvalidQueryError
from ..settings import Settings
from .filters import Filters
from .question import clean_question
from .rankings import DEFAULT_RANKING, get_ranking

MAX_K = 100


@dataclass(frozen=True)
class SearchRequest:
    question: str                             # cleaned: see clean_question
    filters: Filters = field(default_factory=Filters)
    k: int = 10
    ranking: str = DEFAULT_RANKING
    literal: bool = False                     # no filters understood from the question


@dataclass(frozen=True)
class SimilarRequest:
    """Reviews like a given one."""

    review_id: str
    filters: Filters = field(default_factory=Filters)
    k: int = 10


def search_request(question: object, settings: Settings, *, filters: Filters | None = None, k: object = None,
                   ranking: object = None, literal: object = False) -> SearchRequest:
    """Edge input -> a SearchRequest, or InvalidQueryError naming what is wrong. Cheap: it runs
    before the index or the model is touched."""
    if not isinstance(literal, bool):
        raise InvalidQueryError("literal must be true or false.")
    name = DEFAULT_RANKING if ranking in (None, "") else ranking
    if not isinstance(name, str):
        raise InvalidQueryError("ranking must be the name of a ranking, such as 'default'.")
    get_ranking(name)
    return SearchRequest(clean_question(question, settings.max_query_chars), filters or Filters(),
                         check_k(k, settings.top_k), name, literal)


def similar_request(review_id: object, settings: Settings, *, filters: Filters | None = None,
                    k: object = None) -> SimilarRequest:
    if not isinstance(review_id, str) or not review_id.strip():
        raise InvalidQueryError("Give the id of a review to find reviews like it.")
    return SimilarRequest(review_id, filters or Filters(), check_k(k, settings.top_k))


def check_k(k: object, default: int) -> int:
    if k is None:
        return default
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if isinstance(k, bool) or not isinstance(k, int):
        raise InvalidQueryError(f"k must be a whole number from 1 to {MAX_K}.")
    if not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be from 1 to {MAX_K}, not {k}.")
    return k
