"""End to end with the real bundled model and the full corpus (slow: builds a real index once)."""

import json
import os
import subprocess
import sys

import pytest

from qa.corpus import load_reviews
from qa.embedding import load_embedder
from qa.index import build_index
from qa.search import Searcher
from qa.settings import Settings

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("real-index"))
    build_index(settings, load_embedder(settings), progress=False)
    return settings


@pytest.fixture(scope="session")
def real_searcher(real_settings):
    return Searcher.open(real_settings)


def test_bundled_model_embeds_offline(real_searcher):
    vectors = real_searcher.embedder.encode(["a baby was bruised"])
    assert vectors.shape == (1, 384)
    assert abs(float((vectors ** 2).sum()) - 1.0) < 1e-4
    assert real_searcher.embedder.count_tokens("a b c") == 5


def test_every_chunk_fits_the_model_window(real_searcher):
    limit = real_searcher.settings.chunk_tokens
    assert all(real_searcher.embedder.count_tokens(c.text) <= limit for c in real_searcher.index.chunks)


def test_co_sleeping_question_finds_co_sleeping_reviews(real_searcher):
    response = real_searcher.search("baby died while co-sleeping with a parent who had been drinking", k=5)
    reviews = [real_searcher.index.review_of(h.chunk) for h in response.hits]
    about_sleep = [r for r in reviews if "sleep" in r.text.lower() or "bed" in r.text.lower()]
    assert len(about_sleep) >= 4


def test_cli_batch_search_passages_are_verbatim(real_settings, tmp_path):
    queries = tmp_path / "queries.tsv"
    queries.write_text("a\tteenager stabbed in a knife crime\nb\tmother with postnatal depression\n"
                       "c\tchild criminal exploitation county lines\n", encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "--index-dir", str(real_settings.index_dir),
         "search", "--queries", str(queries), "--k", "10", "--json"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=True,
    )
    texts = {r.id: r.text for r in load_reviews(ROOT / "corpus" / "reviews.jsonl")}
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["qid"] for line in lines] == ["a", "b", "c"]
    for line in lines:
        assert len(line["results"]) == 10
        for hit in line["results"]:
            assert hit["passage"] in texts[hit["review_id"]]
            assert texts[hit["review_id"]][hit["start"]:hit["end"]] == hit["passage"]
