"""Constraints stated in words -> Filters, read as a careful person reads them, plus the question with
the constraint phrases taken out for retrieval.

* Publication years: "2022 reviews", "in 2021", "from Kent in 2021", ranges ("between 2019 and 2021",
  "since 2021", "2021 or later"), lists ("2019, 2020 and 2021" is a range; "2019 and 2021" two years).
  A year tied to an event ("died in 2020", "released from prison in 2019", "the 2020 lockdown") says
  when something happened, not when a review was published: it is not a filter, stays in the searched
  words, and the answer says so. A year inside a name ("Working Together 2018") is not a year at all.
* Places: nations, English regions and the collection's own area names; a place inside a name
  ("Kent Road", "Birmingham Children's Hospital", "London-born") is not a filter.
* Child ages: age words ("babies", "toddlers", "teenagers"), ages with units ("a 3-month-old",
  "under 6 months", "12-year-olds", "aged 16 or 17", "Year 9 pupils"); ages of adults ("teenage
  mothers", "a 19-year-old father") are not child ages.
* Every year, place or age in the question is either applied or reported as not applied, with why.
* A question that is not in English (the collection and the reader are English) is said to be so.

The words are in qa/gazetteer.py; the rules here are general English patterns, never patterns for
particular questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ..gazetteer import (
    ADULT,
    COMMON_WORD_AREAS,
    NATION_WORDS,
    NUMBER_WORDS,
    QUESTION_AGE_WORDS,
    REGION_WORDS,
    UNIT_YEARS,
    age_span,
    number_value,
)
from ..records import Review
from .filters import Filters

_YEAR = r"(?:19|20)\d\d"
_REVIEW_WORDS = r"(?:reviews?|published|publications?|reports?|cases?|SCRs?|CSPRs?|serious case reviews?)"
# Words that tie a year to something that happened rather than to a review's publication.
_EVENT_BEFORE = re.compile(
    r"\b(?:died|death|deaths|dies|born|birth|released|killed|murdered|injured|harmed|hurt|happened|occurred|"
    r"incident|incidents|lockdowns?|pandemic|admitted|arrested|moved|referred|referral|began|begun|started|left|"
    r"attacked|assaulted|stabbed|shot|found|removed|placed|convicted|sentenced|discharged|excluded|abused|"
    r"disclosed|missing|went|came|arrived|separated|married|diagnosed|taken|seen|visited|assessed|closed|opened|"
    r"when|until it|event|events)\b", re.I)
_EVENT_AFTER = re.compile(r"^\s*(?:lockdowns?|pandemic|riots?|floods?|winter|summer|spring|autumn|incidents?)\b", re.I)
# A capitalised word before a year makes the year part of a name ("Working Together 2018",
# "Children Act 1989"), unless the word is a place, a month or a word that introduces a year.
_NAME_BEFORE_YEAR = re.compile(rf"\b([A-Z][a-zA-Z]+)\s+({_YEAR})\b")
_MONTHS = ("January February March April May June July August September October November December Jan Feb Mar "
           "Apr Jun Jul Aug Sep Sept Oct Nov Dec").split()
_INTRODUCING = {"In", "From", "Since", "During", "Before", "After", "Until", "Between", "And", "Or", "Of",
                "Reviews", "Review", "Published", "Cases", "Only", "Just", "About", "The", "Year", "Fae"}

# Ranges, each -> (year_from, year_to).
_DASH = r"\s*(?:-|–|—|to|until|through)\s*"
_RANGE_RULES = [
    (re.compile(rf"\bbetween\s+({_YEAR})\s+(?:and|to|-|–)\s+({_YEAR})\b", re.I), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(rf"\b({_YEAR}){_DASH}({_YEAR})\b", re.I), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(rf"\b(?:since|in or after|starting(?: in| from)?)\s+({_YEAR})\b|\b(?:from|fae)\s+({_YEAR})\s+"
                rf"(?:onwards?|on)\b|\b(?:from|fae)?\s*({_YEAR})\s+(?:or|and)\s+(?:later|after|efter|since)\b"
                rf"|\b({_YEAR})\s+onwards?\b", re.I),
     lambda m: (int(m[1] or m[2] or m[3] or m[4]), None)),
    (re.compile(rf"\b(?:after|later than)\s+({_YEAR})\b", re.I), lambda m: (int(m[1]) + 1, None)),
    (re.compile(rf"\b(?:before|earlier than|prior to)\s+({_YEAR})\b", re.I), lambda m: (None, int(m[1]) - 1)),
    (re.compile(rf"\b(?:until|up to(?: and including)?|in or before|no later than|to the end of)\s+({_YEAR})\b"
                rf"|\b({_YEAR})\s+(?:or|and)\s+(?:earlier|before)\b", re.I), lambda m: (None, int(m[1] or m[2]))),
]
# A list of years: "2019 2020 2021", "2019, 2020 and 2021", "2019/2020", "2019 or 2020".
_LIST_SEP = r"(?:\s*[,/&]\s*(?:(?:and|or)\s+)?|\s+(?:(?:and|or|&)\s+)?)"
_YEAR_LIST = re.compile(rf"\b{_YEAR}(?:{_LIST_SEP}{_YEAR}\b)+")
_ONE_YEAR = re.compile(rf"(?<![\w-])({_YEAR})(?![\w-])")

# Ages written with numbers. Each rule: (pattern, match -> (low, high) or None when it is not a child's age).
_AGE_OF_ADULT_AFTER = re.compile(r"^\s*(?:-\s*)?(?:parents?|mothers?|mums?|fathers?|dads?|carers?|partners?|"
                                 r"boyfriends?|girlfriends?|men|man|women|woman|adults?|stepfathers?|stepmothers?)\b",
                                 re.I)
_NUMBER = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"


def _years_span(low: str, high: str | None = None) -> tuple[float, float]:
    first = number_value(low)
    last = number_value(high) if high is not None else first
    return first, min(ADULT, last + 1)


_NUMERIC_AGES: list[tuple[re.Pattern, Callable[[re.Match], tuple[float, float] | None]]] = [
    # "aged 5 to 11", "aged 16 or 17", "ages 14-17"
    (re.compile(rf"\b(?:aged|ages?)\s+(?:about\s+|between\s+)?{_NUMBER}\s*(?:-|–|to|or|and)\s*{_NUMBER}\b"
                r"(?:[- ]years?(?:[- ]olds?)?)?", re.I), lambda m: _years_span(m[1], m[2])),
    # "aged 14 and over", "14 and over", "over 14s"
    (re.compile(rf"\b(?:aged\s+)?{_NUMBER}\s*(?:and|or)\s*(?:over|above|older)\b|\bover[- ]{_NUMBER}s\b", re.I),
     lambda m: (number_value(m[1] or m[2]), ADULT)),
    # "16-17 year olds", "5 to 11 year olds"
    (re.compile(rf"\b{_NUMBER}\s*(?:-|–|to|or|and)\s*{_NUMBER}[- ]?years?[- ]?olds?\b", re.I),
     lambda m: _years_span(m[1], m[2])),
    # "under one year old", "under 2 years of age", "younger than 5 years"
    (re.compile(rf"\b(?:under|younger than|below)[- ]{_NUMBER}[- ]years?(?:[- ](?:olds?|of age))?\b", re.I),
     lambda m: (0.0, number_value(m[1])) if 0 < number_value(m[1]) <= ADULT else None),
    # "under 6 months", "under 12 weeks"
    (re.compile(rf"\bunder[- ]{_NUMBER}[- ](months?|weeks?)(?:[- ]olds?)?\b", re.I),
     lambda m: (0.0, round(number_value(m[1]) * UNIT_YEARS[m[2].lower().rstrip("s")], 3))),
    # "a 3-month-old", "12-year-olds", "a 12 year old", "six-week-old"
    (re.compile(rf"\b{_NUMBER}[- ](year|month|week|day)s?[- ]?olds?\b", re.I),
     lambda m: age_span(number_value(m[1]), m[2].lower())),
    # "aged 12", "children aged 12"
    (re.compile(rf"\baged\s+{_NUMBER}\b(?!\s*(?:-|–|to|or|and)\s*\d)", re.I), lambda m: _years_span(m[1])),
    # "Year 9 pupils": school years run from age N+4 to N+5
    (re.compile(r"\bYear\s+(\d{1,2})\s+(?:pupils?|children|students?)\b"),
     lambda m: (int(m[1]) + 4.0, int(m[1]) + 6.0)),
    # "under 5", "under-2s", "under 12s" (not "under 24 hours", not "under section 47")
    (re.compile(r"\bunder[- ](\d{1,2})s?\b(?![- ]?(?:months?|weeks?|hours?|days?|minutes?|%|per))", re.I),
     lambda m: (0.0, float(m[1])) if int(m[1]) <= 18 else None),
]

# Welsh words that English questions do not use: a question made of these is read as Welsh.
_WELSH = frozenset("""yng ym yn y yr a ac o i'r o'r gyda mewn am ar gyfer sut beth pam pa oedd mae oes ydy plant blant
phlant teulu teuluoedd adolygiad adolygiadau gyhoeddwyd cyhoeddwyd fabanod babanod esgeulustod camdriniaeth gam-drin
cam-drin nghymru cymru gogledd ngogledd de gwersi ddweud dweud fu farw marw dan chwe mis oed ag anafiadau arddegau
harddegau eu ei rhwng chamfanteisio camfanteisio domestig""".split())


@dataclass(frozen=True)
class Understanding:
    filters: Filters
    search_text: str
    notes: tuple[str, ...] = field(default=())           # the constraints applied, in words
    not_applied: tuple[str, ...] = field(default=())     # what looked like a constraint and was not used, and why
    incident_years: tuple[int, ...] = field(default=())  # years that say when something happened
    language: str = "en"


def known_places(reviews) -> dict[str, tuple[str, ...]]:
    """Place name as a user might write it -> the corpus areas it covers ("Lancashire" covers
    "Blackburn with Darwen, Blackpool and Lancashire")."""
    return _places(tuple(sorted({r.area for r in reviews if r.area.lower() not in ("anonymous", "islands",
                                                                                      "unknown")})))


@lru_cache(maxsize=4)
def _places(areas: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    # Cached: the corpus's areas do not change between questions.
    places: dict[str, set[str]] = {}
    for area in areas:
        if any(pattern.fullmatch(area) for pattern, _ in NATION_WORDS):
            continue  # "Isle of Man" is understood as a nation
        places.setdefault(area, set()).add(area)
        for part in re.split(r",\s*|\s+and\s+|\s+with\s+|^Pan-", area):
            part = part.strip()
            if len(part) >= 4 and part[0].isupper() and part not in ("City",):
                places.setdefault(part, set()).add(area)
    return {place: tuple(sorted(covered)) for place, covered in places.items()}


# A place word followed by these is part of a name ("Kent Road", "Birmingham Children's Hospital").
_PLACE_IN_A_NAME = re.compile(
    r"^(?:-(?:born|based|bred)\b|\s+(?:Road|Street|Avenue|Lane|Drive|Way|Close|Hospital|Children['’]s Hospital|"
    r"University|College|Airport|Station|Prison|Crown Court|Magistrates|Football|City Council|Royal)\b)")


def language_of(question: str) -> str:
    """"cy" when most of a question's words are Welsh words English does not use, else "en"."""
    words = re.findall(r"[a-zA-Z'’-]+", question.lower().replace("’", "'"))
    welsh = sum(1 for w in words if w in _WELSH)
    english_only = {"y", "a", "i", "o", "am", "ar", "pa", "de", "ag", "eu", "ei", "dan", "mis", "oed", "plant"}
    distinctive = sum(1 for w in words if w in _WELSH and w not in english_only)
    return "cy" if words and distinctive >= 1 and welsh >= 0.5 * len(words) else "en"


