"""Source page -> structured review records, and the reviews.jsonl file that holds them.

The source is a saved NSPCC web page: a list of case review summaries grouped by year, followed by
unrelated pages (menus, news, an Ombudsman factsheet, a Welsh practice guide). Each entry is a title
paragraph "YEAR – AREA – NAME" followed by one or more body paragraphs, the last ending with a
"> Read the overview report" link.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .errors import CorpusError

SECTION_LABELS = {
    "summary": "What happened",
    "learning": "Learning",
    "recommendations": "Recommendations",
    "model": "Review model",
    "keywords": "Keywords",
}

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

# A title separator: an en or em dash with or without spaces, or a hyphen with a space on each side.
# A bare hyphen ("Pan-Dorset", "2017-18/02") is part of a name.
_SEPARATOR = r"(?:\s*[\u2013\u2014]\s*|\s+-\s+)"
_TITLE = re.compile(rf"^(?P<year>(?:19|20)\d\d){_SEPARATOR}(?P<area>.+?){_SEPARATOR}(?P<name>.+)$")
_YEAR_HEADING = re.compile(r"^Case reviews published in (?:19|20)\d\d\.?$")
_LINK = re.compile(r"(?:\s*>\s*Read the (?:overview report|executive summary)(?: link)?)+\s*$")

# Section markers, found at a word boundary preceded by whitespace (one entry lacks the full stop
# before "Learning includes:"). The learning section may also open with "Learning is embedded ...".
_MARKERS = [
    ("learning", re.compile(
        r"(?<=\s)(?:(?:Learning|Findings|Reflections|Challenges)\b[^.:;]{0,70}:|Learning is embedded"
        r"|Identifies learning)")),
    ("recommendations", re.compile(r"(?<=\s)Recommend\w*\b[^.:;]{0,70}:")),
    ("model", re.compile(r"(?<=\s)Model\s*:")),
    ("keywords", re.compile(r"(?<=\s)Keywords\s*:")),
]


@dataclass(frozen=True)
class Section:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Review:
    id: str
    title: str
    year: int
    area: str
    name: str
    nation: str
    text: str
    sections: tuple[Section, ...]
    keywords: tuple[str, ...]
    source_line: int = 0
    same_case_as: tuple[str, ...] = field(default=())
    region: str = "unknown"
    # Ages (in years) of the children the summary describes; empty when it states none.
    child_ages: tuple[float, ...] = field(default=())

    def section_text(self, section: Section) -> str:
        return self.text[section.start:section.end]

    def section_at(self, offset: int) -> Section:
        for section in self.sections:
            if section.start <= offset < section.end:
                return section
        raise ValueError(f"offset {offset} is outside every section of {self.id}")

    @property
    def summary(self) -> str:
        first = next((s for s in self.sections if s.name == "summary"), None)
        return self.section_text(first) if first else ""

    def to_json(self) -> dict:
        record = asdict(self)
        record["sections"] = [asdict(s) for s in self.sections]
        record["keywords"] = list(self.keywords)
        record["same_case_as"] = list(self.same_case_as)
        record["child_ages"] = list(self.child_ages)
        return record

    @classmethod
    def from_json(cls, record: dict) -> "Review":
        return cls(
            id=record["id"], title=record["title"], year=int(record["year"]), area=record["area"],
            name=record["name"], nation=record["nation"], text=record["text"],
            sections=tuple(Section(**s) for s in record["sections"]),
            keywords=tuple(record["keywords"]), source_line=int(record.get("source_line", 0)),
            same_case_as=tuple(record.get("same_case_as", ())), region=record.get("region", "unknown"),
            child_ages=tuple(record.get("child_ages", ())),
        )


def nation_for_area(area: str) -> str:
    key = _normalise_space(area).lower()
    if key == "anonymous":
        return "unknown"
    return _AREA_NATIONS.get(key, "England")


def region_for_area(area: str) -> str:
    """The English region of an area; outside England the nation; "unknown" for anonymised reviews."""
    nation = nation_for_area(area)
    if nation != "England":
        return nation
    return _AREA_REGIONS.get(_normalise_space(area).lower(), "England (region unknown)")


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


def parse_title(line: str) -> tuple[int, str, str] | None:
    """'2023 – Barnsley – Child ‘T’' -> (2023, 'Barnsley', 'Child ‘T’'); None if not a title."""
    match = _TITLE.match(_normalise_space(line))
    if not match:
        return None
    return int(match["year"]), match["area"].strip(), match["name"].strip()


def split_sections(text: str) -> tuple[Section, ...]:
    """Cut a review's text into consecutive sections that cover it from its first to last character."""
    starts: list[tuple[int, str]] = [(0, "summary")]
    search_from = 0
    for name, pattern in _MARKERS:
        match = pattern.search(text, search_from)
        if match:
            starts.append((match.start(), name))
            search_from = match.end()
    starts.sort()
    sections = []
    for i, (start, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        # Trim the whitespace between sections so a section is exactly its words.
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            sections.append(Section(name, start, end))
    return tuple(sections)


def parse_keywords(text: str, sections: tuple[Section, ...]) -> tuple[str, ...]:
    section = next((s for s in sections if s.name == "keywords"), None)
    if section is None:
        return ()
    body = text[section.start:section.end].split(":", 1)[1]
    # Keywords are comma-separated, with the odd semicolon or full stop between them.
    words = (_normalise_space(w).strip(" .<").lower() for w in re.split(r"[,;]|\.\s", body))
    return tuple(w for w in words if w)


def parse_page(page: str) -> list[Review]:
    """All review entries on the page, in page order; everything that is not an entry is skipped."""
    page = page.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [(number, line.strip()) for number, line in enumerate(page.split("\n"), 1) if line.strip()]
    entries: list[tuple[int, str, list[str]]] = []
    current: tuple[int, str, list[str]] | None = None
    # "outside": before the first year heading or after the list; "intro": a year heading's
    # introduction, up to its first entry; "entry": inside an entry; "between": after an entry's link.
    state = "outside"
    for number, paragraph in paragraphs:
        if _YEAR_HEADING.match(paragraph):
            state, current = "intro", None
        elif state == "outside":
            continue
        elif parse_title(paragraph):
            current = (number, paragraph, [])
            entries.append(current)
            state = "entry"
        elif state == "entry":
            current[2].append(paragraph)
            if _ends_entry(current[2]):
                state, current = "between", None
        elif state == "between":
            # After an entry's link, anything but a title or a year heading ends the list.
            state = "outside"
    reviews = [_make_review(number, title, body) for number, title, body in entries]
    return _link_same_cases(reviews)


def _ends_entry(body: list[str]) -> bool:
    return bool(body) and bool(_LINK.search(body[-1]))


def _make_review(source_line: int, title: str, body: list[str]) -> Review:
    year, area, name = parse_title(title)
    kept = [_LINK.sub("", p).strip() for p in body]
    text = "\n\n".join(_clean_text(p) for p in kept if p)
    if not text:
        raise CorpusError(f"The entry '{title}' at line {source_line} has no text; check the source page.")
    sections = split_sections(text)
    summary = text[sections[0].start:sections[0].end]
    return Review(
        id=review_id(year, area, name, text), title=title, year=year, area=area, name=name,
        nation=nation_for_area(area), text=text, sections=sections,
        keywords=parse_keywords(text, sections), source_line=source_line,
        region=region_for_area(area), child_ages=child_ages(summary),
    )


def review_id(year: int, area: str, name: str, text: str) -> str:
    """Readable and stable: it changes only if the entry's own words change, never with its position."""
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", f"{year} {area} {name}")
                  .encode("ascii", "ignore").decode().lower()).strip("-")[:60].rstrip("-")
    digest = hashlib.sha1(_normalise_space(text).encode("utf-8")).hexdigest()[:6]
    return f"{slug}-{digest}"


