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

# Review areas outside England. Every other named area in the corpus is an English partnership.
AREA_NATIONS = {
    "wales": "Wales", "cwm taf": "Wales", "north wales": "Wales", "western bay": "Wales", "gwent": "Wales",
    "cardiff and vale": "Wales", "mid and west wales": "Wales", "powys": "Wales",
    "argyll and bute": "Scotland", "east lothian and midlothian": "Scotland", "north lanarkshire": "Scotland",
    "glasgow": "Scotland", "edinburgh": "Scotland", "fife": "Scotland", "highland": "Scotland",
    "northern ireland": "Northern Ireland", "belfast": "Northern Ireland",
    "guernsey and alderney": "Channel Islands", "guernsey": "Channel Islands", "jersey": "Channel Islands",
    # The Islands Safeguarding Children Partnership covers Guernsey and Alderney.
    "islands": "Channel Islands",
    "isle of man": "Isle of Man",
}

# English regions (ONS), by partnership area as named on the page.
REGION_AREAS = {
    "London": "Barnet; Bexley; Brent; Bromley; Camden; City and Hackney; Croydon; Ealing; Enfield; Greenwich; "
              "Harrow; Hillingdon; Hounslow; Lambeth; Lambeth and Bromley; Lewisham; Lewisham and Harrow; Merton; "
              "Redbridge; Richmond; Richmond Upon Thames; Sutton; Tower Hamlets; Waltham Forest; Wandsworth; "
              "Hackney; Islington; Haringey; Newham; Southwark; Westminster; Kensington and Chelsea; Havering; "
              "Barking and Dagenham; Kingston",
    "North East": "Newcastle; South Tees; South Tyneside; Sunderland; North Tyneside; Gateshead; Durham; "
                  "Northumberland; Hartlepool; Stockton; Darlington; Middlesbrough",
    "North West": "Blackburn with Darwen; Blackburn with Darwen, Blackpool and Lancashire; "
                  "Blackburn with Darwen, Blackpool, Lancashire; Blackburn, Darwen, Blackpool and Lancashire; "
                  "Blackpool; Bolton; Bury; Cheshire East; Cheshire West; Cumbria; Halton; Lancashire; Manchester; "
                  "Manchester with Trafford; Oldham; Rochdale; Salford; Sefton; St Helens; Tameside; Trafford; "
                  "Warrington; Wigan; Wirral; Liverpool; Knowsley; Stockport",
    "Yorkshire and the Humber": "Barnsley; Bradford; Doncaster; East Riding; Hull; Kirklees; Leeds; "
                                "North East Lincolnshire; Sheffield; Wakefield; Calderdale; Rotherham; York; "
                                "North Yorkshire; North Lincolnshire",
    "West Midlands": "Birmingham; Coventry; Dudley; Herefordshire; Sandwell; Solihull; Staffordshire; Walsall; "
                     "Warwickshire; Wolverhampton; Shropshire; Telford and Wrekin; Worcestershire; Stoke-on-Trent",
    "East Midlands": "Derby and Derbyshire; Derbyshire; Derby; Leicestershire and Rutland; Leicester; Lincolnshire; "
                     "Northamptonshire; Nottingham; Nottinghamshire",
    "East of England": "Cambridgeshire and Peterborough; Central Bedfordshire; Bedford; Essex; Hertfordshire; Luton; "
                       "Norfolk; Suffolk; Thurrock; Southend",
    "South East": "Berkshire West; Buckinghamshire; East Sussex; Hampshire; Kent; Medway; Milton Keynes; "
                  "Oxfordshire; Portsmouth; Reading; Southampton; Surrey; West Sussex; Windsor and Maidenhead; "
                  "Wokingham; Brighton and Hove; Isle of Wight; Slough; Bracknell Forest",
    "South West": "Cornwall and Isles of Scilly; Gloucester; Gloucestershire; Pan-Dorset; Plymouth; Somerset; "
                  "South Gloucestershire; Swindon; Torbay; Wiltshire; Devon; Bristol; Bath and North East Somerset; "
                  "North Somerset; Bournemouth; Dorset",
}
REGIONS = tuple(REGION_AREAS)
_AREA_REGIONS = {area.strip().lower(): region for region, areas in REGION_AREAS.items() for area in areas.split(";")}
# Area names that say nothing about where a review is.
UNPLACED_AREAS = frozenset({"anonymous", "unknown", ""})


def nation_for_area(area: str) -> str:
    key = " ".join(area.split()).lower()
    if key in UNPLACED_AREAS:
        return UNKNOWN
    return AREA_NATIONS.get(key, "England")


def region_for_area(area: str) -> str:
    """The English region of an area; outside England the nation; "unknown" for anonymised reviews."""
    nation = nation_for_area(area)
    if nation != "England":
        return nation
    return _AREA_REGIONS.get(" ".join(area.split()).lower(), ENGLAND_REGION_UNKNOWN)


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

