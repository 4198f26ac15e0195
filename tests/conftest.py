"""Shared fixtures: a tiny corpus parsed from tests/fixtures/page.txt and a fake embedder, so the
unit suite needs neither the real model nor the real corpus."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from qa.corpus import parse_page, write_reviews
from qa.index import build_index
from qa.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent


class FakeEmbedder:
    """Deterministic bag-of-words hashing embedder: texts sharing words get similar vectors."""

    name = "fake-hash-64"
    dimension = 64

    def __init__(self):
        self.calls = 0

    def encode(self, texts, *, batch_size=32, progress=False):
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                out[row, digest[0] % self.dimension] += 1.0
            out[row] /= max(np.linalg.norm(out[row]), 1e-9)
        return out

    def count_tokens(self, text):
        return len(text.split()) + 2


@pytest.fixture
def fixture_page() -> str:
    return (FIXTURES / "page.txt").read_text(encoding="utf-8")


@pytest.fixture
def fixture_reviews(fixture_page):
    return parse_page(fixture_page)


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def settings(tmp_path, fixture_reviews) -> Settings:
    """Settings pointing at a private corpus and index folder; the model is named after the fake."""
    corpus = tmp_path / "corpus" / "reviews.jsonl"
    write_reviews(fixture_reviews, corpus)
    return Settings(corpus_path=corpus, source_path=FIXTURES / "page.txt", index_dir=tmp_path / "index",
                    model="fake-hash-64", chunk_tokens=24, chunk_overlap_tokens=0)


@pytest.fixture
def built(settings, fake_embedder):
    build_index(settings, fake_embedder, progress=False)
    return settings


# --- the real model and corpus (tests marked slow) ----------------------------------------------------

@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    """A real index of the shipped corpus, built once per test session in a private folder."""
    from qa.embedding import load_embedder

    settings = Settings(index_dir=tmp_path_factory.mktemp("real-index"))
    build_index(settings, load_embedder(settings), progress=False)
    return settings


@pytest.fixture(scope="session")
def real_searcher(real_settings):
    from qa.search import Searcher

    return Searcher.open(real_settings)
