"""What every format parser returns (`ParsedFile`), and the shared way of writing its text.

All parsers go through `TextBuilder`: it cleans each paragraph (NFC, no control characters, no
stray spaces) *before* appending it, so the offsets it records for headings and pages are offsets
into the final text. Cleaning afterwards would shift every offset already recorded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..records import Page, Section

FORMATS = ("pdf", "docx", "html", "text", "markdown")
PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class ParsedFile:
    """A user's file as text. `sections` are non-overlapping and in order; `pages` (PDF only) are
    consecutive and cover the text. `title`, `year` and `area` are guesses from the first lines."""

    text: str
    sections: tuple[Section, ...]
    pages: tuple[Page, ...]
    format: str
    title: str | None
    year: int | None
    area: str | None
    warnings: tuple[str, ...] = ()


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
    """Appends paragraphs with "\\n\\n" between them, remembering where each heading starts."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0
        self._headings: list[tuple[int, str]] = []

    def paragraph(self, text: str, *, heading: bool = False) -> int | None:
        """Start a new paragraph; returns where its text starts, or None if it cleans to nothing."""
        text = clean_inline(text).replace("\n\n", "\n")
        if not text:
            return None
        if self.length:
            self._append(PARAGRAPH_BREAK)
        start = self.length
        if heading:
            self._headings.append((start, " ".join(text.split())))
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


def sections_from_headings(text: str, headings: list[tuple[int, str]]) -> tuple[Section, ...]:
    """A "body" section for text before the first heading, then one "heading" section per heading
    up to the next; each ends at its last non-space character."""
    starts = [(0, "body", "")] + [(start, "heading", title) for start, title in headings]
    sections = []
    for i, (start, name, title) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start or name == "heading":
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
            "pages": [p.to_json() for p in parsed.pages], "format": parsed.format, "title": parsed.title,
            "year": parsed.year, "area": parsed.area, "warnings": list(parsed.warnings)}


def parsed_from_json(record: dict) -> ParsedFile:
    return ParsedFile(text=str(record["text"]), sections=tuple(Section.from_json(s) for s in record["sections"]),
                      pages=tuple(Page.from_json(p) for p in record["pages"]), format=str(record["format"]),
                      title=record.get("title"), year=record.get("year"), area=record.get("area"),
                      warnings=tuple(str(w) for w in record.get("warnings", ())))
