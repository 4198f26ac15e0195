"""Clips as a table: CSV (with a byte-order mark, so Excel on Windows reads UTF-8) and XLSX. One row per
passage, with its full citation; a cell a spreadsheet would run as a formula is kept as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from ..search.passages import citation_label, page_span
from .clips import Clip

COLUMNS = ["question", "filters", "turn", "message", "change", "rank", "title", "year", "area", "name", "nation",
           "region", "document", "page", "page_end", "section", "citation", "passage", "evidence", "start", "end",
           "review_id", "document_id", "passage_id", "keywords", "score", "also_in"]
# XLSX column widths (characters); the rest get DEFAULT_WIDTH.
WIDTHS = {"question": 30, "title": 36, "citation": 30, "passage": 80, "evidence": 50, "review_id": 30,
          "document_id": 34, "passage_id": 36, "keywords": 30, "filters": 20, "message": 24, "change": 24}
DEFAULT_WIDTH = 12
WRAPPED = ("question", "title", "passage", "evidence", "keywords")
# What Excel, LibreOffice and Sheets start a formula with (and the tab and return that can hide one).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(clips: Sequence[Clip]) -> list[dict]:
    table = []
    for clip in clips:
        passage, review, asked = clip.passage, clip.review, clip.asked
        chunk = passage.chunk
        first, last = page_span(passage)
        table.append({
            "question": asked.question,
            "filters": asked.filters,
            "turn": asked.number,
            "message": asked.message,
            "change": asked.change,
            "rank": clip.rank,
            "title": review.title,
            "year": review.year,
            "area": review.area,
            "name": review.name,
            "nation": review.nation,
            "region": review.region,
            "document": chunk.document.kind_label,
            "page": (first.label or first.number) if first else "",
            "page_end": (last.label or last.number) if last else "",
            "section": chunk.section.label,
            "citation": citation_label(passage),
            "passage": chunk.text,
            "evidence": clip.evidence_text,
            "start": chunk.start,
            "end": chunk.end,
            "review_id": review.id,
            "document_id": chunk.document.id,
            "passage_id": chunk.id,
            "keywords": "; ".join(review.keywords),
            "score": round(clip.score, 4),
            "also_in": ", ".join(map(str, clip.also_in)),
        })
    return table


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value[:1] in _FORMULA_START


def to_csv(clips: Sequence[Clip]) -> str:
    """The CSV text (without the byte-order mark: write_csv adds it). A cell a spreadsheet would run as
    a formula is prefixed with '."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(clips):
        writer.writerow({key: "'" + value if looks_like_formula(value) else value for key, value in row.items()})
    return out.getvalue()


def write_csv(clips: Sequence[Clip], path: Path) -> None:
    # A byte-order mark first, so Excel on Windows reads it as UTF-8 ("2021 – City and Hackney").
    Path(path).write_text(to_csv(clips), encoding="utf-8-sig", newline="")


def write_xlsx(clips: Sequence[Clip], path: Path) -> None:
    """One sheet, one row per passage: a bold, frozen header row, the passage column wrapped. Text is
    stored as text: openpyxl would store a string starting with "=" as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Passages"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for number, row in enumerate(rows(clips), 2):
        for column, name in enumerate(COLUMNS, 1):
            value = row[name]
            cell = sheet.cell(row=number, column=column, value=_cell_value(value))
            if isinstance(value, str):
                cell.data_type = "s"          # never a formula, whatever the text starts with
            cell.alignment = wrap if name in WRAPPED else top
    for column, name in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(name, DEFAULT_WIDTH)
    sheet.freeze_panes = "A2"
    book.save(str(path))


def _cell_value(value):
    # Control characters other than tab and line breaks are not allowed in XLSX cells.
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32 and ch != "\x7f")
    return value
