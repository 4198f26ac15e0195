"""What a user says about the files they add: the options of `reviewqa add` (AddOptions) and the rows
of a metadata CSV, checked and tidied before anything is written. Every fault names where it is (an
option, a CSV row) and what to write instead."""

from __future__ import annotations

import csv
import difflib
import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import ReviewQAError
from ..gazetteer import NATIONS, UNKNOWN
from ..records import document_kind
from ..text import clean_line

METADATA_COLUMNS = ("file", "title", "year", "area", "nation", "review", "kind")
MIN_YEAR = 1970
_KIND = re.compile(r"^[a-z][a-z-]{0,39}$")


class MetadataError(ReviewQAError):
    """A metadata value (an option or a row of the metadata CSV) is not valid."""


@dataclass(frozen=True)
class FileMetadata:
    """Metadata for one file (a row of the metadata CSV) or for every file (the options)."""

    title: str | None = None
    year: int | None = None
    area: str | None = None
    nation: str | None = None
    review: str | None = None
    kind: str | None = None

    def over(self, base: FileMetadata) -> FileMetadata:
        """These values where set, else `base`'s."""
        return FileMetadata(**{name: getattr(self, name) if getattr(self, name) not in (None, "")
                               else getattr(base, name) for name in self.__dataclass_fields__})


@dataclass(frozen=True)
class AddOptions:
    """What `reviewqa add` takes besides the paths. A metadata CSV row, keyed by the file's name,
    wins over these for its file; both win over what is guessed from the file's first page."""

    review_id: str | None = None
    title: str | None = None
    year: int | None = None
    area: str | None = None
    nation: str | None = None
    kind: str | None = None              # None: "report", or "executive-summary" if the title says so
    metadata: Mapping[str, FileMetadata] = field(default_factory=dict)

    def for_all(self) -> FileMetadata:
        return FileMetadata(self.title, self.year, self.area, self.nation, self.review_id, self.kind)


def check_metadata(meta: FileMetadata, where: str) -> FileMetadata:
    """The values checked and tidied (the nation spelled as the collection spells it)."""

    changes: dict = {}
    if meta.year is not None:
        latest = time.localtime().tm_year + 1
        if isinstance(meta.year, bool) or not isinstance(meta.year, int) or not MIN_YEAR <= meta.year <= latest:
            raise MetadataError(f"In {where}, the year {meta.year!r} is not a publication year from {MIN_YEAR} to "
                                f"{latest}; write it as four digits, e.g. 2023.")
    if meta.nation not in (None, ""):
        canonical = {n.lower(): n for n in (*NATIONS, UNKNOWN)}
        nation = canonical.get(" ".join(str(meta.nation).split()).lower())
        if nation is None:
            close = difflib.get_close_matches(str(meta.nation).lower(), list(canonical), n=1, cutoff=0.6)
            hint = f" Did you mean '{canonical[close[0]]}'?" if close else ""
            raise MetadataError(f"In {where}, the nation '{str(meta.nation)[:60]}' is not one of "
                                f"{', '.join((*NATIONS, UNKNOWN))}.{hint}")
        changes["nation"] = nation
    if meta.kind not in (None, ""):
        kind = document_kind(meta.kind) or str(meta.kind).strip().lower().replace(" ", "-")
        if not _KIND.match(kind):
            raise MetadataError(f"In {where}, the kind '{str(meta.kind)[:60]}' is not valid; use report, "
                                "executive-summary, summary or another word in lower-case letters and hyphens.")
        changes["kind"] = kind
    for name in ("title", "area", "review"):
        value = getattr(meta, name)
        if value is not None:
            value = clean_line(value)
            if name == "area" and len(value) > 100:
                raise MetadataError(f"In {where}, the area is longer than 100 characters.")
            changes[name] = value or None
    return replace(meta, **changes)


def read_metadata_csv(path: str | Path) -> dict[str, FileMetadata]:
    """A CSV with a header row of some of: file,title,year,area,nation,review,kind (only `file` is
    required). Returns the rows by file name; any fault names its row and what to write instead."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MetadataError(f"The metadata file {path} does not exist.") from None
    except OSError as error:
        raise MetadataError(f"The metadata file {path} cannot be read ({error.strerror}).") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MetadataError(f"The metadata file {path.name} is not UTF-8 text (byte {error.start}); save it as "
                            "CSV UTF-8 and try again.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise MetadataError(f"The metadata file {path.name} is empty; give a header row such as "
                            f"{','.join(METADATA_COLUMNS)}.") from None
    except csv.Error as error:
        raise MetadataError(f"The metadata file {path.name} is not valid CSV ({error}).") from None
    columns = [c.strip().lower() for c in header]
    unknown = [c for c in columns if c not in METADATA_COLUMNS]
    if unknown or "file" not in columns or len(set(columns)) != len(columns):
        problem = (f"has unknown column{'s' if len(unknown) > 1 else ''} {', '.join(repr(c) for c in unknown)}"
                   if unknown else "has no 'file' column" if "file" not in columns else "repeats a column")
        raise MetadataError(f"The metadata file {path.name} {problem}; its header row must name some of: "
                            f"{','.join(METADATA_COLUMNS)} (file is required).")
    rows: dict[str, FileMetadata] = {}
    line = 1
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                raise MetadataError(f"Row {line} of {path.name} has {len(values)} values but the header names "
                                    f"{len(columns)} columns; quote values that contain commas.")
            record = {c: v.strip() for c, v in zip(columns, values)}
            file = record.get("file", "")
            if not file:
                raise MetadataError(f"Row {line} of {path.name} has no file name; fill its 'file' column.")
            year_text = record.get("year") or None
            year = None
            if year_text is not None:
                if not re.fullmatch(r"\d{4}", year_text):
                    raise MetadataError(f"Row {line} of {path.name}: the year '{year_text[:20]}' is not a year; "
                                        "write it as four digits, e.g. 2023.")
                year = int(year_text)
            meta = FileMetadata(title=record.get("title") or None, year=year, area=record.get("area") or None,
                                nation=record.get("nation") or None, review=record.get("review") or None,
                                kind=record.get("kind") or None)
            meta = check_metadata(meta, f"row {line} of {path.name}")
            key = Path(file.replace("\\", "/")).name if "/" in file or "\\" in file else file
            if key in rows:
                raise MetadataError(f"Row {line} of {path.name} repeats the file '{key}'; keep one row per file.")
            rows[key] = meta
    except csv.Error as error:
        raise MetadataError(f"Row {line} of {path.name} is not valid CSV ({error}).") from None
    return rows
