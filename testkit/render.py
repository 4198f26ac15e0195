"""The development sets' fictional documents (testkit/reports.py) rendered as the files users add, so
the ingest pipeline and the ranking can be measured on real PDFs, DOCX files, web pages and text:

    render(source, folder)            # folder/<slug>.<ext> in the source's own format (or `fmt`)
    render_all(sources, folder)       # every source; all PDFs printed with one headless Chromium

Every sentence of the source reaches the file verbatim (the PDF adds soft hyphens in long words,
which a PDF reader rejoins). What each format looks like:

* PDF: HTML printed by Debian's Chromium (testkit/documents.py). The cover lines alone on page 1,
  larger type for the first lines, no header or footer; from page 2 the running header (if the source
  has one) at the top and "Page N of M" at the bottom; a contents page with dot leaders and the page
  each heading is printed on (found with PDFium after a first print, then printed again); justified
  paragraphs; bullets, tables and forced page breaks as written.
* DOCX (python-docx): the cover lines (the first in the Title style) on their own page, the running
  header in the page header from page 2, a contents list of plain paragraphs ("1. Introduction
  ........ 3", page numbers estimated from the amount of text), headings in Heading 1-3, List Bullet
  items, tables with a header row, page breaks.
* HTML: the article inside a site's chrome (header and menu, cookie banner, breadcrumbs, sidebar,
  footer links, scripts), as in testkit.documents.wrapped_article_html; the cover lines open it.
* TXT: UTF-8 plain text: cover lines, a contents list, headings on their own lines, paragraphs
  separated by blank lines, "- " bullets, table rows joined with " | ".
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from html import escape
from pathlib import Path

from .documents import NAV_LINKS, PdfJob, launch_chromium, print_pdf, soft_hyphenate
from .reports import Block, SourceDocument

FORMATS = ("pdf", "docx", "html", "txt")


def render(source: SourceDocument, folder: Path, fmt: str | None = None) -> Path:
    """Write `source` into `folder` as <slug>.<ext>, in its own format or `fmt`; returns the path.
    A PDF starts a Chromium of its own: use render_all for many."""
    fmt = _format(source, fmt)
    if fmt == "pdf":
        return render_all([source], folder, fmt="pdf")[source.slug]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{source.slug}.{fmt}"
    if fmt == "docx":
        write_docx(source, path)
    elif fmt == "html":
        path.write_text(html_page(source), encoding="utf-8")
    else:
        path.write_text(plain_text(source), encoding="utf-8")
    return path


def render_all(sources: Iterable[SourceDocument], folder: Path, fmt: str | None = None) -> dict[str, Path]:
    """Render every source (in its own format, or all in `fmt`) into `folder`; every PDF is printed
    by one headless Chromium. Returns slug -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    pdfs = []
    for source in sources:
        if _format(source, fmt) == "pdf":
            pdfs.append(source)
        else:
            paths[source.slug] = render(source, folder, fmt)
    if pdfs:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="render-") as scratch:
            browser = launch_chromium(playwright)
            try:
                page = browser.new_page()
                for source in pdfs:
                    path = folder / f"{source.slug}.pdf"
                    _print_pdf(page, source, path, Path(scratch))
                    paths[source.slug] = path
            finally:
                browser.close()
    return paths


def _format(source: SourceDocument, fmt: str | None) -> str:
    fmt = (fmt or source.truth.get("format") or source.format).lower()
    if fmt not in FORMATS:
        raise ValueError(f"cannot render {source.slug} as {fmt!r}; formats: {', '.join(FORMATS)}")
    return fmt


