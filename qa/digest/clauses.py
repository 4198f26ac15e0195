"""A document's learning, recommendations and good practice as verbatim clauses with offsets.

Summaries (the NSPCC page) hold them in the sections named "learning" and "recommendations", as
"Learning includes: a; b; and c." lists: each list item is a clause, the lead-in ("Learning
includes:", "and") is left out of its span, and a sentence naming good practice ("Identifies good
practice, including: ...", "there is evidence of good practice in ...") is good practice. Full
reports hold them under headings: sentences under a heading that reads like findings, learning or
analysis are learning; under recommendations, recommendations; under good practice, good practice.

Nothing is rewritten: a clause is always `document.text[start:end]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Document, Section
from ..text import match_key

LEARNING, RECOMMENDATION, GOOD_PRACTICE = "learning", "recommendation", "good practice"
KINDS = (LEARNING, RECOMMENDATION, GOOD_PRACTICE)

# Shorter than this (after the lead-in) a piece is not a clause of its own ("and", "e.g.").
MIN_CLAUSE_CHARS = 20
MIN_CLAUSE_WORDS = 4

_SUMMARY_SECTIONS = {"learning": LEARNING, "recommendations": RECOMMENDATION}

# Patterns used with `pattern.match(text, pos)` have no "^": it would only match at the text's start.
# Where a summary section's list breaks: at a semicolon, or at a sentence end (a full stop and a
# capital: "e.g. drug use" does not break).
_SUMMARY_BREAK = re.compile(r";\s*|(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
# Lead-ins that open a summary section or a sentence in one: "Learning includes:", "Recommendations
# to the LSCB include:", "Findings include:", "Learning is embedded in the recommendations."
_SUMMARY_LEAD = re.compile(
    r"(?:(?:Learning|Findings|Reflections|Challenges|Identifies learning|Recommend\w*)\b[^.:;]{0,70}:"
    r"|includ\w*\s*:"
    r"|(?:Learning|Recommendations) (?:is|are) embedded in the \w+(?: points)?\s*\.?"
    r"|This review makes no (?:specific |further )?recommendations\s*\.?"
    r"|Identifies (?:areas|examples) of good practice\s*\.)\s*", re.I)
# A sentence that lists good practice ("Identifies good practice, including: a; b."): the lead-in is
# left out and every item is good practice.
_GOOD_PRACTICE_LEAD = re.compile(
    r"(?:(?:identifies|identified|highlights|notes)\s+)?(?:(?:areas|examples|evidence) of\s+)?"
    r"(?:good|positive|effective) practice\b[^.:;]{0,40}?"
    r"(?::|,?\s*\b(?:including|includes|included|such as)\b\s*:?)\s*", re.I)
# A clause that reports good practice ("there is evidence of good practice in the record keeping"),
# as against one asking for it ("produce good practice guides").
_GOOD_PRACTICE_FINDING = re.compile(
    r"\b(?:evidence|examples?|areas?|elements?) of (?:good|positive) practice\b"
    r"|\b(?:good|positive) practice (?:was|were|by|shown|seen|identified|included|including|from)\b"
    r"|^(?:identifies|identified|highlights) (?:good|positive) practice\b", re.I)
_CONJUNCTION = re.compile(r"(?:and|or|and/or|also|plus)\b[\s,]*", re.I)
_TRAILING = " \t\n;,:"

# --- full reports: sentences under headings ------------------------------------------------------

# Front and back matter: never learning, and what follows it is not part of a findings part.
_BACK_MATTER = re.compile(
    r"terms of reference|methodolog|glossary|appendi|contents|statement|executive summary|references"
    r"|bibliograph|acknowledg|abbreviation|foreword|further (?:reading|information)|questions for|membership"
    r"|summary chronology", re.I)
# Context, not learning, when it is a part of its own (as a sub-heading of findings it is findings).
_CONTEXT = re.compile(
    r"background|chronolog|timeline|introduction|circumstances|key (?:events|episodes|practice episodes)"
    r"|family(?:'s|’s)? (?:involvement|perspective|views?|contribution)|involvement of|review process|scope"
    r"|purpose|what happened|why this|questions", re.I)
_HEADING_KINDS = (
    (GOOD_PRACTICE, re.compile(r"good practice|positive practice|effective practice|notable practice"
                               r"|what went well|worked well|strengths", re.I)),
    (RECOMMENDATION, re.compile(r"recommend|improving systems|actions?\b|next steps|what (?:needs|should)"
                                r"|improvement", re.I)),
    (LEARNING, re.compile(r"finding|learning|lessons?\b|analysis|what the review found|key (?:issues|themes)"
                          r"|conclusion|practice issues|reflections?\b|themes|what this means", re.I)),
)
# A heading that names its kind first: "Finding 3: the family's view", "Recommendation 2".
_HEADING_PREFIX = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?"
                             r"(?:(?P<learning>findings?|learning(?: points?)?|lessons?)"
                             r"|(?P<recommendation>recommendations?))\b", re.I)
# A top-level heading in a numbered report: "4. Practice and organisational learning", "6 Findings".
_NUMBERED_HEADING = re.compile(r"^\d{1,2}\.?\s+\S")
# Sentences in report sections: break at sentence ends and line breaks.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
# A report sentence's lead-in: a paragraph number, a bullet, "Recommendation 3:", "Finding 2:".
_REPORT_LEAD = re.compile(
    r"(?:\d{1,2}(?:\.\d{1,3})*\.?\s+|[-*+•●▪◦‣]\s+|\(?[a-z]\)\s+|\(?[ivx]{1,4}\)\s+)*"
    r"(?:(?:recommendation|finding|learning point|learning|lesson)\s*\d{0,3}[.:]\s+)?", re.I)
# Sentences that only announce what follows ("5.1 The review identified the following ...:").
_ANNOUNCEMENT = re.compile(r"(?:this section|the following|in order to promote|the learning is organised)", re.I)


@dataclass(frozen=True)
class Clause:
    """One verbatim clause: `document.text[start:end]` of a review's document."""

    review_id: str
    document_id: str
    kind: str               # "learning", "recommendation" or "good practice"
    start: int
    end: int
    text: str
    section: Section        # where it is (for its citation)


