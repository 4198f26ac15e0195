"""The vector stage: FAISS finds the nearest segment vectors, under the active filters.

Vectors are unit-length float32 rows (so the inner product is the cosine); each carries an int64 id,
its segment row in the index generation. Two index kinds, chosen by collection size:

``flat``     ``IndexIDMap2(IndexFlatIP(d))`` below ``EXACT_LIMIT`` vectors: exact scores, exact top k.
``ivf-sq8``  ``IndexIVFScalarQuantizer(IndexFlatIP(d), d, nlist, QT_8bit, METRIC_INNER_PRODUCT)``
             at or above it: vectors stored as 8-bit codes (a quarter of the float size), a query scans
             the ``nprobe`` inverted lists whose centroids are nearest. The direct map is a hash table,
             so any int64 ids work and vectors can be reconstructed by id.

Filters reach FAISS as an ID selector in ``SearchParameters``/``SearchParametersIVF``, so FAISS skips
non-permitted ids while it scans; nothing here loops over all vectors in Python. See
``search_vectors`` for the selector choice and the small-filter shortcut.

Only faiss and numpy are imported: callers pass arrays and get arrays back.
"""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

# Below this many vectors the index is flat (exact); at or above it, IVF-SQ8. A flat query reads every
# vector, so its cost grows linearly: up to ~30k it is 2-3 ms and exact; past that IVF-SQ8 is 40-150x
# faster at recall@10 >= 0.97 (measured by `python -m bench.vectors --sweep`; docs/benchmarks.md).
EXACT_LIMIT = 30_000

# A filter is scored either by FAISS scanning with a selector, or by reconstructing the allowed
# vectors and scoring them exactly ("exact subset": nothing missed, no list left unprobed), whichever
# is cheaper: reconstructing one id costs about as much as testing RECONSTRUCT_COST ids in a selector
# scan (measured, 1 thread, dim 384: docs/benchmarks.md).
RECONSTRUCT_COST = {"flat": 30, "ivf-sq8": 250}
EXACT_SUBSET_MAX = 20_000     # never reconstruct more than this many vectors for one search

# A filtered IVF search probes more lists than an unfiltered one: only a fraction f of each scanned
# list is eligible, so the filtered top k lies deeper in the unfiltered ranking. ``filtered_nprobe``
# takes the larger of nprobe * f ** -FILTER_NPROBE_EXPONENT and enough lists to meet about
# FILTER_MIN_CANDIDATES_PER_K * k allowed vectors (the exponent and the count were chosen by the recall
# they keep on 64- and 384-dimensional data: docs/benchmarks.md).
FILTER_NPROBE_EXPONENT = 0.75
FILTER_MIN_CANDIDATES_PER_K = 20

_TRAIN_PER_LIST = 64          # k-means training sample: up to this many vectors per inverted list
_MISSING = -1                 # FAISS's id for "no result"


# ----------------------------------------------------------------------------------------------
# building

def default_nlist(n: int) -> int:
    """Number of inverted lists for ``n`` vectors: about 4*sqrt(n), at least 1, at most n // 39
    (FAISS warns when k-means has fewer than 39 training points per centroid)."""
    return max(1, min(int(round(4 * math.sqrt(max(n, 1)))), max(n // 39, 1)))


def build_vector_index(vectors: np.ndarray, ids: np.ndarray, *, exact_limit: int = EXACT_LIMIT,
                       nlist: int | None = None, seed: int = 0) -> faiss.Index:
    """Index ``vectors`` (n×d float32, unit length) under ``ids`` (n distinct int64).

    Fewer than ``exact_limit`` vectors: a flat exact index. Otherwise IVF-SQ8 with ``nlist`` lists
    (default ``default_nlist(n)``), k-means trained on a deterministic sample of up to 64*nlist
    vectors (``seed`` fixes both the sample and k-means), then ``nprobe`` set to
    ``default_nprobe``; call ``tune_nprobe`` with real queries to set it by measured recall.
    """
    vectors = _as_matrix(vectors)
    ids = _as_ids(ids)
    n, d = vectors.shape
    if ids.shape[0] != n:
        raise ValueError(f"{n} vectors but {ids.shape[0]} ids")
    if np.unique(ids).size != n:
        raise ValueError("ids must be distinct")
    if n < exact_limit:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(d))
        if n:
            index.add_with_ids(vectors, ids)
        return index
    nlist = int(nlist) if nlist else default_nlist(n)
    if not 1 <= nlist <= n:
        raise ValueError(f"nlist must be between 1 and {n}, not {nlist}")
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    # faiss's Python constructor keeps a reference to the quantizer on the index: it lives as long as the index
    index.cp.seed = seed
    sample_size = min(n, _TRAIN_PER_LIST * nlist)
    if sample_size < n:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=sample_size, replace=False))
        index.train(vectors[rows])
    else:
        index.train(vectors)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    index.add_with_ids(vectors, ids)
    index.nprobe = default_nprobe(index)
    return index


