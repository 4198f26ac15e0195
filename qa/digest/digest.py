"""A search's matching reviews -> a cited digest: the set, its profile and its practice themes.

    the set       the response's hits that are not weak matches, up to `limit`, best first
    the profile   counts by outcome, age group, sex, year, nation and region (profile.py)
    the themes    learning, recommendation and good-practice clauses (clauses.py) filed under
                  practice themes, each with verbatim quotes from different reviews (themes.py)

Every quote is `document.text[start:end]` of the document it names: nothing is written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..embed import Embedder
from ..errors import InvalidQueryError
from ..index import SearchIndex
from ..index.dense import vectors_for
from ..records import Document
from ..search import Filters, SearchResponse
from ..settings import Settings
from .clauses import Clause, document_clauses
from .profile import Profile, make_profile
from .themes import DEFAULT_THEME_SETTINGS, Theme, ThemeSettings, assign, label_vectors, load_catalogue, make_themes
from .vectors import VectorCache

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True)
class Digest:
    query: str
    filters: Filters
    reviews: tuple[str, ...]           # the matching set, best match first
    how: str                           # how the set was chosen, in words
    profile: Profile
    themes: tuple[Theme, ...]
    matched: int = 0                   # reviews that passed the filters (the set is drawn from them)

    @property
    def coverage(self) -> float:
        """The share of the set's reviews that contribute to a shown theme."""
        if not self.reviews:
            return 0.0
        return len({rid for theme in self.themes for rid in theme.review_ids}) / len(self.reviews)

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "filters": self.filters.to_json(),
            "set": {"count": len(self.reviews), "reviews": list(self.reviews), "how": self.how},
            "profile": self.profile.to_json(),
            "themes": [theme.to_json() for theme in self.themes],
        }


def check_limit(limit: object) -> int:
    """The set's size limit, checked at the edge: a whole number from 1 to MAX_LIMIT."""
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQueryError(f"The digest's limit must be a whole number from 1 to {MAX_LIMIT}.")
    return limit


def how_chosen(limit: int) -> str:
    return f"reviews that pass the filters and match the question, up to {limit}"


def make_digest(index: SearchIndex, embedder: Embedder, response: SearchResponse, settings: Settings,
                limit: int = DEFAULT_LIMIT, theme_settings: ThemeSettings = DEFAULT_THEME_SETTINGS,
                cache: VectorCache | None = None) -> Digest:
    """The digest of a search's matching set (`response` from the same index generation)."""
    hits = [hit for hit in response.hits if not hit.weak][:limit]
    reviews = [hit.review for hit in hits]
    clauses = set_clauses(index, [r.id for r in reviews])
    vectors = clause_vectors(index, embedder, clauses, cache)
    catalogue = load_catalogue()
    cache = cache or VectorCache()
    groups = assign(clauses, vectors, catalogue, label_vectors(embedder, catalogue, cache), theme_settings)
    themes = make_themes(groups, clauses, vectors, lambda c: clause_citation(index.documents_by_id[c.document_id], c),
                         theme_settings, lambda rid: index.reviews[rid].same_case_as if rid in index.reviews else ())
    return Digest(response.query, response.filters, tuple(r.id for r in reviews), how_chosen(limit),
                  make_profile(reviews, index.documents_of), themes, response.matched)


def set_clauses(index: SearchIndex, review_ids: Sequence[str]) -> list[Clause]:
    """The reviews' clauses, review by review in the order given, each document's in text order."""
    return [clause for rid in review_ids for document in index.documents_of(rid) for clause in _clauses(document)]


@lru_cache(maxsize=2048)
def _clauses(document: Document) -> tuple[Clause, ...]:
    return document_clauses(document)


def clause_vectors(index: SearchIndex, embedder: Embedder, clauses: Sequence[Clause],
                   cache: VectorCache | None = None) -> np.ndarray:
    """A unit vector per clause. A clause that is exactly one of the index's sentences (most are: the
    index cuts at the same semicolons and full stops) reuses its stored vector; the rest (a list's
    first item, without its "Learning includes:") are embedded, in one batch."""
    vectors = np.zeros((len(clauses), embedder.dimension), dtype=np.float32)
    stored = _sentence_rows(index, {c.review_id for c in clauses})
    found = [(i, stored.get((c.document_id, c.start, c.end))) for i, c in enumerate(clauses)]
    known = [(i, row) for i, row in found if row is not None]
    if known:
        vectors[[i for i, _ in known]] = vectors_for(index.plain, np.array([row for _, row in known], dtype=np.int64))
    missing = [i for i, row in found if row is None]
    if missing:
        vectors[missing] = (cache or VectorCache()).encode(embedder, [clauses[i].text for i in missing])
    return vectors


def _sentence_rows(index: SearchIndex, review_ids: set[str]) -> dict[tuple[str, int, int], int]:
    """(document id, start, end) -> the index's sentence row, for the given reviews' sentences."""
    rows: dict[tuple[str, int, int], int] = {}
    positions = [i for i, rid in enumerate(index.review_ids) if rid in review_ids]
    for position in positions:
        segments = index.segments_of(position)
        if not len(segments):
            continue
        table = index.segment_table[segments]
        documents = index.chunk_table[table[:, 0], 0]
        for segment, document, start, end in zip(segments.tolist(), documents.tolist(), table[:, 1].tolist(),
                                                 table[:, 2].tolist()):
            rows.setdefault((index.documents[document].id, start, end), segment)
    return rows


def clause_citation(document: Document, clause: Clause) -> str:
    """Where a clause is, worded as search results cite passages: "Summary, Learning",
    "Overview report, p. 23, Findings"."""
    parts = [document.kind_label]
    first = document.page_at(clause.start)
    if first is not None:
        last = document.page_at(max(clause.start, clause.end - 1))
        printed = first.label or str(first.number)
        if last is not None and last.number != first.number:
            printed += f"–{last.label or last.number}"
        parts.append(f"p. {printed}")
    parts.append(clause.section.label)
    return ", ".join(parts)
