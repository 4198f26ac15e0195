"""User files -> ParsedFile: PDFs printed by headless Chromium, DOCX written by python-docx, web pages
in site chrome, text and Markdown (the Welsh neglect practice guide from the saved NSPCC page), and
every way a file can be refused. Every ParsedFile made here is checked against its invariants."""

from __future__ import annotations

import html as html_lib
import random
import re
from pathlib import Path

import pytest

from qa.errors import DocumentError
from qa.ingest.files import SUPPORTED, parse_file
from qa.ingest.guess import guess_metadata
from qa.ingest.parsed import ParsedFile, invariant_errors
from qa.records import Document
from qa.settings import SHIPPED_PAGE, ParseLimits
from testkit import documents
from testkit.documents import (
    MARKER_LAST_PAGE,
    MARKER_PAGE_2,
    RUNNING_HEADER,
    PdfJob,
    chromium_available,
    make_docx,
    mixed_html,
    navigation_only_html,
    report_html,
    scanned_html,
    welsh_guide_markdown,
    welsh_neglect_guide,
    wrapped_article_html,
)


def parsed_ok(path: Path, **kwargs) -> ParsedFile:
    parsed = parse_file(path, **kwargs)
    assert invariant_errors(parsed) == []
    return parsed


def page_at(parsed: ParsedFile, offset: int):
    document = Document(id="d", review_id="r", kind="report", text=parsed.text, sections=parsed.sections,
                        pages=parsed.pages)
    return document.page_at(offset)


def titles(parsed: ParsedFile) -> list[str]:
    return [s.title for s in parsed.sections if s.name == "heading"]


# --- PDFs printed by Chromium ---------------------------------------------------------------------

