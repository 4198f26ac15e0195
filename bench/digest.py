"""Print digest figures per question: the set's size, theme coverage, warm digest time, and the
stability of the clause-to-theme assignment under resampling.

    .venv/bin/python -m bench.digest                     # on a temporary copy of the shipped collection
    .venv/bin/python -m bench.digest --root FOLDER       # FOLDER's collection (its index is built if needed)
    .venv/bin/python -m bench.digest --min-similarity 0.4 --cluster-distance 0.55   # try other thresholds

coverage   the share of the set's reviews with a clause in a shown theme ("cover"); "themed" is the
           share of the set's clauses in a shown theme, "words" the shown themes labelled by clustering
warm       a digest with the index open and the model loaded, its clauses not embedded before (the
           first digest of the run, which loads scikit-learn and embeds the theme labels, is untimed);
           "repeat" is the same digest again (clause vectors cached)
ARI        over 20 resamples of 80% of the set's reviews (a fixed seed), the adjusted Rand index
           between each clause's theme in the full set and in the resample, over the clauses in
           both (a clause in no shown theme counts as one more group)

Without --root, the shipped collection is copied into a temporary folder, removed afterwards; the
user's data folder is never touched. Figures are printed, never asserted: this machine's load varies.
Targets: coverage >= 70%, ARI >= 0.7, warm digest <= 2 s for a set of 50 reviews on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUESTIONS = [
    "neglect", "co-sleeping and parental alcohol or drug use", "domestic abuse", "teenager groomed to sell drugs",
    "suicide of a young person", "bruising on a non-mobile baby", "disguised compliance",
    "fathers not engaged by services", "child not in school home education", "parental mental health",
    "sexual abuse within the family", "information sharing between agencies",
]
RESAMPLES = 20
FRACTION = 0.8
SEED = 20240611


def main() -> None:
    from qa.digest.themes import DEFAULT_THEME_SETTINGS

    parser = argparse.ArgumentParser(prog="python -m bench.digest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="the data folder to use (default: a temporary copy of the "
                        "shipped collection); its index is built or refreshed there if needed")
    parser.add_argument("--limit", type=int, default=50, help="the set's size limit (default 50)")
    parser.add_argument("--min-similarity", type=float, default=DEFAULT_THEME_SETTINGS.min_similarity)
    parser.add_argument("--cluster-distance", type=float, default=DEFAULT_THEME_SETTINGS.cluster_distance)
    parser.add_argument("--min-reviews", type=int, default=DEFAULT_THEME_SETTINGS.min_reviews)
    parser.add_argument("--questions", help="a file of questions, one a line (default: 12 built in)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewqa-bench-digest-") as temp:
        run(args, args.root or Path(temp))


def run(args, root: Path) -> None:
    from sklearn.metrics import adjusted_rand_score

    from qa.digest import digest as digest_module
    from qa.digest.digest import clause_vectors, make_digest, set_clauses
    from qa.digest.themes import DEFAULT_THEME_SETTINGS, assign, clause_themes, label_vectors, load_catalogue
    from qa.digest.vectors import VectorCache
    from qa.embed import load_embedder
    from qa.index import build_index
    from qa.search import engine, search_request
    from qa.service import Service
    from qa.settings import SHIPPED_COLLECTION, Settings

    settings = Settings(root=root)
    if args.root is None:
        settings.corpus_path.parent.mkdir(parents=True)
        shutil.copyfile(SHIPPED_COLLECTION, settings.corpus_path)
    build_index(settings, lambda: load_embedder(settings), progress=False)
    service = Service(settings)
    service.warm_up()
    index, embedder = service.index(), service.embedder()
    theme_settings = replace(DEFAULT_THEME_SETTINGS, min_similarity=args.min_similarity,
                             cluster_distance=args.cluster_distance, min_reviews=args.min_reviews)
    catalogue = load_catalogue()
    labels = label_vectors(embedder, catalogue, VectorCache())
    questions = (Path(args.questions).read_text(encoding="utf-8").split("\n") if args.questions else QUESTIONS)
    questions = [q.strip() for q in questions if q.strip()]

    def digest(question: str, cache=None):
        request = search_request(question, settings)
        response = engine.search(index, embedder, replace(request, k=2 * args.limit), settings)
        return make_digest(index, embedder, response, settings, args.limit, theme_settings, cache)

    digest("untimed warm-up: safeguarding")
    print(f"thresholds: min similarity {theme_settings.min_similarity}, cluster distance "
          f"{theme_settings.cluster_distance}, min reviews {theme_settings.min_reviews}; limit {args.limit}; "
          f"{RESAMPLES} resamples of {FRACTION:.0%} (seed {SEED})")
    print(f"{'question':44} {'set':>4} {'clauses':>7} {'themed':>6} {'themes':>6} {'words':>5} {'cover':>6} "
          f"{'warm s':>7} {'repeat s':>8} {'ARI mean':>8} {'ARI min':>7}")
    rng = np.random.default_rng(SEED)
    rows = []
    for question in questions:
        cache = VectorCache()
        digest_module._clauses.cache_clear()
        began = time.perf_counter()
        result = digest(question, cache)
        warm = time.perf_counter() - began
        began = time.perf_counter()
        again = digest(question, cache)
        repeat = time.perf_counter() - began
        assert again.to_json() == result.to_json(), "the same question gave two different digests"
        reviews = list(result.reviews)
        clauses = set_clauses(index, reviews)
        vectors = clause_vectors(index, embedder, clauses, cache)
        full = clause_themes(assign(clauses, vectors, catalogue, labels, theme_settings), len(clauses))
        themed = {c.review_id for c, key in zip(clauses, full) if key is not None}
        coverage = len(themed) / len(reviews) if reviews else 0.0
        themed_clauses = sum(key is not None for key in full) / len(clauses) if clauses else 0.0
        worded = sum(not theme.curated for theme in result.themes)
        scores = []
        for _ in range(RESAMPLES):
            keep = set(rng.choice(reviews, size=max(1, round(FRACTION * len(reviews))), replace=False).tolist())
            rows_kept = [i for i, c in enumerate(clauses) if c.review_id in keep]
            sample = clause_themes(assign([clauses[i] for i in rows_kept], vectors[rows_kept], catalogue, labels,
                                          theme_settings), len(rows_kept))
            scores.append(adjusted_rand_score([full[i] or "-" for i in rows_kept], [k or "-" for k in sample]))
        rows.append((len(reviews), coverage, warm, repeat, statistics.mean(scores), min(scores), themed_clauses))
        print(f"{question[:44]:44} {len(reviews):4d} {len(clauses):7d} {themed_clauses:6.0%} {len(result.themes):6d} "
              f"{worded:5d} {coverage:6.0%} {warm:7.2f} {repeat:8.3f} {statistics.mean(scores):8.3f} "
              f"{min(scores):7.3f}")
    if rows:
        sizes, coverages, warms, repeats, means, mins, themed_shares = zip(*rows)
        print(f"{'overall (mean over questions)':44} {statistics.mean(sizes):4.0f} {'':7} "
              f"{statistics.mean(themed_shares):6.0%} {'':6} {'':5} {statistics.mean(coverages):6.0%} "
              f"{statistics.mean(warms):7.2f} {statistics.mean(repeats):8.3f} "
              f"{statistics.mean(means):8.3f} {min(mins):7.3f}")
        print(f"coverage >= 70% in {sum(c >= 0.7 for c in coverages)} of {len(rows)} questions; warm digest max "
              f"{max(warms):.2f} s; mean ARI >= 0.7 in {sum(m >= 0.7 for m in means)} of {len(rows)}")


if __name__ == "__main__":
    main()
