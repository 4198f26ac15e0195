"""What a user's file says about itself, read as a person reads a title page: the partnership (so the
area and often the nation), the review type (so the document kind and the nation it implies), the
child's pseudonym, the publication year, and the children's ages and sex from the opening account.

    guess = guess_metadata(text, sections, pages)      # -> Guess
    guess.title          "2024 – Rushmere – Baby Isaac" (the collection's YEAR – AREA – NAME)
    guess.sources        {"area": "cover lines 1-2", "year": "cover line 7", ...}

Every field records where it came from, and nothing is invented: a field the document does not state
is None ("unknown" for the sex). The guesses are shown to the user, and every one can be given instead.

Where each field is looked for, in order:
  * the cover: the title page's lines (page 1 of a PDF whose first page is a cover, else the short
    lines before the first heading, contents list or paragraph of prose);
  * the running heads and footers taken out of the text (a partnership may be named only in a
    "© Westmere SCP" line);
  * the introduction: the opening pages after the cover (contents lists left out), for a year given
    only as "published on 22 February 2022", the child's age and sex, and as a last resort the
    partnership or the nation its legislation implies;
  * the file name, for the kind ("exec summary") and the child's name.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..gazetteer import ENGLAND_REGION_UNKNOWN, UNKNOWN, UNPLACED_AREAS, nation_for_area, region_for_area
from ..records import DOCUMENT_KINDS
from ..text import clean_line
from .metadata import age_in

if TYPE_CHECKING:
    from ..records import Page, Section

MAX_REVIEW_NAME_CHARS = 80
SEXES = ("male", "female", "mixed", UNKNOWN)
# The fields a Guess holds (besides `sources`), in the order they are shown.
FIELDS = ("title", "document_title", "year", "area", "name", "nation", "kind", "review_type", "child_ages",
          "child_sex")
# The fields a review needs and the ways to give them when the document does not state them.
FILL_IN = {"year": "--year YYYY", "area": "--area NAME", "nation": "--nation NAME"}

COVER_CHARS = 3000       # a cover is shorter than this ...
COVER_PARAGRAPHS = 16    # ... and has fewer separate lines
INTRO_CHARS = 15000      # the opening account: where the child's age and sex are stated
YEAR_BODY_CHARS = 40000  # "published on ..." stated in the body, not on the cover
DASH = "–"


@dataclass(frozen=True)
class Guess:
    """What a document says about itself. `title` follows the collection's convention
    ("YEAR – AREA – NAME", "AREA – NAME" without a year, "Anonymous" without an area);
    `document_title` is the document's own title as printed. `kind` is a key of
    records.DOCUMENT_KINDS. `sources` maps each field found to where it was read."""

    title: str | None = None
    document_title: str | None = None
    year: int | None = None
    area: str | None = None
    name: str | None = None
    nation: str | None = None
    kind: str | None = None
    review_type: str | None = None
    child_ages: tuple[float, ...] = ()
    child_sex: str = UNKNOWN
    sources: dict[str, str] = field(default_factory=dict, compare=True)

    @property
    def unknown(self) -> tuple[str, ...]:
        """The fields a review needs that the document does not state."""
        return tuple(name for name in FILL_IN if getattr(self, name) is None)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {name: getattr(self, name) for name in FIELDS}
        record["child_ages"] = list(self.child_ages)
        record["sources"] = dict(self.sources)
        return record

    @classmethod
    def from_json(cls, record: dict) -> Guess:
        def text(name: str) -> str | None:
            value = record.get(name)
            return None if value is None else str(value)

        year = record.get("year")
        return cls(title=text("title"), document_title=text("document_title"),
                   year=None if year is None else int(year), area=text("area"), name=text("name"),
                   nation=text("nation"), kind=text("kind"), review_type=text("review_type"),
                   child_ages=tuple(float(a) for a in record.get("child_ages", ()) or ()),
                   child_sex=str(record.get("child_sex") or UNKNOWN),
                   sources={str(k): str(v) for k, v in (record.get("sources") or {}).items()})


def catalogue_title(year: int | None, area: str | None, name: str) -> str:
    """"2024 – Rushmere – Baby Isaac"; "Tollbridge – Practice guide: …" without a year; "Anonymous"
    for a review whose area is not known."""
    place = area if area and area.lower() not in UNPLACED_AREAS else "Anonymous"
    return f" {DASH} ".join(str(part) for part in (year, place, name) if part is not None)


# --- the pieces of a document: cover, running lines, introduction ------------------------------------

@dataclass(frozen=True)
class _Line:
    text: str
    where: str           # "cover line 3", "running head", "introduction", "file name"


@dataclass(frozen=True)
class _Layout:
    cover: list[_Line]
    furniture: list[_Line]
    body: str            # the text after the cover, contents lists left out


_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def _prose(paragraph: str) -> bool:
    words = paragraph.split()
    return len(paragraph) > 220 or (len(words) >= 12 and bool(_SENTENCE_END.search(paragraph)))


def _layout(text: str, sections: Sequence[Section], pages: Sequence[Page], furniture: Iterable[str]) -> _Layout:
    contents = [(s.start, s.end) for s in sections if s.name == "contents"]
    boundaries = {s.start for s in sections if s.name in ("heading", "contents") and s.start > 0}
    paragraphs = [(m.start(), m.group(0)) for m in _PARAGRAPH.finditer(text)]
    cover: list[str] = []
    cover_end = 0
    first_page = text[pages[0].start:pages[0].end] if len(pages) > 1 else ""
    if first_page.strip() and len(first_page) < COVER_CHARS \
            and not any(_prose(p) for p in first_page.split("\n\n")):
        # A cover page: everything on it is the title page.
        cover = [p for start, p in paragraphs if pages[0].start <= start < pages[0].end]
        cover_end = pages[0].end
    else:
        cover_end = len(text)
        for number, (start, paragraph) in enumerate(paragraphs):
            if (number and start in boundaries) or _prose(paragraph) or number >= COVER_PARAGRAPHS \
                    or start > COVER_CHARS or any(a <= start < b for a, b in contents):
                cover_end = start
                break
            cover.append(paragraph)
    lines = [line for paragraph in cover for line in paragraph.split("\n") if line.strip()]
    pieces, at = [], cover_end
    for start, end in sorted(contents):
        if end <= at:
            continue
        pieces.append(text[at:max(at, start)])
        at = max(at, end)
    pieces.append(text[at:])
    return _Layout([_Line(" ".join(line.split()), f"cover line {i}") for i, line in enumerate(lines, 1)],
                   [_Line(" ".join(line.split()), "running head or footer") for line in furniture if line.strip()],
                   "\n\n".join(piece.strip() for piece in pieces if piece.strip()))


# --- what a line is -----------------------------------------------------------------------------------

_MARKING = re.compile(r"^(?:official(?:\s*[-–—:]?\s*sensitive)?|official-sensitive|confidential|sensitive|restricted|"
                      r"protect(?:ed)?|not protectively marked|draft|private|in confidence|final|final report|"
                      r"not for publication)\W*$", re.IGNORECASE)
_PERSON = re.compile(r"^[^:]{0,45}\b(?:authors?|reviewers?|writers?|chair(?:ed|man|person)?|prepared|written|"
                     r"lead|panel)\b[^:]{0,30}:", re.IGNORECASE)
_REFERENCE = re.compile(r"^(?:ref(?:erence)?\.?:?\s*)?[A-Z]{2,8}[ -]?\d{1,4}[/-]\d{2,4}$")
_VERSION = re.compile(r"^(?:version|v)\s*\d", re.IGNORECASE)
_CONTENTS_TITLE = re.compile(r"^(?:table of )?contents(?: page)?$|^cynnwys$", re.IGNORECASE)


def _furniture_line(line: str) -> bool:
    return bool(_MARKING.match(line) or _PERSON.match(line) or _REFERENCE.match(line) or _VERSION.match(line)
                or _CONTENTS_TITLE.match(line))


# --- area and nation from the partnership -------------------------------------------------------------

# An area's name comes before these ("Rushmere Safeguarding Children Partnership") ...
_ORG_BEFORE = (
    (r"(?:Local\s+)?Safeguarding\s+Children(?:['’]s)?\s+(?:Partnership|Board)", "England"),
    (r"Children(?:['’]s)?\s+Safeguarding\s+(?:Partnership|Board)", "England"),
    (r"Regional\s+Safeguarding\s+(?:Children\s+)?Board", "Wales"),
    (r"(?:Child|Children(?:['’]s)?)\s+Protection\s+Committee", "Scotland"),
    (r"Public\s+Protection\s+Committee", "Scotland"),
    (r"Health\s+and\s+Social\s+Care\s+Trust", "Northern Ireland"),
    (r"Safeguarding\s+(?:Adults\s+and\s+Children\s+|Children\s+and\s+Adults\s+)?(?:Partnership|Board)", None),
)
# ... or after these ("Safeguarding Board for Severnmouth", "Bwrdd Diogelu Rhanbarthol Afon Teifi").
_ORG_AFTER = (
    (r"Safeguarding\s+(?:Children\s+)?Board\s+for\s+(?:the\s+)?", None),
    (r"Bwrdd\s+Diogelu(?:\s+Plant)?(?:\s+Rhanbarthol)?\s+", "Wales"),
)
# Short forms, trusted in running heads, footers and © lines ("© Westmere SCP").
_ABBREVIATIONS = {"SCP": "England", "LSCB": "England", "SCB": "England", "LSCP": "England", "SSCP": "England",
                  "CPC": "Scotland", "PPC": "Scotland", "RSB": "Wales"}
_ORG_PATTERNS = tuple((re.compile(rf"(?<![\w-]){pattern}\b", re.IGNORECASE), nation) for pattern, nation in _ORG_BEFORE)
_AFTER_PATTERNS = tuple((re.compile(rf"(?<![\w-]){pattern}(?P<area>(?:[A-Z][\w'’-]*|and|upon|on|of)"
                                    rf"(?:[ \t]+(?:[A-Z][\w'’-]*|and|upon|on|of)){{0,4}})", re.IGNORECASE), nation)
                        for pattern, nation in _ORG_AFTER)
_ABBREVIATION = re.compile(rf"\b(?:{'|'.join(_ABBREVIATIONS)})\b")
_AREA_WORD = re.compile(r"[\w'’.&-]+")
_CONNECTORS = {"and", "&", "of", "upon", "on", "the", "with", "in"}
# Words that precede an area's name without being part of it ("Independent Chair of the ...").
_NOT_AREA = {"chair", "chairman", "chairperson", "independent", "report", "review", "manager", "member",
             "members", "business", "unit", "author", "behalf", "commissioned", "published", "annual", "practice",
             "child", "children", "safeguarding", "partnership", "board", "panel", "serious", "case", "executive",
             "summary", "overview", "learning", "rapid", "local", "regional", "by", "for", "from", "to", "a", "an",
             "partnership:", "area", "area:", "trust", "this", "that", "re", "official", "sensitive", "reviews",
             "minute", "briefing", "guide", "thematic", "protection", "committee", "public", "health", "social",
             "care", "©", "copyright", "at", "about", "all", "our", "your", "its", "their", "his", "her"}
_AREA_TRAILING = {"borough", "county", "metropolitan", "district", "city", "council"}
_NATION_NAMES = re.compile(r"\b(England|Wales|Scotland|Northern Ireland)\b")
NATION_OF_BOARD_NI = "Northern Ireland"


@dataclass(frozen=True)
class _Found:
    value: Any
    where: str
    nation: str | None = None          # the nation this evidence implies, if any


def _tidy_area(area: str) -> str:
    area = " ".join(area.split()).strip(" ,.-–:")
    if area.isupper() and len(area) > 3:
        area = " ".join(w.lower() if w.lower() in _CONNECTORS else w.capitalize() for w in area.split())
    return area


def _name_before(before: str) -> str | None:
    """The capitalised words (and joining words such as "and", "upon") just before an area kind."""
    words = _AREA_WORD.findall(before)
    name: list[str] = []
    for word in reversed(words[-8:]):
        lower = word.lower()
        if lower in _NOT_AREA or not (word[0].isupper() or lower in _CONNECTORS) or any(c.isdigit() for c in word):
            break
        name.insert(0, word)
    while name and (name[0].lower() in _CONNECTORS):
        name.pop(0)
    while name and name[-1].lower() in _AREA_TRAILING | _CONNECTORS:
        name.pop()
    return " ".join(name).strip(" ,.-") or None


def _place_like(line: str) -> bool:
    """A line that is only a place's name ("Rushmere" above "Safeguarding Children Partnership")."""
    words = line.split()
    return 0 < len(words) <= 5 and all(w[0].isupper() or w.lower() in _CONNECTORS for w in words) \
        and not any(w.lower() in _NOT_AREA or any(c.isdigit() for c in w) for w in words)