chromium = pytest.mark.skipif(not chromium_available(), reason="needs Debian's /usr/bin/chromium")


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    if not chromium_available():
        pytest.skip("needs Debian's /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    folder = tmp_path_factory.mktemp("pdfs")
    report = report_html(sections=6)
    files = {"report": folder / "Child Q report.pdf", "scanned": folder / "scanned.pdf", "mixed": folder / "mixed.pdf",
             "numbered": folder / "numbered footer.pdf"}
    documents.print_pdfs([
        PdfJob(report, files["report"]), PdfJob(scanned_html(2), files["scanned"], False),
        PdfJob(mixed_html(), files["mixed"], False),
        PdfJob(report_html(sections=3, seed=11), files["numbered"], header_template=documents.DASH_HEADER_TEMPLATE,
               footer_template=documents.NUMBER_FOOTER_TEMPLATE)])
    (folder / "report.html").write_text(report, encoding="utf-8")
    files["html"] = folder / "report.html"
    return files


@pytest.fixture(scope="session")
def report(pdfs) -> ParsedFile:
    return parsed_ok(pdfs["report"])


def _raw_pages(path: Path) -> list[str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _source_sentences(html: str) -> list[str]:
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1])).replace("\u00ad", "")
    return [s for s in documents._SENTENCES if s in " ".join(text.split())]


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_report_pdf_pages_and_known_sentences(report, pdfs):
    raw = _raw_pages(pdfs["report"])
    assert len(raw) >= 6 and len(report.pages) == len(raw)
    assert [p.number for p in report.pages] == list(range(1, len(raw) + 1))
    assert all(p.label is None for p in report.pages)     # Chromium writes no page labels
    # The marker after the cover's page break is on page 2; the one after the last break is on the last page.
    assert page_at(report, report.text.index(MARKER_PAGE_2)).number == 2
    assert page_at(report, report.text.index(MARKER_LAST_PAGE)).number == len(raw)
    # And each page span holds the words PDFium found on that page (its first body words).
    for number, page_text in enumerate(raw, 1):
        first = next(line for line in page_text.split("\r\n") if line.strip() and RUNNING_HEADER not in line)
        words = " ".join(first.split()[:3]).rstrip("\u2010-").replace("\ufffe", "-")
        page = report.pages[number - 1]
        assert words in report.text[page.start:page.end + len(words)], (number, words)


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_report_pdf_text_is_clean_and_unbroken(report, pdfs):
    text = report.text
    assert RUNNING_HEADER not in text
    assert not re.search(r"Page \d+ of \d+", text)
    assert "\r" not in text and "\f" not in text and "\u2010" not in text and "\ufffe" not in text
    # Every sentence of the source survives verbatim: no header, footer, line break or hyphen inside.
    source = pdfs["html"].read_text(encoding="utf-8")
    sentences = _source_sentences(source)
    assert len(sentences) >= 15
    for sentence in sentences:
        assert sentence in text, sentence
    # Paragraphs are separated by blank lines and not cut at line ends.
    assert "arguably been met." in text and "\n\nmet." not in text


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_report_pdf_rejoins_line_end_hyphens_and_keeps_real_ones(report, pdfs):
    raw = "\n".join(_raw_pages(pdfs["report"]))
    # The premise: Chromium really broke words at line ends with a hyphen.
    broken = re.findall(r"([A-Za-z]+)[\u2010-]\r\n([a-z]+)", raw)
    assert len(broken) >= 5, "the test PDF should have words hyphenated across lines"
    words = set(re.findall(r"[A-Za-z'-]+", report.text))
    for left, right in broken:
        if f"{left}-{right}".lower() in ("co-sleeping", "multi-agency"):
            continue
        assert left + right in words, (left, right)
        assert f"{left}-{right}" not in report.text
    # Real hyphens stay, wherever the line broke.
    assert "Co-sleeping" in report.text and "Cosleeping" not in report.text
    assert "multi-agency" in report.text and "multiagency" not in report.text


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_report_pdf_sections_and_metadata(report):
    found = titles(report)
    for heading in ("1. Introduction", "1.1 Why this review was undertaken", "2. Background", "3. Findings",
                    "3.1 Early help", "3.2 Information sharing", "4. Recommendations"):
        assert heading in found
    # Numbered paragraphs, table rows and cover lines are not headings.
    assert not any(t.startswith("2.1 In January") or t.startswith("January 2020") for t in found)
    assert report.sections[0].name == "body" and report.text[:report.sections[0].end].startswith(
        "Child Safeguarding Practice Review")
    for section in report.sections:
        if section.name == "heading":
            assert report.text[section.start:].startswith(section.title)
    assert report.title == "Child Safeguarding Practice Review: Child Q"
    assert report.year == documents.PUBLISHED_YEAR
    assert report.area == documents.AREA
    assert report.format == "pdf" and report.warnings == ()


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_bare_page_numbers_and_dashed_headers_are_removed(pdfs):
    raw = _raw_pages(pdfs["numbered"])
    assert len(raw) >= 5 and all(documents.DASH_HEADER in page for page in raw)
    assert all(re.search(rf"(?:^|\r\n){number}(?:\r\n|$)", page) for number, page in enumerate(raw, 1))
    parsed = parsed_ok(pdfs["numbered"])
    assert documents.DASH_HEADER not in parsed.text
    assert not re.search(r"(?:^|\n)\d{1,2}(?:\n|$)", parsed.text)      # no paragraph that is just a number
    for sentence in _source_sentences(report_html(sections=3, seed=11)):
        assert sentence in parsed.text
    assert page_at(parsed, parsed.text.index(MARKER_LAST_PAGE)).number == len(raw)


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_pdfs_parse_the_same_from_several_threads(pdfs, report):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(parse_file, [pdfs["report"], pdfs["mixed"]] * 3))
    assert results[0] == results[2] == results[4] == report


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_pdf_without_text_layer_asks_for_ocr(pdfs):
    with pytest.raises(DocumentError, match=r"scanned\.pdf.*pages 1-2.*OCR.*ocrmypdf"):
        parse_file(pdfs["scanned"])


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_pdf_with_some_empty_pages_keeps_the_rest_and_warns(pdfs):
    parsed = parsed_ok(pdfs["mixed"])
    assert len(parsed.pages) == 3
    assert parsed.text[parsed.pages[1].start:parsed.pages[1].end].strip() == ""   # the image-only page: no words
    assert "ordinary text" in parsed.text and "learning the partnership drew" in parsed.text
    assert page_at(parsed, parsed.text.index("learning the partnership")).number == 3
    assert len(parsed.warnings) == 1 and "page 2" in parsed.warnings[0] and "OCR" in parsed.warnings[0]
    assert titles(parsed) == ["1. Summary", "2. Learning"]


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_pdf_page_labels_are_read(pdfs, tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf writes the page labels")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(pdfs["mixed"]))
    writer.set_page_label(0, 0, style="/r", start=1)
    writer.set_page_label(1, 2, style="/D", start=1)
    labelled = tmp_path / "labelled.pdf"
    writer.write(labelled)
    assert [p.label for p in parsed_ok(labelled).pages] == ["i", "1", "2"]


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_encrypted_pdf_is_refused(pdfs, tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf makes the encrypted PDF (pypdfium2 cannot)")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(pdfs["mixed"]))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)
    with pytest.raises(DocumentError, match=r"locked\.pdf.*password.*remove the password"):
        parse_file(locked)


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_truncated_pdf_is_refused(pdfs, tmp_path):
    data = pdfs["report"].read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DocumentError, match=r"cut\.pdf.*truncated.*again"):
        parse_file(cut)


def test_damaged_and_fake_pdfs_are_refused(tmp_path):
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(4000)) + b"\n%%EOF\n")
    with pytest.raises(DocumentError, match=r"damaged\.pdf.*damaged"):
        parse_file(damaged)
    fake = tmp_path / "fake.pdf"
    fake.write_text("This is a text file with a .pdf name.", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"fake\.pdf.*not a PDF"):
        parse_file(fake)


