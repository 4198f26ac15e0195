"""The one UI-free door that the CLI, the web app and the HTTP API go through.

A Service owns the settings, the embedder (loaded once, on first need) and the index generation in
use. Every request takes the generation once and uses it to the end, and a newly committed
generation (from `build`, `add` or `remove`, in this process or another) is picked up before the
next request: no restart, and no request ever mixes two generations.

Every operation takes typed input (a SearchRequest checked at the edge, paths, ids) and returns a
typed record; JSON is made from those records at the edges.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .collection import ensure_collection
from .embed import Embedder
from .errors import NotFoundError, ReviewQAError
from .index import BuildReport, SearchIndex, build_index, index_status, open_index, store
from .records import Document, Review
from .search import SearchRequest, SearchResponse, SimilarRequest, engine
from .search.vocabulary import FilterValues, check_known, filter_values
from .settings import Settings

if TYPE_CHECKING:
    from .changes import AddOptions, AddReport, DocumentEdit, DocumentInfo, EditReport, RemoveReport, ReviewEdit
    from .digest import Digest
    from .digest.vectors import VectorCache
    from .source import Original, PageImage, SourceView

log = logging.getLogger("reviewqa.service")

# (fraction done from 0 to 1, what is happening) -> None
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ReviewView:
    review: Review
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Health:
    status: str                 # "ready", "loading" or "error"
    generation: int | None
    reviews: int | None
    documents: int | None
    passages: int | None
    model: str | None
    message: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Stats:
    """The collection and the index, as `reviewqa stats` reports them."""

    reviews: int | None
    documents: int | None
    documents_by_kind: dict[str, int] | None
    years: dict[str, int] | None
    nations: dict[str, int] | None
    collection: str
    collection_fault: str | None
    index_dir: str
    index_status: str              # "current", or "needs build: <why>"
    generation: int | None
    indexed_reviews: int | None
    indexed_documents: int | None
    chunks: int | None
    segments: int | None
    model: str | None
    dimension: int | None
    built_at: str | None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ParseReport:
    source: Path
    collection: Path
    reviews: int
    kept_added: int               # documents users added, kept across the re-parse


class Service:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None):
        self.settings = settings
        self._embedder = embedder
        self._index: SearchIndex | None = None
        self._index_name: str | None = None
        self._refused_name: str | None = None     # a generation that failed to open
        self._lock = threading.Lock()
        self._embedder_lock = threading.Lock()
        self._error: Exception | None = None
        self._digest_vectors: VectorCache | None = None   # made on the first digest
        # The collection's filter values, counted once per generation (the app shows them with every answer).
        self._filter_values: tuple[SearchIndex, FilterValues] | None = None

    # --- the index and the model -------------------------------------------------------------------

    def index(self) -> SearchIndex:
        """The generation CURRENT names, reopened when another one has been committed since."""
        folder = store.current_generation(self.settings.index_dir)
        name = folder.name if folder is not None else None
        index = self._index
        if index is not None and name in (self._index_name, self._refused_name):
            return index
        with self._lock:
            if self._index is not None and name in (self._index_name, self._refused_name):
                return self._index
            try:
                opened = self._open()
            except ReviewQAError as error:
                if self._index is not None:
                    # Keep answering from the generation in use; the new one is reported once, not
                    # retried (and re-verified) on every request.
                    log.error("could not switch to index generation %s: %s", name, error)
                    self._refused_name = name
                    return self._index
                self._error = error
                raise
            self._index, self._index_name, self._error = opened, opened.folder.name, None
            log.info("serving index generation %s", opened.folder.name)
            return opened

    def _open(self) -> SearchIndex:
        from threadpoolctl import threadpool_limits

        # Search multiplies small matrices; a multi-threaded BLAS only fights the model's own threads
        # for the cores (measured on 2 cores: median 72 ms -> 41 ms per question with one BLAS thread).
        threadpool_limits(limits=1, user_api="blas")
        return open_index(self.settings)

    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    from .embed import load_query_embedder

                    self._embedder = load_query_embedder(self.settings)
        return self._embedder

    def has_index(self) -> bool:
        """An index generation has been committed (it may still be behind the collection)."""
        return store.current_generation(self.settings.index_dir) is not None

    def warm_up(self) -> None:
        """Open the index and load the model now rather than on the first question."""
        self.index()
        self.embedder()

    def health(self) -> Health:
        index = self._index
        if index is None:
            status = "error" if self._error is not None else "loading"
            return Health(status, None, None, None, None, None, str(self._error or ""))
        manifest = index.manifest
        return Health("ready" if self._embedder is not None else "loading", index.generation, len(index.reviews),
                      len(index.documents), manifest.chunks, manifest.model)

    # --- questions ---------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        index = self.index()
        check_known(request.filters, index)
        return engine.search(index, self.embedder(), request, self.settings)

    def more_like(self, request: SimilarRequest) -> SearchResponse:
        index = self.index()
        check_known(request.filters, index)
        return engine.more_like(index, request, self.settings)

    def digest(self, request: SearchRequest, limit: int = 50) -> Digest:
        """What the reviews that answer a question say: the matching set (not weak matches, up to
        `limit`), its profile and its practice themes with verbatim quotes (qa/digest)."""
        from dataclasses import replace

        from .digest import check_limit, make_digest
        from .digest.vectors import VectorCache

        limit = check_limit(limit)
        if self._digest_vectors is None:
            self._digest_vectors = VectorCache()
        index = self.index()
        check_known(request.filters, index)
        # Twice the limit: weak matches among the hits are left out of the set.
        response = engine.search(index, self.embedder(), replace(request, k=max(request.k, 2 * limit)), self.settings)
        return make_digest(index, self.embedder(), response, self.settings, limit, cache=self._digest_vectors)

    def review(self, review_id: str) -> ReviewView:
        index = self.index()
        review = index.reviews.get(review_id) if isinstance(review_id, str) else None
        if review is None:
            raise NotFoundError(f"There is no review with id '{str(review_id)[:100]}'.")
        return ReviewView(review, tuple(index.documents_of(review_id)))

    # --- the source of a passage (qa/source.py) ------------------------------------------------------

    def source(self, document_id: str, *, passage: str | None = None, start: int | None = None,
               end: int | None = None) -> SourceView:
        """What opening a passage's source shows: its PDF page, its text, or the NSPCC's page."""
        from .source import find_document, passage_span, source_view

        index = self.index()
        document = find_document(index, document_id)
        return source_view(self.settings, document, passage_span(index, document, passage, start, end))

    def page_image(self, document_id: str, page: int, *, passage: str | None = None, start: int | None = None,
                   end: int | None = None, scale: float | None = None) -> PageImage:
        """A PDF page as PNG with the passage (by id, or start and end) highlighted where it lies on it."""
        from .source import DEFAULT_SCALE, find_document, page_image, passage_span

        index = self.index()
        document = find_document(index, document_id)
        span = passage_span(index, document, passage, start, end)
        return page_image(self.settings, document, page, span, DEFAULT_SCALE if scale is None else scale)

    def original(self, document_id: str) -> Original:
        """A document's kept original file (only from inside the collection's files folder)."""
        from .source import find_document, original

        return original(self.settings, find_document(self.index(), document_id))

    def reviews(self) -> list[Review]:
        return list(self.index().reviews.values())

    def filter_values(self) -> FilterValues:
        """Each filter's values in the collection with their review counts (the app's lists, the API),
        counted once for each index generation."""
        index = self.index()
        cached = self._filter_values
        if cached is not None and cached[0] is index:
            return cached[1]
        values = filter_values(list(index.reviews.values()))
        self._filter_values = (index, values)
        return values

    # --- the collection and its index ---------------------------------------------------------------

    def stats(self) -> Stats:
        from .collection import load_collection
        from .index.manifest import verify_files

        settings = self.settings
        ensure_collection(settings)
        collection, fault = None, None
        try:
            collection = load_collection(settings.corpus_path)
        except ReviewQAError as error:
            fault = str(error)
        status = index_status(settings, collection)
        manifest = status.manifest
        problem = status.problem
        if problem is None and status.folder is not None and manifest is not None:
            try:
                verify_files(status.folder, manifest)
            except ReviewQAError as error:
                problem = str(error)
        state = (f"needs build: {problem}" if problem else f"needs build: {status.changes}" if status.changes
                 else "current")
        return Stats(
            reviews=len(collection.reviews) if collection else None,
            documents=len(collection.documents) if collection else None,
            documents_by_kind=dict(Counter(d.kind for d in collection.documents)) if collection else None,
            years=dict(sorted(Counter(r.year_label for r in collection.reviews).items())) if collection else None,
            nations=dict(Counter(r.nation for r in collection.reviews).most_common()) if collection else None,
            collection=str(settings.corpus_path), collection_fault=fault, index_dir=str(settings.index_dir),
            index_status=state,
            generation=manifest.generation if manifest else None,
            indexed_reviews=manifest.review_count if manifest else None,
            indexed_documents=manifest.document_count if manifest else None,
            chunks=manifest.chunks if manifest else None, segments=manifest.segments if manifest else None,
            model=manifest.model if manifest else None, dimension=manifest.dimension if manifest else None,
            built_at=manifest.built_at if manifest else None)

    def pending_changes(self) -> str | None:
        """How the collection differs from the index being searched, in words (None: it does not),
        so a search can say that recent edits are not searched yet."""
        from .collection import load_collection

        try:
            ensure_collection(self.settings)
            collection = load_collection(self.settings.corpus_path)
        except ReviewQAError as error:
            return f"the collection has a fault ({error}); the last index built is searched"
        from .changes.transaction import pending

        interrupted = pending(self.settings)
        if interrupted is not None:
            return (f"an interrupted {interrupted.kind} ({', '.join(interrupted.documents)}) is finished or undone by "
                    "the next add, remove or build")
        changes = index_status(self.settings, collection).changes
        return f"{changes}; run `reviewqa build` to search them" if changes else None

    def parse(self, source: Path | None = None) -> ParseReport:
        """Re-read the saved NSPCC page into the collection, keeping the documents users added."""
        from .changes.transaction import pending
        from .collection import load_collection, save_collection, writer_lock
        from .ingest.nspcc_page import merge_page, parse_page, read_source

        settings = self.settings
        source = Path(source) if source else settings.source_path
        reviews, documents = parse_page(read_source(source))
        with writer_lock(settings.corpus_path):
            if pending(settings) is not None:
                self.build(progress=False)      # finish or undo an interrupted change first
            existing = load_collection(settings.corpus_path) if settings.corpus_path.exists() else None
            collection = merge_page(existing, reviews, documents)
            save_collection(collection, settings.corpus_path)
        return ParseReport(source, settings.corpus_path, len(reviews), len(collection.documents) - len(documents))

    def build(self, *, force: bool = False, progress: bool = True) -> BuildReport:
        """Bring the index up to date with the collection, first finishing or undoing a change that
        a killed process left (qa/changes/transaction.py)."""
        from .changes.transaction import read_collection, recover, sweep_orphans
        from .collection import writer_lock
        from .embed import load_embedder

        settings = self.settings
        ensure_collection(settings)

        def embedder() -> Embedder:
            return self._build_embedder(load_embedder)

        with writer_lock(settings.corpus_path):
            recover(settings, lambda collection: build_index(settings, embedder, progress=progress,
                                                             collection=collection))
            if settings.corpus_path.exists():
                # Originals no document refers to (an add killed before its journal was written).
                sweep_orphans(settings, read_collection(settings))
            return build_index(settings, embedder, force=force, progress=progress)

    def ensure_index(self, *, build: bool = True, progress: bool = True) -> BuildReport | None:
        """Build the index if it is missing, stale or behind the collection (None: it was current).
        Without `build`, a missing or unusable index is an error that says how to build it."""
        from .changes.transaction import pending
        from .collection import load_collection

        ensure_collection(self.settings)
        status = index_status(self.settings, load_collection(self.settings.corpus_path))
        if status.problem is None and status.changes is None and pending(self.settings) is None:
            return None
        if not build:
            if status.problem is not None:
                self.index()   # raises the clear "run reviewqa build" error
            return None
        return self.build(progress=progress)

    def _build_embedder(self, load: Callable[[Settings], Embedder]) -> Embedder:
        # A build embeds in batches: the query embedder serves it too when it is the same model.
        return self._embedder if self._embedder is not None else load(self.settings)

    def add(self, paths: Iterable[str | Path], options: AddOptions | None = None, *,
            progress: Progress | None = None, show_bar: bool = False) -> AddReport:
        """Add files or folders to the collection and update the index; the next request is served
        from the new generation."""
        from .changes import add_files
        from .embed import load_embedder

        ensure_collection(self.settings)
        return add_files(self.settings, paths, options, embedder=lambda: self._build_embedder(load_embedder),
                         progress=progress, show_bar=show_bar)

    def remove(self, document_id: str, *, progress: Progress | None = None, show_bar: bool = False) -> RemoveReport:
        """Remove one document (and its review if it has no other) and update the index."""
        from .changes import remove_document
        from .embed import load_embedder

        ensure_collection(self.settings)
        return remove_document(self.settings, document_id,
                               embedder=lambda: self._build_embedder(load_embedder), progress=progress,
                               show_bar=show_bar)

    def edit(self, review_id: str | None, review: ReviewEdit | None = None,
             documents: dict[str, DocumentEdit] | None = None) -> EditReport:
        """Correct a review's details (title, year, area, nation, region, name, child ages) and its
        documents' kinds and titles; the next request is served from the new generation, built
        without embedding anything (qa/changes/edit.py)."""
        from .changes import edit_review
        from .embed import load_embedder

        ensure_collection(self.settings)
        return edit_review(self.settings, review_id, review, documents,
                           embedder=lambda: self._build_embedder(load_embedder))

    def documents(self) -> list[DocumentInfo]:
        """Every document in the collection file, added ones with their file."""
        from .changes import list_documents

        ensure_collection(self.settings)
        return list_documents(self.settings)