def understand(question: str, reviews: list[Review] | tuple[Review, ...]) -> Understanding:
    language = language_of(question)
    if language != "en":
        return Understanding(Filters(), question, not_applied=(
            "This question seems to be in Welsh. Questions are read in English (so are the reviews, and "
            "no year, place or age was taken from it); try asking in English.",), language=language)
    spans: list[tuple[int, int]] = []
    notes: list[str] = []
    not_applied: list[str] = []
    values: dict = {}

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in spans)

    def claim(start: int, end: int) -> bool:
        if not free(start, end):
            return False
        spans.append((start, end))
        return True

    # --- places: named areas first (longest first), so "North East Lincolnshire" is an area ---------
    places = known_places(reviews)
    areas: list[str] = []
    for place in sorted(places, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w-]){re.escape(place)}(?![\w])", question):
            if match.start() == 0 and place.lower() in COMMON_WORD_AREAS:
                continue
            if _in_a_name(question, match.end()):
                if free(*match.span()):
                    not_applied.append(f"“{_name_at(question, match)}” read as a name, not the area {place}")
                    spans.append(match.span())
                continue
            if claim(*match.span()):
                areas += [a for a in places[place] if a not in areas]
                notes.append(place)
    if areas:
        values["areas"] = tuple(areas)

    def collect(rules) -> list[str]:
        found: list[str] = []
        for pattern, names in rules:
            for match in pattern.finditer(question):
                if _in_a_name(question, match.end()):
                    if free(*match.span()):
                        not_applied.append(f"“{_name_at(question, match)}” read as a description, not a place filter")
                        spans.append(match.span())
                    continue
                if claim(*match.span()):
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

    # --- years ---------------------------------------------------------------------------------------
    year_values, year_notes, year_not_applied, incident = _read_years(question, spans, places)
    values.update(year_values)
    notes += year_notes
    not_applied += year_not_applied

    # --- child ages (the words stay in the searched text: "babies" is also what a question is about) ---
    age_ranges, age_not_applied = _read_ages(question, spans)
    not_applied += age_not_applied
    if age_ranges:
        values["age_min"] = min(low for low, _ in age_ranges)
        values["age_max"] = max(high for _, high in age_ranges)
        notes.append(Filters(age_min=values["age_min"], age_max=values["age_max"]).describe())

    # Places and publication years are taken out of the searched text; ages and incident years stay.
    return Understanding(Filters(**values), _strip_spans(question, spans), tuple(dict.fromkeys(notes)),
                         tuple(dict.fromkeys(not_applied)), tuple(incident))


