"""What every format parser returns (`ParsedFile`), and the shared way of writing its text.

All parsers go through `TextBuilder`: it cleans each paragraph (NFC, no control characters, no
stray spaces) *before* appending it, so the offsets it records for headings and pages are offsets
into the final text. Cleaning afterwards would shift every offset already recorded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..records import Page, Section
from .guess import Guess

FORMATS = ("pdf", "docx", "html", "text", "markdown")
PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class ParsedFile:
    """A user's file as text. `sections` are non-overlapping and in order; `pages` (PDF only) are
    consecutive and cover the text. `guess` is what the document says about itself (qa/ingest/guess/:
    title, year, area, name, nation, kind, children), filled in by formats.parse_data.

    `furniture` holds the running heads and footers taken out of the text (a partnership or a ©
    line often stands only there); `page_title` is the title a web page gives itself."""

    text: str
    sections: tuple[Section, ...]
    pages: tuple[Page, ...]
    format: str
    guess: Guess = field(default_factory=Guess)
    warnings: tuple[str, ...] = ()
    furniture: tuple[str, ...] = ()
    page_title: str | None = None

    @property
    def title(self) -> str | None:
        """The document's own title, as printed on its cover (or the web page's title)."""
        return self.guess.document_title

    @property
    def year(self) -> int | None:
        return self.guess.year

    @property
    def area(self) -> str | None:
        return self.guess.area


# A contents list: its title, and an entry (a heading's words, dot leaders or spaces, a page number).
CONTENTS_TITLE = re.compile(r"^(?:table of contents|contents(?: page)?|cynnwys|cynnwys\s*/\s*contents|"
                            r"contents\s*/\s*cynnwys|in this (?:report|document|briefing)|on this page)$",
                            re.IGNORECASE)
_ROMAN = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_ENTRY_END = re.compile(rf"(?:\s*(?:[.…·_]\s?){{2,}}\s*|\s+)(\d{{1,3}}|{_ROMAN})$")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class ContentsEntry:
    title: str
    page: str


def contents_entry(line: str) -> ContentsEntry | None:
    """A contents entry: a heading's words, dot leaders or spaces, a page number ("3.1 The approach
    ........ 6"); None for anything else."""
    line = " ".join(line.split())
    if len(line) > 160 or not line[-1:].isalnum():
        return None
    end = _ENTRY_END.search(line)
    if end is None or end.start() == 0:
        return None
    title = line[:end.start()].rstrip(" .…·_")
    return ContentsEntry(title, end.group(1)) if title and _LETTER.search(title) else None
# A section number starting a heading: "4.", "4.2", "5.1.3", "Section 2", "Appendix A." (a bare "7 Minute
# Briefing" is not one).
SECTION_NUMBER = re.compile(r"^(?:(?:section|part|chapter|appendix)\s+(?:\d{1,2}|[A-Z])(?:\.\d{1,2}){0,3}[.:]?|"
                            r"\d{1,2}(?:\.\d{1,2}){1,3}\.?|\d{1,2}\.|[A-Z]\.)\s+", re.IGNORECASE)
_MONTH_START = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)


def numbered_heading(text: str) -> bool:
    """A short numbered line that names a section ("4.2 Information sharing"), not a numbered
    paragraph ("4.12 The health visitor saw ...", which runs on and ends with a full stop) nor a
    date ("12 March 2021")."""
    words = text.split()
    if len(text) > 120 or len(words) > 12 or re.search(r"[.,;:]$", text):
        return False
    numbered = SECTION_NUMBER.match(text)
    if not numbered:
        return False
    rest = text[numbered.end():]
    return rest[:1].isupper() and not _MONTH_START.match(rest) and sum(ch.isalpha() for ch in rest) >= 3


def contents_entries(lines: list[str]) -> bool:
    """Do these lines read as a contents list: most of them a heading's words ending in a page
    number, the numbers never going back?"""
    entries = [contents_entry(line) for line in lines]
    numbers = [int(e.page) for e in entries if e and e.page.isdigit()]
    found = sum(1 for m in entries if m)
    return found >= 3 and found >= 0.6 * len(lines) and all(a <= b for a, b in zip(numbers, numbers[1:]))


