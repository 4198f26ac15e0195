"""What a document says about itself (qa/ingest/guess/), read from its title page as a person would:
partnership -> area, review type -> kind and nation, the child's pseudonym, the publication year, the
subject child's age and sex; every field with where it came from, and nothing invented."""

from __future__ import annotations

import pytest

from qa.ingest.files import parse_file
from qa.ingest.guess import Guess, catalogue_title, guess_metadata
from qa.ingest.parsed import parsed_from_json, parsed_to_json
from qa.records import DOCUMENT_KINDS, Document

BODY = ("1. Introduction\n\n1.1 This review was commissioned after the child was seriously harmed. It looks at how "
        "agencies worked together and what they can learn.\n")


def cover(*lines: str, body: str = BODY) -> str:
    return "\n\n".join(lines) + "\n\n" + body


# --- review type -> kind and nation -------------------------------------------------------------

@pytest.mark.parametrize("line, review_type, nation", [
    ("Child Safeguarding Practice Review", "Child Safeguarding Practice Review", "England"),
    ("Local Child Safeguarding Practice Review", "Local Child Safeguarding Practice Review", "England"),
    ("SERIOUS CASE REVIEW", "Serious Case Review", "England"),
    ("Rapid Review", "Rapid Review", "England"),
    ("Child Practice Review Report", "Child Practice Review", "Wales"),
    ("Extended Child Practice Review", "Extended Child Practice Review", "Wales"),
    ("Single Unified Safeguarding Review (SUSR)", "Single Unified Safeguarding Review", "Wales"),
    ("Learning Review", "Learning Review", "Scotland"),
    ("Significant Case Review", "Significant Case Review", "Scotland"),
    ("Case Management Review", "Case Management Review", "Northern Ireland"),
])
def test_each_review_type_gives_its_nation_and_an_overview_report(line, review_type, nation):
    guess = guess_metadata(cover(line, "Child Q", "Published June 2022"))
    assert (guess.review_type, guess.nation, guess.kind) == (review_type, nation, "report")
    assert guess.sources["nation"] == f"cover line 1 (a {review_type})" and guess.sources["kind"].startswith("cover")


@pytest.mark.parametrize("lines, kind", [
    (("Serious Case Review", "Child G", "EXECUTIVE SUMMARY"), "executive-summary"),
    (("Greywater Safeguarding Children Partnership", "7 Minute Briefing", "Learning from a Child Safeguarding "
      "Practice Review: Unborn Baby R"), "learning-brief"),
    (("Safeguarding Board for Northern Ireland", "Learning Summary: Baby O"), "learning-brief"),
    (("Tollbridge Safeguarding Children Partnership", "Practice Guide", "Bruising in Non-Mobile Babies"),
     "practice-guide"),
    (("Lindenshire Safeguarding Children Partnership", "Thematic Review", "Adolescent suicide"), "thematic-review"),
    (("Marrowfield Safeguarding Children Partnership", "Annual Report 2022–23"), "other"),
    (("Case Management Review", "Overview Report", "\"Aoife\""), "report"),
])
def test_document_kinds_from_the_title_page(lines, kind):
    guess = guess_metadata(cover(*lines))
    assert guess.kind == kind and kind in DOCUMENT_KINDS
    assert Document("d", "r", kind, "text", ()).kind_label == DOCUMENT_KINDS[kind]


def test_kind_from_the_file_name_when_the_title_page_does_not_say():
    guess = guess_metadata(cover("Child K"), file_name="kent exec summary.txt")
    assert guess.kind == "executive-summary" and guess.sources["kind"] == "file name"


def test_a_learning_review_by_an_english_partnership_is_english():
    guess = guess_metadata(cover("Brackenford Safeguarding Children Partnership", "Learning Review", "Child M"))
    assert guess.nation == "England" and guess.sources["nation"] == "cover line 1 (the partnership's name)"


# --- partnership -> area ----------------------------------------------------------------------------

