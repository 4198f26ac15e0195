"""`reviewqa add / remove / list`: users' files into the collection and the index, all or nothing.

Fast tests use the fixture collection, the fake embedder and text, Markdown, DOCX, HTML and small PDFs
made with pypdf; the tests marked slow print real report PDFs with Chromium (tests/documents.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import qa.index
from qa.changes import (
    AddOptions,
    FileMetadata,
    MetadataError,
    add_files,
    expand_paths,
    list_documents,
    read_metadata_csv,
    remove_document,
)
from qa.changes.originals import safe_file_name
from qa.cli import main
from qa.collection import load_collection, writer_lock
from qa.errors import CollectionError, CorpusError, DocumentError, ModelLoadError
from qa.index import store
from qa.ingest.guess import name_from_title
from qa.service import Service
from qa.settings import ParseLimits
from testkit import documents
from testkit.documents import make_docx, navigation_only_html
from tests.helpers import CountingEmbedder, FakeEmbedder, ask, writer_lock_held_elsewhere

KENT_REVIEW = "2022-kent-child-k-431585"
LIGHTHOUSE = "The lighthouse keeper reported the tangerine rowing boat to the harbour master twice that winter."


class BrokenEmbedder(FakeEmbedder):
    def encode(self, texts, **kwargs):
        raise ModelLoadError("The embedding model ran out of memory.")


def report_text(name="Child Z", area="Northbridge", year=2024, body=LIGHTHOUSE) -> str:
    published = f"Published: March {year}\n\n" if year else ""
    return (f"Child Safeguarding Practice Review: {name}\n\n{area} Safeguarding Children Partnership\n\n{published}"
            f"1. Introduction\n\n{body}\n\n2. Findings\n\nThe health visitor recorded that home conditions had "
            "deteriorated and that appointments were repeatedly missed.\n")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def generation(settings) -> str | None:
    folder = store.current_generation(settings.index_dir)
    return folder.name if folder else None


def copies(settings) -> list[Path]:
    folder = settings.files_dir
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def snapshot(settings) -> tuple[bytes, str | None, list[Path]]:
    return settings.corpus_path.read_bytes(), generation(settings), copies(settings)


@pytest.fixture
def service(built) -> Service:
    return Service(built, embedder=FakeEmbedder())


def verbatim_results(service, question):
    payload = ask(service, question, literal=True).to_json()
    texts = {d.id: d.text for d in load_collection(service.settings.corpus_path).documents}
    for result in payload["results"]:
        for passage in result["passages"]:
            assert texts[passage["source"]["document_id"]][passage["start"]:passage["end"]] == passage["passage"]
    return payload["results"]


# --- adding and searching ---------------------------------------------------------------------------------

def test_added_text_file_is_searchable_verbatim_and_cited(service, tmp_path):
    before = generation(service.settings)
    service.index()
    path = write(tmp_path / "in" / "Child Z report.txt", report_text())
    report = service.add([path])
    [result] = report.files
    assert result.status == "added" and result.new_review is True and result.matched_by is None
    assert result.guessed == {"title": "Child Safeguarding Practice Review: Child Z", "year": 2024,
                              "area": "Northbridge"}
    # Northbridge is in no gazetteer table, but the document says what it is: a Child Safeguarding
    # Practice Review by a Safeguarding Children Partnership, the English statutory review.
    assert result.metadata["name"] == "Child Z" and result.metadata["nation"] == "England"
    assert result.guessed_from["year"] == "cover line 3" and result.guessed_from["area"] == "cover line 2"
    assert result.guess["nation"] == "England" and result.guess["kind"] == "report" and result.unknown == ()
    assert result.review_title == "2024 – Northbridge – Child Z"
    assert result.document_id == f"{result.review_id}/child-z-report"
    assert result.review_id.startswith("2024-northbridge-child-z-")
    assert result.file == f"corpus/files/{result.review_id}/Child_Z_report.txt"
    assert (service.settings.root / result.file).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert report.built and str(report.generation) != before and report.passages > report.passages_before
    assert "started a new review" in result.message and "Child Z report.txt" in result.message
    # The service switches to the new generation by itself.
    results = verbatim_results(service, "lighthouse keeper tangerine rowing boat harbour master")
    assert results[0]["review_id"] == result.review_id
    best = results[0]
    assert "tangerine rowing boat" in best["passage"]
    assert best["source"] == {"document_id": result.document_id, "kind": "report", "file": result.file, "page": None,
                              "page_end": None, "page_label": None}
    assert best["citation"].startswith("Overview report, ")


def test_readding_an_unchanged_file_changes_nothing(service, tmp_path):
    path = tmp_path / "rapid review.docx"
    make_docx(path)
    first = service.add([path]).files[0]
    assert first.status == "added"
    before = snapshot(service.settings)
    counting = CountingEmbedder()
    report = add_files(service.settings, [path], embedder=counting)
    [again] = report.files
    assert again.status == "unchanged" and again.document_id == first.document_id and again.duplicate_of is None
    assert "unchanged, already in the collection as" in again.message
    assert not report.built and counting.texts == 0 and counting.calls == 0
    assert snapshot(service.settings) == before
    assert "the collection and the index were not changed" in report.summary()


def test_the_same_text_under_another_name_says_which_document_has_it(service, tmp_path):
    original = write(tmp_path / "a.txt", report_text())
    copy = write(tmp_path / "copy of a.txt", report_text())
    report = service.add([original, copy])
    assert [f.status for f in report.files] == ["added", "unchanged"]
    assert report.files[1].duplicate_of == report.files[0].document_id
    assert report.files[0].document_id in report.files[1].message


def test_a_changed_docx_replaces_its_previous_version(service, tmp_path):
    import docx

    path = tmp_path / "rapid review.docx"
    make_docx(path)
    first = service.add([path]).files[0]
    old_copy = service.settings.root / first.file
    assert old_copy.exists()
    edited = docx.Document(str(path))
    edited.add_paragraph("A postscript: the marmalade cat was rehomed by the fostering panel.")
    edited.save(str(path))
    report = service.add([path])
    [second] = report.files
    assert second.status == "replaced" and second.document_id == first.document_id
    assert "replaced the previous version of" in second.message
    assert not old_copy.exists() and (service.settings.root / second.file).exists()
    documents_now = [d for d in list_documents(service.settings) if d.added]
    assert [d.id for d in documents_now] == [first.document_id]
    results = verbatim_results(service, "marmalade cat rehomed fostering panel")
    assert results[0]["review_id"] == first.review_id and "marmalade" in results[0]["passage"]


def test_review_option_joins_an_existing_review(service, tmp_path):
    path = write(tmp_path / "kent exec summary.txt", report_text(name="Child K", area="Somewhere", year=None))
    report = service.add([path], AddOptions(review_id=KENT_REVIEW))
    [result] = report.files
    assert result.status == "added" and result.review_id == KENT_REVIEW and result.new_review is False
    assert result.matched_by == "--review" and "joined the review “2022 – Kent – Child K”" in result.message
    assert result.metadata["kind"] == "executive-summary"
    view = service.review(KENT_REVIEW)
    assert {d.kind for d in view.documents} == {"summary", "executive-summary"}
    # One card for the review, with passages from the summary and the added document together.
    hit = next(r for r in verbatim_results(service, "lighthouse keeper tangerine rowing boat county lines")
               if r["review_id"] == KENT_REVIEW)
    assert {p["source"]["kind"] for p in hit["passages"]} >= {"executive-summary"}


def test_same_area_name_and_year_joins_and_says_so(service, tmp_path):
    path = write(tmp_path / "overview.txt", report_text(name="Child ‘K’", area="Kent", year=2022))
    [result] = service.add([path]).files
    assert result.review_id == KENT_REVIEW and result.matched_by == "same area, name and year"
    assert "by same area, name and year" in result.message
    # Anonymous reviews are never matched by name: 2023 has two "Anonymous – Child A".
    other = write(tmp_path / "anon.txt", "Rapid review: Child A\n\nPublished June 2023\n\nThe lighthouse in winter.")
    [anon] = service.add([other], AddOptions(area="Anonymous")).files
    assert anon.status == "added" and anon.new_review is True


def test_unknown_review_id_is_an_error_that_suggests_close_ids(service, tmp_path):
    path = write(tmp_path / "x.txt", report_text())
    before = snapshot(service.settings)
    with pytest.raises(CollectionError, match=rf"no review with id '2022-kent-child-k'.*Did you mean {KENT_REVIEW}"):
        service.add([path], AddOptions(review_id="2022-kent-child-k"))
    assert snapshot(service.settings) == before


def test_a_file_without_year_or_place_is_added_with_them_unknown_and_options_win(service, tmp_path):
    undated = write(tmp_path / "notes.txt", "Notes from the practitioner event\n\nThe lighthouse keeper spoke.")
    [unknown] = service.add([undated]).files
    assert unknown.status == "added" and unknown.new_review is True
    assert unknown.unknown == ("year", "area", "nation")
    assert unknown.guessed == {"title": "Notes from the practitioner event", "year": None, "area": None}
    note = next(w for w in unknown.warnings if "unknown" in w)
    assert "The year, area and nation are unknown" in note
    assert f"reviewqa edit {unknown.review_id} --year YYYY --area NAME --nation NAME" in note
    assert "year unknown" in unknown.message
    review = service.review(unknown.review_id).review
    assert (review.year, review.area, review.nation, review.region) == (None, "unknown", "unknown", "unknown")
    # The options win over what the document says (another file: the same text is already in).
    other = write(tmp_path / "other notes.txt", "Notes from the second practitioner event\n\nThe harbour master spoke.")
    [added] = service.add([other], AddOptions(year=2021, area="Cardiff and Vale", title="Practitioner event",
                                              kind="learning-brief")).files
    assert added.status == "added"
    assert added.metadata == {"title": "Practitioner event", "year": 2021, "area": "Cardiff and Vale",
                              "name": "Practitioner event", "nation": "Wales", "region": "Wales",
                              "kind": "learning-brief"}
    review = service.review(added.review_id).review
    assert (review.year, review.nation, review.region) == (2021, "Wales", "Wales")


def test_bad_option_values_are_refused_before_anything_happens(service, tmp_path):
    path = write(tmp_path / "x.txt", report_text())
    with pytest.raises(MetadataError, match="year 1850 is not a publication year"):
        service.add([path], AddOptions(year=1850))
    with pytest.raises(MetadataError, match="nation 'Walse'.*Did you mean 'Wales'"):
        service.add([path], AddOptions(nation="Walse"))
    with pytest.raises(MetadataError, match="kind"):
        service.add([path], AddOptions(kind="<b>"))
    assert copies(service.settings) == []


# --- bad files --------------------------------------------------------------------------------------------

def _pdf_writer():
    pypdf = pytest.importorskip("pypdf", reason="pypdf makes the small test PDFs")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(300, 300)
    writer.add_blank_page(300, 300)
    return writer


def make_bad(kind: str, folder: Path) -> Path:
    if kind == "empty":
        path = folder / "empty.txt"
        path.write_bytes(b"")
    elif kind == "unsupported":
        path = folder / "report.doc"
        path.write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    elif kind == "too large":
        path = folder / "huge.txt"
        path.write_text(report_text() + "padding " * 2000, encoding="utf-8")
    elif kind == "navigation":
        path = write(folder / "site map.html", navigation_only_html())
    elif kind == "not utf-8":
        path = folder / "latin1.txt"
        path.write_bytes("Caf\xe9 review 2023".encode("latin-1"))
    elif kind == "corrupt docx":
        whole = folder / "whole.docx"
        make_docx(whole)
        path = folder / "half.docx"
        path.write_bytes(whole.read_bytes()[:2000])
        whole.unlink()
    elif kind == "not a pdf":
        path = write(folder / "fake.pdf", "This is a text file with a .pdf name.")
    elif kind == "scanned pdf":
        path = folder / "scanned.pdf"
        _pdf_writer().write(path)
    elif kind == "encrypted pdf":
        writer = _pdf_writer()
        writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
        path = folder / "locked.pdf"
        writer.write(path)
    elif kind == "truncated pdf":
        whole = folder / "whole.pdf"
        _pdf_writer().write(whole)
        path = folder / "cut.pdf"
        path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
        whole.unlink()
    elif kind == "missing":
        path = folder / "nowhere.pdf"
    else:
        raise ValueError(kind)
    return path


BAD_FILES = {
    "empty": r"'empty\.txt' is empty \(0 bytes\)",
    "unsupported": r"'report\.doc' is a \.doc file, which cannot be added; save it as one of",
    "too large": r"'huge\.txt' is .* over the limit of 4000 bytes",
    "navigation": r"No main text was found in 'site map\.html'",
    "not utf-8": r"'latin1\.txt' is not UTF-8 text .*save it with UTF-8",
    "corrupt docx": r"'half\.docx'.*save it as \.docx again",
    "not a pdf": r"'fake\.pdf' is not a PDF",
    "scanned pdf": r"'scanned\.pdf' has no text layer on pages 1-2.*OCR.*ocrmypdf",
    "encrypted pdf": r"'locked\.pdf' is password-protected; remove the password",
    "truncated pdf": r"'cut\.pdf' is truncated or damaged",
    "missing": r"'nowhere\.pdf' does not exist",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_each_bad_file_gets_its_message_and_changes_nothing(built, tmp_path, kind):
    settings = built.with_(parse_limits=ParseLimits(max_file_bytes=4000))
    path = make_bad(kind, tmp_path)
    before = snapshot(settings)
    counting = CountingEmbedder()
    report = add_files(settings, [path], embedder=counting)
    [result] = report.files
    assert result.status == "failed" and re.search(BAD_FILES[kind], result.message), result.message
    assert "\n" not in result.message and "Traceback" not in result.message
    assert snapshot(settings) == before and counting.calls == 0 and not report.built


def test_a_folder_with_bad_files_adds_the_others(service, tmp_path):
    folder = tmp_path / "reports"
    write(folder / "b good.txt", report_text())
    write(folder / "sub" / "c notes.md", "# Rapid review: Child Y\n\nPublished May 2023\n\nThe swimming pool "
                                          "was closed for the winter and the family moved.\n")
    (folder / "a bad.txt").write_bytes(b"\xff\xfe\xfa not text")
    write(folder / ".hidden.txt", "hidden")
    write(folder / ".git" / "config.txt", "not walked")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = service.add([folder])
    statuses = {f.name: f.status for f in report.files}
    assert statuses == {".git": "skipped", ".hidden.txt": "skipped", "a bad.txt": "failed", "b good.txt": "added",
                        "photo.jpg": "skipped", "c notes.md": "added"}
    assert [f.name for f in report.files] == [".git", ".hidden.txt", "a bad.txt", "b good.txt", "photo.jpg",
                                              "c notes.md"]
    assert "not UTF-8" in report.failed[0].message
    assert report.built and report.count("added") == 2
    assert len([d for d in list_documents(service.settings) if d.added]) == 2


def test_an_unsupported_file_named_explicitly_is_an_error_but_skipped_in_a_folder(tmp_path):
    (tmp_path / "scan.jpg").write_bytes(b"x")
    assert expand_paths([tmp_path / "scan.jpg"]) == [(tmp_path / "scan.jpg", None)]
    [(path, why)] = expand_paths([tmp_path])
    assert path.name == "scan.jpg" and ".jpg files cannot be added" in why


# --- all or nothing ---------------------------------------------------------------------------------------

def test_a_failing_build_restores_the_collection_and_removes_the_copies(service, tmp_path):
    path = write(tmp_path / "x.txt", report_text())
    before = snapshot(service.settings)
    with pytest.raises(ModelLoadError, match="ran out of memory.*Nothing was added: the collection is as it was"):
        add_files(service.settings, [path], embedder=BrokenEmbedder())
    assert snapshot(service.settings) == before


def test_a_crash_in_the_build_restores_a_replaced_document(service, tmp_path, monkeypatch):
    path = write(tmp_path / "x.txt", report_text())
    first = service.add([path]).files[0]
    first_sha = load_collection(service.settings.corpus_path).document(first.document_id).sha256
    write(path, report_text(body=LIGHTHOUSE + " A second sentence was added later."))
    before = snapshot(service.settings)

    def crash(*args, **kwargs):
        raise RuntimeError("the disk is full")
    monkeypatch.setattr(qa.index, "build_index", crash)
    with pytest.raises(RuntimeError, match="disk is full"):
        service.add([path])
    assert snapshot(service.settings) == before
    assert (service.settings.root / first.file).exists()
    assert load_collection(service.settings.corpus_path).document(first.document_id).sha256 == first_sha


def test_the_writer_lock_is_held_for_the_whole_add(service, tmp_path, monkeypatch):
    import qa.changes.add

    path = write(tmp_path / "x.txt", report_text())
    with writer_lock_held_elsewhere(service.settings.corpus_path):
        monkeypatch.setattr(qa.changes.add, "writer_lock", lambda folder: writer_lock(folder, wait=0.2))
        with pytest.raises(CorpusError, match="Another reviewqa command is changing"):
            service.add([path])
    assert service.add([path]).files[0].status == "added"


# --- remove and list --------------------------------------------------------------------------------------

def test_remove_then_list(service, tmp_path):
    a = service.add([write(tmp_path / "a.txt", report_text())]).files[0]
    b = service.add([write(tmp_path / "b.txt", report_text(name="Child K", area="Kent", year=2022))]).files[0]
    assert b.review_id == KENT_REVIEW
    added = [d for d in service.documents() if d.added]
    assert {d.id for d in added} == {a.document_id, b.document_id}
    assert all(d.file and d.characters > 0 and d.pages == 0 and d.kind == "report" for d in added)
    generation_before = generation(service.settings)

    removed = service.remove(a.document_id)
    assert removed.review_removed and "and its review" in removed.message
    assert not (service.settings.root / a.file).exists() and not (service.settings.root / a.file).parent.exists()
    assert str(removed.generation) != generation_before
    kept = service.remove(b.document_id)
    assert not kept.review_removed                      # the Kent review keeps its NSPCC summary
    assert [d for d in service.documents() if d.added] == []
    assert KENT_REVIEW in {r.id for r in service.reviews()}
    assert a.review_id not in {r.id for r in service.reviews()}
    assert copies(service.settings) == []


def test_a_collection_file_outside_the_root_keeps_and_removes_its_own_originals(built, tmp_path):
    """--corpus pointing outside --root: originals live beside that collection file, and removing a
    document deletes its original there (not a path resolved against the root)."""
    elsewhere = built.with_(root=tmp_path / "another-root", collection_file=built.corpus_path)
    service = Service(elsewhere, embedder=FakeEmbedder())
    added = service.add([write(tmp_path / "incoming" / "a.txt", report_text())]).files[0]
    (original,) = copies(elsewhere)
    assert str(original).startswith(str(built.corpus_path.parent / "files"))
    service.remove(added.document_id)
    assert copies(elsewhere) == [] and not original.exists()


def test_exports_never_share_a_file(service):
    from qa.conversation.turns import chat_turn
    from qa.search import Filters
    from qa.web.forms import write_export

    turn = chat_turn(service, "county lines", [], Filters())
    folder = service.settings.root / "exports"
    paths = {write_export([turn], "results", "csv", folder) for _ in range(5)}   # all within one second
    assert len(paths) == 5 and all(Path(p).parent == folder for p in paths)


def test_removing_an_unknown_document_suggests_close_ids(service, tmp_path):
    before = snapshot(service.settings)
    with pytest.raises(CollectionError, match=rf"no document with id '{KENT_REVIEW}/sumary'.*Did you mean "
                                              rf"{KENT_REVIEW}/summary"):
        remove_document(service.settings, f"{KENT_REVIEW}/sumary", embedder=FakeEmbedder())
    assert snapshot(service.settings) == before


# --- names --------------------------------------------------------------------------------------------------

ODD_NAMES = ["report with spaces.txt", "ünïcødé rëport.txt", "quote's “report” (2).txt", "-leading dash.txt",
             "semi;colon $(rm -rf x) `y`.TXT", "..dots...txt"]


def test_odd_file_names_are_added_under_safe_names(service, tmp_path):
    paths = [write(tmp_path / name, report_text(name=f"Child {chr(65 + i)}", body=f"{LIGHTHOUSE} Number {i}."))
             for i, name in enumerate(ODD_NAMES)]
    report = service.add(paths)
    assert [f.status for f in report.files] == ["added"] * len(ODD_NAMES), [f.message for f in report.files]
    files_dir = service.settings.files_dir.resolve()
    for result, path in zip(report.files, paths):
        stored = (service.settings.root / result.file).resolve()
        assert files_dir in stored.parents
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stored.name), stored.name
        assert stored.read_bytes() == path.read_bytes()
        assert path.name in result.message
    assert {Path(f.file).name for f in report.files} == {
        "report_with_spaces.txt", "unicode_report.txt", "quote_s_report_2.txt", "leading_dash.txt",
        "semi_colon_rm_-rf_x_y.txt", "dots.txt"}


@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd", "passwd"), ("/abs/path/Report.PDF", "Report.pdf"), ("-rf .pdf", "rf.pdf"),
    ("..", "document"), ("", "document"), ("a/../../b.txt", "b.txt"), ("x" * 300 + ".pdf", "x" * 76 + ".pdf"),
    ("C:\\Users\\me\\report.docx", "report.docx"), ("report.pdf\x00.txt", "report.pdf.txt"),
])
def test_safe_file_names(name, safe):
    assert safe_file_name(name) == safe


@pytest.mark.parametrize("title, area, name", [
    ("2023 – Barnsley – Child ‘T’", "Barnsley", "Child ‘T’"),
    ("Child Safeguarding Practice Review: Child Q", "Northbridge", "Child Q"),
    ("Serious Case Review: Child H (Northbridge Safeguarding Children Board)", "Northbridge", "Child H"),
    ("Rapid Review: Baby Elsie", "unknown", "Baby Elsie"),
    ("Learning review – the Smith family", "unknown", "the Smith family"),
    ("A very long title with many words that says nothing about any one child at all", "unknown", "my file"),
])
def test_review_names_from_titles(title, area, name):
    assert name_from_title(title, area, "my_file") == name


# --- metadata CSV -----------------------------------------------------------------------------------------

def test_metadata_csv_sets_each_files_metadata(service, tmp_path):
    folder = tmp_path / "batch"
    write(folder / "one.txt", "Notes one\n\nThe lighthouse keeper met the panel.")
    write(folder / "two.txt", "Notes two\n\nThe harbour master met the panel.")
    sheet = tmp_path / "meta.csv"
    with sheet.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["File", "title", "year", "area", "nation", "review", "kind"])
        writer.writerow(["one.txt", "Child One review", "2020", "Fife", "", "", ""])
        writer.writerow(["two.txt", "", "", "", "", KENT_REVIEW, "executive-summary"])
        writer.writerow(["three.txt", "", "2020", "", "", "", ""])
    report = service.add([folder], AddOptions(year=2019, metadata=read_metadata_csv(sheet)))
    one, two = report.files
    assert one.metadata["year"] == 2020 and one.metadata["nation"] == "Scotland" and one.new_review
    assert two.review_id == KENT_REVIEW and two.matched_by == "metadata CSV"
    assert two.metadata["kind"] == "executive-summary"
    assert report.warnings == ("The metadata CSV names 'three.txt', which was not among the files added.",)


@pytest.mark.parametrize("content, message", [
    ("file,year\none.txt,twenty\n", r"Row 2 of meta\.csv: the year 'twenty' is not a year"),
    ("file,colour\none.txt,red\n", r"unknown column 'colour'"),
    ("title,year\nA,2020\n", r"has no 'file' column"),
    ("file,nation\none.txt,Walse\n", r"row 2 of meta\.csv, the nation 'Walse'.*Did you mean 'Wales'"),
    ("file,year\none.txt,2020\none.txt,2021\n", r"Row 3 of meta\.csv repeats the file 'one\.txt'"),
    ("file,year\n,2020\n", r"Row 2 of meta\.csv has no file name"),
    ("", r"meta\.csv is empty"),
])
def test_metadata_csv_faults_name_the_row(tmp_path, content, message):
    sheet = tmp_path / "meta.csv"
    sheet.write_text(content, encoding="utf-8")
    with pytest.raises(MetadataError, match=message):
        read_metadata_csv(sheet)


def test_file_metadata_layers():
    row = FileMetadata(title="Row title", year=None)
    assert row.over(FileMetadata(title="Option", year=2020, area="Kent")) == FileMetadata("Row title", 2020, "Kent")


# --- the command line ---------------------------------------------------------------------------------------



def test_cli_add_list_remove(cli, capsys, tmp_path, settings):
    good = write(tmp_path / "-odd name “x”.txt", report_text())
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    assert cli("add", "--quiet", "--", str(good), str(bad)) == 1
    captured = capsys.readouterr()
    assert "reviewqa: failed: 'empty.txt' is empty (0 bytes)" in captured.err and "Traceback" not in captured.err
    assert "added     -odd name “x”.txt: added as" in captured.out
    assert "guessed from the first page: title “Child Safeguarding Practice Review: Child Z”, year 2024, " \
           "area Northbridge" in captured.out
    assert "1 added, 1 failed; index generation" in captured.out

    assert cli("add", "--quiet", "--json", "--", str(good)) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["counts"]["unchanged"] == 1 and payload["built"] is False
    document_id = payload["files"][0]["document_id"]

    assert cli("list") == 0
    out = capsys.readouterr().out
    assert document_id in out and "1 added document, and 9 review summaries" in out
    assert cli("list", "--json", "--all") == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 10 and sum(d["added"] for d in listed) == 1

    assert cli("search", "lighthouse keeper tangerine rowing boat", "--json", "--literal") == 0
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["source"]["document_id"] == document_id and "Overview report" in result["citation"]

    assert cli("remove", "--quiet", document_id) == 0
    assert f"Removed {document_id}" in capsys.readouterr().out
    assert cli("list") == 0
    assert "No documents have been added yet" in capsys.readouterr().out


def test_cli_errors_are_one_line_with_exit_code_2(cli, capsys, tmp_path):
    path = write(tmp_path / "x.txt", report_text())
    for args, expected in ((("add", "--review", "nope", str(path)), "There is no review with id 'nope'"),
                           (("add", "--metadata", str(tmp_path / "missing.csv"), str(path)), "does not exist"),
                           (("remove", "nope/nothing"), "There is no document with id 'nope/nothing'")):
        assert cli(*args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("reviewqa: error: ") and expected in err[0]


def test_cli_add_help_documents_exit_codes_and_examples(capsys):
    with pytest.raises(SystemExit):
        main(["add", "--help"])
    out = capsys.readouterr().out
    assert "Exit status" in out and "1 when some files failed" in out and "reviewqa add reports/ --metadata" in out


def test_cli_add_shows_progress_on_stderr(cli, capsys, tmp_path):
    assert cli("add", str(write(tmp_path / "x.txt", report_text()))) == 0
    err = capsys.readouterr().err
    assert "reviewqa: Reading x.txt (1 of 1)" in err
    assert "reviewqa: Building the search index for the whole collection" in err      # no index yet
    assert cli("add", str(write(tmp_path / "y.txt", report_text(name="Child Y")))) == 0
    assert "reviewqa: Updating the search index (1 new or changed document to embed)" in capsys.readouterr().err


# --- the app's handlers ----------------------------------------------------------------------------------

def test_app_add_uploads_and_report_html_escape(service, tmp_path, monkeypatch):
    from qa.errors import ReviewQAError
    from qa.web.render import add_report_html
    from qa.web.uploads import add_uploads

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    with pytest.raises(ReviewQAError, match="Choose one or more files"):
        add_uploads(service, [])
    uploaded = tmp_path / "gradio" / "0123abcd"
    uploaded.mkdir(parents=True)
    path = write(uploaded / "<img src=x onerror=alert(1)>.txt", report_text(name="Child <b>X<"))
    with pytest.raises(ReviewQAError, match="'20x' is not a year"):
        add_uploads(service, [str(path)], year="20x")
    progress = []
    report = add_uploads(service, [str(path)], title="<script>alert(1)</script>", year="2019",
                         progress=lambda fraction, message: progress.append((fraction, message)))
    assert not path.exists()                 # the upload is deleted once its copy is in the collection
    assert report.files[0].status == "added" and progress[-1] == (1.0, "Done")
    html = add_report_html(report)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    assert "Guessed from the first page" in html


def test_app_builds_with_the_add_panel(settings, fixture_reviews):
    from qa.web.ui import build_app
    from qa.web.uploads import ADD_FILE_TYPES

    demo = build_app(settings, object(), fixture_reviews)
    config = demo.get_config_file()
    by_id = {c.get("props", {}).get("elem_id"): c for c in config["components"]}
    for elem_id in ("rq-upload", "rq-add", "rq-add-status", "rq-remove-pick", "rq-remove"):
        assert elem_id in by_id
    upload = by_id["rq-upload"]["props"]
    assert upload["file_count"] == "multiple" and upload["file_types"] == ADD_FILE_TYPES


# --- real report PDFs printed by Chromium (slow) -------------------------------------------------------

@pytest.mark.slow
@pytest.mark.browser
def test_an_added_pdf_answers_with_its_page_verbatim_in_results_view_and_exports(service, report_pdf):
    from qa.conversation.turns import chat_turn
    from qa.exports import clips_of_turn, teaching_note
    from qa.exports.notes import to_markdown
    from qa.exports.tables import to_csv
    from qa.search import Filters
    from qa.text import markdown_text
    from qa.web.render import answer_html, review_html

    report = service.add([report_pdf])
    [result] = report.files
    pages = documents.pdf_page_count(report_pdf)
    assert result.status == "added" and result.pages == pages >= 6
    assert result.guessed == {"title": "Child Safeguarding Practice Review: Child Q", "year": documents.PUBLISHED_YEAR,
                              "area": documents.AREA}
    assert f"{pages} pages" in result.message
    document = load_collection(service.settings.corpus_path).document(result.document_id)
    for marker, words, page in ((documents.MARKER_PAGE_2, "borrowed room", 2),
                                (documents.MARKER_LAST_PAGE, "kettle in the family kitchen", pages)):
        hit = next(r for r in verbatim_results(service, marker) if r["review_id"] == result.review_id)
        passage = next(p for p in hit["passages"] if words in p["passage"])
        assert passage["source"]["page"] == page and passage["source"]["document_id"] == result.document_id
        assert document.text[passage["start"]:passage["end"]] == passage["passage"]
        assert passage["source"]["file"] == result.file and (service.settings.root / result.file).exists()
        assert passage["citation"].startswith(f"Overview report, p. {page}")
        # The review view shows the document around the passage, highlighted, with its page.
        view = review_html(service.review(result.review_id), (result.document_id, passage["start"], passage["end"]))
        assert f"Cited passage on p. {page}" in view and "<mark>" in view
    # The card and the exports carry the page.
    turn = chat_turn(service, documents.MARKER_PAGE_2, [], Filters(), use_understanding=False)
    assert "Overview report, p. 2" in answer_html(turn)
    clips = clips_of_turn(turn)
    rows = [row for row in csv.DictReader(io.StringIO(to_csv(clips))) if row["document_id"] == result.document_id]
    assert rows and any(row["page"] == "2" and "borrowed room" in row["passage"] for row in rows)
    note = to_markdown(teaching_note(clips))
    # The teaching note cites the page and names the added report's original file as its source.
    assert "p. 2" in note and f"“{markdown_text(Path(result.file).name)}”" in note


@pytest.mark.slow
@pytest.mark.browser
def test_a_folder_of_pdfs_with_a_scanned_one(service, report_pdf, tmp_path):
    import shutil

    folder = tmp_path / "pdfs"
    folder.mkdir()
    shutil.copyfile(report_pdf, folder / "report.pdf")
    documents.print_pdfs([documents.PdfJob(documents.scanned_html(2), folder / "scan.pdf", False)])
    report = service.add([folder])
    assert [(f.name, f.status) for f in report.files] == [("report.pdf", "added"), ("scan.pdf", "failed")]
    assert re.search(r"'scan\.pdf' has no text layer on pages 1-2.*OCR", report.failed[0].message)



def test_the_app_offers_exactly_the_added_documents_for_removal(service, tmp_path):
    from qa.web.forms import removal_choices

    assert removal_choices(service) == []
    added = service.add([write(tmp_path / "a.txt", report_text())]).files[0]
    (label, value), = removal_choices(service)
    assert value == added.document_id and "Child Z" in label
    service.remove(added.document_id)
    assert removal_choices(service) == []


def test_a_file_changed_while_being_added_is_refused_and_nothing_is_kept(service, tmp_path, monkeypatch):
    import qa.ingest.isolated

    path = write(tmp_path / "a.txt", report_text())
    parse = qa.ingest.isolated.parse_isolated

    def parse_then_edit(data, name, limits):
        parsed = parse(data, name, limits)
        path.write_text(report_text(body="Someone saved a new version meanwhile."), encoding="utf-8")
        return parsed

    monkeypatch.setattr(qa.ingest.isolated, "parse_isolated", parse_then_edit)
    before = snapshot(service.settings)
    with pytest.raises(DocumentError, match="changed while it was being added"):
        service.add([path])
    assert snapshot(service.settings) == before and copies(service.settings) == []


def test_one_add_embeds_a_bounded_number_of_sentences(built, tmp_path):
    """A file under the size limit can still hold hundreds of thousands of sentences (49 MB of text:
    552,563), which would hold the collection for tens of minutes: each add embeds at most
    `max_add_sentences`, and a file past it is refused with the reason while the others go in."""
    settings = built.with_(max_add_sentences=200)
    long = write(tmp_path / "long.txt", report_text(name="Child L", body=" ".join(
        f"Sentence {n} about the family's circumstances." for n in range(400))))
    short = write(tmp_path / "short.txt", report_text(name="Child S"))
    counting = CountingEmbedder()
    report = add_files(settings, [long, short], embedder=counting)
    by_name = {f.name: f for f in report.files}
    assert by_name["long.txt"].status == "failed"
    assert re.search(r"'long.txt' holds about 4\d\d sentences; one add embeds at most 200 .* raise the limit with "
                     r"--max-sentences", by_name["long.txt"].message), by_name["long.txt"].message
    assert by_name["short.txt"].status == "added" and counting.texts < 200


def test_adding_a_folder_does_not_follow_links(built, tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    write(secret, report_text(name="Child Secret", body="The server's private notes about the tea-urn."))
    folder = tmp_path / "reports"
    write(folder / "real.txt", report_text(name="Child R"))
    (folder / "linked.txt").symlink_to(secret)
    (folder / "linked-folder").symlink_to(secret.parent, target_is_directory=True)
    report = add_files(built, [folder], embedder=FakeEmbedder())
    statuses = {f.name: (f.status, f.message) for f in report.files}
    assert statuses["real.txt"][0] == "added"
    assert statuses["linked.txt"] == ("skipped", "linked.txt: skipped, a symbolic link (links are not followed).")
    assert statuses["linked-folder"][0] == "skipped"
    assert not any("tea-urn" in d.text for d in load_collection(built.corpus_path).documents)
