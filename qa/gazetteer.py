"""Places and ages: what the collection's metadata can hold and how people write it.

The one home of this knowledge. Ingest reads a review's nation and region from its area and its
children's ages from its words; question understanding reads places and ages in a question;
follow-ups, filters and the app's lists draw on the same names. Nothing here is about a
particular question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- nations and regions ------------------------------------------------------------------------------

UNKNOWN = "unknown"
NATIONS = ("England", "Wales", "Scotland", "Northern Ireland", "Channel Islands", "Isle of Man")
NON_ENGLAND = tuple(n for n in NATIONS if n != "England")
# The region of an English review whose area is not in the table below.
ENGLAND_REGION_UNKNOWN = "England (region unknown)"

# Areas outside England: partnerships as the NSPCC page names them, and the local authorities
# (Wales's 22, Scotland's 32, Northern Ireland's 11) a user's own report may name.
_OUTSIDE_ENGLAND = {
    "Wales": "Wales; Cwm Taf; Cwm Taf Morgannwg; North Wales; Western Bay; West Glamorgan; Gwent; Cardiff and Vale; "
             "Mid and West Wales; Powys; Wrexham; Flintshire; Denbighshire; Conwy; Gwynedd; Anglesey; "
             "Isle of Anglesey; Ynys Môn; Ceredigion; Pembrokeshire; Carmarthenshire; Swansea; Neath Port Talbot; "
             "Bridgend; Vale of Glamorgan; Cardiff; Rhondda Cynon Taf; Merthyr Tydfil; Caerphilly; Blaenau Gwent; "
             "Torfaen; Monmouthshire; Newport",
    "Scotland": "Argyll and Bute; East Lothian and Midlothian; North Lanarkshire; Glasgow; Edinburgh; Fife; Highland; "
                "Aberdeen; Aberdeen City; Aberdeenshire; Angus; Clackmannanshire; Dumfries and Galloway; Dundee; "
                "East Ayrshire; East Dunbartonshire; East Lothian; East Renfrewshire; Falkirk; Inverclyde; "
                "Midlothian; Moray; Western Isles; Na h-Eileanan Siar; North Ayrshire; Orkney; Perth and Kinross; "
                "Renfrewshire; Scottish Borders; Shetland; South Ayrshire; South Lanarkshire; Stirling; "
                "West Dunbartonshire; West Lothian; City of Edinburgh; Glasgow City",
    "Northern Ireland": "Northern Ireland; Belfast; Antrim and Newtownabbey; Ards and North Down; "
                        "Armagh City, Banbridge and Craigavon; Causeway Coast and Glens; Derry City and Strabane; "
                        "Fermanagh and Omagh; Lisburn and Castlereagh; Mid and East Antrim; Mid Ulster; "
                        "Newry, Mourne and Down",
    # The Islands Safeguarding Children Partnership covers Guernsey and Alderney.
    "Channel Islands": "Guernsey and Alderney; Guernsey; Jersey; Alderney; Islands",
    "Isle of Man": "Isle of Man",
}
AREA_NATIONS = {area.strip().lower(): nation for nation, areas in _OUTSIDE_ENGLAND.items()
                for area in areas.split(";")}

# English regions (ONS), by partnership area as named on the page.
REGION_AREAS = {
    "London": "Barnet; Bexley; Brent; Bromley; Camden; City and Hackney; Croydon; Ealing; Enfield; Greenwich; "
              "Harrow; Hillingdon; Hounslow; Lambeth; Lambeth and Bromley; Lewisham; Lewisham and Harrow; Merton; "
              "Redbridge; Richmond; Richmond Upon Thames; Sutton; Tower Hamlets; Waltham Forest; Wandsworth; "
              "Hackney; Islington; Haringey; Newham; Southwark; Westminster; Kensington and Chelsea; Havering; "
              "Barking and Dagenham; Kingston; Kingston upon Thames; Hammersmith and Fulham; Bexley and Greenwich",
    "North East": "Newcastle; South Tees; South Tyneside; Sunderland; North Tyneside; Gateshead; Durham; "
                  "Northumberland; Hartlepool; Stockton; Stockton-on-Tees; Darlington; Middlesbrough; "
                  "Redcar and Cleveland; County Durham; Tees Valley",
    "North West": "Blackburn with Darwen; Blackburn with Darwen, Blackpool and Lancashire; "
                  "Blackburn with Darwen, Blackpool, Lancashire; Blackburn, Darwen, Blackpool and Lancashire; "
                  "Blackpool; Bolton; Bury; Cheshire East; Cheshire West; Cumbria; Halton; Lancashire; Manchester; "
                  "Manchester with Trafford; Oldham; Rochdale; Salford; Sefton; St Helens; Tameside; Trafford; "
                  "Warrington; Wigan; Wirral; Liverpool; Knowsley; Stockport; Cumberland; Westmorland and Furness; "
                  "Cheshire West and Chester; Greater Manchester; Merseyside",
    "Yorkshire and the Humber": "Barnsley; Bradford; Doncaster; East Riding; Hull; Kirklees; Leeds; "
                                "North East Lincolnshire; Sheffield; Wakefield; Calderdale; Rotherham; York; "
                                "North Yorkshire; North Lincolnshire; East Riding of Yorkshire; Kingston upon Hull",
    "West Midlands": "Birmingham; Coventry; Dudley; Herefordshire; Sandwell; Solihull; Staffordshire; Walsall; "
                     "Warwickshire; Wolverhampton; Shropshire; Telford and Wrekin; Worcestershire; Stoke-on-Trent; "
                     "Stoke",
    "East Midlands": "Derby and Derbyshire; Derbyshire; Derby; Leicestershire and Rutland; Leicester; Lincolnshire; "
                     "Northamptonshire; North Northamptonshire; West Northamptonshire; Nottingham; "
                     "Nottinghamshire; Nottingham City; Rutland",
    "East of England": "Cambridgeshire and Peterborough; Central Bedfordshire; Bedford; Essex; Hertfordshire; Luton; "
                       "Norfolk; Suffolk; Thurrock; Southend; Southend-on-Sea; Cambridgeshire; Peterborough; "
                       "Bedford Borough",
    "South East": "Berkshire West; Buckinghamshire; East Sussex; Hampshire; Kent; Medway; Milton Keynes; "
                  "Oxfordshire; Portsmouth; Reading; Southampton; Surrey; West Sussex; Windsor and Maidenhead; "
                  "Wokingham; Brighton and Hove; Isle of Wight; Slough; Bracknell Forest; West Berkshire; "
                  "Windsor; Royal Borough of Windsor and Maidenhead",
    "South West": "Cornwall and Isles of Scilly; Gloucester; Gloucestershire; Pan-Dorset; Plymouth; Somerset; "
                  "South Gloucestershire; Swindon; Torbay; Wiltshire; Devon; Bristol; Bath and North East Somerset; "
                  "North Somerset; Bournemouth; Dorset; Cornwall; Isles of Scilly; "
                  "Bournemouth, Christchurch and Poole; Poole",
}
REGIONS = tuple(REGION_AREAS)
_AREA_REGIONS = {area.strip().lower(): region for region, areas in REGION_AREAS.items() for area in areas.split(";")}
# Area names that say nothing about where a review is.
UNPLACED_AREAS = frozenset({"anonymous", "unknown", ""})


def nation_for_area(area: str) -> str:
    """The nation of a named area; "unknown" for an anonymised review and for a name in no table
    (a guess of England would be a silent mislabel for a Welsh or Scottish report)."""
    key = " ".join(area.split()).lower()
    if key in AREA_NATIONS:
        return AREA_NATIONS[key]
    return "England" if key in _AREA_REGIONS else UNKNOWN


def region_for_area(area: str) -> str:
    """The English region of an area; outside England the nation; "unknown" for anonymised reviews."""
    nation = nation_for_area(area)
    if nation != "England":
        return nation
    return _AREA_REGIONS[" ".join(area.split()).lower()]


_AREA_GLUE = {"and", "with", "the", "of"}


def area_key(area: str) -> str:
    """One key for one partnership however it is written: "Blackburn with Darwen, Blackpool and
    Lancashire" and "Blackburn, Darwen, Blackpool, Lancashire" are the same area."""
    from .text import match_key

    return " ".join(word for word in match_key(area).split() if word not in _AREA_GLUE)