def _areas_in(lines: Sequence[_Line], *, abbreviations: bool) -> list[_Found]:
    """Every partnership named in these lines, in order: its area, the line(s) it is on, its nation."""
    found: list[tuple[int, _Found]] = []
    texts = [line.text for line in lines]
    joined = "\n".join(texts)
    starts = [0]
    for text in texts[:-1]:
        starts.append(starts[-1] + len(text) + 1)

    def line_of(offset: int) -> int:
        return max(i for i, start in enumerate(starts) if start <= offset)

    taken: list[tuple[int, int]] = []
    for pattern, nation in _ORG_PATTERNS:
        for match in pattern.finditer(joined):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            index = line_of(match.start())
            area = _name_before(joined[starts[index]:match.start()])
            where = lines[index].where
            if area is None and joined[starts[index]:match.start()].strip() == "" and index > 0 \
                    and _place_like(texts[index - 1]):
                area, where = texts[index - 1], _span(lines[index - 1].where, lines[index].where)
            elif area is not None and line_of(match.end() - 1) != index:
                where = _span(where, lines[line_of(match.end() - 1)].where)
            taken.append((match.start(), match.end()))
            if area:
                found.append((match.start(), _Found(_tidy_area(area), where, nation)))
    for pattern, nation in _AFTER_PATTERNS:
        for match in pattern.finditer(joined):
            area = _tidy_area(match.group("area"))
            while area.split() and area.split()[-1].lower() in _CONNECTORS:
                area = " ".join(area.split()[:-1])
            if area:
                implied = nation or ("Northern Ireland" if area.lower() == "northern ireland" else None)
                found.append((match.start(), _Found(area, lines[line_of(match.start())].where, implied)))
    for match in re.finditer(r"\bSBNI\b", joined):
        found.append((match.start(), _Found(NATION_OF_BOARD_NI, lines[line_of(match.start())].where,
                                            "Northern Ireland")))
    if abbreviations:
        for match in _ABBREVIATION.finditer(joined):
            index = line_of(match.start())
            area = _name_before(joined[starts[index]:match.start()])
            if area:
                found.append((match.start(), _Found(_tidy_area(area), lines[index].where,
                                                    _ABBREVIATIONS[match.group(0)])))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def _span(first: str, last: str) -> str:
    """"cover line 1" + "cover line 2" -> "cover lines 1-2"."""
    a, b = first.rsplit(" ", 1), last.rsplit(" ", 1)
    if a[0] == b[0] and a[0].endswith("line") and a[1] != b[1]:
        return f"{a[0]}s {a[1]}-{b[1]}"
    return first


