"""`reviewqa edit`: a review's details and a document's kind corrected after adding, without
re-embedding (the fake embedder counts its calls), through the CLI, the library and the service."""

from __future__ import annotations

import json

import pytest

from qa.changes import DocumentEdit, MetadataError, ReviewEdit, add_files, edit_review
from qa.collection import load_collection
from qa.errors import NotFoundError
from qa.index import store
from qa.search import Filters
from qa.search.passages import citation_label
from qa.service import Service
from tests.changes.test_add_remove import report_text, write
from tests.helpers import CountingEmbedder, FakeEmbedder, ask

KENT_REVIEW = "2022-kent-child-k-431585"


@pytest.fixture
def added(built, tmp_path):
    """The fixture collection with one report added (a review of its own, no summary)."""
    path = write(tmp_path / "in" / "child-z-report.txt", report_text(year=2024))
    report = add_files(built, [path], embedder=FakeEmbedder())
    result = report.files[0]
    return built, result.review_id, result.document_id


def collection_bytes(settings) -> bytes:
    return settings.corpus_path.read_bytes()


def test_an_edit_changes_what_the_filters_find_without_embedding_anything(added):
    settings, review_id, document_id = added
    counting = CountingEmbedder()
    service = Service(settings, embedder=counting)
    before = store.current_generation(settings.index_dir)
    report = service.edit(review_id, ReviewEdit(year="2021", area="Kent", name="Child Q"),
                          {document_id: DocumentEdit(kind="learning brief")})
    assert counting.texts == 0 and report.embedded_documents == 0
    assert store.current_generation(settings.index_dir) != before and report.generation is not None
    review = load_collection(settings.corpus_path).review(review_id)
    assert (review.year, review.area, review.name, review.nation, review.region) == \
        (2021, "Kent", "Child Q", "England", "South East")
    assert review.title == "2021 – Kent – Child Q"       # the catalogue's title follows its parts
    fields = {(c.field, c.after) for c in report.changes}
    assert {("year", "2021"), ("area", "Kent"), ("kind", "Learning brief")} <= fields
    assert "generation" in report.message and "2022 → 2021" not in report.message
    response = ask(service, "tangerine rowing boat lighthouse keeper", Filters(year_from=2021, year_to=2021))
    hit = next(h for h in response.hits if h.review.id == review_id)
    assert hit.review.title == "2021 – Kent – Child Q"
    assert citation_label(hit.passages[0]).startswith("Learning brief")
    assert hit.review.title == "2021 – Kent – Child Q"
    assert counting.texts > 0    # the question itself was embedded; the edit was not


def test_a_bad_value_is_refused_and_nothing_is_written(added):
    settings, review_id, document_id = added
    before = collection_bytes(settings)
    generation = store.current_generation(settings.index_dir)
    for edit, words in ((ReviewEdit(year="1850"), "year"), (ReviewEdit(year="20x1"), "year"),
                        (ReviewEdit(nation="Walse"), "Did you mean 'Wales'"),
                        (ReviewEdit(region="Atlantis"), "region"), (ReviewEdit(child_ages="twenty years"), "ages"),
                        (ReviewEdit(area="Kent", region="Wales"), "region")):
        with pytest.raises(MetadataError, match=words):
            edit_review(settings, review_id, edit, embedder=FakeEmbedder())
    with pytest.raises(MetadataError, match="kind"):
        edit_review(settings, None, None, {document_id: DocumentEdit(kind="poem")}, embedder=FakeEmbedder())
    with pytest.raises(NotFoundError, match="no review"):
        edit_review(settings, "2024-nowhere-x", ReviewEdit(year="2021"), embedder=FakeEmbedder())
    with pytest.raises(NotFoundError, match="no document"):
        edit_review(settings, review_id, None, {"nope/nope": DocumentEdit(kind="other")}, embedder=FakeEmbedder())
    with pytest.raises(MetadataError, match="Nothing to change"):
        edit_review(settings, review_id, ReviewEdit(), embedder=FakeEmbedder())
    assert collection_bytes(settings) == before
    assert store.current_generation(settings.index_dir) == generation


def test_unknown_clears_a_wrong_guess_and_ages_are_read_as_written(added):
    settings, review_id, _ = added
    edit_review(settings, review_id, ReviewEdit(year="unknown", nation="unknown", child_ages="3 years; 5 months"),
                embedder=FakeEmbedder())
    review = load_collection(settings.corpus_path).review(review_id)
    assert review.year is None and review.nation == "unknown" and review.region == "unknown"
    assert review.child_ages == ((0.42, 0.42), (3.0, 3.0))
    assert review.title.startswith("Northbridge")        # no year in the catalogue's title
    edit_review(settings, review_id, ReviewEdit(child_ages="unknown", title="My own title"), embedder=FakeEmbedder())
    review = load_collection(settings.corpus_path).review(review_id)
    assert review.child_ages == () and review.title == "My own title"