# Ages are in years; months and weeks are fractions of a year.
AGE_GROUPS = {
    # label: (lowest age, highest age) in years, inclusive; ages are those a review's summary states.
    "babies (under 1)": (0.0, 0.99),
    "young children (1-4)": (1.0, 4.99),
    "primary school age (5-11)": (5.0, 11.99),
    "teenagers (13-17)": (13.0, 17.99),
}
OLDEST_CHILD = 17.99

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen".split())}
UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 1 / 52, "day": 1 / 365}

# "16-year-old", "2-year-11-month-old", "26-day old", "two-year-old": an age as reviews write it.
AGE_PHRASE = re.compile(
    r"\b(\d{1,2}(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")(?:[- ]and[- ]a[- ]half)?[- ](year|month|week|day)s?"
    r"(?:[- ](\d{1,2})[- ]months?)?[- ]?olds?\b", re.IGNORECASE)
# "Amy (15)": a name with the age in brackets.
AGE_IN_BRACKETS = re.compile(r"\b[A-Z][a-z]+ \((\d{1,2})\)")


def age_phrase_years(match: re.Match) -> float:
    """The age an AGE_PHRASE match states, in years ("9-week-old" -> 0.17)."""
    number = match.group(1).lower()
    years = float(NUMBER_WORDS.get(number, number)) * UNIT_YEARS[match.group(2).lower()]
    if match.group(3):
        years += int(match.group(3)) / 12
    return years


@dataclass(frozen=True)
class AgeWord:
    """A word for children of an age: `pattern`, the ages it means as a filter (`low`, `high`, in
    years, inclusive), and the age a review that uses it but states no number is taken to be about."""

    pattern: re.Pattern
    low: float
    high: float
    typical: float | None = None


# Age words that describe a parent, not the child ("teenage mothers", "young parents").
NOT_ABOUT_A_CHILD = (r"(?!\s*(?:-\s*)?(?:parents?|mothers?|mums?|fathers?|dads?|carers?|pregnanc\w*|boyfriends?|"
                     r"girlfriends?))")
_BABIES, _PRIMARY, _TEENAGERS = AGE_GROUPS["babies (under 1)"], AGE_GROUPS["primary school age (5-11)"], \
    AGE_GROUPS["teenagers (13-17)"]
# Words in a question that set an age filter (in this order: the first that claims a phrase wins).
QUESTION_AGE_WORDS = (
    AgeWord(re.compile(r"\bunder[- ](?:ones?|1s?|12 months|one year|a year)(?:[- ]years?[- ]olds?)?\b", re.I),
            *_BABIES),
    AgeWord(re.compile(r"\bunder[- ](?:fives?|5s?)\b|\bpre-?school\w*\b|\b(?:young|little|small) children\b", re.I),
            0.0, 4.99),
    AgeWord(re.compile(rf"\b(?:bab(?:y|ies)|infants?|newborns?|new-born|non-mobile)\b{NOT_ABOUT_A_CHILD}", re.I),
            *_BABIES),
    AgeWord(re.compile(r"\btoddlers?\b", re.I), 1.0, 3.99),
    AgeWord(re.compile(r"\bprimary[- ]school[- ]?(?:age[d]?|children|pupils?)?\b|\bprimary[- ]aged?\b", re.I),
            *_PRIMARY),
    AgeWord(re.compile(r"\bsecondary[- ]school[- ]?(?:age[d]?|children|pupils?)?\b|\bsecondary[- ]aged?\b", re.I),
            11.0, 16.99),
    AgeWord(re.compile(rf"\b(?:teenagers?|teenage|teens|adolescents?|adolescence)\b{NOT_ABOUT_A_CHILD}", re.I),
            *_TEENAGERS),
)
# Words in a review's text that say how old its child is when it states no number.
TEXT_AGE_WORDS = (
    AgeWord(re.compile(r"\b(?:bab(?:y|ies)|infants?|newborns?|neonat\w*)\b", re.I), *_BABIES, typical=0.5),
    AgeWord(re.compile(r"\btoddlers?\b", re.I), 1.0, 3.99, typical=2.0),
    AgeWord(re.compile(r"\b(?:teenage\w*|adolescen\w*|teens?)\b", re.I), *_TEENAGERS, typical=15.0),
    AgeWord(re.compile(r"\byoung (?:people|person)\b", re.I), 13.0, 17.99, typical=16.0),
)
# Every word that only says which children a question is about: a follow-up made of these (and
# place or year words) refines the previous question instead of asking a new one.
CHILD_WORDS = (r"children|child|kids?|bab(?:y|ies)|infants?|newborns?|toddlers?|teenagers?|teens?|teenage|"
               r"adolescents?|primary|school|age[ds]?|under|ones?|olds?|years?|young|people")


def age_label(low: float | None, high: float | None) -> str:
    for label, (a, b) in AGE_GROUPS.items():
        if (low, high) == (a, b):
            return f"children: {label}"
    low_text = "0" if low is None else f"{low:g}"
    high_text = "17" if high is None else f"{int(high)}"
    return f"children aged {low_text}–{high_text}"
