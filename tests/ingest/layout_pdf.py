"""Small PDFs written with PDFium itself (no browser): text in the standard Helvetica fonts at chosen
sizes and positions, so the layout rules of qa/ingest/pdf.py (headings by type, contents pages,
running heads) are tested in milliseconds.

    write_pdf(path, [[Text(72, 760, 20, True, "Title"), ...], ...])    # one list of texts a page
    flow(blocks, running_head="...")                                  # blocks laid out on A4 pages
"""

from __future__ import annotations

import ctypes
import textwrap
from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 595.0, 842.0
LEFT, RIGHT, TOP, BOTTOM = 72.0, 523.0, 770.0, 72.0
BODY = 10.0
STYLES = {"h1": (16.0, True), "h2": (12.5, True), "h3": (10.0, True), "p": (BODY, False), "cover": (18.0, False),
          "small": (8.0, False)}


@dataclass(frozen=True)
class Text:
    x: float
    y: float           # of the baseline, up from the page's foot
    size: float
    bold: bool
    text: str


@dataclass(frozen=True)
class Block:
    kind: str          # "h1", "h2", "h3", "p", "cover", "contents", "pagebreak"
    text: str = ""
    entries: tuple[tuple[str, int, int], ...] = ()    # contents: (heading, level, page)


def write_pdf(path: Path, pages: list[list[Text]]) -> Path:
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    pdf = pypdfium2.PdfDocument.new()
    fonts: dict[str, object] = {}
    try:
        for texts in pages:
            page = pdf.new_page(WIDTH, HEIGHT)
            for item in texts:
                name = "Helvetica-Bold" if item.bold else "Helvetica"
                if name not in fonts:
                    fonts[name] = pdfium_c.FPDFText_LoadStandardFont(pdf, name.encode("ascii"))
                obj = pdfium_c.FPDFPageObj_CreateTextObj(pdf, fonts[name], ctypes.c_float(item.size))
                encoded = ctypes.create_string_buffer((item.text + "\0").encode("utf-16-le"))
                pdfium_c.FPDFText_SetText(obj, ctypes.cast(encoded, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
                pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, item.x, item.y)
                pdfium_c.FPDFPage_InsertObject(page, obj)
            pdfium_c.FPDFPage_GenerateContent(page)
            page.close()
        pdf.save(str(path))
    finally:
        pdf.close()
    return Path(path)


def _width(text: str, size: float) -> float:
    return 0.5 * size * len(text)      # Helvetica's average advance, near enough to right-align numbers


def flow(blocks: list[Block], *, running_head: str | None = None, footer: bool = True,
         cover_page: bool = True) -> list[list[Text]]:
    """Lay blocks out on pages: the "cover" blocks alone on page 1 (if `cover_page`), headings set
    larger and bold, paragraphs wrapped at 95 characters with 12 pt between lines, a contents list
    with page numbers set flush right; a running head and "Page N of M" on every page but the cover."""
    pages: list[list[Text]] = [[]]
    y = TOP

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = TOP

    for number, block in enumerate(blocks):
        if block.kind == "pagebreak":
            new_page()
            continue
        if block.kind == "cover":
            size, bold = STYLES["cover"] if y == TOP else STYLES["p"]
            pages[-1].append(Text(LEFT, y, size, bold, block.text))
            y -= 2.2 * size
            if cover_page and (number + 1 == len(blocks) or blocks[number + 1].kind != "cover"):
                new_page()
            continue
        if block.kind == "contents":
            for heading, level, page in block.entries:
                if y - 14 < BOTTOM:
                    new_page()
                indent = LEFT + 14 * (level - 1)
                pages[-1].append(Text(indent, y, BODY, level == 1, heading))
                pages[-1].append(Text(RIGHT - _width(str(page), BODY), y, BODY, level == 1, str(page)))
                y -= 14
            y -= 10
            continue
        size, bold = STYLES[block.kind]
        lines = textwrap.wrap(block.text, 95 if block.kind == "p" else 60)
        pitch = 1.2 * size
        before = 1.2 * size if block.kind != "p" else 0.0
        if y - before - pitch * len(lines) < BOTTOM:
            new_page()
        else:
            y -= before
        for line in lines:
            if y < BOTTOM:
                new_page()
            pages[-1].append(Text(LEFT, y, size, bold, line))
            y -= pitch
        y -= 0.6 * size
    total = len(pages)
    for number, texts in enumerate(pages, 1):
        if number == 1 and cover_page:
            continue
        if running_head:
            texts.append(Text(RIGHT - _width(running_head, 8), 805, 8, False, running_head))
        if footer:
            texts.append(Text(270, 30, 8, False, f"Page {number} of {total}"))
    return pages
