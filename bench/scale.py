"""Scale benchmark: a synthetic collection of about 100k passages, built and searched like a real one.
Prints figures, asserts nothing.

    .venv/bin/python -m bench.scale [--passages 100000] [--documents 3000] [--keep DIR]

How the collection is made: the real summaries' sentences are resampled (seeded) into long
"reports", a few thousand documents of ~35 passages each, attached to synthetic reviews with real
metadata. Embedding every sentence for real would take hours on 2 cores, so:
  * every distinct source sentence is embedded for real, once, with the bundled model;
  * each sentence of a synthetic document gets its source sentence's real vector mixed with another
    real sentence's (0.8 and 0.45, renormalised; seeded), so the ~90 uses of a source sentence are
    distinct neighbours, not near-copies;
  * those vectors are placed in the embedding cache, and `build_index` then runs for real: it
    cuts nothing and embeds nothing, but loads the collection, reads the cache, builds and tunes
    the FAISS indexes, builds both BM25 indexes and writes and hashes the generation.
The real embedding throughput is measured on a sample and the full embedding time is extrapolated
from it (said so in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent   # the checkout: eval/topics.tsv, and where the search process runs
os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUERY_PHASE = r"""
import json, statistics, time

def peak_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child would report its parent's peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

from qa.search import search_request
from qa.service import Service
from qa.settings import Settings
settings = Settings(root={folder!r}, context_embedding={context!r})
questions = {questions!r}
started = time.perf_counter()
service = Service(settings)
service.warm_up()
opened = time.perf_counter() - started
for q in questions[:5]:
    service.search(search_request(q, settings))
timings = []
for q in questions:
    began = time.perf_counter()
    service.search(search_request(q, settings))
    timings.append((time.perf_counter() - began) * 1000)
filtered = []
for q in questions[:30]:
    began = time.perf_counter()
    service.search(search_request(q + " in London since 2021", settings))
    filtered.append((time.perf_counter() - began) * 1000)
timings.sort(); filtered.sort()
print(json.dumps({{"open_s": opened, "p50": statistics.median(timings), "p95": timings[int(0.95 * (len(timings) - 1))],
                  "max": timings[-1], "filtered_p50": statistics.median(filtered),
                  "filtered_p95": filtered[int(0.95 * (len(filtered) - 1))],
                  "rss_mb": peak_mb(),
                  "generation": service.index().generation,
                  "vector_indexes": service.index().manifest.vector_indexes}}))
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # this process only: nothing ran before it


def sentences_of(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;])\s+", text.replace("\n\n", " ")) if len(s.strip()) > 25]


