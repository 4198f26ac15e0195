"""One committed generation, opened for searching: reviews, documents, the passage and sentence
tables, the vector indexes and the keyword indexes, all checked against the manifest.

A generation is self-contained (it carries the reviews and documents it was built from), so
searching never reads the collection file: an edit there that is not yet built, or a faulty one,
cannot break the index in use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexCorruptError, IndexMissingError
from ..gazetteer import area_key
from ..records import Document, Review, Section
from ..settings import Settings
from ..text import match_key, usual_spellings
from . import keyword, store
from .dense import load_vector_index
from .manifest import REBUILD, Manifest, check_settings, read_manifest, verify_files

MMAP_FROM = 100_000       # segments


@dataclass(frozen=True)
class Chunk:
    """A passage: `document.text[start:end]`, identified by its document and ordinal."""

    row: int
    document: Document
    ordinal: int
    section: Section
    start: int
    end: int

    @property
    def id(self) -> str:
        return f"{self.document.id}#{self.ordinal}"

    @property
    def review_id(self) -> str:
        return self.document.review_id

    @property
    def text(self) -> str:
        return self.document.text[self.start:self.end]


@dataclass
class SearchIndex:
    folder: Path
    manifest: Manifest
    reviews: dict[str, Review]          # in collection order
    documents: list[Document]           # in collection order; rows of `chunk_table`
    chunk_table: np.ndarray             # per chunk: document row, section number, start, end
    segment_table: np.ndarray           # per segment: chunk row, start, end
    plain: Any                          # faiss index over segments (ids = segment rows), see dense.py
    context: Any | None                 # the same segments embedded after their review's opening
    bm25_chunks: Any                    # bm25s.BM25 over passages
    bm25_reviews: Any                   # bm25s.BM25 over whole reviews, in review order
    review_ids: list[str] = field(init=False)

    def __post_init__(self):
        self.review_ids = list(self.reviews)
        order = {rid: i for i, rid in enumerate(self.review_ids)}
        self.document_review = np.array([order[d.review_id] for d in self.documents], dtype=np.int64)
        self.chunk_document = self.chunk_table[:, 0]
        self.chunk_review = self.document_review[self.chunk_document] if len(self.chunk_table) else self.chunk_document
        self.segment_chunk = self.segment_table[:, 0]
        self.segment_review = self.chunk_review[self.segment_chunk] if len(self.segment_table) else self.segment_chunk
        self._documents_of: dict[str, list[Document]] = {rid: [] for rid in self.review_ids}
        for document in self.documents:
            self._documents_of[document.review_id].append(document)
        self.documents_by_id = {d.id: d for d in self.documents}
        self._document_rows = {d.id: row for row, d in enumerate(self.documents)}
        # Metadata as columns, so filters are array operations.
        reviews = [self.reviews[rid] for rid in self.review_ids]
        self.review_columns = {
            # An unknown year is -1 (qa/search/filters.py says how unknown values are treated).
            "year": np.array([-1 if r.year is None else r.year for r in reviews], dtype=np.int64),
            # Places by key, so every spelling of one place is one value.
            "nation": np.array([match_key(r.nation) for r in reviews], dtype=object),
            "region": np.array([match_key(r.region) for r in reviews], dtype=object),
            "area": np.array([area_key(r.area) for r in reviews], dtype=object),
        }
        # Each review's chunk and segment rows, found by slicing (CSR layout): per-query work on a
        # review then costs its own size, not the collection's.
        self._vocabularies: dict[str, dict[str, str]] = {}
        self._review_chunks = _grouped(self.chunk_review, len(self.review_ids))
        self._review_segments = _grouped(self.segment_review, len(self.review_ids))

    @property
    def generation(self) -> int:
        return self.manifest.generation

    def documents_of(self, review_id: str) -> list[Document]:
        return self._documents_of.get(review_id, [])

    def vocabulary(self, field: str) -> dict[str, str]:
        """The values of a review field ("nation", "region", "area", "keyword") in this generation:
        key -> the spelling most reviews use (qa/text.py match_key; areas by gazetteer.area_key, so
        one partnership written four ways is one value). Made once per generation, on first use."""
        cached = self._vocabularies.get(field)
        if cached is None:
            reviews = self.reviews.values()
            values = ([k for r in reviews for k in r.keywords] if field == "keyword"
                      else [getattr(r, field) for r in reviews])
            cached = self._vocabularies[field] = usual_spellings(values, area_key if field == "area" else match_key)
        return cached

    def chunks_of(self, review_position: int) -> np.ndarray:
        order, offsets = self._review_chunks
        return order[offsets[review_position]:offsets[review_position + 1]]

    def segments_of(self, review_position: int) -> np.ndarray:
        order, offsets = self._review_segments
        return order[offsets[review_position]:offsets[review_position + 1]]

    def chunk(self, row: int) -> Chunk:
        doc_row, section, start, end = (int(v) for v in self.chunk_table[row])
        document = self.documents[doc_row]
        first = int(np.searchsorted(self.chunk_document, doc_row, side="left"))
        return Chunk(int(row), document, int(row) - first, document.sections[section], start, end)

    def passage(self, chunk_id: str) -> Chunk | None:
        """The passage whose id (`Chunk.id`: "<document id>#<ordinal>") this is, or None."""
        document_id, _, ordinal = str(chunk_id).rpartition("#")
        doc_row = self._document_rows.get(document_id)
        if doc_row is None or not ordinal.isdigit() or len(ordinal) > 9:
            return None
        first = int(np.searchsorted(self.chunk_document, doc_row, side="left"))
        row = first + int(ordinal)
        if row >= len(self.chunk_table) or int(self.chunk_document[row]) != doc_row:
            return None
        return self.chunk(row)

    def segment_span(self, row: int) -> tuple[int, int]:
        return int(self.segment_table[row, 1]), int(self.segment_table[row, 2])

    def segment_text(self, row: int) -> str:
        chunk_row, start, end = (int(v) for v in self.segment_table[row])
        return self.documents[int(self.chunk_table[chunk_row, 0])].text[start:end]


def _grouped(owners: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by owner, and where each owner's rows start: owner i's rows are
    order[offsets[i]:offsets[i + 1]], in row order."""
    order = np.argsort(owners, kind="stable").astype(np.int64)
    offsets = np.searchsorted(owners[order], np.arange(count + 1)).astype(np.int64)
    return order, offsets