@pytest.mark.parametrize("lines, area, nation, where", [
    (("Rushmere Safeguarding Children Partnership", "Child Q"), "Rushmere", "England", "cover line 1"),
    (("Kestrel Vale Local Safeguarding Children Board", "Family W"), "Kestrel Vale", "England", "cover line 1"),
    (("FENMOOR SAFEGUARDING CHILDREN BOARD", "CHILD G"), "Fenmoor", "England", "cover line 1"),
    (("Safeguarding Board for Severnmouth", "‘Jack’"), "Severnmouth", None, "cover line 1"),
    (("Kinloch Ardle Child Protection Committee", "Child T"), "Kinloch Ardle", "Scotland", "cover line 1"),
    (("Glenmorven Public Protection Committee", "Siblings A and B"), "Glenmorven", "Scotland", "cover line 1"),
    (("Ystrad Faen Regional Safeguarding Board", "Child J and Child K"), "Ystrad Faen", "Wales", "cover line 1"),
    (("Harrowdale Safeguarding", "Children Partnership", "Baby M"), "Harrowdale", "England", "cover lines 1-2"),
    (("Rushmere", "Safeguarding Children Partnership", "Baby Isaac"), "Rushmere", "England", "cover lines 1-2"),
    (("Partnership:", "Sallowfield and Hatherby Safeguarding Children Partnership", "Child S"),
     "Sallowfield and Hatherby", "England", "cover line 2"),
    (("Child Safeguarding Practice Review", "Child P", "© Westmere SCP"), "Westmere", "England", "cover line 3"),
    (("Safeguarding Board for Northern Ireland", "Learning Summary: Baby O",
      "Glenarrow Health and Social Care Trust area"), "Glenarrow", "Northern Ireland", "cover line 3"),
    (("SBNI", "Case Management Review", "Child C"), "Northern Ireland", "Northern Ireland", "cover line 1"),
    (("Safer Sleep for Babies", "A practice guide for practitioners working with families in Wales"), "Wales", "Wales",
     "cover line 2 (a nation named, no partnership)"),
])
def test_partnership_forms_give_the_area(lines, area, nation, where):
    guess = guess_metadata(cover(*lines))
    assert guess.area == area and guess.sources["area"] == where
    if nation:
        assert guess.nation == nation


def test_an_area_named_only_in_a_running_head_or_footer():
    guess = guess_metadata(cover("Child Safeguarding Practice Review", "Child Q", "Published May 2023"),
                           furniture=["Brackenford SCP – LCSPR – Child Q"])
    assert guess.area == "Brackenford" and guess.sources["area"] == "running head or footer"


def test_no_partnership_anywhere_leaves_the_area_unknown_and_the_title_anonymous():
    body = ("1. Introduction\n\n1.1 This review concerns Harry, a nine-year-old boy who died in hospital. His sister, "
            "who was 13, was his young carer.\n")
    guess = guess_metadata(cover("LOCAL CHILD SAFEGUARDING PRACTICE REVIEW", "Harry", "Overview Report",
                                 "Published 4 May 2022", body=body))
    assert guess.area is None and "area" not in guess.sources and guess.unknown == ("area",)
    assert guess.title == "2022 – Anonymous – Harry" and guess.nation == "England"
    assert (guess.child_ages, guess.child_sex) == ((9.0,), "male")


# --- the child's name ---------------------------------------------------------------------------------

@pytest.mark.parametrize("line, name", [
    ("Child Q", "Child Q"), ("Baby M", "Baby M"), ("Family W", "Family W"),
    ("Child J and Child K", "Child J and Child K"),
    ("Siblings A and B", "Siblings A and B"), ("‘Jack’", "Jack"), ('"Erin"', "Erin"), ("Harry", "Harry"),
    ("CHILD G", "Child G"), ("Child T (pseudonym)", "Child T"), ("Re: Child L", "Child L"),
    ("Learning Summary: Baby O", "Baby O"), ("Jamie, Eilidh and Cara", "Jamie, Eilidh and Cara"),
    ("Local Child Safeguarding Practice Review, Child S", "Child S"), ("Unborn Baby R", "Unborn Baby R"),
])
def test_the_childs_pseudonym(line, name):
    guess = guess_metadata(cover("Northbridge Safeguarding Children Partnership", "Serious Case Review", line,
                                 "Published June 2019"))
    assert guess.name == name and guess.sources["name"] == "cover line 3"
    assert guess.title == f"2019 – Northbridge – {name}"