def make_collection(documents: int, passages_per_document: int, seed: int):
    from qa.collection import Collection, load_collection
    from qa.ingest.metadata import review_id
    from qa.records import Document, Review, Section
    from qa.settings import SHIPPED_COLLECTION

    real = load_collection(SHIPPED_COLLECTION)
    pool = sorted({s for d in real.documents for s in sentences_of(d.text)})
    rng = np.random.default_rng(seed)
    reviews, docs = [], []
    per_review = 2
    for n in range(documents):
        if n % per_review == 0:
            source = real.reviews[int(rng.integers(len(real.reviews)))]
            name = f"Synthetic {n // per_review}"
            title = f"{source.year} – {source.area} – {name}"
            review = Review(review_id(source.year, source.area, name, str(n)), title, source.year, source.area, name,
                            source.nation, source.keywords, source.region, source.child_ages)
            reviews.append(review)
        parts, sections = [], []
        cursor = 0
        # A paragraph of five sentences makes about 1.3 passages (measured); five paragraphs a section.
        paragraphs_left = max(1, round(passages_per_document / 1.3))
        for heading in range((paragraphs_left + 4) // 5):
            title = f"{heading + 1}. Findings part {heading + 1}"
            count = min(5, paragraphs_left - 5 * heading)
            paragraphs = [" ".join(pool[int(i)] for i in rng.integers(len(pool), size=5)) for _ in range(count)]
            body = title + "\n\n" + "\n\n".join(paragraphs)
            sections.append(Section("heading", cursor, cursor + len(body), title))
            parts.append(body)
            cursor += len(body) + 2
        text = "\n\n".join(parts)
        docs.append(Document(f"{review.id}/report-{n}", review.id, "report", text, tuple(sections)))
    return Collection(tuple(reviews), tuple(docs)), pool


def fill_cache(settings, collection, pool, embedder, seed: int, context: bool) -> dict:
    """Cut every document for real; give each sentence its source sentence's real vector plus noise."""
    from qa.chunking import make_splitter, split_document
    from qa.index.build import _opening
    from qa.index.cache import CONTEXT_KINDS, EmbeddingCache, cache_folder, context_key, spans_key

    timings = {}
    started = time.perf_counter()
    vectors = embedder.encode(pool, batch_size=32, progress=True)
    timings["embed_pool_s"] = time.perf_counter() - started
    timings["embed_rate"] = len(pool) / timings["embed_pool_s"]
    lookup = {s: i for i, s in enumerate(pool)}
    cache = EmbeddingCache(cache_folder(settings, embedder.name))
    splitter = make_splitter(settings, embedder.count_tokens)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    segments = chunks = 0
    for document in collection.documents:
        spans = split_document(document, splitter)
        key = spans_key(document, settings)
        cache.put_spans(key, spans)
        rows = []
        for s in spans.segments:
            text = document.text[s.start:s.end]
            first = sentences_of(text)[:1]
            rows.append(lookup.get(text, lookup.get(first[0], 0) if first else 0))
        # Each use of a sentence gets its own vector: its source sentence's, mixed with another real
        # sentence's (cosine about 0.85 to the source). Plain noise would leave ~90 near-copies of each
        # sentence, a structure no real collection has and no index can rank among.
        others = rng.integers(len(vectors), size=len(rows))
        block = 0.8 * vectors[rows] + 0.45 * vectors[others]
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        cache.put_vectors(key, "plain", block)
        if context:
            opening = _opening(collection.documents_of(document.review_id),
                               next(r for r in collection.reviews if r.id == document.review_id))
            # Filed as the settings' method makes them (the pooled default, or the model's own), so the
            # build finds every in-context vector in the cache and embeds nothing.
            cache.put_vectors(context_key(key, opening), CONTEXT_KINDS[settings.context_vectors], block)
        segments += len(spans.segments)
        chunks += len(spans.chunks)
    timings["cut_s"] = time.perf_counter() - started
    timings["chunks"] = chunks
    timings["segments"] = segments
    return timings


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000, help="target passages (default 100,000)")
    parser.add_argument("--documents", type=int, default=3000, help="synthetic documents (default 3,000)")
    parser.add_argument("--context", action="store_true", help="also build the in-context sentence index")
    parser.add_argument("--keep", help="build in this folder and keep it (default: a temp folder, removed)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from qa.collection import save_collection
    from qa.embed import load_embedder
    from qa.index import build_index
    from qa.settings import Settings

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="reviewqa-scale-"))
    try:
        settings = Settings(root=folder, context_embedding=args.context)
        started = time.perf_counter()
        collection, pool = make_collection(args.documents, max(5, args.passages // args.documents), args.seed)
        save_collection(collection, settings.corpus_path)
        print(f"collection: {len(collection.reviews):,} reviews, {len(collection.documents):,} documents, "
              f"{sum(len(d.text) for d in collection.documents) / 1e6:.1f} M characters from {len(pool):,} real "
              f"sentences ({time.perf_counter() - started:.1f} s)")
        embedder = load_embedder(settings)
        stats = fill_cache(settings, collection, pool, embedder, args.seed, args.context)
        print(f"cut into {stats['chunks']:,} passages and {stats['segments']:,} sentences in {stats['cut_s']:.1f} s "
              f"({stats['chunks'] / stats['cut_s']:,.0f} passages/s)")
        print(f"real embedding: {len(pool):,} sentences in {stats['embed_pool_s']:.1f} s "
              f"({stats['embed_rate']:.0f} sentences/s); embedding all {stats['segments']:,} sentences "
              f"{'twice ' if args.context else ''}would take about "
              f"{stats['segments'] * (2 if args.context else 1) / stats['embed_rate'] / 60:.0f} min (extrapolated)")

        def no_more_embedding():
            raise SystemExit("the scale build tried to embed: the cache fill is incomplete")

        started = time.perf_counter()
        report = build_index(settings, no_more_embedding, progress=False)
        seconds = time.perf_counter() - started
        generation = report.folder
        print(f"index build (cache in, nothing embedded): {seconds:.1f} s = {report.chunks / seconds:,.0f} passages/s; "
              f"{report.chunks:,} passages; generation {folder_mb(generation):.0f} MB on disk "
              f"(vectors {sum(p.stat().st_size for p in generation.glob('*.faiss')) / 2**20:.0f} MB); "
              f"peak RSS of the building process {peak_rss_mb():.0f} MB")
        print(f"cut + index, per passage: {(stats['cut_s'] + seconds) / report.chunks * 1000:.2f} ms "
              f"(+ embedding at the rate above)")

        questions = [line.split("\t", 1)[1] for line in (ROOT / "eval" / "topics.tsv").read_text().splitlines()
                     if "\t" in line]
        code = QUERY_PHASE.format(folder=str(folder), context=args.context, questions=questions)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"search process: open + model {figures['open_s']:.2f} s; warm query over {len(questions)} questions "
              f"p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, max {figures['max']:.1f} ms; with a place "
              f"and year filter p50 {figures['filtered_p50']:.1f} ms, p95 {figures['filtered_p95']:.1f} ms; "
              f"peak RSS {figures['rss_mb']:.0f} MB; vector indexes {figures['vector_indexes']}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
