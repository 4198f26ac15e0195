"""Filters never hide a review without saying so: unknown values are counted and can be included,
an emptied result says which filter emptied it, and spellings of one value are one value."""

import numpy as np
import pytest

from qa.errors import InvalidQueryError
from qa.gazetteer import area_key
from qa.search import Filters, filters_from_input
from qa.search.engine import filter_reviews
from qa.search.explain import filter_report
from qa.search.vocabulary import check_known, filter_values
from tests.helpers import ask

ANONYMOUS = 4          # fixture reviews with no known place (nation unknown)
NO_AGE = 3             # fixture reviews that state no child's age


def passing(index, filters) -> set[str]:
    outcome = filter_reviews(index, filters)
    return {index.review_ids[i] for i in np.flatnonzero(outcome.mask)}


def test_unknown_place_is_left_out_counted_and_can_be_included(service):
    index = service.index()
    wales = Filters(nations=("Wales",))
    outcome = filter_reviews(index, wales)
    assert outcome.mask.sum() == 1                                    # Wrexham
    assert outcome.unknown_left_out == {"place": ANONYMOUS}
    included = passing(index, Filters(nations=("Wales",), include_unknown=True))
    assert len(included) == 1 + ANONYMOUS
    assert {index.reviews[r].nation for r in included} == {"Wales", "unknown"}


def test_unknown_age_is_treated_like_unknown_place(service):
    # One rule for every filter: the age filter used to keep reviews with no stated age, mixed in.
    index = service.index()
    outcome = filter_reviews(index, Filters(age_min=13, age_max=18))
    kept = passing(index, Filters(age_min=13, age_max=18))
    assert all(index.reviews[r].child_ages for r in kept)
    assert outcome.unknown_left_out == {"age": NO_AGE}


def test_left_out_counts_only_reviews_the_other_filters_keep(service):
    # Of the reviews with no stated age, only those from 2023 would have been kept by the year filter.
    index = service.index()
    outcome = filter_reviews(index, Filters(year_from=2023, year_to=2023, age_min=13, age_max=18))
    no_age_2023 = [r for r in index.reviews.values() if r.year == 2023 and not r.child_ages]
    assert outcome.unknown_left_out == {"age": len(no_age_2023)}


def test_the_response_and_its_json_say_what_was_left_out(service):
    response = ask(service, "neglect", Filters(nations=("Wales",)), literal=True)
    record = response.to_json()
    assert record["unknown_left_out"] == {"place": ANONYMOUS}
    assert record["filters"]["include_unknown"] is False
    assert f"{ANONYMOUS} reviews with no known place were left out by the place filter (Wales)." in record["messages"]
    # The batch JSON `filters` object keeps every field it had.
    assert {"year_from", "year_to", "nations", "regions", "areas", "keywords", "age_min", "age_max"} <= set(
        record["filters"])
    included = ask(service, "neglect", Filters(nations=("Wales",), include_unknown=True), literal=True).to_json()
    assert included["unknown_left_out"] == {}
    marks = {r["review_id"]: r["unknown"] for r in included["results"]}
    assert {rid for rid, m in marks.items() if m == ["place"]} == {
        rid for rid in marks if service.index().reviews[rid].nation == "unknown"}


def test_when_nothing_passes_the_answer_says_which_filter_emptied_it(service):
    filters = Filters(year_from=2019, year_to=2019, nations=("Channel Islands",))
    response = ask(service, "neglect", filters, literal=True)
    assert response.matched == 0 and not response.hits
    assert response.passing_without == {"year": 2, "place": 2}      # John's two entries; the two 2019 reviews
    emptied = filter_report(response).emptied
    assert emptied.startswith("No review passes all the filters together")
    assert "without the year filter (2019) 2 would" in emptied and "without the place filter" in emptied


def test_understood_constraints_that_were_not_applied_are_in_the_answer(service):
    record = ask(service, "baby who died in 2020 after co-sleeping").to_json()
    assert record["understood"]["incident_years"] == [2020]
    assert any("not used as a year filter" in m for m in record["messages"])


def test_spellings_of_one_value_are_one_value(service):
    index = service.index()
    # "self harm" finds the review whose keyword is "self-harm".
    assert passing(index, Filters(keywords=("self harm",))) == passing(index, Filters(keywords=("self-harm",)))
    assert passing(index, Filters(keywords=("Self Harm",)))
    assert area_key("Blackburn with Darwen, Blackpool and Lancashire") == area_key(
        "Blackburn, Darwen, Blackpool, Lancashire")
    lewisham = passing(index, Filters(areas=("Lewisham and Harrow",)))
    assert lewisham and passing(index, Filters(areas=("lewisham & harrow",))) == lewisham


def test_a_value_is_checked_by_key_and_a_near_miss_is_suggested(service):
    index = service.index()
    check_known(Filters(keywords=("self harm",), areas=("lewisham, harrow",)), index)     # no error
    with pytest.raises(InvalidQueryError, match="Did you mean 'Kent'"):
        check_known(Filters(areas=("Kant",)), index)
    with pytest.raises(InvalidQueryError, match="No review in the collection has the nation 'Northern Ireland'"):
        check_known(Filters(nations=("northern ireland",)), index)


def test_filter_values_come_with_counts_and_unknowns(service):
    values = filter_values(service.reviews())
    assert values.reviews == 9
    assert dict(values.nations) == {"England": 2, "Channel Islands": 2, "Wales": 1}
    assert dict(values.keywords)["neglect"] == 2
    assert values.unknown == {"year": 0, "place": ANONYMOUS, "keyword": 1, "age": NO_AGE}
    assert sum(n for _, n in values.age_groups) >= 9 - NO_AGE
    assert values.to_json()["areas"][0] == {"value": values.areas[0][0], "count": values.areas[0][1]}


@pytest.mark.parametrize("given, expected", [
    ({"age_group": "young people (12-17)"}, (12.0, 18.0)),
    ({"age_group": "teenagers (13-17)"}, (13.0, 18.0)),                # the label earlier versions offered
    ({"age_group": "primary school age (5-11)"}, (5.0, 12.0)),
    ({"age_min": 0, "age_max": 0.5}, (0.0, 0.5)),
    ({"age_min": 12}, (12.0, None)),
])
def test_ages_from_the_edges(given, expected):
    filters = filters_from_input(**given)
    assert (filters.age_min, filters.age_max) == expected


@pytest.mark.parametrize("given, message", [
    ({"age_min": 12, "age_max": 12}, "is empty"),
    ({"age_min": -1}, "age in years from 0 to 18"),
    ({"age_min": "12"}, "age in years"),
    ({"age_group": "young people (12-17)", "age_min": 3}, "not both"),
    ({"include_unknown": "yes"}, "true or false"),
])
def test_bad_ages_are_refused_with_the_fix(given, message):
    with pytest.raises(InvalidQueryError, match=message):
        filters_from_input(**given)


@pytest.mark.parametrize("label", ["\n", "teen\nagers", "x" * 500])
def test_an_unknown_age_group_is_named_on_one_line(label):
    with pytest.raises(InvalidQueryError, match="Unknown age group") as refused:
        filters_from_input(age_group=label)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 250
