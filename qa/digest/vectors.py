"""Vectors the model made for texts that are not sentences of the index (theme labels, a list's first
item without its lead-in), kept by model and text so a digest seen before embeds nothing. One cache
per Service, shared by the server's threads; least recently used dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from ..embed import Embedder


class VectorCache:
    def __init__(self, size: int = 20_000):
        self.size = size
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """A unit vector per text (rows in the order given); only texts not seen before are embedded,
        in one batch."""
        model = f"{embedder.name}/{embedder.dimension}"
        unique = list(dict.fromkeys(texts))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in unique:
                vector = self._vectors.get((model, text))
                if vector is not None:
                    found[text] = vector
                    self._vectors.move_to_end((model, text))
        missing = [text for text in unique if text not in found]
        if missing:
            fresh = np.asarray(embedder.encode(missing), dtype=np.float32)
            found.update(zip(missing, fresh))
            with self._lock:
                for text, vector in zip(missing, fresh):
                    self._vectors[(model, text)] = vector
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, embedder.dimension), dtype=np.float32)
        return np.stack([found[text] for text in texts]).astype(np.float32, copy=False)
