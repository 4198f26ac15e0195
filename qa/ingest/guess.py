"""What a user's file says about itself, guessed from its first lines: title, publication year,
partnership area and the review's name, and where the area puts it (nation and region).

Guesses are shown to the user with what they were taken from, and every one can be given instead.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from ..gazetteer import ENGLAND_REGION_UNKNOWN, UNKNOWN, UNPLACED_AREAS, nation_for_area, region_for_area
from ..text import clean_line

MAX_REVIEW_NAME_CHARS = 80

HEAD_CHARS = 3000        # "the first lines": about a cover page
AREA_CHARS = 20000       # the area is also often named first in the introduction

_MONTH_NAMES = ("january|february|march|april|may|june|july|august|september|october|november|december|"
                "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
_PUBLISHED = re.compile(r"\b(?:published|publication|date[d]?|issued|approved|final|version|updated|revised)\b|©|"
                        r"\bcopyright\b", re.IGNORECASE)
_DATED = re.compile(rf"\b(?:{_MONTH_NAMES})\.?,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?20[0-3]\d\b|"
                    r"\b\d{1,2}[/.-]\d{1,2}[/.-]20[0-3]\d\b", re.IGNORECASE)
# Not titles: protective markings, page furniture, links.
_NOT_TITLE = re.compile(r"^(?:official(?:[- ]sensitive)?|confidential|sensitive|draft|restricted|protect|"
                        r"not protectively marked|private|final|final report|page \d+.*|contents)\W*$", re.IGNORECASE)

# A numbered section heading ("1. Summary") is the start of the body, not the document's title.
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s")
_AREA_KIND = re.compile(
    r"(?<![\w-])(?:(?:Local|Regional)\s+)?(?:Safeguarding\s+(?:Children(?:['’]s)?\s+|Adults?\s+)?|"
    r"Children(?:['’]s)?\s+Safeguarding\s+)(?:Partnership|Board)\b|"
    r"(?<![\w-])(?:Child|Children(?:['’]s)?|Public)\s+Protection\s+Committee\b", re.IGNORECASE)
_AREA_FOR = re.compile(r"\bSafeguarding\s+Board\s+for\s+(?:the\s+)?([A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,3})",
                       re.IGNORECASE)
_AREA_WORD = re.compile(r"[\w'’.&-]+")
_CONNECTORS = {"and", "&", "of", "upon", "on", "the", "with", "in"}
# Words that precede an area's name without being part of it ("Independent Chair of the ...").
_NOT_AREA = {"chair", "chairman", "chairperson", "independent", "report", "review", "manager", "member",
             "members", "business", "unit", "author", "behalf", "commissioned", "published", "annual", "practice",
             "child", "children", "safeguarding", "partnership", "board", "panel", "serious", "case", "executive",
             "summary", "overview", "learning", "rapid", "local", "regional", "by", "for", "from", "to", "a", "an"}
_AREA_TRAILING = {"borough", "county", "metropolitan", "district", "city", "council"}

def guess_metadata(text: str) -> tuple[str | None, int | None, str | None]:
    """(title, year, area) from a document's first lines; None where nothing plausible is found."""
    head = text[:HEAD_CHARS]
    return _guess_title(head), _guess_year(head), _guess_area(head) or _guess_area(text[:AREA_CHARS])


def _guess_title(head: str) -> str | None:
    """The first substantial line; a short line under a generic one completes it
    ("Child Safeguarding Practice Review" + "Child Q")."""
    lines = [" ".join(line.split()) for line in head.split("\n") if line.strip()]
    for i, line in enumerate(lines[:12]):
        if len(line) > 200:
            return None      # the text starts with prose: there is no title line
        letters = sum(ch.isalpha() for ch in line)
        if letters < 4 or _NOT_TITLE.match(line) or re.match(r"(?:https?://|www\.)", line, re.IGNORECASE) \
                or _YEAR.fullmatch(line) or _DATED.fullmatch(line) or _SECTION_NUMBER.match(line):
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if len(line.split()) <= 8 and not line.endswith((".", ":")) and following and len(following) <= 40 \
                and len(following.split()) <= 4 and following[:1].isupper() and not re.search(r"[\d:.]", following) \
                and not _AREA_KIND.search(following):
            return f"{line}: {following}"
        return line
    return None


def _guess_year(head: str) -> int | None:
    """A publication year 2000-2035 near the top. A year on a line saying "published", "date" and the
    like wins; then a year written with a month; then any year on the title page. Among equals the
    latest wins: reports are published after the events they describe."""
    latest = min(2035, datetime.date.today().year + 1)
    ranked: dict[int, list[int]] = {2: [], 1: [], 0: []}
    for line in head.split("\n"):
        years = [int(y) for y in _YEAR.findall(line) if 2000 <= int(y) <= latest]
        if not years:
            continue
        if _PUBLISHED.search(line):
            ranked[2].extend(years)
        dated = [int(m.group(0)[-4:]) for m in _DATED.finditer(line)]
        ranked[1].extend(y for y in dated if 2000 <= y <= latest)
        ranked[0].extend(years)
    for rank in (2, 1, 0):
        if ranked[rank]:
            return max(ranked[rank])
    return None


