"""Print PDF ingest speed: a realistic case review report of N pages (default 60) is printed to PDF by
headless Chromium (testkit/documents.py: make_report_pdf), then parse_file is timed on it.

    .venv/bin/python -m bench.ingest [--pages 60] [--repeat 3] [--keep out.pdf]

The parse runs in a fresh child process so its peak RSS is the parser's alone (the PDF printing,
Playwright and Chromium are not counted). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the checkout: the child process runs `-m bench.ingest` from here


def measure(path: Path, repeat: int) -> dict:
    """In this process: import, parse once cold, then `repeat` warm parses."""
    started = time.perf_counter()
    from qa.ingest.files import parse_file

    imported = time.perf_counter() - started
    started = time.perf_counter()
    parsed = parse_file(path)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        parse_file(path)
        warm.append(time.perf_counter() - started)
    return {"import_s": imported, "cold_s": cold, "warm_s": warm, "pages": len(parsed.pages),
            "chars": len(parsed.text), "sections": len(parsed.sections),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="also save the generated PDF here")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)   # the child process's job
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat)))
        return

    from testkit.documents import chromium_available, make_report_pdf

    if not chromium_available():
        sys.exit("bench.ingest needs Debian's /usr/bin/chromium to print the report PDF")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "report.pdf"
        started = time.perf_counter()
        pages = make_report_pdf(pdf, pages=args.pages)
        made = time.perf_counter() - started
        print(f"made a {pages}-page report PDF ({pdf.stat().st_size / 1024:.0f} KiB) in {made:.1f} s")
        if args.keep:
            shutil.copyfile(pdf, args.keep)
        child = subprocess.run([sys.executable, "-m", "bench.ingest", "--measure", str(pdf),
                                "--repeat", str(args.repeat)], check=True, capture_output=True, text=True, cwd=ROOT)
    figures = json.loads(child.stdout)
    warm = statistics.median(figures["warm_s"]) if figures["warm_s"] else figures["cold_s"]
    print(f"import qa.ingest.files: {figures['import_s']:.2f} s")
    print(f"parse_file, first call: {figures['cold_s']:.2f} s "
          f"({figures['pages'] / figures['cold_s']:.0f} pages/s)")
    print(f"parse_file, warm median of {len(figures['warm_s'])}: {warm:.2f} s for {figures['pages']} pages "
          f"({figures['pages'] / warm:.0f} pages/s; {figures['chars']} characters, {figures['sections']} sections)")
    print(f"peak RSS of the parsing process: {figures['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
