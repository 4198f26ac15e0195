"""A change to the collection as one unit: the collection file read (and its bytes kept to put
back), restored if the change fails, and the embedder loaded only if something needs embedding."""

from __future__ import annotations

from pathlib import Path

from ..collection import Collection, load_collection
from ..errors import CorpusError
from ..fsutil import atomic_write_bytes, fsync_dir
from ..settings import Settings


def default_embedder(settings: Settings):
    def load():
        from ..embed import load_embedder

        return load_embedder(settings)
    return load


def read_collection(settings: Settings) -> tuple[bytes | None, Collection]:
    """(the collection file's bytes, to put back on failure; the collection). A missing file is an
    empty collection, so a new collection folder can start with `add`."""
    path = Path(settings.corpus_path)
    try:
        before = path.read_bytes()
    except FileNotFoundError:
        return None, Collection((), ())
    except OSError as error:
        raise CorpusError(f"The collection file {path} cannot be read ({error.strerror}).") from None
    return before, load_collection(path)


def restore(path: Path, before: bytes | None) -> None:
    path = Path(path)
    if before is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write_bytes(path, before)
    fsync_dir(path.parent)