# --- checks on every file ---------------------------------------------------------------------------

def test_missing_empty_folder_and_unsupported_files(tmp_path):
    with pytest.raises(DocumentError, match=r"'nothing\.pdf' does not exist"):
        parse_file(tmp_path / "nothing.pdf")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"'empty\.txt' is empty \(0 bytes\)"):
        parse_file(empty)
    with pytest.raises(DocumentError, match="is a folder"):
        parse_file(tmp_path)
    for name in ("report.doc", "scan.jpg", "README"):
        path = tmp_path / name
        path.write_bytes(b"some bytes")
        with pytest.raises(DocumentError) as raised:
            parse_file(path)
        message = str(raised.value)
        assert name in message and all(ext in message for ext in SUPPORTED)


def test_extension_is_case_insensitive_and_oversize_files_are_refused(tmp_path):
    path = tmp_path / "NOTES.TXT"
    path.write_text("Some notes about the review.\n" * 10, encoding="utf-8")
    assert parsed_ok(path).format == "text"
    with pytest.raises(DocumentError, match=r"NOTES\.TXT.*over the limit of 100 bytes"):
        parse_file(path, ParseLimits(max_file_bytes=100))
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * (3 * 2**20))
    with pytest.raises(DocumentError, match=r"'big\.md' is 3\.0 MB, over the limit of 2\.0 MB"):
        parse_file(big, ParseLimits(max_file_bytes=2 * 2**20))


def test_odd_file_names_work(tmp_path):
    name = "-Child Q’s review “final” 'copy' (2) é ünïcødé.txt"
    path = tmp_path / name
    path.write_text("INTRODUCTION\n\nThe review was published in June 2022.\n", encoding="utf-8")
    parsed = parsed_ok(path)
    assert parsed.text.startswith("INTRODUCTION") and parsed.year == 2022
    bad = tmp_path / "-bad name “x”.txt"
    bad.write_bytes(b"caf\xe9")
    with pytest.raises(DocumentError, match="-bad name “x”.txt"):
        parse_file(bad)


# --- DOCX --------------------------------------------------------------------------------------------

def test_docx_paragraphs_headings_and_table(tmp_path):
    pytest.importorskip("docx")
    path = tmp_path / "rapid review.docx"
    make_docx(path)
    parsed = parsed_ok(path)
    assert parsed.format == "docx" and parsed.pages == ()
    assert titles(parsed) == ["Rapid Review: Child M", "1. Introduction", "2. Key practice episodes", "2.1 Chronology"]
    assert "Date | Event\n3 January 2023 | GP appointment\n17 January 2023 | Admitted to hospital" in parsed.text
    assert "\n\nThe father was not invited to any appointment.\n\n" in parsed.text
    assert parsed.title == "Rapid Review: Child M" and parsed.year == 2023 and parsed.area == documents.AREA
    chronology = next(s for s in parsed.sections if s.title == "2.1 Chronology")
    assert parsed.text[chronology.start:chronology.end].endswith("could have been predicted.")


def test_corrupt_docx_is_refused(tmp_path):
    pytest.importorskip("docx")
    whole = tmp_path / "whole.docx"
    make_docx(whole)
    half = tmp_path / "half.docx"
    half.write_bytes(whole.read_bytes()[:2000])
    with pytest.raises(DocumentError, match=r"half\.docx.*save it as \.docx again"):
        parse_file(half)
    old = tmp_path / "old.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(DocumentError, match=r"old\.docx.*password-protected"):
        parse_file(old)


# --- HTML --------------------------------------------------------------------------------------------

