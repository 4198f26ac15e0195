"""What a change to the collection reports: per file added (FileResult), per add (AddReport), per
removal (RemoveReport), and each document listed (DocumentInfo). Records for every edge to show."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("added", "replaced", "unchanged", "failed", "skipped")


@dataclass(frozen=True)
class FileResult:
    path: str                            # as given or found in a folder
    name: str                            # the file's name
    status: str                          # one of STATUSES
    message: str                         # one line saying what happened (or what is wrong and what to do)
    document_id: str | None = None
    review_id: str | None = None
    review_title: str | None = None
    new_review: bool | None = None       # True: a new review was started; False: joined an existing one
    matched_by: str | None = None        # why it joined: "--review", "metadata CSV", "same area, name and year"
    guessed: dict | None = None          # what the title page suggested: title (as printed), year, area
    metadata: dict | None = None         # what was used: title, year, area, name, nation, region, kind
    guessed_from: dict | None = None     # where each guess was read: {"year": "cover line 7", ...}
    guess: dict | None = None            # everything read from the document (qa/ingest/guess/record.py Guess)
    unknown: tuple[str, ...] = ()        # fields of a new review the document does not state: year, area, nation
    pages: int | None = None
    characters: int | None = None
    file: str | None = None              # the copy kept in the collection, relative to its folder
    duplicate_of: str | None = None      # "unchanged" because another document has the same text
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict:
        record = {name: getattr(self, name) for name in self.__dataclass_fields__}
        record["warnings"] = list(self.warnings)
        record["unknown"] = list(self.unknown)
        return record


@dataclass(frozen=True)
class AddReport:
    files: tuple[FileResult, ...]
    built: bool                          # a new index generation was committed
    generation: int | None               # the index generation in use afterwards (None: none built)
    embedded_documents: int
    passages: int | None                 # passages in the index afterwards
    passages_before: int | None
    parse_seconds: float
    build_seconds: float
    seconds: float
    warnings: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def changed(self) -> bool:
        return any(f.status in ("added", "replaced") for f in self.files)

    def summary(self) -> str:
        counts = [f"{self.count(s)} {s}" for s in STATUSES if self.count(s)]
        text = ", ".join(counts) or "no files"
        if self.built:
            text += (f"; index generation {self.generation} is in use ({self.embedded_documents} document"
                     f"{'s' if self.embedded_documents != 1 else ''} embedded, {self.passages} passages)")
        elif not self.changed:
            text += "; the collection and the index were not changed"
        return text + "."

    def to_json(self) -> dict:
        return {"summary": self.summary(), "files": [f.to_json() for f in self.files], "built": self.built,
                "generation": self.generation, "embedded_documents": self.embedded_documents,
                "passages": self.passages, "passages_before": self.passages_before,
                "counts": {s: self.count(s) for s in STATUSES},
                "seconds": {"parse": round(self.parse_seconds, 3), "build": round(self.build_seconds, 3),
                            "total": round(self.seconds, 3)},
                "warnings": list(self.warnings)}


@dataclass(frozen=True)
class RemoveReport:
    document_id: str
    review_id: str
    review_removed: bool
    file: str | None
    generation: int | None
    message: str

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    review_id: str
    review_title: str
    kind: str
    title: str
    file: str | None
    pages: int
    characters: int

    @property
    def added(self) -> bool:
        """Added from a file (rather than a summary parsed from the NSPCC page)."""
        return self.file is not None

    def to_json(self) -> dict:
        record = {name: getattr(self, name) for name in self.__dataclass_fields__}
        record["added"] = self.added
        return record