def _area(layout: _Layout) -> _Found | None:
    """The partnership's area: from the cover (in a © line too), else the running heads and footers,
    else the introduction's first partnership. In Northern Ireland the Trust area when the cover
    prints one, else the Board's (Northern Ireland)."""
    for lines, abbreviations in ((layout.cover, True), (layout.furniture, True),
                                 ([_Line(p, "introduction") for p in _PARAGRAPH.findall(layout.body[:INTRO_CHARS])],
                                  False)):
        found = [f for f in _areas_in(lines, abbreviations=abbreviations) if f.value.lower() not in UNPLACED_AREAS]
        if not found:
            continue
        trusts = [f for f in found if f.nation == "Northern Ireland" and f.value != NATION_OF_BOARD_NI]
        if trusts:
            return trusts[0]
        return found[0]
    # No partnership: a national document names its nation ("families in Wales").
    named = [(m.group(1), line.where) for line in layout.cover for m in _NATION_NAMES.finditer(line.text)]
    if len({nation for nation, _ in named}) == 1:
        nation, where = named[0]
        return _Found(nation, f"{where} (a nation named, no partnership)", nation)
    return None


# --- review type, document kind -----------------------------------------------------------------------

# The statutory review types, most specific first, with the nation each belongs to.
REVIEW_TYPES = (
    ("Single Unified Safeguarding Review", r"single\s+unified\s+safeguarding\s+reviews?|\bSUSR\b", "Wales"),
    ("Extended Child Practice Review", r"extended\s+child\s+practice\s+reviews?", "Wales"),
    ("Concise Child Practice Review", r"concise\s+child\s+practice\s+reviews?", "Wales"),
    ("Local Child Safeguarding Practice Review", r"local\s+child\s+safeguarding\s+practice\s+reviews?|\bLCSPR\b",
     "England"),
    ("Child Safeguarding Practice Review", r"child\s+safeguarding\s+practice\s+reviews?(?!\s+panel)|\bCSPR\b",
     "England"),
    ("Child Practice Review", r"child\s+practice\s+reviews?|adroddiad\s+adolygu\s+ymarfer\s+plant|"
                              r"adolygiad\s+ymarfer\s+plant", "Wales"),
    ("Serious Case Review", r"serious\s+case\s+reviews?", "England"),
    ("Rapid Review", r"rapid\s+reviews?", "England"),
    ("Significant Case Review", r"significant\s+case\s+reviews?", "Scotland"),
    ("Initial Case Review", r"initial\s+case\s+reviews?", "Scotland"),
    ("Case Management Review", r"case\s+management\s+reviews?|\bCMR\b", "Northern Ireland"),
    ("Learning Review", r"learning\s+reviews?", "Scotland"),
    ("Thematic Review", r"thematic\s+reviews?", None),
    ("Domestic Homicide Review", r"domestic\s+homicide\s+reviews?", None),
)
# English partnerships also call their reviews "learning reviews": the partnership decides there.
_WEAK_TYPES = {"Learning Review"}
_TYPE_PATTERNS = tuple((name, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE), nation)
                       for name, pattern, nation in REVIEW_TYPES)

