"""Reviews -> passages ("chunks") that never cross a section or a review, each a verbatim span."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Callable, Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .corpus import SECTION_LABELS, Review
from .settings import Settings

# Review sections are lists of clauses joined by semicolons; split there before sentences and words.
SEPARATORS = ["\n\n", "; ", ". ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    id: int
    review_id: str
    section: str
    start: int
    end: int
    text: str

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, record: dict) -> "Chunk":
        return cls(**record)


def chunk_reviews(reviews: Iterable[Review], settings: Settings,
                  count_tokens: Callable[[str], int]) -> list[Chunk]:
    """Split every section of every review; a short section is one chunk.

    `count_tokens` measures length in the embedding model's own tokens, so that no chunk is
    truncated by the model's window.
    """
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",
        chunk_size=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap_tokens,
        length_function=count_tokens,
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    for review in reviews:
        for section in review.sections:
            if section.name == "keywords":
                # The subject keywords are searchable through the review's metadata; as a passage
                # they would only ever quote a list of index terms.
                continue
            for start, end in _spans(review.text, section.start, section.end, splitter):
                chunks.append(Chunk(len(chunks), review.id, section.name, start, end, review.text[start:end]))
    return chunks


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


@dataclass(frozen=True)
class Segment:
    """A clause or sentence inside a chunk: the unit the dense model scores and the evidence shown."""

    id: int
    chunk_id: int
    start: int
    end: int

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, record: dict) -> "Segment":
        return cls(**record)


_SEGMENT_BREAK = re.compile(r"(?<=[;.!?])\s+")
MIN_SEGMENT_CHARS = 20


def segment_chunks(chunks: Iterable[Chunk]) -> list[Segment]:
    """Split each chunk at sentence and clause ends; a fragment under MIN_SEGMENT_CHARS joins the
    next one, so "Learning includes:" never stands alone."""
    segments: list[Segment] = []
    for chunk in chunks:
        pieces = []
        cursor = 0
        for match in _SEGMENT_BREAK.finditer(chunk.text):
            pieces.append((cursor, match.start()))
            cursor = match.end()
        pieces.append((cursor, len(chunk.text)))
        merged: list[list[int]] = []
        for start, end in pieces:
            if merged and merged[-1][1] - merged[-1][0] < MIN_SEGMENT_CHARS:
                merged[-1][1] = end
            else:
                merged.append([start, end])
        if len(merged) > 1 and merged[-1][1] - merged[-1][0] < MIN_SEGMENT_CHARS:
            merged[-2][1] = merged.pop()[1]
        for start, end in merged:
            segments.append(Segment(len(segments), chunk.id, chunk.start + start, chunk.start + end))
    return segments


def section_label(name: str) -> str:
    return SECTION_LABELS.get(name, name.title())
