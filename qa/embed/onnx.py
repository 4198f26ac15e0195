"""A torch-free embedder: the sentence-transformers model exported once to ONNX, then run with
onnxruntime and the `tokenizers` library.

    export_onnx(model_path, folder)          # build time: needs torch + transformers + onnx
    onnx_model_state(folder)                 # None when the export is complete and hash-verified
    OnnxEmbedder(folder, name).encode(...)   # run time: numpy + onnxruntime + tokenizers only

The export folder holds the graph (`model.onnx`, or `model-int8.onnx` when quantised), the model's
`tokenizer.json` and a `manifest.json` that records where the export came from and the sha256 of
every file in the folder. Pooling (mean over the attention mask) and L2 normalisation are done in
numpy, exactly as sentence-transformers' Pooling and Normalize modules do them.

Nothing here imports torch, transformers or sentence_transformers at import time or when loading
or running the embedder; only `export_onnx` does, inside the function.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelLoadError
from ..fsutil import file_records, folder_fault, sha256_file

MANIFEST_FILE = "manifest.json"
TOKENIZER_FILE = "tokenizer.json"
FP32_MODEL_FILE = "model.onnx"
INT8_MODEL_FILE = "model-int8.onnx"
# Bumped when the folder layout or the manifest's meaning changes; older folders then read as stale.
FORMAT_VERSION = 1
# 17 is the first opset with a native LayerNormalization; onnxruntime 1.16+ runs it.
OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
# The weights file sentence-transformers / transformers load, in the order they prefer them.
WEIGHTS_FILES = ("model.safetensors", "pytorch_model.bin")

_FIX = "run `reviewqa build` to export it again"


# --- hashing and the manifest -----------------------------------------------------------------------

def _read_manifest(folder: Path) -> tuple[dict | None, str | None]:
    """(manifest, None) when it is readable and has what the loader needs, else (None, reason)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None, "missing"
    path = folder / MANIFEST_FILE
    if not path.is_file():
        return None, f"incomplete ({MANIFEST_FILE} missing)"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None, f"file {MANIFEST_FILE} damaged"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        return None, "made by an incompatible version of reviewqa"
    files = manifest.get("files")
    model_file = manifest.get("model_file")
    needed = ("dimension", "max_seq_length", "pooling", "normalize")
    if (not isinstance(files, dict) or model_file not in files or TOKENIZER_FILE not in files
            or any(key not in manifest for key in needed)):
        return None, f"file {MANIFEST_FILE} damaged"
    if manifest["pooling"] != "mean":
        return None, f"using {manifest['pooling']!r} pooling, which this embedder does not implement"
    return manifest, None


def _check_files(folder: Path, manifest: dict, *, hashes: bool) -> str | None:
    if any(Path(name).name != name for name in manifest["files"]):  # never follow a path out of the folder
        return f"file {MANIFEST_FILE} damaged"
    fault = folder_fault(folder, manifest["files"], hashes=hashes, skip=frozenset({MANIFEST_FILE}))
    if fault is None:
        return None
    name, kind = fault
    return {"unlisted": f"holding a file the manifest does not list ({name})",
            "missing": f"incomplete (file {name} missing)",
            "size": f"file {name} damaged (size differs from the manifest)",
            "checksum": f"file {name} damaged (checksum differs from the manifest)"}[kind]


def onnx_model_state(folder: str | Path, *, hashes: bool = True) -> str | None:
    """None when `folder` holds a complete export whose files all match their recorded sha256 (or,
    without `hashes`, their recorded sizes), else a short reason: "missing", "file model.onnx
    damaged (...)", ..."""
    folder = Path(folder)
    manifest, reason = _read_manifest(folder)
    if manifest is None:
        return reason
    return _check_files(folder, manifest, hashes=hashes)


def read_onnx_manifest(folder: str | Path) -> dict | None:
    """The export's manifest (unverified), or None when there is none readable."""
    manifest, _ = _read_manifest(Path(folder))
    return manifest


# --- export (build time) --------------------------------------------------------------------------------

def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"The model file {path} is unreadable ({error}); run `make install`.") from None


