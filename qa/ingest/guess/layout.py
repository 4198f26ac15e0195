"""The pieces of a document, as a person reads a title page: the cover's lines, the running heads and
footers, and the introduction after them; what a cover line is; and a field found with where it was read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...records import Page, Section

COVER_CHARS = 3000       # a cover is shorter than this ...
COVER_PARAGRAPHS = 16    # ... and has fewer separate lines
INTRO_CHARS = 15000      # the opening account: where the child's age and sex are stated


# --- the pieces of a document: cover, running lines, introduction ------------------------------------

@dataclass(frozen=True)
class _Line:
    text: str
    where: str           # "cover line 3", "running head", "introduction", "file name"


@dataclass(frozen=True)
class _Layout:
    cover: list[_Line]
    furniture: list[_Line]
    body: str            # the text after the cover, contents lists left out


_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def _prose(paragraph: str) -> bool:
    words = paragraph.split()
    return len(paragraph) > 220 or (len(words) >= 12 and bool(_SENTENCE_END.search(paragraph)))


def _layout(text: str, sections: Sequence[Section], pages: Sequence[Page], furniture: Iterable[str]) -> _Layout:
    contents = [(s.start, s.end) for s in sections if s.name == "contents"]
    boundaries = {s.start for s in sections if s.name in ("heading", "contents") and s.start > 0}
    paragraphs = [(m.start(), m.group(0)) for m in _PARAGRAPH.finditer(text)]
    cover: list[str] = []
    cover_end = 0
    first_page = text[pages[0].start:pages[0].end] if len(pages) > 1 else ""
    if first_page.strip() and len(first_page) < COVER_CHARS \
            and not any(_prose(p) for p in first_page.split("\n\n")):
        # A cover page: everything on it is the title page.
        cover = [p for start, p in paragraphs if pages[0].start <= start < pages[0].end]
        cover_end = pages[0].end
    else:
        cover_end = len(text)
        for number, (start, paragraph) in enumerate(paragraphs):
            if (number and start in boundaries) or _prose(paragraph) or number >= COVER_PARAGRAPHS \
                    or start > COVER_CHARS or any(a <= start < b for a, b in contents):
                cover_end = start
                break
            cover.append(paragraph)
    lines = [line for paragraph in cover for line in paragraph.split("\n") if line.strip()]
    pieces, at = [], cover_end
    for start, end in sorted(contents):
        if end <= at:
            continue
        pieces.append(text[at:max(at, start)])
        at = max(at, end)
    pieces.append(text[at:])
    return _Layout([_Line(" ".join(line.split()), f"cover line {i}") for i, line in enumerate(lines, 1)],
                   [_Line(" ".join(line.split()), "running head or footer") for line in furniture if line.strip()],
                   "\n\n".join(piece.strip() for piece in pieces if piece.strip()))


# --- what a line is -----------------------------------------------------------------------------------

_MARKING = re.compile(r"^(?:official(?:\s*[-–—:]?\s*sensitive)?|official-sensitive|confidential|sensitive|restricted|"
                      r"protect(?:ed)?|not protectively marked|draft|private|in confidence|final|final report|"
                      r"not for publication)\W*$", re.IGNORECASE)
_PERSON = re.compile(r"^[^:]{0,45}\b(?:authors?|reviewers?|writers?|chair(?:ed|man|person)?|prepared|written|"
                     r"lead|panel)\b[^:]{0,30}:", re.IGNORECASE)
_REFERENCE = re.compile(r"^(?:ref(?:erence)?\.?:?\s*)?[A-Z]{2,8}[ -]?\d{1,4}[/-]\d{2,4}$")
_VERSION = re.compile(r"^(?:version|v)\s*\d", re.IGNORECASE)
_CONTENTS_TITLE = re.compile(r"^(?:table of )?contents(?: page)?$|^cynnwys$", re.IGNORECASE)


def _furniture_line(line: str) -> bool:
    return bool(_MARKING.match(line) or _PERSON.match(line) or _REFERENCE.match(line) or _VERSION.match(line)
                or _CONTENTS_TITLE.match(line))


# --- what was found, and where ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Found:
    value: Any
    where: str
    nation: str | None = None          # the nation this evidence implies, if any


def _span(first: str, last: str) -> str:
    """"cover line 1" + "cover line 2" -> "cover lines 1-2"."""
    a, b = first.rsplit(" ", 1), last.rsplit(" ", 1)
    if a[0] == b[0] and a[0].endswith("line") and a[1] != b[1]:
        return f"{a[0]}s {a[1]}-{b[1]}"
    return first
