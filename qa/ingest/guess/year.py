"""The publication year: from the cover, else the running heads and footers, else "published on ..."
in the body."""

from __future__ import annotations

import datetime
import re

from .layout import _PERSON, _Found, _Layout

YEAR_BODY_CHARS = 40000  # "published on ..." stated in the body, not on the cover

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
