"""Keyword (BM25) side: one tokenizer for documents and queries, and a bm25s index over chunks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

# bm25s's English list is short (33 words); these are the words that carry no topic in questions.
_STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not of off on once only or other our ours ourselves out over own same she should so
some such than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves also any show find me give reviews review case cases example examples
""".split())

_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased, accent-folded, Snowball-stemmed words, stop words removed unless asked to keep them
    (phrase matching needs them: "no home" is not "home").

    Hyphenated words are split ("co-sleeping" -> "co", "sleep") so that "co sleeping" and
    "co-sleeping" match.
    """
    folded = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode().lower()
    words = [w for w in _TOKEN.findall(folded) if keep_stopwords or w not in _STOPWORDS]
    return _stemmer().stemWords(words)


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
