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