def _source_config(model_path: Path) -> dict:
    """What the sentence-transformers folder says about length, pooling and normalisation."""
    modules = _read_json(model_path / "modules.json")
    if not isinstance(modules, list):
        modules = []
    types = [str(module.get("type", "")) for module in modules]
    unsupported = [kind for kind in types if not kind.endswith(("Transformer", "Pooling", "Normalize"))]
    if unsupported:
        raise ModelLoadError(
            f"The model in {model_path} has modules the ONNX embedder does not implement ({', '.join(unsupported)}); "
            "use the sentence-transformers embedder for it."
        )
    pooling = "mean"
    for module in modules:
        if str(module.get("type", "")).endswith("Pooling"):
            config = _read_json(model_path / module.get("path", "") / "config.json")
            modes = [key[len("pooling_mode_"):] for key, on in config.items()
                     if key.startswith("pooling_mode_") and on is True]
            if modes:
                pooling = "+".join(modes).replace("mean_tokens", "mean")
    st_config = _read_json(model_path / "sentence_bert_config.json")
    return {
        "max_seq_length": st_config.get("max_seq_length"),
        "pooling": pooling,
        "source_normalizes": any(kind.endswith("Normalize") for kind in types),
        "do_lower_case": bool(st_config.get("do_lower_case", False)),
    }


def _versions(*modules: str) -> dict:
    from importlib import metadata

    found = {}
    for module in modules:
        try:
            found[module] = metadata.version(module)
        except metadata.PackageNotFoundError:
            pass
    return found


