"""The saved NSPCC page -> one review and one summary document per entry.

The source is a saved NSPCC web page: a list of case review summaries grouped by year, followed by
unrelated pages (menus, news, an Ombudsman factsheet, a Welsh practice guide). Each entry is a title
paragraph "YEAR – AREA – NAME" followed by one or more body paragraphs, the last ending with a
"> Read the overview report" link.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CorpusError
from ..gazetteer import nation_for_area, region_for_area
from ..records import Document, Review, Section
from ..text import normalise_space
from .metadata import child_ages, review_id

if TYPE_CHECKING:
    from ..collection import Collection

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


def parse_title(line: str) -> tuple[int, str, str] | None:
    """'2023 – Barnsley – Child ‘T’' -> (2023, 'Barnsley', 'Child ‘T’'); None if not a title."""
    match = _TITLE.match(normalise_space(line))
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
    words = (normalise_space(w).strip(" .<").lower() for w in re.split(r"[,;]|\.\s", body))
    return tuple(w for w in words if w)


def summary_document_id(review_id: str) -> str:
    return f"{review_id}/summary"


def parse_page(page: str) -> tuple[list[Review], list[Document]]:
    """All review entries on the page, in page order, each with its summary document; everything
    that is not an entry is skipped."""
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
        elif state == "entry" and current is not None:
            current[2].append(paragraph)
            if _ends_entry(current[2]):
                state, current = "between", None
        elif state == "between":
            # After an entry's link, anything but a title or a year heading ends the list.
            state = "outside"
    pairs = [_make_entry(number, title, body) for number, title, body in entries]
    documents = [document for _, document in pairs]
    return _link_same_cases([review for review, _ in pairs], documents), documents


def _ends_entry(body: list[str]) -> bool:
    return bool(body) and bool(_LINK.search(body[-1]))


def _make_entry(source_line: int, title: str, body: list[str]) -> tuple[Review, Document]:
    parsed = parse_title(title)
    if parsed is None:
        raise CorpusError(f"The entry at line {source_line} has no 'YEAR – AREA – NAME' title; check the source page.")
    year, area, name = parsed
    kept = [_LINK.sub("", p).strip() for p in body]
    text = "\n\n".join(_clean_text(p) for p in kept if p)
    if not text:
        raise CorpusError(f"The entry '{title}' at line {source_line} has no text; check the source page.")
    sections = split_sections(text)
    summary = text[sections[0].start:sections[0].end]
    rid = review_id(year, area, name, text)
    review = Review(
        id=rid, title=title, year=year, area=area, name=name, nation=nation_for_area(area),
        keywords=parse_keywords(text, sections), region=region_for_area(area), child_ages=child_ages(summary),
        source_line=source_line,
    )
    return review, Document(summary_document_id(rid), rid, "summary", text, sections, title=title)


def _clean_text(paragraph: str) -> str:
    # Saved pages can carry markup; reviews are shown as plain text, so tags are removed and
    # entities decoded here, once, rather than at every place the text is rendered.
    without_tags = re.sub(r"</?[A-Za-z][^<>]{0,200}>", " ", paragraph)
    decoded = html.unescape(without_tags)
    decoded = "".join(ch for ch in decoded if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"[ \t]{2,}", " ", decoded).strip()


def _word_set(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", text.lower()))


def _link_same_cases(reviews: list[Review], documents: list[Document]) -> list[Review]:
    """Mark entries that describe the same case under different area names (same year and name,
    mostly the same learning). Both stay in the corpus: each is an entry on the page."""
    links: dict[str, list[str]] = {r.id: [] for r in reviews}
    texts = {d.review_id: d.text for d in documents}
    for i, a in enumerate(reviews):
        for b in reviews[i + 1:]:
            if a.year != b.year or a.name.lower() != b.name.lower() or a.area == b.area:
                continue
            words_a, words_b = _word_set(texts[a.id]), _word_set(texts[b.id])
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


def merge_page(existing: Collection | None, reviews: list[Review], documents: list[Document]) -> Collection:
    """The page's reviews and summaries, plus every document users added: added documents keep
    their review, and a review that only they describe is kept whole."""
    from ..collection import Collection

    if existing is None:
        return Collection(tuple(reviews), tuple(documents))
    page_ids = {r.id for r in reviews}
    added = [d for d in existing.documents if d.file is not None or d.kind != "summary"]
    added_reviews = {d.review_id for d in added}
    kept_reviews = [r for r in existing.reviews if r.id not in page_ids and r.id in added_reviews]
    return Collection(tuple(reviews) + tuple(kept_reviews), tuple(documents) + tuple(added))
