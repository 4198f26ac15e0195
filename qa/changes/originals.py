"""The originals of added documents, kept in the collection's `corpus/files/<review id>/`: safe file
names, copies in by temp file and rename, and deletion that never reaches outside that folder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import CollectionError, DocumentError
from ..fsutil import atomic_write_bytes, fsync_dir
from ..ingest.files import read_file
from ..settings import Settings
from ..text import ascii_text

MAX_NAME_CHARS = 80


def safe_file_name(name: str, *, keep_suffix: bool = True, limit: int = MAX_NAME_CHARS) -> str:
    """A name that is safe on any file system and in any shell: ASCII letters, digits and `-_.` only
    (accents dropped, anything else becomes "_"), no leading dot or dash, no path, at most `limit`
    characters with the (lower-cased) extension kept."""
    base = Path(str(name).replace("\\", "/")).name
    # Path's suffix, not os.path.splitext: "..txt" is a .txt file whose name is ".", not a file "..txt".
    suffix = Path(base).suffix if keep_suffix else ""
    stem = base[: len(base) - len(suffix)]
    suffix = re.sub(r"[^a-z0-9.]", "", suffix.lower())[:10]

    def clean(text: str) -> str:
        text = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text(text))
        text = re.sub(r"\.{2,}", ".", text)
        return re.sub(r"_{2,}", "_", text).strip("._- ")

    stem = clean(stem)[: max(1, limit - len(suffix))].rstrip("._-") or "document"
    return stem + suffix


def collection_folder(settings: Settings) -> Path:
    """The folder a document's `file` is relative to: the one holding corpus/ (the collection file's
    grandparent), which is the collection root unless --corpus points elsewhere."""
    return Path(settings.files_dir).parent.parent


def relative_file(path: Path, settings: Settings) -> str:
    """How a document records its original: relative to the collection folder when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(collection_folder(settings).resolve()).as_posix()
    except ValueError:
        return str(path)


def original_path(file: str, settings: Settings) -> Path:
    path = Path(file)
    return path if path.is_absolute() else collection_folder(settings) / path


def check_inside(target: Path, settings: Settings) -> None:
    folder = Path(settings.files_dir).resolve()
    resolved = target.parent.resolve() / target.name
    if folder not in resolved.parents:
        raise CollectionError(f"Refusing to write {target}: it is outside the collection's files folder {folder}.")


def copy_in(source: Path, target: Path, settings: Settings, *, sha256: str | None = None) -> None:
    """Copy `source` to `target` (temp file + rename). With `sha256`, refuse a source that changed
    since it was read for parsing: the original kept must be the one indexed."""
    check_inside(target, settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = read_file(Path(source), max_bytes=settings.parse_limits.max_file_bytes)
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise DocumentError(f"'{Path(source).name}' changed while it was being added; add it again once it is "
                            "saved.")
    atomic_write_bytes(target, data)
    fsync_dir(target.parent)


def delete_copy(target: Path, settings: Settings) -> None:
    try:
        check_inside(target, settings)
        target.unlink(missing_ok=True)
        _remove_empty(target.parent, settings)
    except (OSError, CollectionError):
        pass


def delete_original(file: str, settings: Settings) -> None:
    """Delete a dropped document's original, if it lives in the collection's files folder."""
    path = original_path(file, settings)
    try:
        check_inside(path, settings)
    except CollectionError:
        return
    path.unlink(missing_ok=True)
    _remove_empty(path.parent, settings)


def _remove_empty(folder: Path, settings: Settings) -> None:
    try:
        if folder.resolve() != Path(settings.files_dir).resolve() and not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass
