"""A review's passages ordered by how well they answer the question, each with its evidence sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..chunking import is_scaffolding, summary_section
from ..index import Chunk, SearchIndex
from ..records import Page
from ..text import tokenize
from .relevance import is_weak

PASSAGES_PER_REVIEW = 3


@dataclass(frozen=True)
class PassageHit:
    chunk: Chunk
    score: float
    evidence: tuple[int, int]          # the best sentence: offsets in chunk.document.text


# The evidence sentence gets a bonus of up to this for sharing the question's words.
OVERLAP_BONUS = 0.05
LEXICAL_WEIGHT = 0.1
# A passage in a long document's own summary ("Executive summary", "Summary", "Overview" at its start)
# scores this much less: the summary restates the body in brief, and the body holds the detail and
# the page to cite, so where both answer about equally well the body's passage is shown first. A
# summary that answers clearly better still leads. Never for documents that are a summary (the NSPCC
# summaries, an executive summary issued on its own). Measured on the 48 report questions
# (eval/reports, folds by report): the answer's passage first 29 -> 30, in the three shown 38 -> 39,
# nothing lost on either fold (`reviewqa eval --sets reports`: first passage 22 -> 23, any of 3 31 -> 32); 0.03 to 0.10
# measure the same. No dev question's answer is in a summary, so what the penalty costs is unmeasured.
SUMMARY_PENALTY = 0.05


def best_passages(index: SearchIndex, review_position: int, segment_ids: np.ndarray, segment_sims: np.ndarray,
                  chunk_bm25: np.ndarray, keyword_query: str,
                  limit: int = PASSAGES_PER_REVIEW) -> tuple[PassageHit, ...]:
    """A review's passages (from any of its documents) ranked by their best sentence's similarity,
    nudged by the passage's keyword score and, in a long document's own summary, down by
    SUMMARY_PENALTY; `segment_sims[i]` is the similarity of `segment_ids[i]`.
    Scaffolding (a title page, contents, glossary, terms of reference, a bare heading: chunking.py)
    is never shown before a passage of substance that answers (its best sentence is not a weak match).

    Only passages that can still make the top `limit` of their kind are scored in full (the
    word-overlap bonus is bounded), so a long report costs little more than a summary."""
    chunk_ids = index.chunks_of(review_position)
    if not len(chunk_ids) or not len(segment_ids):
        return ()
    local = np.searchsorted(chunk_ids, index.segment_chunk[segment_ids])
    best_sim = np.full(len(chunk_ids), -np.inf, dtype=np.float32)
    np.maximum.at(best_sim, local, segment_sims.astype(np.float32))
    bm25 = chunk_bm25[chunk_ids]
    top_bm25 = float(bm25.max())
    lexical = bm25 / top_bm25 if top_bm25 > 0 else np.zeros(len(chunk_ids), dtype=np.float32)
    # What a passage's best sentence is nudged by: its keyword score, less the summary penalty.
    nudge = LEXICAL_WEIGHT * lexical - SUMMARY_PENALTY * _in_summary(index, chunk_ids)
    floor = best_sim + nudge
    query_terms = set(tokenize(keyword_query))
    passages = []
    for position, answers in _contenders(index, chunk_ids, floor, best_sim, limit):
        own = np.flatnonzero(local == position)
        # Evidence: the sentence closest in meaning, with a small bonus for sharing the question's words.
        # Only sentences within the bonus of the closest can win, so only those are tokenized.
        sims = segment_sims[own]
        near = own[sims >= sims.max() - OVERLAP_BONUS]
        evidence = [float(segment_sims[i]) + OVERLAP_BONUS * _overlap(index.segment_text(int(segment_ids[i])),
                                                                      query_terms) for i in near]
        best = int(segment_ids[near[int(np.argmax(evidence))]])
        score = max(evidence) + float(nudge[position])
        passages.append((not answers, PassageHit(index.chunk(int(chunk_ids[position])), score,
                                                 index.segment_span(best))))
    passages.sort(key=lambda item: (item[0], -item[1].score, item[1].chunk.row))
    return tuple(hit for _, hit in passages[:limit])


def _contenders(index: SearchIndex, chunk_ids: np.ndarray, floor: np.ndarray, best_sim: np.ndarray,
                limit: int) -> list[tuple[int, bool]]:
    """(position, answers) of the passages that can be shown: those that answer (substance whose best
    sentence is not a weak match) come first, the rest (scaffolding, weak matches) only after them.
    Passages are taken in order of their score's lower bound, each group until `limit` of it are in
    hand and no other of it can overtake them; with `limit` answering ones in hand nothing else can
    be shown. Only a passage that is not a weak match is checked for scaffolding."""
    order = np.argsort(-floor, kind="stable")
    kept: list[tuple[int, bool]] = []
    thresholds: dict[bool, float] = {}
    counts = {True: 0, False: 0}
    for position in order.tolist():
        if not np.isfinite(best_sim[position]):
            break                                   # no sentence of it was scored: neither is any after it
        bound = float(floor[position]) + OVERLAP_BONUS
        if True in thresholds and bound < thresholds[True]:
            break
        answers = not is_weak(float(best_sim[position]))
        if answers:
            chunk = index.chunk(int(chunk_ids[position]))
            answers = not is_scaffolding(chunk.text, chunk.section.title)
        if answers in thresholds and bound < thresholds[answers]:
            continue
        kept.append((position, answers))
        counts[answers] += 1
        if counts[answers] == limit:
            thresholds[answers] = float(floor[position])
    return kept


def _in_summary(index: SearchIndex, chunk_ids: np.ndarray) -> np.ndarray:
    """1.0 for each passage in its document's summary section (summary_section), else 0.0."""
    rows = index.chunk_table[chunk_ids]
    flags = np.zeros(len(chunk_ids), dtype=np.float32)
    for doc_row in np.unique(rows[:, 0]).tolist():
        section = summary_section(index.documents[doc_row])
        if section is not None:
            flags[(rows[:, 0] == doc_row) & (rows[:, 1] == section)] = 1.0
    return flags


def _overlap(text: str, query_terms: set[str]) -> float:
    if not query_terms:
        return 0.0
    return len(query_terms & set(tokenize(text))) / len(query_terms)


def page_span(passage: PassageHit) -> tuple[Page | None, Page | None]:
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
