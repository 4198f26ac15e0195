"""Clips as a teaching note a trainer can hand out: Markdown or Word.

Grouped by review (in the order first picked); each review once with its title, metadata and a link to
its source, then its passages in document order (what happened before the learning), the evidence
sentence in bold, the citation once for consecutive passages from the same place. The questions that
found them are listed once at the top, the credit line at the end. No character offsets: those are for
the CSV and XLSX. Every piece of document text is Markdown-escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..gazetteer import UNKNOWN, AgeSpan
from ..records import NSPCC_CASE_REVIEWS_URL, Document, Review
from ..search.passages import citation_label
from ..text import markdown_text
from .clips import Asked, Clip

TITLE = "Passages from child safeguarding case reviews"
SOURCE_NOTE = ("Source: NSPCC Learning, case review summaries from the national case review repository "
               "(summaries by the NSPCC and the reviewing safeguarding partnerships), and any reports added "
               "to this collection. Passages are quoted verbatim.")
NSPCC_PAGE_NAME = "NSPCC Learning, Recently published case reviews"


@dataclass(frozen=True)
class Quoted:
    """One passage as the note quotes it: the text around its evidence sentence."""

    before: str
    evidence: str
    after: str
    found_by: tuple[int, ...]      # the numbers of the questions that found it


@dataclass(frozen=True)
class Place:
    """Consecutive passages from one place (document, page, section): one citation for them all."""

    citation: str
    passages: tuple[Quoted, ...]


@dataclass(frozen=True)
class ReviewPart:
    review: Review
    details: str                           # year, area, nation, region, ages, documents, keywords
    sources: tuple[tuple[str, str, str | None], ...]   # (document kind, source in words, link or None)
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Note:
    asked: tuple[Asked, ...]
    reviews: tuple[ReviewPart, ...]


def teaching_note(clips: Sequence[Clip], asked: Sequence[Asked] | None = None) -> Note:
    """The note's content. `asked` lists the questions (default: those the clips came from)."""
    questions = list(asked) if asked is not None else list({clip.asked.number: clip.asked for clip in clips}.values())
    by_review: dict[str, list[Clip]] = {}
    for clip in clips:
        by_review.setdefault(clip.review.id, []).append(clip)
    return Note(tuple(questions), tuple(_review_part(group) for group in by_review.values()))


def _review_part(clips: list[Clip]) -> ReviewPart:
    found: dict[str, list[int]] = {}
    unique: dict[str, Clip] = {}
    for clip in clips:
        chunk_id = clip.passage.chunk.id
        unique.setdefault(chunk_id, clip)
        numbers = found.setdefault(chunk_id, [])
        for number in (clip.asked.number, *clip.also_in):
            if number not in numbers:
                numbers.append(number)
    # Chunk rows follow the collection's document order and each document's text order.
    ordered = sorted(unique.values(), key=lambda clip: clip.passage.chunk.row)
    places: list[Place] = []
    for clip in ordered:
        quoted = _quoted(clip, tuple(sorted(found[clip.passage.chunk.id])))
        citation = citation_label(clip.passage)
        if places and places[-1].citation == citation:
            places[-1] = Place(citation, (*places[-1].passages, quoted))
        else:
            places.append(Place(citation, (quoted,)))
    documents = list({clip.passage.chunk.document.id: clip.passage.chunk.document for clip in ordered}.values())
    review = clips[0].review
    return ReviewPart(review, _details(review, documents), tuple(_source(d) for d in documents), tuple(places))


def _quoted(clip: Clip, found_by: tuple[int, ...]) -> Quoted:
    chunk = clip.passage.chunk
    text = chunk.text
    start, end = (min(max(offset - chunk.start, 0), len(text)) for offset in clip.passage.evidence)
    return Quoted(text[:start], text[start:end], text[end:], found_by)


def _details(review: Review, documents: list[Document]) -> str:
    parts = [f"Published {review.year_label}", review.area]
    parts += [value for value in (review.nation, review.region) if value and value != UNKNOWN]
    if review.child_ages:
        parts.append("child's age: " + ", ".join(age_words(span) for span in review.child_ages))
    parts.append("; ".join(dict.fromkeys(d.kind_label for d in documents)))
    if review.keywords:
        parts.append("keywords: " + ", ".join(review.keywords))
    return " · ".join(part for part in parts if part)