def _clean_text(paragraph: str) -> str:
    # Saved pages can carry markup; reviews are shown as plain text, so tags are removed and
    # entities decoded here, once, rather than at every place the text is rendered.
    without_tags = re.sub(r"</?[A-Za-z][^<>]{0,200}>", " ", paragraph)
    decoded = html.unescape(without_tags)
    decoded = "".join(ch for ch in decoded if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"[ \t]{2,}", " ", decoded).strip()


def _normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def _word_set(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", text.lower()))


def _link_same_cases(reviews: list[Review]) -> list[Review]:
    """Mark entries that describe the same case under different area names (same year and name,
    mostly the same learning). Both stay in the corpus: each is an entry on the page."""
    links: dict[str, list[str]] = {r.id: [] for r in reviews}
    for i, a in enumerate(reviews):
        for b in reviews[i + 1:]:
            if a.year != b.year or a.name.lower() != b.name.lower() or a.area == b.area:
                continue
            words_a, words_b = _word_set(a.text), _word_set(b.text)
            if len(words_a & words_b) / max(1, len(words_a | words_b)) >= 0.5:
                links[a.id].append(b.id)
                links[b.id].append(a.id)
    return [_with_links(r, links[r.id]) for r in reviews]


def _with_links(review: Review, ids: list[str]) -> Review:
    return replace(review, same_case_as=tuple(ids)) if ids else review


def read_source(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError(f"The source page {path} does not exist; restore it from git (corpus/).") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"The source page {path} cannot be read as UTF-8 text ({error}).") from None


def write_reviews(reviews: list[Review], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for review in reviews:
            out.write(json.dumps(review.to_json(), ensure_ascii=False) + "\n")
    tmp.replace(path)


def load_reviews(path: Path) -> list[Review]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(
            f"The corpus file {path} does not exist; run `reviewqa parse` to create it from the source page."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"The corpus file {path} cannot be read ({error}); run `reviewqa parse`.") from None
    reviews = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            reviews.append(Review.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as error:
            raise CorpusError(
                f"Line {number} of {path} is not a valid review record ({error}); run `reviewqa parse`."
            ) from None
    if not reviews:
        raise CorpusError(f"The corpus file {path} holds no reviews; run `reviewqa parse`.")
    return reviews


def corpus_fingerprint(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as error:
        raise CorpusError(f"The corpus file {path} cannot be read ({error}); run `reviewqa parse`.") from None
