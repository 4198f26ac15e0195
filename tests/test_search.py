import numpy as np
import pytest

from qa.errors import InvalidQueryError
from qa.search import Filters, Searcher, allowed_chunks, clean_question, ranked, reciprocal_rank_fusion


@pytest.fixture
def searcher(built, fake_embedder):
    return Searcher.open(built, fake_embedder)


def test_rrf_matches_hand_arithmetic():
    fused = reciprocal_rank_fusion([[7, 3, 5], [3, 9]], k=60)
    assert fused[3] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[7] == pytest.approx(1 / 61)
    assert fused[5] == pytest.approx(1 / 63)
    assert fused[9] == pytest.approx(1 / 62)
    assert sorted(fused, key=lambda d: -fused[d]) == [3, 7, 9, 5]


def test_ranked_orders_by_score_and_breaks_ties_by_id():
    scores = np.array([0.5, 0.9, 0.5, 0.0])
    mask = np.array([True, True, True, True])
    assert ranked(scores, mask, 10) == [1, 0, 2, 3]
    assert ranked(scores, mask, 10, positive_only=True) == [1, 0, 2]
    assert ranked(scores, np.array([True, False, True, True]), 2) == [0, 2]


@pytest.mark.parametrize("question, message", [
    ("", "empty"), ("   \n\t ", "empty"), ("\x00\x07\u200b", "empty"), ("?!…", "no letters"),
    ("x" * 100_000, "100,000 characters"),
])
def test_bad_questions_are_refused_with_a_reason(question, message, settings):
    with pytest.raises(InvalidQueryError, match=message):
        clean_question(question, settings)


def test_control_characters_and_odd_unicode_are_normalised(settings):
    assert clean_question("ｂａｂｙ\x00 bruis\u200bing\n", settings) == "baby bruis ing"


@pytest.mark.parametrize("ranking", ["bm25", "dense", "hybrid"])
def test_each_ranking_finds_the_obvious_review(searcher, ranking):
    response = searcher.search("county lines drug dealing exploitation", ranking=ranking, k=3)
    assert response.hits and searcher.index.review_of(response.hits[0].chunk).name == "Child K"


def test_results_are_verbatim_and_cited(searcher):
    response = searcher.search("co-sleeping after drinking alcohol", k=5)
    records = response.to_records()
    assert records and len(records) <= 5
    for record in records:
        review = searcher.index.reviews[record["review_id"]]
        assert review.text[record["start"]:record["end"]] == record["passage"]
        assert {"title", "year", "area", "section", "score"} <= record.keys()
    scores = [r["score"] for r in records]
    assert scores == sorted(scores, reverse=True)


def test_filters_restrict_reviews(searcher):
    response = searcher.search("neglect", Filters(year_from=2019, year_to=2019), k=20)
    assert response.hits and {searcher.index.review_of(h.chunk).year for h in response.hits} == {2019}
    response = searcher.search("records shared", Filters(nations=("channel islands",)), k=20)
    assert {searcher.index.review_of(h.chunk).area for h in response.hits} <= {"Guernsey and Alderney", "Islands"}
    response = searcher.search("neglect", Filters(keywords=("home education",)), k=20)
    assert {searcher.index.review_of(h.chunk).name for h in response.hits} == {"Dylan"}


def test_filter_that_matches_nothing_gives_no_results(searcher):
    assert searcher.search("neglect", Filters(year_from=2030)).hits == []
    assert not allowed_chunks(searcher.index, Filters(nations=("Northern Ireland",))).any()


def test_bm25_ignores_words_outside_the_vocabulary(searcher):
    assert searcher.search("zzzqqq", ranking="bm25").hits == []