def age_words(span: AgeSpan) -> str:
    """A stated age in words: "3 months", "12 years", "1–4 years"."""
    low, high = span
    if low == high:
        if low >= 1:
            return f"{low:g} year{'s' if low != 1 else ''}"
        months = low * 12
        # Ages are stored in years: "3 weeks" is 3/52, "2 months" 2/12; say each in its own unit.
        if round(months) >= 1 and abs(months - round(months)) < 0.05:
            return f"{round(months)} month{'s' if round(months) != 1 else ''}"
        weeks = round(low * 52)
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{low:g}–{high:g} years"


def _source(document: Document) -> tuple[str, str, str | None]:
    if document.file is None:
        return document.kind_label, NSPCC_PAGE_NAME, NSPCC_CASE_REVIEWS_URL
    return document.kind_label, f"the added report “{Path(document.file).name}”", None


def _found_by_suffix(quoted: Quoted, note: Note) -> str:
    if len(note.asked) < 2 or not quoted.found_by:
        return ""
    return f" (question {', '.join(map(str, quoted.found_by))})"


# --- Markdown ---------------------------------------------------------------------------------------

def to_markdown(note: Note) -> str:
    lines = [f"# {TITLE}", ""]
    if note.asked:
        lines += ["Found by " + ("this question:" if len(note.asked) == 1 else "these questions:"), ""]
        lines += [f"{asked.number if len(note.asked) > 1 else '-'}{'.' if len(note.asked) > 1 else ''} "
                  f"{markdown_text(asked.described)}" for asked in note.asked]
        lines.append("")
    if not note.reviews:
        lines += ["No passage was chosen.", ""]
    for part in note.reviews:
        lines += [f"## {markdown_text(part.review.title)}", "", f"*{markdown_text(part.details)}*", ""]
        for kind, where, link in part.sources:
            shown = f"[{markdown_text(where)}]({link})" if link else markdown_text(where)
            lines.append(f"Source ({markdown_text(kind)}): {shown}  ")
        lines.append("")
        for place in part.places:
            lines += [f"**{markdown_text(place.citation)}**", ""]
            for quoted in place.passages:
                body = (markdown_text(quoted.before) + _bold(quoted.evidence) + markdown_text(quoted.after)).strip()
                lines.append("> " + body.replace("\n", "\n> ") + markdown_text(_found_by_suffix(quoted, note)))
                lines.append("")
    lines += ["---", "", SOURCE_NOTE, ""]
    return "\n".join(lines)


def _bold(text: str) -> str:
    """Evidence in bold, line by line (a blank line would end the emphasis), with the spaces around it
    outside the markers (Markdown does not bold "** text**")."""
    marked = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            marked.append(line)
            continue
        lead, trail = line[:len(line) - len(line.lstrip())], line[len(line.rstrip()):]
        marked.append(f"{lead}**{markdown_text(core)}**{trail}")
    return "\n".join(marked)


# --- Word -------------------------------------------------------------------------------------------

def write_docx(note: Note, path: Path) -> None:
    """The same note as a Word document (python-docx, the [ingest] extra)."""
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_heading(TITLE, level=1)
    if note.asked:
        word.add_paragraph("Found by " + ("this question:" if len(note.asked) == 1 else "these questions:"))
        style = "List Number" if len(note.asked) > 1 else "List Bullet"
        for asked in note.asked:
            word.add_paragraph(xml_safe(asked.described), style=style)
    if not note.reviews:
        word.add_paragraph("No passage was chosen.")
    for part in note.reviews:
        word.add_heading(xml_safe(part.review.title), level=2)
        word.add_paragraph().add_run(xml_safe(part.details)).italic = True
        for kind, where, link in part.sources:
            word.add_paragraph(xml_safe(f"Source ({kind}): {where}" + (f", {link}" if link else "")))
        for place in part.places:
            word.add_paragraph().add_run(xml_safe(place.citation)).bold = True
            for quoted in place.passages:
                paragraph = word.add_paragraph(style="Quote")
                paragraph.add_run(xml_safe(quoted.before.lstrip()))
                paragraph.add_run(xml_safe(quoted.evidence)).bold = True
                paragraph.add_run(xml_safe(quoted.after.rstrip() + _found_by_suffix(quoted, note)))
    word.add_paragraph(SOURCE_NOTE)
    word.save(str(path))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text Word can hold: control characters (a damaged PDF's) dropped; python-docx refuses them."""
    return _NOT_XML.sub("", text)
