"""The records every stage passes along: reviews (cases), their documents, and the sections and
pages inside a document. Plain frozen dataclasses; JSON only at the edges (to_json / from_json).

A *review* is one case (year, area, name, keywords, ages). A *document* is one source text of a
review: the NSPCC summary, an overview report, an executive summary. Offsets everywhere are
character offsets into `Document.text`, so a passage is always `document.text[start:end]`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

from .gazetteer import AgeSpan, as_age_span

SECTION_LABELS = {
    "summary": "What happened",
    "learning": "Learning",
    "recommendations": "Recommendations",
    "model": "Review model",
    "keywords": "Keywords",
}

# Where the NSPCC summaries come from (the page saved as qa/data/nspcc-case-reviews-page.txt): the link
# an export or a source view gives for a summary.
NSPCC_CASE_REVIEWS_URL = "https://learning.nspcc.org.uk/case-reviews/recently-published-case-reviews"

# Document kinds: the NSPCC summaries ("summary") and what users add (qa/ingest/guess/kind.py reads the kind
# from a title page; any other short id a user gives is shown as its words).
DOCUMENT_KINDS = {"summary": "Summary", "report": "Overview report", "executive-summary": "Executive summary",
                  "learning-brief": "Learning brief", "practice-guide": "Practice guide",
                  "thematic-review": "Thematic review", "other": "Other document"}


def document_kind(words: str) -> str | None:
    """The DOCUMENT_KINDS key a user's words name: the key ("learning-brief") or the label ("Learning
    brief", "overview report"), in any case and with spaces or hyphens; None for anything else."""
    key = "-".join(str(words).replace("_", " ").replace("-", " ").lower().split())
    if key in DOCUMENT_KINDS:
        return key
    labels = {"-".join(label.lower().split()): kind for kind, label in DOCUMENT_KINDS.items()}
    labels.update({"overview-report": "report", "other": "other"})
    return labels.get(key)


@dataclass(frozen=True)
class Section:
    """A span of a document's text. `name` is a key for the summaries' fixed sections ("learning");
    a heading found in a report keeps its own words in `title`."""

    name: str
    start: int
    end: int
    title: str = ""

    @property
    def label(self) -> str:
        return self.title or SECTION_LABELS.get(self.name, self.name.replace("-", " ").title())

    def to_json(self) -> dict:
        record = {"name": self.name, "start": self.start, "end": self.end}
        if self.title:
            record["title"] = self.title
        return record

    @classmethod
    def from_json(cls, record: dict) -> Section:
        return cls(str(record["name"]), int(record["start"]), int(record["end"]), str(record.get("title", "")))


@dataclass(frozen=True)
class Page:
    """One physical page of a paged source: `number` counts from 1; `label` is the page number
    printed on it ("iv", "23") when the file says so."""

    number: int
    start: int
    end: int
    label: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, record: dict) -> Page:
        label = record.get("label")
        return cls(int(record["number"]), int(record["start"]), int(record["end"]),
                   None if label is None else str(label))


@dataclass(frozen=True)
class Review:
    id: str
    title: str
    year: int | None                  # publication year; None when no document states it
    area: str
    name: str
    nation: str
    keywords: tuple[str, ...] = ()
    region: str = "unknown"
    # Ages of the children the summary describes, as (low, high) spans in years (gazetteer.AgeSpan: a
    # number is a point, a word like "baby" its range); empty when it states none.
    child_ages: tuple[AgeSpan, ...] = ()
    same_case_as: tuple[str, ...] = ()
    source_line: int = 0

    def __post_init__(self):
        # Plain numbers (collections written by earlier versions) are points.
        object.__setattr__(self, "child_ages", tuple(as_age_span(age) for age in self.child_ages))

    @property
    def year_label(self) -> str:
        return str(self.year) if self.year is not None else "year unknown"

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "year": self.year, "area": self.area, "name": self.name,
                "nation": self.nation, "region": self.region, "keywords": list(self.keywords),
                "child_ages": [list(span) for span in self.child_ages], "same_case_as": list(self.same_case_as),
                "source_line": self.source_line}

    @classmethod
    def from_json(cls, record: dict) -> Review:
        return cls(
            id=str(record["id"]), title=str(record["title"]),
            year=None if record.get("year") is None else int(record["year"]), area=str(record["area"]),
            name=str(record["name"]), nation=str(record["nation"]),
            keywords=tuple(str(k) for k in record.get("keywords", ())), region=str(record.get("region", "unknown")),
            child_ages=tuple(as_age_span(a) for a in record.get("child_ages", ())),
            same_case_as=tuple(str(r) for r in record.get("same_case_as", ())),
            source_line=int(record.get("source_line", 0)),
        )


@dataclass(frozen=True)
class Document:
    id: str
    review_id: str
    kind: str                         # a key of DOCUMENT_KINDS, or what the user gave
    text: str
    sections: tuple[Section, ...]
    pages: tuple[Page, ...] = ()      # empty for sources without pages
    file: str | None = None           # the original file, relative to the collection folder
    title: str = ""
    sha256: str = field(default="")

    def __post_init__(self):
        if not self.sha256:
            object.__setattr__(self, "sha256", text_sha256(self.text))

    @property
    def kind_label(self) -> str:
        return DOCUMENT_KINDS.get(self.kind, self.kind.replace("-", " ").capitalize())

    def page_at(self, offset: int) -> Page | None:
        """The page holding character `offset` (the last page starting at or before it)."""
        found = None
        for page in self.pages:
            if page.start <= offset:
                found = page
            else:
                break
        return found

    @property
    def summary(self) -> str:
        first = next((s for s in self.sections if s.name == "summary"), None)
        return self.text[first.start:first.end] if first else ""

    def to_json(self) -> dict:
        record = {"id": self.id, "review_id": self.review_id, "kind": self.kind, "title": self.title,
                  "file": self.file, "sha256": self.sha256, "text": self.text,
                  "sections": [s.to_json() for s in self.sections]}
        if self.pages:
            record["pages"] = [p.to_json() for p in self.pages]
        return record

    @classmethod
    def from_json(cls, record: dict) -> Document:
        return cls(
            id=str(record["id"]), review_id=str(record["review_id"]), kind=str(record.get("kind", "summary")),
            text=str(record["text"]), sections=tuple(Section.from_json(s) for s in record.get("sections", ())),
            pages=tuple(Page.from_json(p) for p in record.get("pages", ()) or ()),
            file=record.get("file"), title=str(record.get("title", "")), sha256=str(record.get("sha256", "")),
        )


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
