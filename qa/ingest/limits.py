"""How much a file may make us read, hold and compute: the limits every parse runs under.

A file's size on disk says little about the work it causes: a 3 MB PDF can inflate to a gigabyte of
text operators, a 4 MB DOCX to a gigabyte of XML. So besides the size of the file, what it inflates
to is bounded (pages, characters, a DOCX's unzipped parts), and the parse of a file being added runs
in a child process with its own memory and time limit (qa/ingest/isolated.py): a hostile file gets
one clear sentence and the process that asked keeps running.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 2**20


@dataclass(frozen=True)
class ParseLimits:
    max_file_bytes: int = 50 * MB
    # A 1,000-page report is about 3 million characters; 2,000 pages is well past any case review.
    max_pages: int = 2_000
    max_characters: int = 5_000_000
    # One PDF page's text: a dense A4 page holds about 5,000 characters.
    max_page_characters: int = 100_000
    # A DOCX is a zip: the sum of its parts' inflated sizes, and any one XML part.
    max_unzipped_bytes: int = 300 * MB
    max_xml_part_bytes: int = 100 * MB
    # The child process that parses: address space and wall-clock time. Parsing the 60-page test
    # report peaks at about 60 MB; a 50 MB PDF of real text stays well under this.
    memory_bytes: int = 1024 * MB
    seconds: float = 120.0

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, record: dict) -> "ParseLimits":
        return cls(**{name: type(getattr(cls(), name))(record[name]) for name in cls.__dataclass_fields__
                      if name in record})


def megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size} bytes"
