"""manifest.json: what a generation was built from and the sha256 of every file in it.

Every file the index reads is listed and checked when it is opened, so a damaged keyword
vocabulary or a truncated vector file is reported, never silently searched.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from ..embed import model_name
from ..errors import IndexCorruptError, IndexStaleError
from ..fsutil import atomic_write_text, sha256_file
from ..settings import Settings

MANIFEST = "manifest.json"
# Bump when the folder layout or what is embedded for a segment changes: older indexes become stale.
FORMAT_VERSION = 3
REBUILD = "run `reviewqa build --force` to rebuild it"


def expected_fields(settings: Settings) -> dict:
    """The manifest fields that must match the settings for an index to be searched with them."""
    return {
        "format_version": FORMAT_VERSION,
        "model": model_name(settings),
        "chunking": settings.chunking_signature(),
        "context_embedding": settings.context_embedding,
    }


# Fields a search can differ on: the index carries its in-context vectors or not, and the ranking
# uses them when they are there. A build brings them in line with the settings.
BUILD_ONLY_FIELDS = ("context_embedding",)


def mismatch(manifest: dict, settings: Settings, *, for_build: bool = False) -> str | None:
    """Why an index cannot be searched (or, for_build, kept) with these settings, or None."""
    for key, value in expected_fields(settings).items():
        if not for_build and key in BUILD_ONLY_FIELDS:
            continue
        if manifest.get(key) != value:
            return f"the index was built with a different {key.replace('_', ' ')}"
    return None


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"The index folder {folder} has no manifest; {REBUILD}.") from None
    except (OSError, ValueError):
        raise IndexCorruptError(f"The index manifest {path} is unreadable; {REBUILD}.") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise IndexCorruptError(f"The index manifest {path} is incomplete; {REBUILD}.")
    return manifest


def check_settings(manifest: dict, settings: Settings) -> None:
    reason = mismatch(manifest, settings)
    if reason:
        raise IndexStaleError(f"The search index is out of date ({reason}); run `reviewqa build` to rebuild it.")


def verify_files(folder: Path, manifest: dict) -> None:
    """Every file listed is present with its recorded hash, and every file present is listed."""
    folder = Path(folder)
    listed = manifest["files"]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    for name in sorted(set(listed) | present):
        if name not in listed:
            raise IndexCorruptError(f"The index file {folder / name} is not in the manifest; {REBUILD}.")
        if name not in present or sha256_file(folder / name) != listed[name]:
            raise IndexCorruptError(f"The index file {folder / name} is missing or damaged; {REBUILD}.")


def write_manifest(folder: Path, manifest: dict) -> None:
    """Hash every file in the folder and write the manifest last: a folder without one is never
    a usable index."""
    folder = Path(folder)
    manifest = dict(manifest)
    manifest["files"] = {p.relative_to(folder).as_posix(): sha256_file(p)
                         for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}
    manifest["library_versions"] = library_versions()
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def library_versions() -> dict:
    versions = {}
    for dist in ("faiss-cpu", "bm25s", "numpy", "langchain-text-splitters", "onnxruntime", "sentence-transformers"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return versions
