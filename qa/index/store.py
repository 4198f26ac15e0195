"""Index generations on disk, switched by an atomic pointer.

    index/
        CURRENT                 the name of the generation in use (one line, replaced atomically)
        generations/000007/     a complete index: files + manifest.json
        generations/000008.partial/   a build under way (or killed: removed by the next build)
        cache/                  embedding cache (see cache.py)

A build writes a new generation folder, renames it from `.partial` to its final name, then
replaces CURRENT. Each step is a single rename, so at every instant CURRENT names a complete
generation: a `kill -9` anywhere leaves the previous index in use. The previous generation is kept
so that a reader that has just read CURRENT can still open it; older ones are removed.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ..fsutil import atomic_write_text, fsync_dir, fsync_file

POINTER = "CURRENT"
GENERATIONS = "generations"
PARTIAL = ".partial"
_NAME = re.compile(r"^\d{6,}$")


def generations_dir(index_dir: Path) -> Path:
    return Path(index_dir) / GENERATIONS


def current_generation(index_dir: Path) -> Path | None:
    """The folder CURRENT names, or None when no index has been committed."""
    try:
        name = (Path(index_dir) / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not _NAME.match(name):
        return None
    return generations_dir(index_dir) / name


def next_name(index_dir: Path) -> str:
    numbers = [int(p.name.split(".")[0]) for p in _entries(generations_dir(index_dir))
               if p.name.split(".")[0].isdigit()]
    return f"{max(numbers, default=0) + 1:06d}"


def new_staging(index_dir: Path) -> Path:
    """A fresh folder for a build; call under the writer lock."""
    folder = generations_dir(index_dir) / (next_name(index_dir) + PARTIAL)
    folder.mkdir(parents=True)
    return folder


def commit(index_dir: Path, staging: Path) -> Path:
    """Make a finished staging folder the index in use. Files are flushed to disk first, so a power
    cut after the switch cannot leave CURRENT naming a generation whose files are empty."""
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            fsync_file(path)
    final = staging.with_name(staging.name[: -len(PARTIAL)])
    os.rename(staging, final)
    fsync_dir(final.parent)
    pointer = Path(index_dir) / POINTER
    atomic_write_text(pointer, final.name + "\n")
    fsync_dir(Path(index_dir))
    return final


def clean_up(index_dir: Path, *, keep_previous: bool = True) -> list[Path]:
    """Remove what killed builds left (partial generations, pointer temp files) and generations older
    than the previous one. Call under the writer lock."""
    index_dir = Path(index_dir)
    current = current_generation(index_dir)
    finished = sorted((p for p in _entries(generations_dir(index_dir)) if _NAME.match(p.name)),
                      key=lambda p: int(p.name))
    keep = {current} if current else set()
    if keep_previous and current is not None:
        older = [p for p in finished if int(p.name) < int(current.name)]
        keep.update(older[-1:])
    removed = []
    for path in _entries(generations_dir(index_dir)):
        if path.name.endswith(PARTIAL) or (_NAME.match(path.name) and path not in keep and current is not None):
            removed.append(path)
    for path in _entries(index_dir):
        if path.name.startswith(f".{POINTER}."):
            removed.append(path)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


def _entries(folder: Path) -> list[Path]:
    try:
        return list(Path(folder).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
