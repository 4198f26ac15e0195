"""Documents -> passages ("chunks") -> sentences and clauses ("segments").

A chunk never crosses a section (a summary's "Learning", a report's heading) or a document, and is
a verbatim span: `document.text[start:end]` that starts and ends on a sentence boundary. Segments are
what the model embeds and what is shown as evidence. Chunks and segments are identified by their
document and their ordinal within it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .records import Document
from .settings import Settings

# Sections that are not prose: a summary's subject keywords are searchable through the review's
# metadata; as a passage they would only ever quote a list of index terms.
UNCHUNKED_SECTIONS = frozenset({"keywords"})

# A paragraph ends at a line break; a report's numbered paragraph ("3.2 The GP ...") starts one.
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")
# A sentence ends at . ! ? (after any closing quote or bracket) before a space and a capital, a digit
# or an opening quote: "e.g. the" and "p. 23" do not end one.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[A-Z0-9\"'\u201c\u2018(\[])")
# Inside an over-long sentence: clauses, then words. Never inside a word.
_CLAUSE_BREAKS = (re.compile(r"(?<=;)\s+"), re.compile(r"(?<=,)\s+"), re.compile(r"\s+"))


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


@dataclass(frozen=True)
class Splitter:
    """How passages are cut: lengths in the embedding model's own tokens (`count_tokens`)."""

    count_tokens: Callable[[str], int]
    chunk_tokens: int          # short paragraphs and lines are joined up to this
    paragraph_tokens: int      # a paragraph up to this stays whole; a longer one is cut between sentences


def make_splitter(settings: Settings, count_tokens: Callable[[str], int]) -> Splitter:
    return Splitter(count_tokens, settings.chunk_tokens, max(settings.paragraph_tokens, settings.chunk_tokens))


def split_document(document: Document, splitter: Splitter) -> DocumentSpans:
    """Every prose section of a document in chunks, and every chunk in segments."""
    chunks: list[ChunkSpan] = []
    for number, section in enumerate(document.sections):
        if section.name in UNCHUNKED_SECTIONS:
            continue
        for start, end in section_chunks(document.text, section.start, section.end, splitter):
            chunks.append(ChunkSpan(number, start, end))
    segments = [SegmentSpan(ordinal, start, end)
                for ordinal, chunk in enumerate(chunks)
                for start, end in segment_spans(document.text, chunk.start, chunk.end)]
    return DocumentSpans(tuple(chunks), tuple(segments))


def section_chunks(text: str, start: int, end: int, splitter: Splitter) -> list[tuple[int, int]]:
    """text[start:end] as passages that start and end on sentence boundaries: paragraphs (and lines)
    are the units, kept whole up to `paragraph_tokens` (a report's numbered paragraph is quoted whole,
    so its answer is never in an unshown half); a longer paragraph is cut between its sentences. Short
    units are joined up to `chunk_tokens`, and a heading line always joins what follows it, so no
    passage is a bare heading unless the section is nothing else."""
    units: list[tuple[int, int, int]] = []        # start, end, tokens
    for a, b in _pieces(text, start, end, _PARAGRAPH_BREAK):
        tokens = splitter.count_tokens(text[a:b])
        if tokens <= splitter.paragraph_tokens:
            units.append((a, b, tokens))
        else:
            units += _sentence_units(text, a, b, splitter)
    chunks: list[list[int]] = []                  # start, end, tokens
    heading_open = False
    for a, b, tokens in units:
        room = splitter.paragraph_tokens if heading_open else splitter.chunk_tokens
        if chunks and chunks[-1][2] + tokens <= room:
            chunks[-1][1], chunks[-1][2] = b, chunks[-1][2] + tokens
        else:
            chunks.append([a, b, tokens])
        heading_open = is_heading_line(text[a:b])
    return [(a, b) for a, b, _ in chunks]