def test_html_keeps_the_article_and_drops_the_site(tmp_path):
    path = tmp_path / "neglect learning.html"
    path.write_text(wrapped_article_html(), encoding="utf-8")
    parsed = parsed_ok(path)
    text = parsed.text
    assert parsed.format == "html" and parsed.pages == ()
    for sentence in documents._SENTENCES[:15]:
        assert sentence in text
    assert "every assessment & plan" in text and "child’s lived experience" in text and "&amp;" not in text
    for chrome in ("cookies", "Accept", "About us", "Footer link", "Donate", "All rights reserved", "Related pages",
                   "SCRIPT-TEXT", "SCRIPT-IN-ARTICLE", "dataLayer", "<", ">"):
        assert chrome not in text, chrome
    assert titles(parsed) == ["Learning from case reviews: neglect", "What the reviews found",
                              "What practitioners should do"]
    assert parsed.title == "Learning from case reviews: neglect" and parsed.year == 2022
    assert parsed.area == documents.AREA


def test_html_of_navigation_only_is_refused(tmp_path):
    path = tmp_path / "site map.htm"
    path.write_text(navigation_only_html(), encoding="utf-8")
    with pytest.raises(DocumentError, match=r"No main text was found in 'site map\.htm'"):
        parse_file(path)


# --- text and Markdown -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def welsh_guide() -> str:
    return welsh_neglect_guide((SHIPPED_PAGE).read_text(encoding="utf-8"))


def test_welsh_neglect_guide_as_text(tmp_path, welsh_guide):
    assert len(welsh_guide) > 20000
    path = tmp_path / "all wales neglect guide.txt"
    path.write_text(welsh_guide, encoding="utf-8")
    parsed = parsed_ok(path)
    assert parsed.format == "text" and parsed.pages == ()
    assert "In 2016/2017 43% of children on CPRs in Wales were registered because of neglect." in parsed.text
    # Each bullet point is its own paragraph, without its bullet's leading spaces.
    assert "\n\n• Unlike physical abuse for example, the experience of neglect rarely produces a crisis that " \
           "demands obvious and immediate action;\n\n" in parsed.text
    assert parsed.title == "Safeguarding children from neglect" and parsed.year == 2021
    # Every line of the guide is in the text, word for word.
    words = " ".join(parsed.text.split())
    for line in welsh_guide.splitlines():
        assert " ".join(line.split()) in words


def test_welsh_neglect_guide_as_markdown(tmp_path, welsh_guide):
    path = tmp_path / "guide.md"
    path.write_text(welsh_guide_markdown(welsh_guide), encoding="utf-8")
    parsed = parsed_ok(path)
    assert parsed.format == "markdown" and "#" not in "".join(titles(parsed))
    for heading in ("Safeguarding children from neglect", "What do we mean by Neglect?", "Evidence base",
                    "A proportionate response"):
        assert heading in titles(parsed)
    evidence = next(s for s in parsed.sections if s.title == "Evidence base")
    body = parsed.text[evidence.start:evidence.end]
    assert body.startswith("Evidence base\n\n• Neglect has the potential to compromise")
    assert "## " not in parsed.text


