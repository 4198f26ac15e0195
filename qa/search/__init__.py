"""Question -> ranked reviews with verbatim passages.

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
from .filters import Filters
from .question import clean_question
from .rankings import DEFAULT_RANKING, RANKINGS, Ranking, get_ranking

__all__ = ["DEFAULT_RANKING", "Filters", "RANKINGS", "Ranking", "ReviewHit", "SearchResponse", "clean_question",
           "get_ranking", "more_like", "search"]
