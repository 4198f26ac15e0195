"""Print how long `reviewqa add` takes for a realistic report PDF: parse, chunk, embed and index, end to
end, on a copy of the collection (the real one is never touched).

    .venv/bin/python -m bench.add_report [--pages 60] [--root FOLDER] [--keep-pdf out.pdf]

Without --root, the shipped collection (qa/data/reviews.jsonl) is copied into a temporary folder and
its index is built there with the real model first (about a minute on 2 cores; reported, not
counted). With --root, that folder's corpus/ and built index/ are copied instead, so nothing is
rebuilt. The report PDF is printed by headless Chromium (testkit/documents.py: make_report_pdf).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


class TimedEmbedder:
    """The real embedder, with the time spent in encode() and the texts embedded counted."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.seconds = 0.0
        self.texts = 0

    def encode(self, texts, **kwargs):
        started = time.perf_counter()
        try:
            return self.inner.encode(texts, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)

    def count_tokens(self, text):
        return self.inner.count_tokens(text)


def copy_collection(source: Path | None, target: Path) -> None:
    """`source`'s collection, its added files and its built index, or (None) the shipped collection."""
    from qa.settings import SHIPPED_COLLECTION, Settings

    ignore = shutil.ignore_patterns(".lock", "*.tmp", "*.partial")
    (target / "corpus").mkdir(parents=True)
    if source is None:
        shutil.copy2(SHIPPED_COLLECTION, target / "corpus" / "reviews.jsonl")
        return
    settings = Settings(root=source)
    shutil.copy2(settings.corpus_path, target / "corpus" / "reviews.jsonl")
    if settings.files_dir.exists():
        shutil.copytree(settings.files_dir, target / "corpus" / "files", ignore=ignore)
    shutil.copytree(settings.index_dir, target / "index", ignore=ignore)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.add_report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--root", type=Path, help="a collection folder with a built index, copied and reused")
    parser.add_argument("--keep-pdf", type=Path, help="also save the generated PDF here")
    args = parser.parse_args()

    from testkit.documents import chromium_available, make_report_pdf

    if not chromium_available():
        sys.exit("bench.add_report needs Debian's /usr/bin/chromium to print the report PDF")
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    with tempfile.TemporaryDirectory(prefix="reviewqa-add-bench-") as folder:
        folder = Path(folder)
        pdf = folder / "Child Q overview report.pdf"
        started = time.perf_counter()
        pages = make_report_pdf(pdf, pages=args.pages)
        print(f"made a {pages}-page report PDF ({pdf.stat().st_size / 1024:.0f} KiB) in "
              f"{time.perf_counter() - started:.1f} s")
        if args.keep_pdf:
            shutil.copyfile(pdf, args.keep_pdf)

        from qa.changes import add_files
        from qa.embed import load_embedder
        from qa.index import build_index
        from qa.settings import Settings

        root = folder / "collection"
        copy_collection(args.root, root)
        settings = Settings(root=root)
        started = time.perf_counter()
        embedder = TimedEmbedder(load_embedder(settings))
        print(f"model loaded in {time.perf_counter() - started:.1f} s (not counted below: the app and a warm "
              "service have it loaded already)")
        started = time.perf_counter()
        built = build_index(settings, embedder, progress=False)
        print(f"collection copied; index {'built' if built.rebuilt else 'reused'} in "
              f"{time.perf_counter() - started:.1f} s ({built.documents} documents, {built.chunks} passages)")

        embedder.seconds, embedder.texts = 0.0, 0
        started = time.perf_counter()
        report = add_files(settings, [pdf], embedder=embedder)
        total = time.perf_counter() - started
        [result] = report.files
        if result.status != "added":
            sys.exit(f"the PDF was not added: {result.message}")
        other = report.build_seconds - embedder.seconds
        print(f"\nadd of a {result.pages}-page text PDF ({result.characters:,} characters), end to end: {total:.2f} s "
              f"({result.pages / total:.1f} pages/s)")
        print(f"  parse (and plan):                 {report.parse_seconds:6.2f} s")
        print(f"  embed ({embedder.texts:,} sentences):        {embedder.seconds:6.2f} s")
        print(f"  copy, save, chunk, write index:   {other:6.2f} s")
        print(f"  passages added: {report.passages - report.passages_before} "
              f"(index now {report.passages} passages, generation {report.generation})")

        started = time.perf_counter()
        again = add_files(settings, [pdf], embedder=embedder)
        print(f"adding the same file again: {again.files[0].status} in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
