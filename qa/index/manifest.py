"""manifest.json: what a generation was built from, and the size and sha256 of every file in it.

Every file the index reads is listed and checked when it is opened, so a damaged keyword
vocabulary or a truncated vector file is reported, never silently searched.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path

from ..embed import model_name
from ..errors import IndexCorruptError, IndexStaleError
from ..fsutil import atomic_write_text, file_records, folder_fault
from ..settings import Settings

MANIFEST = "manifest.json"
# Bump when the folder layout or what is embedded for a segment changes: older indexes become stale.
FORMAT_VERSION = 4
REBUILD = "run `reviewqa build --force` to rebuild it"
_SKIP = frozenset({MANIFEST})


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    chunking: dict[str, int]
    context_embedding: bool
    generation: int
    dimension: int
    built_at: str
    review_count: int
    document_count: int
    chunks: int
    segments: int
    vector_indexes: dict[str, dict]
    reviews_sha256: str                       # reviews' metadata, documents' kinds and titles, to notice an edit
    document_hashes: dict[str, str]           # document id -> sha256 of its text
    files: dict[str, dict] = field(default_factory=dict)      # relative path -> {"sha256", "bytes"}
    library_versions: dict[str, str | None] = field(default_factory=dict)
    similarity: str = "cosine (inner product of unit vectors)"
    context_vectors: str = "model"            # Settings.context_vectors, when context_embedding

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, record: object) -> Manifest:
        """Raises ValueError when a field is missing or of the wrong kind."""
        if not isinstance(record, dict):
            raise ValueError("not an object")
        values = {}
        for item in fields(cls):
            if item.name not in record:
                if item.name in ("files", "library_versions", "similarity", "context_vectors"):
                    continue
                raise ValueError(f"no {item.name}")
            values[item.name] = record[item.name]
        manifest = cls(**values)
        for name, kind in (("generation", int), ("chunks", int), ("segments", int), ("review_count", int),
                           ("document_count", int), ("dimension", int), ("files", dict), ("document_hashes", dict),
                           ("vector_indexes", dict), ("chunking", dict)):
            if not isinstance(getattr(manifest, name), kind):
                raise ValueError(f"{name} is not {kind.__name__}")
        return manifest


def expected_fields(settings: Settings) -> dict:
    """The manifest fields that must match the settings for an index to be searched with them."""
    return {
        "format_version": FORMAT_VERSION,
        "model": model_name(settings),
        "chunking": settings.chunking_signature(),
        "context_embedding": settings.context_embedding,
        "context_vectors": settings.context_vectors if settings.context_embedding else "model",
    }


# Fields a search can differ on: the index carries its in-context vectors or not, and the ranking
# uses them when they are there. A build brings them in line with the settings.
BUILD_ONLY_FIELDS = ("context_embedding", "context_vectors")


def mismatch(manifest: Manifest, settings: Settings, *, for_build: bool = False) -> str | None:
    """Why an index cannot be searched (or, for_build, kept) with these settings, or None."""
    for key, value in expected_fields(settings).items():
        if not for_build and key in BUILD_ONLY_FIELDS:
            continue
        if getattr(manifest, key) != value:
            return f"the index was built with a different {key.replace('_', ' ')}"
    return None


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / MANIFEST
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"The index folder {folder} has no manifest; {REBUILD}.") from None
    except (OSError, ValueError):
        raise IndexCorruptError(f"The index manifest {path} is unreadable; {REBUILD}.") from None
    if isinstance(record, dict) and record.get("format_version") != FORMAT_VERSION:
        raise IndexStaleError("The search index was built by another version of reviewqa; run `reviewqa build` "
                              "to rebuild it.")
    try:
        return Manifest.from_json(record)
    except (TypeError, ValueError):
        raise IndexCorruptError(f"The index manifest {path} is incomplete; {REBUILD}.") from None


def check_settings(manifest: Manifest, settings: Settings) -> None:
    reason = mismatch(manifest, settings)
    if reason:
        raise IndexStaleError(f"The search index is out of date ({reason}); run `reviewqa build` to rebuild it.")


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Every file listed is present with its recorded size and hash, and every file present is listed."""
    fault = folder_fault(folder, manifest.files, skip=_SKIP)
    if fault is None:
        return
    name, kind = fault
    if kind == "unlisted":
        raise IndexCorruptError(f"The index file {Path(folder) / name} is not in the manifest; {REBUILD}.")
    raise IndexCorruptError(f"The index file {Path(folder) / name} is missing or damaged; {REBUILD}.")


def write_manifest(folder: Path, manifest: Manifest) -> Manifest:
    """Record every file in the folder and write the manifest last: a folder without one is never a
    usable index."""
    from dataclasses import replace

    complete = replace(manifest, files=file_records(folder, skip=_SKIP), library_versions=library_versions())
    atomic_write_text(Path(folder) / MANIFEST, json.dumps(complete.to_json(), indent=2, ensure_ascii=False) + "\n")
    return complete


def library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for dist in ("faiss-cpu", "bm25s", "numpy", "onnxruntime", "sentence-transformers"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return versions
