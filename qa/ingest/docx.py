"""DOCX -> text with sections, through python-docx (MIT).

Paragraphs and tables are read in document order. Paragraphs styled "Title" or "Heading N" start
sections; a table becomes one paragraph with a line per row and " | " between cells. A DOCX has
no fixed pages (Word lays them out when it opens the file), so there are none to cite.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import DocumentError
from ..settings import ParseLimits
from ..text import megabytes
from .parsed import ParsedFile, TextBuilder

# Old binary .doc files and password-protected .docx files are both OLE containers, not zips.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse_docx(data: bytes, name: str, limits: ParseLimits | None = None) -> ParsedFile:
    limits = limits or ParseLimits()
    _check_inflated_size(data, name, limits)
    document = _open(data, name)
    builder = TextBuilder()
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            builder.paragraph(_table_text(block))
        else:
            builder.paragraph(block.text, heading=_is_heading(block))
    text, sections = builder.build()
    if not text:
        raise DocumentError(f"'{name}' contains no text; check that it is the right file.")
    return ParsedFile(text=text, sections=sections, pages=(), format="docx", title=None, year=None, area=None)


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


def _is_heading(paragraph) -> bool:
    try:
        style = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return False
    return style == "Title" or style.startswith("Heading")


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
