"""The review type (and the nation it belongs to) and the document kind (records.DOCUMENT_KINDS), from
the cover, the introduction and the file's name."""

from __future__ import annotations

import re
from pathlib import Path

from .layout import _Found, _Layout

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