def _table_header(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The sources' tables all start with a header row (the Markdown separator line is dropped on reading)."""
    return rows[0], rows[1:]


# --- PDF ----------------------------------------------------------------------------------------------

_PDF_CSS = """
  @page { size: A4; margin: 26mm 21mm 22mm 21mm; }
  body { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif; font-size: 10.5pt; line-height: 1.42;
         hyphens: manual; color: #111; margin: 0; }
  .cover { padding-top: 38mm; }
  .cover p { margin: 0 0 6mm; text-align: left; white-space: nowrap; }
  .cover p.size1 { font-weight: bold; color: #1f3b63; }
  .cover p.size2 { color: #1f3b63; }
  .cover p.marking { font-weight: bold; letter-spacing: 1pt; }
  h1 { font-size: 16pt; margin: 14pt 0 7pt; color: #1f3b63; break-after: avoid; }
  h2 { font-size: 13pt; margin: 12pt 0 5pt; color: #1f3b63; break-after: avoid; }
  h3 { font-size: 11.5pt; margin: 10pt 0 4pt; break-after: avoid; }
  p { margin: 0 0 7pt; text-align: justify; orphans: 2; widows: 2; }
  ul { margin: 0 0 7pt; padding-left: 7mm; }
  li { margin: 0 0 3pt; text-align: justify; }
  table { border-collapse: collapse; width: 100%; margin: 3pt 0 10pt; }
  tr { break-inside: avoid; }
  th, td { border: 0.75pt solid #777; padding: 3pt 5pt; font-size: 9.5pt; text-align: left; vertical-align: top; }
  th { background: #e4e9f0; }
  .break { break-before: page; }
  .contents-title { font-size: 16pt; font-weight: bold; color: #1f3b63; margin: 0 0 10pt; }
  .toc { display: flex; align-items: last baseline; margin: 0 0 3.5pt; }
  .toc a { color: inherit; text-decoration: none; }
  .toc .leader { flex: 1; border-bottom: 1pt dotted #555; margin: 0 4pt; min-width: 10mm; }
  .toc .number { width: 7mm; text-align: right; }
  .toc.level1 { font-weight: bold; margin-top: 5pt; }
  .toc.level2 { padding-left: 6mm; }
  .toc.level3 { padding-left: 12mm; font-size: 10pt; }
"""

_TEMPLATE_STYLE = "font-family: 'Liberation Sans', sans-serif; font-size: 9px; width: 100%; color: #555;"
FOOTER_TEMPLATE = (f'<div style="{_TEMPLATE_STYLE} text-align: center;">'
                   'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')
_PLACEHOLDER = "00"      # a page number's width in the first print, before the pages are known


def header_template(source: SourceDocument) -> str:
    # An empty template would make Chromium print its own (the date and the page's title).
    text = escape(source.running_header) if source.running_header else ""
    return f'<div style="{_TEMPLATE_STYLE} text-align: right; margin: 0 21mm;">{text}</div>'


_COVER_SIZES = (24.0, 18.0, 15.0)   # pt: the first lines of a cover are its title
_COVER_TEXT = 12.5
_TEXT_WIDTH_PT = (210 - 42) * 72 / 25.4


def _cover_html(cover: tuple[str, ...]) -> str:
    """One printed line per cover line (each kept on its line, its type made smaller if it is too
    long for the page); a protective marking such as OFFICIAL is small, not a title."""
    lines, title = [], 0
    for line in cover:
        css = "marking" if line.isupper() and len(line.split()) <= 3 and not any(c.isdigit() for c in line) else ""
        size = 11.0 if css else _COVER_TEXT
        if not css and title < len(_COVER_SIZES):
            css, size = f"size{title + 1}", _COVER_SIZES[title]
            title += 1
        size = min(size, _TEXT_WIDTH_PT / (0.6 * max(len(line), 1)))
        attributes = f' class="{css}"' if css else ""
        lines.append(f'<p{attributes} style="font-size: {size:.1f}pt">{escape(line)}</p>')
    return f'<div class="cover">{"".join(lines)}</div>'


def _document_html(source: SourceDocument, body: str) -> str:
    title = escape(" – ".join(source.cover[:3]) or source.slug)
    return (f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{_PDF_CSS}</style></head><body>{body}</body></html>")


def pdf_html(source: SourceDocument, pages: list[int] | None = None) -> str:
    """The HTML Chromium prints: cover, page break, the blocks; `pages` are the headings' page numbers
    for the contents page (None: placeholders of the same width)."""
    parts = [_cover_html(source.cover)]
    pending_break = True      # the cover is followed by a page break
    items: list[str] = []     # an open bullet list

    def emit(html: str) -> None:
        nonlocal pending_break
        if pending_break:
            html, pending_break = f'<div class="break">{html}</div>', False
        parts.append(html)

    def close_list() -> None:
        if items:
            emit(f"<ul>{''.join(items)}</ul>")
            items.clear()

    heading_number = 0
    for block in source.blocks:
        if block.kind != "bullet":
            close_list()
        if block.kind == "pagebreak":
            pending_break = True
        elif block.kind == "bullet":
            items.append(f"<li>{soft_hyphenate(block.text)}</li>")
        elif block.kind == "heading":
            emit(f'<h{block.level} id="h{heading_number}">{escape(block.text)}</h{block.level}>')
            heading_number += 1
        elif block.kind == "paragraph":
            emit(f"<p>{soft_hyphenate(block.text)}</p>")
        elif block.kind == "table":
            emit(_table_html(block))
        elif block.kind == "contents":
            emit(_contents_html(source, pages))
    close_list()
    return _document_html(source, "".join(parts))


def _table_html(block: Block) -> str:
    head, rows = _table_header(block.rows)
    return ("<table><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in head) + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
            + "</tbody></table>")


def _contents_html(source: SourceDocument, pages: list[int] | None) -> str:
    entries = []
    headings = [b for b in source.blocks if b.kind == "heading"]
    for number, block in enumerate(headings):
        page = str(pages[number]) if pages else _PLACEHOLDER
        entries.append(f'<div class="toc level{block.level}"><a href="#h{number}">{escape(block.text)}</a>'
                       f'<span class="leader"></span><span class="number">{page}</span></div>')
    return f'<div class="contents"><div class="contents-title">Contents</div>{"".join(entries)}</div>'


def _print_pdf(page, source: SourceDocument, path: Path, scratch: Path) -> None:
    """Print until the contents page's numbers are the pages the headings land on (twice, usually),
    then put a cover without header or footer in place of page 1."""
    draft = scratch / f"{source.slug}.body.pdf"
    has_contents = any(b.kind == "contents" for b in source.blocks)
    pages: list[int] | None = None
    for _ in range(4):
        print_pdf(page, PdfJob(pdf_html(source, pages), draft, header_template=header_template(source),
                               footer_template=FOOTER_TEMPLATE))
        if not has_contents:
            break
        found = heading_pages(draft, source.headings)
        if found == pages:
            break
        pages = found
    else:
        raise RuntimeError(f"the contents page of {source.slug} did not settle after four prints")
    cover = scratch / f"{source.slug}.cover.pdf"
    print_pdf(page, PdfJob(_document_html(source, _cover_html(source.cover)), cover, header_footer=False))
    _replace_first_page(draft, cover, path)


def _replace_first_page(body: Path, cover: Path, path: Path) -> None:
    import pypdfium2

    document, front = pypdfium2.PdfDocument(body), pypdfium2.PdfDocument(cover)
    try:
        if len(front) != 1:
            raise RuntimeError(f"the cover of {path.name} takes {len(front)} pages")
        document.del_page(0)
        document.import_pages(front, [0], index=0)
        document.save(str(path))
    finally:
        front.close()
        document.close()


def pdf_page_texts(path: Path) -> list[str]:
    """Each page's text as PDFium reads it, with "\\n" line ends."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        texts = []
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
        return texts
    finally:
        pdf.close()


def _heading_pattern(heading: str) -> re.Pattern:
    """A heading printed as whole lines (it may wrap, also after a hyphen); a contents entry never
    matches, as its page number follows on the same line."""
    words = [re.escape(w).replace("\\-", "-\\s*") for w in heading.split()]
    return re.compile(r"^[ \t]*" + r"\s+".join(words) + r"[ \t]*$", re.MULTILINE)


def heading_pages(path: Path, headings: list[str]) -> list[int]:
    """The page (1-based) each heading is printed on, searching in order."""
    texts = pdf_page_texts(path)
    pages, at = [], 0
    for heading in headings:
        pattern = _heading_pattern(heading)
        for index in range(at, len(texts)):
            if pattern.search(texts[index]):
                pages.append(index + 1)
                at = index
                break
        else:
            raise RuntimeError(f"heading {heading!r} not found on or after page {at + 1} of {path.name}")
    return pages


# --- DOCX ---------------------------------------------------------------------------------------------

_WORDS_PER_PAGE = 520       # Word's default Calibri 11pt on A4, less headings' and tables' space


def estimated_pages(source: SourceDocument) -> list[int]:
    """Where each heading would fall in Word: the cover on page 1, then pages filled by the amount of
    text (a heading, a table row or a contents line takes more room than its words)."""
    page, used, pages = 2, 0.0, []
    for block in source.blocks:
        if block.kind == "pagebreak":
            page, used = (page + 1, 0.0) if used else (page, used)
            continue
        if block.kind == "heading":
            cost = 30.0
        elif block.kind == "table":
            cost = sum(max(12.0, 1.3 * len(" ".join(row).split())) for row in block.rows)
        elif block.kind == "contents":
            cost = 14.0 * (len(source.headings) + 2)
        else:
            cost = len(block.text.split()) + 8.0
        if used and used + cost > _WORDS_PER_PAGE:
            page, used = page + 1, 0.0
        used += cost
        if block.kind == "heading":
            pages.append(page)
    return pages


def write_docx(source: SourceDocument, path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for number, line in enumerate(source.cover):
        if number == 0:
            document.add_paragraph(line, style="Title")
        else:
            run = document.add_paragraph().add_run(line)
            run.font.size = Pt(16 if number < 3 else 12)
    document.add_page_break()

    section.different_first_page_header_footer = True
    if source.running_header:
        section.header.paragraphs[0].text = source.running_header
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)

    headings = [b for b in source.blocks if b.kind == "heading"]
    for block in source.blocks:
        if block.kind == "pagebreak":
            document.add_page_break()
        elif block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        elif block.kind == "table":
            _docx_table(document, block)
        elif block.kind == "contents":
            _docx_contents(document, headings, estimated_pages(source))
    document.save(str(path))


def _docx_contents(document, headings: list[Block], pages: list[int]) -> None:
    from docx.shared import Mm

    title = document.add_paragraph()
    title.add_run("Contents").bold = True
    for block, page in zip(headings, pages):
        paragraph = document.add_paragraph(f"{block.text} ........ {page}")
        paragraph.paragraph_format.left_indent = Mm(6 * (block.level - 1))
        paragraph.paragraph_format.space_after = 0


def _docx_table(document, block: Block) -> None:
    head, rows = _table_header(block.rows)
    columns = max(len(row) for row in block.rows)
    table = document.add_table(rows=1 + len(rows), cols=columns)
    table.style = "Table Grid"
    for cells, values in zip((r.cells for r in table.rows), (head, *rows)):
        for cell, value in zip(cells, values):
            cell.text = value
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True


# --- HTML ---------------------------------------------------------------------------------------------

_SITE_WORDS = ("Partnership", "Board", "Committee")


def site_name(source: SourceDocument) -> str:
    """The cover's partnership, board or committee, else a neutral name (the site has to be someone's)."""
    for line in source.cover:
        if any(word in line for word in _SITE_WORDS) and len(line.split()) <= 8:
            return line
    return "Safeguarding Children Partnership"


def article_html(source: SourceDocument) -> str:
    parts = ['<div class="document-cover">']
    for number, line in enumerate(source.cover):
        parts.append(f'<p class="lead"><strong>{escape(line)}</strong></p>' if number == 0
                     else f"<p>{escape(line)}</p>")
    parts.append("</div>")
    items: list[str] = []
    heading_number = 0
    for block in source.blocks:
        if block.kind != "bullet" and items:
            parts.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if block.kind == "bullet":
            items.append(f"<li>{escape(block.text)}</li>")
        elif block.kind == "heading":
            parts.append(f'<h{block.level} id="s{heading_number}">{escape(block.text)}</h{block.level}>')
            heading_number += 1
        elif block.kind == "paragraph":
            parts.append(f"<p>{escape(block.text)}</p>")
        elif block.kind == "table":
            parts.append(_table_html(block))
        elif block.kind == "contents":
            links = "".join(f'<li><a href="#s{n}">{escape(h)}</a></li>' for n, h in enumerate(source.headings))
            parts.append(f'<nav class="on-this-page" aria-label="On this page"><h2>Contents</h2><ul>{links}</ul></nav>')
    if items:
        parts.append(f"<ul>{''.join(items)}</ul>")
    return "\n".join(parts)


def html_page(source: SourceDocument) -> str:
    """The article in a site's chrome: header and menu, cookie banner, breadcrumbs, sidebar, footer
    links and scripts (none of which is the document)."""
    site = escape(site_name(source))
    lines = [line for line in source.cover if line != site_name(source)] or [source.slug]
    title = escape(" – ".join(lines[:2]))
    links = "".join(f'<li><a href="/{i}">{name}</a></li>' for i, name in enumerate(NAV_LINKS))
    footer_links = "".join(f'<li><a href="/f{i}">{name}</a></li>' for i, name in enumerate(
        ["Accessibility statement", "Privacy notice", "Cookie policy", "Freedom of information", "Complaints",
         "Modern slavery statement", "Sitemap", "Terms of use", "Report a concern about a child",
         "Information for professionals", "Multi-agency procedures", "Newsletter sign-up"]))
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {site}</title>
<script>window.dataLayer = window.dataLayer || []; function gtag() {{ dataLayer.push(arguments); }}
gtag("js", new Date()); gtag("config", "G-EXAMPLE");</script>
<style>.cookie-banner {{ position: fixed; bottom: 0; }} .site-header nav li {{ display: inline; }}</style></head>
<body>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to make this website work and to understand how
you use it. You can accept all cookies or choose which ones to allow.</p><button>Accept all cookies</button>
<button>Manage cookie preferences</button></div>
<a class="skip-link" href="#main-content">Skip to main content</a>
<header class="site-header"><a href="/" class="logo">{site}</a>
<form role="search" action="/search"><input type="search" name="q" placeholder="Search this site"></form>
<nav aria-label="Main menu"><ul>{links}</ul></nav></header>
<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">Home</a> &gt; <a href="/case-reviews">Case reviews</a>
&gt; <span>{title}</span></nav>
<main id="main-content"><article class="case-review">
{article_html(source)}
<p class="share">Share this page: <a href="/share/email">Email</a> <a href="/share/x">X</a></p>
</article></main>
<aside class="sidebar"><h3>Related pages</h3><ul>{links}</ul>
<h3>Need to report a concern?</h3><p>If you are worried about a child, call the children's services front door
or, in an emergency, dial 999.</p></aside>
<footer class="site-footer"><ul>{footer_links}</ul><p>&copy; {site}. All rights reserved.</p></footer>
<script>document.getElementById("cookie-consent").addEventListener("click", function () {{
  this.style.display = "none"; }});</script>
</body></html>"""


# --- TXT ----------------------------------------------------------------------------------------------

def plain_text(source: SourceDocument) -> str:
    """Cover lines, then blocks separated by blank lines: headings on their own line, "- " bullets
    (one list a block), table rows joined with " | ", a contents list of the headings."""
    blocks = ["\n".join(source.cover)] if source.cover else []
    items: list[str] = []
    for block in source.blocks:
        if block.kind != "bullet" and items:
            blocks.append("\n".join(items))
            items = []
        if block.kind == "bullet":
            items.append(f"- {block.text}")
        elif block.kind in ("heading", "paragraph"):
            blocks.append(block.text)
        elif block.kind == "table":
            blocks.append("\n".join(" | ".join(row) for row in block.rows))
        elif block.kind == "contents":
            blocks.append("\n".join(["Contents", *source.headings]))
    if items:
        blocks.append("\n".join(items))
    return "\n\n".join(blocks) + "\n"
