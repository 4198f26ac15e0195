import json
from dataclasses import replace

import numpy as np
import pytest

from qa.collection import Collection, load_collection, save_collection
from qa.errors import CorpusError, IndexCorruptError, IndexMissingError, IndexStaleError
from qa.index import build_index, index_status, open_index, store
from qa.index.dense import vectors_for
from qa.records import Document, Section
from tests.helpers import CountingEmbedder, FakeEmbedder, ask


def current(settings):
    return store.current_generation(settings.index_dir)


def edit_collection(settings, change):
    collection = load_collection(settings.corpus_path)
    save_collection(change(collection), settings.corpus_path)


def test_missing_index_says_how_to_build(settings):
    with pytest.raises(IndexMissingError, match="reviewqa build"):
        open_index(settings)
    assert index_status(settings).problem == "no index has been built"


def test_build_writes_plain_files_and_manifest(built):
    folder = current(built)
    assert folder.parent.name == "generations" and folder.name == "000001"
    names = {p.name for p in folder.iterdir()}
    assert {"manifest.json", "reviews.jsonl", "documents.jsonl", "chunks.npy", "segments.npy", "plain.faiss",
            "context.faiss", "bm25_chunks", "bm25_reviews"} <= names
    assert not list(folder.rglob("*.pkl")) and not list(folder.rglob("*.pickle"))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"] == "fake-hash-64" and manifest["dimension"] == 64
    assert manifest["review_count"] == 9 and manifest["document_count"] == 9 and manifest["chunks"] > 9
    assert manifest["chunking"] == {"chunk_tokens": 24, "paragraph_tokens": 48}
    # Every file the index reads is hashed, the keyword indexes included.
    files = set(manifest["files"])
    assert all(set(record) == {"sha256", "bytes"} for record in manifest["files"].values())
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"} == files
    assert any(name.startswith("bm25_reviews/") for name in files)
    index = open_index(built)
    assert len(index.chunk_table) == manifest["chunks"]
    assert index.plain.ntotal == index.context.ntotal == len(index.segment_table) == manifest["segments"]


def test_chunks_are_verbatim_and_identified_by_document_and_ordinal(built):
    index = open_index(built)
    seen = set()
    for row in range(len(index.chunk_table)):
        chunk = index.chunk(row)
        assert chunk.text == chunk.document.text[chunk.start:chunk.end] and chunk.text.strip()
        assert chunk.id == f"{chunk.document.id}#{chunk.ordinal}" and chunk.id not in seen
        seen.add(chunk.id)
        assert chunk.section.start <= chunk.start and chunk.end <= chunk.section.end


def test_nothing_changed_builds_nothing_and_loads_no_model(built):
    def no_model():
        raise AssertionError("the model must not load when nothing changed")

    report = build_index(built, no_model, progress=False)
    assert not report.rebuilt and report.generation == 1 and current(built).name == "000001"


def test_force_re_embeds_everything(built, fake_embedder):
    calls = fake_embedder.calls
    report = build_index(built, fake_embedder, force=True, progress=False)
    # One call for every sentence, one for the reviews' openings (the pooled in-context vectors).
    assert report.rebuilt and report.embedded_documents == 9 and fake_embedder.calls == calls + 2
    assert current(built).name == "000002"


def test_editing_one_document_embeds_only_that_document(built):
    before = open_index(built)
    edited_id = before.documents[2].id

    def edit(collection):
        docs = tuple(replace(d, text=d.text + " The GP was not told.", sha256="") if d.id == edited_id else d
                     for d in collection.documents)
        return Collection(collection.reviews, docs)

    edit_collection(built, edit)
    assert "1 changed document" in index_status(built, load_collection(built.corpus_path)).changes
    embedder = CountingEmbedder()
    report = build_index(built, embedder, progress=False)
    assert report.rebuilt and report.embedded_documents == 1 and report.reused_documents == 8
    after = open_index(built)
    edited_rows = [i for i, d in enumerate(after.documents) if d.id == edited_id]
    edited_segments = int(np.isin(after.chunk_table[after.segment_table[:, 0], 0], edited_rows).sum())
    assert embedder.texts == edited_segments + 1          # its sentences, and its review's opening (in context)
    assert after.documents_by_id[edited_id].text.endswith("The GP was not told.")
    # Reused vectors are the same vectors.
    same = before.documents[0].id
    rows_before = np.flatnonzero(before.chunk_table[before.segment_table[:, 0], 0] == 0)
    rows_after = np.flatnonzero(after.chunk_table[after.segment_table[:, 0], 0] == 0)
    assert after.documents[0].id == same
    np.testing.assert_array_equal(vectors_for(before.plain, rows_before), vectors_for(after.plain, rows_after))