def _guess_area(text: str) -> str | None:
    """X in "X Safeguarding Children Partnership", "X Local Safeguarding Children Board",
    "X Child Protection Committee", "Safeguarding Board for X": the first one named."""
    candidates = []
    for kind in _AREA_KIND.finditer(text):
        line_start = text.rfind("\n", 0, kind.start()) + 1
        name = _name_before(text[line_start:kind.start()])
        if name:
            candidates.append((kind.start(), name))
    match = _AREA_FOR.search(text)
    if match:
        candidates.append((match.start(), match.group(1)))
    if not candidates:
        return None
    area = min(candidates)[1]
    if area.isupper():
        area = " ".join(w.lower() if w.lower() in _CONNECTORS else w.capitalize() for w in area.split())
    return area


def _name_before(before: str) -> str | None:
    """The capitalised words (and joining words such as "and", "upon") just before an area kind."""
    words = _AREA_WORD.findall(before)
    name: list[str] = []
    for word in reversed(words[-8:]):
        lower = word.lower()
        if lower in _NOT_AREA or not (word[0].isupper() or lower in _CONNECTORS):
            break
        name.insert(0, word)
    while name and (name[0].lower() in _CONNECTORS):
        name.pop(0)
    while name and name[-1].lower() in _AREA_TRAILING | _CONNECTORS:
        name.pop()
    return " ".join(name).strip(" ,.-") or None


_CHILD_NAME = re.compile(
    r"\b(?:Child|Baby|Infant|Sibling|Siblings|Young Person|Family|Adult)\s+(?:[‘'“\"]?[A-Z][\w-]{0,20}[’'”\"]?)"
    r"(?:\s+and\s+[‘'“\"]?[A-Z][\w-]{0,20}[’'”\"]?)?")
_NOT_NAMES = {"safeguarding", "protection", "practice", "review", "reviews", "death", "deaths", "services",
              "care", "sexual", "criminal", "exploitation", "abuse", "neglect", "serious", "learning", "local",
              "partnership", "board"}


def name_from_title(title: str, area: str, stem: str) -> str:
    """The review's name, as the NSPCC page would give it ("Child Q"): from a "YEAR – AREA – NAME"
    title, the child named in the title, the part after a colon or dash, else the file's stem."""
    from .nspcc_page import parse_title

    nspcc = parse_title(title)
    if nspcc:
        return nspcc[2]
    rest = title
    if area and area.lower() not in UNPLACED_AREAS:
        at = title.lower().find(area.lower())
        if at >= 0:
            rest = (title[:at] + " " + title[at + len(area):]).strip()
    named = [m.group(0) for m in _CHILD_NAME.finditer(rest)
             if m.group(0).split()[1].strip("‘'“\"’”").lower() not in _NOT_NAMES]
    if named:
        return clean_line(named[-1])
    parts = [p.strip(" .,") for p in re.split(r"\s*[:\u2013\u2014]\s*|\s+-\s+", rest) if p.strip(" .,")]
    if len(parts) > 1 and len(parts[-1].split()) <= 6:
        return clean_line(parts[-1])
    if rest and len(rest.split()) <= 8:
        return clean_line(rest)[:MAX_REVIEW_NAME_CHARS]
    return title_from_file_name(Path(stem))[:MAX_REVIEW_NAME_CHARS]


def title_from_file_name(path: Path) -> str:
    return clean_line(re.sub(r"[_]+", " ", Path(path).stem)) or "Untitled document"




def place_of(area: str, nation: str | None) -> tuple[str, str, str | None]:
    """(nation, region, a note for the user or None) of a new review from its area and the nation
    the user gave (None: take it from the area)."""
    if nation:
        if area.lower() in UNPLACED_AREAS:
            region = nation if nation != "England" else ENGLAND_REGION_UNKNOWN
        elif nation_for_area(area) == nation:
            region = region_for_area(area)
        else:
            region = nation if nation != "England" else ENGLAND_REGION_UNKNOWN
        return nation, region, None
    if area.lower() in UNPLACED_AREAS:
        return UNKNOWN, UNKNOWN, ("No safeguarding partnership was found on the first pages, so the area is "
                                  "'unknown'; give the area (--area, or the app's Area box) to set it.")
    nation, region = nation_for_area(area), region_for_area(area)
    if region == ENGLAND_REGION_UNKNOWN:
        return nation, region, (f"'{area}' is not a known area, so England was assumed; give the nation (--nation, "
                                "or the app's Nation box) if it is elsewhere.")
    return nation, region, None
