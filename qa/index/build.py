"""Collection -> a new index generation, doing only the work that changed.

Unchanged documents reuse their cut and their vectors from the embedding cache; only new and
changed documents are embedded (and the model is loaded only then). The keyword indexes are
rebuilt whole: bm25s indexes thousands of passages in well under a second.
"""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

import numpy as np

from ..chunking import DocumentSpans, make_splitter, split_document
from ..collection import Collection, load_collection, writer_lock
from ..embed import Embedder
from ..errors import ReviewQAError
from ..fsutil import atomic_write_bytes
from ..records import Document, Review
from ..settings import Settings
from . import keyword, store
from .cache import CONTEXT_KINDS, EmbeddingCache, cache_folder, context_key, spans_key
from .dense import build_vector_index, index_kind, save_vector_index, tune_nprobe
from .manifest import FORMAT_VERSION, Manifest, mismatch, read_manifest, write_manifest

EmbedderSource = Embedder | Callable[[], Embedder]


@dataclass(frozen=True)
class BuildReport:
    folder: Path
    generation: int
    reviews: int
    documents: int
    chunks: int
    embedded_documents: int       # documents cut and embedded in this build
    reused_documents: int         # documents whose vectors came from the cache
    removed_documents: int        # documents in the previous generation and not in this one
    seconds: float
    rebuilt: bool
    reason: str


@dataclass(frozen=True)
class IndexStatus:
    """How the committed index relates to the collection and the settings."""

    folder: Path | None
    manifest: Manifest | None
    problem: str | None           # why it cannot be searched (missing, damaged, other model), or None
    changes: str | None           # how the collection differs from it, or None when up to date


def review_signature(collection: Collection) -> str:
    """The details an edit can change without touching any text: every review's metadata and each
    document's kind and title (the index carries them to cards, citations and exports)."""
    from ..records import text_sha256

    reviews = [r.to_json() for r in collection.reviews]
    details = {d.id: [d.kind, d.title] for d in collection.documents}
    return text_sha256(json.dumps([reviews, details], ensure_ascii=False, sort_keys=True))


def collection_changes(manifest: Manifest, collection: Collection) -> str | None:
    """What differs between a generation and the collection, in words, or None."""
    built = manifest.document_hashes
    now = {d.id: d.sha256 for d in collection.documents}
    added = [d for d in now if d not in built]
    removed = [d for d in built if d not in now]
    changed = [d for d in now if d in built and built[d] != now[d]]
    parts = [f"{len(items)} {label}" for items, label in ((added, "new"), (changed, "changed"), (removed, "removed"))
             if items]
    if parts:
        return f"{', '.join(parts)} document{'s' if len(now) != 1 else ''} since the last build"
    if manifest.reviews_sha256 != review_signature(collection):
        return "review or document details changed since the last build"
    return None


def index_status(settings: Settings, collection: Collection | None = None, *, for_build: bool = False) -> IndexStatus:
    folder = store.current_generation(settings.index_dir)
    if folder is None:
        return IndexStatus(None, None, "no index has been built", None)
    try:
        manifest = read_manifest(folder)
    except ReviewQAError as error:
        return IndexStatus(folder, None, str(error), None)
    problem = mismatch(manifest, settings, for_build=for_build)
    changes = None
    if collection is not None:
        changes = collection_changes(manifest, collection)
    return IndexStatus(folder, manifest, problem, changes)


