"""End to end with the real bundled model and the full corpus (slow: builds a real index once)."""

import json
import os
import re
import subprocess
import sys

import pytest

from qa.collection import load_collection
from qa.settings import SHIPPED_COLLECTION
from tests.helpers import ROOT, ask

pytestmark = pytest.mark.slow


def summary_text(service, review_id):
    return " ".join(d.text for d in service.index().documents_of(review_id))


def test_bundled_model_embeds_offline(real_service):
    vectors = real_service.embedder().encode(["a baby was bruised"])
    assert vectors.shape == (1, 384)
    assert abs(float((vectors ** 2).sum()) - 1.0) < 1e-4
    assert real_service.embedder().count_tokens("a b c") == 5


def test_every_chunk_fits_the_model_window(real_service):
    limit = real_service.settings.paragraph_tokens     # a passage is cut between sentences past this
    index = real_service.index()
    count = real_service.embedder().count_tokens
    assert all(count(index.chunk(row).text) <= limit for row in range(len(index.chunk_table)))


def test_co_sleeping_question_finds_co_sleeping_reviews(real_service):
    response = ask(real_service, "baby died while co-sleeping with a parent who had been drinking", k=5)
    about_sleep = [h.review for h in response.hits
                   if re.search(r"sleep|bed", summary_text(real_service, h.review.id), re.I)]
    assert len(about_sleep) == 5
    assert all(h.review.child_ages == () or min(low for low, _ in h.review.child_ages) < 1 for h in response.hits)


def test_lay_words_reach_the_professional_term(real_service):
    response = ask(real_service, "teenager groomed to sell drugs", k=5)
    exploitation = [h for h in response.hits if re.search(r"criminal exploitation|county lines|drug dealing|gang",
                                                          summary_text(real_service, h.review.id), re.I)]
    assert len(exploitation) >= 4


def test_constraints_in_words_filter_the_results(real_service):
    response = ask(real_service, "2022 reviews from London boroughs about knife crime", k=10)
    assert set(response.understood.notes) == {"London", "2022"}
    assert response.hits and all(h.review.year == 2022 and h.review.region == "London" for h in response.hits)


def test_warm_search_reports_nothing_for_gibberish(real_service):
    response = ask(real_service, "qwzx vbnm plokij", k=5)
    assert all(h.similarity < 0.35 for h in response.hits)


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
    texts = {d.review_id: d.text for d in load_collection(SHIPPED_COLLECTION).documents}
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["qid"] for line in lines] == ["a", "b", "c"]
    for line in lines:
        assert len(line["results"]) == 10
        assert len({hit["review_id"] for hit in line["results"]}) == 10
        for hit in line["results"]:
            text = texts[hit["review_id"]]
            assert hit["passage"] in text and text[hit["start"]:hit["end"]] == hit["passage"]
            assert text[hit["evidence_start"]:hit["evidence_end"]] == hit["evidence"]
            for passage in hit["passages"]:
                assert text[passage["start"]:passage["end"]] == passage["passage"]


HEAVY = ("torch", "transformers", "sentence_transformers")


def test_a_search_in_a_fresh_process_never_imports_torch(real_settings):
    """The query path runs the bundled model on onnxruntime: no torch, transformers or
    sentence-transformers, from the CLI entry point through a full search."""
    code = (
        "import sys, json\n"
        "from qa.cli import main\n"
        f"code = main(['--index-dir', {str(real_settings.index_dir)!r}, 'search', 'baby bruising missed by GP',"
        " '--k', '3', '--json'])\n"
        f"print(json.dumps({{'code': code, 'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}
    assert len(json.loads(result.stdout)["results"]) == 3


def test_the_service_opens_and_searches_without_torch(real_settings):
    code = (
        "import sys\n"
        "from qa.search import search_request\n"
        "from qa.service import Service\n"
        "from qa.settings import Settings\n"
        f"settings = Settings(root={str(real_settings.root)!r})\n"
        "hits = Service(settings).search(search_request('co-sleeping and substance misuse', settings, k=5)).hits\n"
        "assert len(hits) == 5\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                            check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.stdout.strip() == "[]"
