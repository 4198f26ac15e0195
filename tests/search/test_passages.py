"""Which passages a review shows, and in what order: scaffolding (a title page, contents, glossary,
terms of reference, a bare heading) never leads when a passage of substance answers; a long
report's own summary does not lead over the body it restates; and a long report is ranked on its
evidence, not its length."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.chunking import is_scaffolding, summary_section
from qa.collection import Collection, load_collection, save_collection
from qa.index import build_index
from qa.records import Document, Review, Section
from qa.service import Service
from tests.helpers import ask

FINDING = ("5.1 Agencies did not respond to the bruising as the protocol requires. The health visitor saw "
           "bruising on the non-mobile baby's leg at the home visit and did not refer "
           "it, because the mother said it came from the cot bars. The bruising protocol says that bruising on a "
           "non-mobile baby must always be referred to children's social care.")
QUESTION = "how well did agencies respond to bruising on a non-mobile baby"
PARTS = [
    ("body", "", "Rushmere Safeguarding Children Partnership\nLocal Child Safeguarding Practice Review\nBaby Isaac"),
    ("heading", "Contents", "Contents\n1. Introduction 3\n2. Terms of reference 4\n5. Bruising on a non-mobile baby 9"),
    ("heading", "Glossary", "Glossary\nNAI Non-accidental injury of a non-mobile baby\nHV Health visitor"),
    ("heading", "2. Terms of reference",
     "2. Terms of reference\n2.1 How well did agencies respond to bruising on a non-mobile baby?"),
    ("heading", "5. Bruising on a non-mobile baby", f"5. Bruising on a non-mobile baby\n{FINDING}"),
]


def report_document(review_id: str, parts=PARTS, filler: int = 0) -> Document:
    pieces, sections, cursor = [], [], 0
    extra = [("heading", f"Episode {n}", f"Episode {n}\n4.{n} The family moved house and the school "
              f"noted that the older sister was settled and attending well in term {n}.") for n in range(filler)]
    for name, title, text in [*parts, *extra]:
        sections.append(Section(name, cursor, cursor + len(text), title))
        pieces.append(text)
        cursor += len(text) + 2
    return Document(f"{review_id}/report", review_id, "report", "\n\n".join(pieces), tuple(sections))


def test_scaffolding_is_recognised():
    assert is_scaffolding(PARTS[0][2])                            # title page
    assert is_scaffolding(PARTS[1][2], "Contents")
    assert is_scaffolding("NAI Non-accidental injury\n\nHV Health visitor\n\nGP General practitioner")
    assert is_scaffolding(PARTS[3][2], "2. Terms of reference")
    assert is_scaffolding("The impact of the Covid-19 pandemic")   # a bare heading
    assert not is_scaffolding(f"5. Bruising on a non-mobile baby\n{FINDING}", "5. Bruising on a non-mobile baby")
    assert not is_scaffolding("Learning includes: information sharing; the voice of the child.", "learning")


@pytest.fixture
def with_report(settings, fake_embedder):
    collection = load_collection(settings.corpus_path)
    review = Review("2024-rushmere-baby-isaac", "2024 – Rushmere – Baby Isaac", 2024, "Rushmere", "Baby Isaac",
                    "England", child_ages=(0.3,))
    save_collection(Collection((*collection.reviews, review),
                               (*collection.documents, report_document(review.id, filler=30))), settings.corpus_path)
    build_index(settings, fake_embedder, progress=False)
    return Service(settings, embedder=fake_embedder), review.id


def test_scaffolding_never_leads_when_substance_answers(with_report):
    service, review_id = with_report
    response = ask(service, QUESTION, k=5)
    [hit] = [h for h in response.hits if h.review.id == review_id]
    first = hit.passages[0]
    assert first.chunk.section.title == "5. Bruising on a non-mobile baby" and "5.1 Agencies" in first.chunk.text
    assert not is_scaffolding(first.chunk.text, first.chunk.section.title)
    # Verbatim: every passage shown is the document's own text.
    assert all(p.chunk.text == p.chunk.document.text[p.chunk.start:p.chunk.end] for p in hit.passages)


def test_scaffolding_is_still_shown_when_nothing_else_matches(settings, fake_embedder):
    collection = load_collection(settings.corpus_path)
    review = Review("2024-rushmere-baby-isaac", "2024 – Rushmere – Baby Isaac", 2024, "Rushmere", "Baby Isaac",
                    "England", child_ages=(0.3,))
    document = report_document(review.id, PARTS[:4])
    save_collection(Collection((*collection.reviews, review), (*collection.documents, document)), settings.corpus_path)
    build_index(settings, fake_embedder, progress=False)
    response = ask(Service(settings, embedder=fake_embedder), QUESTION, k=5)
    [hit] = [h for h in response.hits if h.review.id == review.id]
    assert hit.passages and all(is_scaffolding(p.chunk.text, p.chunk.section.title) for p in hit.passages)


def test_a_long_relevant_report_outranks_short_irrelevant_summaries(with_report):
    service, review_id = with_report
    response = ask(service, "bruising not referred by the health visitor", k=10)
    ranked = [h.review.id for h in response.hits]
    assert review_id in ranked[:3]


RESTATED = "The health visitor did not refer the bruising on the baby's leg."


def test_the_body_leads_over_the_summary_that_restates_it(settings, fake_embedder):
    """A long report's executive summary restates a finding the body gives in full: where the summary's
    sentence answers only a little better, the body's passage (the detail, the page to cite) is shown
    first and the summary's after it. Without SUMMARY_PENALTY the summary leads."""
    collection = load_collection(settings.corpus_path)
    review = Review("2024-rushmere-baby-isaac", "2024 – Rushmere – Baby Isaac", 2024, "Rushmere", "Baby Isaac",
                    "England", child_ages=(0.3,))
    parts = [*PARTS[:2], ("heading", "Executive summary", f"Executive summary\n{RESTATED}"),
             ("heading", "5. Bruising", "5. Bruising\n5.1 At the home visit in October the health visitor saw the "
              "bruising on the baby's leg and did not refer it. The mother said it came from the cot bars.")]
    document = report_document(review.id, parts, filler=30)
    assert document.sections[summary_section(document)].title == "Executive summary"
    save_collection(Collection((*collection.reviews, review), (*collection.documents, document)), settings.corpus_path)
    build_index(settings, fake_embedder, progress=False)
    response = ask(Service(settings, embedder=fake_embedder), "did the health visitor refer the bruising", k=5)
    [hit] = [h for h in response.hits if h.review.id == review.id]
    assert [p.chunk.section.title for p in hit.passages[:2]] == ["5. Bruising", "Executive summary"]


def test_only_a_long_documents_own_summary_is_one():
    body = ("heading", "2. Findings", "2. Findings\n" + "The review found that the plan was not followed. " * 40)
    report = report_document("r", [("heading", "Executive summary", "Executive summary\nIn brief."), body])
    assert summary_section(report) == 0
    assert summary_section(report_document("r", [("heading", "Summary of practice", "Summary of practice\nA."),
                                                 body])) is None
    # A summary at the end, or one as long as what follows it, is not a summary of a body.
    assert summary_section(report_document("r", [body, ("heading", "Summary", "Summary\nIn brief.")])) is None
    assert summary_section(report_document("r", [("heading", "Summary", body[2]), body])) is None
    # A document that is itself a summary (an NSPCC summary, an executive summary on its own) has none.
    assert summary_section(replace(report, kind="executive-summary")) is None
    assert summary_section(replace(report, kind="summary")) is None
