"""Keyword (BM25) side: bm25s indexes over passages and over whole reviews, with the one tokenizer
(qa/text.py) that questions go through too."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..text import tokenize


def build_bm25(texts: Sequence[str]):
    import bm25s

    retriever = bm25s.BM25()
    # bm25s needs one token per document at least; an empty chunk gets a placeholder no query has.
    retriever.index([tokenize(t) or ["__empty__"] for t in texts], show_progress=False)
    return retriever


def save_bm25(retriever, folder: Path) -> None:
    retriever.save(str(folder), allow_pickle=False)


def load_bm25(folder: Path):
    import bm25s

    return bm25s.BM25.load(str(folder), allow_pickle=False)


def bm25_scores(retriever, query: str, doc_count: int) -> np.ndarray:
    """BM25 score of every chunk for the query (zeros where no query word occurs)."""
    tokens = [t for t in tokenize(query) if t in retriever.vocab_dict]
    if not tokens:
        return np.zeros(doc_count, dtype=np.float32)
    return np.asarray(retriever.get_scores(tokens), dtype=np.float32)
