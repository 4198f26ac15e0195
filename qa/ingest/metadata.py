"""What a review's words say about it: nation and region of its area, the ages of its children,
and its readable, position-independent id. Shared by every source format."""

from __future__ import annotations

import hashlib
import re
import unicodedata

NATIONS = ("England", "Wales", "Scotland", "Northern Ireland", "Channel Islands", "Isle of Man", "unknown")

# Review areas outside England. Every other named area in the corpus is an English partnership.
_AREA_NATIONS = {
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
_REGION_AREAS = {
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
_AREA_REGIONS = {area.strip().lower(): region for region, areas in _REGION_AREAS.items() for area in areas.split(";")}

# Ages of children in a summary: "16-year-old", "2-year-11-month-old", "26-day old", "two-year-old".
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen".split())}
_AGE = re.compile(
    r"\b(\d{1,2}(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")(?:[- ]and[- ]a[- ]half)?[- ](year|month|week|day)s?"
    r"(?:[- ](\d{1,2})[- ]months?)?[- ]?olds?\b", re.IGNORECASE)
_AGE_WORDS = [
    (re.compile(r"\b(?:bab(?:y|ies)|infants?|newborns?|neonat\w*)\b", re.IGNORECASE), 0.5),
    (re.compile(r"\btoddlers?\b", re.IGNORECASE), 2.0),
    (re.compile(r"\b(?:teenage\w*|adolescen\w*|teens?)\b", re.IGNORECASE), 15.0),
    (re.compile(r"\byoung (?:people|person)\b", re.IGNORECASE), 16.0),
]
_AGE_IN_BRACKETS = re.compile(r"\b[A-Z][a-z]+ \((\d{1,2})\)")
_UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 1 / 52, "day": 1 / 365}

def nation_for_area(area: str) -> str:
    key = normalise_space(area).lower()
    if key == "anonymous":
        return "unknown"
    return _AREA_NATIONS.get(key, "England")


def region_for_area(area: str) -> str:
    """The English region of an area; outside England the nation; "unknown" for anonymised reviews."""
    nation = nation_for_area(area)
    if nation != "England":
        return nation
    return _AREA_REGIONS.get(normalise_space(area).lower(), "England (region unknown)")


def child_ages(summary: str) -> tuple[float, ...]:
    """Distinct ages under 18, in years, stated in a summary ("a 9-week-old boy" -> 0.17)."""
    ages = set()
    for match in _AGE.finditer(summary):
        number = match.group(1).lower()
        value = float(_NUMBER_WORDS.get(number, number))
        years = value * _UNIT_YEARS[match.group(2).lower()]
        if match.group(3):
            years += int(match.group(3)) / 12
        if years < 18:
            ages.add(round(years, 2))
    ages.update(float(m.group(1)) for m in _AGE_IN_BRACKETS.finditer(summary) if int(m.group(1)) < 18)
    if not ages:
        for pattern, age in _AGE_WORDS:
            if pattern.search(summary):
                ages.add(age)
    return tuple(sorted(ages))


# Letters that do not decompose into an ASCII letter and an accent.
_TRANSLITERATE = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss",
                                "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})


def ascii_text(text: str) -> str:
    return unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens: "2023 Bath & NE Somerset" -> "2023-bath-ne-somerset"."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_text(text).lower()).strip("-")[:limit].rstrip("-")


def review_id(year: int, area: str, name: str, text: str) -> str:
    """Readable and stable: it changes only if the entry's own words change, never with its position."""
    slug = slugify(f"{year} {area} {name}")
    digest = hashlib.sha1(normalise_space(text).encode("utf-8")).hexdigest()[:6]
    return f"{slug}-{digest}"



def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()
