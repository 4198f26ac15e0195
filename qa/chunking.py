"""Documents -> passages ("chunks") -> sentences and clauses ("segments").

A chunk never crosses a section (a summary's "Learning", a report's heading) or a document, and is
a verbatim span: `document.text[start:end]`. Segments are what the model embeds and what is shown
as evidence. Chunks and segments are identified by their document and their ordinal within it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .records import Document
from .settings import Settings

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

# Paragraphs first, then lines, then a numbered paragraph ("3.2 The GP ..."), then the clauses
# review sections are made of (joined by semicolons), then sentences and words.
SEPARATORS = ["\n\n", r"\n(?=\d{1,2}(?:\.\d{1,2})*\.?\s)", "\n", "; ", r"\. ", ", ", " ", ""]
# Sections that are not prose: a summary's subject keywords are searchable through the review's
# metadata; as a passage they would only ever quote a list of index terms.
UNCHUNKED_SECTIONS = frozenset({"keywords"})


@dataclass(frozen=True)
class ChunkSpan:
    section: int          # position of the section in document.sections
    start: int
    end: int


@dataclass(frozen=True)
class SegmentSpan:
    chunk: int            # ordinal of the chunk within the document
    start: int
    end: int


@dataclass(frozen=True)
class DocumentSpans:
    """How one document is cut: what the embedding cache stores next to its vectors."""

    chunks: tuple[ChunkSpan, ...]
    segments: tuple[SegmentSpan, ...]

    def to_json(self) -> dict:
        return {"chunks": [[c.section, c.start, c.end] for c in self.chunks],
                "segments": [[s.chunk, s.start, s.end] for s in self.segments]}

    @classmethod
    def from_json(cls, record: dict) -> DocumentSpans:
        return cls(tuple(ChunkSpan(*map(int, c)) for c in record["chunks"]),
                   tuple(SegmentSpan(*map(int, s)) for s in record["segments"]))


def make_splitter(settings: Settings, count_tokens: Callable[[str], int]) -> RecursiveCharacterTextSplitter:
    """`count_tokens` measures length in the embedding model's own tokens, so that no chunk is
    truncated by the model's window."""
    # Imported here: langchain takes a quarter of a second to import and only builds cut text.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap_tokens,
        length_function=count_tokens,
        strip_whitespace=True,
    )


def split_document(document: Document, splitter: RecursiveCharacterTextSplitter) -> DocumentSpans:
    """Every prose section of a document in chunks, and every chunk in segments."""
    chunks: list[ChunkSpan] = []
    for number, section in enumerate(document.sections):
        if section.name in UNCHUNKED_SECTIONS:
            continue
        for start, end in _spans(document.text, section.start, section.end, splitter):
            chunks.append(ChunkSpan(number, start, end))
    segments = [SegmentSpan(ordinal, start, end)
                for ordinal, chunk in enumerate(chunks)
                for start, end in segment_spans(document.text, chunk.start, chunk.end)]
    return DocumentSpans(tuple(chunks), tuple(segments))


def _spans(text: str, start: int, end: int, splitter: RecursiveCharacterTextSplitter) -> list[tuple[int, int]]:
    """Locate each piece the splitter returns inside text[start:end]. Pieces come back in order and
    may overlap, so each search starts just after the previous piece's start."""
    section_text = text[start:end]
    spans = []
    cursor = 0
    for piece in splitter.split_text(section_text):
        found = section_text.find(piece, cursor)
        if found < 0:
            raise ValueError(f"splitter returned text not in the section: {piece[:60]!r}")
        spans.append((start + found, start + found + len(piece)))
        cursor = found + 1
    return spans


_SEGMENT_BREAK = re.compile(r"(?<=[;.!?])\s+|\n+")
MIN_SEGMENT_CHARS = 20


def count_sentences(text: str) -> int:
    """About how many segments (sentences and clauses) a text will be cut into: what embedding it
    costs, counted before anything is embedded."""
    return sum(1 for _ in _SEGMENT_BREAK.finditer(text)) + 1


def segment_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] at sentence and clause ends; a fragment under MIN_SEGMENT_CHARS joins
    the next one, so "Learning includes:" never stands alone."""
    chunk = text[start:end]
    pieces = []
    cursor = 0
    for match in _SEGMENT_BREAK.finditer(chunk):
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, len(chunk)))
    merged: list[list[int]] = []
    for piece_start, piece_end in pieces:
        if piece_end <= piece_start:
            continue
        if merged and merged[-1][1] - merged[-1][0] < MIN_SEGMENT_CHARS:
            merged[-1][1] = piece_end
        else:
            merged.append([piece_start, piece_end])
    if len(merged) > 1 and merged[-1][1] - merged[-1][0] < MIN_SEGMENT_CHARS:
        last = merged.pop()      # (popped first: `merged[-2][1] = merged.pop()[1]` indexes after the pop)
        merged[-1][1] = last[1]
    return [(start + a, start + b) for a, b in merged] or [(start, end)]
