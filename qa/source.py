"""The source of a cited passage, as a reader checks it: the PDF page drawn with the passage's lines
highlighted, the original file to download, the text of a DOCX, web page or text file with the
passage marked, and for an NSPCC summary the page the NSPCC publishes it on.

A document's text is not the page's raw text: reading a PDF (qa/ingest/pdf.py) drops running heads,
rejoins hyphenated words and turns line breaks into spaces. So a passage is found on its page by
its letters and digits alone (case, spaces, hyphens and punctuation folded away on both sides),
which survive all of that; where even they differ (a ligature PDFium could not map, a word PDFium
split), the longest runs that agree mark where the passage is.
"""

from __future__ import annotations

import difflib
import io
import mimetypes
import unicodedata
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .changes.originals import check_inside, original_path
from .errors import CollectionError, InvalidQueryError, NotFoundError
from .index import SearchIndex
from .records import NSPCC_CASE_REVIEWS_URL, Document
from .settings import Settings

# Pixels per PDF point (1/72 inch): 1.5 draws an A4 page 893 pixels wide (108 dpi), readable in the
# app; the REST caller may ask from MIN_SCALE to MAX_SCALE.
DEFAULT_SCALE = 1.5
MIN_SCALE, MAX_SCALE = 0.5, 3.0
# The highlight: translucent yellow over the passage's lines, a little wider than the letters.
HIGHLIGHT_RGBA = (255, 214, 0, 96)
HIGHLIGHT_PAD = 2
# At least this share of a passage's letters must be found on its page for a highlight: less is a
# coincidence of common words, and no highlight is better than a wrong one.
MIN_MATCHED = 0.5
# Media types of the originals reviewqa keeps (qa/ingest/files.py reads these).
MEDIA_TYPES = {".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument."
               "wordprocessingml.document", ".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
               ".md": "text/markdown", ".markdown": "text/markdown"}

Span = tuple[int, int]
Box = tuple[int, int, int, int]     # left, top, right, bottom in page pixels (top-left origin)


@dataclass(frozen=True)
class PageImage:
    document_id: str
    page: int                  # the physical page, from 1
    pages: int                 # how many the PDF has
    label: str | None          # the page number printed on it, when the PDF says
    png: bytes
    width: int
    height: int
    boxes: tuple[Box, ...]     # the highlight, one box a line; empty when the passage is not on this page


@dataclass(frozen=True)
class Original:
    """A document's kept original, safe to serve: inside the collection's files folder."""

    path: Path
    filename: str              # the name to save it as
    media_type: str


@dataclass(frozen=True)
class SourceView:
    """What opening a passage's source shows: a PDF page ("page"), the document's text ("text"),
    or for a summary the NSPCC's page ("summary")."""

    document: Document
    kind: str
    span: Span | None          # the passage, in document.text
    page: int | None           # the page the passage starts on (PDFs)
    pages: int                 # the PDF's pages (0 for other sources)
    has_original: bool
    link: str | None = None    # where the NSPCC publishes a summary


# --- finding what was asked for --------------------------------------------------------------------

def find_document(index: SearchIndex, document_id: str) -> Document:
    document = index.documents_by_id.get(document_id) if isinstance(document_id, str) else None
    if document is None:
        raise NotFoundError(f"There is no document with id '{str(document_id)[:100]}'.")
    return document


def passage_span(index: SearchIndex, document: Document, passage: str | None = None, start: int | None = None,
                 end: int | None = None) -> Span | None:
    """The passage asked for, as offsets in document.text: by passage id ("<document id>#<n>", the
    `passage_id` of a search result) or by start and end; None when neither is given."""
    if passage:
        if start is not None or end is not None:
            raise InvalidQueryError("Give a passage id or start and end, not both.")
        chunk = index.passage(passage)
        if chunk is None or chunk.document.id != document.id:
            raise NotFoundError(f"Document '{document.id[:100]}' has no passage '{str(passage)[:120]}'.")
        return chunk.start, chunk.end
    if start is None and end is None:
        return None
    if start is None or end is None or not 0 <= start < end <= len(document.text):
        raise InvalidQueryError(f"start and end must both be given, with 0 <= start < end <= "
                                f"{len(document.text):,} (the document's length).")
    return start, end


def is_pdf(document: Document) -> bool:
    return bool(document.pages) and document.file is not None and Path(document.file).suffix.lower() == ".pdf"


