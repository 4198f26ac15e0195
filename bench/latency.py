"""Print speed figures: index build from scratch, warm in-process query latency, cold CLI search
(process start, imports, index open, model load and the search).

    .venv/bin/python -m bench.latency                  # all three, on a copy of the shipped collection
    .venv/bin/python -m bench.latency --no-build       # skip the from-scratch build
    .venv/bin/python -m bench.latency --root FOLDER    # search FOLDER's collection (its index is built if needed)

Without --root, the shipped collection is copied into a temporary folder, removed afterwards; the
user's data folder is never touched. Figures are printed, never asserted: this machine's load varies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the checkout: eval/topics.tsv
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Fallback questions when eval/topics.tsv is absent; the benchmark topics are used when present.
FALLBACK = [
    "baby died while co-sleeping with a parent who had been drinking", "bruising on a non-mobile baby",
    "teenager groomed to sell drugs", "suicide of a looked after child", "disguised compliance in neglect",
    "domestic abuse and a new baby", "mother with postnatal depression", "child not in school home education",
    "fabricated or induced illness", "knife crime in London", "online sexual abuse of a girl",
    "private fostering arrangement", "child with disabilities and neglect", "fathers not engaged by services",
]


def questions() -> list[str]:
    topics = ROOT / "eval" / "topics.tsv"
    if topics.exists():
        found = [line.split("\t", 1)[1] for line in topics.read_text(encoding="utf-8").splitlines() if "\t" in line]
        if len(found) >= 50:
            return found
    return (FALLBACK * 4)[:56]


def context_settings(choice: str | None) -> dict:
    """--context-vectors as Settings fields: "off", a way of making them, or None for the defaults."""
    if choice is None:
        return {}
    return {"context_embedding": False} if choice == "off" else {"context_embedding": True, "context_vectors": choice}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-build", action="store_true", help="skip timing a from-scratch index build")
    parser.add_argument("--context-vectors", choices=["off", "model", "sum", "pooled"], default=None,
                        help="the in-context vectors to build and search with (default: the settings' default)")
    parser.add_argument("--ranking", default=None, help="ranking to time (default: the default ranking)")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold CLI searches to time (default 5)")
    parser.add_argument("--root", type=Path, help="the data folder to search (default: a temporary copy of the "
                        "shipped collection); its index is built or refreshed there if needed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewqa-bench-latency-") as temp:
        run(args, args.root or Path(temp))


def run(args, root: Path) -> None:
    from qa.embed import load_embedder
    from qa.index import build_index
    from qa.search import search_request
    from qa.service import Service
    from qa.settings import SHIPPED_COLLECTION, Settings

    def build_from_scratch(fresh: Settings) -> None:
        started = time.perf_counter()
        report = build_index(fresh, lambda: load_embedder(fresh), progress=False)
        print(f"index build from scratch (model load included): {time.perf_counter() - started:.1f} s "
              f"({report.reviews} reviews, {report.chunks} passages)")

    settings = Settings(root=root, **context_settings(args.context_vectors))
    if args.root is None:
        settings.corpus_path.parent.mkdir(parents=True)
        shutil.copyfile(SHIPPED_COLLECTION, settings.corpus_path)
        if not args.no_build:
            # The temporary folder is a fresh collection folder, so nothing is cached; the model's
            # ONNX export (made once per collection folder, by its first build) is made first, untimed,
            # in another process so that this one imports nothing more before the timed build.
            export = ("from qa.embed import load_embedder; from qa.settings import Settings; "
                      f"load_embedder(Settings(root={str(root)!r}, **{context_settings(args.context_vectors)!r}))")
            subprocess.run([sys.executable, "-c", export], check=True, capture_output=True, cwd=ROOT)
            build_from_scratch(settings)
    elif not args.no_build:
        with tempfile.TemporaryDirectory() as scratch:
            # A fresh collection folder, so nothing is cached; the model's ONNX export is copied in
            # (it is made once per collection, by the first build).
            fresh = Settings(root=Path(scratch), **context_settings(args.context_vectors))
            fresh.corpus_path.parent.mkdir(parents=True)
            shutil.copyfile(settings.corpus_path, fresh.corpus_path)
            models = Path(settings.index_dir) / "models"
            if models.exists():
                shutil.copytree(models, fresh.index_dir / "models")
            build_from_scratch(fresh)
    build_index(settings, lambda: load_embedder(settings), progress=False)
    started = time.perf_counter()
    searcher = Service(settings)
    searcher.warm_up()
    print(f"open index + load query model (in process): {time.perf_counter() - started:.2f} s")
    batch = questions()
    for question in batch[:3]:
        searcher.search(search_request(question, settings, ranking=args.ranking))  # warm-up
    timings = []
    for question in batch:
        began = time.perf_counter()
        searcher.search(search_request(question, settings, ranking=args.ranking))
        timings.append((time.perf_counter() - began) * 1000)
    print(f"warm query latency over {len(timings)} questions: median {statistics.median(timings):.1f} ms, "
          f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms")
    cli = [str(Path(sys.executable).parent / "reviewqa"), "--root", str(root), "search",
           "bruising on a non-mobile baby", "--k", "5"]
    cold = []
    for _ in range(args.cold_runs):
        began = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True, cwd=ROOT)
        cold.append(time.perf_counter() - began)
    if cold:
        print(f"cold `reviewqa search` end to end ({len(cold)} runs): median {statistics.median(cold):.2f} s, "
              f"min {min(cold):.2f} s, max {max(cold):.2f} s")


if __name__ == "__main__":
    main()
