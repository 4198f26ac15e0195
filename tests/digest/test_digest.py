import json

import numpy as np
import pytest

from qa.digest import digest as digest_module
from qa.digest import make_digest
from qa.digest.digest import clause_vectors, set_clauses
from qa.errors import InvalidQueryError
from qa.records import Document
from qa.search import filters_from_input, search_request
from qa.service import Service
from tests.helpers import CountingEmbedder, FakeEmbedder

PROFILE_FIELDS = ["outcome", "age_group", "sex", "year", "nation", "region"]
QUOTE_FIELDS = ["review_id", "document_id", "start", "end", "text", "citation"]


def check_contract(record: dict, documents_by_id: dict) -> None:
    """The shape `Digest.to_json()` promises, and that every quote is its document's own words."""
    assert list(record) == ["query", "filters", "set", "profile", "themes"]
    assert list(record["set"]) == ["count", "reviews", "how"]
    count = record["set"]["count"]
    assert count == len(record["set"]["reviews"]) == len(set(record["set"]["reviews"]))
    assert isinstance(record["set"]["how"], str) and "match the question" in record["set"]["how"]
    assert list(record["profile"]) == PROFILE_FIELDS
    for counts in record["profile"].values():
        assert sum(counts.values()) == count
    for theme in record["themes"]:
        assert list(theme) == ["label", "kind", "reviews", "quotes"]
        assert theme["kind"] in ("learning", "recommendation", "good practice")
        assert theme["reviews"] >= 3 and len(theme["quotes"]) >= 3
        assert len({q["review_id"] for q in theme["quotes"]}) == len(theme["quotes"])
        for quote in theme["quotes"]:
            assert list(quote) == QUOTE_FIELDS
            document = documents_by_id[quote["document_id"]]
            assert document.review_id == quote["review_id"] in record["set"]["reviews"]
            assert quote["text"] == document.text[quote["start"]:quote["end"]] != ""
    json.dumps(record)


def digest_of(service, question, limit=50, **filters):
    return service.digest(search_request(question, service.settings, filters=filters_from_input(**filters)), limit)


def test_the_digest_keeps_its_contract_and_quotes_the_reviews_verbatim(digest_service):
    digest = digest_of(digest_service, "safe sleep advice")
    record = digest.to_json()
    index = digest_service.index()
    check_contract(record, index.documents_by_id)
    assert record["query"] == "safe sleep advice"
    assert record["filters"] == digest_service.search(search_request("safe sleep advice",
                                                                     digest_service.settings)).filters.to_json()
    kinds = {(t["label"], t["kind"]) for t in record["themes"]}
    assert ("Safe sleep", "recommendation") in kinds
    # Learning, recommendations and good practice are listed apart, learning first.
    order = [t["kind"] for t in record["themes"]]
    assert order == sorted(order, key=["learning", "recommendation", "good practice"].index)
    assert 0 < digest.coverage <= 1


def test_the_set_is_the_non_weak_hits_in_rank_order_up_to_the_limit(digest_service):
    request = search_request("safe sleep advice", digest_service.settings, k=100)
    response = digest_service.search(request)
    strong = [hit.review.id for hit in response.hits if not hit.weak]
    assert 0 < len(strong) < len(response.hits)               # some hits are weak matches
    digest = digest_service.digest(request)
    assert list(digest.reviews) == strong
    limited = digest_service.digest(request, limit=2)
    assert list(limited.reviews) == strong[:2]
    assert limited.to_json()["set"]["how"] == "reviews that pass the filters and match the question, up to 2"
    assert sum(limited.to_json()["profile"]["year"].values()) == 2


def test_filters_apply_and_are_reported(digest_service):
    record = digest_of(digest_service, "information sharing between agencies", year=2023).to_json()
    years = {digest_service.index().reviews[rid].year for rid in record["set"]["reviews"]}
    assert years == {2023} and record["filters"]["year_from"] == record["filters"]["year_to"] == 2023
    assert record["profile"]["year"] == {"2023": record["set"]["count"]}


def test_the_same_question_gives_the_same_digest(digest_settings):
    first = digest_of(Service(digest_settings, embedder=FakeEmbedder()), "information sharing between agencies")
    digest_module._clauses.cache_clear()
    second = digest_of(Service(digest_settings, embedder=FakeEmbedder()), "information sharing between agencies")
    assert first.to_json() == second.to_json()
    assert first.themes


def test_a_digest_of_nothing_is_empty(digest_service):
    record = digest_of(digest_service, "safe sleep advice", year=2019).to_json()     # no review from 2019
    assert record["set"]["count"] == 0 and record["themes"] == []
    assert record["profile"] == {name: {} for name in PROFILE_FIELDS}