def build_index(settings: Settings, embedder: EmbedderSource, *, force: bool = False, progress: bool = True,
                collection: Collection | None = None) -> BuildReport:
    """Bring the index up to date with the collection; with force, re-embed every document.

    `embedder` may be a callable that loads one: it is called only if a document needs embedding.
    """
    started = time.perf_counter()
    index_dir = Path(settings.index_dir)
    with writer_lock(settings.corpus_path):
        store.clean_up(index_dir)
        collection = collection or load_collection(settings.corpus_path)
        status = index_status(settings, collection, for_build=True)
        previous = status.manifest if status.problem is None else None
        if previous is not None and status.folder is not None and not force and status.changes is None:
            return BuildReport(status.folder, previous.generation, len(collection.reviews),
                               len(collection.documents), previous.chunks, 0,
                               len(collection.documents), 0, time.perf_counter() - started, False,
                               "index is up to date")
        reason = "forced rebuild" if force else (status.problem or status.changes or "rebuild")
        state = _Embedding(settings, embedder, progress, force)
        parts = state.document_parts(collection)
        staging = store.new_staging(index_dir)
        try:
            generation = int(staging.name.split(".")[0])
            chunk_count = _write_generation(staging, settings, collection, parts, state, generation)
            folder = store.commit(index_dir, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        store.clean_up(index_dir)
        state.cache.prune(state.used_keys)
    built_before = set(previous.document_hashes if previous else ())
    removed = len(built_before - {d.id for d in collection.documents})
    return BuildReport(folder, generation, len(collection.reviews), len(collection.documents), chunk_count,
                       state.embedded, len(collection.documents) - state.embedded, removed,
                       time.perf_counter() - started, True, reason)


@dataclass
class _Parts:
    spans: DocumentSpans
    plain: np.ndarray
    context: np.ndarray | None


class _Embedding:
    """Cut and embed what the cache lacks, loading the model at most once and only if needed."""

    def __init__(self, settings: Settings, embedder: EmbedderSource, progress: bool, force: bool):
        from ..embed import model_name

        self.settings = settings
        # An embedder, or a function that loads one: called only if something needs embedding.
        given = cast(Embedder, embedder) if hasattr(embedder, "encode") else None
        self._load: Callable[[], Embedder] = (lambda: given) if given is not None else cast(Callable[[], Embedder],
                                                                                             embedder)
        self._embedder: Embedder | None = given
        self.model_name = model_name(settings)
        self.cache = EmbeddingCache(cache_folder(settings, self.model_name))
        self.progress = progress
        self.force = force
        self.embedded = 0
        self.used_keys: set[str] = set()
        self.dimension: int | None = None

    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._load()
        if self._embedder.name != self.model_name:
            raise ReviewQAError(f"The embedder is '{self._embedder.name}' but the settings name "
                                f"'{self.model_name}'; pass the matching --model.")
        self.dimension = int(self._embedder.dimension)
        return self._embedder

    def document_parts(self, collection: Collection) -> list[_Parts]:
        settings = self.settings
        kind = CONTEXT_KINDS[settings.context_vectors] if settings.context_embedding else None
        openings = {r.id: _opening(collection.documents_of(r.id), r) for r in collection.reviews}
        keys: dict[str, str] = {}
        spans: dict[str, DocumentSpans] = {}
        plain: dict[str, np.ndarray] = {}
        context: dict[str, np.ndarray] = {}
        for document in collection.documents:
            key = spans_key(document, settings)
            keys[document.id] = key
            cut = None if self.force else self.cache.spans(key)
            if cut is None:
                cut = split_document(document, self._splitter())
                self.cache.put_spans(key, cut)
            spans[document.id] = cut
            rows = len(cut.segments)
            if not self.force:
                cached = self.cache.vectors(key, "plain", rows, self.dimension)
                if cached is not None:
                    plain[document.id] = cached
                    self.dimension = cached.shape[1]
                if kind is not None:
                    ckey = context_key(key, openings[document.review_id])
                    cached = self.cache.vectors(ckey, kind, rows, self.dimension)
                    if cached is not None:
                        context[document.id] = cached
        missing_plain = [d for d in collection.documents if plain.get(d.id) is None]
        missing_context = [d for d in collection.documents if context.get(d.id) is None] if kind else []
        # Only the "model" method sends the sentences through the model again.
        model_context = missing_context if kind == "context" else []
        texts: list[str] = []
        for document in missing_plain:
            texts += [document.text[s.start:s.end] for s in spans[document.id].segments]
        for document in model_context:
            opening = openings[document.review_id]
            cut = spans[document.id]
            texts += [in_context(document.text[s.start:s.end], document.sections[cut.chunks[s.chunk].section].name,
                                 opening) for s in cut.segments]
        if texts:
            vectors = self.embedder().encode(texts, batch_size=settings.embed_batch_size, progress=self.progress)
            if vectors.shape != (len(texts), self.dimension):
                raise ValueError(f"embedder returned shape {vectors.shape}, expected {(len(texts), self.dimension)}")
            cursor = 0
            for part, documents, target in (("plain", missing_plain, plain), ("context", model_context, context)):
                for document in documents:
                    rows = len(spans[document.id].segments)
                    block = vectors[cursor:cursor + rows]
                    cursor += rows
                    key = keys[document.id]
                    if part == "context":
                        key = context_key(key, openings[document.review_id])
                    self.cache.put_vectors(key, part, block)
                    target[document.id] = block
        self.embedded = len({d.id for d in missing_plain} | {d.id for d in model_context})
        if self.dimension is None:
            self.dimension = self.embedder().dimension
        if kind is not None and kind != "context" and missing_context:
            for document, block in zip(missing_context, self._summed_context(missing_context, openings, spans, plain)):
                self.cache.put_vectors(context_key(keys[document.id], openings[document.review_id]), kind, block)
                context[document.id] = block
        for document in collection.documents:
            key = keys[document.id]
            self.used_keys.add(key)
            if kind is not None:
                self.used_keys.add(context_key(key, openings[document.review_id]))
        return [_Parts(spans[d.id], plain[d.id], context.get(d.id)) for d in collection.documents]

    def _summed_context(self, documents: list[Document], openings: dict[str, str], spans: dict[str, DocumentSpans],
                        plain: dict[str, np.ndarray]) -> list[np.ndarray]:
        """In-context vectors without a second pass of the model over the sentences: a sentence's
        vector plus its review's opening's, renormalised ("sum"), or with the opening weighed by its
        tokens against the sentence's, as mean pooling over "<opening>. <sentence>" weighs them
        ("pooled"). Both are close to the model's own (cosine 0.92 and 0.91 on the summaries, against
        0.61 for the plain vectors); only the openings are embedded. The summary section keeps its
        own vectors, as `in_context` keeps its text. The openings go to the model in a call of their
        own: the int8 model quantises per batch, so the sentences' vectors stay the same whether or
        not in-context vectors are built."""
        names = sorted({openings[d.review_id] for d in documents})
        embedder = self.embedder()
        opening_vectors = dict(zip(names, embedder.encode(names, batch_size=self.settings.embed_batch_size)))
        pooled = self.settings.context_vectors == "pooled"
        context = []
        for document in documents:
            cut = spans[document.id]
            vectors = plain[document.id]
            in_summary = np.array([document.sections[cut.chunks[s.chunk].section].name == "summary"
                                   for s in cut.segments], dtype=bool)
            weight = np.ones((len(vectors), 1), dtype=np.float32)
            if pooled:
                # As mean pooling weighs them: by their tokens (special tokens aside).
                opening_tokens = max(embedder.count_tokens(openings[document.review_id]) - 2, 1)
                weight[:, 0] = [opening_tokens / max(embedder.count_tokens(document.text[s.start:s.end]) - 2, 1)
                                for s in cut.segments]
            summed = vectors + weight * opening_vectors[openings[document.review_id]][None, :]
            summed /= np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-9)
            context.append(np.where(in_summary[:, None], vectors, summed).astype(np.float32))
        return context

    def _splitter(self):
        if not hasattr(self, "_cached_splitter"):
            self._cached_splitter = make_splitter(self.settings, self.embedder().count_tokens)
        return self._cached_splitter


