"""Files added through the app: only what was uploaded to this server, checked before it is opened,
and deleted from the upload folder once its copy is in the collection."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..changes import AddOptions, AddReport
from ..errors import ReviewQAError
from ..ingest.files import SUPPORTED

ADD_FILE_TYPES = sorted(SUPPORTED)
NATION_FROM_AREA = "From the area"


def add_uploads(service, files, review_id="", title="", year="", area="", nation="", progress=None) -> AddReport:
    """Add the files Gradio saved from an upload (paths in its temporary folder) with the metadata typed
    in the panel; returns the AddReport. The uploads are parsed where Gradio put them; only the copy in
    the collection is kept (the temporary ones are deleted afterwards)."""
    paths = [str(getattr(f, "path", None) or getattr(f, "name", None) or f) for f in (files or [])]
    if not paths:
        raise ReviewQAError("Choose one or more files to add first (PDF, Word .docx, web page, text or Markdown).")
    folder = upload_folder()
    for path in paths:
        check_uploaded(path, folder)
    year_text = str(year or "").strip()
    if year_text and not re.fullmatch(r"[0-9]{4}", year_text):
        raise ReviewQAError(f"The year '{year_text[:20]}' is not a year; write it as four digits, e.g. 2023.")
    options = AddOptions(review_id=(review_id or "").strip() or None, title=(title or "").strip() or None,
                         year=int(year_text) if year_text else None, area=(area or "").strip() or None,
                         nation=(nation or "").strip() or None)
    try:
        return service.add(paths, options, progress=progress)
    finally:
        _discard_uploads(paths)


def upload_folder() -> Path:
    """Where this server's Gradio writes uploads (inside the server's own temp folder)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def is_uploaded(path: str, folder: Path) -> bool:
    """A regular file (not a link, pipe or device) inside this server's upload folder; checked
    without opening it."""
    candidate = Path(os.path.abspath(path))
    try:
        parent = candidate.parent.resolve()
        return (folder in parent.parents or parent == folder) and stat.S_ISREG(os.lstat(candidate).st_mode)
    except (OSError, ValueError):
        return False


def check_uploaded(path: str, folder: Path) -> None:
    """An add from the app takes only files uploaded to this server. Anything else is refused before
    it is opened."""
    if not is_uploaded(path, folder):
        name = Path(path).name[:80] or "the file"
        raise ReviewQAError(f"'{name}' was not uploaded to this server; choose the file again with the upload box.")


def _discard_uploads(paths) -> None:
    """Delete uploaded files from Gradio's temporary folder (and nowhere else): reviews are sensitive."""
    try:
        folder = upload_folder()
    except Exception:  # noqa: BLE001 - an older Gradio: leave its cache to it
        return
    for path in paths:
        try:
            resolved = Path(path).resolve()
            if folder in resolved.parents and resolved.is_file():
                resolved.unlink()
        except OSError:
            pass