# Document kinds (records.DOCUMENT_KINDS) by the words that name them, the most telling first.
KIND_WORDS = (
    ("executive-summary", r"executive\s+summary|crynodeb\s+gweithredol|\bexec(?:utive)?[ _-]*summ\w*"),
    ("learning-brief", r"\b(?:\d+|seven)[- ]minute\s+brief\w*|\blearning\s+(?:brief|briefing|summary|note)s?\b|"
                       r"\bbriefing\b|\bbriff\b|\bpractice\s+brief\w*"),
    ("practice-guide", r"\bpractice\s+guid(?:e|ance)\b|\bguide\b|\bguidance\s+for\s+practitioners\b|\btoolkit\b"),
    ("thematic-review", r"\bthematic\s+reviews?\b"),
    ("other", r"\bannual\s+report\b|\bbusiness\s+plan\b|\bnewsletter\b|\bterms\s+of\s+reference\b|"
              r"\baction\s+plan\b"),
    ("report", r"\boverview\s+report\b|\bfull\s+report\b|\breview\s+report\b|\bfinal\s+report\b|"
               r"\breport\s+of\s+the\b|\boverview\b"),
)
_KIND_PATTERNS = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in KIND_WORDS)


def _review_type(layout: _Layout) -> _Found | None:
    found: list[tuple[int, int, _Found]] = []
    for line_number, line in enumerate(layout.cover):
        for rank, (name, pattern, nation) in enumerate(_TYPE_PATTERNS):
            if pattern.search(line.text):
                found.append((rank, line_number, _Found(name, line.where, nation)))
    if found:
        return min(found, key=lambda item: (item[0], item[1]))[2]
    # Not on the cover: how the introduction names the review it reports ("This Learning Review ...").
    head = layout.body[:4000]
    mentions = [(match.start(), name, nation) for name, pattern, nation in _TYPE_PATTERNS
                for match in pattern.finditer(head)
                if re.search(r"\b(?:this|the present)\s+(?:local\s+|concise\s+|extended\s+)?$",
                             head[max(0, match.start() - 25):match.start()], re.IGNORECASE)]
    if mentions:
        _, name, nation = min(mentions)
        return _Found(name, "introduction", nation)
    return None


def _kind(layout: _Layout, file_name: str, review_type: _Found | None) -> _Found | None:
    """The kind the title page names (the most telling if it names several: an executive summary of
    an overview report is an executive summary), else the file's name, else an overview report when
    the title page names a review type."""
    for kind, pattern in _KIND_PATTERNS:
        for line in layout.cover:
            if pattern.search(line.text):
                return _Found(kind, line.where)
    stem = re.sub(r"[_.]+", " ", Path(file_name).stem) if file_name else ""
    for kind, pattern in _KIND_PATTERNS:
        if stem and pattern.search(stem):
            return _Found(kind, "file name")
    if review_type is not None:
        if review_type.value == "Thematic Review":
            return _Found("thematic-review", review_type.where)
        return _Found("report", f"{review_type.where} (a {review_type.value})")
    return None


# --- publication year ---------------------------------------------------------------------------------

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
           "ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr")
_YEAR = re.compile(r"(?<![\d/.-])((?:19[89]|20[0-4])\d)(?![\d/]|[-–]\d)")
_DATED = re.compile(rf"(?:\b\d{{1,2}}(?:st|nd|rd|th)?\s+)?\b(?:{_MONTHS})\.?,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?"
                    rf"((?:19[89]|20[0-4])\d)\b|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]((?:19[89]|20[0-4])\d)\b", re.IGNORECASE)
_PUBLISHED = re.compile(r"publish|publication|cyhoedd|\bissued\b|©|\(c\)|\bcopyright\b|\breleased?\b",
                        re.IGNORECASE)
_DATE_WORDS = re.compile(r"\b(?:updated|revised|final|version|date[d]?|dyddiad)\b", re.IGNORECASE)
# A year that dates something else: the events, a meeting, an approval, a period, a law.
_NOT_PUBLICATION = re.compile(
    r"\b(?:between|from|since|during|until|till|events?|incidents?|concerning|period|covering|covers|approved|"
    r"agreed|commissioned|meeting|died|death|born|happened|occurred|reviewed|in respect of|act|regulations?|"
    r"guidance|procedures|aged?|age|to|and)\b", re.IGNORECASE)
_PUBLISHED_IN_TEXT = re.compile(
    rf"\b(?:was|were|is|be|been|being|first)?\s*published\s+(?:on\s+|in\s+)?(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?"
    rf"(?:{_MONTHS})\s+)?((?:19[89]|20[0-4])\d)\b", re.IGNORECASE)


def _latest_year() -> int:
    return datetime.date.today().year + 1