def test_clause_vectors_reuse_the_indexs_sentences_and_match_the_model(digest_service):
    index = digest_service.index()
    embedder = CountingEmbedder()
    clauses = set_clauses(index, index.review_ids)
    vectors = clause_vectors(index, embedder, clauses)
    fresh = FakeEmbedder().encode([c.text for c in clauses])
    assert np.allclose(vectors, fresh, atol=1e-5)
    assert 0 < embedder.texts < len(clauses)                 # most clauses are sentences of the index


def test_make_digest_takes_a_response_from_the_same_index(digest_service):
    index, embedder = digest_service.index(), digest_service.embedder()
    response = digest_service.search(search_request("home education registers", digest_service.settings, k=100))
    digest = make_digest(index, embedder, response, digest_service.settings, limit=3)
    assert len(digest.reviews) <= 3
    check_contract(digest.to_json(), index.documents_by_id)


@pytest.mark.parametrize("limit", [0, -1, 101, 2.5, True, "10"])
def test_a_bad_limit_is_refused(digest_service, limit):
    with pytest.raises(InvalidQueryError, match="limit"):
        digest_service.digest(search_request("neglect", digest_service.settings), limit)


def test_an_unknown_filter_value_is_refused(digest_service):
    with pytest.raises(InvalidQueryError, match="Walse"):
        digest_of(digest_service, "neglect", nations=["Walse"])


def test_cli_json_has_the_contract_shape(digest_cli, digest_settings, capsys):
    assert digest_cli("digest", "safe sleep advice", "--json", "--limit", "5") == 0
    record = json.loads(capsys.readouterr().out)
    service = Service(digest_settings, embedder=FakeEmbedder())
    check_contract(record, service.index().documents_by_id)
    assert record["set"]["count"] <= 5 and record["set"]["how"].endswith("up to 5")


def test_cli_prints_a_readable_briefing(digest_cli, capsys):
    assert digest_cli("digest", "safe sleep advice", "--year-from", "2021") == 0
    out = capsys.readouterr().out
    assert out.startswith("What the reviews say: safe sleep advice\n")
    assert "Filtered to: 2021 onwards" in out and "Reviews in the digest:" in out
    assert "Outcome (from each review's opening account)" in out and "Year published" in out
    assert "RECOMMENDATIONS" in out and "Safe sleep —" in out
    assert "“" in out and "Summary, Recommendations" in out


def test_cli_refuses_a_bad_limit_with_one_line(digest_cli, capsys):
    assert digest_cli("digest", "neglect", "--limit", "0") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("reviewqa: error: ") and "limit" in err[0]


# --- the real model on the shipped collection -----------------------------------------------------

@pytest.mark.slow
def test_real_digest_of_neglect_keeps_the_contract_and_covers_the_set(real_service):
    digest = real_service.digest(search_request("neglect", real_service.settings))
    record = digest.to_json()
    check_contract(record, real_service.index().documents_by_id)
    assert record["set"]["count"] >= 30
    assert digest.coverage >= 0.7
    labels = {t["label"] for t in record["themes"] if t["kind"] == "learning"}
    assert "Neglect assessment tools" in labels
    again = real_service.digest(search_request("neglect", real_service.settings))
    assert again.to_json() == record


def test_cli_says_so_when_no_review_is_in_the_digest(digest_cli, capsys):
    assert digest_cli("digest", "safe sleep advice", "--year", "2019") == 0
    out = capsys.readouterr().out
    assert "Reviews in the digest: 0" in out and "No review is close to this question." in out


def test_citations_are_worded_as_search_results_cite_passages():
    from qa.digest.clauses import document_clauses
    from qa.digest.digest import clause_citation
    from qa.records import Page
    from tests.digest.conftest import report_document

    report = report_document("r7")
    middle = len(report.text) // 2
    paged = Document(id=report.id, review_id=report.review_id, kind="report", text=report.text,
                     sections=report.sections, pages=(Page(1, 0, middle, "i"), Page(2, middle, len(report.text), "2")))
    citations = {clause_citation(paged, c) for c in document_clauses(paged)}
    assert "Overview report, p. i, 2. Findings" in citations
    assert "Overview report, p. 2, 4. Recommendations" in citations
    assert {clause_citation(report, c) for c in document_clauses(report)} == {
        "Overview report, 2. Findings", "Overview report, Information sharing", "Overview report, 3. Good practice",
        "Overview report, 4. Recommendations"}
