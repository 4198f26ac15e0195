import pytest

from qa.search.filters import AGE_GROUPS, Filters, review_passes
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
    assert understood.filters.areas == ("Kent",) and understood.search_text == "exploitation cases"
    # Part of a joint area name finds the joint area.
    assert "Lewisham and Harrow" in known_places(fixture_reviews)["Harrow"]


def test_event_years_are_not_publication_filters(fixture_reviews):
    assert understand("baby who died in 2018 after co-sleeping", fixture_reviews).filters.year_from is None
    assert understand("Reading difficulties and neglect", fixture_reviews).filters.is_empty()


@pytest.mark.parametrize("question, low, high", [
    ("babies with bruising", *AGE_GROUPS["babies (under 1)"]),
    ("neglect of under ones", *AGE_GROUPS["babies (under 1)"]),
    ("teenagers who went missing", *AGE_GROUPS["teenagers (13-17)"]),
    ("sexual abuse of primary school age children", *AGE_GROUPS["primary school age (5-11)"]),
    ("young people aged 16 or 17 stabbed", 16.0, 17.99),
    ("baby or toddler in temporary accommodation", 0.0, 3.99),
    ("secondary school pupils who self-harmed", 11.0, 16.99),
    ("neglect of children under 5", 0.0, 4.99),
])
def test_child_ages(question, low, high, fixture_reviews):
    filters = understand(question, fixture_reviews).filters
    assert (filters.age_min, filters.age_max) == (low, high)


def test_age_words_about_parents_are_not_child_ages(fixture_reviews):
    assert understand("teenage mothers and neglect", fixture_reviews).filters.age_min is None


def test_age_filter_keeps_reviews_that_state_no_age(fixture_reviews):
    teen = Filters(age_min=13, age_max=17.99)
    by_name = {r.name: r for r in fixture_reviews}
    assert review_passes(by_name["Child K"], teen)          # 15-year-old
    assert not review_passes(by_name["Dylan"], teen)        # 9-year-old
    assert by_name["Child LH"].child_ages == (15.0,)        # "adolescent boy"


def test_places_are_alternatives(fixture_reviews):
    by_name = {r.name: r for r in fixture_reviews}
    either = Filters(nations=("Wales",), areas=("Kent",))
    assert review_passes(by_name["Child K"], either)
    assert not review_passes(by_name["Marie"], either)


def test_filters_round_trip_and_describe():
    filters = Filters(year_from=2021, nations=("Wales",), age_min=0.0, age_max=0.99)
    assert Filters.from_json(filters.to_json()) == filters
    assert filters.describe() == "2021 onwards, Wales, children: babies (under 1)"
    assert filters.without("nations") == Filters(year_from=2021, age_min=0.0, age_max=0.99)


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
def test_years_with_gaps_are_not_turned_into_a_span(question, listed, fixture_reviews):
    # Filters hold one range; 2019 and 2021 are not 2019-2021, so no year filter and a note says why.
    understood = understand(question, fixture_reviews)
    assert understood.filters.year_from is None and understood.filters.year_to is None
    assert any(note.startswith(f"years {listed} are not a range") for note in understood.notes)
    assert not any(ch.isdigit() for ch in understood.search_text)


def test_a_range_written_backwards_is_read_forwards(fixture_reviews):
    # Found by the fuzz tests: "2022 to 2019" gave the empty range 2022-2019.
    for question in ("neglect reviews 2022 to 2019", "knife crime between 2021 and 2019", "2001 - 2000"):
        filters = understand(question, fixture_reviews).filters
        assert filters.year_from < filters.year_to