def _years_in(line: str) -> list[tuple[int, int]]:
    """(tier, year) for each year on a title-page line that may be its publication year: 3 on a line
    about publication (or ©), 2 in a full date or on a line saying "updated", "final", "date", 1 a
    bare year. Years of events, meetings, approvals, periods, laws and ranges ("2022–23") are left out."""
    latest = _latest_year()
    found = []
    dated = {m.start(1) if m.group(1) else m.start(2): m.start(0) for m in _DATED.finditer(line)}
    numbers = [(m.start(1), int(m.group(1))) for m in _YEAR.finditer(line)]
    numbers += [(at, int(line[at:at + 4])) for at in dated if line[at - 1:at] in "/.-"]
    for at, year in sorted(numbers):
        if not 1990 <= year <= latest:
            continue
        before = line[:dated.get(at, at)]
        clause = re.split(r"[;()]|\s[–—-]\s", before)[-1]
        if _NOT_PUBLICATION.search(clause) and not _PUBLISHED.search(clause):
            continue
        if re.match(r"\s*(?:to|and|[-–—])\s*(?:\d|(?:" + _MONTHS + r"))", line[at + 4:], re.IGNORECASE):
            continue      # the start of a range
        if _PUBLISHED.search(before):
            tier = 3
        elif at in dated or _DATE_WORDS.search(before):
            tier = 2
        else:
            tier = 1
        found.append((tier, year))
    return found


def _year(layout: _Layout) -> _Found | None:
    for lines in (layout.cover, layout.furniture):
        best: tuple[int, int, str] | None = None
        for line in lines:
            if _PERSON.match(line.text) and not _PUBLISHED.search(line.text):
                continue
            for tier, year in _years_in(line.text):
                if best is None or (tier, year) > best[:2]:
                    best = (tier, year, line.where)
        if best is not None:
            return _Found(best[1], best[2])
    latest = _latest_year()
    for match in _PUBLISHED_IN_TEXT.finditer(layout.body[:YEAR_BODY_CHARS]):
        year = int(match.group(1))
        if 1990 <= year <= latest:
            return _Found(year, "introduction (\u201c" + " ".join(match.group(0).split()) + "\u201d)")
    return None


# --- the child's name -----------------------------------------------------------------------------------

_Q = "‘’'“”\""
_TAG = r"(?i:unborn\s+baby|baby|child|infant|young\s+person|family|siblings?|children|brothers?|sisters?)"
_LETTER = r"[A-Z]\d{0,2}"
_CHILD = re.compile(rf"(?<![\w-]){_TAG}\s+[{_Q}]?(?P<first>{_LETTER}|[A-Z][a-z]+)(?![\w-])[{_Q}]?"
                    rf"(?P<more>(?:\s*(?:,|\band\b|&)\s*(?:{_TAG}\s+)?[{_Q}]?{_LETTER}(?![\w-])[{_Q}]?)*)")
_QUOTED = re.compile(rf"(?<![\w])[{_Q}]([A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,2}})[{_Q}](?![\w])")
_PLAIN_NAMES = re.compile(r"^[A-Z][A-Za-z'’-]+(?:(?:\s*,\s*|\s+(?:and|&)\s+)[A-Z][A-Za-z'’-]+){0,5}$")
_PSEUDONYM = re.compile(r"\s*\((?:a\s+)?(?:pseudonym|not (?:his|her|their|the child['’]s) real name|"
                        r"name changed)\)", re.IGNORECASE)
# Capitalised words that are never a child's name after "Child", "Baby" ... or alone on a cover line.
_NOT_NAMES = set("""
safeguarding protection practice review reviews death deaths services service care sexual criminal exploitation
abuse neglect serious learning local partnership board committee panel act health in looked and of the for on
overview executive summary report reports briefing brief guide guidance contents introduction foreword appendix
glossary recommendations findings conclusions background version final published publication official sensitive
draft confidential thematic annual minute rapid case management significant initial extended concise single
unified child children baby family young person people adult adults sibling siblings independent reviewer author
chair index introduction references terms scope methodology purpose summary what happened key good next steps
questions further information about us
""".split())
_MONTH_WORDS = set(_MONTHS.split("|"))
_NATIONS_LOWER = {"england", "wales", "scotland", "ireland", "northern"}


def _tidy_name(name: str) -> str:
    name = _PSEUDONYM.sub("", name)
    name = "".join(ch for ch in name if ch not in _Q).strip(" ,.:;-–")
    words = name.split()
    if name.isupper() or any(w.isupper() and len(w) > 1 and not re.fullmatch(r"[A-Z]\d*", w) for w in words):
        words = [w if re.fullmatch(r"[A-Z]\d*", w) else w.capitalize() if w.lower() not in ("and",) else "and"
                 for w in words]
    return " ".join(words)[:MAX_REVIEW_NAME_CHARS]


def _child_names(text: str) -> list[str]:
    names = []
    for match in _CHILD.finditer(text):
        if match.group("first").lower() in _NOT_NAMES:
            continue
        names.append(_tidy_name(match.group(0)))
    return names


def _name_from_line(line: str, area: str | None) -> str | None:
    named = _child_names(line)
    if named:
        return named[0]
    bare = _PSEUDONYM.sub("", line).strip()
    quoted = _QUOTED.search(bare)
    if quoted and (len(bare) <= len(quoted.group(0)) + 40):
        words = quoted.group(1).split()
        if not any(w.lower() in _NOT_NAMES for w in words):
            return quoted.group(1)
    if _PLAIN_NAMES.match(bare):
        words = [w for w in re.split(r"\s*,\s*|\s+(?:and|&)\s+", bare) if w]
        area_words = {w.lower() for w in (area or "").split()}
        if all(w.lower() not in _NOT_NAMES | _MONTH_WORDS | _NATIONS_LOWER | area_words
               and not (w.isupper() and not bare.isupper()) and not (w.isupper() and len(words) == 1 and len(w) <= 5)
               for w in words):
            return _tidy_name(bare)
    return None


_NAMED_IN_TEXT = re.compile(rf"\b(?:referred to(?: in this (?:report|review))? as|known as|called|concerns|"
                            rf"concerning|about|in respect of)\s+(?:the\s+)?(?P<name>[{_Q}]?[A-Z][^\n.,;:]{{0,40}})")


