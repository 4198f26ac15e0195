"""PDF -> text with pages and sections, through pypdfium2 (PDFium; Apache-2.0/BSD).

PDFium gives each page's text as visual lines with no paragraph marks, so the work here is to
rebuild paragraphs without breaking passages a reader would quote:
  * running headers and footers (lines repeated at the top or bottom of most pages, page numbers
    allowed to change) are removed, so they never land inside a sentence;
  * a word hyphenated at a line end is rejoined ("safe-" + "guarding"), unless the document shows
    the hyphen is real ("co-sleeping" written elsewhere on one line);
  * hard line breaks inside a paragraph become spaces; a paragraph break is read from the layout
    (a taller gap, a change of font size, a short last line ending a sentence, an indent);
  * a sentence running over a page break is carried on, and the page boundary falls between words.
Page offsets are taken while the cleaned text is written, so they point into the final text.

Structure comes from the layout, as a reader sees it:
  * a contents page (a run of lines ending in page numbers, aligned on the right, under a
    "Contents" title) becomes a "contents" section, one entry a paragraph, never headings;
  * headings are short paragraphs set larger or bolder than the body text (PDFium's font size and
    weight of each line), or a numbered line set apart ("4.2 Information sharing"); a paragraph's
    first line is never one, nor a long numbered paragraph ("4.12 The health visitor ...");
  * a cover (page 1 with no prose on it, or the title lines before the first prose) has no headings;
  * the running heads and footers removed are kept as `furniture` (a partnership may be named only
    there).
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
import threading
from collections import Counter
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c

from ..errors import DocumentError
from ..records import Page
from ..settings import ParseLimits
from .parsed import CONTENTS_TITLE, ParsedFile, TextBuilder, contents_entry, numbered_heading

# A line-end hyphen: ASCII, U+2010 (what Chromium draws for a soft hyphen), the soft hyphen itself,
# and PDFium's own markers for a hyphen it already joined across lines (U+FFFE, U+0002).
_HYPHENS = "-\u2010\u00ad\ufffe\x02"
_JOINED_HYPHEN = re.compile(r"([^\W\d_]+)[\ufffe\x02]([^\W\d_]+)")
# Prefixes whose hyphen is nearly always real when it falls at a line end ("co-\nsleeping").
_HYPHEN_PREFIXES = {"co", "non", "self", "ex", "cross", "well", "step", "half", "anti", "semi", "multi", "pre",
                    "post", "mid"}
_WORD = re.compile(r"[^\W\d_]+")
_COMPOUND = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)+")
_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]]*$")
# A list item's start: a bullet glyph, "1." / "1)" / "(a)" / "ii)". Not a dash: a wrapped sentence
# can start a line with one.
_BULLET = re.compile(r"^(?:[•●▪■◦‣∙·o*]\s|\d{1,2}[.)]\s|\(?(?:[a-z]|[ivx]{1,4})\)\s)")
_ROMAN = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_PAGE_NUMBER = re.compile(rf"^(?:page\s*)?[-–—]?\s*(?:\d{{1,4}}|{_ROMAN})\s*[-–—]?(?:\s*(?:of|/)\s*\d{{1,4}})?$",
                          re.IGNORECASE)
_MONTHS = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)
_EDGE_LINES = 3          # lines at each end of a page (in PDFium's order) that may be running text
_EDGE_BAND = 0.10        # ... and any line in the top or bottom tenth of the page
# PDFium is not thread-safe: every use of it in the process (reading here, drawing pages in
# qa/source.py) holds this lock.
PDFIUM_LOCK = threading.Lock()


@dataclass
class _Line:
    text: str
    left: float = math.nan
    right: float = math.nan
    bottom: float = math.nan   # of the first character
    top: float = math.nan
    last_bottom: float = math.nan   # of the last: PDFium may merge two visual lines at a hyphen
    size: float = math.nan
    weight: float = math.nan   # PDFium's font weight (0 or -1 when the font does not say)
    heavy: bool = False        # set in a bold font, by its name or flags ("Arial-BoldMT")
    height: float = math.nan   # of the page; PDFium measures up from the page's bottom edge
    contents: bool = False     # an entry (or the title) of a contents list

    @property
    def placed(self) -> bool:
        return not math.isnan(self.bottom)


@dataclass
class _Paragraph:
    lines: list[_Line]
    text: str = ""
    heading: bool = False
    cover: bool = False        # a line of the title page: never a heading

    @property
    def contents(self) -> bool:
        return any(line.contents for line in self.lines)


@dataclass
class _Vocabulary:
    """Words of the document as written inside lines: evidence for or against a line-end hyphen."""
    words: set[str]
    compounds: set[str]


def parse_pdf(data: bytes, name: str, limits: ParseLimits | None = None) -> ParsedFile:
    limits = limits or ParseLimits()
    # PDFium is not thread-safe, not even across documents, and the app may parse two uploads at
    # once: only the reading holds the lock; rebuilding the text does not touch PDFium.
    with PDFIUM_LOCK:
        pdf = _open(data, name)
        try:
            if len(pdf) > limits.max_pages:
                raise DocumentError(f"'{name}' has {len(pdf):,} pages, over the limit of {limits.max_pages:,}; "
                                    "split it into smaller files.")
            budget = _Budget(name, limits)
            raw_pages = [_read_page(pdf, index, budget) for index in range(len(pdf))]
            labels = [_label(pdf, index) for index in range(len(pdf))]
        finally:
            pdf.close()
    pages, furniture = _remove_running_lines(raw_pages)
    _mark_contents(pages)
    empty = [number for number, lines in enumerate(pages, 1) if not _has_text(lines)]
    if len(empty) == len(pages):
        raise DocumentError(
            f"'{name}' has no text layer on {_page_list(empty)} (it looks scanned); run OCR on it first, "
            "for example `ocrmypdf in.pdf out.pdf`, and add the result.")
    garbled = [number for number, lines in enumerate(pages, 1) if _garbled(" ".join(line.text for line in lines))]
    if garbled and len(garbled) + len(empty) == len(pages):
        raise DocumentError(
            f"'{name}' has a text layer that does not read as words on {_page_list(garbled)} (its fonts have no "
            "map to Unicode, so the text would be gibberish); run OCR on it first, for example "
            "`ocrmypdf --force-ocr in.pdf out.pdf`, and add the result.")
    vocabulary = _vocabulary(pages)
    body = _body_style(pages)
    page_paragraphs = [_paragraphs(lines, body, vocabulary) for lines in pages]
    _mark_cover(page_paragraphs, body)
    # Headings are judged across page ends: a heading at the foot of a page has its text on the next.
    _mark_headings([p for paragraphs in page_paragraphs for p in paragraphs], body)
    builder = TextBuilder()
    starts: list[int] = []
    previous: _Paragraph | None = None
    for paragraphs in page_paragraphs:
        # A page starts where its first words are; an empty page where the text so far ends.
        page_start = None
        length_before = builder.length
        for i, paragraph in enumerate(paragraphs):
            if i == 0 and previous is not None and _continues(previous, paragraph):
                start = _carry_on(builder, previous, paragraph, vocabulary)
                previous = _Paragraph(previous.lines + paragraph.lines, paragraph.text)
            else:
                start = builder.paragraph(paragraph.text, heading=paragraph.heading, contents=paragraph.contents)
                previous = paragraph
            if page_start is None:
                page_start = start
        starts.append(length_before if page_start is None else page_start)
    text, sections = builder.build()
    bounds = starts + [len(text)]
    page_records = tuple(Page(number, bounds[number - 1], max(bounds[number - 1], bounds[number]),
                              labels[number - 1]) for number in range(1, len(pages) + 1))
    warnings: tuple[str, ...] = ()
    if empty:
        warnings += (f"'{name}' has no text on {_page_list(empty)} (scanned images?); those pages are left out "
                     "of the search; run OCR on the file (for example `ocrmypdf`) to include them.",)
    if garbled:
        warnings += (f"'{name}' has text that does not read as words on {_page_list(garbled)} (fonts without a "
                     "Unicode map); passages from those pages will be gibberish. Run OCR on the file (for example "
                     "`ocrmypdf --force-ocr`) to read them properly.",)
    return ParsedFile(text=text, sections=sections, pages=page_records, format="pdf", warnings=warnings,
                      furniture=furniture)


# --- opening and reading ---------------------------------------------------------------------------

def _open(data: bytes, name: str) -> pypdfium2.PdfDocument:
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(f"'{name}' is not a PDF (it has no PDF header); check the file, or save it as PDF again.")
    # A cut-off download still opens (PDFium repairs what it can) but silently loses pages; a
    # complete PDF always ends with an end-of-file marker.
    if b"%%EOF" not in data[-8192:]:
        raise DocumentError(f"'{name}' is truncated or damaged (it has no end-of-file marker); "
                            "download or export it again.")
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        if error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise DocumentError(f"'{name}' is password-protected; remove the password (open it and save an "
                                "unprotected copy) and add that copy.") from None
        raise DocumentError(f"'{name}' is damaged and cannot be read as a PDF ({error}); "
                            "download or export it again.") from None


class _Budget:
    """Characters a PDF may yield, counted page by page before each page's text is copied out: a
    page whose content stream inflates to millions of glyphs is refused, not read."""

    def __init__(self, name: str, limits: ParseLimits):
        self.name, self.limits, self.used = name, limits, 0

    def take(self, page_number: int, characters: int) -> None:
        if characters > self.limits.max_page_characters:
            raise DocumentError(f"Page {page_number} of '{self.name}' holds {characters:,} characters, over the "
                                f"limit of {self.limits.max_page_characters:,} for one page; it may be built to "
                                "overload a reader. Save it again (for example print it to PDF) and add that.")
        self.used += characters
        if self.used > self.limits.max_characters:
            raise DocumentError(f"'{self.name}' holds over {self.limits.max_characters:,} characters of text; "
                                "split it into smaller files.")


def _read_page(pdf: pypdfium2.PdfDocument, index: int, budget: _Budget) -> list[_Line]:
    try:
        page = pdf[index]
    except pypdfium2.PdfiumError:
        return []
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        budget.take(index + 1, textpage.count_chars())
        text = textpage.get_text_range()
        lines = []
        position = 0
        for raw in re.split(r"(\r\n|\r|\n)", text):
            if raw in ("\r\n", "\r", "\n"):
                position += len(raw)
                continue
            line = _line(textpage, raw, position)
            position += len(raw)
            if line.text:
                lines.append(line)
        for line in lines:
            line.height = height
        return lines
    finally:
        textpage.close()
        page.close()


def _line(textpage, raw: str, position: int) -> _Line:
    stripped = raw.strip()
    if not stripped:
        return _Line("")
    first = position + (len(raw) - len(raw.lstrip()))
    last = position + len(raw.rstrip()) - 1
    line = _Line(stripped)
    first_char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, first)
    last_char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, last)
    if first_char < 0 or last_char < 0:
        return line
    try:
        left, bottom, _, top = textpage.get_charbox(first_char, loose=True)
        _, last_bottom, right, _ = textpage.get_charbox(last_char, loose=True)
    except pypdfium2.PdfiumError:
        return line
    line.left, line.right, line.bottom, line.top, line.last_bottom = left, right, bottom, top, last_bottom
    # The line's style is the median of five samples along it: a bullet glyph, or a word of code or
    # bold, must not make a body line look like a heading (or a heading like body text).
    inner = (pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, first + (last - first) * k // 4) for k in (1, 2, 3))
    samples = [i for i in (first_char, *inner, last_char) if i >= 0]
    line.size = statistics.median(pdfium_c.FPDFText_GetFontSize(textpage, i) for i in samples)
    line.weight = statistics.median(pdfium_c.FPDFText_GetFontWeight(textpage, i) for i in samples)
    line.heavy = sum(_heavy_font(textpage, i) for i in samples) > len(samples) / 2
    return line


_HEAVY_NAME = re.compile(r"bold|black|heavy|semi-?bold|demi", re.IGNORECASE)
_FORCE_BOLD = 1 << 18        # PDF font descriptor flag ForceBold (bit 19)


def _heavy_font(textpage, index: int) -> bool:
    """Is this character set in a bold font? Read from the font's name and flags, for fonts whose
    weight PDFium cannot tell (the standard 14 fonts, many subset fonts)."""
    flags = ctypes.c_int()
    length = pdfium_c.FPDFText_GetFontInfo(textpage, index, None, 0, ctypes.byref(flags))
    if length <= 0:
        return False
    buffer = ctypes.create_string_buffer(length)
    pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, length, ctypes.byref(flags))
    name = buffer.value.decode("latin-1", "replace")
    return bool(_HEAVY_NAME.search(name.split("+", 1)[-1])) or bool(flags.value & _FORCE_BOLD)


def _label(pdf: pypdfium2.PdfDocument, index: int) -> str | None:
    try:
        label = pdf.get_page_label(index)
    except (pypdfium2.PdfiumError, UnicodeDecodeError):
        return None
    return label.strip() or None


# --- running headers and footers --------------------------------------------------------------------

def _running_key(text: str) -> str:
    # The page number changes from page to page; every other character must repeat.
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _edge_indexes(lines: list[_Line]) -> set[int]:
    edge = set(range(min(_EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - _EDGE_LINES), len(lines)))
    edge.update(i for i, line in enumerate(lines) if _in_band(line))
    return edge


def _in_band(line: _Line) -> bool:
    return line.placed and (line.top > (1 - _EDGE_BAND) * line.height or line.last_bottom < _EDGE_BAND * line.height)


def _remove_running_lines(pages: list[list[_Line]]) -> tuple[list[list[_Line]], tuple[str, ...]]:
    """The pages without their running heads, footers and page numbers; and the running lines'
    texts (each once, page numbers left out)."""
    counts: Counter[str] = Counter()
    in_band: Counter[str] = Counter()
    for lines in pages:
        edge = _edge_indexes(lines)
        counts.update({_running_key(lines[i].text) for i in edge})
        in_band.update({_running_key(lines[i].text) for i in edge if _in_band(lines[i])})
    with_text = sum(1 for lines in pages if lines)
    # "Most pages": at least half of the pages that have text, and never fewer than two. A header
    # that names the current chapter repeats only through that chapter: three pages are enough
    # when the line sits in the top or bottom margin band.
    needed = max(2, math.ceil(with_text / 2))
    running = {key for key, count in counts.items() if count >= needed}
    running |= {key for key, count in in_band.items() if count >= 3}
    cleaned = []
    furniture: dict[str, None] = {}
    for lines in pages:
        edge = _edge_indexes(lines)
        # A lone page number is dropped even unrepeated, but only in the margin band (or, without
        # positions, as the first or last line): a number at the foot of a table column is text.
        margin = {i for i in edge if _in_band(lines[i]) or (not lines[i].placed and i in (0, len(lines) - 1))}
        kept = []
        for i, line in enumerate(lines):
            if i in edge and _running_key(line.text) in running:
                key = _running_key(line.text)
                if not _PAGE_NUMBER.match(line.text) and not re.fullmatch(r"#|[^#]*\bpage\b.*", key):
                    furniture.setdefault(" ".join(line.text.split()))
            elif not (i in margin and _PAGE_NUMBER.match(line.text)):
                kept.append(line)
        cleaned.append(kept)
    return cleaned, tuple(furniture)


def _aligned(lines: list[_Line]) -> bool:
    """Lines ending at one right edge (a contents list's page numbers), or without positions."""
    rights = [line.right for line in lines if line.placed]
    return not rights or max(rights) - min(rights) <= 3.0


def _mark_contents(pages: list[list[_Line]]) -> None:
    """Mark the entries of contents lists: runs of three or more lines that end in a page number
    (never going back), aligned on the right, with at most one wrapped line between two entries; the
    "Contents" title above a run; and entries that carry a run on from the page before."""
    carried = False
    for lines in pages:
        entries = [contents_entry(line.text) is not None for line in lines]
        i = 0
        while i < len(lines):
            if not entries[i]:
                i += 1
                continue
            j, last = i, i
            while j < len(lines) and (entries[j] or (j + 1 < len(lines) and entries[j + 1] and j - last <= 1)):
                if entries[j]:
                    last = j
                j += 1
            run = lines[i:last + 1]
            found = [line for line, entry in zip(run, entries[i:last + 1]) if entry]
            numbers = [int(e.page) for e in (contents_entry(line.text) for line in found) if e and e.page.isdigit()]
            ordered = all(a <= b for a, b in zip(numbers, numbers[1:]))
            titled = any(CONTENTS_TITLE.match(" ".join(line.text.split())) for line in lines[:i])
            enough = len(found) >= 3 or (carried and i == 0) or (titled and len(found) >= 2)
            if ordered and _aligned(found) and enough:
                for line in run:
                    line.contents = True
                for line in lines[:i]:
                    if CONTENTS_TITLE.match(" ".join(line.text.split())):
                        line.contents = True
            i = last + 1
        carried = bool(lines) and lines[-1].contents


_WORDS = re.compile(r"[A-Za-z]{4,}")


def _garbled(text: str) -> bool:
    """A page whose text layer does not decode to words: mostly symbols, letters of another script
    (a Symbol font read as Greek), or Latin "words" without vowels (glyph ids read as letters)."""
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < 100:
        return False
    letters = [ch for ch in visible if ch.isalpha()]
    latin = sum(1 for ch in letters if ord(ch) < 0x250)
    if len(letters) < 0.5 * len(visible) or latin < 0.5 * max(1, len(letters)):
        return True
    words = _WORDS.findall(text)
    return len(words) >= 20 and sum(1 for w in words if re.search(r"[aeiouyAEIOUY]", w)) < 0.7 * len(words)


def _has_text(lines: list[_Line]) -> bool:
    """Some letters or digits near the top, or a page full of characters of any kind (symbols from a
    font without a Unicode map are text, if not words: see _garbled)."""
    head = " ".join(line.text for line in lines[:20])
    return len(re.findall(r"[^\W_]", head)) >= 3 or sum(len(line.text) for line in lines) >= 100


def _page_list(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> 'pages 1-3 and 7'."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]
    words = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("page " if len(numbers) == 1 else "pages ") + words


# --- paragraphs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Body:
    size: float
    weight: float
    pitch: float          # distance between the baselines of two lines of body text
    right: float          # where full lines end
    heavy: bool = False   # the body text itself is set in a bold font


def _body_style(pages: list[list[_Line]]) -> _Body:
    """The document's ordinary text: the font size most of its characters use, its line spacing."""
    sizes: Counter[float] = Counter()
    weights: Counter[float] = Counter()
    heavy: Counter[bool] = Counter()
    for lines in pages:
        for line in lines:
            if line.placed:
                sizes[round(line.size, 1)] += len(line.text)
                weights[round(line.weight, -1)] += len(line.text)
                heavy[line.heavy] += len(line.text)
    if not sizes:
        return _Body(math.nan, math.nan, math.nan, math.nan)
    size = sizes.most_common(1)[0][0]
    pitches: list[float] = []
    rights: list[float] = []
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            if a.placed and b.placed and round(a.size, 1) == size == round(b.size, 1):
                gap = a.last_bottom - b.bottom
                if gap > 0:
                    pitches.append(round(gap, 4))
        rights.extend(line.right for line in lines if line.placed and round(line.size, 1) == size)
    # With no two body lines in a row to measure, assume the usual spacing of 1.2 times the size.
    pitch = statistics.median(pitches) if pitches else 1.2 * size
    right = sorted(rights)[int(len(rights) * 0.9)] if rights else math.nan
    return _Body(size, weights.most_common(1)[0][0], pitch, right, heavy.most_common(1)[0][0])


def _bold(line: _Line, body: _Body) -> bool:
    """Bolder than the body text: by PDFium's weights where the fonts give them, else by the fonts'
    names and flags."""
    if line.weight > 0 and body.weight > 0 and line.weight >= body.weight + 60:
        return True
    return line.heavy and not body.heavy


def _breaks(before: _Line, line: _Line, body: _Body, widest: float) -> bool:
    """Does `line` start a new paragraph after `before`?"""
    if line.contents or before.contents:
        # Each entry of a contents list is a paragraph; an entry wrapped over two lines stays one.
        return not (before.contents and line.contents and not contents_entry(before.text)
                    and not CONTENTS_TITLE.match(" ".join(before.text.split())))
    if _BULLET.match(line.text):
        return True
    ends_sentence = bool(_TERMINAL.search(before.text))
    if before.placed and line.placed and not math.isnan(body.pitch):
        if abs(line.size - before.size) > 0.1 * max(before.size, line.size):
            return True
        if _bold(line, body) != _bold(before, body):
            return True       # a bold heading at body size, closely followed by its text
        gap = before.last_bottom - line.bottom
        # Larger type has its own, wider line spacing (a heading set over two lines is one heading).
        pitch = body.pitch * max(1.0, min(before.size, line.size) / body.size)
        if gap > 1.3 * pitch or gap < -0.5 * pitch:
            # A taller gap, or a jump up the page (a new column): a break unless mid-sentence.
            return ends_sentence or gap > 0
        short = before.right < body.right - 0.12 * (body.right - before.left)
        indented = abs(line.left - before.left) > 0.8 * line.size
        return ends_sentence and (short or indented)
    # Without positions: a sentence ending on a line clearly shorter than the longest.
    return ends_sentence and len(before.text) < 0.8 * widest


def _paragraphs(lines: list[_Line], body: _Body, vocabulary: _Vocabulary) -> list[_Paragraph]:
    widest = max((len(line.text) for line in lines), default=0)
    groups: list[list[_Line]] = []
    for line in lines:
        if groups and not _breaks(groups[-1][-1], line, body, widest):
            groups[-1].append(line)
        else:
            groups.append([line])
    paragraphs = []
    for group in groups:
        text = group[0].text
        for line in group[1:]:
            text = _join(text, line.text, vocabulary)
        text = _fix_joined_hyphens(text, vocabulary)
        if text[-1] in _HYPHENS:
            # A hyphen ending the page: make it visible ("-") so the next page can decide about it.
            text = text[:-1] + "-"
        paragraphs.append(_Paragraph(group, text))
    return paragraphs


def _vocabulary(pages: list[list[_Line]]) -> _Vocabulary:
    words: set[str] = set()
    compounds: set[str] = set()
    for lines in pages:
        for line in lines:
            text = line.text.rstrip(_HYPHENS)
            words.update(w.lower() for w in _WORD.findall(text))
            compounds.update(c.lower().replace("\u2010", "-") for c in _COMPOUND.findall(text))
    return _Vocabulary(words, compounds)


def _keep_hyphen(left: str, right: str, vocabulary: _Vocabulary) -> bool:
    """Is the hyphen between `left` and `right` real? The document's own spelling decides first."""
    compound, joined = f"{left}-{right}".lower(), (left + right).lower()
    if compound in vocabulary.compounds:
        return True
    if joined in vocabulary.words:
        return False
    return left.lower() in _HYPHEN_PREFIXES


def _join(text: str, following: str, vocabulary: _Vocabulary) -> str:
    """Two lines of one paragraph: rejoin a hyphenated word, or put a space between."""
    if len(text) >= 2 and text[-1] in _HYPHENS and text[-2].isalpha() and following[:1].isalpha() \
            and following[0].islower():
        if text[-1] == "\u00ad":
            return text[:-1] + following
        left = _WORD.findall(text[:-1])[-1]
        right = _WORD.findall(following)[0]
        return text[:-1] + ("-" if _keep_hyphen(left, right, vocabulary) else "") + following
    if text[-1:] in ("\ufffe", "\x02"):
        return text[:-1] + "-" + following
    return f"{text} {following}"


def _fix_joined_hyphens(text: str, vocabulary: _Vocabulary) -> str:
    # PDFium joins some hyphenated line ends itself and leaves a marker where the hyphen was.
    return _JOINED_HYPHEN.sub(
        lambda m: m.group(1) + ("-" if _keep_hyphen(m.group(1), m.group(2), vocabulary) else "") + m.group(2), text)


# --- headings ---------------------------------------------------------------------------------------

def _body_like(paragraph: _Paragraph | None) -> bool:
    if paragraph is None:
        return False
    text = paragraph.text
    return len(text) >= 200 or (len(text) >= 60 and bool(re.search(r"[.!?:][\"'”’)]*$", text)))


def _emphasised(paragraph: _Paragraph, body: _Body) -> bool:
    """Set larger than the body text, or bold at its size or larger, every line alike."""
    lines = paragraph.lines
    if not all(line.placed for line in lines) or math.isnan(body.size):
        return False
    sizes = [line.size for line in lines]
    if max(sizes) - min(sizes) > 0.05 * max(sizes) or min(sizes) < 0.97 * body.size:
        return False
    return min(sizes) >= 1.08 * body.size or all(_bold(line, body) for line in lines)


def _style(paragraph: _Paragraph, body: _Body) -> tuple[float, bool]:
    line = paragraph.lines[0]
    return round(line.size, 0), _bold(line, body)


def _heading_shape(paragraph: _Paragraph) -> bool:
    """Short, not a sentence, starting like a title: what a heading's words look like."""
    text = paragraph.text
    words = text.split()
    if len(paragraph.lines) > 3 or len(text) > 200 or not words or len(words) > 30:
        return False
    if re.search(r"[.,;:]$", text) or sum(ch.isalpha() for ch in text) < 3:
        return False
    return text[0].isupper() or text[0].isdigit() or text[0] in "\"'‘“("


def _is_heading(paragraph: _Paragraph, following: _Paragraph | None, body: _Body) -> bool:
    """A heading by its type (larger or bold, at most three lines, not a sentence), or a numbered
    line set apart in body type ("4.2 Information sharing") and followed by text. Never a contents
    entry, a cover line, or a paragraph's first line (a paragraph is judged whole)."""
    if paragraph.contents or paragraph.cover or not _heading_shape(paragraph):
        return False
    text = paragraph.text
    if _emphasised(paragraph, body):
        return len(text.split()) <= 30
    placed = all(line.placed for line in paragraph.lines)
    if len(paragraph.lines) != 1:
        return False
    if numbered_heading(text):
        # "1. Visit the family" over "2. Share the plan" is a list, not two headings.
        return following is None or not (len(following.lines) == 1 and numbered_heading(following.text))
    if placed:
        return False
    # Without positions or fonts: a short line in title case followed by body text.
    words = text.split()
    if not _body_like(following) or len(words) > 8:
        return False
    significant = [w for w in words if len(w) > 3 and w[0].isalpha()]
    capitals = sum(w[0].isupper() for w in significant)
    return bool(significant) and capitals >= 0.6 * len(significant) and not _MONTHS.match(text)


def _mark_headings(paragraphs: list[_Paragraph], body: _Body) -> None:
    for i, paragraph in enumerate(paragraphs):
        following = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        paragraph.heading = _is_heading(paragraph, following, body)


def _prose(paragraph: _Paragraph) -> bool:
    text = paragraph.text
    return not paragraph.contents and (len(text) > 220 or (len(text.split()) >= 10
                                                           and bool(re.search(r"[.!?][\"'”’)]*$", text))))


def _mark_cover(page_paragraphs: list[list[_Paragraph]], body: _Body) -> None:
    """The title page has no headings: page 1 when it holds no prose and pages follow, else the
    lines before page 1's first prose (a numbered heading, or the last line before the prose set
    in a heading style used again later, starts the text)."""
    if not page_paragraphs or not page_paragraphs[0]:
        return
    first = page_paragraphs[0]
    if len(page_paragraphs) > 1 and not any(_prose(p) for p in first):
        for paragraph in first:
            paragraph.cover = True
        return
    prose_at = next((i for i, p in enumerate(first) if _prose(p)), len(first))
    rest = first[prose_at:] + [p for paragraphs in page_paragraphs[1:] for p in paragraphs]
    later = {_style(p, body) for p in rest if _emphasised(p, body)}
    for i, paragraph in enumerate(first[:prose_at]):
        if numbered_heading(paragraph.text) or paragraph.contents:
            break
        if i == prose_at - 1 and _emphasised(paragraph, body) and _style(paragraph, body) in later:
            break
        paragraph.cover = True


# --- pages -------------------------------------------------------------------------------------------

def _continues(previous: _Paragraph, paragraph: _Paragraph) -> bool:
    """Does the first paragraph of a page carry on the last one of the page before?"""
    # A colon or semicolon before a lowercase word carries on; a full stop ends the paragraph.
    if previous.heading or paragraph.heading or re.search(r"[.!?][\"'”’)\]]*$", previous.text):
        return False
    first = paragraph.text[:1]
    return first.islower() or previous.text.endswith(",") or previous.text[-1:] in _HYPHENS


def _carry_on(builder: TextBuilder, previous: _Paragraph, paragraph: _Paragraph,
              vocabulary: _Vocabulary) -> int | None:
    """Append `paragraph` to the last paragraph written; returns where its own text starts."""
    end = previous.text
    if len(end) >= 2 and end[-1] in _HYPHENS and end[-2].isalpha() and paragraph.text[:1].islower():
        left = _WORD.findall(end[:-1])[-1]
        right = _WORD.findall(paragraph.text)[0]
        if _keep_hyphen(left, right, vocabulary):
            return builder.continue_paragraph(paragraph.text, joiner="")
        # The hyphen was the last character written; take it back and glue the two halves.
        builder.drop_last_char()
        return builder.continue_paragraph(paragraph.text, joiner="")
    return builder.continue_paragraph(paragraph.text)
