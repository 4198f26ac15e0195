"""Question -> ranked reviews, each with its best verbatim passages and evidence sentence.

The stages are plain functions over arrays, so a ranking is a choice of weights (see RANKINGS):

    clean_question -> understand (constraints -> filters) -> expand (thesaurus)
    -> signals: dense similarity of every segment, BM25 of every passage / review
    -> per-review rankings -> reciprocal rank fusion -> best passages and evidence per review
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

from . import keyword
from .chunking import Chunk, Segment, section_label
from .corpus import Review
from .embedding import Embedder
from .errors import InvalidQueryError
from .filters import Filters, review_passes
from .index import SearchIndex
from .settings import Settings
from .thesaurus import expand
from .understand import Understanding, understand

__all__ = ["Filters", "Ranking", "RANKINGS", "Searcher", "search", "clean_question", "reciprocal_rank_fusion"]


@dataclass(frozen=True)
class Ranking:
    """Weights of the per-review rankings that are fused; a zero weight switches a signal off."""

    name: str
    description: str
    dense: float = 0.0            # best segment's cosine similarity to the question
    context: float = 0.0          # the same, with segments embedded beside their review's opening
    bm25: float = 0.0             # BM25 keyword score
    bm25_level: str = "chunk"     # "chunk": a review's best passage; "review": the whole review
    expand: bool = False          # add thesaurus terms to the keyword query
    expansion_dense: float = 0.0  # similarity to the thesaurus terms alone
    understand: bool = False      # turn constraints in the question into filters
    facets: float = 0.0           # reward reviews that match every part of "X and Y" questions


RANKINGS = {
    "bm25": Ranking("bm25", "BM25 over passages; a review ranks by its best passage", bm25=1.0),
    "dense": Ranking("dense", "MiniLM cosine similarity; a review ranks by its best sentence", dense=1.0),
    "hybrid": Ranking("hybrid", "reciprocal rank fusion of dense and BM25 (plain hybrid)", dense=1.0, bm25=1.0),
    "default": Ranking(
        "default",
        "question constraints as filters, thesaurus expansion, whole-review BM25 fused with sentence- and "
        "context-level dense similarity",
        dense=1.0, context=0.5, bm25=2.5, bm25_level="review", expand=True, expansion_dense=0.3, understand=True,
    ),
}
# Ablations of the default, one step removed each, so `reviewqa eval` can show what each step adds.
RANKINGS["no-understanding"] = replace(RANKINGS["default"], name="no-understanding", understand=False,
                                       description="default without turning question constraints into filters")
RANKINGS["no-thesaurus"] = replace(RANKINGS["default"], name="no-thesaurus", expand=False,
                                   description="default without thesaurus expansion")
# Measured and not kept in the default (see eval/README.md): facet coverage for "X and Y" questions.
RANKINGS["facets"] = replace(RANKINGS["default"], name="facets", facets=1.0,
                             description="default plus facet coverage: each part of an 'X and Y' question ranks too")
RANKINGS["no-review-bm25"] = replace(RANKINGS["default"], name="no-review-bm25", bm25_level="chunk",
                                     description="default with BM25 on a review's best passage, not the whole review")
DEFAULT_RANKING = "default"
# Below this cosine similarity a review's best sentence is not about the question (on the benchmark the
# weakest first result scores 0.38; "recipe for chocolate cake" scores 0.18).
WEAK_SIMILARITY = 0.30
PASSAGES_PER_REVIEW = 3


@dataclass(frozen=True)
class PassageHit:
    chunk: Chunk
    score: float
    evidence: Segment


@dataclass(frozen=True)
class ReviewHit:
    review: Review
    score: float           # fused score scaled to 0-1 (1 = first in every ranking)
    similarity: float      # cosine similarity of the review's best sentence to the question
    passages: tuple[PassageHit, ...]


@dataclass
class SearchResponse:
    query: str
    ranking: str
    filters: Filters                  # what was applied: understood from the question + given
    understood: Understanding
    hits: list[ReviewHit]
    matched: int                      # reviews that passed the filters
    index: SearchIndex = field(repr=False)

    def to_records(self) -> list[dict]:
        return [hit_record(hit) for hit in self.hits]

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "ranking": self.ranking,
            "understood": {"filters": self.understood.filters.to_json(), "notes": list(self.understood.notes),
                           "search_text": self.understood.search_text},
            "filters": self.filters.to_json(),
            "matched_reviews": self.matched,
            "results": self.to_records(),
        }


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


def get_ranking(name: str) -> Ranking:
    try:
        return RANKINGS[name]
    except KeyError:
        raise InvalidQueryError(f"Unknown ranking '{name}'; choose one of: {', '.join(RANKINGS)}.") from None


def reciprocal_rank_fusion(rankings: list[list[int]], k: int, weights: list[float] | None = None) -> dict[int, float]:
    """score(d) = sum over rankings of w / (k + rank of d), ranks starting at 1 (Cormack et al., 2009)."""
    fused: dict[int, float] = {}
    for j, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[j]
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def ranked(scores: np.ndarray, mask: np.ndarray, limit: int, *, positive_only: bool = False) -> list[int]:
    """Positions in descending score among allowed ones (ties broken by position, for stable output)."""
    candidates = np.flatnonzero(mask & (scores > 0)) if positive_only else np.flatnonzero(mask)
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order][:limit].tolist()


def per_review_max(values: np.ndarray, owners: np.ndarray, count: int) -> np.ndarray:
    best = np.full(count, -np.inf, dtype=np.float32)
    np.maximum.at(best, owners, values)
    return best


_FACET_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bplus\b|\bas well as\b|&|\s[-–]\s)\s*", re.I)


_PEOPLE = frozenset(keyword.tokenize("mum dad mother father parent parents child children baby family brother "
                                     "sister sibling carer carers it they them"))


def facets(text: str) -> list[str]:
    """The parts of an "X and Y" question. A part naming only people ("mum and dad") is not a facet
    of its own: it stays joined to the part before it."""
    parts: list[str] = []
    for piece in (p.strip() for p in _FACET_SPLIT.split(text)):
        if not piece:
            continue
        if parts and not set(keyword.tokenize(piece)) - _PEOPLE:
            parts[-1] = f"{parts[-1]} and {piece}"
        else:
            parts.append(piece)
    return parts if len(parts) >= 2 else [text]


def review_mask(index: SearchIndex, filters: Filters) -> np.ndarray:
    if filters.is_empty():
        return np.ones(len(index.review_ids), dtype=bool)
    return np.fromiter((review_passes(index.reviews[rid], filters) for rid in index.review_ids),
                       dtype=bool, count=len(index.review_ids))


def search(index: SearchIndex, embedder: Embedder, question: str, settings: Settings,
           filters: Filters | None = None, *, ranking: str = DEFAULT_RANKING, k: int | None = None,
           use_understanding: bool = True) -> SearchResponse:
    """The reviews that best answer a question, best first, each with its best passages."""
    question = clean_question(question, settings)
    config = get_ranking(ranking)
    k = k or settings.top_k
    if config.understand and use_understanding:
        understood = understand(question, list(index.reviews.values()))
    else:
        understood = Understanding(Filters(), question)
    applied = understood.filters.merged_with(filters or Filters())
    text = understood.search_text or question
    mask = review_mask(index, applied)
    count = len(index.review_ids)

    expansions = expand(text) if config.expand else []
    keyword_query = " ".join([text, *expansions])
    parts = facets(text) if config.facets else []
    parts = parts if len(parts) >= 2 else []
    # One batch for every text the model must embed: the question, its thesaurus terms, its parts.
    extra = [", ".join(expansions)] if config.expansion_dense and expansions else []
    vectors = embedder.encode([text, *extra, *parts])
    query_vector = vectors[0]
    expansion_vector = vectors[1] if extra else None
    part_vectors = vectors[1 + len(extra):]
    segment_sims = index.segment_vectors @ query_vector
    best_sims = per_review_max(segment_sims, index.segment_review, count)

    rankings, weights = [], []
    depth = settings.candidates
    if config.dense:
        rankings.append(ranked(best_sims, mask, depth))
        weights.append(config.dense)
    if config.context:
        context_sims = index.context_vectors @ query_vector
        rankings.append(ranked(per_review_max(context_sims, index.segment_review, count), mask, depth))
        weights.append(config.context)
    chunk_bm25 = keyword.bm25_scores(index.bm25, keyword_query, len(index.chunks))
    if config.bm25:
        if config.bm25_level == "review":
            review_bm25 = keyword.bm25_scores(index.bm25_reviews, keyword_query, count)
        else:
            review_bm25 = per_review_max(chunk_bm25, index.chunk_review, count)
        rankings.append(ranked(review_bm25, mask, depth, positive_only=True))
        weights.append(config.bm25)
    if expansion_vector is not None:
        expansion_sims = index.segment_vectors @ expansion_vector
        rankings.append(ranked(per_review_max(expansion_sims, index.segment_review, count), mask, depth))
        weights.append(config.expansion_dense)

    if parts:
        # Each part ranks reviews on its own; a review's coverage is its fused rank across parts.
        part_rankings = []
        for part, vector in zip(parts, part_vectors):
            part_dense = per_review_max(index.segment_vectors @ vector, index.segment_review, count)
            part_bm25 = keyword.bm25_scores(index.bm25_reviews, " ".join([part, *expand(part)]), count)
            part_fused = reciprocal_rank_fusion(
                [ranked(part_dense, mask, depth), ranked(part_bm25, mask, depth, positive_only=True)], settings.rrf_k)
            part_rankings.append(sorted(part_fused, key=lambda r: (-part_fused[r], r)))
        rankings += part_rankings
        weights += [config.facets / len(parts)] * len(parts)

    hits = fused_hits(index, rankings, weights, settings, k, segment_sims, best_sims, chunk_bm25, keyword_query)
    return SearchResponse(question, config.name, applied, understood, hits, int(mask.sum()), index)


def fused_hits(index: SearchIndex, rankings: list[list[int]], weights: list[float], settings: Settings, k: int,
               segment_sims: np.ndarray, best_sims: np.ndarray, chunk_bm25: np.ndarray,
               keyword_query: str) -> list[ReviewHit]:
    """Fuse per-review rankings and dress the top k reviews with their best passages."""
    fused = reciprocal_rank_fusion(rankings, settings.rrf_k, weights)
    best_possible = sum(weights) / (settings.rrf_k + 1)
    order = sorted(fused, key=lambda r: (-fused[r], r))[:k]
    return [ReviewHit(index.reviews[index.review_ids[r]], fused[r] / best_possible, float(best_sims[r]),
                      best_passages(index, r, segment_sims, chunk_bm25, keyword_query)) for r in order]


def more_like(index: SearchIndex, review_id: str, settings: Settings, filters: Filters | None = None,
              k: int | None = None) -> SearchResponse:
    """Reviews most like a given review: its sentences' mean vector against every sentence, fused with
    BM25 of its subject keywords. The review itself (and any entry for the same case) is left out."""
    if review_id not in index.reviews:
        raise InvalidQueryError(f"There is no review with id '{review_id}'; pick a result from the list.")
    source = index.reviews[review_id]
    position = index.review_ids.index(review_id)
    count = len(index.review_ids)
    applied = filters or Filters()
    mask = review_mask(index, applied)
    for rid in (review_id, *source.same_case_as):
        if rid in index.reviews:
            mask[index.review_ids.index(rid)] = False
    centre = index.segment_vectors[index.segment_review == position].mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    segment_sims = index.segment_vectors @ centre
    keyword_query = " ".join(source.keywords) or source.summary
    best_sims = per_review_max(segment_sims, index.segment_review, count)
    rankings = [ranked(best_sims, mask, settings.candidates),
                ranked(keyword.bm25_scores(index.bm25_reviews, keyword_query, count), mask, settings.candidates,
                       positive_only=True)]
    chunk_bm25 = keyword.bm25_scores(index.bm25, keyword_query, len(index.chunks))
    hits = fused_hits(index, rankings, [1.0, 1.0], settings, k or settings.top_k, segment_sims, best_sims,
                      chunk_bm25, keyword_query)
    query = f"More like: {source.title}"
    return SearchResponse(query, "more-like-this", applied, Understanding(Filters(), query), hits,
                          int(mask.sum()), index)


def best_passages(index: SearchIndex, review_position: int, segment_sims: np.ndarray, chunk_bm25: np.ndarray,
                  keyword_query: str, limit: int = PASSAGES_PER_REVIEW) -> tuple[PassageHit, ...]:
    """A review's passages ordered by how well they answer the question: the best sentence's
    similarity, nudged by the passage's keyword score; each with its evidence sentence."""
    chunk_ids = np.flatnonzero(index.chunk_review == review_position)
    segment_ids = np.flatnonzero(index.segment_review == review_position)
    top_bm25 = float(chunk_bm25[chunk_ids].max()) if len(chunk_ids) else 0.0
    query_terms = set(keyword.tokenize(keyword_query))
    passages = []
    for chunk_id in chunk_ids:
        own = segment_ids[index.segment_chunk[segment_ids] == chunk_id]
        # Evidence: the sentence closest in meaning, with a small bonus for sharing the question's words.
        evidence_scores = [float(segment_sims[s]) + 0.05 * _overlap(index, index.segments[s], query_terms) for s in own]
        best = own[int(np.argmax(evidence_scores))]
        lexical = float(chunk_bm25[chunk_id]) / top_bm25 if top_bm25 > 0 else 0.0
        score = max(evidence_scores) + 0.1 * lexical
        passages.append(PassageHit(index.chunks[chunk_id], score, index.segments[best]))
    passages.sort(key=lambda p: (-p.score, p.chunk.id))
    return tuple(passages[:limit])


