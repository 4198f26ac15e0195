"""DOCX -> text with sections, through python-docx (MIT).

Paragraphs and tables are read in document order. Headings start sections: paragraphs styled
"Title" or "Heading N" (or given an outline level), short paragraphs set wholly in bold, and short
numbered lines ("4.2 Information sharing"); a long numbered paragraph is a paragraph. A contents
list (Word's TOC styles, or plain paragraphs under a "Contents" title, or entries ending in page
numbers) is a "contents" section, never headings. A table becomes one paragraph with a line per
row and " | " between cells. The page headers and footers are kept apart as `furniture`. A DOCX has
no fixed pages (Word lays them out when it opens the file), so there are none to cite.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import DocumentError
from ..settings import ParseLimits
from ..text import megabytes
from .parsed import ParsedFile, TextBuilder, mark_contents, numbered_heading

# Old binary .doc files and password-protected .docx files are both OLE containers, not zips.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse_docx(data: bytes, name: str, limits: ParseLimits | None = None) -> ParsedFile:
    limits = limits or ParseLimits()
    _check_inflated_size(data, name, limits)
    document = _open(data, name)
    blocks: list[tuple[str, bool, bool]] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            blocks.append((_table_text(block), False, False))
        else:
            style = _style_name(block)
            contents = style.lower().startswith("toc")
            blocks.append((block.text, not contents and _is_heading(block, style), contents))
    builder = TextBuilder()
    for text, heading, contents in mark_contents(blocks):
        builder.paragraph(text, heading=heading, contents=contents)
    text, sections = builder.build()
    if not text:
        raise DocumentError(f"'{name}' contains no text; check that it is the right file.")
    return ParsedFile(text=text, sections=sections, pages=(), format="docx", furniture=_furniture(document))


def _furniture(document) -> tuple[str, ...]:
    """The page headers' and footers' lines (each once)."""
    found: dict[str, None] = {}
    try:
        for section in document.sections:
            for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
                for paragraph in part.paragraphs:
                    line = " ".join(paragraph.text.split())
                    if line and not re.fullmatch(r"(?:page\b)?\W*\d*(?:\s*of\s*\d+)?", line, re.IGNORECASE):
                        found.setdefault(line)
    except (KeyError, ValueError, AttributeError):
        pass
    return tuple(found)


def _check_inflated_size(data: bytes, name: str, limits: ParseLimits) -> None:
    """Refuse a DOCX whose parts would inflate past the limits, from the sizes its zip directory
    declares. Reading never yields more than a part declares (zipfile stops there and fails the
    CRC check), so a part that lies about its size is refused too, when it is read."""
    if data.startswith(_OLE_MAGIC):
        return  # refused with its own message by _open
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return  # not a zip: _open says so
    total = sum(part.file_size for part in parts)
    largest = max((part for part in parts if part.filename.endswith((".xml", ".rels"))),
                  key=lambda part: part.file_size, default=None)
    if total > limits.max_unzipped_bytes or (largest is not None and largest.file_size > limits.max_xml_part_bytes):
        what = (f"its part {largest.filename} inflates to {megabytes(largest.file_size)}"
                if largest is not None and largest.file_size > limits.max_xml_part_bytes
                else f"its parts inflate to {megabytes(total)}")
        raise DocumentError(f"'{name}' is {megabytes(len(data))} but {what}, over the limit of "
                            f"{megabytes(min(limits.max_unzipped_bytes, limits.max_xml_part_bytes))}; it may be a "
                            "decompression bomb. Open it in Word and save it again, or save it as PDF, and add that.")


def _open(data: bytes, name: str):
    import docx

    if data.startswith(_OLE_MAGIC):
        raise DocumentError(f"'{name}' is an old-style .doc or a password-protected Word file; open it in Word "
                            "and save it as an unprotected .docx, then add that.")
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, docx.opc.exceptions.OpcError) as error:
        raise DocumentError(f"'{name}' is not a valid Word .docx file ({type(error).__name__}); open it in Word "
                            "and save it as .docx again.") from None
    except MemoryError:
        raise  # not damage: the reader's memory limit (qa/ingest/isolated.py) says what happened
    except Exception as error:  # noqa: BLE001 - lxml and zip errors of a damaged package come in many kinds
        raise DocumentError(f"'{name}' is damaged and cannot be read ({type(error).__name__}); open it in Word "
                            "and save it as .docx again.") from None


def _style_name(paragraph) -> str:
    try:
        return paragraph.style.name if paragraph.style is not None and paragraph.style.name else ""
    except (KeyError, ValueError):
        return ""


def _outline_level(paragraph) -> int | None:
    """The outline level Word shows in its navigation pane (0 = level 1), set on the paragraph or
    its style; None for body text."""
    for owner in (paragraph._p, getattr(paragraph.style, "_element", None)):
        if owner is None:
            continue
        found = owner.xpath("./w:pPr/w:outlineLvl/@w:val")
        if found:
            try:
                level = int(found[0])
            except ValueError:
                return None
            return level if level < 9 else None
    return None


def _all_bold(paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    style_bold = bool(getattr(getattr(paragraph.style, "font", None), "bold", None))
    return all(run.bold or (run.bold is None and style_bold) for run in runs)


def _is_heading(paragraph, style: str) -> bool:
    if style == "Title" or style.startswith("Heading") or _outline_level(paragraph) is not None:
        return True
    text = " ".join(paragraph.text.split())
    if not text or len(text) > 200 or re.search(r"[.,;:]$", text) or not (text[0].isupper() or text[0].isdigit()):
        return False
    if _all_bold(paragraph) and len(text.split()) <= 20:
        return True
    return numbered_heading(text)


def _table_text(table) -> str:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; write it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)