def test_removed_and_added_documents(built):
    def drop_last(collection):
        gone = collection.reviews[-1].id
        return Collection(collection.reviews[:-1], tuple(d for d in collection.documents if d.review_id != gone))

    edit_collection(built, drop_last)
    embedder = CountingEmbedder()
    report = build_index(built, embedder, progress=False)
    assert report.removed_documents == 1 and report.embedded_documents == 0 and embedder.texts == 0
    assert len(open_index(built).reviews) == 8

    def add_report(collection):
        review = collection.reviews[0]
        text = "1. Findings\n\nThe health visitor did not see the baby. Safe sleep advice was not repeated."
        report_doc = Document(f"{review.id}/report", review.id, "report", text,
                              (Section("heading", 0, len(text), "1. Findings"),))
        return Collection(collection.reviews, collection.documents + (report_doc,))

    edit_collection(built, add_report)
    report = build_index(built, CountingEmbedder(), progress=False)
    assert report.embedded_documents == 1 and report.documents == 9
    index = open_index(built)
    assert [d.kind for d in index.documents_of(index.review_ids[0])] == ["summary", "report"]


def test_without_context_embedding_builds_one_vector_index_and_searches(built, fake_embedder):
    from qa.service import Service

    plain_only = built.with_(context_embedding=False)
    # A search does not care: the index says what it has.
    assert index_status(plain_only).problem is None
    report = build_index(plain_only, fake_embedder, progress=False)
    assert report.rebuilt and report.reason == "the index was built with a different context embedding"
    assert report.embedded_documents == 0          # the plain vectors come from the cache
    index = open_index(plain_only)
    assert index.context is None and not (index.folder / "context.faiss").exists()
    assert ask(Service(plain_only, embedder=fake_embedder), "county lines", k=1).hits[0].review.name == "Child K"


def test_changed_chunking_or_model_makes_the_index_stale(built):
    assert index_status(built.with_(chunk_tokens=50)).problem == "the index was built with a different chunking"
    assert index_status(built.with_(model="other-model")).problem == "the index was built with a different model"
    with pytest.raises(IndexStaleError, match="reviewqa build"):
        open_index(built.with_(model="other-model"))


def test_search_uses_the_built_snapshot_even_if_the_collection_breaks(built):
    built.corpus_path.write_text("{not json\n", encoding="utf-8")
    assert len(open_index(built).reviews) == 9
    with pytest.raises(CorpusError, match="Line 1 of"):
        build_index(built, FakeEmbedder(), progress=False)
    assert current(built).name == "000001"


@pytest.mark.parametrize("name", ["plain.faiss", "context.faiss", "chunks.npy", "segments.npy", "documents.jsonl",
                                  "reviews.jsonl", "bm25_chunks/vocab.index.json", "bm25_reviews/vocab.index.json"])
def test_damaged_file_is_detected(built, name):
    path = current(built) / name
    if not path.exists():
        path = sorted((current(built) / name.split("/")[0]).iterdir())[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="build --force"):
        open_index(built)


def test_swapped_vocabulary_entries_are_detected(built):
    """A damaged keyword index must never silently change answers."""
    path = current(built) / "bm25_reviews" / "vocab.index.json"
    vocab = json.loads(path.read_text())
    keys = list(vocab)
    vocab[keys[0]], vocab[keys[1]] = vocab[keys[1]], vocab[keys[0]]
    path.write_text(json.dumps(vocab))
    with pytest.raises(IndexCorruptError, match="bm25_reviews"):
        open_index(built)


