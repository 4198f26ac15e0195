"""Constraints stated in words ("2022 reviews", "from Wales", "London boroughs", "teenagers")
-> Filters, plus the question with those phrases taken out for retrieval.

Rules here are general English patterns over the corpus's own metadata (years, nations, regions,
area names, child ages), never patterns for particular questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..gazetteer import COMMON_WORD_AREAS, NATION_WORDS, QUESTION_AGE_WORDS, REGION_WORDS
from ..records import Review
from .filters import Filters

_YEAR = r"((?:19|20)\d\d)"
_DASH = r"\s*(?:-|–|—|to|until|through)\s*"
_REVIEW_WORDS = r"(?:reviews?|published|publications?|reports?|cases?|SCRs?|CSPRs?|serious case reviews?)"

# A list of years: "2019 2020 2021", "2019, 2020 and 2021", "2019/2020", "2019 or 2020".
_LIST_SEP = r"(?:\s*[,/&]\s*(?:(?:and|or)\s+)?|\s+(?:(?:and|or|&)\s+)?)"
_YEARS = rf"((?:19|20)\d\d(?:{_LIST_SEP}(?:19|20)\d\d\b)+)"
_THREE_YEARS = rf"((?:19|20)\d\d(?:{_LIST_SEP}(?:19|20)\d\d\b){{2,}})"


def year_list(text: str) -> tuple[int, int] | None:
    """Years listed in `text` -> (first, last) when they are consecutive ("2019, 2020 and 2021" is
    2019–2021), else None: "2019 and 2021" is two years, not a range, and Filters hold only ranges."""
    years = sorted({int(y) for y in re.findall(r"(?:19|20)\d\d", text)})
    return (years[0], years[-1]) if years[-1] - years[0] + 1 == len(years) else None


_YEAR_RULES = [
    # (pattern, function of the match -> (year_from, year_to), or None for listed years that are not a range)
    (re.compile(rf"\bbetween\s+{_YEAR}\s+(?:and|to|-|–)\s+{_YEAR}\b", re.I), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(rf"\b{_YEAR}{_DASH}{_YEAR}\b", re.I), lambda m: (int(m[1]), int(m[2]))),
    # Lists of years, in the same places a single publication year is understood, or joined by and/or.
    (re.compile(rf"\b{_YEARS}\s+{_REVIEW_WORDS}\b", re.I), lambda m: year_list(m[1])),
    (re.compile(rf"\b{_REVIEW_WORDS}\s+(?:\w+\s+){{0,2}}?(?:in|from|during|of)\s+{_YEARS}", re.I),
     lambda m: year_list(m[1])),
    (re.compile(rf"^\s*(?:(?:in|from|during)\s+)?{_YEARS}", re.I), lambda m: year_list(m[1])),
    # Three or more years anywhere are about which reviews, as "2019 or 2020" is; one or two years elsewhere
    # may be when something happened ("died in 2018").
    (re.compile(rf"\b{_THREE_YEARS}", re.I), lambda m: year_list(m[1])),
    (re.compile(rf"\b{_YEAR}\s+(?:or|and|&)\s+{_YEAR}\b", re.I), lambda m: year_list(m[0])),
    (re.compile(rf"\b(?:since|in or after|starting(?: in| from)?)\s+{_YEAR}\b|\bfrom\s+{_YEAR}\s+(?:onwards?|on)\b",
                re.I), lambda m: (int(m[1] or m[2]), None)),
    (re.compile(rf"\b(?:after|later than)\s+{_YEAR}\b", re.I), lambda m: (int(m[1]) + 1, None)),
    (re.compile(rf"\b(?:before|earlier than|prior to)\s+{_YEAR}\b", re.I), lambda m: (None, int(m[1]) - 1)),
    (re.compile(rf"\b(?:until|up to|in or before)\s+{_YEAR}\b", re.I), lambda m: (None, int(m[1]))),
    (re.compile(rf"\b{_YEAR}\s+{_REVIEW_WORDS}\b", re.I), lambda m: (int(m[1]), int(m[1]))),
    (re.compile(rf"\b{_REVIEW_WORDS}\s+(?:\w+\s+){{0,2}}?(?:in|from|during|of)\s+{_YEAR}\b", re.I),
     lambda m: (int(m[1]), int(m[1]))),
    (re.compile(rf"^\s*(?:(?:in|from|during)\s+)?{_YEAR}\b", re.I), lambda m: (int(m[1]), int(m[1]))),
]

# Ages written as numbers ("aged 5 to 11", "16-17 year olds", "under 12s"); age words are in the gazetteer.
_NUMERIC_AGES = [
    (re.compile(r"\b(?:aged|ages)\s+(?:about\s+|between\s+)?(\d{1,2})\s*(?:-|–|to|or|and)\s*(\d{1,2})\b"
                r"(?:[- ]years?(?:[- ]olds?)?)?", re.I),
     lambda m: (float(m[1]), float(m[2]) + 0.99)),
    (re.compile(r"\b(\d{1,2})\s*(?:-|–|to|or|and)\s*(\d{1,2})[- ]?years?[- ]?olds?\b", re.I),
     lambda m: (float(m[1]), float(m[2]) + 0.99)),
    (re.compile(r"\bunder[- ](\d{1,2})s?\b(?![- ]?(?:months?|weeks?))(?:[- ]years?(?:[- ]olds?)?)?", re.I),
     lambda m: (0.0, float(m[1]) - 0.01)),
]
_AGE_RULES = _NUMERIC_AGES + [(word.pattern, lambda m, w=word: (w.low, w.high)) for word in QUESTION_AGE_WORDS]

# How a question is framed, not what it asks: "show me examples of ...", "reviews about ...".
_FILLER = re.compile(
    rf"^\s*(?:(?:please\s+)?(?:show|find|give|list|get)\s+(?:me\s+)?)?(?:some\s+|any\s+|all\s+|the\s+)?"
    rf"(?:(?:examples?|instances?|cases?|{_REVIEW_WORDS})\s+)?"
    r"(?:(?:published|from|in|of|about|on|concerning|regarding|where|involving|that|which|when)\s+)*", re.I)


@dataclass(frozen=True)
class Understanding:
    filters: Filters
    search_text: str
    notes: tuple[str, ...] = field(default=())


def known_places(reviews) -> dict[str, tuple[str, ...]]:
    """Place name as a user might write it -> the corpus areas it covers ("Lancashire" covers
    "Blackburn with Darwen, Blackpool and Lancashire")."""
    return _places(tuple(sorted({r.area for r in reviews if r.area not in ("Anonymous", "Islands")})))


@lru_cache(maxsize=4)
def _places(areas: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    # Cached: the corpus's areas do not change between questions.
    places: dict[str, set[str]] = {}
    for area in areas:
        if any(pattern.fullmatch(area) for pattern, _ in NATION_WORDS):
            continue  # "Isle of Man" is understood as a nation
        places.setdefault(area, set()).add(area)
        for part in re.split(r",\s*|\s+and\s+|\s+with\s+", area):
            part = part.strip()
            if len(part) >= 4 and part[0].isupper() and part not in ("City",):
                places.setdefault(part, set()).add(area)
    return {place: tuple(sorted(covered)) for place, covered in places.items()}


def understand(question: str, reviews: list[Review] | tuple[Review, ...]) -> Understanding:
    spans: list[tuple[int, int]] = []
    notes: list[str] = []
    values: dict = {}

    def claim(match) -> bool:
        start, end = match.span()
        if any(s < end and start < e for s, e in spans):
            return False
        spans.append((start, end))
        return True

    # Named areas first (longest first), so "North East Lincolnshire" is an area, not a region.
    places = known_places(reviews)
    areas: list[str] = []
    for place in sorted(places, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w-]){re.escape(place)}(?![\w-])", question):
            if match.start() == 0 and place.lower() in COMMON_WORD_AREAS:
                continue
            if claim(match):
                areas += [a for a in places[place] if a not in areas]
                notes.append(place)
    if areas:
        values["areas"] = tuple(areas)

    for pattern, years in _YEAR_RULES:
        found = pattern.search(question)
        if found and claim(found):
            span = years(found)
            if span is None:
                listed = sorted({y for y in re.findall(r"(?:19|20)\d\d", found[0])})
                notes.append(f"years {', '.join(listed[:-1])} and {listed[-1]} are not a range, so no year filter "
                             "(set the years in the filters)")
                break
            low, high = span
            if low is not None and high is not None and low > high:
                low, high = high, low  # "2022 to 2019" is the years from 2019 to 2022
            values["year_from"], values["year_to"] = low, high
            notes.append(Filters(year_from=low, year_to=high).describe())
            break

    def collect(rules) -> list[str]:
        found: list[str] = []
        for pattern, names in rules:
            for match in pattern.finditer(question):
                if claim(match):
                    found += [n for n in names if n not in found]
        return found

    regions = collect(REGION_WORDS)
    if regions:
        values["regions"] = tuple(regions)
        notes += regions
    nations = collect(NATION_WORDS)
    if nations:
        values["nations"] = tuple(nations)
        notes += nations if len(nations) < 3 else ["outside England"]

    # Age words stay in the search text ("babies" is also what the question is about); several
    # age phrases ("baby or toddler") widen the range to cover them all.
    age_ranges: list[tuple[tuple[int, int], tuple[float, float]]] = []
    for pattern, ages in _AGE_RULES:
        for match in pattern.finditer(question):
            taken = spans + [span for span, _ in age_ranges]
            if not any(s < match.end() and match.start() < e for s, e in taken):
                age_ranges.append((match.span(), ages(match)))
    if age_ranges:
        values["age_min"] = min(low for _, (low, _high) in age_ranges)
        values["age_max"] = max(high for _, (_low, high) in age_ranges)
        notes.append(Filters(age_min=values["age_min"], age_max=values["age_max"]).describe())

    return Understanding(Filters(**values), _strip_spans(question, spans), tuple(dict.fromkeys(notes)))


_LEAD_IN = re.compile(r"(?:\b(?:published|written|carried out)\s+)?(?:\b(?:in|from|of|for|by|since|across|within|"
                      r"during|after|before|outside)\s+)?(?:\bthe\s+)?$", re.I)


def _strip_spans(question: str, spans: list[tuple[int, int]]) -> str:
    """The question without the constraint phrases (and the words that only introduced them)."""
    text = question
    for start, end in sorted(spans, reverse=True):
        lead = _LEAD_IN.search(text[:start])
        start = lead.start() if lead else start
        text = text[:start] + " " + text[end:]
    text = re.sub(r"\(\s*(?:(?:and|or|,|;|/)\s*)*\)", " ", text)
    text = _FILLER.sub("", text, count=1)
    # Empty when the question was nothing but constraints ("2022", "in Wales"); callers fall back.
    return re.sub(r"\s+", " ", text).strip(" ,;:-?!.")
