"""The development sets' fictional review documents (eval/reports/sources/*.md, eval/titlepages/sources/*.md)
read from their Markdown subset into blocks, so tests and benchmarks can check them and render them
as PDF, DOCX, HTML or text.

The subset: a first line `<!-- format: pdf|docx|html|txt -->`; a `::: cover` ... `:::` block of
title-page lines; `::: running-header <text>`; `::: contents` (a contents list goes there);
`::: pagebreak`; `#`/`##`/`###` headings; paragraphs separated by blank lines; `- ` bullets; `| a | b |`
table rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REPORTS = ROOT / "eval" / "reports"
TITLE_PAGES = ROOT / "eval" / "titlepages"


@dataclass(frozen=True)
class Block:
    kind: str                  # "heading", "paragraph", "bullet", "table", "contents", "pagebreak"
    text: str = ""             # heading or paragraph text, bullet item
    level: int = 0             # heading level (1-3)
    rows: tuple[tuple[str, ...], ...] = ()
    heading: str | None = None  # the heading this block sits under


@dataclass(frozen=True)
class SourceDocument:
    slug: str
    format: str
    cover: tuple[str, ...]
    running_header: str | None
    blocks: tuple[Block, ...]
    truth: dict = field(default_factory=dict)

    @property
    def headings(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "heading"]

    def body_text(self) -> str:
        """Every paragraph, bullet and table cell, in order (what a reader of the body sees)."""
        parts = []
        for block in self.blocks:
            if block.kind in ("paragraph", "bullet", "heading"):
                parts.append(block.text)
            elif block.kind == "table":
                parts += [" | ".join(row) for row in block.rows]
        return "\n\n".join(parts)


_HEADING = re.compile(r"^(#{1,3}) (.+)$")


def read_source(path: Path) -> SourceDocument:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    match = re.match(r"<!-- format: (\w+) -->", lines[0]) if lines else None
    fmt = match.group(1) if match else "pdf"
    cover: list[str] = []
    header = None
    blocks: list[Block] = []
    heading: str | None = None
    paragraph: list[str] = []
    table: list[tuple[str, ...]] = []
    in_cover = False

    def flush() -> None:
        nonlocal paragraph, table
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph), heading=heading))
            paragraph = []
        if table:
            blocks.append(Block("table", rows=tuple(table), heading=heading))
            table = []

    for line in lines[1:] if match else lines:
        stripped = line.strip()
        if in_cover:
            if stripped == ":::":
                in_cover = False
            elif stripped:
                cover.append(stripped)
            continue
        if stripped.startswith(":::"):
            flush()
            directive = stripped[3:].strip()
            if directive == "cover":
                in_cover = True
            elif directive.startswith("running-header"):
                header = directive[len("running-header"):].strip() or None
            elif directive == "contents":
                blocks.append(Block("contents", heading=heading))
            elif directive == "pagebreak":
                blocks.append(Block("pagebreak", heading=heading))
            continue
        if stripped.startswith("<!--"):
            continue
        heading_match = _HEADING.match(stripped)
        if heading_match:
            flush()
            heading = heading_match.group(2).strip()
            blocks.append(Block("heading", heading, level=len(heading_match.group(1)), heading=heading))
            continue
        if not stripped:
            flush()
            continue
        if stripped.startswith("|"):
            if paragraph:
                flush()
            cells = tuple(cell.strip() for cell in stripped.strip("|").split("|"))
            if not all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells):
                table.append(cells)
            continue
        if stripped.startswith("- "):
            flush()
            blocks.append(Block("bullet", stripped[2:].strip(), heading=heading))
            continue
        if table:
            flush()
        paragraph.append(stripped)
    flush()
    return SourceDocument(Path(path).stem, fmt, tuple(cover), header, tuple(blocks))


def load_set(folder: Path) -> list[SourceDocument]:
    """Every source of a set with its truth record (truth/<slug>.json)."""
    documents = []
    for path in sorted((Path(folder) / "sources").glob("*.md")):
        truth_path = Path(folder) / "truth" / f"{path.stem}.json"
        truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else {}
        source = read_source(path)
        documents.append(SourceDocument(source.slug, source.format, source.cover, source.running_header,
                                        source.blocks, truth))
    return documents


def questions() -> list[dict]:
    """The long-report questions: qid, question, document (slug), answer (verbatim), section, type."""
    path = REPORTS / "questions.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