# ----------------------------------------------------------------------------------------------
# nprobe

def default_nprobe(index: faiss.Index) -> int:
    """A starting nprobe before tuning: nlist/200 lists, at least 8 (capped at nlist); 0 for a flat
    index (nothing to probe). Tuned values on the benchmark data were 3, 4, 7, 11 and 12 for nlist
    256, 693, 1265, 2191 and 4000, so this default errs on the side of recall."""
    ivf = _ivf(index)
    if ivf is None:
        return 0
    return int(min(ivf.nlist, max(8, math.ceil(ivf.nlist / 200))))


def tune_nprobe(index: faiss.Index, queries: np.ndarray, exact_ids: np.ndarray,
                target_recall: float = 0.97, k: int = 10) -> int:
    """Smallest nprobe whose recall@k on ``queries`` reaches ``target_recall``, stored on the index.

    ``exact_ids`` holds the true top ids of each query (nq × ≥k, e.g. from a flat search or brute
    force). nprobe is doubled until the target is met, then bisected. If even nprobe = nlist misses
    the target (the SQ8 codes themselves cost recall), nlist is chosen. The value is stored as
    ``index.nprobe`` (saved with the index, reported by ``index_kind``). Flat index: returns 0.
    """
    ivf = _ivf(index)
    if ivf is None:
        return 0
    queries = _as_matrix(queries)
    exact_ids = np.asarray(exact_ids)[:, :k]

    def recall(nprobe: int) -> float:
        _, found = search_vectors(index, queries, k, nprobe=nprobe)
        return recall_at_k(found, exact_ids)

    low, high = 0, 1                       # recall(low) < target (low=0: nothing probed)
    while high < ivf.nlist and recall(high) < target_recall:
        low, high = high, min(high * 2, ivf.nlist)
    while high - low > 1:
        mid = (low + high) // 2
        if recall(mid) >= target_recall:
            high = mid
        else:
            low = mid
    ivf.nprobe = int(high)
    return int(high)


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean over queries of |found ∩ exact| / |exact|, ignoring -1 padding in ``exact``."""
    hits = total = 0
    for got, want in zip(np.asarray(found), np.asarray(exact)):
        want = want[want != _MISSING]
        total += want.size
        hits += np.intersect1d(got, want, assume_unique=False).size
    return hits / total if total else 1.0


def index_kind(index: faiss.Index) -> dict:
    """What to record in a manifest: ``{"kind": "flat"|"ivf-sq8", "nlist": int|None,
    "nprobe": int|None, "count": int, "dim": int}``."""
    ivf = _ivf(index)
    if ivf is None:
        return {"kind": "flat", "nlist": None, "nprobe": None, "count": int(index.ntotal),
                "dim": int(index.d)}
    return {"kind": "ivf-sq8", "nlist": int(ivf.nlist), "nprobe": int(ivf.nprobe),
            "count": int(ivf.ntotal), "dim": int(ivf.d)}


# ----------------------------------------------------------------------------------------------
# searching

def search_vectors(index: faiss.Index, queries: np.ndarray, k: int, *,
                   allowed: np.ndarray | None = None,
                   nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` ids of each query and their inner-product scores, best first.

    ``queries`` is one vector (d,) or a matrix (nq, d); the result is two (nq, k) arrays, scores
    float32 and ids int64, with id -1 and score -inf where fewer than k vectors qualify.

    ``allowed`` is the filter, or None for no filter. Preferred form: a boolean mask over ids
    0..len(mask)-1 (segment rows are dense, and filters are computed as masks over them); ids at or
    beyond len(mask) are not allowed. An int64 array of permitted ids is accepted as well. An
    allowed set with no ids gives empty results without calling FAISS.

    How a filter is applied (``filter_strategy``):
    * "exact subset" when reconstructing the allowed vectors is cheaper than a FAISS scan (a few
      thousand ids or fewer, see ``RECONSTRUCT_COST``): their vectors are reconstructed and scored
      with FAISS's inner-product kernel (exact for flat, exact over the SQ8 codes for IVF);
    * otherwise FAISS scans with an ``IDSelectorBitmap`` (one bit per id, an O(1) test per scanned
      vector, built from the mask with ``np.packbits``: 125 KB and ~0.03 ms for 1M ids), with nprobe
      raised for the filter's selectivity (``filtered_nprobe``). ``IDSelectorBatch`` (hash set +
      bloom filter) was measured at 1M IVF-SQ8, same nprobe: 10.6 ms p50 for a 10% filter against
      0.85 ms for the bitmap (building a 100k-entry hash set per query dominates), 2.1 ms against
      1.4 ms for 1%;
      ``IDSelectorArray`` is a linear scan per test. A flat index wraps the selector in FAISS's
      ``IDSelectorTranslated`` (stored position -> id) by itself.

    ``nprobe`` overrides the index's nprobe for this call (IVF only).
    """
    queries = _as_matrix(queries)
    k = int(k)
    if k <= 0:
        raise ValueError("k must be positive")
    nq = queries.shape[0]
    if queries.shape[1] != index.d:
        raise ValueError(f"queries have dimension {queries.shape[1]}, the index {index.d}")
    ivf = _ivf(index)
    probe = None
    if ivf is not None:
        probe = int(nprobe) if nprobe else int(ivf.nprobe)
        probe = max(1, min(probe, ivf.nlist))

    if allowed is None:
        if ivf is None:
            scores, found = index.search(queries, k)
        else:
            scores, found = index.search(queries, k, params=faiss.SearchParametersIVF(nprobe=probe))
        return _tidy(scores, found)

    allowed = np.asarray(allowed)
    if allowed.dtype == np.bool_:
        count = int(np.count_nonzero(allowed))
    else:
        allowed = _as_ids(allowed)
        count = int(allowed.size)
    if count == 0 or index.ntotal == 0:
        return _empty(nq, k)

    how, scan_probe = filter_strategy(index, count, k, nprobe=probe)
    if how == "exact":
        ids = np.flatnonzero(allowed).astype(np.int64) if allowed.dtype == np.bool_ else np.unique(allowed)
        ids = ids[ids >= 0]
        try:
            vectors = vectors_for(index, ids)
        except KeyError:
            # the filter names ids not in the index (removed ones): a selector scan just skips them
            if ivf is not None:
                scan_probe = filtered_nprobe(probe or 1, ivf.nlist, count, int(ivf.ntotal), k)
        else:
            return _exact_top_k(vectors, ids, queries, k)

    bitmap = _bitmap(allowed)
    selector = faiss.IDSelectorBitmap(bitmap.size, faiss.swig_ptr(bitmap))
    if ivf is None:
        params = faiss.SearchParameters(sel=selector)
    else:
        params = faiss.SearchParametersIVF(sel=selector, nprobe=scan_probe)
    scores, found = index.search(queries, k, params=params)
    del params, selector, bitmap               # the selector reads the bitmap: both lived until here
    return _tidy(scores, found)


