"""Exports for trainers' materials, without any UI: the app, the CLI and the tests write through here.

    clips.py    Clip (one chosen passage and the question that found it); an answer's, a conversation's
                (each passage once) or a trainer's picks
    tables.py   CSV (with a byte-order mark) and XLSX: one row per passage, full citation
    notes.py    Markdown and Word teaching notes: by review, passages in document order, evidence in bold
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InvalidQueryError
from .clips import Asked, Clip, Pick, clips_for, clips_of_turn, conversation_clips
from .notes import SOURCE_NOTE, Note, teaching_note
from .tables import COLUMNS

FORMATS = {".csv": "CSV table", ".xlsx": "Excel workbook", ".md": "Markdown teaching note",
           ".docx": "Word teaching note"}

__all__ = ["Asked", "COLUMNS", "Clip", "FORMATS", "Note", "Pick", "SOURCE_NOTE", "clips_for", "clips_of_turn",
           "conversation_clips", "export_path", "teaching_note", "write_clips"]


def export_path(value: str | Path) -> Path:
    """A file to export to: one of FORMATS, in a folder that exists, with what it needs installed
    (checked before any search runs)."""
    path = Path(value)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidQueryError(f"An export must be a {', '.join(FORMATS)} file, not '{path.name}'.")
    if not path.parent.is_dir():
        raise InvalidQueryError(f"The folder {path.parent} does not exist.")
    from ..extras import require

    if suffix == ".xlsx":
        require("web", "The Excel export")
    elif suffix == ".docx":
        require("ingest", "The Word export")
    return path


def write_clips(clips: Sequence[Clip], path: Path, asked: Sequence[Asked] | None = None) -> Path:
    """Write clips in the format the file's suffix names (FORMATS). `asked`: the questions a note lists
    (default: those the clips came from; a conversation export lists every turn)."""
    from . import notes, tables

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        tables.write_csv(clips, path)
    elif suffix == ".xlsx":
        tables.write_xlsx(clips, path)
    elif suffix == ".md":
        path.write_text(notes.to_markdown(teaching_note(clips, asked)), encoding="utf-8")
    elif suffix == ".docx":
        notes.write_docx(teaching_note(clips, asked), path)
    else:
        raise InvalidQueryError(f"An export must be a {', '.join(FORMATS)} file, not '{path.name}'.")
    return path
