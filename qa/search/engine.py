"""Question -> ranked reviews, each with its best verbatim passages and evidence sentence.

    request (checked at the edge) -> understand (constraints -> filters) -> expand (thesaurus)
    -> signals: dense similarity of segments, BM25 of passages / reviews
    -> per-review rankings -> reciprocal rank fusion (fusion.py) -> best passages (passages.py)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..embed import Embedder
from ..errors import NotFoundError
from ..gazetteer import area_key
from ..index import SearchIndex, keyword
from ..index.dense import scores_for, search_vectors, vectors_for
from ..records import Review
from ..settings import Settings
from ..text import match_key, tokenize
from .filters import Filters, is_unknown_for, passes_group
from .fusion import per_review_max, ranked, reciprocal_rank_fusion
from .passages import PassageHit, best_passages
from .rankings import get_ranking
from .relevance import capped_matches, is_weak, match_label, weak_last
from .request import SearchRequest, SimilarRequest
from .results import response_record
from .thesaurus import expand
from .understand import Understanding, understand


@dataclass(frozen=True)
class ReviewHit:
    review: Review
    score: float           # fused score scaled to 0-1 (1 = first in every ranking); orders, never shown
    similarity: float      # cosine similarity of the review's best sentence to the question
    passages: tuple[PassageHit, ...]
    match: float = 0.0     # the relevance users see (relevance.py): similarity capped by the results above

    @property
    def weak(self) -> bool:
        return is_weak(self.similarity)

    @property
    def match_label(self) -> str:
        return match_label(self.match)


@dataclass(frozen=True)
class SearchResponse:
    query: str
    ranking: str
    filters: Filters                  # what was applied: understood from the question + given
    understood: Understanding
    hits: tuple[ReviewHit, ...]
    matched: int                      # reviews that passed the filters
    generation: int                   # the index generation that answered
    # Per filter group ("year", "place", "keyword", "age"): reviews left out only because their value
    # for it is unknown; and, when no review passes, how many would pass without each group.
    unknown_left_out: dict[str, int] = field(default_factory=dict)
    passing_without: dict[str, int] = field(default_factory=dict)

    @property
    def all_weak(self) -> bool:
        """Nothing is close enough to show: every hit is a weak match (or there are none)."""
        return all(hit.weak for hit in self.hits)

    def to_json(self) -> dict:
        return response_record(self)

    def to_records(self) -> list[dict]:
        return self.to_json()["results"]


_FACET_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bplus\b|\bas well as\b|&|\s[-–]\s)\s*", re.I)


_PEOPLE = frozenset(tokenize("mum dad mother father parent parents child children baby family brother "
                                     "sister sibling carer carers it they them"))


def facets(text: str) -> list[str]:
    """The parts of an "X and Y" question. A part naming only people ("mum and dad") is not a facet
    of its own: it stays joined to the part before it."""
    parts: list[str] = []
    for piece in (p.strip() for p in _FACET_SPLIT.split(text)):
        if not piece:
            continue
        if parts and not set(tokenize(piece)) - _PEOPLE:
            parts[-1] = f"{parts[-1]} and {piece}"
        else:
            parts.append(piece)
    return parts if len(parts) >= 2 else [text]


@dataclass(frozen=True)
class FilterOutcome:
    """Which reviews pass the filters, and what the filters did: per filter group, how many reviews
    were left out only because their value for it is unknown (offered back with include_unknown),
    and, when nothing passes, how many would pass without each group."""

    mask: np.ndarray
    unknown_left_out: dict[str, int]
    passing_without: dict[str, int]


def filter_reviews(index: SearchIndex, filters: Filters) -> FilterOutcome:
    """Apply the filters on the index's metadata columns (no per-review Python for years and places;
    keywords and ages, rarer, are checked review by review)."""
    count = len(index.review_ids)
    groups = filters.active()
    if not groups:
        return FilterOutcome(np.ones(count, dtype=bool), {}, {})
    passing, unknown = {}, {}
    for group in groups:
        passing[group], unknown[group] = _group_masks(index, filters, group)
    admitted = {g: passing[g] | (unknown[g] & filters.include_unknown) for g in groups}
    mask = np.logical_and.reduce([admitted[g] for g in groups])

    def all_but(group: str) -> np.ndarray:
        others = [admitted[g] for g in groups if g != group]
        return np.logical_and.reduce(others) if others else np.ones(count, dtype=bool)

    left_out = {} if filters.include_unknown else {
        g: int((unknown[g] & all_but(g)).sum()) for g in groups if (unknown[g] & all_but(g)).any()}
    without = {g: int(all_but(g).sum()) for g in groups} if not mask.any() else {}
    return FilterOutcome(mask, left_out, without)


def _group_masks(index: SearchIndex, filters: Filters, group: str) -> tuple[np.ndarray, np.ndarray]:
    """(reviews whose known value passes this group, reviews whose value for it is unknown)."""
    columns = index.review_columns
    if group == "year":
        year = columns["year"]
        known = year >= 0
        if filters.years:
            return known & np.isin(year, list(filters.years)), ~known
        low = filters.year_from if filters.year_from is not None else -1
        high = filters.year_to if filters.year_to is not None else 10_000
        return known & (year >= low) & (year <= high), ~known
    if group == "place":
        # Places are alternatives: "Kent or London" keeps reviews from either.
        in_place = np.zeros(len(index.review_ids), dtype=bool)
        for name, values, key in (("nation", filters.nations, match_key), ("region", filters.regions, match_key),
                                  ("area", filters.areas, area_key)):
            if values:
                in_place |= np.isin(columns[name], [key(v) for v in values])
    reviews = [index.reviews[rid] for rid in index.review_ids]
    unknown = np.array([is_unknown_for(r, filters, group) for r in reviews], dtype=bool)
    if group != "place":
        in_place = np.array([passes_group(r, filters, group) for r in reviews], dtype=bool)
    return in_place & ~unknown, unknown


def review_mask(index: SearchIndex, filters: Filters) -> np.ndarray:
    return filter_reviews(index, filters).mask


def search(index: SearchIndex, embedder: Embedder, request: SearchRequest, settings: Settings) -> SearchResponse:
    """The reviews that best answer a question, best first, each with its best passages. The request
    was checked where it came in (qa/search/request.py)."""
    question, k = request.question, request.k
    config = get_ranking(request.ranking)
    if config.understand and not request.literal:
        understood = understand(question, list(index.reviews.values()))
    else:
        understood = Understanding(Filters(), question)
    applied = understood.filters.merged_with(request.filters)
    text = understood.search_text or question
    outcome = filter_reviews(index, applied)
    mask = outcome.mask
    allowed = allowed_segments(index, mask)
    count = len(index.review_ids)
    depth = settings.candidates

    expansions = expand(text) if config.expand else []
    keyword_query = " ".join([text, *expansions])
    parts = facets(text) if config.facets else []
    parts = parts if len(parts) >= 2 else []
    # One batch for every text the model must embed: the question, its thesaurus terms, its parts.
    extra = [", ".join(expansions)] if config.expansion_dense and expansions else []
    vectors = embedder.encode([text, *extra, *parts])
    query_vector = vectors[0]
    # One FAISS call for every vector searched against the sentences.
    plain_queries = vectors if (config.dense or extra or parts) else vectors[:0]
    plain_rankings = dense_rankings(index, index.plain, plain_queries, allowed, depth)

    rankings, weights = [], []
    if config.dense:
        rankings.append(plain_rankings[0])
        weights.append(config.dense)
    if config.context and index.context is not None:
        rankings.append(dense_rankings(index, index.context, vectors[:1], allowed, depth)[0])
        weights.append(config.context)
    chunk_bm25 = keyword.bm25_scores(index.bm25_chunks, keyword_query, len(index.chunk_table))
    if config.bm25:
        if config.bm25_level == "review":
            review_bm25 = keyword.bm25_scores(index.bm25_reviews, keyword_query, count)
        else:
            review_bm25 = per_review_max(chunk_bm25, index.chunk_review, count)
        rankings.append(ranked(review_bm25, mask, depth, positive_only=True))
        weights.append(config.bm25)
    if extra:
        rankings.append(plain_rankings[1])
        weights.append(config.expansion_dense)

    if parts:
        # Each part ranks reviews on its own; a review's coverage is its fused rank across parts.
        part_rankings = []
        for part, part_dense in zip(parts, plain_rankings[1 + len(extra):]):
            part_bm25 = keyword.bm25_scores(index.bm25_reviews, " ".join([part, *expand(part)]), count)
            part_fused = reciprocal_rank_fusion(
                [part_dense, ranked(part_bm25, mask, depth, positive_only=True)], settings.rrf_k)
            part_rankings.append(sorted(part_fused, key=lambda r: (-part_fused[r], r)))
        rankings += part_rankings
        weights += [config.facets / len(parts)] * len(parts)

    hits = fused_hits(index, rankings, weights, settings, k, query_vector, chunk_bm25, keyword_query, config.floor)
    return SearchResponse(question, config.name, applied, understood, tuple(hits), int(mask.sum()), index.generation,
                          outcome.unknown_left_out, outcome.passing_without)


# How many nearest sentences to fetch per review wanted: a review's best sentence must be among them
# for the review to rank on similarity. 20 sentences per review covers a ranking of 100 reviews on
# the summaries (about 30 sentences each) with the same top 100 as a scan of every sentence.
SENTENCES_PER_REVIEW = 20


def allowed_segments(index: SearchIndex, mask: np.ndarray) -> np.ndarray | None:
    """The filter as a mask over sentence rows, for FAISS's ID selector (None: no filter)."""
    if mask.all():
        return None
    return mask[index.segment_review]