def test_unreadable_manifest_and_pointer_are_detected(built):
    (current(built) / "manifest.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="build --force"):
        open_index(built)
    (built.index_dir / "CURRENT").write_text("../../etc\n", encoding="utf-8")
    with pytest.raises(IndexMissingError):
        open_index(built)


class ExplodingEmbedder(FakeEmbedder):
    def encode(self, texts, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl+C mid-build


def test_interrupted_build_keeps_the_old_index_and_leaves_no_debris(built):
    before = (current(built) / "manifest.json").read_text()
    with pytest.raises(KeyboardInterrupt):
        build_index(built, ExplodingEmbedder(), force=True, progress=False)
    assert (current(built) / "manifest.json").read_text() == before
    assert open_index(built).generation == 1
    assert sorted(p.name for p in store.generations_dir(built.index_dir).iterdir()) == ["000001"]


def test_failure_while_writing_leaves_no_half_index(settings, monkeypatch):
    import qa.index.keyword

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(qa.index.keyword, "save_bm25", fail)
    with pytest.raises(OSError):
        build_index(settings, FakeEmbedder(), progress=False)
    assert current(settings) is None
    assert list(store.generations_dir(settings.index_dir).iterdir()) == []


def test_leftovers_of_killed_builds_are_cleaned_up(built, fake_embedder):
    index_dir = built.index_dir
    (store.generations_dir(index_dir) / "000005.partial").mkdir()
    (store.generations_dir(index_dir) / "000005.partial" / "plain.faiss").write_bytes(b"half")
    (index_dir / ".CURRENT.123.tmp").write_text("000005\n")
    build_index(built, fake_embedder, force=True, progress=False)
    build_index(built, fake_embedder, force=True, progress=False)
    names = sorted(p.name for p in index_dir.iterdir())
    assert names == ["CURRENT", "cache", "generations"]
    # The generation in use and the one before it (for readers that just read CURRENT).
    assert sorted(p.name for p in store.generations_dir(index_dir).iterdir()) == ["000002", "000003"]


def test_two_documents_with_the_same_content_are_refused(settings):
    collection = load_collection(settings.corpus_path)
    twin = replace(collection.documents[1], id=collection.documents[1].id + "-copy")
    save_collection(Collection(collection.reviews, collection.documents + (twin,)), settings.corpus_path)
    with pytest.raises(CorpusError, match="same content as"):
        load_collection(settings.corpus_path)


def test_a_damaged_new_generation_is_not_served_and_not_retried(built, fake_embedder, monkeypatch):
    from qa.service import Service

    service = Service(built, embedder=fake_embedder)
    assert ask(service, "county lines", k=1).generation == 1
    build_index(built, fake_embedder, force=True, progress=False)
    (current(built) / "chunks.npy").write_bytes(b"damaged")
    opened = []
    real_open = service._open
    monkeypatch.setattr(service, "_open", lambda: opened.append(1) or real_open())
    for _ in range(3):
        assert ask(service, "county lines", k=1).generation == 1    # the last good one keeps answering
    assert opened == [1]                                                # tried once, not on every request
    build_index(built, fake_embedder, force=True, progress=False)      # a good generation is picked up
    assert ask(service, "county lines", k=1).generation == 3


def _opening_of(index, review_id):
    from qa.index.build import _opening

    return _opening(tuple(index.documents_of(review_id)), index.reviews[review_id])


def test_pooled_context_vectors_are_each_sentence_plus_its_reviews_opening_without_a_second_pass(settings):
    """The default in-context vectors: the sentence's vector plus its review's opening's, weighed by
    their tokens (as mean pooling weighs them), renormalised; the summary section keeps its own. The
    model sees each sentence once, and each review's opening once more."""
    assert settings.context_embedding and settings.context_vectors == "pooled"
    embedder = CountingEmbedder()
    build_index(settings, embedder, progress=False)
    index = open_index(settings)
    assert index.manifest.context_vectors == "pooled"
    openings = {_opening_of(index, rid) for rid in index.review_ids}
    assert embedder.texts == len(index.segment_table) + len(openings)
    plain = vectors_for(index.plain, np.arange(len(index.segment_table)))
    context = vectors_for(index.context, np.arange(len(index.segment_table)))
    fake = FakeEmbedder()
    kept = moved = 0
    for row, (chunk, start, end) in enumerate(index.segment_table):
        document_row, section = index.chunk_table[chunk][:2]
        document = index.documents[document_row]
        if document.sections[section].name == "summary":
            np.testing.assert_allclose(context[row], plain[row], atol=1e-6)
            kept += 1
            continue
        opening = _opening_of(index, document.review_id)
        weight = len(opening.split()) / len(document.text[start:end].split())
        expected = plain[row] + weight * fake.encode([opening])[0]
        np.testing.assert_allclose(context[row], expected / np.linalg.norm(expected), atol=1e-5)
        moved += 1
    assert kept and moved


@pytest.mark.parametrize("method, sentences_again", [("sum", False), ("model", True)])
def test_another_way_of_making_context_vectors_rebuilds_and_embeds_only_what_it_needs(built, method,
                                                                                      sentences_again):
    before = open_index(built)
    pooled = vectors_for(before.context, np.arange(len(before.segment_table)))
    other = built.with_(context_vectors=method)
    assert index_status(other, for_build=True).problem == "the index was built with a different context vectors"
    assert index_status(other).problem is None           # a search uses whatever the index has
    embedder = CountingEmbedder()
    report = build_index(other, embedder, progress=False)
    index = open_index(other)
    assert report.rebuilt and index.manifest.context_vectors == method
    segments = len(index.segment_table)
    openings = len({_opening_of(index, rid) for rid in index.review_ids})
    assert embedder.texts == (segments if sentences_again else openings)
    assert not np.allclose(vectors_for(index.context, np.arange(segments)), pooled)
