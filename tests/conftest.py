"""Shared fixtures: a tiny corpus parsed from tests/fixtures/page.txt and a fake embedder, so the
unit suite needs neither the real model nor the real corpus."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from qa.collection import Collection, save_collection
from qa.index import build_index
from qa.ingest.nspcc_page import parse_page
from qa.service import Service
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


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self):
        super().__init__()
        self.texts = 0

    def encode(self, texts, **kwargs):
        self.texts += len(texts)
        return super().encode(texts, **kwargs)


@pytest.fixture
def fixture_page() -> str:
    return (FIXTURES / "page.txt").read_text(encoding="utf-8")


@pytest.fixture
def fixture_collection(fixture_page) -> Collection:
    reviews, documents = parse_page(fixture_page)
    return Collection(tuple(reviews), tuple(documents))


@pytest.fixture
def fixture_reviews(fixture_collection):
    return list(fixture_collection.reviews)


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def settings(tmp_path, fixture_collection) -> Settings:
    """Settings for a private collection folder (corpus and index); the model is named after the fake."""
    save_collection(fixture_collection, tmp_path / "corpus" / "reviews.jsonl")
    # The in-context vectors are on here (off by default) so the unit suite exercises both indexes.
    return Settings(root=tmp_path, source_path=FIXTURES / "page.txt", model="fake-hash-64", chunk_tokens=24,
                    chunk_overlap_tokens=0, context_embedding=True)


@pytest.fixture
def built(settings, fake_embedder):
    build_index(settings, fake_embedder, progress=False)
    return settings


@pytest.fixture
def service(built, fake_embedder) -> Service:
    return Service(built, embedder=fake_embedder)


@pytest.fixture
def cli(settings, monkeypatch):
    """Run the CLI in-process against the fixture collection with the fake embedder."""
    import qa.embed
    from qa.cli import main

    monkeypatch.setattr(qa.embed, "load_embedder", lambda s: FakeEmbedder())
    monkeypatch.setattr(qa.embed, "load_query_embedder", lambda s: FakeEmbedder())

    def run(*args):
        return main(["--root", str(settings.root), "--model", "fake-hash-64", *args])
    return run


# --- the real model and corpus (tests marked slow) ----------------------------------------------------

@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    """A real index of the shipped corpus, built once per test session in a private folder."""
    from qa.embed import load_embedder

    settings = Settings(index_dir=tmp_path_factory.mktemp("real-index"))
    build_index(settings, load_embedder(settings), progress=False)
    return settings


@pytest.fixture(scope="session")
def real_service(real_settings):
    return Service(real_settings)
