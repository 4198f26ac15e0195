from dataclasses import replace

import pytest

from qa.gazetteer import AGE_GROUPS, age_group_of
from qa.ingest.metadata import child_ages
from qa.records import Review
from qa.search.filters import Filters, review_passes
from qa.search.thesaurus import expand, parse_thesaurus
from qa.search.understand import known_places, understand


@pytest.mark.parametrize("question, expected, text", [
    ("2022 reviews about child suicide", Filters(year_from=2022, year_to=2022), "child suicide"),
    ("reviews about neglect since 2021", Filters(year_from=2021), "neglect"),
    ("neglect after 2020", Filters(year_from=2021), "neglect"),
    ("neglect before 2021", Filters(year_to=2020), "neglect"),
    ("knife crime between 2019 and 2021", Filters(year_from=2019, year_to=2021), "knife crime"),
    ("2019 or 2020 reviews on fabricated illness", Filters(year_from=2019, year_to=2020), "fabricated illness"),
    ("reviews from Wales about neglect", Filters(nations=("Wales",)), "neglect"),
    ("reviews from 2019 and 2021 about neglect", Filters(years=(2019, 2021)), "neglect"),
    ("reviews from outside England about suicide",
     Filters(nations=("Wales", "Scotland", "Northern Ireland", "Channel Islands", "Isle of Man")), "suicide"),
    ("knife crime in London boroughs", Filters(regions=("London",)), "knife crime"),
    ("neglect in the North West of England", Filters(regions=("North West",)), "neglect"),
    ("neglect in the Midlands", Filters(regions=("West Midlands", "East Midlands")), "neglect"),
    ("reviews from West Yorkshire about neglect", Filters(regions=("Yorkshire and the Humber",)), "neglect"),
    ("English reviews about neglect", Filters(nations=("England",)), "neglect"),
    ("parents with English as a second language", Filters(), "parents with English as a second language"),
])
def test_years_and_places(question, expected, text, fixture_reviews):
    understood = understand(question, fixture_reviews)
    assert understood.filters == expected
    assert understood.search_text == text


def test_area_names_from_the_corpus(fixture_reviews):
    understood = understand("exploitation cases from Kent", fixture_reviews)
    assert understood.filters.areas == ("Kent",) and understood.search_text == "exploitation"
    # Part of a joint area name finds the joint area.
    assert "Lewisham and Harrow" in known_places(fixture_reviews)["Harrow"]


def test_event_years_are_not_publication_filters(fixture_reviews):
    assert understand("baby who died in 2018 after co-sleeping", fixture_reviews).filters.year_from is None
    assert understand("Reading difficulties and neglect", fixture_reviews).filters.is_empty()


@pytest.mark.parametrize("question, low, high", [
    ("babies with bruising", *AGE_GROUPS["babies (under 1)"]),
    ("neglect of under ones", *AGE_GROUPS["babies (under 1)"]),
    ("teenagers who went missing", 13.0, 18.0),
    ("sexual abuse of primary school age children", 4.0, 12.0),          # Reception to Year 6
    ("young people aged 16 or 17 stabbed", 16.0, 18.0),
    ("baby or toddler in temporary accommodation", 0.0, 3.0),
    ("secondary school pupils who self-harmed", 11.0, 17.0),
    ("neglect of children under 5", 0.0, 5.0),
    # Months and weeks are fractions of a year, not years.
    ("babies under 6 months with bruising", 0.0, 0.5),
    ("injuries to babies under 3 months", 0.0, 0.25),
    ("a six-week-old baby", 6 / 52, 7 / 52),
    # One age, however it is written, is that year of age.
    ("reviews about 12-year-olds", 12.0, 13.0),
    ("a 12 year old who self-harmed", 12.0, 13.0),
    ("suicide of a child aged 12", 12.0, 13.0),
])
def test_child_ages(question, low, high, fixture_reviews):
    filters = understand(question, fixture_reviews).filters
    assert (filters.age_min, filters.age_max) == pytest.approx((low, high), abs=0.002)


def test_the_age_groups_leave_no_gap():
    # A 12-year-old was in no group ("primary school age (5-11)", "teenagers (13-17)").
    for tenths in range(0, 180):
        age = tenths / 10
        assert sum(low <= age < high for low, high in AGE_GROUPS.values()) == 1, age
    assert age_group_of(12.0) == "young people (12-17)"


@pytest.mark.parametrize("question", ["teenage mothers and neglect", "young parents who misused drugs",
                                      "a man aged 45 convicted of assault"])
def test_age_words_about_adults_are_not_child_ages(question, fixture_reviews):
    understood = understand(question, fixture_reviews)
    assert understood.filters.age_min is None and understood.filters.age_max is None


