"""Print how long `reviewqa build` takes as a collection changes, end to end (process start, imports
and model load included), on a private copy of the shipped collection:

    from scratch  |  nothing changed  |  one review edited  |  10 new reviews added

    .venv/bin/python -m bench.incremental [--runs 3] [--keep DIR]

Figures are printed, never asserted: this machine's load varies. The 10 new reviews are made from
real summaries with their sentences in reverse order and a new name, so they must be embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qa.settings import SHIPPED_COLLECTION


def build(root: Path) -> tuple[float, str]:
    command = [str(Path(sys.executable).parent / "reviewqa"), "--root", str(root), "build", "--quiet"]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    seconds = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"build failed: {result.stderr.strip()}")
    return seconds, result.stdout.strip()


def edit_one(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    document = record["documents"][0]
    document["text"] += " The review notes that records were not shared."
    document.pop("sha256", None)
    lines[0] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_ten(path: Path, round_number: int) -> None:
    from dataclasses import replace

    from qa.collection import Collection, load_collection, save_collection
    from qa.ingest.nspcc_page import split_sections
    from qa.records import Document

    collection = load_collection(path)
    reviews, documents = list(collection.reviews), list(collection.documents)
    for n, source in enumerate(collection.reviews[10 * round_number: 10 * round_number + 10]):
        text = collection.documents_of(source.id)[0].text
        sentences = [s for s in text.replace("\n\n", " ").split(". ") if s]
        new_text = ". ".join(reversed(sentences))
        review = replace(source, id=f"{source.id}-copy{round_number}-{n}", name=f"{source.name} (copy {n})",
                         same_case_as=())
        reviews.append(review)
        documents.append(Document(f"{review.id}/summary", review.id, "summary", new_text, split_sections(new_text)))
    save_collection(Collection(tuple(reviews), tuple(documents)), path)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each timed change (default 3)")
    parser.add_argument("--keep", help="build in this folder and keep it (default: a temp folder, removed)")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="reviewqa-bench-"))
    try:
        collection = root / "corpus" / "reviews.jsonl"
        collection.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHIPPED_COLLECTION, collection)
        seconds, out = build(root)
        print(f"from scratch:        {seconds:6.2f} s   ({out})")
        timings = {"nothing changed": [], "one review edited": [], "10 new reviews added": []}
        for run in range(args.runs):
            timings["nothing changed"].append(build(root)[0])
            edit_one(collection)
            timings["one review edited"].append(build(root)[0])
            add_ten(collection, run)
            seconds, out = build(root)
            timings["10 new reviews added"].append(seconds)
        for label, values in timings.items():
            print(f"{label + ':':<20} {statistics.median(values):6.2f} s median of {len(values)} "
                  f"(min {min(values):.2f}, max {max(values):.2f})")
        print(f"last build: {out}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
