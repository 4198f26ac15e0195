"""Real add and remove processes killed with SIGKILL at every step that publishes something (every
rename, every file deletion of the change), then the collection checked: nothing is half done, and
the next add, remove or build finishes the change or undoes it, after which re-running the same
command finishes the job."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from qa.changes.transaction import journal_path, staged_path
from qa.collection import load_collection
from qa.index import open_index
from tests.helpers import ROOT

pytestmark = pytest.mark.slow

REPORT = ("Northbridge Safeguarding Children Partnership\n\nChild Safeguarding Practice Review: Child Z\n\n"
          "Published March 2024\n\n1. Findings\n\nThe zebra crossing warden saw the marmalade kitten twice before the "
          "school noticed the bruising on Child Z's arm.\n")
MARKER = "marmalade kitten"

# A child process doing one change with the fake embedder; with a positive `limit` it kills itself
# (SIGKILL, so nothing of Python's clean-up runs) just before its limit-th rename, replace or unlink.
CHILD = """
import os, pathlib, signal, sys
sys.path.insert(0, {root!r})
limit, calls = int(sys.argv[3]), 0

def killing(function):
    def wrapped(*args, **kwargs):
        global calls
        calls += 1
        if calls == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return wrapped

os.replace, os.rename = killing(os.replace), killing(os.rename)
pathlib.Path.unlink = killing(pathlib.Path.unlink)
from tests.helpers import FakeEmbedder
from qa.changes import add_files, remove_document
from qa.settings import Settings
settings = Settings(root=sys.argv[1], model="fake-hash-64", chunk_tokens=24, paragraph_tokens=48,
                    context_embedding=True)
if sys.argv[2] == "add":
    report = add_files(settings, [sys.argv[4]], embedder=FakeEmbedder())
    print("result", report.files[0].status, report.files[0].document_id or "")
elif sys.argv[2] == "remove":
    print("result", remove_document(settings, sys.argv[4], embedder=FakeEmbedder()).document_id)
else:
    from qa.service import Service
    Service(settings, embedder=FakeEmbedder()).build(progress=False)
    print("result built")
print("calls", calls)
"""


def run(settings, operation: str, argument: str = "", limit: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), str(settings.root), operation,
                           str(limit), argument], capture_output=True, text=True, timeout=120)


def steps(settings, operation: str, argument: str) -> int:
    done = run(settings, operation, argument)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split("calls ")[1])


def state(settings) -> dict:
    """What the collection, its originals and the index hold, checking each is whole on the way."""
    collection = load_collection(settings.corpus_path)
    index = open_index(settings)            # opens and verifies every file of the generation
    added = [d for d in collection.documents if d.file]
    files = sorted(p.relative_to(settings.root).as_posix() for p in settings.files_dir.rglob("*") if p.is_file()) \
        if settings.files_dir.exists() else []
    return {"documents": sorted(d.id for d in added), "files": files,
            "referenced": sorted(d.file for d in added),
            "indexed": sorted(d.id for d in index.documents if d.file),
            "searchable": any(MARKER in d.text for d in index.documents),
            "pending": journal_path(settings).exists() or staged_path(settings).exists()}


def settled(settings) -> dict:
    """After recovery: no journal, every original referenced, the index serving the collection."""
    now = state(settings)
    assert not now["pending"]
    assert now["files"] == now["referenced"], "an original without a document, or a document without it"
    assert now["indexed"] == now["documents"]
    return now


def snapshot(settings, folder):
    shutil.copytree(settings.root, folder)


def restore(settings, folder):
    shutil.rmtree(settings.root)
    shutil.copytree(folder, settings.root)


def test_an_add_killed_at_every_step_is_finished_or_undone(built, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    report = elsewhere / "child-z.txt"
    report.write_text(REPORT, encoding="utf-8")
    clean = elsewhere / "clean"
    snapshot(built, clean)
    count = steps(built, "add", str(report))
    assert count >= 8          # journal, copy, staged collection, commit, cache, generation, pointer, swap, ...
    for when in range(1, count + 1):
        restore(built, clean)
        killed = run(built, "add", str(report), limit=when)
        assert killed.returncode == -9 and "result" not in killed.stdout, f"step {when} was not killed"
        now = state(built)
        # Searchers see the old index or the new one, never a document without its original.
        assert now["indexed"] in ([], now["indexed"]) and set(now["referenced"]) <= set(now["files"])
        if when % 2:
            # The next build finishes or undoes the change ...
            assert run(built, "build").returncode == 0
            after = settled(built)
            assert after["documents"] in ([], after["indexed"])
        # ... and running the same add again finishes the job.
        again = run(built, "add", str(report))
        assert again.returncode == 0, again.stderr
        assert again.stdout.split()[1] in ("added", "unchanged"), again.stdout
        final = settled(built)
        assert len(final["documents"]) == 1 and final["searchable"], (when, final)


def test_a_removal_killed_at_every_step_is_finished_or_undone(built, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    report = elsewhere / "child-z.txt"
    report.write_text(REPORT, encoding="utf-8")
    added = run(built, "add", str(report))
    document_id = added.stdout.split()[2]
    clean = elsewhere / "clean"
    snapshot(built, clean)
    count = steps(built, "remove", document_id)
    assert count >= 6
    for when in range(1, count + 1):
        restore(built, clean)
        killed = run(built, "remove", document_id, limit=when)
        assert killed.returncode == -9 and "result" not in killed.stdout, f"step {when} was not killed"
        state(built)
        if when % 2:
            assert run(built, "build").returncode == 0
            after = settled(built)
            # Undone: the document and its original are both there; finished: neither is.
            assert after["documents"] in ([], [document_id]) and len(after["files"]) == len(after["documents"])
            if after["documents"]:
                assert run(built, "remove", document_id).returncode == 0
        else:
            # Running the same removal again finishes the job (or finds it finished) and says so.
            again = run(built, "remove", document_id)
            assert again.returncode == 0, (when, again.stderr)
        final = settled(built)
        assert final["documents"] == [] and final["files"] == [] and not final["searchable"], (when, final)


def test_an_original_left_by_an_earlier_process_is_cleaned_at_the_next_add(built, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("elsewhere")
    stray = built.files_dir / "2024-someone" / "left-behind.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF-1.7 orphan")
    report = tmp_path / "child-z.txt"
    report.write_text(REPORT, encoding="utf-8")
    assert run(built, "add", str(report)).returncode == 0
    assert not stray.exists() and json.dumps(settled(built))