# How nations and regions are written in questions: (pattern, the names it stands for). Nations are
# matched with their case ("Wales", not "wales" in a word); regions without.
_OF_ENGLAND = r"(?:\s+(?:of|in)\s+England)?"
_ADJECTIVE_NOUNS = r"(?=reviews?|partnerships?|cases?|areas?|councils?|local)"
NATION_WORDS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = (
    (re.compile(r"\b(?:outside|beyond|not in|excluding)\s+(?:of\s+)?England\b", re.I), NON_ENGLAND),
    (re.compile(rf"\bEngland\b|\bEnglish\s+{_ADJECTIVE_NOUNS}"), ("England",)),
    (re.compile(rf"\bWales\b|\bWelsh\s+{_ADJECTIVE_NOUNS}"), ("Wales",)),
    (re.compile(rf"\bScotland\b|\bScottish\s+{_ADJECTIVE_NOUNS}"), ("Scotland",)),
    (re.compile(r"\bNorthern Ireland\b|\bNorthern Irish\b"), ("Northern Ireland",)),
    (re.compile(r"\bChannel Islands?\b|\bGuernsey\b|\bJersey\b|\bAlderney\b"), ("Channel Islands",)),
    (re.compile(r"\bIsle of Man\b|\bManx\b"), ("Isle of Man",)),
)
REGION_WORDS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = (
    (re.compile(r"\bYorkshire and (?:the )?Humber\b", re.I), ("Yorkshire and the Humber",)),
    (re.compile(r"\b(?:east|west)\s*(?:or|and|/)\s*(?:east|west)\s+midlands\b", re.I),
     ("West Midlands", "East Midlands")),
    (re.compile(r"\bLondon\b(?:\s+boroughs?)?", re.I), ("London",)),
    (re.compile(rf"\bnorth[- ]?east(?:ern)?\b(?! Lincolnshire){_OF_ENGLAND}", re.I), ("North East",)),
    (re.compile(rf"\bnorth[- ]?west(?:ern)?\b{_OF_ENGLAND}", re.I), ("North West",)),
    (re.compile(r"\b(?:(?:west|south|north|east)\s+)?Yorkshire\b|\bHumber(?:side)?\b", re.I),
     ("Yorkshire and the Humber",)),
    (re.compile(r"\bwest midlands\b", re.I), ("West Midlands",)),
    (re.compile(r"\beast midlands\b", re.I), ("East Midlands",)),
    (re.compile(r"\bmidlands\b", re.I), ("West Midlands", "East Midlands")),
    (re.compile(r"\beast of england\b|\beast anglia\b", re.I), ("East of England",)),
    (re.compile(rf"\bsouth[- ]?east(?:ern)?\b{_OF_ENGLAND}", re.I), ("South East",)),
    (re.compile(rf"\bsouth[- ]?west(?:ern)?\b{_OF_ENGLAND}", re.I), ("South West",)),
    (re.compile(r"\b(?:the north of england|northern england)\b", re.I),
     ("North East", "North West", "Yorkshire and the Humber")),
)
# Area names that are also ordinary words when they open a question ("Reading about ...").
COMMON_WORD_AREAS = frozenset({"reading", "bury", "sutton", "halton", "richmond"})


