"""Build, save and load the search index: a folder of plain files described by manifest.json.

index/current/
    manifest.json     what was built from what (model, corpus hash, chunking, versions, file hashes)
    chunks.jsonl      one chunk per line: review id, section, character offsets, text
    dense.faiss       FAISS inner-product index over unit vectors (so scores are cosine similarities)
    bm25/             bm25s's own files (JSON and .npy, no pickle)

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
from .chunking import Chunk, chunk_reviews
from .corpus import Review, corpus_fingerprint, load_reviews
from .embedding import Embedder, resolve_model
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .settings import Settings

# Bump when the folder layout or what is embedded for a chunk changes: older indexes become stale.
FORMAT_VERSION = 1
ACTIVE = "current"
MANIFEST = "manifest.json"
_HASHED_FILES = ("chunks.jsonl", "dense.faiss")


@dataclass
class SearchIndex:
    manifest: dict
    reviews: dict[str, Review]
    chunks: list[Chunk]
    dense: object  # faiss.Index
    bm25: object  # bm25s.BM25
    folder: Path

    def review_of(self, chunk: Chunk) -> Review:
        return self.reviews[chunk.review_id]


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


def embedding_text(chunk: Chunk, review: Review) -> str:
    """What the dense model sees for a chunk: the passage, with the review's opening sentence as
    context so that a learning point is tied to the case it came from."""
    if chunk.section == "summary":
        return chunk.text
    context = review.summary.split(". ")[0][:200]
    return f"{context}. {chunk.text}"


def expected_manifest_fields(settings: Settings) -> dict:
    """The manifest fields that must match the current corpus and settings for an index to be used."""
    _, model_name = resolve_model(settings.model)
    return {
        "format_version": FORMAT_VERSION,
        "model": model_name,
        "corpus_sha256": corpus_fingerprint(settings.corpus_path),
        "chunking": settings.chunking_signature(),
    }


def staleness(settings: Settings) -> str | None:
    """Why the index must be (re)built, or None if it is current."""
    manifest_path = active_folder(settings) / MANIFEST
    if not manifest_path.exists():
        return "no index has been built"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "the index manifest is unreadable"
    for key, value in expected_manifest_fields(settings).items():
        if manifest.get(key) != value:
            return f"the index was built with a different {key.replace('_', ' ')}"
    return None


def build_index(settings: Settings, embedder: Embedder, *, force: bool = False, progress: bool = True) -> BuildReport:
    """Build the index unless a current one exists (or force is set)."""
    started = time.perf_counter()
    reason = "forced rebuild" if force else staleness(settings)
    folder = active_folder(settings)
    if reason is None:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return BuildReport(folder, manifest["reviews"], manifest["chunks"], time.perf_counter() - started,
                           False, "index is up to date")

    import faiss

    reviews = load_reviews(settings.corpus_path)
    by_id = {r.id: r for r in reviews}
    chunks = chunk_reviews(reviews, settings, embedder.count_tokens)
    vectors = embedder.encode([embedding_text(c, by_id[c.review_id]) for c in chunks],
                              batch_size=settings.embed_batch_size, progress=progress)
    if vectors.shape != (len(chunks), embedder.dimension):
        raise ValueError(f"embedder returned shape {vectors.shape}, expected {(len(chunks), embedder.dimension)}")

    root = Path(settings.index_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".building-{time.time_ns()}"
    staging.mkdir()
    try:
        with (staging / "chunks.jsonl").open("w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(json.dumps(chunk.to_json(), ensure_ascii=False) + "\n")
        dense = faiss.IndexFlatIP(embedder.dimension)
        dense.add(vectors)
        faiss.write_index(dense, str(staging / "dense.faiss"))
        keyword.save_bm25(keyword.build_bm25([c.text for c in chunks]), staging / "bm25")
        manifest = {
            **expected_manifest_fields(settings),
            "model_dimension": embedder.dimension,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "reviews": len(reviews),
            "chunks": len(chunks),
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
    reason = staleness(settings)
    if reason is not None:
        raise IndexStaleError(f"The search index is out of date ({reason}); run `reviewqa build` to rebuild it.")
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists() or _sha256(path) != digest:
            raise IndexCorruptError(f"The index file {path} is missing or damaged; run `reviewqa build --force`.")
    try:
        import faiss

        reviews = {r.id: r for r in load_reviews(settings.corpus_path)}
        chunks = [Chunk.from_json(json.loads(line))
                  for line in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line]
        dense = faiss.read_index(str(folder / "dense.faiss"))
        bm25 = keyword.load_bm25(folder / "bm25")
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise IndexCorruptError(f"The index in {folder} could not be read ({error}); run `reviewqa build --force`.") from None
    if dense.ntotal != len(chunks) or len(chunks) != manifest.get("chunks"):
        raise IndexCorruptError(f"The index in {folder} is inconsistent (chunk counts differ); run `reviewqa build --force`.")
    missing = {c.review_id for c in chunks} - reviews.keys()
    if missing:
        raise IndexStaleError("The index refers to reviews not in the corpus; run `reviewqa build` to rebuild it.")
    return SearchIndex(manifest, reviews, chunks, dense, bm25, folder)


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


def index_vectors(index: SearchIndex) -> np.ndarray:
    """All chunk vectors, in chunk order (for 'more like this')."""
    return index.dense.reconstruct_n(0, index.dense.ntotal)