def source_view(settings: Settings, document: Document, span: Span | None) -> SourceView:
    has_original = document.file is not None
    if document.kind == "summary" and not has_original:
        return SourceView(document, "summary", span, None, 0, False, NSPCC_CASE_REVIEWS_URL)
    if is_pdf(document):
        first = document.page_at(span[0]) if span else None
        return SourceView(document, "page", span, first.number if first else 1, len(document.pages), True)
    return SourceView(document, "text", span, None, 0, has_original)


def original(settings: Settings, document: Document) -> Original:
    """The document's kept original, only from inside the collection's files folder."""
    if document.file is None:
        where = (f" It is published on the NSPCC's case reviews page: {NSPCC_CASE_REVIEWS_URL}"
                 if document.kind == "summary" else "")
        raise NotFoundError(f"Document '{document.id[:100]}' has no kept original file.{where}")
    path = original_path(document.file, settings)
    try:
        # Resolved in full first, so a link inside the folder cannot point out of it.
        check_inside(path.resolve(), settings)
    except (CollectionError, OSError):
        raise NotFoundError(f"The original of '{document.id[:100]}' is kept outside the collection's files folder, "
                            "so it is not served.") from None
    if not path.is_file():
        raise NotFoundError(f"The original of '{document.id[:100]}' ({document.file}) is no longer in the "
                            "collection's files folder; add the file again to keep it.")
    suffix = path.suffix.lower()
    media = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Original(path.resolve(), path.name, media)


# --- a PDF page with the passage highlighted ---------------------------------------------------------

def page_image(settings: Settings, document: Document, page_number: int, highlight: Span | None = None,
               scale: float = DEFAULT_SCALE) -> PageImage:
    """The PDF page `page_number` (from 1) of `document` as PNG, with the part of `highlight` (offsets
    in document.text) that lies on it drawn over in translucent yellow."""
    import pypdfium2
    from PIL import Image, ImageDraw

    from .ingest.pdf import PDFIUM_LOCK

    if not is_pdf(document):
        raise NotFoundError(f"Document '{document.id[:100]}' is not a PDF, so it has no pages to show; open its "
                            "text instead.")
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise InvalidQueryError(f"scale must be from {MIN_SCALE} to {MAX_SCALE}, not {scale}.")
    pages = len(document.pages)
    if not 1 <= page_number <= pages:
        raise NotFoundError(f"Document '{document.id[:100]}' has pages 1 to {pages}; there is no page {page_number}.")
    path = original(settings, document).path
    record = document.pages[page_number - 1]
    piece = None
    if highlight is not None:
        start, end = max(highlight[0], record.start), min(highlight[1], record.end)
        if start < end:
            piece = (start, end, record.start, record.end)
    with PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError as error:
            raise NotFoundError(f"The original of '{document.id[:100]}' cannot be opened as a PDF ({error}); "
                                "add the file again.") from None
        try:
            if page_number > len(pdf):
                raise NotFoundError(f"The original of '{document.id[:100]}' has {len(pdf)} pages, fewer than when it "
                                    "was added; add the file again.")
            page = pdf[page_number - 1]
            try:
                rects = _passage_rects(page, document.text, piece) if piece else []
                left, bottom, right, top = page.get_cropbox()
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil()
            finally:
                page.close()
        finally:
            pdf.close()
    boxes = tuple(_to_pixels(line, left, top, scale, image.size) for line in _lines(rects))
    if boxes:
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for box in boxes:
            draw.rectangle(box, fill=HIGHLIGHT_RGBA)
        image = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    out = io.BytesIO()
    # Fast compression: a page drawn at 1.5 is mostly white, and level 1 keeps it small enough
    # while taking a fraction of the default's time.
    image.save(out, format="PNG", compress_level=1)
    return PageImage(document.id, page_number, pages, record.label, out.getvalue(), image.size[0], image.size[1],
                     boxes)


def _fold(text: str) -> tuple[str, list[int]]:
    """text's letters and digits, NFKC-normalised and case-folded, with the index in `text` each
    came from: what survives reading a PDF into a document's text."""
    folded: list[str] = []
    where: list[int] = []
    for position, char in enumerate(text):
        if char.isascii():
            if char.isalnum():
                folded.append(char.lower())
                where.append(position)
            continue
        for part in unicodedata.normalize("NFKC", char).casefold():
            if part.isalnum():
                folded.append(part)
                where.append(position)
    return "".join(folded), where