def _overlap(index: SearchIndex, segment: Segment, query_terms: set[str]) -> float:
    if not query_terms:
        return 0.0
    chunk = index.chunks[segment.chunk_id]
    text = index.reviews[chunk.review_id].text[segment.start:segment.end]
    return len(query_terms & set(keyword.tokenize(text))) / len(query_terms)


def passage_record(review: Review, passage: PassageHit) -> dict:
    chunk = passage.chunk
    return {
        "section": chunk.section,
        "section_label": section_label(chunk.section),
        "passage": review.text[chunk.start:chunk.end],
        "start": chunk.start,
        "end": chunk.end,
        "evidence": review.text[passage.evidence.start:passage.evidence.end],
        "evidence_start": passage.evidence.start,
        "evidence_end": passage.evidence.end,
    }


def hit_record(hit: ReviewHit) -> dict:
    """The JSON contract of one result (README: batch search): the review, its best passage at the
    top level, and up to three passages under "passages"."""
    review = hit.review
    passages = [passage_record(review, p) for p in hit.passages]
    return {
        "review_id": review.id,
        "title": review.title,
        "year": review.year,
        "area": review.area,
        "name": review.name,
        "nation": review.nation,
        "region": review.region,
        "keywords": list(review.keywords),
        **passages[0],
        "score": round(hit.score, 4),
        "similarity": round(hit.similarity, 4),
        "weak_match": hit.similarity < WEAK_SIMILARITY,
        "passages": passages,
        "same_case_as": list(review.same_case_as),
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

        from threadpoolctl import threadpool_limits

        # Search multiplies small matrices; a multi-threaded BLAS only fights the model's own threads
        # for the cores (measured on 2 cores: median 72 ms -> 41 ms per question with one BLAS thread).
        # This is process-wide on purpose: a process that searches wants it for every query.
        threadpool_limits(limits=1, user_api="blas")
        index = load_index(settings)
        return cls(settings, index, embedder or load_embedder(settings))

    def search(self, question: str, filters: Filters | None = None, **options) -> SearchResponse:
        return search(self.index, self.embedder, question, self.settings, filters, **options)

    def more_like(self, review_id: str, filters: Filters | None = None, k: int | None = None) -> SearchResponse:
        return more_like(self.index, review_id, self.settings, filters, k)