def _in_a_name(question: str, end: int) -> bool:
    return bool(_PLACE_IN_A_NAME.match(question[end:]))


def _name_at(question: str, match: re.Match) -> str:
    rest = _PLACE_IN_A_NAME.match(question[match.end():])
    return question[match.start():match.end() + (rest.end() if rest else 0)]


def _read_years(question: str, spans: list[tuple[int, int]], places: dict[str, tuple[str, ...]]):
    """(filter values, notes, not-applied notes, incident years) for the years in a question; the
    publication-year phrases are added to `spans` (taken out of the searched text)."""
    values: dict = {}
    notes: list[str] = []
    not_applied: list[str] = []
    incident: list[int] = []
    handled: list[tuple[int, int]] = []

    def taken(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in [*spans, *handled])

    # Years inside names are not years.
    for match in _NAME_BEFORE_YEAR.finditer(question):
        word = match.group(1)
        sentence_start = not question[:match.start()].strip() or question[:match.start()].rstrip()[-1] in ".?!:;"
        if sentence_start or word in _MONTHS or word in _INTRODUCING or word in places or _is_place_word(word):
            continue
        handled.append(match.span(2))
        not_applied.append(f"“{match.group(0)}” read as a name, not a year")
    # Years tied to an event: when something happened.
    for match in _ONE_YEAR.finditer(question):
        if taken(*match.span()):
            continue
        before = question[max(0, match.start() - 40):match.start()]
        words_before = " ".join(before.split()[-4:])
        if _EVENT_BEFORE.search(words_before) and not re.search(r"\bpublished\b", words_before, re.I) \
                or _EVENT_AFTER.match(question[match.end():]):
            year = int(match.group(1))
            incident.append(year)
            handled.append(match.span())
            event = (question[max(0, match.start() - len(words_before) - 1):match.end()].strip()
                     if _EVENT_BEFORE.search(words_before) else question[match.start():match.end() + 12].strip())
            not_applied.append(f"{year} says when something happened (“{event}”), not when a review was published: "
                               "it was searched as words, not used as a year filter")
    # Ranges, then lists, then single publication years.
    for pattern, years in _RANGE_RULES:
        for match in pattern.finditer(question):
            if taken(*match.span()) or "year_from" in values or "year_to" in values or "years" in values:
                continue
            low, high = years(match)
            if low is not None and high is not None and low > high:
                low, high = high, low  # "2022 to 2019" is the years from 2019 to 2022
            values["year_from"], values["year_to"] = low, high
            spans.append(match.span())
            notes.append(Filters(year_from=low, year_to=high).describe())
    for match in _YEAR_LIST.finditer(question):
        if taken(*match.span()) or any(k in values for k in ("year_from", "year_to", "years")):
            continue
        listed = sorted({int(y) for y in re.findall(_YEAR, match.group(0))})
        if listed[-1] - listed[0] + 1 == len(listed):
            values["year_from"], values["year_to"] = listed[0], listed[-1]
        else:
            values["years"] = tuple(listed)
        spans.append(match.span())
        notes.append(Filters(year_from=values.get("year_from"), year_to=values.get("year_to"),
                             years=values.get("years", ())).describe())
    for match in _ONE_YEAR.finditer(question):
        if taken(*match.span()):
            continue
        year = int(match.group(1))
        if any(k in values for k in ("year_from", "year_to", "years")):
            not_applied.append(f"{year} was not used: the question already sets the years "
                               f"({Filters(**{k: values[k] for k in values if k.startswith('year')}).describe()})")
            handled.append(match.span())
            continue
        values["year_from"] = values["year_to"] = year
        spans.append(match.span())
        notes.append(str(year))
    return values, notes, not_applied, incident


