"""Which passages a review shows, and in what order: scaffolding (a title page, contents, glossary,
terms of reference, a bare heading) never leads when a passage of substance answers; and a long
report is ranked on its evidence, not its length."""

from __future__ import annotations

import pytest

from qa.chunking import is_scaffolding
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