def mark_contents(blocks: list[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
    """(text, heading, contents) blocks with a contents list marked: a "Contents" title (heading or
    not) and the short lines after it, up to the next heading or paragraph of prose; and any run of
    three or more entries that end in page numbers."""
    marked = list(blocks)
    i = 0
    while i < len(marked):
        text, heading, contents = marked[i]
        if CONTENTS_TITLE.match(" ".join(text.split())):
            marked[i] = (text, False, True)
            j = i + 1
            while j < len(marked) and not marked[j][1] and len(marked[j][0]) <= 150 \
                    and not re.search(r"[.!?:;][\"'”’)]*$", marked[j][0]):
                marked[j] = (marked[j][0], False, True)
                j += 1
            i = j
            continue
        i += 1
    i = 0
    while i < len(marked):
        j = i
        while j < len(marked) and contents_entry(marked[j][0]):
            j += 1
        if j - i >= 3 and contents_entries([b[0] for b in marked[i:j]]):
            marked[i:j] = [(b[0], False, True) for b in marked[i:j]]
        i = max(j, i + 1)
    return marked


# Characters that are invisible or only mark a possible break: removed, never turned into spaces.
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\ufffe\uffff"), None)
# Every other space-like character becomes a plain space, so searches and quotes see one kind.
_SPACES = re.compile(r"[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_MULTI_SPACE = re.compile(r" {2,}")
# Unicode's control characters (category Cc) are exactly these two ranges; "\n" is kept.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def clean_inline(text: str) -> str:
    """One paragraph's text, tidy: NFC, no control characters (a line break survives only where a
    paragraph holds several lines, such as a table), single spaces, no spaces at line ends."""
    text = unicodedata.normalize("NFC", text.translate(_DROP))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _SPACES.sub(" ", text)
    text = _CONTROL.sub("", text)
    lines = (_MULTI_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class TextBuilder:
    """Appends paragraphs with "\\n\\n" between them, remembering where each heading starts and which
    paragraphs are a contents list (they form a "contents" section, never headings)."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0
        self._headings: list[tuple[int, str, str]] = []     # (start, section name, title)
        self._in_contents = False
        self._before_contents: tuple[str, str] = ("body", "")

    def paragraph(self, text: str, *, heading: bool = False, contents: bool = False) -> int | None:
        """Start a new paragraph; returns where its text starts, or None if it cleans to nothing.
        `contents`: an entry of a contents list (or its title): it goes into a "contents" section."""
        text = clean_inline(text).replace("\n\n", "\n")
        if not text:
            return None
        if self.length:
            self._append(PARAGRAPH_BREAK)
        start = self.length
        if contents and not self._in_contents:
            self._before_contents = (self._headings[-1][1], self._headings[-1][2]) if self._headings \
                else ("body", "")
            self._headings.append((start, "contents", "Contents"))
        elif heading:
            self._headings.append((start, "heading", " ".join(text.split())))
        elif self._in_contents and not contents:
            # The list ended without a heading after it: the text carries on in the section it interrupted.
            self._headings.append((start, *self._before_contents))
        self._in_contents = contents
        self._append(text)
        return start

    def continue_paragraph(self, text: str, *, joiner: str = " ") -> int | None:
        """Carry on the last paragraph (a sentence running over a page break); returns where the
        added text starts, or None if it cleans to nothing."""
        text = clean_inline(text).replace("\n\n", "\n")
        if not text:
            return None
        if self.length:
            self._append(joiner)
        start = self.length
        self._append(text)
        return start

    def drop_last_char(self) -> str:
        """Take back the last character written (a line-end hyphen that turned out to be soft)."""
        last = self._parts[-1]
        self._parts[-1] = last[:-1]
        self.length -= 1
        return last[-1]

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self.length += len(piece)

    def build(self) -> tuple[str, tuple[Section, ...]]:
        text = "".join(self._parts)
        return text, sections_from_headings(text, self._headings)


def sections_from_headings(text: str, headings: list[tuple[int, str]] | list[tuple[int, str, str]]
                           ) -> tuple[Section, ...]:
    """A "body" section for text before the first heading, then one section per heading up to the
    next; each ends at its last non-space character. `headings` are (start, title) pairs, or (start,
    section name, title) triples ("heading", "contents", or the name of the section a contents list
    interrupted)."""
    starts: list[tuple[int, str, str]] = [(0, "body", "")]
    for entry in headings:
        if len(entry) == 2:
            starts.append((entry[0], "heading", str(entry[1])))
        else:
            starts.append((entry[0], str(entry[1]), str(entry[-1])))
    sections = []
    for i, (start, name, title) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start or name in ("heading", "contents"):
            sections.append(Section(name, start, end, title))
    return tuple(sections)


def invariant_errors(parsed: ParsedFile) -> list[str]:
    """Every broken promise of a ParsedFile, as readable strings (the tests assert this is empty)."""
    errors = []
    text = parsed.text
    if parsed.format not in FORMATS:
        errors.append(f"unknown format {parsed.format!r}")
    if not unicodedata.is_normalized("NFC", text):
        errors.append("text is not NFC")
    bad = sorted({hex(ord(ch)) for ch in text if ch != "\n" and unicodedata.category(ch) == "Cc"})
    if bad:
        errors.append(f"control characters {bad}")
    if re.search(r" \n| $", text):
        errors.append("trailing spaces")
    if "\n\n\n" in text or text != text.strip():
        errors.append("blank runs or surrounding whitespace")
    last = 0
    for section in parsed.sections:
        if not (last <= section.start <= section.end <= len(text)):
            errors.append(f"section out of order or range: {section}")
        last = section.end
    if parsed.pages:
        if parsed.pages[0].start != 0 or parsed.pages[-1].end != len(text):
            errors.append("pages do not cover the text")
        for before, after in zip(parsed.pages, parsed.pages[1:]):
            if before.end != after.start or after.number != before.number + 1:
                errors.append(f"pages not consecutive: {before} {after}")
        if any(p.start > p.end for p in parsed.pages):
            errors.append("a page ends before it starts")
    return errors


def parsed_to_json(parsed: ParsedFile) -> dict:
    return {"text": parsed.text, "sections": [s.to_json() for s in parsed.sections],
            "pages": [p.to_json() for p in parsed.pages], "format": parsed.format, "guess": parsed.guess.to_json(),
            "warnings": list(parsed.warnings), "furniture": list(parsed.furniture), "page_title": parsed.page_title}


def parsed_from_json(record: dict) -> ParsedFile:
    page_title = record.get("page_title")
    return ParsedFile(text=str(record["text"]), sections=tuple(Section.from_json(s) for s in record["sections"]),
                      pages=tuple(Page.from_json(p) for p in record["pages"]), format=str(record["format"]),
                      guess=Guess.from_json(record.get("guess") or {}),
                      warnings=tuple(str(w) for w in record.get("warnings", ())),
                      furniture=tuple(str(f) for f in record.get("furniture", ())),
                      page_title=None if page_title is None else str(page_title))
