"""Speed, recall and memory of the vector stage (qa/index/dense.py) on synthetic clustered vectors.

    .venv/bin/python -m bench.vectors                   # 1M × 384: IVF-SQ8 build, nprobe, latency, recall, filters
    .venv/bin/python -m bench.vectors --n 200000        # a smaller collection, same report
    .venv/bin/python -m bench.vectors --sweep           # flat vs IVF-SQ8 at 10k, 30k, 100k, 300k (EXACT_LIMIT)

The vectors are a mixture of gaussian clusters on the unit sphere: cluster centres scattered around
topic centres, each cluster spread mostly along its own 24-dimensional subspace plus a little
isotropic noise, uneven cluster sizes (log-normal). Queries are fresh draws from the same mixture.
Two query sets: one to tune nprobe (recall@10 >= 0.97), a held-out one for every reported figure.
Ground truth is exact float32 brute force, chunk by chunk. Latencies are one query per call
through ``search_vectors`` (Python overhead included), after a warm-up.

Figures are printed, never asserted: this machine is shared and its load varies.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from qa.index import dense

K = 10
CHUNK = 50_000
RANK = 24


# ----------------------------------------------------------------------------------------------
# data

class Mixture:
    """Clustered unit vectors, reproducible chunk by chunk (each chunk has its own seed)."""

    def __init__(self, dim: int, clusters: int, seed: int):
        rng = np.random.default_rng([seed, 0])
        self.dim, self.clusters, self.seed = dim, clusters, seed
        topics = _unit(rng.standard_normal((max(1, clusters // 20), dim)))
        self.centres = _unit(topics[rng.integers(len(topics), size=clusters)]
                             + 0.9 * _unit(rng.standard_normal((clusters, dim))))
        weights = rng.lognormal(0.0, 1.0, clusters)
        self.weights = weights / weights.sum()
        self.spread = rng.uniform(0.6, 1.2, clusters)
        # an orthonormal basis per cluster: its points vary mostly inside that subspace
        bases = rng.standard_normal((clusters, dim, RANK))
        self.bases = np.linalg.qr(bases)[0].transpose(0, 2, 1).astype(np.float32)   # clusters × RANK × dim

    def draw(self, count: int, stream: int, start: int = 0) -> np.ndarray:
        rng = np.random.default_rng([self.seed, stream, start])
        which = rng.choice(self.clusters, size=count, p=self.weights)
        out = (rng.standard_normal((count, self.dim), dtype=np.float32) * (0.35 / np.sqrt(self.dim)))
        low = rng.standard_normal((count, RANK), dtype=np.float32) / np.sqrt(RANK)
        order = np.argsort(which, kind="stable")
        bounds = np.searchsorted(which[order], np.arange(self.clusters + 1))
        for c in range(self.clusters):
            rows = order[bounds[c]:bounds[c + 1]]
            if rows.size:
                out[rows] += low[rows] @ self.bases[c]
        out *= self.spread[which, None].astype(np.float32)
        out += self.centres[which]
        return _unit(out)

    def fill(self, n: int, stream: int = 1) -> np.ndarray:
        """n vectors, written chunk by chunk into one array (no second full copy)."""
        out = np.empty((n, self.dim), dtype=np.float32)
        for start in range(0, n, CHUNK):
            count = min(CHUNK, n - start)
            out[start:start + count] = self.draw(count, stream, start)
        return out


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact_top_k(vectors: np.ndarray, queries: np.ndarray, masks: dict[str, np.ndarray | None],
                k: int = K) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Brute-force top k per query for each mask (None = unfiltered), CHUNK rows at a time."""
    nq = queries.shape[0]
    best = {name: (np.full((nq, k), -np.inf, np.float32), np.full((nq, k), -1, np.int64)) for name in masks}
    for start in range(0, vectors.shape[0], CHUNK):
        block = vectors[start:start + CHUNK]
        scores = queries @ block.T
        ids = np.arange(start, start + block.shape[0], dtype=np.int64)
        for name, mask in masks.items():
            part, part_ids = (scores, ids) if mask is None else (scores[:, mask[start:start + block.shape[0]]],
                                                                 ids[mask[start:start + block.shape[0]]])
            if part.shape[1] == 0:
                continue
            old_s, old_i = best[name]
            all_s = np.concatenate([old_s, part], axis=1)
            all_i = np.concatenate([old_i, np.broadcast_to(part_ids, part.shape)], axis=1)
            top = np.argpartition(-all_s, k - 1, axis=1)[:, :k]
            s = np.take_along_axis(all_s, top, axis=1)
            i = np.take_along_axis(all_i, top, axis=1)
            order = np.argsort(-s, axis=1)
            best[name] = (np.take_along_axis(s, order, axis=1), np.take_along_axis(i, order, axis=1))
    return best