def test_plain_text_headings_and_lists(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("\ufeffSERIOUS CASE REVIEW\r\n\r\n1. Introduction\r\nThe review began in 2019 and was\r\n"
                    "wrapped by an editor.\r\n\r\n2. Background\r\n\r\nThe actions were:\r\n1. Visit the family\r\n"
                    "2. Share the plan\r\n\r\nEND NOTE\r\n", encoding="utf-8")
    parsed = parsed_ok(path)
    assert "\ufeff" not in parsed.text
    assert titles(parsed) == ["SERIOUS CASE REVIEW", "1. Introduction", "2. Background", "END NOTE"]
    assert "The review began in 2019 and was wrapped by an editor." in parsed.text
    assert "The actions were:\n\n1. Visit the family\n\n2. Share the plan" in parsed.text


def test_markdown_code_fences_and_setext_headings(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("Learning points\n===============\n\nSome text about the review.\n\n```\n# not a heading\n```\n\n"
                    "### Next steps ###\n\n- one\n- two\n", encoding="utf-8")
    parsed = parsed_ok(path)
    assert titles(parsed) == ["Learning points", "Next steps"]
    assert "# not a heading" in parsed.text
    assert parsed.text.endswith("Next steps\n\n- one\n\n- two")


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("First line\nSecond line\nThe café was closed.\n".encode("latin-1"))
    with pytest.raises(DocumentError, match=r"'latin1\.txt' is not UTF-8 text \(byte 30, on line 3.*UTF-8"):
        parse_file(path)


# --- metadata guesses --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("OFFICIAL\n\nSerious Case Review\n\nBaby T\n\nIndependent Chair of the Kingston upon Thames Local Safeguarding "
     "Children Board\n\nBaby T died in March 2019.\n\nDate: 12/03/2021",
     {"document_title": "Serious Case Review: Baby T", "year": 2021, "area": "Kingston upon Thames", "name": "Baby T",
      "nation": "England", "title": "2021 – Kingston upon Thames – Baby T", "kind": "report"}),
    ("The Safeguarding Board for Northern Ireland\n\nCase Management Review 2017",
     {"document_title": "Case Management Review 2017", "year": 2017, "area": "Northern Ireland",
      "nation": "Northern Ireland", "name": None, "title": None}),
    ("CITY OF EDINBURGH CHILD PROTECTION COMMITTEE\n\nInitial case review, June 2015, about events of 2013",
     {"year": 2015, "area": "City of Edinburgh", "nation": "Scotland"}),
    ("Child Practice Review\n\nCwm Taf Morgannwg Regional Safeguarding Board\n\nFinal version 2022, events 2020",
     {"document_title": "Child Practice Review", "year": 2022, "area": "Cwm Taf Morgannwg", "nation": "Wales"}),
    # The years of the events are not the year of publication: the year is unknown.
    ("Report of the Barnsley Safeguarding Children Partnership into events of 2018 and 2019",
     {"year": None, "area": "Barnsley", "nation": "England"}),
    ("This text starts with a long paragraph. " * 10,
     {"document_title": None, "year": None, "area": None, "name": None, "nation": None, "kind": None}),
])
def test_guess_metadata(text, expected):
    guess = guess_metadata(text)
    assert {key: getattr(guess, key) for key in expected} == expected
    assert set(guess.sources) <= {"title", *(key for key in expected if getattr(guess, key) is not None),
                                  "document_title", "kind", "review_type", "nation", "name"}


# --- invariants on generated inputs ------------------------------------------------------------------

_PIECES = ["Neglect", "co-sleeping", "café", "e\u0301", "naïve", "\t", "  ", "\u00a0", "\u200b", "\x07", "\x0c",
           "—", "“quoted”", "2021", "SECTION", "#", "##", "- ", "1. ", "```", "\r\n", "\n", "\n\n", "\u2028",
           "Ω", "🙂", "\ufeff", "word"]


@pytest.mark.parametrize("seed", range(60))
def test_invariants_hold_for_generated_text_and_markdown(tmp_path, seed):
    rng = random.Random(seed)
    body = "".join(rng.choice(_PIECES) + rng.choice(["", " ", "\n"]) for _ in range(rng.randint(1, 300)))
    if not body.strip(" \t\n\r\u00a0\u200b\x07\x0c\ufeff\u2028"):
        body += "word"
    for suffix in (".txt", ".md"):
        path = tmp_path / f"generated{suffix}"
        path.write_text(body, encoding="utf-8")
        try:
            parsed = parse_file(path)
        except DocumentError as error:
            assert "no text" in str(error)
            continue
        assert invariant_errors(parsed) == []
        # Nothing of the words is lost: only spacing, invisible characters and Markdown marks differ.
        kept = re.sub(r"[\s#`]", "", parsed.text)
        assert kept and set(kept) <= set(re.sub(r"[\s#`]", "", body).replace("\u200b", "").replace("\ufeff", "")
                                         .replace("\x07", "").replace("\x0c", "")) | set("é")


def test_invariant_checker_catches_broken_records():
    from qa.records import Page, Section

    good = ParsedFile("ab\n\ncd", (Section("body", 0, 2), Section("heading", 4, 6, "cd")),
                      (Page(1, 0, 4), Page(2, 4, 6)), "pdf")
    assert invariant_errors(good) == []
    overlapping = ParsedFile(good.text, (Section("body", 0, 5), Section("heading", 4, 6, "cd")), (), "text")
    gap = ParsedFile(good.text, (), (Page(1, 0, 3), Page(2, 4, 6)), "pdf")
    dirty = ParsedFile("a \nb\x07", (), (), "text")
    assert invariant_errors(overlapping) and invariant_errors(gap) and len(invariant_errors(dirty)) == 2


# --- structure from the layout: contents pages, headings, running heads, sections ---------------------

from tests.ingest.layout_pdf import Block, Text, flow, write_pdf  # noqa: E402

_COVER = [Block("cover", "Child Safeguarding Practice Review"), Block("cover", "Child Q"),
          Block("cover", "Northbridge Safeguarding Children Partnership"), Block("cover", "Published March 2024")]
