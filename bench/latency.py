"""Print speed figures: index build from scratch, warm in-process query latency, cold CLI search
(process start, imports, index open, model load and the search).

    .venv/bin/python bench/latency.py            # all three
    .venv/bin/python bench/latency.py --no-build # skip the from-scratch build

Figures are printed, never asserted: this machine's load varies.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-build", action="store_true", help="skip timing a from-scratch index build")
    parser.add_argument("--ranking", default=None, help="ranking to time (default: the default ranking)")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold CLI searches to time (default 5)")
    args = parser.parse_args()

    from qa.embed import load_embedder
    from qa.index import build_index
    from qa.service import Service
    from qa.settings import Settings

    settings = Settings()
    if not args.no_build:
        with tempfile.TemporaryDirectory() as scratch:
            # A fresh collection folder, so nothing is cached; the model's ONNX export is copied in
            # (it is made once per collection, by the first build).
            shutil.copytree(ROOT / "corpus", Path(scratch) / "corpus")
            models = Path(settings.index_dir) / "models"
            if models.exists():
                shutil.copytree(models, Path(scratch) / "index" / "models")
            started = time.perf_counter()
            fresh = Settings(root=Path(scratch))
            report = build_index(fresh, lambda: load_embedder(fresh), progress=False)
            print(f"index build from scratch (model load included): {time.perf_counter() - started:.1f} s "
                  f"({report.reviews} reviews, {report.chunks} passages)")
    build_index(settings, lambda: load_embedder(settings), progress=False)
    started = time.perf_counter()
    searcher = Service(settings)
    searcher.warm_up()
    print(f"open index + load query model (in process): {time.perf_counter() - started:.2f} s")
    options = {"ranking": args.ranking} if args.ranking else {}
    batch = questions()
    for question in batch[:3]:
        searcher.search(question, **options)  # warm-up
    timings = []
    for question in batch:
        began = time.perf_counter()
        searcher.search(question, **options)
        timings.append((time.perf_counter() - began) * 1000)
    print(f"warm query latency over {len(timings)} questions: median {statistics.median(timings):.1f} ms, "
          f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms")
    cli = [str(Path(sys.executable).parent / "reviewqa"), "search", "bruising on a non-mobile baby", "--k", "5"]
    cold = []
    for _ in range(args.cold_runs):
        began = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True, cwd=ROOT)
        cold.append(time.perf_counter() - began)
    print(f"cold `reviewqa search` end to end ({len(cold)} runs): median {statistics.median(cold):.2f} s, "
          f"min {min(cold):.2f} s, max {max(cold):.2f} s")


if __name__ == "__main__":
    main()
