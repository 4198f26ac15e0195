"""Question -> ranked, cited passages. Each stage is a plain function so stages can be swapped."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from . import keyword
from .chunking import Chunk, section_label
from .embedding import Embedder
from .errors import InvalidQueryError
from .index import SearchIndex
from .settings import Settings

RANKINGS = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    nations: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == Filters()

    def describe(self) -> str:
        parts = []
        if self.year_from is not None or self.year_to is not None:
            low, high = self.year_from, self.year_to
            parts.append(str(low) if low == high else f"{low or '…'}–{high or '…'}")
        parts += list(self.nations) + list(self.areas)
        parts += [f"keyword “{k}”" for k in self.keywords]
        return ", ".join(parts)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    dense_score: float = 0.0
    bm25_score: float = 0.0


@dataclass
class SearchResponse:
    query: str
    filters: Filters
    hits: list[Hit]
    index: SearchIndex = field(repr=False)

    def to_records(self) -> list[dict]:
        return [hit_record(self.index, hit) for hit in self.hits]


def clean_question(question: str, settings: Settings) -> str:
    """Normalise a question, or raise InvalidQueryError saying what is wrong with it."""
    if question is None:
        raise InvalidQueryError("The question is empty; type a few words describing what you are looking for.")
    text = unicodedata.normalize("NFKC", str(question))
    # Control and format characters (including zero-width ones) carry no meaning in a question.
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidQueryError("The question is empty; type a few words describing what you are looking for.")
    if len(text) > settings.max_query_chars:
        raise InvalidQueryError(
            f"The question is {len(text):,} characters long; the limit is {settings.max_query_chars:,}. "
            "Shorten it to the main point (a sentence or two works best)."
        )
    if not any(ch.isalnum() for ch in text):
        raise InvalidQueryError("The question has no letters or numbers; type a few words to search for.")
    return text


def allowed_chunks(index: SearchIndex, filters: Filters) -> np.ndarray:
    """Boolean mask over chunks: True where the chunk's review passes every filter."""
    if filters.is_empty():
        return np.ones(len(index.chunks), dtype=bool)
    passing = {rid for rid, review in index.reviews.items() if review_passes(review, filters)}
    return np.fromiter((c.review_id in passing for c in index.chunks), dtype=bool, count=len(index.chunks))


def review_passes(review, filters: Filters) -> bool:
    if filters.year_from is not None and review.year < filters.year_from:
        return False
    if filters.year_to is not None and review.year > filters.year_to:
        return False
    if filters.nations and review.nation.lower() not in {n.lower() for n in filters.nations}:
        return False
    if filters.areas and review.area.lower() not in {a.lower() for a in filters.areas}:
        return False
    if filters.keywords:
        have = {k.lower() for k in review.keywords}
        if not all(k.lower() in have for k in filters.keywords):
            return False
    return True


def dense_scores(index: SearchIndex, embedder: Embedder, question: str) -> np.ndarray:
    """Cosine similarity of the question to every chunk, in chunk order."""
    query = embedder.encode([question])
    scores, ids = index.dense.search(query, index.dense.ntotal)
    out = np.empty(index.dense.ntotal, dtype=np.float32)
    out[ids[0]] = scores[0]
    return out


def bm25_scores(index: SearchIndex, question: str) -> np.ndarray:
    return keyword.bm25_scores(index.bm25, question, len(index.chunks))


def ranked(scores: np.ndarray, mask: np.ndarray, limit: int, *, positive_only: bool = False) -> list[int]:
    """Chunk ids in descending score among allowed chunks (ties broken by chunk id, for stable output)."""
    candidates = np.flatnonzero(mask & (scores > 0)) if positive_only else np.flatnonzero(mask)
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order][:limit].tolist()


def reciprocal_rank_fusion(rankings: list[list[int]], k: int) -> dict[int, float]:
    """score(d) = sum over rankings of 1 / (k + rank of d), ranks starting at 1 (Cormack et al., 2009)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def search(index: SearchIndex, embedder: Embedder, question: str, settings: Settings,
           filters: Filters | None = None, *, ranking: str = "hybrid", k: int | None = None) -> SearchResponse:
    """The top passages for a question, best first."""
    question = clean_question(question, settings)
    filters = filters or Filters()
    if ranking not in RANKINGS:
        raise InvalidQueryError(f"Unknown ranking '{ranking}'; choose one of: {', '.join(RANKINGS)}.")
    k = k or settings.top_k
    mask = allowed_chunks(index, filters)
    dense = dense_scores(index, embedder, question) if ranking in ("dense", "hybrid") else np.zeros(len(mask))
    lexical = bm25_scores(index, question) if ranking in ("bm25", "hybrid") else np.zeros(len(mask))
    if ranking == "dense":
        order = ranked(dense, mask, k)
        scored = [(i, float(dense[i])) for i in order]
    elif ranking == "bm25":
        order = ranked(lexical, mask, k, positive_only=True)
        scored = [(i, float(lexical[i])) for i in order]
    else:
        fused = reciprocal_rank_fusion(
            [ranked(dense, mask, settings.candidates), ranked(lexical, mask, settings.candidates, positive_only=True)],
            settings.rrf_k,
        )
        scored = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
    hits = [Hit(index.chunks[i], score, float(dense[i]), float(lexical[i])) for i, score in scored]
    return SearchResponse(question, filters, hits, index)


def hit_record(index: SearchIndex, hit: Hit) -> dict:
    """The JSON contract of one result (see README: batch search)."""
    review = index.review_of(hit.chunk)
    return {
        "review_id": review.id,
        "title": review.title,
        "year": review.year,
        "area": review.area,
        "name": review.name,
        "nation": review.nation,
        "section": hit.chunk.section,
        "section_label": section_label(hit.chunk.section),
        "passage": review.text[hit.chunk.start:hit.chunk.end],
        "start": hit.chunk.start,
        "end": hit.chunk.end,
        "score": round(hit.score, 6),
    }


@dataclass
class Searcher:
    """An index and the embedder it was built with, opened once and searched many times."""

    settings: Settings
    index: SearchIndex
    embedder: Embedder

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "Searcher":
        from .embedding import load_embedder
        from .index import load_index

        index = load_index(settings)
        return cls(settings, index, embedder or load_embedder(settings))

    def search(self, question: str, filters: Filters | None = None, **options) -> SearchResponse:
        return search(self.index, self.embedder, question, self.settings, filters, **options)
