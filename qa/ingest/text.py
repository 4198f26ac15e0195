"""Plain text (.txt) and Markdown (.md) -> text with sections, with the standard library only.

Blank lines separate paragraphs; lines inside a paragraph were wrapped by the writer's editor and
are joined with spaces, unless they are set one by one (a title page, a contents list, a list of
short lines each starting afresh); each list item is a paragraph of its own. Section starts: in
Markdown the "#" headings (written without their "#" marks); in plain text a line in capitals, a
numbered heading line ("3.2 Early help"), or a short line standing alone before prose or named by
the contents list. A contents list is a "contents" section, never headings.
"""

from __future__ import annotations

import re

from ..errors import DocumentError
from .parsed import (
    CONTENTS_TITLE,
    ParsedFile,
    TextBuilder,
    contents_entries,
    contents_entry,
    mark_contents,
    numbered_heading,
)

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$|^ {0,3}(#{1,6})[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•●▪◦‣]|\d{1,3}[.)]|\(?[a-z]\))\s+\S")
_NUMBERED = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+(\S.*)$")
_MONTHS = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)


def parse_text(data: bytes, name: str, *, markdown: bool) -> ParsedFile:
    text = decode_utf8(data, name)
    builder = TextBuilder()
    blocks = list(_markdown_blocks(text) if markdown else _text_blocks(text))
    for paragraph, heading, contents in mark_contents(blocks):
        builder.paragraph(paragraph, heading=heading, contents=contents)
    result, sections = builder.build()
    if not result:
        raise DocumentError(f"'{name}' contains no text; check that it is the right file.")
    return ParsedFile(text=result, sections=sections, pages=(), format="markdown" if markdown else "text")


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
    """(paragraph, is_heading, is_contents) triples of a plain-text file, block by block (blocks are
    separated by blank lines). A block of one short line that is not a sentence is a heading when
    prose or a list follows it, or when the contents list names it."""
    blocks: list[list[str]] = []
    block: list[str] = []
    for line in text.split("\n") + [""]:
        if line.strip():
            block.append(line)
        elif block:
            blocks.append(block)
            block = []
    listed: set[str] = set()
    for number, lines in enumerate(blocks):
        following = blocks[number + 1] if number + 1 < len(blocks) else []
        if len(lines) == 1 and _titled_line(lines[0].strip()) and (
                " ".join(lines[0].split()).lower() in listed or _opens_text(following)):
            yield " ".join(lines[0].split()), True, False
            continue
        for paragraph, heading, contents in _block(lines):
            if contents:
                entry = contents_entry(paragraph)
                listed.add((entry.title if entry else paragraph).lower())
            yield paragraph, heading, contents


def _titled_line(line: str) -> bool:
    words = line.split()
    return (0 < len(words) <= 16 and len(line) <= 120 and (line[:1].isupper() or numbered_heading(line))
            and not re.search(r"[.,;:]$", line) and (not _LIST_ITEM.match(line) or numbered_heading(line))
            and not CONTENTS_TITLE.match(line))


def _opens_text(block: list[str]) -> bool:
    """Prose (a sentence of some length) or a list starts this block."""
    if not block:
        return False
    first = " ".join(block[0].split())
    joined = " ".join(" ".join(line.split()) for line in block)
    listed = bool(_LIST_ITEM.match(block[0])) and not numbered_heading(first) and not _NUMBERED.match(first)
    return listed or (len(joined) >= 60 and bool(re.search(r"[.!?:][\"'”’)]*$", joined)) and len(first.split()) > 3)


def _block(lines: list[str]):
    stripped = [" ".join(line.split()) for line in lines]
    if len(lines) >= 2 and all(" | " in line for line in stripped):
        yield "\n".join(stripped), False, False          # a table: one row a line
        return
    groups = _set_lines(stripped)
    if groups is not None and (len(stripped) >= 3 or not _plain_heading(stripped[0], stripped[1])):
        # A title page, a contents list, a list of short lines: each line (or run of lines joined
        # by a word that carries on) stands alone, none a heading.
        contents = bool(CONTENTS_TITLE.match(stripped[0])) or contents_entries(stripped)
        for group in groups:
            yield group, False, contents
        return
    current: list[str] = []
    for i, line in enumerate(lines):
        text = stripped[i]
        after = stripped[i + 1] if i + 1 < len(lines) else ""
        if not current and _plain_heading(text, after):
            yield text, True, False
        elif _LIST_ITEM.match(line) and current:
            yield from _flush(current)
            current.append(text)
        else:
            current.append(text)
    yield from _flush(current)


_JOINING_END = re.compile(r"(?:[-,‐]|\b(?:and|or|of|the|to|in|for|with|a|an|by|on|at|from|that|which|who|as|is|was|"
                          r"were|be|has|had|have|not|but|if|than|when|where|while|into|onto|under|over|after|before))$",
                          re.IGNORECASE)
_FRESH_START = "\"'‘“(©•●▪-–—*#["


def _set_lines(lines: list[str]) -> list[str] | None:
    """Lines set one by one rather than prose wrapped by an editor: short lines, most starting
    afresh (a capital, a digit, a quote, a bullet, after a line that does not run on with "and", a
    comma or a hyphen). Returns the lines, those that run on joined to the next; None for prose."""
    if len(lines) < 2 or any(len(line) > 100 for line in lines):
        return None
    runs_on = [bool(_JOINING_END.search(a)) or not (b[:1].isupper() or b[:1].isdigit() or b[:1] in _FRESH_START)
               for a, b in zip(lines, lines[1:])]
    longest = max(len(line) for line in lines)
    if sum(runs_on) > len(runs_on) / 3 or not (longest <= 60 or any(len(line) < 0.6 * longest for line in lines[:-1])):
        return None
    groups = [lines[0]]
    for line, joined in zip(lines[1:], runs_on):
        if joined:
            groups[-1] = f"{groups[-1]} {line}"
        else:
            groups.append(line)
    return groups


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
                yield "\n".join(code), False, False
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
                yield atx.group(2), True, False
            continue
        if _SETEXT.match(line) and len(current) == 1 and not _LIST_ITEM.match(current[0]):
            yield current.pop(), True, False
            continue
        if re.fullmatch(r"(?:[-*_][ \t]*){3,}", stripped):
            yield from _flush(current)       # a thematic break
            continue
        if _LIST_ITEM.match(line) and current:
            yield from _flush(current)
        current.append(stripped)
    if code:
        yield "\n".join(code), False, False
    yield from _flush(current)


def _flush(current: list[str]):
    if current:
        yield " ".join(current), False, False
        current.clear()