def _sentence_units(text: str, start: int, end: int, splitter: Splitter) -> list[tuple[int, int, int]]:
    """An over-long paragraph's sentences, packed up to `chunk_tokens`; a sentence longer than
    `paragraph_tokens` (rare: a list run together) is cut at clauses, then between words."""
    units: list[tuple[int, int, int]] = []
    for a, b in _pieces(text, start, end, _SENTENCE_BREAK):
        units += _fitted(text, a, b, splitter, 0)
    packed: list[list[int]] = []
    for a, b, tokens in units:
        if packed and packed[-1][2] + tokens <= splitter.chunk_tokens:
            packed[-1][1], packed[-1][2] = b, packed[-1][2] + tokens
        else:
            packed.append([a, b, tokens])
    return [(a, b, t) for a, b, t in packed]


def _fitted(text: str, start: int, end: int, splitter: Splitter, level: int) -> list[tuple[int, int, int]]:
    tokens = splitter.count_tokens(text[start:end])
    if tokens <= splitter.paragraph_tokens or level == len(_CLAUSE_BREAKS):
        return [(start, end, tokens)]
    pieces = _pieces(text, start, end, _CLAUSE_BREAKS[level])
    if len(pieces) == 1:
        return _fitted(text, start, end, splitter, level + 1)
    out: list[tuple[int, int, int]] = []
    for a, b in pieces:
        for piece in _fitted(text, a, b, splitter, level + 1):
            if out and out[-1][2] + piece[2] <= splitter.paragraph_tokens:
                out[-1] = (out[-1][0], piece[1], out[-1][2] + piece[2])
            else:
                out.append(piece)
    return out


def _pieces(text: str, start: int, end: int, pattern: re.Pattern) -> list[tuple[int, int]]:
    """text[start:end] cut where `pattern` matches, each piece stripped of surrounding space; empty
    pieces dropped."""
    spans = []
    cursor = start
    for match in pattern.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    out = []
    for a, b in spans:
        piece = text[a:b]
        stripped = piece.strip()
        if stripped:
            a += len(piece) - len(piece.lstrip())
            out.append((a, a + len(stripped)))
    return out


def is_heading_line(line: str) -> bool:
    """A short line that does not end like a sentence: a heading ("Learning point 3: Waiting is not a
    plan" counts), a contents line, a table row."""
    stripped = line.strip()
    return (len(stripped) <= 120 and stripped[-1:] not in ".!?;:,"
            and len(stripped.split()) <= 16)


# Sections that only point at the substance: a contents list, a glossary, terms of reference (the
# questions a review was asked, never its answers). Matched on the section's heading.
_SCAFFOLDING_HEADING = re.compile(
    r"\b(contents|glossary|abbreviations|acronyms|terms used|terms of reference|key lines of enquiry)\b", re.I)
_SENTENCE_END = (".", "!", "?", ";", ":", ",", '"', "'", ")", "\u201d", "\u2019")


def is_scaffolding(text: str, heading: str = "") -> bool:
    """A passage that is a document's scaffolding rather than its substance: in a contents list, a
    glossary or terms of reference (the questions a review was asked, never its answers), by its
    section's heading; or mostly lines that do not end as sentences do (a title page, contents or
    glossary rows, a table, a bare heading). Such a passage can share a question's words without
    answering it."""
    if _SCAFFOLDING_HEADING.search(heading):
        return True
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    listed = sum(len(line) for line in lines if not line.endswith(_SENTENCE_END))
    return listed * 10 >= sum(len(line) for line in lines) * 6


# A long document's own summary: its heading (numbered or not), and the kinds of document that are
# summaries themselves (they have no body to defer to).
_SUMMARY_HEADING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s+)?(?:executive\s+summary|summary|overview)\s*$", re.I)
_SUMMARY_KINDS = ("summary", "executive-summary")


def summary_section(document: Document) -> int | None:
    """The number of the section in which a long document sums itself up: headed "Executive summary",
    "Summary" or "Overview", and ending within the first quarter of the text, so a body at least three
    times as long follows it. None for a document that is itself a summary, or has no such section."""
    if document.kind in _SUMMARY_KINDS:
        return None
    for number, section in enumerate(document.sections):
        if section.end * 4 > len(document.text):
            return None
        if _SUMMARY_HEADING.match(section.title):
            return number
    return None


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
