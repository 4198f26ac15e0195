"""A change to the collection (an add, a removal) as one transaction over the collection file, the
originals kept in corpus/files/ and the index, so that a process killed at any point leaves nothing
half done: the next add, remove, build or serve finishes the change or undoes it.

    corpus/.change.json          the journal: what the change writes and deletes, and how far it got
    corpus/.reviews.jsonl.next   the collection as it will be

The steps, each made durable before the next:

1. journal "prepare": the originals it will copy in, and those it will delete once done;
2. the copies, then the collection as it will be (the staged file);
3. journal "commit": from here on the change is finished, never undone;
4. the index built from the staged collection (a new generation, atomically);
5. the staged file renamed over the collection file;
6. the originals the change replaced or removed deleted; the journal removed.

`recover` reads a journal left behind: "prepare" is undone (copies and staged file deleted, the
collection as it was), "commit" is finished (steps 4-6 again; each is idempotent).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..collection import Collection, load_collection, save_collection
from ..errors import CorpusError
from ..fsutil import atomic_write_text, fsync_dir
from ..settings import Settings
from .originals import delete_copy, delete_original, original_path

log = logging.getLogger("reviewqa.changes")
JOURNAL = ".change.json"


def default_embedder(settings: Settings):
    def load():
        from ..embed import load_embedder

        return load_embedder(settings)
    return load


def index_builder(settings: Settings, embedder=None, show_bar: bool = False):
    """collection -> the index built for it: what a change runs once its collection is written (and
    what recovery runs to finish an interrupted one). `embedder` defaults to the settings' model,
    loaded only if something needs embedding."""
    def build(collection: Collection):
        from ..index import build_index

        return build_index(settings, embedder if embedder is not None else default_embedder(settings),
                           progress=show_bar, collection=collection)
    return build


def read_collection(settings: Settings) -> Collection:
    """The collection; a missing file is an empty collection, so a new folder can start with `add`."""
    path = Path(settings.corpus_path)
    return load_collection(path) if path.exists() else Collection((), ())


@dataclass(frozen=True)
class Change:
    """What a change writes and deletes. Paths are the documents' `file` values (relative to the
    collection folder)."""

    kind: str                         # "add" or "remove"
    copies: tuple[str, ...] = ()      # originals this change copies in
    obsolete: tuple[str, ...] = ()    # originals to delete once the change is in
    documents: tuple[str, ...] = ()   # the document ids it adds, replaces or removes


def journal_path(settings: Settings) -> Path:
    return settings.corpus_path.with_name(JOURNAL)


def staged_path(settings: Settings) -> Path:
    return settings.corpus_path.with_name(f".{settings.corpus_path.name}.next")


def pending(settings: Settings) -> Change | None:
    """A change a killed process left unfinished, if any."""
    state, change = _read_journal(settings)
    return change if state is not None else None


def run_change(settings: Settings, change: Change, new: Collection, copy_originals: Callable[[], None],
               build: Callable[[Collection], object]):
    """Make `change` (the collection becomes `new`) as a transaction; returns what `build` returned.
    Call under the writer lock. An error before the commit undoes everything; an error after it
    (rare: the index is already built) leaves the journal for `recover` to finish."""
    _write_journal(settings, "prepare", change)
    try:
        copy_originals()
        staged = staged_path(settings)
        save_collection(new, staged)
    except BaseException:
        _undo(settings, change)
        raise
    _write_journal(settings, "commit", change)
    try:
        report = build(new)
    except BaseException:
        # The index is as it was (a build commits atomically or not at all): undo the change.
        _undo(settings, change)
        raise
    _finish(settings, change)
    return report


@dataclass(frozen=True)
class Recovery:
    """A change a killed process left, and whether it was finished (committed) or undone."""

    change: Change
    finished: bool

    @property
    def message(self) -> str:
        if self.finished:
            return f"finished an interrupted {self.change.kind} ({', '.join(self.change.documents) or 'no documents'})"
        return f"undid an interrupted {self.change.kind}; the collection is as it was before it"


def recover(settings: Settings, build: Callable[[Collection], object]) -> Recovery | None:
    """Finish or undo the change a killed process left (call under the writer lock before any other
    change or build); None when nothing was pending."""
    state, change = _read_journal(settings)
    if state is None or change is None:
        return None
    staged = staged_path(settings)
    if state == "commit":
        if staged.exists():
            build(load_collection(staged))
        _finish(settings, change)         # (without a staged file, the collection was already replaced)
    else:
        _undo(settings, change)
    recovery = Recovery(change, finished=state == "commit")
    log.warning("%s", recovery.message)
    return recovery


def sweep_orphans(settings: Settings, collection: Collection) -> list[Path]:
    """Delete files in the collection's files folder that no document refers to (left by a change
    made before the journal existed, or copied by hand), when no change is pending."""
    folder = settings.files_dir
    if not folder.is_dir() or pending(settings) is not None:
        return []
    referenced = {original_path(d.file, settings).resolve() for d in collection.documents if d.file}
    removed = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.resolve() not in referenced:
            delete_copy(path, settings)
            removed.append(path)
    return removed


# --- the journal -------------------------------------------------------------------------------------

def _write_journal(settings: Settings, state: str, change: Change) -> None:
    path = journal_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps({"state": state, **asdict(change)}, ensure_ascii=False))
    fsync_dir(path.parent)


def _read_journal(settings: Settings) -> tuple[str | None, Change | None]:
    path = journal_path(settings)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        change = Change(str(record["kind"]), tuple(record["copies"]), tuple(record["obsolete"]),
                        tuple(record["documents"]))
        state = str(record["state"])
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError, KeyError, TypeError):
        # A journal is written atomically, so a damaged one was edited by hand: undo what it can.
        log.warning("the change journal %s is unreadable; undoing the change it described", path)
        return "prepare", Change("change")
    return (state if state in ("prepare", "commit") else "prepare"), change


def _undo(settings: Settings, change: Change) -> None:
    """Delete the copies the change made (none of them is referenced by the collection file) and the
    staged collection; the collection file was never replaced."""
    referenced = set()
    if settings.corpus_path.exists():
        try:
            referenced = {d.file for d in load_collection(settings.corpus_path).documents if d.file}
        except CorpusError:
            referenced = set(change.copies)  # cannot tell: keep them rather than lose an original
    for file in change.copies:
        if file not in referenced:
            delete_copy(original_path(file, settings), settings)
    staged_path(settings).unlink(missing_ok=True)
    _remove_journal(settings)


def _finish(settings: Settings, change: Change) -> None:
    staged = staged_path(settings)
    if staged.exists():
        os.replace(staged, settings.corpus_path)
        fsync_dir(settings.corpus_path.parent)
    for file in change.obsolete:
        delete_original(file, settings)
    _remove_journal(settings)


def _remove_journal(settings: Settings) -> None:
    journal_path(settings).unlink(missing_ok=True)
    fsync_dir(journal_path(settings).parent)
