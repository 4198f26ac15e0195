"""What a review's words say about it: the ages of its children, and its readable,
position-independent id. Shared by every source format."""

from __future__ import annotations

import hashlib

from ..gazetteer import AGE_IN_BRACKETS, AGE_PHRASE, TEXT_AGE_WORDS, age_phrase_years
from ..text import normalise_space, slugify


def child_ages(summary: str) -> tuple[float, ...]:
    """Distinct ages under 18, in years, stated in a summary ("a 9-week-old boy" -> 0.17)."""
    ages = set()
    for match in AGE_PHRASE.finditer(summary):
        years = age_phrase_years(match)
        if years < 18:
            ages.add(round(years, 2))
    ages.update(float(m.group(1)) for m in AGE_IN_BRACKETS.finditer(summary) if int(m.group(1)) < 18)
    if not ages:
        for word in TEXT_AGE_WORDS:
            if word.typical is not None and word.pattern.search(summary):
                ages.add(word.typical)
    return tuple(sorted(ages))


def review_id(year: int, area: str, name: str, text: str) -> str:
    """Readable and stable: it changes only if the entry's own words change, never with its position."""
    slug = slugify(f"{year} {area} {name}")
    digest = hashlib.sha1(normalise_space(text).encode("utf-8")).hexdigest()[:6]
    return f"{slug}-{digest}"
