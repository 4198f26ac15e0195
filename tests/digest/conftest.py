"""A small made-up collection for the digest: eight summaries in the NSPCC page's format, several
sharing practice themes, and one full report with headings, indexed with the fake embedder."""

from __future__ import annotations

import pytest

from qa.collection import Collection, save_collection
from qa.index import build_index
from qa.ingest.nspcc_page import parse_page
from qa.ingest.parsed import sections_from_headings
from qa.records import Document
from qa.service import Service
from qa.settings import Settings
from tests.helpers import FIXTURES, FakeEmbedder

PAGE = "\n\n".join([
    'Recently published case reviews',
    'Case reviews published in 2023.',
    '2023 – Kent – Baby A',
    ('Death of a 3-month-old girl while co-sleeping with her father after he had been drinking. Learning '
     'includes: safe sleep advice for parents must be repeated at every visit; professionals should share '
     'information between agencies about alcohol misuse by parents; and fathers must be seen and assessed '
     'by health visitors. Recommendations include: publish a safe sleep campaign for parents who drink '
     'alcohol; review how agencies share information. Keywords: co-sleeping, alcohol misuse > Read the '
     'overview report'),
    '2023 – Leeds – Baby B',
    ('Death of a 2-month-old boy in an unsafe sleeping arrangement. Learning includes: safe sleep advice '
     'for parents was not repeated after the family moved house; agencies did not share information '
     'between agencies about the move. Good practice was shown by the midwife who gave safe sleep advice '
     'for parents before the birth. Recommendations include: audit the safe sleep advice given to parents '
     'at every visit. Keywords: sudden infant death > Read the overview report'),
    '2023 – Wrexham – Dylan',
    ('Neglect of a 9-year-old boy who was home educated and not seen by professionals for a year. Learning'
     ' includes: home education registers should be checked by the local authority every term; neglect can'
     ' be hidden when a child is not in school. Recommendations include: share information between '
     'agencies when a child leaves school. Keywords: neglect, home education > Read the overview report'),
    'Case reviews published in 2022.',
    '2022 – Bristol – Baby C',
    ('Serious injuries to a 6-week-old baby. Learning includes: safe sleep advice for parents must cover '
     'sleeping arrangements in the day and at night; information between agencies was not shared in time. '
     'Identifies good practice, including: the health visitor checked home education registers for the '
     'older sibling; the school nurse made a prompt referral. Recommendations include: publish safe sleep '
     'advice for parents in every language. Keywords: injuries > Read the overview report'),
    '2022 – Barnet – Child D',
    ('Sexual abuse of a 14-year-old girl by an adult she met online. Learning includes: home education '
     'registers should be checked when a child is withdrawn from school; professionals should share '
     'information between agencies about missing episodes. Recommendations include: agencies should share '
     'information about children missing from home education registers. Keywords: child sexual '
     'exploitation > Read the overview report'),
    '2022 – Anonymous – Child E',
    ('Death of a 16-year-old boy by suicide. Learning includes: the voice of the child must be heard in '
     'every assessment; home education registers should be checked before a child is removed from the '
     'school roll. Recommendations include: share information between agencies about self-harm. Keywords: '
     'suicide > Read the overview report'),
    'Case reviews published in 2021.',
    '2021 – Leicester – Family F',
    ('Long-standing neglect of three siblings. Learning includes: the voice of the child was not heard by '
     'professionals; neglect assessment tools were not used. Good practice was shown by the school nurse '
     'who made a prompt referral after the home visit. Recommendations include: use a neglect assessment '
     'tool in every case of neglect. Keywords: neglect > Read the overview report'),
    '2021 – Hull – Child G',
    ('A review of services to a family with a new baby. Learning includes: the voice of the child must be '
     'heard when the family moves house; the school nurse made a prompt referral but it was not followed '
     'up. Recommendations include: audit the use of neglect assessment tools by health visitors. Keywords:'
     ' neglect > Read the overview report'),
]) + "\n"

# A full report for Child G: findings, a sub-heading, good practice and recommendations under
# numbered headings, with paragraph numbers and a bullet list.
REPORT_PARAGRAPHS = [
    ("1. Background", True),
    ("1.1 The family moved to Hull in 2020. This paragraph is background and is not learning.", False),
    ("2. Findings", True),
    ("2.1 Safe sleep advice for parents was given once and never repeated. The health visitor did not see "
     "where the baby slept.", False),
    ("Information sharing", True),
    ("2.2 Agencies did not share information between agencies about the father's alcohol misuse.", False),
    ("3. Good practice", True),
    ("3.1 The review identified the following examples of good practice:", False),
    ("- the school nurse made a prompt referral after the home visit;", False),
    ("- the GP saw the mother alone and asked about her mood.", False),
    ("4. Recommendations", True),
    ("Recommendation 1: The partnership should publish safe sleep advice for parents in every language.", False),
    ("Recommendation 2: Agencies should share information between agencies within one working day.", False),
    ("Appendix: Terms of reference", True),
    ("The review should consider safe sleep advice for parents and information sharing.", False),
]


def report_document(review_id: str) -> Document:
    text, headings = "", []
    for paragraph, heading in REPORT_PARAGRAPHS:
        if text:
            text += "\n\n"
        if heading:
            headings.append((len(text), paragraph))
        text += paragraph
    return Document(id=f"{review_id}/overview-report", review_id=review_id, kind="report", text=text,
                    sections=sections_from_headings(text, headings), title="Child G overview report")


def digest_collection() -> Collection:
    reviews, documents = parse_page(PAGE)
    child_g = next(r for r in reviews if r.name == "Child G")
    return Collection(tuple(reviews), (*documents, report_document(child_g.id)))


@pytest.fixture
def digest_settings(tmp_path) -> Settings:
    save_collection(digest_collection(), tmp_path / "corpus" / "reviews.jsonl")
    # Default chunking, so that the command line (which cannot set it) finds the index current.
    settings = Settings(root=tmp_path, source_file=FIXTURES / "page.txt", model="fake-hash-64")
    build_index(settings, FakeEmbedder(), progress=False)
    return settings


@pytest.fixture
def digest_service(digest_settings) -> Service:
    return Service(digest_settings, embedder=FakeEmbedder())


@pytest.fixture
def digest_cli(digest_settings, monkeypatch):
    import qa.embed
    from qa.cli import main

    monkeypatch.setattr(qa.embed, "load_embedder", lambda s: FakeEmbedder())
    monkeypatch.setattr(qa.embed, "load_query_embedder", lambda s: FakeEmbedder())

    def run(*args):
        return main(["--root", str(digest_settings.root), "--model", "fake-hash-64", *args])
    return run
