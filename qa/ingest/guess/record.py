"""The record of a guess: each field a document states, and where it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...gazetteer import UNKNOWN

SEXES = ("male", "female", "mixed", UNKNOWN)
# The fields a Guess holds (besides `sources`), in the order they are shown.
FIELDS = ("title", "document_title", "year", "area", "name", "nation", "kind", "review_type", "child_ages",
          "child_sex")
# The fields a review needs and the ways to give them when the document does not state them.
FILL_IN = {"year": "--year YYYY", "area": "--area NAME", "nation": "--nation NAME"}


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