_EPISODE = ("The health visitor saw a small bruise on the baby's ear during a routine visit and accepted the "
            "explanation that her brother had caught her with a toy. ")
_MARKER = "The locum GP prescribed paracetamol and did not examine the leg again."
_LONG_NUMBERED = ("4.12 The health visitor did not refer the bruise, although the local protocol requires a referral "
                  "for any bruise on a baby who is not yet mobile, because the explanation seemed plausible.")
_HEADINGS = ["1. Introduction", "2. What happened", "2.1 The first months", "2.2 The weeks before the admission",
             "3. Findings", "Appendix A: Review panel membership"]


def _report_blocks(contents: bool = True) -> list[Block]:
    entries = (("1. Introduction", 1, 3), ("2. What happened", 1, 3), ("2.1 The first months", 2, 3),
               ("2.2 The weeks before the admission", 2, 3), ("3. Findings", 1, 5),
               ("Appendix A: Review panel membership", 1, 5))
    return [*_COVER, *([Block("contents", entries=entries), Block("pagebreak")] if contents else []),
            Block("h1", "1. Introduction"),
            Block("p", "1.1 This review concerns Child Q, a seven-month-old girl, who was admitted to hospital with a "
                       "fractured femur. Her half-brother, who was four, was not injured."),
            Block("h1", "2. What happened"), Block("h2", "2.1 The first months"), Block("p", _EPISODE * 30),
            Block("h2", "2.2 The weeks before the admission"), Block("p", _EPISODE * 3),
            Block("p", _EPISODE * 30 + _MARKER),
            Block("h1", "3. Findings"), Block("p", _LONG_NUMBERED),
            Block("p", "Information sharing between the health visitor and the GP practice relied on letters that "
                       "arrived weeks after each contact."),
            Block("h1", "Appendix A: Review panel membership"),
            Block("p", "The panel was chaired by the independent scrutineer and met six times.")]


def _label_of(parsed: ParsedFile, sentence: str) -> str:
    at = parsed.text.index(sentence)
    return next(s for s in reversed(parsed.sections) if s.start <= at).label


def test_pdf_contents_page_is_a_contents_section_never_headings(tmp_path):
    parsed = parsed_ok(write_pdf(tmp_path / "report.pdf", flow(_report_blocks(), running_head="Northbridge SCP")))
    assert titles(parsed) == _HEADINGS
    contents = [s for s in parsed.sections if s.name == "contents"]
    assert len(contents) == 1 and contents[0].label == "Contents"
    entries = parsed.text[contents[0].start:contents[0].end].split("\n\n")
    assert entries[0] == "1. Introduction 3" and entries[-1] == "Appendix A: Review panel membership 5"
    assert len(entries) == 6          # one entry a paragraph, not run together
    # The cover page has no headings; the text before the contents is the body section.
    assert parsed.sections[0].name == "body" and parsed.text.startswith("Child Safeguarding Practice Review")


def test_pdf_running_heads_and_page_footers_are_taken_out_and_kept_as_furniture(tmp_path):
    head = "Northbridge SCP – CSPR – Child Q"
    parsed = parsed_ok(write_pdf(tmp_path / "report.pdf", flow(_report_blocks(), running_head=head)))
    assert len(parsed.pages) >= 5 and head not in parsed.text and not re.search(r"Page \d+ of \d+", parsed.text)
    assert parsed.furniture == (head,)
    # A partnership named only in a running head still gives the area.
    blocks = [Block("cover", "Child Safeguarding Practice Review"), Block("cover", "Child Q"),
              Block("cover", "Published March 2024"), *_report_blocks(contents=False)[4:]]
    guess = parsed_ok(write_pdf(tmp_path / "no partnership.pdf", flow(blocks, running_head=head))).guess
    assert guess.area == "Northbridge" and guess.sources["area"] == "running head or footer"