# --- child ages ---------------------------------------------------------------------------------------

# Ages are in years; months and weeks are fractions of a year. A range is half-open, [low, high): a
# child aged exactly `high` is outside it, so "aged 12" is [12, 13) and "under 6 months" is [0, 0.5).
ADULT = 18.0

# The groups offered for filtering: together they cover every child's age, with no gap and no overlap.
# Named by age, not by school: "primary school" in a question is its own range (4 to 11, below).
AGE_GROUPS = {
    "babies (under 1)": (0.0, 1.0),
    "young children (1-4)": (1.0, 5.0),
    "children (5-11)": (5.0, 12.0),
    "young people (12-17)": (12.0, ADULT),
}
# Labels earlier versions offered, still accepted from the API and the command line.
AGE_GROUP_ALIASES = {"primary school age (5-11)": (5.0, 12.0), "teenagers (13-17)": (13.0, ADULT)}
# A child's age as a review states it: (low, high) in years. A number is a point, low == high ("a
# 4-month-old": (0.33, 0.33)); a word is the range it covers, high left out ("a baby": (0.0, 1.0)), so a
# narrower question ("newborns", "under 6 months") still finds the review that only says "baby".
AgeSpan = tuple[float, float]
# Stated ages are kept to two decimals of a year (enough to tell months and most weeks apart), so a
# filter's bounds are compared at that precision: a 4-month-old is kept as 0.33, and the range of
# "a 4-month-old" question, [0.3333, 0.4167), must still hold it.
AGE_DECIMALS = 2


def stated_age(years: float) -> float:
    """An age in years as the collection keeps it."""
    return round(years, AGE_DECIMALS)


