"""One relevance scale: the number and the label come from the same signal, and never rise down
the list."""

import pytest

from qa.search.relevance import WEAK_LABEL, capped_matches, match_label, weak_last
from tests.helpers import ask


def test_matches_never_rise_down_the_list():
    assert capped_matches([0.7, 0.5, 0.62, 0.4]) == [0.7, 0.5, 0.5, 0.4]


@pytest.mark.parametrize("match, label", [(0.83, "strong match"), (0.60, "strong match"), (0.59, "good match"),
                                          (0.45, "good match"), (0.44, "partial match"), (0.30, "partial match"),
                                          (0.29, WEAK_LABEL), (-1.0, WEAK_LABEL)])
def test_labels_are_bands_of_the_number(match, label):
    assert match_label(match) == label


def test_a_weak_match_never_sits_above_a_closer_one():
    assert weak_last([3, 1, 2, 0], {3: 0.5, 1: 0.1, 2: 0.4, 0: 0.2}) == [3, 2, 1, 0]


def test_shown_results_carry_a_consistent_scale(service):
    for question in ("neglect and home education", "county lines exploitation", "recipe for chocolate cake"):
        results = ask(service, question).to_json()["results"]
        matches = [r["match"] for r in results]
        assert matches == sorted(matches, reverse=True)
        for result in results:
            assert result["match_label"] == match_label(result["match"])
            assert result["match"] <= round(result["similarity"], 2) + 1e-9
            assert result["weak_match"] == (result["match_label"] == WEAK_LABEL)


def test_a_relevance_floor_puts_a_review_after_every_review_a_floor_closer():
    from qa.search.engine import floored

    similarities = {0: 0.40, 1: 0.70, 2: 0.45, 3: 0.62}
    # 0, 2 and 3 wait for 1; 0 and 2 then wait for 3; within 0.15 of each other, 0 keeps its place before 2.
    assert floored([0, 1, 2, 3], similarities, 0.15) == [1, 3, 0, 2]
    # By band (strong 0.60+, good 0.45+, partial 0.30+), in fused order within a band.
    assert floored([0, 1, 2, 3], similarities, -1.0) == [1, 3, 2, 0]


@pytest.mark.parametrize("question", ["county lines", "safe sleep", "neglect"])
def test_with_a_floor_no_result_sits_below_one_a_floor_closer(service, question):
    hits = ask(service, question, ranking="floor-0.15").hits
    assert len(hits) >= 3
    for i, above in enumerate(hits):
        assert all(below.similarity < above.similarity + 0.15 for below in hits[i + 1:])