def dense_rankings(index: SearchIndex, vectors_index, queries: np.ndarray, allowed: np.ndarray | None,
                   depth: int) -> list[list[int]]:
    """For each query vector, reviews (positions) ranked by their best sentence among the nearest
    sentences FAISS finds under the filter."""
    if len(queries) == 0:
        return []
    k = min(int(vectors_index.ntotal), depth * SENTENCES_PER_REVIEW)
    if k == 0:
        return [[] for _ in queries]
    _, found = search_vectors(vectors_index, queries, k, allowed=allowed)
    rankings = []
    for row in found:
        owners = index.segment_review[row[row >= 0]]
        _, first = np.unique(owners, return_index=True)
        rankings.append(owners[np.sort(first)][:depth].tolist())
    return rankings


# How many of the fused candidates a relevance floor (Ranking.floor) reorders.
FLOOR_POOL = 30


def fused_hits(index: SearchIndex, rankings: list[list[int]], weights: list[float], settings: Settings, k: int,
               query_vector: np.ndarray, chunk_bm25: np.ndarray, keyword_query: str,
               floor: float = 0.0) -> list[ReviewHit]:
    """Fuse per-review rankings and dress the top k reviews with their best passages."""
    fused = reciprocal_rank_fusion(rankings, settings.rrf_k, weights)
    best_possible = sum(weights) / (settings.rrf_k + 1)
    order = sorted(fused, key=lambda r: (-fused[r], r))
    sentence_scores: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def similarity(r: int) -> float:
        if r not in sentence_scores:
            # Exact similarities for this review's sentences only: the work grows with k, not the collection.
            segment_ids = index.segments_of(r)
            sentence_scores[r] = (segment_ids, scores_for(index.plain, query_vector, segment_ids))
        sims = sentence_scores[r][1]
        # A review with no sentences (only keywords) has no similarity: -1 keeps it a weak match.
        return float(sims.max()) if len(sims) else -1.0

    if floor:
        pool = order[:FLOOR_POOL]
        order = floored(pool, {r: similarity(r) for r in pool}, floor) + order[FLOOR_POOL:]
    order = order[:k]
    similarities, passages = {}, {}
    for r in order:
        similarities[r] = similarity(r)
        segment_ids, sims = sentence_scores[r]
        passages[r] = best_passages(index, r, segment_ids, sims, chunk_bm25, keyword_query)
    order = weak_last(order, similarities)
    matches = capped_matches(similarities[r] for r in order)
    return [ReviewHit(index.reviews[index.review_ids[r]], fused[r] / best_possible, similarities[r], passages[r],
                      match) for r, match in zip(order, matches)]


