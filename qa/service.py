"""The one UI-free layer that the CLI, the web app and the HTTP API call.

A Service owns the settings, the embedder (loaded once, on first need) and the index generation in
use. Every request takes the generation once and uses it to the end, and a newly committed
generation (from `build`, `add` or `remove`, in this process or another) is picked up before the
next request: no restart, and no request ever mixes two generations.
"""

from __future__ import annotations

import difflib
import logging
import threading
from dataclasses import dataclass

from .embed import Embedder
from .errors import InvalidQueryError, NotFoundError, ReviewQAError
from .index import BuildReport, SearchIndex, build_index, index_status, open_index
from .index import store
from .records import Document, Review
from .search import DEFAULT_RANKING, Filters, SearchResponse, clean_question, get_ranking
from .search import engine
from .settings import Settings

log = logging.getLogger("reviewqa.service")
MAX_K = 100


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
                      len(index.documents), int(manifest.get("chunks", 0)), manifest.get("model"))

    # --- questions ---------------------------------------------------------------------------------

    def search(self, question: str, filters: Filters | None = None, *, k: int | None = None,
               ranking: str = DEFAULT_RANKING, literal: bool = False) -> SearchResponse:
        # Everything about the request is checked before the index or the model is touched.
        question = clean_question(question, self.settings.max_query_chars)
        k = check_k(k, self.settings.top_k)
        get_ranking(ranking)
        index = self.index()
        check_known(filters or Filters(), index)
        return engine.search(index, self.embedder(), question, self.settings, filters, ranking=ranking, k=k,
                             use_understanding=not literal)

    def more_like(self, review_id: str, filters: Filters | None = None, k: int | None = None) -> SearchResponse:
        k = check_k(k, self.settings.top_k)
        index = self.index()
        check_known(filters or Filters(), index)
        return engine.more_like(index, review_id, self.settings, filters, k)

    def review(self, review_id: str) -> ReviewView:
        index = self.index()
        review = index.reviews.get(review_id) if isinstance(review_id, str) else None
        if review is None:
            raise NotFoundError(f"There is no review with id '{str(review_id)[:100]}'.")
        return ReviewView(review, tuple(index.documents_of(review_id)))

    def reviews(self) -> list[Review]:
        return list(self.index().reviews.values())

    # --- changing the collection -----------------------------------------------------------------

    def build(self, *, force: bool = False, progress: bool = True) -> BuildReport:
        from .embed import load_embedder

        return build_index(self.settings, lambda: self._build_embedder(load_embedder), force=force,
                           progress=progress)

    def _build_embedder(self, load) -> Embedder:
        # A build embeds in batches: the query embedder serves it too when it is the same model.
        return self._embedder if self._embedder is not None else load(self.settings)

    def add(self, paths, options=None, *, progress=None, show_bar: bool = False):
        """Add files or folders to the collection and update the index (qa/adding.py: AddReport).
        The next request is served from the new generation."""
        from .adding import add_files
        from .embed import load_embedder

        return add_files(self.settings, paths, options, embedder=lambda: self._build_embedder(load_embedder),
                         progress=progress, show_bar=show_bar)

    def remove(self, document_id: str, *, progress=None, show_bar: bool = False):
        """Remove one document (and its review if it has no other) and update the index (RemoveReport)."""
        from .adding import remove_document
        from .embed import load_embedder

        return remove_document(self.settings, document_id, embedder=lambda: self._build_embedder(load_embedder),
                               progress=progress, show_bar=show_bar)

    def documents(self):
        """Every document in the collection file (qa/adding.py: DocumentInfo), added ones with their file."""
        from .adding import list_documents

        return list_documents(self.settings)

    def status(self):
        from .collection import load_collection

        try:
            collection = load_collection(self.settings.corpus_path)
        except ReviewQAError as error:
            return index_status(self.settings), None, str(error)
        return index_status(self.settings, collection), collection, None


def check_k(k, default: int) -> int:
    if k is None:
        return default
    if isinstance(k, bool) or not isinstance(k, int):
        if isinstance(k, float) and k.is_integer():
            k = int(k)
        else:
            raise InvalidQueryError(f"k must be a whole number from 1 to {MAX_K}.")
    if not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be from 1 to {MAX_K}, not {k}.")
    return k


def check_known(filters: Filters, index: SearchIndex) -> None:
    """A filter value that matches nothing in the collection is a mistake to report ("Walse"), not
    an empty answer to give. Only the fields a filter sets are checked (most searches set none)."""
    from .gazetteer import NATIONS, UNKNOWN

    given = {"nation": filters.nations, "region": filters.regions, "area": filters.areas,
             "keyword": filters.keywords}
    for label, values in given.items():
        if not values:
            continue
        present = index.vocabulary(label)
        # Valid names with no review in this collection ("Northern Ireland") get their own message.
        known = {**({n.lower(): n for n in (*NATIONS, UNKNOWN)} if label == "nation" else {}), **present}
        for value in values:
            if value.lower() in present:
                continue
            if value.lower() in known:
                raise InvalidQueryError(f"No review in the collection has the {label} '{known[value.lower()]}'.")
            close = difflib.get_close_matches(value.lower(), list(known), n=3, cutoff=0.6)
            hint = (f" Did you mean {', '.join(repr(known[c]) for c in close)}?" if close
                    else f" Try `reviewqa stats` for the {label}s in the collection.")
            raise InvalidQueryError(f"No review in the collection has the {label} '{value[:60]}'.{hint}")
