"""The development sets rendered as users' files (testkit/render.py) and read back with the project's own
reader: every file parses, every question's answer sentence survives, and a PDF is laid out as a real
report is (a cover page without header or footer, a running header and "Page N of M" on the others, a
contents page whose page numbers are right). Nothing here judges metadata guessing or section labels,
only that the files are faithful to their sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.ingest.files import parse_file
from testkit.documents import chromium_available
from testkit.render import pdf_page_texts, render, render_all
from testkit.reports import REPORTS, TITLE_PAGES, SourceDocument, load_set, questions

LONG = load_set(REPORTS)
SHORT = load_set(TITLE_PAGES)
SOURCES = LONG + SHORT
BY_SLUG = {source.slug: source for source in SOURCES}


def squash(text: str) -> str:
    return " ".join(text.split())


def missing_answers(slug: str, text: str) -> list[str]:
    text = squash(text)
    return [q["qid"] for q in questions() if q["document"] == slug and squash(q["answer"]) not in text]


def missing_blocks(source: SourceDocument, text: str) -> list[str]:
    text = squash(text)
    wanted = [*source.cover, *(b.text for b in source.blocks if b.kind in ("heading", "paragraph", "bullet"))]
    return [item for item in wanted if squash(item) not in text]


def own_format(source: SourceDocument) -> str:
    return source.truth["format"]


def test_every_source_has_a_format_and_questions_name_long_reports():
    assert {own_format(s) for s in SOURCES} == {"pdf", "docx", "html", "txt"}
    assert {q["document"] for q in questions()} <= {s.slug for s in LONG}


# --- DOCX, HTML and text: no browser -----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "html", "txt"])
def test_long_reports_keep_every_answer_in_every_format(tmp_path, fmt):
    for source in LONG:
        path = render(source, tmp_path, fmt)
        assert path == tmp_path / f"{source.slug}.{fmt}"
        parsed = parse_file(path, isolated=False)
        assert missing_answers(source.slug, parsed.text) == [], (source.slug, fmt)


def test_documents_not_printed_keep_every_line_in_their_own_format(tmp_path):
    for source in SOURCES:
        if own_format(source) == "pdf":
            continue
        path = render(source, tmp_path)
        assert path.suffix == f".{own_format(source)}"
        parsed = parse_file(path, isolated=False)
        assert missing_blocks(source, parsed.text) == [], source.slug


def test_docx_styles_and_contents(tmp_path):
    import docx

    source = BY_SLUG["strathmore-glen-jamie-eilidh-cara"]
    document = docx.Document(str(render(source, tmp_path)))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == source.cover[0]
    assert [p.text for p in paragraphs[:len(source.cover)]] == list(source.cover)
    styled = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
    assert styled == [(f"Heading {b.level}", b.text) for b in source.blocks if b.kind == "heading"]
    contents = [re.fullmatch(r"(.+) \.{8} (\d+)", p.text) for p in paragraphs]
    entries = [(m.group(1), int(m.group(2))) for m in contents if m]
    assert [title for title, _ in entries] == source.headings
    numbers = [number for _, number in entries]
    assert numbers == sorted(numbers) and numbers[0] >= 3
    assert len(document.tables) == sum(b.kind == "table" for b in source.blocks)
    assert any(p.style.name == "List Bullet" for p in paragraphs) == any(b.kind == "bullet" for b in source.blocks)


def test_text_file_layout(tmp_path):
    source = BY_SLUG["strathlinn-erin"]
    text = render(source, tmp_path).read_text(encoding="utf-8")
    assert text.startswith("\n".join(source.cover) + "\n\n")
    blocks = text.split("\n\n")
    assert all(heading in blocks for heading in source.headings)
    bullets = [b.text for b in source.blocks if b.kind == "bullet"]
    assert all(f"- {item}" in text.splitlines() for item in bullets)


def test_web_page_wraps_the_article_in_site_chrome(tmp_path):
    source = BY_SLUG["calder-vale-child-d"]
    page = render(source, tmp_path).read_text(encoding="utf-8")
    for part in ("<header", "<nav", "cookie-banner", "<footer", "<script", "<article"):
        assert part in page
    article = page[page.index("<article"):page.index("</article>")]
    assert article.index(source.cover[0]) < article.index("<h1")
    assert article.count("<h") >= len(source.headings)


# --- PDFs printed by Chromium ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    if not chromium_available():
        pytest.skip("needs Debian's /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    return render_all(SOURCES, tmp_path_factory.mktemp("rendered"))


@pytest.fixture(scope="module")
def pdfs(rendered) -> list[SourceDocument]:
    return [BY_SLUG[slug] for slug, path in rendered.items() if path.suffix == ".pdf"]


@pytest.mark.slow
@pytest.mark.browser
def test_every_document_renders_in_its_own_format_and_parses(rendered):
    assert set(rendered) == set(BY_SLUG)
    for slug, path in rendered.items():
        assert path.name == f"{slug}.{own_format(BY_SLUG[slug])}" and path.stat().st_size > 0
        parsed = parse_file(path, isolated=False)
        assert missing_answers(slug, parsed.text) == [], slug
        if path.suffix == ".pdf":
            assert len(parsed.pages) == len(pdf_page_texts(path)) > 1


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_cover_header_and_footers(rendered, pdfs):
    assert len(pdfs) == 12
    for source in pdfs:
        pages = pdf_page_texts(rendered[source.slug])
        count = len(pages)
        cover = [line.strip() for line in pages[0].splitlines() if line.strip()]
        assert cover == list(source.cover), source.slug          # the cover alone: no header, no footer
        for number, text in enumerate(pages[1:], 2):
            lines = [line.strip() for line in text.splitlines()]
            assert f"Page {number} of {count}" in lines, (source.slug, number)
            if source.running_header:
                assert source.running_header in lines, (source.slug, number)


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_contents_page_gives_each_headings_page(rendered, pdfs):
    with_contents = [s for s in pdfs if any(b.kind == "contents" for b in s.blocks)]
    assert len(with_contents) >= 6
    for source in with_contents:
        path = rendered[source.slug]
        pages = [squash(text) for text in pdf_page_texts(path)]
        assert pages[1].startswith("Contents"), source.slug
        numbers = []
        for heading in source.headings:
            match = re.search(re.escape(squash(heading)) + r" (\d+)(?= |$)", pages[1])
            assert match, (source.slug, heading)
            number = int(match.group(1))
            assert 3 <= number <= len(pages) and squash(heading) in pages[number - 1], (source.slug, heading)
            numbers.append(number)
        assert numbers == sorted(numbers), source.slug
        # And the reader sees the entries as written, each with its number.
        parsed = squash(parse_file(path, isolated=False).text)
        assert "Contents" in parsed
        assert all(f"{squash(h)} {n}" in parsed for h, n in zip(source.headings, numbers)), source.slug


@pytest.mark.slow
@pytest.mark.browser
def test_long_report_pdfs_have_report_lengths(rendered):
    lengths = {s.slug: len(pdf_page_texts(rendered[s.slug])) for s in LONG if own_format(s) == "pdf"}
    assert all(count >= 6 for count in lengths.values()), lengths
    assert lengths["rushmere-baby-isaac"] >= 15, lengths


@pytest.mark.slow
@pytest.mark.browser
def test_render_one_pdf_in_another_format(tmp_path):
    if not chromium_available():
        pytest.skip("needs Debian's /usr/bin/chromium")
    source = BY_SLUG["strathmore-glen-jamie-eilidh-cara"]          # a DOCX report, printed as a PDF
    path = render(source, tmp_path, "pdf")
    assert path == tmp_path / f"{source.slug}.pdf"
    parsed = parse_file(path, isolated=False)
    assert len(parsed.pages) > 1
    assert missing_answers(source.slug, parsed.text) == []