def keep_context_vectors(settings: Settings, before: Collection, after: Collection) -> int:
    """Before building `after` from `before` when only review details changed: the in-context vectors
    of a review with no summary are keyed by its opening, which is then its title, so a new title
    would send every sentence of its documents back to the model. The case is the same case, so its
    vectors are filed under the new opening as they are (`reviewqa build --force` embeds them
    afresh). Returns how many documents' vectors were carried over; 0 without in-context vectors."""
    from ..embed import model_name

    if not settings.context_embedding:
        return 0
    cache = EmbeddingCache(cache_folder(settings, model_name(settings)))
    old_documents = {d.id: d for d in before.documents}
    carried = 0
    for review in after.reviews:
        old_review = before.review(review.id)
        if old_review is None:
            continue
        old_opening = _opening(before.documents_of(review.id), old_review)
        new_opening = _opening(after.documents_of(review.id), review)
        if old_opening == new_opening:
            continue
        for document in after.documents_of(review.id):
            old = old_documents.get(document.id)
            if old is None or old.sha256 != document.sha256:
                continue
            key = spans_key(document, settings)
            kind = CONTEXT_KINDS[settings.context_vectors]
            source = cache.folder / f"{context_key(key, old_opening)}.{kind}.npy"
            target = cache.folder / f"{context_key(key, new_opening)}.{kind}.npy"
            if source.exists() and not target.exists():
                atomic_write_bytes(target, source.read_bytes())   # a killed copy leaves no torn file
                carried += 1
    return carried