def test_pdf_headings_come_from_type_and_numbering_not_from_paragraphs(tmp_path):
    parsed = parsed_ok(write_pdf(tmp_path / "report.pdf", flow(_report_blocks())))
    found = titles(parsed)
    # A long numbered paragraph is a paragraph, and a paragraph's first line never a heading.
    assert _LONG_NUMBERED in parsed.text and not any(t.startswith("4.12") for t in found)
    assert not any(t.startswith("Information sharing") or t.startswith("1.1 ") for t in found)
    # Body-sized lines: a bold one is a heading, a numbered one set apart is too; a plain line is not.
    lines = ["The review looked at the help given to the family over two years and found that the",
             "agencies working with the mother did not share what they knew about the father, who had",
             "moved into the area from Northbridge with a history of violence against a former partner,",
             "and that nobody asked who was living in the home."]
    body = [Text(72, 770, 10, False, "1. Summary"),
            *(Text(72, 750 - 12 * i, 10, False, line) for i, line in enumerate(lines)),
            Text(72, 686, 10, True, "Learning for the partnership"),
            *(Text(72, 666 - 12 * i, 10, False, line) for i, line in enumerate(lines)),
            Text(72, 602, 10, False, "Information sharing"),
            Text(72, 590, 10, False, "between the agencies relied on letters that arrived weeks after each contact.")]
    small = parsed_ok(write_pdf(tmp_path / "plain.pdf", [body]))
    assert titles(small) == ["1. Summary", "Learning for the partnership"]
    assert "Information sharing between the agencies relied on letters" in small.text


def test_pdf_a_heading_set_over_two_lines_is_one_heading(tmp_path):
    page = [Text(72, 770, 16, True, "Period 2: March to July 2021 – registration, self-harm and the"),
            Text(72, 750.8, 16, True, "primary mental health service"),
            Text(72, 725, 10, False, "L was registered on 3 March 2021. His school attendance fell to half of what "),
            Text(72, 713, 10, False, "it had been, and he was referred to the primary mental health service."),
            Text(72, 689, 16, True, "Period 3: August to October 2021"),
            Text(72, 664, 10, False, "The case was closed to children's services with a step-down plan that never "),
            Text(72, 652, 10, False, "started.")]
    parsed = parsed_ok(write_pdf(tmp_path / "periods.pdf", [page]))
    assert titles(parsed) == ["Period 2: March to July 2021 – registration, self-harm and the primary mental health "
                              "service", "Period 3: August to October 2021"]


def test_sections_are_the_heading_a_passage_sits_under_in_every_format(tmp_path):
    import docx

    pdf = parsed_ok(write_pdf(tmp_path / "report.pdf", flow(_report_blocks(), running_head="Northbridge SCP")))
    # The marker sits under "2.2 ...", on a later page than its heading.
    assert _label_of(pdf, _MARKER) == "2.2 The weeks before the admission"
    at = pdf.text.index(_MARKER)
    heading = next(s for s in pdf.sections if s.title == "2.2 The weeks before the admission")
    assert page_at(pdf, at).number > page_at(pdf, heading.start).number
    assert _label_of(pdf, "The panel was chaired") == "Appendix A: Review panel membership"

    blocks = _report_blocks()
    text = tmp_path / "report.txt"
    lines = []
    for block in blocks:
        if block.kind == "cover":
            lines.append(block.text)
        elif block.kind == "contents":
            lines.append("\n" + "\n".join(["Contents", *(f"{h} ........ {p}" for h, _, p in block.entries)]))
        elif block.kind != "pagebreak":
            lines.append("\n" + block.text)
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    document = docx.Document()
    for block in blocks:
        if block.kind == "cover":
            document.add_paragraph(block.text)
        elif block.kind == "contents":
            document.add_paragraph("Contents").runs[0].bold = True
            for heading, _, page in block.entries:
                document.add_paragraph(f"{heading}\t{page}")
        elif block.kind in ("h1", "h2"):
            document.add_heading(block.text, level=int(block.kind[1]))
        elif block.kind == "p":
            document.add_paragraph(block.text)
    document.save(str(tmp_path / "report.docx"))
    for parsed in (parsed_ok(text), parsed_ok(tmp_path / "report.docx")):
        assert titles(parsed) == _HEADINGS, parsed.format
        assert [s.name for s in parsed.sections].count("contents") == 1, parsed.format
        assert _label_of(parsed, _MARKER) == "2.2 The weeks before the admission"
        assert _label_of(parsed, "Information sharing between") == "3. Findings"
        assert parsed.guess.title == "2024 – Northbridge – Child Q" and parsed.guess.child_ages == (0.58,)


