"""Plain text (.txt) and Markdown (.md) -> text with sections, with the standard library only.

Blank lines separate paragraphs; lines inside a paragraph were wrapped by the writer's editor and
are joined with spaces; each list item is a paragraph of its own. Section starts: in Markdown the
"#" headings (written without their "#" marks), in plain text a line in capitals or a numbered
heading line ("3.2 Early help").
"""

from __future__ import annotations

import re

from ..errors import DocumentError
from .parsed import ParsedFile, TextBuilder

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$|^ {0,3}(#{1,6})[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•●▪◦‣]|\d{1,3}[.)]|\(?[a-z]\))\s+\S")
_NUMBERED = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+(\S.*)$")
_MONTHS = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)


def parse_text(data: bytes, name: str, *, markdown: bool) -> ParsedFile:
    text = decode_utf8(data, name)
    builder = TextBuilder()
    for paragraph, heading in (_markdown_blocks(text) if markdown else _text_blocks(text)):
        builder.paragraph(paragraph, heading=heading)
    result, sections = builder.build()
    if not result:
        raise DocumentError(f"'{name}' contains no text; check that it is the right file.")
    return ParsedFile(text=result, sections=sections, pages=(), format="markdown" if markdown else "text",
                      title=None, year=None, area=None)


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8 (a byte-order mark is allowed) or a DocumentError saying where it is not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DocumentError(
            f"'{name}' is not UTF-8 text (byte {error.start}, on line {line}, is 0x{data[error.start]:02x}); "
            "save it with UTF-8 encoding and add it again.") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _text_blocks(text: str):
    """(paragraph, is_heading) pairs of a plain-text file."""
    lines = text.split("\n")
    current: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            yield from _flush(current)
            continue
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if not current and _plain_heading(stripped, after):
            yield stripped, True
        elif _LIST_ITEM.match(line) and current:
            yield from _flush(current)
            current.append(stripped)
        else:
            current.append(stripped)
    yield from _flush(current)


def _plain_heading(line: str, following: str) -> bool:
    words = line.split()
    if len(line) > 80 or len(words) > 10 or re.search(r"[.,;:]$", line):
        return False
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) >= 4 and all(ch.isupper() for ch in letters) and len(set(letters)) > 1:
        return True
    numbered = _NUMBERED.match(line)
    if numbered:
        rest = numbered.group(1)
        # "1. Talk to the family" directly followed by "2. ..." is a list, not a heading.
        return rest[:1].isupper() and not _MONTHS.match(rest) and not _NUMBERED.match(following)
    return False


def _markdown_blocks(text: str):
    lines = text.split("\n")
    current: list[str] = []
    fence: str | None = None
    code: list[str] = []
    for line in lines:
        if fence is not None:
            if line.strip().startswith(fence):
                yield "\n".join(code), False
                fence, code = None, []
            else:
                code.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            yield from _flush(current)
            fence = opening.group(1)[0] * 3
            continue
        stripped = line.strip()
        if not stripped:
            yield from _flush(current)
            continue
        atx = _ATX.match(line)
        if atx:
            yield from _flush(current)
            if atx.group(2):
                yield atx.group(2), True
            continue
        if _SETEXT.match(line) and len(current) == 1 and not _LIST_ITEM.match(current[0]):
            yield current.pop(), True
            continue
        if re.fullmatch(r"(?:[-*_][ \t]*){3,}", stripped):
            yield from _flush(current)       # a thematic break
            continue
        if _LIST_ITEM.match(line) and current:
            yield from _flush(current)
        current.append(stripped)
    if code:
        yield "\n".join(code), False
    yield from _flush(current)


def _flush(current: list[str]):
    if current:
        yield " ".join(current), False
        current.clear()