def _opening(documents: tuple[Document, ...], review: Review) -> str:
    """The case a review is about, in its own words: the summary's first sentence, else the title."""
    summary = next((d.summary for d in documents if d.kind == "summary" and d.summary), "")
    return (summary.split(". ")[0][:200].rstrip(".") if summary else review.title)


def in_context(text: str, section: str, opening: str) -> str:
    """A segment with its review's opening sentence in front, so that a learning point is tied to
    the case it came from ("Death of a 4-week-old girl. ... safe sleep advice ..."). A summary's
    own opening section is that context already."""
    if section == "summary":
        return text
    return f"{opening}. {text}"


def _write_generation(folder: Path, settings: Settings, collection: Collection, parts: list[_Parts],
                      state: _Embedding, generation: int) -> int:
    chunk_rows: list[tuple[int, int, int, int]] = []
    segment_rows: list[tuple[int, int, int]] = []
    for doc_row, part in enumerate(parts):
        first_chunk = len(chunk_rows)
        chunk_rows += [(doc_row, c.section, c.start, c.end) for c in part.spans.chunks]
        segment_rows += [(first_chunk + s.chunk, s.start, s.end) for s in part.spans.segments]
    chunks = np.array(chunk_rows, dtype=np.int64).reshape(-1, 4)
    segments = np.array(segment_rows, dtype=np.int64).reshape(-1, 3)
    dimension = state.dimension
    _write_jsonl(folder / "reviews.jsonl", (r.to_json() for r in collection.reviews))
    _write_jsonl(folder / "documents.jsonl", (d.to_json() for d in collection.documents))
    _save_npy(folder / "chunks.npy", chunks)
    _save_npy(folder / "segments.npy", segments)
    views = [("plain", [p.plain for p in parts])]
    if settings.context_embedding:
        views.append(("context", [p.context for p in parts if p.context is not None]))
    vector_indexes = {}
    for name, blocks in views:
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, dimension or 0), np.float32)
        index = build_vector_index(vectors, np.arange(len(vectors), dtype=np.int64),
                                   exact_limit=settings.vector_exact_limit)
        _tune(index, vectors)
        save_vector_index(index, folder / f"{name}.faiss")
        vector_indexes[name] = index_kind(index)
    documents = collection.documents
    chunk_texts = [documents[int(d)].text[s:e] for d, _, s, e in chunks]
    keyword.save_bm25(keyword.build_bm25(chunk_texts), folder / "bm25_chunks")
    review_texts = ["\n\n".join(d.text for d in collection.documents_of(r.id)) for r in collection.reviews]
    keyword.save_bm25(keyword.build_bm25(review_texts), folder / "bm25_reviews")
    write_manifest(folder, Manifest(
        format_version=FORMAT_VERSION, model=state.model_name, chunking=settings.chunking_signature(),
        context_embedding=settings.context_embedding,
        context_vectors=settings.context_vectors if settings.context_embedding else "model",
        generation=generation, dimension=int(dimension or 0),
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), review_count=len(collection.reviews),
        document_count=len(documents), chunks=len(chunks), segments=len(segments), vector_indexes=vector_indexes,
        reviews_sha256=review_signature(collection), document_hashes={d.id: d.sha256 for d in documents}))
    return len(chunks)


def _tune(index, vectors: np.ndarray, sample: int = 200) -> None:
    """For an approximate index, the smallest nprobe that finds 97% of the exact top 10 for
    question-like probes: the normalised sum of two of the collection's sentences, which, like a
    question, is near several sentences without being one of them."""
    if index_kind(index)["kind"] == "flat" or len(vectors) == 0:
        return
    import faiss

    rng = np.random.default_rng(0)
    pairs = rng.choice(len(vectors), size=(min(sample, len(vectors)), 2))
    queries = vectors[pairs[:, 0]] + vectors[pairs[:, 1]]
    queries /= np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-9)
    _, exact = faiss.knn(np.ascontiguousarray(queries, dtype=np.float32), vectors, 10,
                         metric=faiss.METRIC_INNER_PRODUCT)
    tune_nprobe(index, queries, exact, target_recall=0.97)


def _write_jsonl(path: Path, records) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _save_npy(path: Path, array: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    path.write_bytes(buffer.getvalue())
