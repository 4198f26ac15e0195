"""Shared fixtures: a tiny corpus parsed from tests/fixtures/page.txt and a fake embedder, so the
unit suite needs neither the real model nor the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.collection import Collection, save_collection
from qa.index import build_index
from qa.ingest.nspcc_page import parse_page
from qa.service import Service
from qa.settings import Settings
from tests.helpers import FIXTURES, FakeEmbedder


@pytest.fixture(scope="session", autouse=True)
def private_data_folder(tmp_path_factory):
    """No test reads or writes the user's own data folder: the default one points into the test's
    temporary folder (subprocesses inherit it)."""
    import os

    folder = tmp_path_factory.mktemp("user-data")
    saved = {name: os.environ.get(name) for name in ("XDG_DATA_HOME",)}
    os.environ["XDG_DATA_HOME"] = str(folder)
    yield folder
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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
    return Settings(root=tmp_path, source_file=FIXTURES / "page.txt", model="fake-hash-64", chunk_tokens=24,
                    paragraph_tokens=48, context_embedding=True)


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
    import shutil

    from qa.embed import load_embedder
    from qa.settings import SHIPPED_COLLECTION

    root = tmp_path_factory.mktemp("real")
    (root / "corpus").mkdir()
    shutil.copyfile(SHIPPED_COLLECTION, root / "corpus" / "reviews.jsonl")
    settings = Settings(root=root)
    build_index(settings, load_embedder(settings), progress=False)
    return settings


@pytest.fixture(scope="session")
def real_service(real_settings):
    return Service(real_settings)


@pytest.fixture(scope="session")
def report_pdf(tmp_path_factory) -> Path:
    """A six-section overview report printed to PDF by Chromium (slow tests; skipped without it)."""
    from testkit import documents

    if not documents.chromium_available():
        pytest.skip("needs Debian's /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    path = tmp_path_factory.mktemp("pdf") / "Child Q overview report.pdf"
    documents.print_pdfs([documents.PdfJob(documents.report_html(sections=6), path)])
    return path