def age_span_in(span: AgeSpan, low: float, high: float) -> bool:
    """Whether a stated age can fall in [low, high): a point inside it, or a range that overlaps it.
    The bounds are taken at the stated ages' precision; a range narrower than that (a 26-day-old:
    [0.071, 0.074)) keeps the one stated value it rounds to."""
    low, high = stated_age(low), max(stated_age(high), stated_age(low) + 10 ** -AGE_DECIMALS)
    first, last = span
    return low <= first < high if first == last else first < high and low < last


def as_age_span(value) -> AgeSpan:
    """A stated age from a record: a number (earlier collections) is a point."""
    if isinstance(value, (int, float)):
        return (float(value), float(value))
    first, last = value
    return (float(first), float(last))


ADULT_AGES = "18 or over"   # an age stated in a review that is no child group's


def age_group_of(age: float) -> str:
    """The group an age (in years) falls in."""
    return next((label for label, (low, high) in AGE_GROUPS.items() if low <= age < high), ADULT_AGES)


def age_label(low: float | None, high: float | None) -> str:
    """A range of child ages in words: "children: babies (under 1)", "babies under 6 months",
    "children aged 12", "children aged 5-11"."""
    low, high = low or 0.0, ADULT if high is None else high
    for label, span in (*AGE_GROUPS.items(), *AGE_GROUP_ALIASES.items()):
        if (low, high) == span:
            return f"children: {label}"
    if low == 0 and high <= 1:
        months, weeks = high * 12, high * 52
        if abs(months - round(months)) < 0.05:
            return f"babies under {round(months)} month{'s' if round(months) != 1 else ''}"
        return f"babies under {round(weeks)} weeks"
    if low == int(low) and high == int(high):
        first, last = int(low), int(high) - 1
        return f"children aged {first}" if first == last else f"children aged {first}–{last}"
    if high <= 2:
        if round((high - low) * 12) == 1:
            return f"babies aged {round(low * 12)} months"
        if round((high - low) * 52) == 1:
            return f"babies aged {round(low * 52)} weeks"
        return f"children aged {round(low * 12)}–{round(high * 12)} months"
    return f"children aged {low:g}–{high:g} years"


NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ONES = [w for w, i in NUMBER_WORDS.items() if 1 <= i <= 9]
# A number as a review's prose writes it, for a regular expression: "7", "2.5", "seven", "twenty-one".
NUMBER = (r"(?:\d{1,2}(?:\.\d)?|(?:" + "|".join(TENS) + r")(?:[- ](?:" + "|".join(_ONES) + r"))?|"
          + "|".join(sorted((w for w, i in NUMBER_WORDS.items() if i < 20), key=len, reverse=True)) + ")")
UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 1 / 52, "day": 1 / 365}

# "16-year-old", "2-year-11-month-old", "26-day old", "two-year-old": an age as reviews write it.
AGE_PHRASE = re.compile(
    r"\b(\d{1,2}(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")(?:[- ]and[- ]a[- ]half)?[- ](year|month|week|day)s?"
    r"(?:[- ](\d{1,2})[- ]months?)?[- ]?olds?\b", re.IGNORECASE)
# "Amy (15)": a name with the age in brackets.
AGE_IN_BRACKETS = re.compile(r"\b[A-Z][a-z]+ \((\d{1,2})\)")


def parse_number(text: str) -> float | None:
    """ "7" -> 7, "seven" -> 7, "twenty-one" (or "twenty one") -> 21; None for anything else."""
    word = text.lower().replace(" ", "-")
    try:
        return float(word)
    except ValueError:
        pass
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    tens, _, ones = word.partition("-")
    if tens in TENS and (not ones or ones in _ONES):
        return float(TENS[tens] + (NUMBER_WORDS[ones] if ones else 0))
    return None


def number_value(text: str) -> float:
    """ "12" or "twelve" -> 12.0, for text a pattern of numbers matched (ValueError otherwise)."""
    value = parse_number(text)
    if value is None:
        raise ValueError(f"not a number: {text!r}")
    return value


def age_phrase_years(match: re.Match) -> float:
    """The age an AGE_PHRASE match states, in years ("9-week-old" -> 0.17)."""
    years = number_value(match.group(1)) * UNIT_YEARS[match.group(2).lower()]
    if match.group(3):
        years += int(match.group(3)) / 12
    return years


def age_span(value: float, unit: str) -> tuple[float, float]:
    """The ages an "N-unit-old" child can be: a 3-month-old is [0.25, 0.334), a 12-year-old [12, 13).
    Bounds are rounded outwards to 3 decimals."""
    import math

    step = UNIT_YEARS[unit]
    return math.floor(value * step * 1000) / 1000, math.ceil((value + 1) * step * 1000) / 1000


