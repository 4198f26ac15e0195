import json

import pytest

from qa.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from qa.index import active_folder, build_index, load_index, staleness

from .conftest import FakeEmbedder


def test_missing_index_says_how_to_build(settings):
    with pytest.raises(IndexMissingError, match="reviewqa build"):
        load_index(settings)
    assert staleness(settings) == "no index has been built"


def test_build_writes_plain_files_and_manifest(built):
    folder = active_folder(built)
    names = {p.name for p in folder.iterdir()}
    assert {"manifest.json", "chunks.jsonl", "segments.jsonl", "dense.faiss", "context.faiss", "bm25",
            "bm25_reviews"} <= names
    assert not list(folder.rglob("*.pkl")) and not list(folder.rglob("*.pickle"))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"] == "fake-hash-64" and manifest["model_dimension"] == 64
    assert manifest["reviews"] == 9 and manifest["chunks"] > 9
    assert manifest["chunking"] == {"chunk_tokens": 24, "chunk_overlap_tokens": 0}
    assert len(manifest["corpus_sha256"]) == 64 and "faiss-cpu" in manifest["library_versions"]
    index = load_index(built)
    assert len(index.chunks) == manifest["chunks"]
    assert index.dense.ntotal == index.context.ntotal == len(index.segments) == manifest["segments"]
    assert len(index.segments) >= len(index.chunks)


def test_build_is_skipped_when_current_and_forced_on_request(built, fake_embedder):
    calls = fake_embedder.calls
    report = build_index(built, fake_embedder, progress=False)
    assert not report.rebuilt and fake_embedder.calls == calls
    report = build_index(built, fake_embedder, force=True, progress=False)
    assert report.rebuilt and fake_embedder.calls == calls + 1


def test_changed_corpus_makes_the_index_stale(built):
    with built.corpus_path.open("a", encoding="utf-8") as f:
        f.write("\n")
    assert "corpus sha256" in staleness(built)
    with pytest.raises(IndexStaleError, match="reviewqa build"):
        load_index(built)


def test_changed_chunking_or_model_makes_the_index_stale(built):
    assert staleness(built.with_(chunk_tokens=50)) == "the index was built with a different chunking"
    assert staleness(built.with_(model="other-model")) == "the index was built with a different model"


@pytest.mark.parametrize("name", ["dense.faiss", "context.faiss", "chunks.jsonl", "segments.jsonl"])
def test_damaged_file_is_detected(built, name):
    path = active_folder(built) / name
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IndexCorruptError, match="build --force"):
        load_index(built)


def test_unreadable_manifest_is_detected(built):
    (active_folder(built) / "manifest.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="build --force"):
        load_index(built)


class ExplodingEmbedder(FakeEmbedder):
    def encode(self, texts, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl+C mid-build


def test_interrupted_build_keeps_the_old_index_and_leaves_no_debris(built):
    before = (active_folder(built) / "manifest.json").read_text()
    with pytest.raises(KeyboardInterrupt):
        build_index(built, ExplodingEmbedder(), force=True, progress=False)
    assert (active_folder(built) / "manifest.json").read_text() == before
    assert load_index(built).chunks
    assert [p.name for p in built.index_dir.iterdir()] == ["current"]


def test_failure_while_writing_leaves_no_half_index(settings, monkeypatch):
    import qa.keyword

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(qa.keyword, "save_bm25", fail)
    with pytest.raises(OSError):
        build_index(settings, FakeEmbedder(), progress=False)
    assert not active_folder(settings).exists()
    assert list(settings.index_dir.iterdir()) == []