def test_an_adults_age_is_reported_as_not_applied(fixture_reviews):
    understood = understand("a man aged 45 convicted of assault", fixture_reviews)
    assert any("aged 45" in note and "adult" in note for note in understood.not_applied)


@pytest.mark.parametrize("question, year, place, text", [
    # The year was dropped: only Kent and babies were understood.
    ("reviews from Kent in 2021 about a baby who died", 2021, ("areas", "Kent"), "a baby who died"),
    ("primary school children in London 2020", 2020, ("regions", "London"), "primary school children"),
    ("neglect during 2022 in Wales", 2022, ("nations", "Wales"), "neglect"),
])
def test_every_publication_year_is_applied(question, year, place, text, fixture_reviews):
    understood = understand(question, fixture_reviews)
    assert (understood.filters.year_from, understood.filters.year_to) == (year, year)
    assert getattr(understood.filters, place[0]) == (place[1],)
    assert understood.search_text == text


@pytest.mark.parametrize("question, year", [
    ("baby who died in 2020 after co-sleeping", 2020),
    ("father released from prison in 2019 who reoffended", 2019),
])
def test_a_year_that_says_when_something_happened_is_searched_and_reported(question, year, fixture_reviews):
    understood = understand(question, fixture_reviews)
    assert understood.filters.year_from is None and understood.filters.year_to is None
    assert understood.incident_years == (year,)
    assert str(year) in understood.search_text
    assert any(str(year) in note and "not used as a year filter" in note for note in understood.not_applied)


def test_a_second_year_is_reported_when_the_years_are_already_set(fixture_reviews):
    understood = understand("reviews between 2019 and 2021 about neglect, 2023", fixture_reviews)
    assert (understood.filters.year_from, understood.filters.year_to) == (2019, 2021)
    assert any(note.startswith("2023 was not used") for note in understood.not_applied)


def test_a_welsh_question_is_answered_with_a_message_not_a_guess(fixture_reviews):
    understood = understand("esgeulustod plant yng Nghymru", fixture_reviews)
    assert understood.language == "cy" and understood.filters.is_empty()
    assert any("read in English" in note for note in understood.not_applied)
    assert understand("neglect in Wales", fixture_reviews).language == "en"


def test_age_filter_is_a_range_a_review_passes_when_any_child_is_in_it(fixture_reviews):
    teen = Filters(age_min=13, age_max=18)
    by_name = {r.name: r for r in fixture_reviews}
    assert review_passes(by_name["Child K"], teen)          # 15-year-old
    assert not review_passes(by_name["Dylan"], teen)        # 9-year-old
    # "adolescent boy", no number: the span the word means, so any teenage filter can find him.
    assert by_name["Child LH"].child_ages == ((13.0, 18.0),)
    assert review_passes(by_name["Child LH"], Filters(age_min=16, age_max=17))
    assert not review_passes(by_name["Child LH"], Filters(age_min=5, age_max=12))
    # Unknown is not "yes": a review that states no age is left out unless unknown values are included.
    assert by_name["John"].child_ages == ()
    assert not review_passes(by_name["John"], teen)
    assert review_passes(by_name["John"], replace(teen, include_unknown=True))


@pytest.mark.parametrize("summary, spans", [
    ("Death of a 4-month-old baby.", ((4 / 12, 4 / 12),)),
    ("Death of a baby within a week of birth.", ((0.0, 0.077), (0.0, 1.0))),
    ("Sudden unexpected death in infancy (SUDI).", ((0.0, 1.0),)),
    ("Abuse of children at a secure training centre.", ((12.0, 18.0),)),
    ("Child Q, a girl of secondary school age, was searched.", ((11.0, 17.0),)),
    ("Neglect of a teenage mother's baby.", ((0.0, 1.0),)),
    ("Neglect of three siblings.", ()),
])
def test_reviews_state_ages_as_points_or_the_span_a_word_means(summary, spans):
    found = child_ages(summary)
    assert len(found) == len(spans)
    for (low, high), (want_low, want_high) in zip(found, spans):
        assert low == pytest.approx(want_low, abs=0.01) and high == pytest.approx(want_high, abs=0.01)


@pytest.mark.parametrize("unit, most", [("day", 59), ("week", 52), ("month", 35), ("year", 17)])
def test_a_childs_stated_age_passes_the_filter_a_question_with_that_age_sets(unit, most):
    # A stated age is kept to two decimals (a 4-month-old is 0.33), the question's range is exact
    # ([0.333, 0.417)): compared at the kept precision, the review about that child is never left out
    # of its own question. The next age up leaves it out, except for days, which two decimals of a
    # year cannot tell apart (a day too many is shown, never one too few).
    for n in range(1, most + 1):
        review = Review("r", "t", 2020, "Kent", "n", "England", child_ages=child_ages(f"Death of a {n}-{unit}-old."))
        own = understand(f"What happened to the {n}-{unit}-old?", [review]).filters
        assert own.age_min is not None and review_passes(review, own), (n, unit, review.child_ages)
        older = understand(f"What happened to the {n + 1}-{unit}-old?", [review]).filters
        if unit != "day" and older.age_min is not None:        # an 18-year-old is not a child: no filter
            assert not review_passes(review, older), (n, unit, review.child_ages)


