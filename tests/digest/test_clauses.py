import pytest

from qa.digest.clauses import GOOD_PRACTICE, LEARNING, RECOMMENDATION, document_clauses, heading_kind
from qa.ingest.nspcc_page import split_sections
from qa.records import Document
from qa.settings import SHIPPED_COLLECTION
from tests.digest.conftest import report_document


def summary(text: str) -> Document:
    return Document(id="r1/summary", review_id="r1", kind="summary", text=text, sections=split_sections(text))


def assert_verbatim(document, clauses):
    for clause in clauses:
        assert clause.text == document.text[clause.start:clause.end]
        assert clause.document_id == document.id and clause.review_id == document.review_id
        assert clause.text == clause.text.strip() and clause.text[-1] not in ";,:"


def test_summary_lists_split_into_clauses_without_their_lead_ins():
    document = summary(
        "Death of a 4-week-old girl. Learning includes: a need for professionals to ask about sleeping arrangements; "
        "safe sleep advice must be repeated when parents drink alcohol; and fathers should be seen at every visit. "
        "Recommendations include: publish a safe sleeping campaign for parents; audit health visitor records. "
        "Keywords: sudden infant death, co-sleeping")
    clauses = document_clauses(document)
    assert [(c.kind, c.text) for c in clauses] == [
        (LEARNING, "a need for professionals to ask about sleeping arrangements"),
        (LEARNING, "safe sleep advice must be repeated when parents drink alcohol"),
        (LEARNING, "fathers should be seen at every visit."),
        (RECOMMENDATION, "publish a safe sleeping campaign for parents"),
        (RECOMMENDATION, "audit health visitor records."),
    ]
    assert_verbatim(document, clauses)
    assert [c.section.label for c in clauses] == ["Learning"] * 3 + ["Recommendations"] * 2


def test_summary_sentences_and_odd_lead_ins():
    document = summary(
        "Neglect of three siblings. Learning\u00a0 includes: professionals were too optimistic about change, e.g. "
        "after the move; the GP was not told. Health visitors did not see the children at home. "
        "Recommendations: include: to strengthen multi-agency decision making in child protection processes. "
        "Keywords: neglect")
    texts = [(c.kind, c.text) for c in document_clauses(document)]
    assert texts == [
        (LEARNING, "professionals were too optimistic about change, e.g. after the move"),
        (LEARNING, "the GP was not told."),
        (LEARNING, "Health visitors did not see the children at home."),
        (RECOMMENDATION, "to strengthen multi-agency decision making in child protection processes."),
    ]


def test_good_practice_is_kept_apart_from_learning_and_recommendations():
    document = summary(
        "Injuries to a baby. Learning includes: there is evidence of good practice in the record keeping by "
        "midwives; professionals should share bruising concerns with every agency. Identifies good practice, "
        "including: direct work by the school nurse allowed the child's voice to be heard; the dentist recognised "
        "signs of neglect in the children's teeth. Recommendations include: produce good practice guides on working "
        "with fathers; review the bruising protocol. Keywords: bruising")
    clauses = document_clauses(document)
    assert [(c.kind, c.text) for c in clauses] == [
        (GOOD_PRACTICE, "there is evidence of good practice in the record keeping by midwives"),
        (LEARNING, "professionals should share bruising concerns with every agency."),
        (GOOD_PRACTICE, "direct work by the school nurse allowed the child's voice to be heard"),
        (GOOD_PRACTICE, "the dentist recognised signs of neglect in the children's teeth."),
        (RECOMMENDATION, "produce good practice guides on working with fathers"),
        (RECOMMENDATION, "review the bruising protocol."),
    ]
    assert_verbatim(document, clauses)


def test_sections_that_only_point_elsewhere_give_no_clauses():
    document = summary("Death of a 15-year-old boy. Learning is embedded in the recommendations. Recommendations: "
                       "Recommendations are embedded in the learning. Keywords: knife crime")
    assert document_clauses(document) == ()


def test_report_sentences_under_findings_recommendations_and_good_practice_headings():
    document = report_document("r7")
    clauses = document_clauses(document)
    assert_verbatim(document, clauses)
    assert [(c.kind, c.text, c.section.title) for c in clauses] == [
        (LEARNING, "Safe sleep advice for parents was given once and never repeated.", "2. Findings"),
        (LEARNING, "The health visitor did not see where the baby slept.", "2. Findings"),
        # A sub-heading inside the numbered findings part is findings too.
        (LEARNING, "Agencies did not share information between agencies about the father's alcohol misuse.",
         "Information sharing"),
        # The announcement ending in a colon is not a clause; the bullets' dashes are left out.
        (GOOD_PRACTICE, "the school nurse made a prompt referral after the home visit", "3. Good practice"),
        (GOOD_PRACTICE, "the GP saw the mother alone and asked about her mood.", "3. Good practice"),
        (RECOMMENDATION, "The partnership should publish safe sleep advice for parents in every language.",
         "4. Recommendations"),
        (RECOMMENDATION, "Agencies should share information between agencies within one working day.",
         "4. Recommendations"),
    ]


@pytest.mark.parametrize(("title", "kind"), [
    ("6. Analysis and findings", LEARNING), ("Finding 3: The family's view was not sought", LEARNING),
    ("4. Practice and organisational learning", LEARNING), ("What the review found", LEARNING),
    ("9. Recommendations", RECOMMENDATION), ("6. Improving systems and practice", RECOMMENDATION),
    ("5. Good practice", GOOD_PRACTICE), ("What went well", GOOD_PRACTICE),
    ("2. Background", None), ("Appendix 1: Terms of reference", None), ("Questions for reflection", None),
    ("Glossary", None), ("Episode 2: Missing episodes", None),
])
def test_heading_kinds(title, kind):
    assert heading_kind(title) == kind


def test_every_shipped_summary_gives_verbatim_clauses():
    from qa.collection import load_collection

    collection = load_collection(SHIPPED_COLLECTION)
    total = 0
    for document in collection.documents:
        clauses = document_clauses(document)
        assert_verbatim(document, clauses)
        assert all(len(c.text.split()) >= 4 for c in clauses)
        assert not any(c.text.lower().startswith(("learning includes", "recommendations include", "and "))
                       for c in clauses)
        total += len(clauses)
    assert total > 5 * len(collection.documents)