def open_index(settings: Settings) -> SearchIndex:
    """Open the generation CURRENT names, checking it against the settings and its manifest."""
    folder = store.current_generation(settings.index_dir)
    if folder is None:
        raise IndexMissingError(f"No search index found in {settings.index_dir}; run `reviewqa build` "
                                "(or `make run`) to build it.")
    manifest = read_manifest(folder)
    check_settings(manifest, settings)
    verify_files(folder, manifest)
    try:
        reviews = {r.id: r for r in (Review.from_json(x) for x in _read_jsonl(folder / "reviews.jsonl"))}
        documents = [Document.from_json(x) for x in _read_jsonl(folder / "documents.jsonl")]
        chunk_table = np.load(folder / "chunks.npy", allow_pickle=False)
        segment_table = np.load(folder / "segments.npy", allow_pickle=False)
        # Large vector indexes are memory-mapped: opening is near-instant and pages are shared with
        # the OS cache (and with other processes serving the same generation).
        mmap = manifest.segments >= MMAP_FROM
        plain = load_vector_index(folder / "plain.faiss", mmap=mmap)
        context = (load_vector_index(folder / "context.faiss", mmap=mmap)
                   if (folder / "context.faiss").exists() else None)
        bm25_chunks = keyword.load_bm25(folder / "bm25_chunks")
        bm25_reviews = keyword.load_bm25(folder / "bm25_reviews")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise IndexCorruptError(f"The index in {folder} could not be read ({error}); {REBUILD}.") from None
    _check_consistent(folder, manifest, reviews, documents, chunk_table, segment_table, plain, context)
    return SearchIndex(folder, manifest, reviews, documents, chunk_table, segment_table, plain, context,
                       bm25_chunks, bm25_reviews)


def _check_consistent(folder, manifest, reviews, documents, chunk_table, segment_table, plain, context) -> None:
    problems = []
    if chunk_table.ndim != 2 or chunk_table.shape[1] != 4 or len(chunk_table) != manifest.chunks:
        problems.append("passage table")
    if segment_table.ndim != 2 or segment_table.shape[1] != 3 or len(segment_table) != manifest.segments:
        problems.append("sentence table")
    if plain.ntotal != len(segment_table) or (context is not None and context.ntotal != len(segment_table)):
        problems.append("vector counts")
    if len(reviews) != manifest.review_count or any(d.review_id not in reviews for d in documents):
        problems.append("reviews")
    if not problems and len(chunk_table) and (chunk_table[:, 0].max() >= len(documents)
                                              or segment_table[:, 0].max() >= len(chunk_table)):
        problems.append("row references")
    if problems:
        raise IndexCorruptError(f"The index in {folder} is inconsistent ({', '.join(problems)}); {REBUILD}.")


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