def _name(layout: _Layout, area: str | None, file_name: str, kind: _Found | None) -> _Found | None:
    """The child's pseudonym as the cover gives it; for a document about no single child (a guide, a
    thematic review, an annual report) a description from the cover; else a child named in the
    introduction ("referred to as Child G") or in the file's name."""
    for line in layout.cover:
        if _furniture_line(line.text) or _areas_in([line], abbreviations=True):
            continue
        name = _name_from_line(line.text, area)
        if name:
            return _Found(name, line.where)
    if kind is not None and kind.value in ("practice-guide", "thematic-review", "other"):
        return _described(layout, kind)
    for match in _NAMED_IN_TEXT.finditer(layout.body[:4000]):
        named = _child_names(match.group("name"))
        quoted = _QUOTED.match(match.group("name"))
        if named:
            return _Found(named[0], "introduction")
        if quoted:
            return _Found(quoted.group(1), "introduction")
    stem = re.sub(r"[_]+", " ", Path(file_name).stem) if file_name else ""
    named = _child_names(stem)
    if named:
        return _Found(named[0], "file name")
    return None


def _sentence_case(text: str, body: str) -> str:
    """Title Case words made lower case where the document writes them so ("Non-Mobile Babies")."""
    words = set(re.findall(r"[a-z][a-z'’-]*", body))
    return " ".join(w.lower() if w[:1].isupper() and not w.isupper() and w.lower() in words else w
                    for w in text.split())


def _described(layout: _Layout, kind: _Found | None) -> _Found | None:
    """A name for a document about no single child (a guide, a thematic review, an annual report): its
    kind and its subject as the cover gives them, in the cover's order ("Practice guide: bruising
    and injuries in non-mobile babies", "Safer sleep for babies: practice guide")."""
    if kind is None or kind.value not in ("practice-guide", "thematic-review", "other"):
        return None
    pattern = dict(_KIND_PATTERNS)[kind.value]
    label = DOCUMENT_KINDS.get(kind.value, "")
    kind_at = subject_at = None
    subject = ""
    for number, line in enumerate(layout.cover):
        text = line.text
        if _furniture_line(text) or _areas_in([line], abbreviations=True) or _years_in(text) and len(text) < 40:
            continue
        match = pattern.search(text)
        if match and kind_at is None:
            kind_at = number
            rest = (text[:match.start()] + text[match.end():]).strip(" :–-,")
            rest_words = [w for w in rest.split() if w.lower() not in ("a", "an", "the")]
            if rest_words and len(rest.split()) <= 4 and re.search(r"\d", rest):
                # "Annual Report 2022–23": the line is the document's name.
                named = _sentence_case(text, layout.body)
                return _Found(named[:1].upper() + named[1:], line.where)
            continue
        if not subject and not any(p.search(text) for _, p, _ in _TYPE_PATTERNS) and len(text.split()) <= 14:
            subject, subject_at = text.strip(" :–-"), number
    if kind_at is None or not subject or subject_at is None:
        return None
    subject = _sentence_case(subject, layout.body)
    if kind_at < subject_at:
        value = f"{label}: {subject}"
        where = _span(layout.cover[kind_at].where, layout.cover[subject_at].where)
    else:
        value = f"{subject[:1].upper() + subject[1:]}: {label.lower()}"
        where = _span(layout.cover[subject_at].where, layout.cover[kind_at].where)
    return _Found(value[:MAX_REVIEW_NAME_CHARS], where)


# --- the document's own title -------------------------------------------------------------------------

_NOT_TITLE = re.compile(r"^(?:page \d+.*|contents|https?://\S+|www\.\S+)$", re.IGNORECASE)


def _dated_line(line: str) -> bool:
    """A line that only dates the document: "Published March 2024", "Last updated: February 2021"."""
    rest = _DATED.sub("", _YEAR.sub("", line))
    return bool(_years_in(line)) and len(re.findall(r"[^\W\d_]{3,}", rest)) <= 2 and len(rest.split()) <= 4


def _document_title(layout: _Layout, name: _Found | None, page_title: str | None) -> _Found | None:
    """The document's own title as printed: the review type and the child ("Child Safeguarding
    Practice Review: Child Q"), a bare kind and its subject ("Practice Guide: Bruising ..."), else
    the first line of the title page that is not a partnership, a date or a marking."""
    if page_title:
        return _Found(page_title, "the web page's title")
    lines = [line for line in layout.cover if not _furniture_line(line.text) and not _NOT_TITLE.match(line.text)]
    typed = next((line for line in lines if (any(p.search(line.text) for _, p, _ in _TYPE_PATTERNS)
                                              or any(p.search(line.text) for _, p in _KIND_PATTERNS))
                  and len(line.text.split()) <= 8 and not _areas_in([line], abbreviations=False)), None)
    named = next((line for line in lines if name is not None and line.where == name.where), None)
    if typed is not None and named is None and len(typed.text.split()) <= 4:
        # "Practice Guide" over its subject: the title is both lines.
        after = lines.index(typed) + 1
        subject = lines[after] if after < len(lines) else None
        if subject is not None and not _areas_in([subject], abbreviations=True) and not _years_in(subject.text) \
                and len(subject.text.split()) <= 12:
            named = subject
    if typed is not None and named is not None:
        if typed is named:
            return _Found(typed.text, typed.where)
        first, second = (typed, named) if lines.index(typed) < lines.index(named) else (named, typed)
        return _Found(f"{first.text}: {second.text}", _span(first.where, second.where))
    for line in lines:
        letters = sum(ch.isalpha() for ch in line.text)
        if letters >= 4 and not _areas_in([line], abbreviations=False) and not _dated_line(line.text) \
                and not re.match(r"^\d{1,2}(?:\.\d{1,2})*\.?\s", line.text) and len(line.text) <= 200:
            return _Found(line.text, line.where)
    return _Found(named.text, named.where) if named is not None else None


# --- the children: ages and sex from the opening account --------------------------------------------