def filter_strategy(index: faiss.Index, allowed_count: int, k: int = 10, *,
                    nprobe: int | None = None) -> tuple[str, int | None]:
    """How ``search_vectors`` applies a filter of ``allowed_count`` ids: ``("exact", None)`` to
    score the reconstructed subset, or ``("scan", nprobe)`` for a FAISS selector scan (nprobe None
    for a flat index)."""
    ivf = _ivf(index)
    if ivf is None:
        scanned = index.ntotal
        probe = None
        cost = RECONSTRUCT_COST["flat"]
    else:
        probe = filtered_nprobe(int(nprobe) if nprobe else int(ivf.nprobe), ivf.nlist, allowed_count,
                                int(ivf.ntotal), k)
        scanned = ivf.ntotal * probe / max(ivf.nlist, 1)
        cost = RECONSTRUCT_COST["ivf-sq8"]
    if allowed_count <= EXACT_SUBSET_MAX and allowed_count * cost <= scanned:
        return "exact", None
    return "scan", probe


def filtered_nprobe(nprobe: int, nlist: int, allowed: int, total: int, k: int = 10) -> int:
    """nprobe for a filter that admits ``allowed`` of the ``total`` vectors (fraction f).

    The larger of ``nprobe * f ** -FILTER_NPROBE_EXPONENT`` (the filtered top k lies deeper in the
    ranking) and enough lists to scan about ``FILTER_MIN_CANDIDATES_PER_K * k`` allowed vectors;
    at most nlist.
    """
    if total <= 0 or allowed >= total:
        return int(max(1, min(nprobe, nlist)))
    fraction = max(allowed, 1) / total
    by_depth = nprobe * fraction ** -FILTER_NPROBE_EXPONENT
    by_candidates = nlist * FILTER_MIN_CANDIDATES_PER_K * k / max(allowed, 1)
    return int(max(1, min(nlist, math.ceil(max(by_depth, by_candidates)))))