def test_a_guide_is_named_by_its_kind_and_subject_and_the_title_has_no_year():
    guess = guess_metadata(cover("Tollbridge Safeguarding Children Partnership", "Practice Guide",
                                 "Bruising and Injuries in Non-Mobile Babies", "Version 2.1",
                                 body="1. Purpose\n\n1.1 This guide is for anyone who sees bruising and injuries on "
                                      "non-mobile babies, a 4-month-old or a 2-year-old.\n"))
    assert guess.name == "Practice guide: bruising and injuries in non-mobile babies"
    assert guess.year is None
    assert guess.title == "Tollbridge – Practice guide: bruising and injuries in non-mobile babies"
    assert guess.child_ages == () and guess.child_sex == "unknown"


def test_catalogue_titles():
    assert catalogue_title(2024, "Rushmere", "Baby Isaac") == "2024 – Rushmere – Baby Isaac"
    assert catalogue_title(None, "Tollbridge", "Practice guide") == "Tollbridge – Practice guide"
    assert catalogue_title(2022, None, "Harry") == catalogue_title(2022, "unknown", "Harry") \
        == "2022 – Anonymous – Harry"


# --- the publication year -------------------------------------------------------------------------------

@pytest.mark.parametrize("lines, year, where", [
    (("Published March 2024",), 2024, "cover line 1"),
    (("Date of Rapid Review meeting: 17 May 2022", "Publication date: 12/01/2023"), 2023, "cover line 2"),
    (("\"Nobody asked me\"", "in Lindenshire between November 2019 and September 2020", "© 2021"), 2021,
     "cover line 3"),
    (("Concerning events between March and November 2019", "Published: September 2021"), 2021, "cover line 2"),
    (("Approved by the Chief Officers Group: December 2020", "Published: February 2021"), 2021, "cover line 2"),
    (("YFRSB 1/2023", "Dyddiad cyhoeddi / Date of publication: Mai / May 2023"), 2023, "cover line 2"),
    (("Annual Report 2022–23", "Published September 2023"), 2023, "cover line 2"),
    (("Final report – October 2022",), 2022, "cover line 1"),
    (("Tachwedd / November 2025",), 2025, "cover line 1"),
])
def test_the_publication_year_not_the_years_of_the_events(lines, year, where):
    guess = guess_metadata(cover("Child Safeguarding Practice Review", "Child Q", *lines))
    assert guess.year == year and guess.sources["year"] == f"cover line {int(where.split()[-1]) + 2}"


def test_a_year_stated_only_in_the_introduction():
    body = ("1. Introduction\n\n1.1 This report was commissioned in May 2021, approved by the safeguarding partners on "
            "7 December 2021 and published on 22 February 2022, after the criminal trial.\n")
    guess = guess_metadata(cover("Corrowby Safeguarding Children Partnership", "Child Safeguarding Practice Review",
                                 "Child E", "Version 3.2 (final)", body=body))
    assert guess.year == 2022 and guess.sources["year"].startswith("introduction")


def test_no_year_anywhere_is_unknown_not_the_year_of_a_law():
    body = ("1. Purpose\n\n1.1 This guide follows Working Together to Safeguard Children 2018 and the Children Act "
            "1989. It was written because reviews in 2019 and 2020 found the same problems.\n")
    guess = guess_metadata(cover("Tollbridge Safeguarding Children Partnership", "Practice Guide", body=body))
    assert guess.year is None and "year" not in guess.sources and guess.unknown == ("year",)


# --- the children: ages and sex of the subject only ----------------------------------------------------

def test_ages_and_sex_are_the_subject_childs_not_a_siblings_cousins_or_parents():
    body = ("1. Introduction\n\n1.1 This review was commissioned after Child Q, a seven-month-old girl, was admitted "
            "to hospital with a fractured femur.\n\n1.2 Q lived with her mother, who was 22, and her half-brother, who "
            "was four years old. Q's cousin, a baby of eight months, stayed that week.\n")
    guess = guess_metadata(cover("Brackenford Safeguarding Children Partnership", "Child Q", body=body))
    assert guess.child_ages == (0.58,) and guess.child_sex == "female"
    assert guess.sources["child_ages"] == guess.sources["child_sex"] == "introduction"