# Other people whose ages an account gives near the child's: a window about the child stops at them.
_OTHERS = re.compile(
    r"\b(?:mother|father|parents?|mum|dad|step-?\w+|half-?\s?(?:brother|sister|sibling)s?|brothers?|sisters?|"
    r"siblings?|cousins?|aunt|uncle|grand\w+|partner|boyfriend|girlfriend|friends?|neighbour\w*|(?<!young )man|"
    r"(?<!young )men|(?<!young )woman|(?<!young )women|lodger|carers?|sons?|daughters?|adults?|twins?|nephew|niece|"
    r"relatives?|resident|pupils?|peers?|perpetrators?|offenders?)\b|['’]s\b", re.IGNORECASE)
_MALE = re.compile(r"\b(?:boy|young man|schoolboy|baby boy|son)\b", re.IGNORECASE)
_FEMALE = re.compile(r"\b(?:girl|young woman|schoolgirl|baby girl|daughter)\b", re.IGNORECASE)
_RELATION_BEFORE = re.compile(r"\b(?:his|her|their|the|a)\s+(?:(?:younger|older|elder|little|big|baby|twin)\s+)?"
                              r"(brother|sister|son|daughter)\s*,?\s*$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|;|\n")
_CONTINUATION = re.compile(r"^\s*(?:[^.;]{0,50}?,\s*)?when\s+(he|she)\s+was\s+", re.IGNORECASE)
_WINDOW_CHARS = 170


@dataclass
class _Child:
    refs: list[re.Pattern]
    age: float | None = None
    sex: str | None = None


def _ref(text: str) -> re.Pattern:
    return re.compile(rf"(?<![\w'’-]){re.escape(text)}(?![\w-])")


def _subjects(name: str | None, body: str) -> list[_Child]:
    """The children a review is about, from its name: "Child J and Child K" -> J and K; "Baby Isaac"
    -> Isaac; "Jamie, Eilidh and Cara" -> each; "Family W" -> W1, W2 ... as the account numbers them."""
    if not name:
        return []
    tagged = re.match(rf"^(?P<tag>{_TAG})\s+(?P<rest>.+)$", name)
    if tagged:
        tag = " ".join(tagged.group("tag").split()).title()
        parts = [p for p in re.split(r"\s*(?:,|\band\b|&)\s*", tagged.group("rest")) if p]
        parts = [re.sub(rf"^{_TAG}\s+", "", p) for p in parts]
        if tag.lower() in ("family", "children") and len(parts) == 1 and re.fullmatch(r"[A-Z]", parts[0]):
            numbered = sorted(set(re.findall(rf"(?<![\w-])({parts[0]}\d{{1,2}})(?![\w-])", body[:INTRO_CHARS])),
                              key=lambda ref: int(ref[1:]))
            return [_Child([_ref(ref)]) for ref in numbered]
        singular = {"Siblings": "Sibling", "Brothers": "Brother", "Sisters": "Sister",
                    "Children": "Child"}.get(tag, tag)
        children = []
        for part in parts:
            refs = [f"{singular} {part}", f"{tag} {part}"]
            if tag.lower() == "unborn baby":
                refs.append(f"Baby {part}")
            if not (len(part) == 1 and part in "AI") and singular.lower() not in ("sibling", "brother", "sister"):
                refs.append(part)
            children.append(_Child([_ref(r) for r in dict.fromkeys(refs)]))
        return children
    parts = [p for p in re.split(r"\s*(?:,|\band\b|&)\s*", name) if p]
    if parts and all(re.fullmatch(r"[A-Z][a-z'’-]+", p) for p in parts):
        return [_Child([_ref(p)]) for p in parts]
    return []


def _window(body: str, start: int, stops: list[re.Pattern]) -> str:
    """The text after a child's name that is about the child: up to the sentence's end, a semicolon,
    another person, or another of the children."""
    end = min(len(body), start + _WINDOW_CHARS)
    text = body[start:end]
    cut = len(text)
    for pattern in (_SENTENCE_BREAK, _OTHERS, *stops):
        match = pattern.search(text)
        if match:
            cut = min(cut, match.start())
    return text[:cut]


def _sex_of(window: str) -> str | None:
    male, female = _MALE.search(window), _FEMALE.search(window)
    if male and (not female or male.start() < female.start()):
        return "male"
    return "female" if female else None


def _children(layout: _Layout, name: str | None) -> tuple[tuple[float, ...], str, str | None]:
    """(ages, sex, where) of the children the review is about, from the first sentences that give
    them; a sibling's, cousin's, parent's or neighbour's age is never taken."""
    body = layout.body[:INTRO_CHARS]
    children = _subjects(name, body)
    if not children:
        return (), UNKNOWN, None
    for child in children:
        others = [ref for other in children if other is not child for ref in other.refs]
        mentions = sorted((m.start(), m.end()) for ref in child.refs for m in ref.finditer(body))
        for start, end in mentions:
            if re.match(r"['’]s\b", body[end:end + 2]):
                continue               # "Q's mother": about someone else
            window = _window(body, end, others)
            relation = _RELATION_BEFORE.search(body[max(0, start - 30):start])
            if child.sex is None:
                child.sex = _sex_of(window) or (
                    ("male" if relation.group(1).lower() in ("brother", "son") else "female") if relation else None)
            if child.age is None:
                child.age = age_in(window)
                following = body[end + len(window):end + len(window) + 200]
                if child.age is None and re.search(r"[.!?][\"'”’)]*$", window) and window.strip(" .") \
                        and following[:1].isspace():
                    # "Child E is a boy. On 2 April 2021, when he was six weeks old, ..."
                    continuation = _CONTINUATION.match(following)
                    if continuation and (child.sex is None or child.sex == {"he": "male", "she": "female"}[
                            continuation.group(1).lower()]):
                        rest = following[continuation.end():]
                        child.age = age_in("was " + _window(rest, 0, others))
            if child.age is not None and child.sex is not None:
                break
    ages = tuple(sorted(child.age for child in children if child.age is not None))
    known = {child.sex for child in children if child.sex is not None}
    if len(known) > 1:
        sex = "mixed"
    elif known and all(child.sex is not None for child in children):
        sex = known.pop()
    else:
        sex = UNKNOWN
    return ages, sex, "introduction" if ages or sex != UNKNOWN else None


