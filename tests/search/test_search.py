import numpy as np
import pytest

from qa.errors import InvalidQueryError
from qa.search import RANKINGS, Filters, clean_question
from qa.search.engine import facets, review_mask
from qa.search.fusion import per_review_max, ranked, reciprocal_rank_fusion
from tests.helpers import ask


@pytest.fixture
def searcher(service):
    return service


def test_rrf_matches_hand_arithmetic():
    fused = reciprocal_rank_fusion([[7, 3, 5], [3, 9]], k=60)
    assert fused[3] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[7] == pytest.approx(1 / 61)
    assert fused[5] == pytest.approx(1 / 63)
    assert fused[9] == pytest.approx(1 / 62)
    assert sorted(fused, key=lambda d: -fused[d]) == [3, 7, 9, 5]


def test_weighted_rrf_matches_hand_arithmetic():
    fused = reciprocal_rank_fusion([[1, 2], [2, 1]], k=10, weights=[2.0, 0.5])
    assert fused[1] == pytest.approx(2 / 11 + 0.5 / 12)
    assert fused[2] == pytest.approx(2 / 12 + 0.5 / 11)


def test_ranked_orders_by_score_and_breaks_ties_by_position():
    scores = np.array([0.5, 0.9, 0.5, 0.0])
    mask = np.array([True, True, True, True])
    assert ranked(scores, mask, 10) == [1, 0, 2, 3]
    assert ranked(scores, mask, 10, positive_only=True) == [1, 0, 2]
    assert ranked(scores, np.array([True, False, True, True]), 2) == [0, 2]


def test_per_review_max():
    values = np.array([0.1, 0.7, 0.3, 0.2], dtype=np.float32)
    owners = np.array([0, 0, 2, 2])
    best = per_review_max(values, owners, 3)
    assert best[0] == pytest.approx(0.7) and best[2] == pytest.approx(0.3) and best[1] == -np.inf


def test_facets_split_on_conjunctions_only():
    assert facets("co-sleeping and substance misuse") == ["co-sleeping", "substance misuse"]
    assert facets("neglect, home education & disability") == ["neglect", "home education", "disability"]
    assert facets("baby bruising missed by GP") == ["baby bruising missed by GP"]
    assert facets("grandparents instead of mum and dad") == ["grandparents instead of mum and dad"]


@pytest.mark.parametrize("question, message", [
    ("", "empty"), ("   \n\t ", "empty"), ("\x00\x07\u200b", "empty"), ("?!…", "no letters"),
    ("x" * 100_000, "100,000 characters"),
])
def test_bad_questions_are_refused_with_a_reason(question, message, settings):
    with pytest.raises(InvalidQueryError, match=message):
        clean_question(question, settings.max_query_chars)


def test_control_characters_and_odd_unicode_are_normalised(settings):
    assert clean_question("ｂａｂｙ\x00 bruis\u200bing\n", settings.max_query_chars) == "baby bruis ing"


@pytest.mark.parametrize("ranking", list(RANKINGS))
def test_every_ranking_finds_the_obvious_review(searcher, ranking):
    response = ask(searcher, "county lines drug dealing exploitation", ranking=ranking, k=3)
    assert response.hits and response.hits[0].review.name == "Child K"


def test_unknown_ranking_is_refused(searcher):
    with pytest.raises(InvalidQueryError, match="Unknown ranking"):
        ask(searcher, "neglect", ranking="magic")


def test_each_review_appears_once_with_verbatim_passages_and_evidence(searcher):
    response = ask(searcher, "co-sleeping after drinking alcohol", k=5)
    records = response.to_records()
    assert records and len(records) <= 5
    assert len({r["review_id"] for r in records}) == len(records)
    documents = searcher.index().documents_by_id
    for record in records:
        assert 1 <= len(record["passages"]) <= 3
        assert record["passage"] == record["passages"][0]["passage"]
        for passage in record["passages"]:
            source = passage["source"]
            assert source["kind"] == "summary" and source["page"] is None and source["file"] is None
            text = documents[source["document_id"]].text
            assert text[passage["start"]:passage["end"]] == passage["passage"]
            assert passage["start"] <= passage["evidence_start"] < passage["evidence_end"] <= passage["end"]
            assert text[passage["evidence_start"]:passage["evidence_end"]] == passage["evidence"]
        assert 0 < record["score"] <= 1
    scores = [r["score"] for r in records]
    assert scores == sorted(scores, reverse=True)


def test_evidence_is_the_sentence_that_answers(searcher):
    response = ask(searcher, "home education registers", k=1)
    assert response.hits[0].review.name == "Dylan"
    assert "home education registers" in response.to_records()[0]["evidence"]


def test_explicit_filters_restrict_reviews(searcher):
    response = ask(searcher, "neglect", Filters(year_from=2019, year_to=2019), k=20)
    assert response.hits and {h.review.year for h in response.hits} == {2019}
    response = ask(searcher, "records shared", Filters(nations=("channel islands",)), k=20)
    assert {h.review.area for h in response.hits} <= {"Guernsey and Alderney", "Islands"}
    response = ask(searcher, "neglect", Filters(keywords=("home education",)), k=20)
    assert {h.review.name for h in response.hits} == {"Dylan"}


def test_constraints_in_the_question_become_filters_and_can_be_turned_off(searcher):
    response = ask(searcher, "reviews from 2019 about neglect", k=20)
    assert response.filters.year_from == response.filters.year_to == 2019
    assert response.understood.notes == ("2019",)
    assert {h.review.year for h in response.hits} == {2019}
    literal = ask(searcher, "reviews from 2019 about neglect", k=20, literal=True)
    assert literal.filters.is_empty() and {h.review.year for h in literal.hits} != {2019}


def test_filter_that_matches_nothing_gives_no_results(searcher):
    response = ask(searcher, "neglect", Filters(year_from=2030))
    assert response.hits == () and response.matched == 0 and response.all_weak
    assert not review_mask(searcher.index(), Filters(nations=("Northern Ireland",))).any()


@pytest.mark.parametrize("filters, message", [
    (Filters(nations=("Walse",)), "Did you mean 'Wales'"),
    (Filters(areas=("Guernsey and Aldeney",)), "Did you mean 'Guernsey and Alderney'"),
    (Filters(keywords=("zzzz",)), "No review in the collection has the keyword 'zzzz'"),
])
def test_unknown_filter_values_are_reported_with_close_matches(searcher, filters, message):
    with pytest.raises(InvalidQueryError, match=message):
        ask(searcher, "neglect", filters)


def test_response_json_reports_what_was_understood(searcher):
    payload = ask(searcher, "neglect in Wales", k=3).to_json()
    assert payload["understood"]["notes"] == ["Wales"]
    assert payload["filters"]["nations"] == ["Wales"]
    assert payload["understood"]["search_text"] == "neglect"
    assert all(r["nation"] == "Wales" for r in payload["results"])