def document_clauses(document: Document) -> tuple[Clause, ...]:
    """Every learning, recommendation and good-practice clause of a document, in text order."""
    clauses: list[Clause] = []
    inherited: str | None = None
    numbered = any(_NUMBERED_HEADING.match(s.title) for s in document.sections if s.title)
    for section in document.sections:
        if section.name in _SUMMARY_SECTIONS:
            spans = summary_spans(document.text, section.start, section.end, _SUMMARY_SECTIONS[section.name])
        elif section.title:
            kind = heading_kind(section.title)
            if _BACK_MATTER.search(section.title) or _NUMBERED_HEADING.match(section.title):
                inherited = kind            # a part of its own begins
            elif kind is None and numbered:
                kind = inherited            # a sub-heading inside a numbered findings or recommendations part
            spans = report_spans(document.text, section.start, section.end, kind, section.title) if kind else []
        else:
            continue
        clauses += [Clause(document.review_id, document.id, span_kind, a, b, document.text[a:b], section)
                    for span_kind, a, b in spans]
    return tuple(clauses)


def heading_kind(title: str) -> str | None:
    """What a report heading holds: "learning", "recommendation", "good practice", or None."""
    named = _HEADING_PREFIX.match(title)
    if named:
        return LEARNING if named.group("learning") else RECOMMENDATION
    if _BACK_MATTER.search(title) or _CONTEXT.search(title):
        return None
    for kind, pattern in _HEADING_KINDS:
        if pattern.search(title):
            return kind
    return None


def summary_spans(text: str, start: int, end: int, kind: str) -> list[tuple[str, int, int]]:
    """A summary section's clauses as (kind, start, end): list items and sentences, lead-ins left out."""
    spans: list[tuple[str, int, int]] = []
    sentence_good = False
    for piece_start, piece_end, sentence_start in _pieces(text, start, end, _SUMMARY_BREAK):
        a = piece_start
        if sentence_start:
            after_lead = _skip(text, _skip(text, a, piece_end, _SUMMARY_LEAD), piece_end, _SUMMARY_LEAD)
            # "Identifies good practice, including: a; b." makes a sentence of good practice; after
            # "Learning includes:" good practice is a clause's own ("evidence of good practice in ...").
            sentence_good = after_lead == a and _GOOD_PRACTICE_LEAD.match(text, a, piece_end) is not None
            a = _skip(text, after_lead, piece_end, _GOOD_PRACTICE_LEAD) if sentence_good else after_lead
        a = _skip(text, a, piece_end, _CONJUNCTION)
        b = _trim_end(text, a, piece_end)
        if not _is_clause(text[a:b]):
            continue
        good = sentence_good or bool(_GOOD_PRACTICE_FINDING.search(text[a:b]))
        spans.append((GOOD_PRACTICE if good and kind == LEARNING or sentence_good else kind, a, b))
    return spans


def report_spans(text: str, start: int, end: int, kind: str, title: str = "") -> list[tuple[str, int, int]]:
    """A report section's sentences as (kind, start, end); lead-ins and announcements left out."""
    spans: list[tuple[str, int, int]] = []
    if title:
        # The section starts with its heading: its first line is not a sentence of it.
        line_end = text.find("\n", start, end)
        if match_key(text[start:line_end if line_end >= 0 else end]).endswith(match_key(title)):
            start = line_end if line_end >= 0 else end
    for piece_start, piece_end, _ in _pieces(text, start, end, _SENTENCE_BREAK):
        if text[piece_start:piece_end].rstrip().endswith(":"):
            continue
        a = _skip(text, piece_start, piece_end, _REPORT_LEAD)
        b = _trim_end(text, a, piece_end)
        if _ANNOUNCEMENT.match(text, a, b) or not _is_clause(text[a:b]):
            continue
        good = kind == LEARNING and bool(_GOOD_PRACTICE_FINDING.search(text[a:b]))
        spans.append((GOOD_PRACTICE if good else kind, a, b))
    return spans


def _pieces(text: str, start: int, end: int, breaks: re.Pattern) -> list[tuple[int, int, bool]]:
    """text[start:end] cut at `breaks`: (start, end, whether the piece starts a sentence)."""
    pieces = []
    cursor, sentence_start = start, True
    for match in breaks.finditer(text, start, end):
        pieces.append((cursor, match.start(), sentence_start))
        sentence_start = ";" not in match.group(0)
        cursor = match.end()
    pieces.append((cursor, end, sentence_start))
    return [p for p in pieces if p[1] > p[0]]


def _skip(text: str, start: int, end: int, pattern: re.Pattern) -> int:
    match = pattern.match(text, start, end)
    return match.end() if match else start


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _is_clause(text: str) -> bool:
    return len(text) >= MIN_CLAUSE_CHARS and len(text.split()) >= MIN_CLAUSE_WORDS and any(c.isalpha() for c in text)
