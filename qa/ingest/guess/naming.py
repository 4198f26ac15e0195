"""Names and titles: the child's name (or, for a document about no single child, its kind and subject),
the document's own title, the collection's title for a review (YEAR – AREA – NAME), and a review's
name from a title or a file name."""

from __future__ import annotations

import re
from pathlib import Path

from ...gazetteer import UNPLACED_AREAS
from ...records import DOCUMENT_KINDS
from ...text import clean_line
from .kind import _KIND_PATTERNS, _TYPE_PATTERNS
from .layout import _Found, _furniture_line, _Layout, _span
from .places import _areas_in
from .year import _DATED, _MONTHS, _YEAR, _years_in

MAX_REVIEW_NAME_CHARS = 80
DASH = "–"


def catalogue_title(year: int | None, area: str | None, name: str) -> str:
    """"2024 – Rushmere – Baby Isaac"; "Tollbridge – Practice guide: …" without a year; "Anonymous"
    for a review whose area is not known."""
    place = area if area and area.lower() not in UNPLACED_AREAS else "Anonymous"
    return f" {DASH} ".join(str(part) for part in (year, place, name) if part is not None)


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


# --- from a title to a review's name ------------------------------------------------------------------

_CHILD_NAME = re.compile(
    r"\b(?:Child|Baby|Infant|Sibling|Siblings|Young Person|Family|Adult)\s+(?:[‘'“\"]?[A-Z][\w-]{0,20}[’'”\"]?)"
    r"(?:\s+and\s+[‘'“\"]?[A-Z][\w-]{0,20}[’'”\"]?)?")
_TITLE_NOT_NAMES = {"safeguarding", "protection", "practice", "review", "reviews", "death", "deaths", "services",
                    "care", "sexual", "criminal", "exploitation", "abuse", "neglect", "serious", "learning", "local",
                    "partnership", "board"}


def name_from_title(title: str, area: str, stem: str) -> str:
    """The review's name, as the NSPCC page would give it ("Child Q"): from a "YEAR – AREA – NAME"
    title, the child named in the title, the part after a colon or dash, else the file's stem."""
    from ..nspcc_page import parse_title

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