@dataclass(frozen=True)
class AgeWord:
    """A word for children of an age: `pattern`, and the ages it means ([low, high) in years), as a
    filter in a question and as the stated age of a review that gives no number."""

    pattern: re.Pattern
    low: float
    high: float


# Age words that describe a parent or another adult, not the child ("teenage mothers", "young parents").
NOT_ABOUT_A_CHILD = (r"(?!\s*(?:-\s*)?(?:parents?|mothers?|mums?|fathers?|dads?|carers?|pregnanc\w*|boyfriends?|"
                     r"girlfriends?|partners?|couples?))")
# Words in a question that set an age filter, as a careful reader takes them (UK school ages: reception
# at 4, secondary school from 11 to 16).
QUESTION_AGE_WORDS = (
    AgeWord(re.compile(r"\bunder[- ](?:ones?|1s?|12 months|one year|a year)(?:[- ]years?[- ]olds?)?\b", re.I),
            0.0, 1.0),
    AgeWord(re.compile(r"\bunder[- ](?:fives?|5s?)\b|\bpre-?school\w*\b|\b(?:young|little|small) children\b", re.I),
            0.0, 5.0),
    AgeWord(re.compile(rf"\b(?:newborns?|new-born|neonat\w*)\b{NOT_ABOUT_A_CHILD}", re.I), 0.0, 0.077),
    AgeWord(re.compile(rf"\b(?:bab(?:y|ies)|infants?|non-mobile)\b{NOT_ABOUT_A_CHILD}", re.I), 0.0, 1.0),
    AgeWord(re.compile(r"\btoddlers?\b", re.I), 1.0, 3.0),
    AgeWord(re.compile(r"\bprimary[- ]school[- ]?(?:age[d]?|children|pupils?)?\b|\bprimary[- ]aged?\b", re.I),
            4.0, 12.0),
    AgeWord(re.compile(r"\bsecondary[- ]school[- ]?(?:age[d]?|children|pupils?)?\b|\bsecondary[- ]aged?\b", re.I),
            11.0, 17.0),
    AgeWord(re.compile(rf"\b(?:teenagers?|teenage|teens)\b{NOT_ABOUT_A_CHILD}", re.I), 13.0, ADULT),
    AgeWord(re.compile(rf"\b(?:adolescents?|adolescence)\b{NOT_ABOUT_A_CHILD}", re.I), 10.0, ADULT),
)
# Words in a review's text that say how old its child is when it states no number.
TEXT_AGE_WORDS = (
    AgeWord(re.compile(r"\b(?:newborns?|new-born|neonat\w*)\b|\bwithin (?:a|one|two) weeks? of (?:his |her |their )?"
                       r"birth\b|\bfirst (?:few )?(?:days|weeks) of (?:his |her |their )?life\b", re.I), 0.0, 0.077),
    AgeWord(re.compile(rf"\b(?:bab(?:y|ies)|infants?|infancy|SUDI|SIDS)\b{NOT_ABOUT_A_CHILD}", re.I), 0.0, 1.0),
    AgeWord(re.compile(r"\btoddlers?\b", re.I), 1.0, 3.0),
    AgeWord(re.compile(r"\bprimary[- ]school[- ]?(?:age[d]?|children|pupils?)\b", re.I), 4.0, 12.0),
    AgeWord(re.compile(r"\bsecondary[- ]school[- ]?(?:age[d]?|children|pupils?)\b|\bof secondary school age\b",
                       re.I), 11.0, 17.0),
    # Institutions that hold children of known ages: secure training centres 12 to 17.
    AgeWord(re.compile(r"\bsecure training centres?\b", re.I), 12.0, ADULT),
    AgeWord(re.compile(rf"\b(?:teenage\w*|adolescen\w*|teens?)\b{NOT_ABOUT_A_CHILD}", re.I), 13.0, ADULT),
    AgeWord(re.compile(r"\byoung (?:people|person)\b", re.I), 13.0, ADULT),
)
# Every word that only says which children a question is about: a follow-up made of these (and
# place or year words) refines the previous question instead of asking a new one.
CHILD_WORDS = (r"children|child|kids?|bab(?:y|ies)|infants?|newborns?|toddlers?|teenagers?|teens?|teenage|"
               r"adolescents?|primary|secondary|school|age[ds]?|under|ones?|olds?|years?|young|people|pupils?")
