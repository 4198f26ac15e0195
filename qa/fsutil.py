"""Crash-safe file writes: write beside the target, flush to disk, rename over it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- folders described by a manifest (an index generation, the exported model) -----------------------

def file_records(folder: Path, *, skip: frozenset[str] = frozenset()) -> dict[str, dict]:
    """Every file under `folder` (but those named in `skip`) -> {"sha256": ..., "bytes": ...}, by its
    path relative to the folder."""
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): {"sha256": sha256_file(path), "bytes": path.stat().st_size}
            for path in sorted(folder.rglob("*")) if path.is_file() and path.relative_to(folder).as_posix() not in skip}


def folder_fault(folder: Path, records: dict[str, dict], *, hashes: bool = True,
                 skip: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The first way `folder` differs from `records` (see file_records), as (file name, fault) with
    fault one of "unlisted" (present, not recorded), "missing", "size" or "checksum"; None when every
    recorded file is there with its size (and, with `hashes`, its sha256) and nothing else is."""
    folder = Path(folder)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - skip
    for name in sorted(set(records) | present):
        record = records.get(name)
        if record is None:
            return name, "unlisted"
        path = folder / name
        if Path(name).is_absolute() or ".." in Path(name).parts or name not in present:
            return name, "missing"
        if path.stat().st_size != record.get("bytes"):
            return name, "size"
        if hashes and sha256_file(path) != record.get("sha256"):
            return name, "checksum"
    return None