# --- nation -----------------------------------------------------------------------------------------------

_LAW_NATIONS = (
    ("England", re.compile(r"Working Together to Safeguard Children|Child Safeguarding Practice Review Panel|"
                           r"\bOfsted\b|Local Safeguarding Children Boards Regulations")),
    ("Wales", re.compile(r"Social Services and Well-being \(Wales\) Act|Wales Safeguarding Procedures|"
                         r"Care Inspectorate Wales|Welsh Government|Working Together to Safeguard People")),
    ("Scotland", re.compile(r"National Guidance for Child Protection|Police Scotland|Children['’]s Reporter|"
                            r"Children's Hearings?|\(Scotland\) Act")),
    ("Northern Ireland", re.compile(r"\bSBNI\b|\bPSNI\b|Health and Social Care Trust|\bUNOCINI\b|"
                                    r"Safeguarding Board for Northern Ireland")),
)


def _known_area_nation(area: str) -> str | None:
    """The nation of an area the gazetteer knows; None for an area it does not (never assumed)."""
    nation = nation_for_area(area)
    if nation == UNKNOWN or (nation == "England" and region_for_area(area) == ENGLAND_REGION_UNKNOWN):
        return None
    return nation


def _nation(layout: _Layout, review_type: _Found | None, area: _Found | None) -> _Found | None:
    org_nation = None
    if area is not None and area.nation:
        named = "(a nation named" in area.where
        org_nation = _Found(area.nation, area.where if named else f"{area.where} (the partnership's name)")
    if review_type is not None and review_type.nation:
        typed = _Found(review_type.nation, f"{review_type.where} (a {review_type.value})")
        if review_type.value in _WEAK_TYPES and org_nation is not None:
            return org_nation
        return typed
    if org_nation is not None:
        return org_nation
    if area is not None:
        known = _known_area_nation(area.value)
        if known:
            return _Found(known, f"{area.where} (the area)")
    laws = {nation for nation, pattern in _LAW_NATIONS if pattern.search(layout.body[:INTRO_CHARS])}
    if len(laws) == 1:
        return _Found(laws.pop(), "introduction (the legislation and bodies it names)")
    return None


# --- all together --------------------------------------------------------------------------------------------

def guess_metadata(text: str, sections: Sequence[Section] = (), pages: Sequence[Page] = (), *,
                   file_name: str = "", furniture: Iterable[str] = (), page_title: str | None = None) -> Guess:
    """Everything a document says about itself (see the module's docstring); None where it says
    nothing."""
    layout = _layout(text, sections, pages, furniture)
    sources: dict[str, str] = {}
    area = _area(layout)
    review_type = _review_type(layout)
    kind = _kind(layout, file_name, review_type)
    year = _year(layout)
    name = _name(layout, area.value if area else None, file_name, kind)
    nation = _nation(layout, review_type, area)
    ages, sex, children_where = _children(layout, name.value if name else None)
    document_title = _document_title(layout, name, page_title)
    for key, found in (("document_title", document_title), ("year", year), ("area", area), ("name", name),
                       ("nation", nation), ("kind", kind), ("review_type", review_type)):
        if found is not None:
            sources[key] = found.where
    if children_where:
        if ages:
            sources["child_ages"] = children_where
        if sex != UNKNOWN:
            sources["child_sex"] = children_where
    title = None
    if name is not None:
        title = catalogue_title(year.value if year else None, area.value if area else None, name.value)
        sources["title"] = "year, area and name"
    return Guess(title=title, document_title=document_title.value if document_title else None,
                 year=year.value if year else None, area=area.value if area else None,
                 name=name.value if name else None, nation=nation.value if nation else None,
                 kind=kind.value if kind else None, review_type=review_type.value if review_type else None,
                 child_ages=ages, child_sex=sex, sources=sources)


def guess_parsed(parsed, file_name: str = "") -> Guess:
    """guess_metadata for a ParsedFile (qa/ingest/parsed.py)."""
    return guess_metadata(parsed.text, parsed.sections, parsed.pages, file_name=file_name,
                          furniture=parsed.furniture, page_title=parsed.page_title)


# --- from a title to a review's name, and where an area is ---------------------------------------------------

_CHILD_NAME = re.compile(
    r"\b(?:Child|Baby|Infant|Sibling|Siblings|Young Person|Family|Adult)\s+(?:[‘'“\"]?[A-Z][\w-]{0,20}[’'”\"]?)"
    r"(?:\s+and\s+[‘'“\"]?[A-Z][\w-]{0,20}[’'”\"]?)?")
_TITLE_NOT_NAMES = {"safeguarding", "protection", "practice", "review", "reviews", "death", "deaths", "services",
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
             if m.group(0).split()[1].strip("‘'“\"’”").lower() not in _TITLE_NOT_NAMES]
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
    """(nation, region, a note for the user or None) of a new review from its area and its nation
    (given by the user or read from the document; None: take it from the area, if the area is one
    the gazetteer knows)."""
    if nation and nation != UNKNOWN:
        if area.lower() in UNPLACED_AREAS:
            region = nation if nation != "England" else ENGLAND_REGION_UNKNOWN
        elif nation_for_area(area) == nation:
            region = region_for_area(area)
        else:
            region = nation if nation != "England" else ENGLAND_REGION_UNKNOWN
        return nation, region, None
    if area.lower() in UNPLACED_AREAS:
        return UNKNOWN, UNKNOWN, None
    known = _known_area_nation(area)
    if known is None:
        return UNKNOWN, UNKNOWN, None
    return known, region_for_area(area), None
