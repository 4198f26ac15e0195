"""The long-report set added to a copy of the shipped collection, as `reviewqa eval --sets reports`
measures it: the documents of eval/reports rendered as users' files (render.py) and added through the
real Service.add."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from .reports import REPORTS, load_set

# Written beside corpus/ in a folder prepared by prepare_collection: slug -> the review id its add gave it.
REVIEWS_FILE = "report-reviews.json"


def prepare_collection(settings, *, progress=None) -> dict[str, str]:
    """A data folder (settings.root) holding the shipped collection with the long-report set's
    documents added through the real Service.add (PDFs printed by Chromium): slug -> review id. A
    folder prepared before is reused; its index is rebuilt only if passages are now cut differently.
    `progress(line)` hears what is being done."""
    from qa.evaluation import BenchmarkError
    from qa.service import Service
    from qa.settings import SHIPPED_COLLECTION

    from .documents import chromium_available
    from .render import render_all

    say = progress or (lambda line: None)
    reviews_path = settings.root / REVIEWS_FILE
    if reviews_path.exists():
        report = Service(settings).build(progress=False)
        if report.rebuilt:
            say(f"the prepared folder's index was rebuilt: {report.chunks} passages")
        return json.loads(reviews_path.read_text(encoding="utf-8"))
    if not chromium_available():
        raise BenchmarkError("The long-report set prints its reports as PDF with Chromium, which is not installed: "
                             "`apt-get install chromium` (Debian), or run --sets dev1,dev2.")
    say(f"preparing {settings.root}: the shipped summaries plus the long-report set's documents, rendered and "
        "added (about half a minute)...")
    settings.corpus_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIPPED_COLLECTION, settings.corpus_path)
    with tempfile.TemporaryDirectory(prefix="reviewqa-reports-") as folder:
        paths = render_all(load_set(REPORTS), Path(folder))
        added = Service(settings).add(sorted(paths.values()), progress=None)
    reviews = {}
    for result in added.files:
        if result.status != "added" or result.review_id is None:
            raise BenchmarkError(f"{result.name} was not added: {result.message}")
        reviews[Path(result.name).stem] = result.review_id
    reviews_path.write_text(json.dumps(reviews, indent=1), encoding="utf-8")
    return reviews