def _is_place_word(word: str) -> bool:
    """A nation or region word ("Wales", "London", "Yorkshire") before a year: "London 2020"."""
    return any(pattern.fullmatch(word) for pattern, _ in (*NATION_WORDS, *REGION_WORDS))


def _read_ages(question: str, spans: list[tuple[int, int]]):
    """([(low, high)], not-applied notes) for the child ages in a question."""
    found: list[tuple[tuple[int, int], tuple[float, float], bool]] = []   # (where, ages, written in numbers)
    not_applied: list[str] = []
    claimed: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in [*spans, *claimed])

    for pattern, read in _NUMERIC_AGES:
        for match in pattern.finditer(question):
            if not free(*match.span()):
                continue
            claimed.append(match.span())
            span = read(match)
            if span is None:
                continue
            low, high = span
            if _AGE_OF_ADULT_AFTER.match(question[match.end():]) or low >= ADULT:
                not_applied.append(f"“{question[match.start():match.end()].strip()}” is the age of an adult, not "
                                   "of a child: no age filter")
                continue
            found.append((match.span(), (low, min(high, ADULT)), True))
    for word in QUESTION_AGE_WORDS:
        for match in word.pattern.finditer(question):
            if free(*match.span()):
                claimed.append(match.span())
                found.append((match.span(), (word.low, word.high), False))
    return _combine_ages(question, sorted(found)), not_applied