# ----------------------------------------------------------------------------------------------
# measuring

def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(run, queries: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Run ``run(q)`` for each query (after 20 warm-up calls): ids (nq × k), p50 and p95 in ms."""
    for q in queries[:20]:
        run(q)
    times, found = [], []
    for q in queries:
        t = time.perf_counter()
        ids = run(q)
        times.append((time.perf_counter() - t) * 1000)
        found.append(np.asarray(ids).reshape(-1)[:K])
    return np.array(found), statistics.median(times), float(np.percentile(times, 95))


def line(label: str, found: np.ndarray, truth: np.ndarray, p50: float, p95: float, extra: str = "") -> None:
    print(f"  {label:<44} p50 {p50:7.3f} ms  p95 {p95:7.3f} ms  recall@10 {dense.recall_at_k(found, truth):.3f}"
          f"{'  ' + extra if extra else ''}", flush=True)


def strategy(index, mask: np.ndarray) -> str:
    """How search_vectors applies this filter, for the report."""
    how, nprobe = dense.filter_strategy(index, int(mask.sum()), K)
    return "exact subset" if how == "exact" else "bitmap" + ("" if nprobe is None else f", nprobe {nprobe}")


def batch_selector_search(index, allowed_ids: np.ndarray, nprobe: int):
    """The IDSelectorBatch alternative (hash set + bloom filter), for comparison with the bitmap."""
    ivf = faiss.try_extract_index_ivf(index)

    def run(q):
        sel = faiss.IDSelectorBatch(allowed_ids.size, faiss.swig_ptr(allowed_ids))
        if ivf is None:
            params = faiss.SearchParameters(sel=sel)
        else:
            params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        return index.search(q.reshape(1, -1), K, params=params)[1]
    return run


def exact_subset_search(index, allowed_ids: np.ndarray):
    """Reconstruct the allowed vectors and score them exactly (the small-filter path)."""
    def run(q):
        v = dense.vectors_for(index, allowed_ids)
        return dense._exact_top_k(v, allowed_ids, q.reshape(1, -1), K)[1]
    return run


# ----------------------------------------------------------------------------------------------
# the 1M report

def report(args) -> None:
    n, dim = args.n, args.dim
    print(f"vectors: n={n:,} dim={dim} clusters={args.clusters} seed={args.seed}; "
          f"{args.queries} tuning + {args.queries} held-out queries", flush=True)
    mix = Mixture(dim, args.clusters, args.seed)
    tune_q = mix.draw(args.queries, stream=2)
    eval_q = mix.draw(args.queries, stream=3)
    rng = np.random.default_rng([args.seed, 9])
    masks: dict[str, np.ndarray | None] = {"none": None, "10%": rng.random(n) < 0.10, "1%": rng.random(n) < 0.01}
    small_sizes = [s for s in (200, 1000, 2000, 5000, 20000) if s < n // 2]
    for size in small_sizes:
        mask = np.zeros(n, dtype=bool)
        mask[rng.choice(n, size=size, replace=False)] = True
        masks[f"{size} ids"] = mask

    rss0 = rss_bytes()
    t = time.perf_counter()
    vectors = mix.fill(n)
    print(f"generated in {time.perf_counter() - t:.1f} s ({vectors.nbytes / 2**30:.2f} GiB float32)", flush=True)

    t = time.perf_counter()
    truth_tune = exact_top_k(vectors, tune_q, {"none": None})["none"][1]
    truth = exact_top_k(vectors, eval_q, masks)
    print(f"exact ground truth (brute force, chunks of {CHUNK:,}) in {time.perf_counter() - t:.1f} s", flush=True)
    top = truth["none"][0]
    print(f"data: mean cosine of query to its 1st / 10th neighbour {top[:, 0].mean():.3f} / {top[:, -1].mean():.3f}; "
          f"to a random vector {float((eval_q[:50] @ vectors[:2000].T).mean()):.3f}", flush=True)

    faiss.omp_set_num_threads(2)
    t = time.perf_counter()
    index = dense.build_vector_index(vectors, np.arange(n, dtype=np.int64), exact_limit=0, seed=args.seed)
    build = time.perf_counter() - t
    del vectors
    gc.collect()
    kind = dense.index_kind(index)
    print(f"built {kind['kind']} nlist={kind['nlist']} in {build:.1f} s (2 threads; train on "
          f"{min(n, 64 * kind['nlist']):,} vectors + add)", flush=True)

    t = time.perf_counter()
    nprobe = dense.tune_nprobe(index, tune_q, truth_tune, target_recall=0.97, k=K)
    print(f"tuned nprobe={nprobe} (recall@10 >= 0.97 on the tuning queries) in {time.perf_counter() - t:.1f} s",
          flush=True)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dense.faiss"
        dense.save_vector_index(index, path)
        size = path.stat().st_size
        del index
        gc.collect()
        before = rss_bytes()
        t = time.perf_counter()
        index = dense.load_vector_index(path)
        load = time.perf_counter() - t
        loaded = rss_bytes() - before
        print(f"index: {size / 2**20:.0f} MiB serialized; load {load:.2f} s, RSS +{loaded / 2**20:.0f} MiB "
              f"(codes {n * dim / 2**20:.0f} MiB + ids + hash-table direct map + centroids)", flush=True)
        run_all(index, eval_q, truth, masks, small_sizes, n)

        before = rss_bytes()
        t = time.perf_counter()
        mapped = dense.load_vector_index(path, mmap=True)
        print(f"mmap load {time.perf_counter() - t:.2f} s, "
              f"RSS +{(rss_bytes() - before) / 2**20:.0f} MiB before queries", flush=True)
        faiss.omp_set_num_threads(1)
        found, p50, p95 = timed(lambda q, mapped=mapped: dense.search_vectors(mapped, q, K)[1], eval_q)
        line("mmap, 1 thread, no filter", found, truth["none"][1], p50, p95)
        print(f"  RSS after mmap queries +{(rss_bytes() - before) / 2**20:.0f} MiB (pages touched)")
        del mapped
    print(f"peak RSS {peak_rss_mb():.0f} MiB (process; start {rss0 / 2**20:.0f} MiB); "
          f"load average {os.getloadavg()[0]:.2f} (2 cores, shared)")


def run_all(index, eval_q, truth, masks, small_sizes, n) -> None:
    ivf = faiss.try_extract_index_ivf(index)
    nprobe = ivf.nprobe
    for threads in (1, 2):
        faiss.omp_set_num_threads(threads)
        print(f"search, k=10, one query per call, {threads} thread(s):", flush=True)
        found, p50, p95 = timed(lambda q: dense.search_vectors(index, q, K)[1], eval_q)
        line(f"no filter (nprobe {nprobe})", found, truth["none"][1], p50, p95)
        for name in ("10%", "1%"):
            mask = masks[name]
            found, p50, p95 = timed(lambda q, mask=mask: dense.search_vectors(index, q, K, allowed=mask)[1], eval_q)
            line(f"filter {name} ({strategy(index, mask)})", found, truth[name][1], p50, p95)
        if threads == 2:
            ivf.parallel_mode = 1
            found, p50, p95 = timed(lambda q: dense.search_vectors(index, q, K)[1], eval_q)
            line("no filter, parallel_mode=1 (lists split)", found, truth["none"][1], p50, p95)
            ivf.parallel_mode = 0

    faiss.omp_set_num_threads(1)
    print("filter alternatives, 1 thread:", flush=True)
    for name in ("10%", "1%"):
        mask = masks[name]
        ids = np.flatnonzero(mask).astype(np.int64)
        for factor in (1, 2, 4, 8, 16, 32):
            p = min(ivf.nlist, nprobe * factor)
            found, p50, p95 = timed(_bitmap_run(index, mask, p), eval_q)
            line(f"filter {name}, bitmap, nprobe {p}", found, truth[name][1], p50, p95)
        fp = dense.filtered_nprobe(nprobe, ivf.nlist, ids.size, n)
        found, p50, p95 = timed(batch_selector_search(index, ids, fp), eval_q)
        line(f"filter {name}, IDSelectorBatch, nprobe {fp}", found, truth[name][1], p50, p95)
        if ids.size <= 20000:
            found, p50, p95 = timed(exact_subset_search(index, ids), eval_q)
            line(f"filter {name}, reconstruct + exact", found, truth[name][1], p50, p95)
    print("small filters (random ids), 1 thread: reconstruct + exact  vs  FAISS bitmap scan:", flush=True)
    for size in small_sizes:
        mask = masks[f"{size} ids"]
        ids = np.flatnonzero(mask).astype(np.int64)
        found, p50, p95 = timed(exact_subset_search(index, ids), eval_q)
        line(f"{size} ids, reconstruct + exact", found, truth[f"{size} ids"][1], p50, p95)
        fp = dense.filtered_nprobe(nprobe, ivf.nlist, size, n)
        for p in sorted({fp, ivf.nlist}):
            found, p50, p95 = timed(_bitmap_run(index, mask, p), eval_q)
            line(f"{size} ids, bitmap, nprobe {p}", found, truth[f"{size} ids"][1], p50, p95)


def _bitmap_run(index, mask: np.ndarray, nprobe: int | None):
    """FAISS scan with an IDSelectorBitmap, bypassing the small-filter shortcut."""
    ivf = faiss.try_extract_index_ivf(index)

    def run(q):
        bits = np.packbits(mask, bitorder="little")
        sel = faiss.IDSelectorBitmap(bits.size, faiss.swig_ptr(bits))
        params = faiss.SearchParameters(sel=sel) if ivf is None else faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        return index.search(q.reshape(1, -1), K, params=params)[1]
    return run


# ----------------------------------------------------------------------------------------------
# the sweep: flat vs IVF-SQ8 by size

def sweep(args) -> None:
    dim = args.dim
    mix = Mixture(dim, args.clusters, args.seed)
    tune_q = mix.draw(args.queries, stream=2)
    eval_q = mix.draw(args.queries, stream=3)
    faiss.omp_set_num_threads(1)
    print(f"sweep: dim={dim} clusters={args.clusters}, k=10, one query per call, 1 thread; IVF nlist=4*sqrt(n), "
          f"nprobe tuned to recall@10 >= 0.97 on {args.queries} tuning queries; figures on {args.queries} held-out",
          flush=True)
    for n in args.sizes:
        vectors = mix.fill(n)
        rng = np.random.default_rng([args.seed, 9, n])
        masks = {"none": None, "10%": rng.random(n) < 0.10, "1%": rng.random(n) < 0.01}
        small_sizes = [size for size in (200, 500, 2000, 5000) if size < n // 4]
        for size in small_sizes:
            mask = np.zeros(n, dtype=bool)
            mask[rng.choice(n, size=size, replace=False)] = True
            masks[f"{size} ids"] = mask
        truth = exact_top_k(vectors, eval_q, masks)
        truth_tune = exact_top_k(vectors, tune_q, {"none": None})["none"][1]
        ids = np.arange(n, dtype=np.int64)
        print(f"n={n:,}", flush=True)
        t = time.perf_counter()
        flat = dense.build_vector_index(vectors, ids, exact_limit=n + 1)
        flat_build = time.perf_counter() - t
        faiss.omp_set_num_threads(2)
        t = time.perf_counter()
        ivf = dense.build_vector_index(vectors, ids, exact_limit=0, seed=args.seed)
        ivf_build = time.perf_counter() - t
        faiss.omp_set_num_threads(1)
        nprobe = dense.tune_nprobe(ivf, tune_q, truth_tune, target_recall=0.97, k=K)
        kind = dense.index_kind(ivf)
        del vectors
        print(f"  build: flat {flat_build:.2f} s, ivf-sq8 {ivf_build:.2f} s (nlist {kind['nlist']}, nprobe {nprobe})",
              flush=True)
        for label, index in (("flat", flat), ("ivf-sq8", ivf)):
            found, p50, p95 = timed(lambda q, index=index: dense.search_vectors(index, q, K)[1], eval_q)
            line(f"{label}, no filter", found, truth["none"][1], p50, p95)
            for name in ("10%", "1%"):
                mask = masks[name]
                found, p50, p95 = timed(lambda q, index=index, mask=mask: dense.search_vectors(
                    index, q, K, allowed=mask)[1], eval_q)
                line(f"{label}, filter {name} ({strategy(index, mask)})", found, truth[name][1], p50, p95)
            for size in small_sizes:
                mask = masks[f"{size} ids"]
                allowed_ids = np.flatnonzero(mask).astype(np.int64)
                found, p50, p95 = timed(exact_subset_search(index, allowed_ids), eval_q)
                line(f"{label}, {size} ids, reconstruct + exact", found, truth[f"{size} ids"][1], p50, p95)
                p = None if label == "flat" else dense.filtered_nprobe(nprobe, kind["nlist"], size, n)
                found, p50, p95 = timed(_bitmap_run(index, mask, p), eval_q)
                line(f"{label}, {size} ids, bitmap" + ("" if p is None else f", nprobe {p}"),
                     found, truth[f"{size} ids"][1], p50, p95)
        del flat, ivf
        gc.collect()
    print(f"peak RSS {peak_rss_mb():.0f} MiB; load average {os.getloadavg()[0]:.2f} (2 cores, shared)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.vectors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sweep", action="store_true", help="flat vs IVF-SQ8 at several sizes")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[10_000, 30_000, 100_000, 300_000], help="sizes for --sweep, comma-separated")
    args = parser.parse_args()
    if args.sweep:
        sweep(args)
    else:
        report(args)


if __name__ == "__main__":
    main()