def _page_chars(textpage) -> str:
    """The text page's characters, one per character index (PDFium's own spaces and line breaks
    included), so an index in this string is a character index for the box calls."""
    import pypdfium2.raw as pdfium_c

    return "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 32) for i in range(textpage.count_chars()))


def _passage_rects(page, document_text: str, piece: tuple[int, int, int, int]) -> list[tuple[float, ...]]:
    """PDFium's text rectangles (left, bottom, right, top, in PDF points) over the characters of
    document_text[start:end] on this page; [] when they cannot be told apart."""
    start, end, page_start, page_end = piece
    wanted, _ = _fold(document_text[start:end])
    if not wanted:
        return []
    textpage = page.get_textpage()
    try:
        haystack, where = _fold(_page_chars(textpage))
        span = _locate(wanted, haystack, (start - page_start) / max(1, page_end - page_start))
        if span is None:
            return []
        first, last = where[span[0]], where[span[1] - 1]
        count = textpage.count_rects(first, last - first + 1)
        return [textpage.get_rect(i) for i in range(count)]
    finally:
        textpage.close()


def _locate(wanted: str, haystack: str, where: float) -> tuple[int, int] | None:
    """Where `wanted` is in `haystack` (start, end), taking the occurrence nearest to the relative
    position `where` (0 = top) when it occurs more than once (a report may repeat a sentence)."""
    found = []
    position = haystack.find(wanted)
    while position >= 0:
        found.append(position)
        position = haystack.find(wanted, position + 1)
    if found:
        expected = where * max(1, len(haystack) - len(wanted))
        best = min(found, key=lambda p: abs(p - expected))
        return best, best + len(wanted)
    # Not verbatim: the runs that agree, if they cover enough of the passage.
    matcher = difflib.SequenceMatcher(None, wanted, haystack, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 8]
    if not blocks or sum(b.size for b in blocks) < MIN_MATCHED * len(wanted):
        return None
    return blocks[0].b, blocks[-1].b + blocks[-1].size


def _lines(rects: list[tuple[float, ...]]) -> list[tuple[float, float, float, float]]:
    """Rectangles on one visual line (their heights overlap by half) merged into one, top to bottom."""
    lines: list[list[float]] = []
    for left, bottom, right, top in sorted(rects, key=lambda r: (-r[3], r[0])):
        if right <= left or top <= bottom:
            continue
        for line in lines:
            overlap = min(top, line[3]) - max(bottom, line[1])
            if overlap > 0.5 * min(top - bottom, line[3] - line[1]):
                line[0], line[1], line[2], line[3] = (min(left, line[0]), min(bottom, line[1]), max(right, line[2]),
                                                      max(top, line[3]))
                break
        else:
            lines.append([left, bottom, right, top])
    return [(a, b, c, d) for a, b, c, d in lines]


def _to_pixels(rect: tuple[float, float, float, float], crop_left: float, crop_top: float, scale: float,
               size: tuple[int, int]) -> Box:
    left, bottom, right, top = rect
    width, height = size
    return (max(0, round((left - crop_left) * scale) - HIGHLIGHT_PAD),
            max(0, round((crop_top - top) * scale) - HIGHLIGHT_PAD),
            min(width - 1, round((right - crop_left) * scale) + HIGHLIGHT_PAD),
            min(height - 1, round((crop_top - bottom) * scale) + HIGHLIGHT_PAD))


# --- the text of a DOCX, web page or text file ------------------------------------------------------

PASSAGE_ANCHOR = "rq-passage"


def document_html(document: Document, span: Span | None) -> str:
    """The document's text as escaped HTML, paragraphs kept, with the passage in
    `<mark id="rq-passage">` so a view can scroll to it. Offsets are applied before escaping."""
    text = document.text
    if span is None:
        body = escape(text)
    else:
        start, end = max(0, span[0]), min(len(text), span[1])
        body = (f"{escape(text[:start])}<mark id=\"{PASSAGE_ANCHOR}\">{escape(text[start:end])}</mark>"
                f"{escape(text[end:])}")
    return f"<div class='rq-document-text' style='white-space:pre-wrap;line-height:1.5'>{body}</div>"
