"""A review's passages ordered by how well they answer the question, each with its evidence sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..index import Chunk, SearchIndex, keyword

PASSAGES_PER_REVIEW = 3


@dataclass(frozen=True)
class PassageHit:
    chunk: Chunk
    score: float
    evidence: tuple[int, int]          # the best sentence: offsets in chunk.document.text


def best_passages(index: SearchIndex, review_position: int, segment_sims: np.ndarray, chunk_bm25: np.ndarray,
                  keyword_query: str, limit: int = PASSAGES_PER_REVIEW) -> tuple[PassageHit, ...]:
    """The best sentence's similarity, nudged by the passage's keyword score, ranks a review's
    passages (from any of its documents)."""
    chunk_ids = np.flatnonzero(index.chunk_review == review_position)
    segment_ids = np.flatnonzero(index.segment_review == review_position)
    top_bm25 = float(chunk_bm25[chunk_ids].max()) if len(chunk_ids) else 0.0
    query_terms = set(keyword.tokenize(keyword_query))
    passages = []
    for chunk_id in chunk_ids:
        own = segment_ids[index.segment_chunk[segment_ids] == chunk_id]
        if not len(own):
            continue
        # Evidence: the sentence closest in meaning, with a small bonus for sharing the question's words.
        evidence_scores = [float(segment_sims[s]) + 0.05 * _overlap(index.segment_text(s), query_terms) for s in own]
        best = int(own[int(np.argmax(evidence_scores))])
        lexical = float(chunk_bm25[chunk_id]) / top_bm25 if top_bm25 > 0 else 0.0
        score = max(evidence_scores) + 0.1 * lexical
        passages.append(PassageHit(index.chunk(int(chunk_id)), score, index.segment_span(best)))
    passages.sort(key=lambda p: (-p.score, p.chunk.row))
    return tuple(passages[:limit])


def _overlap(text: str, query_terms: set[str]) -> float:
    if not query_terms:
        return 0.0
    return len(query_terms & set(keyword.tokenize(text))) / len(query_terms)


def page_span(passage: PassageHit) -> tuple[object, object]:
    """The pages a passage starts and ends on (None for sources without pages)."""
    document = passage.chunk.document
    return document.page_at(passage.chunk.start), document.page_at(max(passage.chunk.start, passage.chunk.end - 1))


def citation_label(passage: PassageHit) -> str:
    """Where a passage is, in words: "Overview report, p. 23, Findings" or "Summary, Learning"."""
    first, last = page_span(passage)
    parts = [passage.chunk.document.kind_label]
    if first is not None:
        printed = first.label or str(first.number)
        if last is not None and last.number != first.number:
            printed += f"–{last.label or last.number}"
        parts.append(f"p. {printed}")
    parts.append(passage.chunk.section.label)
    return ", ".join(parts)