def test_docx_headings_by_style_bold_and_numbering_and_a_toc_is_contents(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Rapid Review", style="Title")
    document.add_paragraph("Table of Contents", style="TOC Heading") if "TOC Heading" in [
        s.name for s in document.styles] else document.add_paragraph("Contents")
    document.add_paragraph("Summary of the case ........ 2")
    document.add_paragraph("Agency involvement ........ 2")
    document.add_paragraph("Immediate learning ........ 3")
    document.add_paragraph().add_run("Summary of the case").bold = True
    document.add_paragraph("Baby M, a boy, died when he was ten weeks old. The post-mortem found no injury.")
    paragraph = document.add_paragraph()
    paragraph.add_run("Finding 1.").bold = True
    paragraph.add_run(" The bold words open a paragraph; they are not its heading.")
    document.add_paragraph("2.1 Agency involvement")
    document.add_paragraph("The health visitor saw the family twice and the GP once before the death.")
    document.add_paragraph("4.12 The health visitor did not refer the family because the explanation seemed plausible.")
    path = tmp_path / "rapid review.docx"
    document.save(str(path))
    parsed = parsed_ok(path)
    assert titles(parsed) == ["Rapid Review", "Summary of the case", "2.1 Agency involvement"]
    contents = next(s for s in parsed.sections if s.name == "contents")
    assert parsed.text[contents.start:contents.end].endswith("Immediate learning ........ 3")
    assert _label_of(parsed, "The bold words open") == "Summary of the case"
    assert _label_of(parsed, "4.12 The health visitor") == "2.1 Agency involvement"


def test_text_cover_lines_stay_apart_and_contents_name_the_headings(tmp_path):
    path = tmp_path / "erin.txt"
    path.write_text("Strathlinn Child Protection Committee\nLearning Review – Executive Summary\n\"Erin\"\n"
                    "Published: 30 April 2024\n\nContents\nSummary of the case\nWhat the review found\n\n"
                    "Summary of the case\n\nErin (not her real name) is a girl who was 13 years old when she was "
                    "withdrawn from school.\nHer brothers were nine and six.\n\nWhat the review found\n\n"
                    "No one asked Erin what she wanted, and her school did not\nshare what it knew.\n",
                    encoding="utf-8")
    parsed = parsed_ok(path)
    assert parsed.text.startswith("Strathlinn Child Protection Committee\n\nLearning Review – Executive Summary\n\n")
    assert titles(parsed) == ["Summary of the case", "What the review found"]
    assert [s.name for s in parsed.sections] == ["body", "contents", "heading", "heading"]
    assert "withdrawn from school. Her brothers" in parsed.text      # wrapped prose is still joined
    guess = parsed.guess
    assert (guess.title, guess.kind, guess.nation) == ("2024 – Strathlinn – Erin", "executive-summary", "Scotland")
    assert (guess.child_ages, guess.child_sex) == ((13.0,), "female")


def test_html_contents_list_is_not_headings(tmp_path):
    article = ("<h1>Learning from a review: Child D</h1><p>Calder Vale Safeguarding Children Partnership</p>"
               "<p>Published June 2023</p><h2>Contents</h2><ul><li><a href='#a'>Why this briefing?</a></li>"
               "<li><a href='#b'>What the review found</a></li></ul>"
               f"<h2 id='a'>Why this briefing?</h2><p>{' '.join(documents._SENTENCES[:3])}</p>"
               f"<h2 id='b'>What the review found</h2><p>{' '.join(documents._SENTENCES[3:6])}</p>")
    path = tmp_path / "briefing.html"
    path.write_text(f"<!doctype html><html><head><title>Child D</title></head><body><main><article>{article}"
                    "</article></main></body></html>", encoding="utf-8")
    parsed = parsed_ok(path)
    assert "Contents" not in titles(parsed)
    assert titles(parsed)[-2:] == ["Why this briefing?", "What the review found"]
    assert _label_of(parsed, documents._SENTENCES[4][:40]) == "What the review found"


@pytest.mark.slow
@pytest.mark.browser
@chromium
def test_a_rendered_report_pdf_has_its_true_headings_and_section_labels(tmp_path):
    pytest.importorskip("playwright.sync_api")
    from testkit.render import render_all
    from testkit.reports import REPORTS, load_set, questions

    source = next(d for d in load_set(REPORTS) if d.slug == "rushmere-baby-isaac")
    parsed = parsed_ok(render_all([source], tmp_path)[source.slug])
    assert titles(parsed) == source.truth["headings"]
    assert [s.name for s in parsed.sections].count("contents") == 1
    assert source.running_header not in parsed.text and source.running_header in parsed.furniture
    for question in (q for q in questions() if q["document"] == source.slug):
        assert _label_of(parsed, question["answer"]) == question["section"], question["qid"]
    guess = parsed.guess
    assert (guess.title, guess.nation, guess.kind, guess.child_ages, guess.child_sex) == (
        "2024 – Rushmere – Baby Isaac", "England", "report", (0.33,), "male")
