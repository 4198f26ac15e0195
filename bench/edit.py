"""Print how long correcting a review's details takes (`reviewqa edit`, Service.edit), end to end
until the new index generation is open for searching, on a copy of the collection: the shipped
353 summaries plus one added report PDF (60 pages by default). The real one is never touched.

    .venv/bin/python -m bench.edit [--runs 5] [--pages 60] [--root FOLDER]

Without --root, the shipped collection is copied into a temporary folder and its index built there
with the real model first (about a minute on 2 cores; reported, not counted); then the PDF printed
by headless Chromium (testkit/documents.py) is added. With --root, that folder's corpus/ and built
index/ are copied instead. Each run edits the added review (year, area, name, child ages, and the
report's kind, alternating between two sets of values) and then opens the new generation as the
server would; the sentences sent to the model during the edits are counted (should be 0). Figures
are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.edit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--root", type=Path, help="a collection folder with a built index, copied and reused")
    args = parser.parse_args()

    from bench.add_report import TimedEmbedder, copy_collection
    from testkit.documents import chromium_available, make_report_pdf

    if not chromium_available():
        sys.exit("bench.edit needs Debian's /usr/bin/chromium to print the report PDF")
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    with tempfile.TemporaryDirectory(prefix="reviewqa-edit-bench-") as folder:
        folder = Path(folder)
        pdf = folder / "Child Q overview report.pdf"
        pages = make_report_pdf(pdf, pages=args.pages)

        from qa.changes import DocumentEdit, ReviewEdit
        from qa.embed import load_embedder
        from qa.index import build_index
        from qa.service import Service
        from qa.settings import Settings

        root = folder / "collection"
        copy_collection(args.root, root)
        settings = Settings(root=root)
        embedder = TimedEmbedder(load_embedder(settings))
        started = time.perf_counter()
        build_index(settings, embedder, progress=False)
        service = Service(settings, embedder=embedder)
        [added] = service.add([pdf]).files
        if added.status != "added":
            sys.exit(f"the PDF was not added: {added.message}")
        index = service.index()
        print(f"set up in {time.perf_counter() - started:.1f} s: {len(index.reviews)} reviews, "
              f"{len(index.documents)} documents, {index.manifest.chunks} passages; a {pages}-page PDF added as "
              f"{added.document_id}")

        values = [(ReviewEdit(year="2021", area="Kent", name="Child Q", child_ages="3 years; 5 months"),
                   DocumentEdit(kind="learning-brief")),
                  (ReviewEdit(year="2023", area="Rushmere", name="Baby Q", child_ages="unknown"),
                   DocumentEdit(kind="report"))]
        embedder.texts = 0
        edits, ready = [], []
        for run in range(args.runs):
            review, document = values[run % 2]
            started = time.perf_counter()
            report = service.edit(added.review_id, review, {added.document_id: document})
            edits.append(time.perf_counter() - started)
            opened = service.index()
            ready.append(time.perf_counter() - started)
            assert opened.generation == report.generation
            print(f"  run {run + 1}: edit {edits[-1]:.2f} s, new generation {report.generation} open "
                  f"{ready[-1]:.2f} s ({len(report.changes)} fields changed)")

        def summary(times: list[float]) -> str:
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            return f"median {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s"

        print(f"\nmetadata edit, {args.runs} runs (collection rewritten, new generation built from the cache):")
        print(f"  edit committed:            {summary(edits)}")
        print(f"  new generation searchable: {summary(ready)}")
        print(f"  sentences embedded during the edits: {embedder.texts} (the model was not used)"
              if embedder.texts == 0 else f"  sentences embedded during the edits: {embedder.texts}")


if __name__ == "__main__":
    main()