def vectors_for(index: faiss.Index, ids: np.ndarray) -> np.ndarray:
    """The stored vectors of ``ids`` (m×d float32, in the order given).

    Flat: the exact vectors. IVF-SQ8: the decoded 8-bit approximations of the residuals to their
    list centroid (benchmark data, dim 384: mean per-dimension error 3e-4, worst 0.05; an inner
    product off by 3e-4 on average, at most 7e-3).
    Raises KeyError if an id is not in the index.
    """
    ids = _as_ids(ids)
    if ids.size == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    try:
        return index.reconstruct_batch(ids)
    except RuntimeError as error:
        raise KeyError(f"an id is not in the vector index ({str(error).splitlines()[0][:120]})") from None


def scores_for(index: faiss.Index, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Inner products of one ``query`` (d,) with the vectors of ``ids`` (m,), float32.
    Approximate (SQ8-decoded) for an IVF index, like its search scores."""
    query = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(-1))
    if query.size != index.d:
        raise ValueError(f"query has dimension {query.size}, the index {index.d}")
    return _inner_products(query, vectors_for(index, ids))


# ----------------------------------------------------------------------------------------------
# files

def save_vector_index(index: faiss.Index, path: str | Path) -> None:
    """Write the index (vectors or codes, ids, direct map, nlist and nprobe) to ``path``."""
    faiss.write_index(index, str(path))


def load_vector_index(path: str | Path, *, mmap: bool = False) -> faiss.Index:
    """Read an index written by ``save_vector_index``.

    ``mmap=True`` maps the vector data (flat vectors or IVF codes) from the file instead of
    reading it into memory (``IO_FLAG_MMAP_IFC``): opening is near-instant and pages are shared
    with the OS cache. Such an index is read-only: ``add_vectors``/``remove_vectors`` refuse it.
    """
    flags = faiss.IO_FLAG_MMAP_IFC if mmap else 0
    return faiss.read_index(str(path), flags)


# ----------------------------------------------------------------------------------------------
# helpers

def _ivf(index: faiss.Index):
    """The IndexIVF inside ``index``, or None for a flat index."""
    return faiss.try_extract_index_ivf(index)


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise ValueError("vectors must be one vector or a 2-D array")
    return np.ascontiguousarray(array)


def _as_ids(ids: np.ndarray) -> np.ndarray:
    array = np.asarray(ids)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError("ids must be integers")
    return np.ascontiguousarray(array.reshape(-1), dtype=np.int64)


def _bitmap(allowed: np.ndarray) -> np.ndarray:
    """Packed little-endian bits, bit i set when id i is allowed (IDSelectorBitmap's layout)."""
    if allowed.dtype != np.bool_:
        ids = allowed[allowed >= 0]
        mask = np.zeros(int(ids.max()) + 1 if ids.size else 0, dtype=np.bool_)
        mask[ids] = True
        allowed = mask
    return np.ascontiguousarray(np.packbits(allowed, bitorder="little"))


def _exact_top_k(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray,
                 k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top k of the given candidates by inner product, FAISS's result layout."""
    nq = queries.shape[0]
    scores, found = _empty(nq, k)
    if ids.size == 0:
        return scores, found
    all_scores = np.stack([_inner_products(query, vectors) for query in queries])   # nq × m
    take = min(k, ids.size)
    if take < ids.size:
        top = np.argpartition(-all_scores, take - 1, axis=1)[:, :take]
    else:
        top = np.broadcast_to(np.arange(ids.size), (nq, ids.size))
    top_scores = np.take_along_axis(all_scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    scores[:, :take] = np.take_along_axis(top_scores, order, axis=1)
    found[:, :take] = ids[np.take_along_axis(top, order, axis=1)]
    return scores, found


def _inner_products(query: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """query · each row of vectors, with FAISS's single-threaded SIMD kernel: numpy's matrix-vector
    product goes through a threaded BLAS whose start-up cost on 2 busy cores measured 1-7 ms for
    2,000×384 (against 0.05 ms here)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    out = np.empty(vectors.shape[0], dtype=np.float32)
    if vectors.shape[0]:
        faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(query), faiss.swig_ptr(vectors),
                                     vectors.shape[1], vectors.shape[0])
    return out


def _empty(nq: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((nq, k), -np.inf, dtype=np.float32), np.full((nq, k), _MISSING, dtype=np.int64)


def _tidy(scores: np.ndarray, found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores[found == _MISSING] = -np.inf                   # FAISS pads with -FLT_MAX
    return scores, found