def _combine_ages(question: str, found: list[tuple[tuple[int, int], tuple[float, float], bool]]) \
        -> list[tuple[float, float]]:
    """Age phrases side by side are one statement ("babies under 6 months", "toddlers (aged 1 to 3)",
    "teenagers aged 16 or 17"): the ages in numbers say it more exactly than the word, so they win;
    apart, phrases are alternatives ("babies or toddlers")."""
    combined: list[tuple[tuple[int, int], tuple[float, float], bool]] = []
    for span, ages, numeric in found:
        if combined:
            (start, end), before, before_numeric = combined[-1]
            between = question[end:span[0]]
            if len(between.split()) <= 3 and not re.search(r"\b(?:or|and)\b|[,/]", between):
                if numeric or not before_numeric:
                    narrower = (max(ages[0], before[0]), min(ages[1], before[1]))
                    chosen = ages if numeric and not before_numeric else narrower
                    if chosen[0] < chosen[1]:
                        combined[-1] = ((start, span[1]), chosen, numeric or before_numeric)
                        continue
                else:
                    combined[-1] = ((start, span[1]), before, True)
                    continue
        combined.append((span, ages, numeric))
    return [ages for _, ages, _ in combined]


# How a question is framed, not what it asks: "show me examples of ...", "reviews about ...".
_FILLER = re.compile(
    rf"^\s*(?:(?:please\s+)?(?:show|find|give|list|get)\s+(?:me\s+)?)?(?:some\s+|any\s+|all\s+|the\s+)?"
    rf"(?:(?:examples?|instances?|cases?|{_REVIEW_WORDS})\s+)?"
    r"(?:(?:published|from|in|of|about|on|concerning|regarding|where|involving|that|which|when)\s+)*", re.I)
_LEAD_IN = re.compile(r"(?:\b(?:reviews?|reports?|cases?)\s+(?=(?:published|written|in|from|during)\b))?"
                      r"(?:\b(?:published|written|carried out)\s+)?(?:\b(?:in|from|of|for|by|since|across|within|"
                      r"during|after|before|outside|fae)\s+)?(?:\bthe\s+)?$", re.I)


def _strip_spans(question: str, spans: list[tuple[int, int]]) -> str:
    """The question without the constraint phrases (and the words that only introduced them)."""
    text = question
    for start, end in sorted(set(spans), reverse=True):
        lead = _LEAD_IN.search(text[:start])
        start = lead.start() if lead else start
        text = text[:start] + " " + text[end:]
    text = re.sub(r"\(\s*(?:(?:and|or|,|;|/)\s*)*\)", " ", text)
    text = _FILLER.sub("", text, count=1)
    # Empty when the question was nothing but constraints ("2022", "in Wales"); callers fall back.
    return re.sub(r"\s+", " ", text).strip(" ,;:-?!.")