def test_a_word_age_is_found_by_a_narrower_filter():
    baby = Review("r", "t", 2020, "Kent", "n", "England", child_ages=((0.0, 1.0),))
    for narrower in (Filters(age_min=0, age_max=0.077), Filters(age_min=0, age_max=0.5)):
        assert review_passes(baby, narrower)
    assert not review_passes(baby, Filters(age_min=1, age_max=5))
    # A number written by an earlier version is a point.
    assert Review("r", "t", 2020, "Kent", "n", "England", child_ages=(0.5,)).child_ages == ((0.5, 0.5),)


def test_places_are_alternatives(fixture_reviews):
    by_name = {r.name: r for r in fixture_reviews}
    either = Filters(nations=("Channel Islands",), areas=("Kent",))
    assert review_passes(by_name["Child K"], either)
    assert review_passes(by_name["John"], either)
    assert not review_passes(by_name["Dylan"], either)


def test_filters_round_trip_and_describe():
    filters = Filters(year_from=2021, nations=("Wales",), age_min=0.0, age_max=1.0)
    assert Filters.from_json(filters.to_json()) == filters
    assert filters.describe() == "2021 onwards, Wales, children: babies (under 1)"
    assert filters.without("nations") == Filters(year_from=2021, age_min=0.0, age_max=1.0)
    assert filters.without("place", "age") == Filters(year_from=2021)
    assert Filters(years=(2019, 2021)).describe() == "2019 and 2021"


def test_thesaurus_maps_plain_words_and_longest_match_wins():
    assert expand("mum kept making out her child was ill")[:1] == ["fabricated or induced illness"]
    terms = expand("teenager groomed to sell drugs")
    assert "child criminal exploitation" in terms and "substance misuse" not in terms
    assert "co-sleeping" in expand("baby died in bed with a parent who had been drinking")
    # Terms already in the question are not added again.
    assert "co-sleeping" not in expand("co-sleeping and substance misuse")


def test_thesaurus_phrases_keep_their_small_words():
    thesaurus = parse_thesaurus("homelessness\tno home|sofa surfing\n")
    assert expand("home education", thesaurus) == []
    assert expand("the family had no home", thesaurus) == ["homelessness"]


@pytest.mark.parametrize("question, low, high, text", [
    ("2019 2020 2021 reviews about neglect", 2019, 2021, "neglect"),
    ("neglect 2019 2020 2021", 2019, 2021, "neglect"),
    ("reviews from 2019, 2020 and 2021 about neglect", 2019, 2021, "neglect"),
    ("neglect reviews in 2019, 2020, 2021", 2019, 2021, "neglect"),
    ("reviews published 2021/2022/2023 about drowning", 2021, 2023, "drowning"),
    ("2022 2021 reviews on knife crime", 2021, 2022, "knife crime"),          # any order
    ("knife crime between 2019 and 2021", 2019, 2021, "knife crime"),         # a range said as one
])
def test_consecutive_year_lists_are_a_range(question, low, high, text, fixture_reviews):
    understood = understand(question, fixture_reviews)
    assert (understood.filters.year_from, understood.filters.year_to) == (low, high)
    assert understood.search_text == text


@pytest.mark.parametrize("question, listed", [
    ("2019, 2021 and 2023 reviews on drowning", "2019, 2021 and 2023"),
    ("reviews from 2019 and 2021 about neglect", "2019 and 2021"),
    ("neglect 2019 2021 2023", "2019, 2021 and 2023"),
])
def test_years_with_gaps_are_those_years(question, listed, fixture_reviews):
    # 2019 and 2021 are not 2019-2021: the filter holds the listed years.
    understood = understand(question, fixture_reviews)
    assert understood.filters.year_from is None and understood.filters.year_to is None
    assert understood.filters.describe() == listed
    assert understood.notes == (listed,)
    assert not any(ch.isdigit() for ch in understood.search_text)


def test_a_range_written_backwards_is_read_forwards(fixture_reviews):
    # Found by the fuzz tests: "2022 to 2019" gave the empty range 2022-2019.
    for question in ("neglect reviews 2022 to 2019", "knife crime between 2021 and 2019", "2001 - 2000"):
        filters = understand(question, fixture_reviews).filters
        assert filters.year_from < filters.year_to
