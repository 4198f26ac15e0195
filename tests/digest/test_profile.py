import pytest

from qa.digest.profile import age_group_of, make_profile, opening_account, outcome_of, sex_of
from qa.gazetteer import AGE_GROUPS
from qa.ingest.nspcc_page import split_sections
from qa.records import Document, Review
from tests.digest.conftest import digest_collection


@pytest.mark.parametrize(("opening", "outcome"), [
    ("Death of a 16-year-old girl.", "death"),
    ("Fatal stabbing of a 15-year-old boy in January 2019.", "death"),
    ("Suicide of a 17-year-old in custody.", "death"),
    ("Serious injuries to a 2-year-old boy in November 2020.", "serious harm"),
    ("Near-fatal knife injury to a 17-year-old boy in December 2020.", "serious harm"),
    ("Attempted suicide by a 7-year-old child at the family home.", "serious harm"),
    ("Long-standing neglect of a sibling group.", "serious harm"),
    ("Thematic review on infants under 1-year-old, covering seven rapid reviews.", "unclear"),
])
def test_outcome_from_the_opening_account(opening, outcome):
    assert outcome_of(opening) == outcome


@pytest.mark.parametrize(("opening", "sex"), [
    ("Death of a 16-year-old girl.", "girl"),
    ("Serious injuries to a 2-year-old boy.", "boy"),
    ("Sexual abuse of two sisters by their father.", "girl"),
    ("Neglect of female siblings aged 11-months-old and 6-years-old.", "girl"),
    ("Child sexual abuse of a 16-year-old adolescent by their male foster carer.", "unknown"),
    ("Death of 10-year-old and 7-year-old boys and their daughter.", "boys and girls"),
    ("Serious injuries to a 10-week-old infant.", "unknown"),
])
def test_sex_from_words_about_the_child(opening, sex):
    assert sex_of(opening) == sex


def review(ages=(), **fields) -> Review:
    values = {"id": "r", "title": "t", "year": 2022, "area": "Kent", "name": "n", "nation": "England",
              "region": "South East", "child_ages": tuple(ages)}
    values.update(fields)
    return Review(**values)


OLDEST = list(AGE_GROUPS)[-1]


@pytest.mark.parametrize(("ages", "group"), [
    ((), "unknown"), ((0.25,), "babies (under 1)"), ((1.0,), "young children (1-4)"),
    ((3.0,), "young children (1-4)"), ((8.0, 11.0), "children (5-11)"), ((16.0,), OLDEST),
    ((16.0, 17.0), OLDEST), ((0.5, 16.0), "more than one age group"), ((19.0,), "18 or over"),
])
def test_age_group_from_the_stated_ages(ages, group):
    assert age_group_of(review(ages)) == group


def test_every_age_of_a_child_has_one_group_or_other_ages():
    groups = {age_group_of(review([age / 4])) for age in range(0, 72)}
    assert groups <= {*AGE_GROUPS, "18 or over"}
    assert set(AGE_GROUPS) <= groups


def test_opening_account_is_the_summarys_first_sentence():
    text = "Death of a 16-year-old girl. Child A may have died by suicide. Learning includes: peer support matters."
    document = Document(id="r/summary", review_id="r", kind="summary", text=text, sections=split_sections(text))
    assert opening_account([document]) == "Death of a 16-year-old girl."
    report = Document(id="r/report", review_id="r", kind="report", text="Serious injuries to a baby. More.",
                      sections=())
    assert opening_account([report]) == "Serious injuries to a baby."
    assert opening_account([]) == ""


def test_every_field_adds_up_to_the_set_and_unknown_is_a_key():
    collection = digest_collection()
    reviews = list(collection.reviews)
    profile = make_profile(reviews, collection.documents_of).to_json()
    assert list(profile) == ["outcome", "age_group", "sex", "year", "nation", "region"]
    for counts in profile.values():
        assert sum(counts.values()) == len(reviews)
        assert all(isinstance(k, str) and isinstance(v, int) and v > 0 for k, v in counts.items())
    assert profile["outcome"] == {"death": 3, "serious harm": 4, "unclear": 1}
    assert profile["age_group"]["unknown"] == 1                  # Family F states no age
    assert profile["year"] == {"2021": 2, "2022": 3, "2023": 3}
    assert list(profile["nation"])[-1] == "unknown"              # the anonymous review, last
    assert make_profile([], collection.documents_of).to_json() == {name: {} for name in profile}
