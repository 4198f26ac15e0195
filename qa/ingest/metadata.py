"""What a review's words say about it: the ages of its children, and its readable,
position-independent id. Shared by every source format."""

from __future__ import annotations

import hashlib
import re

from ..gazetteer import (
    AGE_IN_BRACKETS,
    AGE_PHRASE,
    NUMBER,
    TEXT_AGE_WORDS,
    UNIT_YEARS,
    AgeSpan,
    age_phrase_years,
    parse_number,
    stated_age,
)
from ..text import normalise_space, slugify


def child_ages(summary: str) -> tuple[AgeSpan, ...]:
    """Distinct child ages stated in a summary, as spans (gazetteer.AgeSpan): each number under 18 is a
    point ("a 9-week-old boy" -> (0.17, 0.17)); without any number, each age word is the range it means
    ("a baby" -> (0.0, 1.0)), so a narrower filter still finds the review."""
    points = set()
    for match in AGE_PHRASE.finditer(summary):
        years = age_phrase_years(match)
        if years < 18:
            points.add(stated_age(years))
    points.update(float(m.group(1)) for m in AGE_IN_BRACKETS.finditer(summary) if int(m.group(1)) < 18)
    if points:
        return tuple((age, age) for age in sorted(points))
    return tuple(sorted({(word.low, word.high) for word in TEXT_AGE_WORDS if word.pattern.search(summary)}))


def review_id(year: int | None, area: str, name: str, text: str) -> str:
    """Readable and stable: it changes only if the entry's own words change, never with its position.
    A review whose year is unknown has none in its id."""
    slug = slugify(f"{year} {area} {name}" if year is not None else f"{area} {name}")
    digest = hashlib.sha1(normalise_space(text).encode("utf-8")).hexdigest()[:6]
    return f"{slug}-{digest}"


# --- the age of one child, as an opening account states it ------------------------------------------

_UNIT = r"(year|month|week|day)s?"
# "a seven-month-old", "ten weeks old", "2-year-11-month-old", "two and a half years old"
_AGE_OLD = re.compile(rf"\b({NUMBER})(?:[- ]and[- ]a[- ]half)?[- ]{_UNIT}(?:[- ](?:and[- ])?({NUMBER})[- ]months?)?"
                      r"[- ]olds?\b", re.IGNORECASE)
# "aged 16 months", "aged 2 years and 4 months", "aged 12", "aged two"
_AGED = re.compile(rf"\baged\s+({NUMBER})(?:\s+{_UNIT}(?:,?\s+and\s+({NUMBER})\s+months?)?)?\b"
                   r"(?!\s*(?:%|per\b|to\b|and\s+\d|-\s*\d))", re.IGNORECASE)
# "a baby of nine months", "a boy of 16"
_CHILD_OF = re.compile(rf"\b(?:baby|infant|boy|girl|child|toddler)\s+of\s+({NUMBER})(?:\s+{_UNIT})?\b(?!\s*%)",
                       re.IGNORECASE)
# Straight after a child's name: ", was five." / "(15)".
_BARE = re.compile(rf"^\W{{0,3}}(?:who\s+)?(?:was|is)\s+({NUMBER})\b"
                   rf"(?!\s*(?:%|per\b|times\b|of\b|in\b|[.:]\d)|\s+{_UNIT})", re.IGNORECASE)
_BRACKETED = re.compile(rf"^\s*\(({NUMBER})\)")


def _years(number: str, unit: str | None, months: str | None = None) -> float | None:
    value = parse_number(number)
    if value is None:
        return None
    years = value * UNIT_YEARS[(unit or "year").lower()]
    if months:
        extra = parse_number(months)
        years += (extra or 0) / 12
    return stated_age(years)


def age_in(window: str) -> float | None:
    """The first age a short stretch of text after a child's name gives, in years (months as m/12,
    weeks as w/52, rounded to 2 decimals): "a seven-month-old girl" -> 0.58, "aged 2 years and 4
    months" -> 2.33, ", was five." -> 5.0. None if it gives none under 18."""
    found: list[tuple[int, float | None]] = []
    for pattern in (_AGE_OLD, _AGED, _CHILD_OF):
        for match in pattern.finditer(window):
            found.append((match.start(), _years(match.group(1), match.group(2), match.group(3)
                                                if pattern.groups >= 3 else None)))
            break
    for pattern in (_BARE, _BRACKETED):
        start = pattern.match(window)
        if start:
            found.append((start.start(), _years(start.group(1), None)))
    for _, years in sorted(found, key=lambda item: item[0]):
        if years is not None and years < 18:
            return years
    return None


def stated_ages(text: str) -> tuple[AgeSpan, ...] | None:
    """Child ages as a person writes them, one child per comma or semicolon: "3 years; 5 months",
    "2 years and 4 months", "14", "six weeks", "a baby", "12 to 18" (from, and up to) -> spans as the
    collection keeps them (a number is a point, a word its range). None when a part is not an age
    under 18."""
    spans: list[AgeSpan] = []
    for part in re.split(r"[,;]", text):
        part = " ".join(part.split()).strip(" .")
        if not part:
            continue
        span = re.fullmatch(r"(\d{1,2}(?:\.\d+)?)\s*(?:to|-|–)\s*(\d{1,2}(?:\.\d+)?)(?:\s+years)?", part)
        if span and float(span.group(1)) < float(span.group(2)) <= 18:
            spans.append((float(span.group(1)), float(span.group(2))))     # from, and up to (years)
            continue
        plain = re.fullmatch(r"\d{1,2}(?:\.\d+)?", part)
        years = float(part) if plain else age_in(part if re.search(r"\bold\b|\baged\b", part, re.I)
                                                 else f"aged {part}")
        if years is not None and years < 18:
            spans.append((stated_age(years), stated_age(years)))
            continue
        words = [(word.low, word.high) for word in TEXT_AGE_WORDS if word.pattern.fullmatch(re.sub(
            r"^(?:an?|the)\s+", "", part, flags=re.I))]
        if not words:
            return None
        spans.append(words[0])
    return tuple(sorted(set(spans)))


# How stated_ages reads back an age word's range: the first of these that means it.
_AGE_WORD_EXAMPLES = ("newborn", "baby", "toddler", "primary school children", "secondary school pupils",
                      "teenager")


def ages_text(spans: tuple[AgeSpan, ...]) -> str:
    """Child ages as a person writes them, read back the same by stated_ages: (0.42, 0.42) ->
    "5 months", (3.0, 3.0) -> "3 years", (0.0, 1.0) -> "baby"; "" for none."""
    words = {}
    for example in reversed(_AGE_WORD_EXAMPLES):
        read = stated_ages(example)
        if read:
            words[read[0]] = example
    parts = []
    for low, high in spans:
        if low != high:
            parts.append(words.get((low, high), f"{low:g} to {high:g}"))
            continue
        years, months = int(low), round((low - int(low)) * 12)
        if stated_age(years + months / 12) == low and months < 12:
            unit = [f"{years} year{'s' if years != 1 else ''}"] if years else []
            unit += [f"{months} month{'s' if months != 1 else ''}"] if months or not years else []
            parts.append(" and ".join(unit))
        elif stated_age(round(low * 52) / 52) == low:
            parts.append(f"{round(low * 52)} weeks")
        else:
            parts.append(f"{low:g}")
    return "; ".join(parts)
