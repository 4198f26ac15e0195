"""Question -> ranked reviews with verbatim passages.

    request.py     a search as asked, checked once at the edge (SearchRequest, SimilarRequest)
    question.py    clean and check the question (before anything heavy loads)
    understand.py  constraints in words ("2022", "in Wales", "teenagers") -> Filters
    thesaurus.py   plain words -> the reviews' vocabulary
    filters.py     Filters, built from edge input in one place
    rankings.py    named weightings of the signals
    fusion.py      reciprocal rank fusion and per-review maxima
    passages.py    a review's best passages and evidence sentences
    engine.py      the pipeline: search() and more_like()
    results.py     results as JSON (the one place they become dicts)
"""

from .engine import ReviewHit, SearchResponse, more_like, search
from .filters import Filters, filters_from_input
from .question import clean_question
from .rankings import DEFAULT_RANKING, RANKINGS, Ranking, get_ranking
from .request import MAX_K, SearchRequest, SimilarRequest, check_k, search_request, similar_request

__all__ = ["DEFAULT_RANKING", "Filters", "MAX_K", "RANKINGS", "Ranking", "ReviewHit", "SearchRequest", "SearchResponse",
           "SimilarRequest", "check_k", "clean_question", "filters_from_input", "get_ranking", "more_like", "search",
           "search_request", "similar_request"]