@pytest.mark.parametrize("name, body, ages, sex", [
    ("Child J and Child K", "In September 2022, Child J, a boy aged 3 years, and his sister Child K, aged 18 months, "
                            "were found alone. Their mother was 27.", (1.5, 3.0), "mixed"),
    ("Family W", "At that time the oldest child, W1, was a boy aged 12; W2 was a girl aged 9; W3 was a boy aged 6; "
                 "and W4 was a girl aged 3. A neighbour's daughter, aged 15, raised the alarm.",
     (3.0, 6.0, 9.0, 12.0), "mixed"),
    ("Child T", "In October 2019, Child T, aged 2 years and 4 months, was brought to hospital with scalds. T lived "
                "with T's mother and an older sister, aged 7.", (2.33,), "unknown"),
    ("Child E", "Child E is a boy. On 2 April 2021, when he was six weeks old, E's father called an ambulance. His "
                "cousin, a boy of 16, lived with them.", (0.12,), "male"),
    ("Unborn Baby R", "The review concerns an unborn baby, referred to as Unborn Baby R. R's mother was seventeen "
                      "years old.", (), "unknown"),
    ("Baby M", "Baby M, a boy, died on 26 April 2022 when he was ten weeks old. His half-sisters were aged six and "
               "three.", (0.19,), "male"),
    ("Siblings A and B", "Sibling A is a girl who was eight years old when the abuse came to light. Her brother, "
                         "Sibling B, was five.", (5.0, 8.0), "mixed"),
])
def test_children_of_the_review(name, body, ages, sex):
    guess = guess_metadata(cover("Northbridge Safeguarding Children Partnership", name,
                                 body=f"1. Introduction\n\n1.1 {body}\n"))
    assert (guess.child_ages, guess.child_sex) == (ages, sex)


# --- nothing invented, and where each field came from ---------------------------------------------------

def test_a_document_that_states_nothing_gets_nothing():
    guess = guess_metadata("This text starts with a long paragraph about practice in general. " * 8)
    assert guess == Guess() and guess.unknown == ("year", "area", "nation") and guess.sources == {}


def test_every_field_found_says_where_it_came_from_and_survives_json():
    guess = guess_metadata(cover("Rushmere", "Safeguarding Children Partnership", "Local Child Safeguarding Practice "
                                 "Review", "Baby Isaac", "Overview Report", "Published March 2024",
                                 body="Executive summary\n\nThis report follows the admission of Isaac, a four-month-"
                                      "old boy, to hospital with head injuries.\n"))
    assert guess.title == "2024 – Rushmere – Baby Isaac" and guess.child_ages == (0.33,)
    assert {name for name in ("title", "year", "area", "name", "nation", "kind", "child_ages", "child_sex")} \
        <= set(guess.sources)
    assert guess.sources["year"] == "cover line 6" and guess.sources["name"] == "cover line 4"
    assert Guess.from_json(guess.to_json()) == guess


def test_the_guess_comes_back_from_the_child_process_parse(tmp_path):
    path = tmp_path / "Child S review.txt"
    path.write_text(cover("Sallowfield and Hatherby Safeguarding Children Partnership", "Local Child Safeguarding "
                          "Practice Review, Child S", "(published November 2023)",
                          body="1. Background\n\n1.1 Child S was a three-year-old girl who died from her injuries. Her "
                               "baby brother was five months old.\n"), encoding="utf-8")
    parsed = parse_file(path)          # parsed in a child process, returned as JSON
    assert parsed.guess.title == "2023 – Sallowfield and Hatherby – Child S"
    assert (parsed.guess.child_ages, parsed.guess.child_sex) == ((3.0,), "female")
    assert parsed.title == "Local Child Safeguarding Practice Review, Child S" and parsed.year == 2023
    assert parsed_from_json(parsed_to_json(parsed)) == parsed
