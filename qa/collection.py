"""The collection: every review and its documents, kept in one JSON Lines file that is replaced
whole, so a change is either fully in or not at all.

    corpus/reviews.jsonl   one review a line, its documents (text, sections, pages) nested inside
    corpus/files/          originals of the documents users added (PDF, DOCX, HTML, text)

The default data folder starts with the collection shipped in the package (the NSPCC page and the
summaries parsed from it), copied in on first use.
"""

from __future__ import annotations

import fcntl
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CollectionBusyError, CorpusError
from .fsutil import atomic_write_bytes, atomic_write_text, fsync_dir
from .records import Document, Page, Review, Section, text_sha256
from .settings import SHIPPED_COLLECTION, SHIPPED_PAGE, Settings


@dataclass(frozen=True)
class Collection:
    reviews: tuple[Review, ...]
    documents: tuple[Document, ...]
    _by_review: dict[str, tuple[Document, ...]] = field(default_factory=dict, init=False, repr=False,
                                                         compare=False)

    def __post_init__(self):
        grouped: dict[str, list[Document]] = {r.id: [] for r in self.reviews}
        for document in self.documents:
            grouped.setdefault(document.review_id, []).append(document)
        object.__setattr__(self, "_by_review", {rid: tuple(docs) for rid, docs in grouped.items()})

    def documents_of(self, review_id: str) -> tuple[Document, ...]:
        return self._by_review.get(review_id, ())

    def review(self, review_id: str) -> Review | None:
        return next((r for r in self.reviews if r.id == review_id), None)

    def document(self, document_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == document_id), None)


def ensure_collection(settings: Settings) -> bool:
    """On first use of the default data folder, copy the shipped collection (and the page it was
    parsed from) into it; True when it did. Other folders start empty: add files, or `reviewqa parse`."""
    path = settings.corpus_path
    if path.exists() or not settings.seeds_collection:
        return False
    with writer_lock(path):
        if path.exists():
            return False
        page = path.parent / SHIPPED_PAGE.name
        if not page.exists():
            atomic_write_bytes(page, SHIPPED_PAGE.read_bytes())
        atomic_write_bytes(path, SHIPPED_COLLECTION.read_bytes())
        fsync_dir(path.parent)
    return True


def review_line(review: Review, documents: tuple[Document, ...]) -> str:
    record = review.to_json()
    record["documents"] = [d.to_json() for d in documents]
    return json.dumps(record, ensure_ascii=False)


def save_collection(collection: Collection, path: Path) -> None:
    """Write the whole collection to a temporary file beside `path`, flush it to disk, then rename it
    over `path`: a reader or a crash sees the old file or the new one, never a mix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [review_line(review, collection.documents_of(review.id)) + "\n" for review in collection.reviews]
    atomic_write_text(path, "".join(lines))
    fsync_dir(path.parent)


def load_collection(path: Path) -> Collection:
    """Read and check the collection. Any fault names its line and the fix; nothing is guessed."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(
            f"The collection file {path} does not exist; run `reviewqa parse` to create it from the source page."
        ) from None
    except UnicodeDecodeError as error:
        raise CorpusError(f"The collection file {path} is not UTF-8 text ({error.reason} at byte {error.start}); "
                          "restore it from git or run `reviewqa parse`.") from None
    except OSError as error:
        raise CorpusError(f"The collection file {path} cannot be read ({error.strerror}).") from None
    reviews: list[Review] = []
    documents: list[Document] = []
    where: dict[str, int] = {}
    by_content: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            review, docs = _parse_line(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CorpusError(f"Line {number} of {path} is not a valid review record ({_reason(error)}); "
                              "fix or remove that line, or run `reviewqa parse` to recreate the summaries.") from None
        if review.id in where:
            raise CorpusError(f"Line {number} of {path} repeats review id '{review.id}' (first on line "
                              f"{where[review.id]}); remove one of them.")
        where[review.id] = number
        for document in docs:
            if not document.text.strip():
                raise CorpusError(f"Document '{document.id}' on line {number} of {path} has no text; "
                                  f"remove it with `reviewqa remove {document.id}`.")
            if document.id in where:
                raise CorpusError(f"Line {number} of {path} repeats document id '{document.id}'; remove one of them.")
            where[document.id] = number
            if document.sha256 in by_content:
                raise CorpusError(f"Document '{document.id}' on line {number} of {path} has the same content as "
                                  f"'{by_content[document.sha256]}'; remove one with `reviewqa remove ID`.")
            by_content[document.sha256] = document.id
        reviews.append(review)
        documents += docs
    if not reviews:
        raise CorpusError(f"The collection file {path} holds no reviews; run `reviewqa parse` to recreate it.")
    return Collection(tuple(reviews), tuple(documents))


def _parse_line(record: dict) -> tuple[Review, tuple[Document, ...]]:
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object")
    review = Review.from_json(record)
    docs = tuple(Document.from_json({**d, "review_id": review.id}) for d in record["documents"])
    for document in docs:
        _check_spans(document)
    return review, docs


def _check_spans(document: Document) -> None:
    size = len(document.text)
    spans: list[Section | Page] = [*document.sections, *document.pages]
    for span in spans:
        if not 0 <= span.start <= span.end <= size:
            raise ValueError(f"document '{document.id}' has a section or page outside its text")
    # The stored hash is checked, not trusted: a hand-edited text with a stale hash is a fault.
    if document.sha256 != text_sha256(document.text):
        raise ValueError(f"document '{document.id}' does not match its sha256; its text was edited by hand "
                         "(remove the \"sha256\" field to accept the edit)")


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error}"
    return str(error).split("\n")[0][:200]


_held = threading.local()


@contextmanager
def writer_lock(collection_path: Path, *, wait: float = 120.0) -> Iterator[None]:
    """One writer at a time per collection (build, add, remove, parse); readers never wait. The lock
    is an flock on a file beside the collection file it protects, so a killed writer releases it with
    its process. A thread that holds it may take it again (`add` holds it across its build); other
    threads and processes wait."""
    collection_path = Path(collection_path)
    collection_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = collection_path.with_name(f".{collection_path.name}.lock")
    key = str(lock_path.resolve())
    held = _held.__dict__.setdefault("locks", {})
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CollectionBusyError(f"Another reviewqa command is changing the collection {collection_path}; "
                                              "try again when it has finished.") from None
                time.sleep(0.05)
        held[key] = 1
        try:
            yield
        finally:
            held.pop(key, None)
            fcntl.flock(handle, fcntl.LOCK_UN)
