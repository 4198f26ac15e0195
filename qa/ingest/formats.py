"""Bytes of a user's file -> ParsedFile, by the parser for its format, with what the document says
about itself (qa/ingest/guess/: title, year, area, name, nation, kind, children). Runs in whichever
process calls it: qa/ingest/isolated.py calls it in a child process with bounded memory and time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import DocumentError
from ..settings import ParseLimits
from .parsed import ParsedFile


def parse_data(data: bytes, path: Path, limits: ParseLimits | None = None) -> ParsedFile:
    """Parse bytes read from `path` in this process (its name and extension choose the parser and
    name it in messages)."""
    path = Path(path)
    limits = limits or ParseLimits()
    name = path.name or str(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from .pdf import parse_pdf
        parsed = parse_pdf(data, name, limits)
    elif suffix == ".docx":
        from .docx import parse_docx
        parsed = parse_docx(data, name, limits)
    elif suffix in (".html", ".htm"):
        from .html import parse_html
        parsed = parse_html(data, name)
    else:
        from .text import parse_text
        parsed = parse_text(data, name, markdown=suffix == ".md")
    if len(parsed.text) > limits.max_characters:
        raise DocumentError(f"'{name}' holds {len(parsed.text):,} characters of text, over the limit of "
                            f"{limits.max_characters:,}; split it into smaller files.")
    from .guess import guess_parsed

    return replace(parsed, guess=guess_parsed(parsed, name))