def _export_into(model_path: Path, staging: Path, quantize: bool, step: Callable[[str], None]) -> dict:
    """Write the graph, tokenizer and (returned, not yet written) manifest into `staging`, calling
    `step` with the name of each stage as it starts."""
    source = _source_config(model_path)
    if source["pooling"] != "mean":
        raise ModelLoadError(
            f"The model in {model_path} uses {source['pooling']!r} pooling and the ONNX embedder only "
            "implements mean pooling; use the sentence-transformers embedder for it."
        )
    if source["do_lower_case"]:
        raise ModelLoadError(
            f"The model in {model_path} asks sentence-transformers to lowercase its input, which the ONNX "
            "embedder does not do; use the sentence-transformers embedder for it."
        )
    weights = next((model_path / name for name in WEIGHTS_FILES if (model_path / name).is_file()), None)
    if weights is None:
        raise ModelLoadError(f"No weights file ({' or '.join(WEIGHTS_FILES)}) in {model_path}; run `make install`.")

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    step("loading torch and the model")
    try:
        import torch
        from transformers import AutoConfig, AutoModel
        from transformers.utils import logging as transformers_logging
    except ImportError as error:
        raise ModelLoadError(
            f"Exporting the embedding model to ONNX needs torch and transformers ({error}); run `make install`."
        ) from None
    try:
        import onnx  # noqa: F401 - the TorchScript exporter serialises through it
        import onnxruntime as ort
    except ImportError as error:
        raise ModelLoadError(
            f"Exporting the embedding model to ONNX needs onnx and onnxruntime ({error}); run `make install`."
        ) from None

    transformers_logging.disable_progress_bar()
    try:
        config = AutoConfig.from_pretrained(model_path, local_files_only=True)
        # Eager attention: plain MatMul/Softmax ops for the tracer (checked against torch below).
        model = AutoModel.from_pretrained(model_path, local_files_only=True, attn_implementation="eager").eval()
    except Exception as error:  # noqa: BLE001 - any load failure has the same fix
        raise ModelLoadError(
            f"The embedding model could not be loaded from {model_path} ({error}); run `make install` to reinstall it."
        ) from None

    # The tokenizer the embedder will use. Copied byte for byte; its baked-in truncation and padding
    # (128, fixed, in all-MiniLM-L6-v2) are overridden when it is loaded.
    if (model_path / TOKENIZER_FILE).is_file():
        shutil.copyfile(model_path / TOKENIZER_FILE, staging / TOKENIZER_FILE)
    else:
        from transformers import AutoTokenizer

        AutoTokenizer.from_pretrained(model_path, local_files_only=True).backend_tokenizer.save(
            str(staging / TOKENIZER_FILE))
    from tokenizers import Tokenizer

    limits = [value for value in (source["max_seq_length"], getattr(config, "max_position_embeddings", None))
              if isinstance(value, int) and value > 0]
    max_seq_length = min(limits) if limits else 512
    dimension = int(config.hidden_size)
    tokenizer = Tokenizer.from_file(str(staging / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_seq_length)

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    def batch(texts: list[str]) -> dict[str, np.ndarray]:
        return _pad(tokenizer.encode_batch(texts))

    step("tracing the model into an ONNX graph")
    # Trace with padding present so the masking path is part of the graph.
    example = batch(["An example passage to trace the model with.", "Short."])
    dynamic_axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    fp32_path = staging / FP32_MODEL_FILE
    # The wrapper must be in eval mode too: the exporter puts the module it is given back in that
    # module's mode afterwards, recursively, which would switch dropout on in `model`.
    wrapper = LastHiddenState(model).eval()
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of the dynamo one, which needs onnxscript;
        # its tracer warnings concern a branch that is constant without a KV cache.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper, tuple(torch.from_numpy(example[name]) for name in INPUT_NAMES), str(fp32_path),
            input_names=list(INPUT_NAMES), output_names=[OUTPUT_NAME], dynamic_axes=dynamic_axes,
            opset_version=OPSET, do_constant_folding=True, dynamo=False, external_data=False,
        )

    step("checking the graph against the model")
    # Check the traced graph on shapes it was not traced with: another batch size, no padding,
    # and a text long enough to be truncated.
    probe = batch(["Death of a 16-year-old girl.", "The review found that agencies did not share "
                   "information about the risks to the baby. " * 40, "Neglect.", ""])
    with torch.no_grad():
        expected = model(**{name: torch.from_numpy(probe[name]) for name in INPUT_NAMES}).last_hidden_state.numpy()
    if model.training:
        raise ModelLoadError(f"Exporting {model_path} to ONNX left the model in training mode; report this bug.")
    session = ort.InferenceSession(str(fp32_path), providers=["CPUExecutionProvider"])
    got = session.run([OUTPUT_NAME], probe)[0]
    unpadded = batch(["Neglect of a baby."])
    with torch.no_grad():
        expected_unpadded = model(**{n: torch.from_numpy(unpadded[n]) for n in INPUT_NAMES}).last_hidden_state.numpy()
    got_unpadded = session.run([OUTPUT_NAME], unpadded)[0]
    del session
    mask = probe["attention_mask"].astype(bool)
    difference = max(float(np.abs(got[mask] - expected[mask]).max()),
                     float(np.abs(got_unpadded - expected_unpadded).max()))
    if not difference < 1e-3:
        raise ModelLoadError(
            f"The ONNX export of {model_path} does not reproduce the model (max difference {difference:.2g}); "
            "use the sentence-transformers embedder."
        )

    model_file = FP32_MODEL_FILE
    quantization = None
    if quantize:
        import logging

        step("quantising the graph to int8")

        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Per-channel weight scales: with one scale per tensor, MiniLM's sentence vectors drift to a
        # cosine of 0.93-0.96 with the fp32 ones; per channel keeps them at 0.99.
        # (quantize_dynamic logs a "consider pre-processing" warning on the root logger; muted.)
        muted = logging.root.manager.disable
        logging.disable(logging.WARNING)
        try:
            quantize_dynamic(fp32_path, staging / INT8_MODEL_FILE, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.disable(muted)
        fp32_path.unlink()
        model_file = INT8_MODEL_FILE
        quantization = "onnxruntime.quantization.quantize_dynamic, weight_type QInt8, per_channel"

    files = file_records(staging)
    return {
        "format": FORMAT_VERSION,
        "source": {
            "model_path": str(model_path),
            "weights_file": weights.name,
            "weights_sha256": sha256_file(weights),
            "source_normalizes": source["source_normalizes"],
        },
        "export": {
            "method": "torch.onnx.export (TorchScript exporter, dynamo=False), attn_implementation=eager",
            "versions": _versions("torch", "transformers", "onnx", "onnxruntime", "tokenizers", "numpy"),
            "max_abs_difference_vs_torch": difference,
        },
        "opset": OPSET,
        "model_file": model_file,
        "quantization": quantization,
        "inputs": list(INPUT_NAMES),
        "output": OUTPUT_NAME,
        "max_seq_length": max_seq_length,
        "pooling": "mean",
        "normalize": True,
        "dimension": dimension,
        "files": files,
    }


def export_onnx(model_path: str | Path, folder: Path, *, quantize: bool = False,
                step: Callable[[str], None] | None = None) -> Path:
    """Export the sentence-transformers model at `model_path` to ONNX in `folder` and return `folder`.

    The files are written to a staging folder next to `folder`, which then replaces `folder` by a
    rename, so readers never see a half-written export: they see the old one, the new one, or
    (for the instant between two renames, when `folder` already existed) none, which reads as
    "missing". The old folder is removed after. Needs torch, transformers, onnx and onnxruntime;
    raises ModelLoadError when the model cannot be loaded or exported faithfully. `step` is told the
    name of each stage as it starts (the export takes about 20 s, most of it loading torch)."""
    model_path = Path(model_path).expanduser().resolve()
    folder = Path(folder).expanduser().absolute()
    if not model_path.is_dir():
        raise ModelLoadError(f"The embedding model folder {model_path} does not exist; run `make install`.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging = folder.parent / f".{folder.name}.staging-{tag}"
    staging.mkdir()
    try:
        manifest = _export_into(model_path, staging, quantize, step or (lambda _: None))
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        for path in staging.iterdir():  # durable before the rename makes them visible
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        if folder.exists():
            old = folder.parent / f".{folder.name}.old-{tag}"
            os.replace(folder, old)
            try:
                os.replace(staging, folder)
            except BaseException:
                os.replace(old, folder)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


# --- the embedder (run time) -----------------------------------------------------------------------

def _pad(encodings) -> dict[str, np.ndarray]:
    """Right-pad token ids (id 0) to the longest encoding; the inputs the graph takes."""
    width = max(1, max(len(encoding.ids) for encoding in encodings))
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = encoding.attention_mask
        types[row, :n] = encoding.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def default_threads() -> int:
    """Cores this process may use, at most 2 (measured on the 2-core build box: 2 threads roughly
    double batch throughput and cost nothing on a single query, with spinning off)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


class OnnxEmbedder:
    """Embedder protocol over an `export_onnx` folder: tokenizers + onnxruntime, no torch."""

    def __init__(self, folder: Path, name: str, *, threads: int | None = None, verify: bool = True):
        """`verify` checks every file's sha256 against the manifest (tens of ms for the fp32 graph);
        without it only sizes are checked."""
        folder = Path(folder)
        manifest, reason = _read_manifest(folder)
        if manifest is not None:
            reason = _check_files(folder, manifest, hashes=verify)
        if manifest is None or reason is not None:
            raise ModelLoadError(f"The ONNX export of the embedding model in {folder} is {reason}; {_FIX}.")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ModelLoadError(
                f"The ONNX embedder needs onnxruntime and tokenizers ({error}); run `make install`."
            ) from None

        self.name = name
        self.folder = folder
        self.manifest = manifest
        self.dimension = int(manifest["dimension"])
        self.max_tokens = int(manifest["max_seq_length"])
        self.threads = threads or default_threads()
        try:
            # Two tokenizers, so that neither's settings ever change after load (safe across threads).
            self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            self._tokenizer.no_padding()  # padding is done in _pad, to the longest in each batch
            self._tokenizer.enable_truncation(self.max_tokens)
            self._counter = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            self._counter.no_padding()
            self._counter.no_truncation()

            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            # Idle worker threads sleep instead of spinning: on a shared 2-core box spinning made a
            # single query 2x slower with 2 threads, and it burns CPU between the app's queries.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._session = ort.InferenceSession(str(folder / manifest["model_file"]), options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001 - a file that passed the checks but will not load
            raise ModelLoadError(
                f"The ONNX export of the embedding model in {folder} could not be loaded ({error}); {_FIX}."
            ) from None
        inputs = {node.name for node in self._session.get_inputs()}
        self._input_names = [name for name in INPUT_NAMES if name in inputs]
        width = self._session.get_outputs()[0].shape[-1]
        if isinstance(width, int) and width != self.dimension:
            raise ModelLoadError(
                f"The ONNX export of the embedding model in {folder} is inconsistent (dimension {width}, "
                f"manifest says {self.dimension}); {_FIX}."
            )

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        texts = [str(text) for text in texts]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        batch_size = max(1, int(batch_size))
        # Longest first, as sentence-transformers does: texts of similar length share a batch, so
        # little compute goes on padding.
        order = np.argsort([-len(text) for text in texts], kind="stable")
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(texts), desc="Embedding", unit="text")
        try:
            for start in range(0, len(texts), batch_size):
                rows = order[start:start + batch_size]
                out[rows] = self._embed([texts[row] for row in rows])
                if bar is not None:
                    bar.update(len(rows))
        finally:
            if bar is not None:
                bar.close()
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        feed = _pad(self._tokenizer.encode_batch(texts))
        hidden = self._session.run([OUTPUT_NAME], {name: feed[name] for name in self._input_names})[0]
        # sentence-transformers' mean pooling: sum of unmasked token vectors / max(count, 1e-9) ...
        mask = feed["attention_mask"].astype(np.float32)
        summed = np.matmul(mask[:, None, :], hidden)[:, 0, :]
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
        # ... then torch.nn.functional.normalize: x / max(||x||, 1e-12).
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(str(text)).ids)
