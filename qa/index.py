"""Build, save and load the search index: a folder of plain files described by manifest.json.

index/current/
    manifest.json       what was built from what (model, corpus hash, chunking, versions, file hashes)
    chunks.jsonl        passages: review id, section, character offsets, text
    segments.jsonl      the clauses/sentences inside each passage: chunk id, character offsets
    dense.faiss         FAISS inner-product index of segment vectors (unit length: scores are cosines)
    context.faiss       the same segments embedded with their review's opening sentence as context
    bm25/               bm25s index over passages (JSON and .npy, no pickle)
    bm25_reviews/       bm25s index over whole reviews, in corpus order

A build writes a new folder beside the old one and swaps it in with renames, so a reader never sees
a half-written index and an interrupted build leaves the previous index untouched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from . import keyword
from .chunking import Chunk, Segment, chunk_reviews, segment_chunks
from .corpus import Review, corpus_fingerprint, load_reviews
from .embedding import Embedder, resolve_model
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .settings import Settings

# Bump when the folder layout or what is embedded for a chunk changes: older indexes become stale.
FORMAT_VERSION = 2
ACTIVE = "current"
MANIFEST = "manifest.json"
_HASHED_FILES = ("chunks.jsonl", "segments.jsonl", "dense.faiss", "context.faiss")


@dataclass
class SearchIndex:
    manifest: dict
    reviews: dict[str, Review]     # in corpus order
    chunks: list[Chunk]
    segments: list[Segment]
    dense: object                  # faiss.Index over segments
    context: object                # faiss.Index over segments in context
    bm25: object                   # bm25s.BM25 over chunks
    bm25_reviews: object           # bm25s.BM25 over reviews, in corpus order
    folder: Path

    def __post_init__(self):
        order = {rid: i for i, rid in enumerate(self.reviews)}
        self.review_ids = list(self.reviews)
        # Arrays that map each chunk and segment to its review's position, for per-review maxima.
        self.chunk_review = np.array([order[c.review_id] for c in self.chunks], dtype=np.int64)
        self.segment_chunk = np.array([s.chunk_id for s in self.segments], dtype=np.int64)
        self.segment_review = self.chunk_review[self.segment_chunk] if len(self.segments) else self.segment_chunk
        # Flat indexes are small (a few MB); plain matrices make "score every segment" one product.
        self.segment_vectors = self.dense.reconstruct_n(0, self.dense.ntotal)
        self.context_vectors = self.context.reconstruct_n(0, self.context.ntotal)


@dataclass(frozen=True)
class BuildReport:
    folder: Path
    reviews: int
    chunks: int
    seconds: float
    rebuilt: bool
    reason: str


def active_folder(settings: Settings) -> Path:
    return Path(settings.index_dir) / ACTIVE


def in_context(text: str, section: str, review: Review) -> str:
    """A segment with its review's opening sentence in front, so that a learning point is tied to
    the case it came from ("Death of a 4-week-old girl. ... safe sleep advice ...")."""
    if section == "summary":
        return text
    context = review.summary.split(". ")[0][:200].rstrip(".")
    return f"{context}. {text}"


def expected_manifest_fields(settings: Settings) -> dict:
    """The manifest fields that must match the current corpus and settings for an index to be used."""
    _, model_name = resolve_model(settings.model)
    return {
        "format_version": FORMAT_VERSION,
        "model": model_name,
        "corpus_sha256": corpus_fingerprint(settings.corpus_path),
        "chunking": settings.chunking_signature(),
    }


def index_state(settings: Settings) -> tuple[dict | None, str | None]:
    """(the manifest, None) if the index is current, else (None, why it must be (re)built)."""
    manifest_path = active_folder(settings) / MANIFEST
    if not manifest_path.exists():
        return None, "no index has been built"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, "the index manifest is unreadable"
    reason = _mismatch(manifest, settings)
    return (None, reason) if reason else (manifest, None)


def staleness(settings: Settings) -> str | None:
    """Why the index must be (re)built, or None if it is current."""
    return index_state(settings)[1]


def _mismatch(manifest: dict, settings: Settings) -> str | None:
    for key, value in expected_manifest_fields(settings).items():
        if manifest.get(key) != value:
            return f"the index was built with a different {key.replace('_', ' ')}"
    return None


def build_index(settings: Settings, embedder: Embedder, *, force: bool = False, progress: bool = True) -> BuildReport:
    """Build the index unless a current one exists (or force is set)."""
    started = time.perf_counter()
    manifest, reason = (None, "forced rebuild") if force else index_state(settings)
    folder = active_folder(settings)
    if manifest is not None:
        return BuildReport(folder, manifest["reviews"], manifest["chunks"], time.perf_counter() - started,
                           False, "index is up to date")

    import faiss

    reviews = load_reviews(settings.corpus_path)
    by_id = {r.id: r for r in reviews}
    chunks = chunk_reviews(reviews, settings, embedder.count_tokens)
    segments = segment_chunks(chunks)
    texts = [by_id[chunks[s.chunk_id].review_id].text[s.start:s.end] for s in segments]
    contexts = [in_context(text, chunks[s.chunk_id].section, by_id[chunks[s.chunk_id].review_id])
                for text, s in zip(texts, segments)]
    # One pass over both lists keeps a single progress bar for the whole embedding step.
    vectors = embedder.encode(texts + contexts, batch_size=settings.embed_batch_size, progress=progress)
    if vectors.shape != (2 * len(segments), embedder.dimension):
        raise ValueError(f"embedder returned shape {vectors.shape}, expected {(2 * len(segments), embedder.dimension)}")

    root = Path(settings.index_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".building-{time.time_ns()}"
    staging.mkdir()
    try:
        _write_jsonl(staging / "chunks.jsonl", (c.to_json() for c in chunks))
        _write_jsonl(staging / "segments.jsonl", (s.to_json() for s in segments))
        for name, block in (("dense.faiss", vectors[:len(segments)]), ("context.faiss", vectors[len(segments):])):
            dense = faiss.IndexFlatIP(embedder.dimension)
            dense.add(np.ascontiguousarray(block))
            faiss.write_index(dense, str(staging / name))
        keyword.save_bm25(keyword.build_bm25([c.text for c in chunks]), staging / "bm25")
        keyword.save_bm25(keyword.build_bm25([r.text for r in reviews]), staging / "bm25_reviews")
        manifest = {
            **expected_manifest_fields(settings),
            "model_dimension": embedder.dimension,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "reviews": len(reviews),
            "chunks": len(chunks),
            "segments": len(segments),
            "similarity": "cosine (inner product of unit vectors)",
            "library_versions": _library_versions(),
            "files": {name: _sha256(staging / name) for name in _HASHED_FILES},
        }
        # The manifest is written last: a folder without one is never a usable index.
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildReport(folder, len(reviews), len(chunks), time.perf_counter() - started, True, reason)


def _swap_in(staging: Path, folder: Path) -> None:
    retired = folder.with_name(f".retired-{time.time_ns()}")
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)


def load_index(settings: Settings) -> SearchIndex:
    """Load the current index, checking it against the corpus and settings."""
    folder = active_folder(settings)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise IndexMissingError(f"No search index found in {folder}; run `reviewqa build` (or `make run`) to build it.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexCorruptError(f"The index manifest {manifest_path} is unreadable; run `reviewqa build --force`.") from None
    reason = _mismatch(manifest, settings)
    if reason is not None:
        raise IndexStaleError(f"The search index is out of date ({reason}); run `reviewqa build` to rebuild it.")
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists() or _sha256(path) != digest:
            raise IndexCorruptError(f"The index file {path} is missing or damaged; run `reviewqa build --force`.")
    try:
        import faiss

        reviews = {r.id: r for r in load_reviews(settings.corpus_path)}
        chunks = [Chunk.from_json(record) for record in _read_jsonl(folder / "chunks.jsonl")]
        segments = [Segment.from_json(record) for record in _read_jsonl(folder / "segments.jsonl")]
        dense = faiss.read_index(str(folder / "dense.faiss"))
        context = faiss.read_index(str(folder / "context.faiss"))
        bm25 = keyword.load_bm25(folder / "bm25")
        bm25_reviews = keyword.load_bm25(folder / "bm25_reviews")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise IndexCorruptError(f"The index in {folder} could not be read ({error}); run `reviewqa build --force`.") from None
    if (len(chunks) != manifest.get("chunks") or len(segments) != manifest.get("segments")
            or dense.ntotal != len(segments) or context.ntotal != len(segments)
            or any(s.chunk_id >= len(chunks) for s in segments)):
        raise IndexCorruptError(f"The index in {folder} is inconsistent (counts differ); run `reviewqa build --force`.")
    missing = {c.review_id for c in chunks} - reviews.keys()
    if missing:
        raise IndexStaleError("The index refers to reviews not in the corpus; run `reviewqa build` to rebuild it.")
    return SearchIndex(manifest, reviews, chunks, segments, dense, context, bm25, bm25_reviews, folder)


def _write_jsonl(path: Path, records) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _library_versions() -> dict:
    versions = {}
    for dist in ("faiss-cpu", "bm25s", "sentence-transformers", "torch", "numpy", "langchain-text-splitters"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return versions

