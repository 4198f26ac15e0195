"""Area and nation: the partnership (on the cover, in a running head or footer, else in the introduction),
the nation its name, the review type, the area or the legislation implies; and where a new review is."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...gazetteer import ENGLAND_REGION_UNKNOWN, UNKNOWN, UNPLACED_AREAS, nation_for_area, region_for_area
from .kind import _WEAK_TYPES
from .layout import _PARAGRAPH, INTRO_CHARS, _Found, _Layout, _Line, _span

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


# --- where an area is ---------------------------------------------------------------------------------

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