def test_the_nspcc_reviews_can_be_edited_but_their_summaries_stay_summaries(built):
    counting = CountingEmbedder()
    report = edit_review(built, KENT_REVIEW, ReviewEdit(year=2021), embedder=counting)
    assert counting.texts == 0 and load_collection(built.corpus_path).review(KENT_REVIEW).year == 2021
    assert report.changes[0].field in ("title", "year")
    summary = load_collection(built.corpus_path).documents_of(KENT_REVIEW)[0]
    with pytest.raises(MetadataError, match="summary"):
        edit_review(built, None, None, {summary.id: DocumentEdit(kind="report")}, embedder=counting)


def test_an_edit_of_the_same_values_builds_nothing(added):
    settings, review_id, _ = added
    generation = store.current_generation(settings.index_dir)
    report = edit_review(settings, review_id, ReviewEdit(area="Northbridge"), embedder=FakeEmbedder())
    assert report.changes == () and "Nothing to change" in report.message
    assert store.current_generation(settings.index_dir) == generation


def test_cli_edit_prints_what_changed(added, cli, capsys):
    settings, review_id, document_id = added
    assert cli("edit", review_id, "--year", "2021", "--ages", "14", "--document", document_id,
               "--kind", "practice-guide") == 0
    out = capsys.readouterr().out
    assert "year 2024 → 2021" in out and "Practice guide" in out and "generation" in out
    assert cli("edit", review_id, "--nation", "Narnia") == 2
    assert "nation 'Narnia'" in capsys.readouterr().err
    assert cli("edit", review_id, "--area", "Kent", "--json") == 0
    assert json.loads(capsys.readouterr().out)["changes"][0]["target"] == review_id


def test_an_orphaned_original_is_cleaned_at_the_next_build(added):
    settings, _, _ = added
    stray = settings.files_dir / "2024-someone" / "left-behind.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF-1.7 orphan")
    kept = [p for p in settings.files_dir.rglob("*") if p.is_file() and p != stray]
    Service(settings, embedder=FakeEmbedder()).build(progress=False)
    assert not stray.exists() and all(p.exists() for p in kept) and kept


def test_a_kind_change_alone_makes_a_new_generation_shown_in_exports(added):
    settings, review_id, document_id = added
    generation = store.current_generation(settings.index_dir)
    service = Service(settings, embedder=FakeEmbedder())
    report = service.edit(None, None, {document_id: DocumentEdit(kind="executive summary")})
    assert report.review_id == review_id and store.current_generation(settings.index_dir) != generation
    assert service.stats().index_status == "current"
    response = ask(service, "tangerine rowing boat lighthouse keeper")
    hit = next(h for h in response.hits if h.review.id == review_id)
    assert citation_label(hit.passages[0]).startswith("Executive summary")


@pytest.mark.slow
def test_cli_edit_with_the_real_index_loads_no_model_and_the_filter_finds_it(real_settings, tmp_path):
    """`reviewqa edit` in a fresh process, on a copy of the real index: the model runtime is never
    imported, and a search filtered to the new year finds the review under its new title."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.helpers import ROOT

    root = tmp_path / "root"
    shutil.copytree(real_settings.root, root, ignore=shutil.ignore_patterns(".*.lock"))
    review = next(r for r in load_collection(root / "corpus" / "reviews.jsonl").reviews if r.year == 2022)
    code = (
        "import sys, json\n"
        "from qa.cli import main\n"
        f"code = main(['--root', {str(root)!r}, 'edit', {review.id!r}, '--year', '2021', '--name', 'Child Edited'])\n"
        "print(json.dumps({'code': code, 'runtime': [m for m in ('onnxruntime', 'torch') if m in sys.modules]}),"
        " file=sys.stderr)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env=env)
    assert json.loads(result.stderr.strip().splitlines()[-1]) == {"code": 0, "runtime": []}, result.stderr
    assert "year 2022 → 2021" in result.stdout and "nothing re-embedded" in result.stdout
    searched = subprocess.run([sys.executable, "-m", "qa.cli", "--root", str(root), "search", review.title,
                               "--year", "2021", "--literal", "--k", "100", "--json"], capture_output=True, text=True,
                              cwd=ROOT, timeout=300, env=env, check=True)
    found = {r["review_id"]: r["title"] for r in json.loads(searched.stdout)["results"]}
    assert found.get(review.id, "").endswith("Child Edited") and found[review.id].startswith("2021")


def test_an_edit_whose_build_fails_leaves_the_collection_as_it_was(added, monkeypatch):
    settings, review_id, _ = added
    before = collection_bytes(settings)

    def failing(*args, **kwargs):
        def build(collection):
            raise MetadataError("The index could not be written.")
        return build
    monkeypatch.setattr("qa.changes.edit.index_builder", failing)
    with pytest.raises(MetadataError, match="Nothing was changed"):
        edit_review(settings, review_id, ReviewEdit(year="2021"), embedder=FakeEmbedder())
    assert collection_bytes(settings) == before
    assert not settings.corpus_path.with_name(".change.json").exists()


def test_the_filter_values_are_counted_once_per_generation(added):
    settings, review_id, _ = added
    service = Service(settings, embedder=CountingEmbedder())
    before = service.filter_values()
    assert service.filter_values() is before                 # the same generation: not counted again
    assert "Cornwall" not in dict(before.areas)
    service.edit(review_id, ReviewEdit(area="Cornwall"))
    after = service.filter_values()
    assert after is not before and dict(after.areas)["Cornwall"] == 1