def floored(order: list[int], similarities: dict[int, float], floor: float) -> list[int]:
    """`order` with each review placed only after every review whose best sentence is at least
    `floor` closer to the question (a negative floor: by relevance band, then as ordered). The
    closest review always qualifies, so every step places one."""
    if floor < 0:
        from .relevance import BANDS

        def band(r: int) -> int:
            return next((i for i, (low, _) in enumerate(BANDS) if round(similarities[r], 2) >= low), len(BANDS))

        return sorted(order, key=lambda r: band(r))      # stable: fused order within a band
    left, placed = list(order), []
    while left:
        top = max(similarities[r] for r in left)
        chosen = next(r for r in left if similarities[r] > top - floor)
        placed.append(chosen)
        left.remove(chosen)
    return placed


def more_like(index: SearchIndex, request: SimilarRequest, settings: Settings) -> SearchResponse:
    """Reviews most like a given review: its sentences' mean vector against every sentence, fused with
    BM25 of its subject keywords. The review itself (and any entry for the same case) is left out."""
    review_id, applied = request.review_id, request.filters
    if review_id not in index.reviews:
        raise NotFoundError(f"There is no review with id '{str(review_id)[:100]}'; pick a result from the list.")
    source = index.reviews[review_id]
    position = index.review_ids.index(review_id)
    count = len(index.review_ids)
    outcome = filter_reviews(index, applied)
    mask = outcome.mask.copy()
    for rid in (review_id, *source.same_case_as):
        if rid in index.reviews:
            mask[index.review_ids.index(rid)] = False
    own = vectors_for(index.plain, index.segments_of(position))
    centre = own.mean(axis=0) if len(own) else np.zeros(index.plain.d, dtype=np.float32)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    keyword_query = " ".join(source.keywords) or " ".join(d.summary for d in index.documents_of(review_id))
    rankings = [dense_rankings(index, index.plain, centre[None, :], allowed_segments(index, mask),
                               settings.candidates)[0],
                ranked(keyword.bm25_scores(index.bm25_reviews, keyword_query, count), mask, settings.candidates,
                       positive_only=True)]
    chunk_bm25 = keyword.bm25_scores(index.bm25_chunks, keyword_query, len(index.chunk_table))
    hits = fused_hits(index, rankings, [1.0, 1.0], settings, request.k, centre, chunk_bm25, keyword_query)
    query = f"More like: {source.title}"
    return SearchResponse(query, "more-like-this", applied, Understanding(Filters(), query), tuple(hits),
                          int(mask.sum()), index.generation, outcome.unknown_left_out, outcome.passing_without)
