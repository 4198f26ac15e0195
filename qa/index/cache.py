"""Embedding cache: how each document was cut and its vectors, keyed by what determines them.

    index/cache/<model>/<key>.spans.json      chunk and segment spans of one document
    index/cache/<model>/<key>.plain.npy       one vector per segment
    index/cache/<model>/<key>-<ctx>.context.npy   the same segments after the review's opening
    index/cache/<model>/<key>-<ctx>.pooled.npy    (or .sum.npy) the same, made from the plain vectors

`key` hashes the document's content, the chunking settings and the cutting rules' version, so an
unchanged document is never cut or embedded twice, whatever else changes in the collection. The
cache is a convenience, not a source of truth: an entry that fails to read is recomputed, and
every generation carries its own copy of the vectors.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from ..chunking import DocumentSpans
from ..fsutil import atomic_write_bytes, atomic_write_text
from ..records import Document
from ..settings import Settings

# Bump when chunking.py cuts documents differently for the same settings.
SPANS_VERSION = 2
# Settings.context_vectors -> the cache file kind of the in-context vectors it makes.
CONTEXT_KINDS = {"model": "context", "sum": "sum", "pooled": "pooled"}
_SUFFIXES = (".spans.json", ".plain.npy", *(f".{kind}.npy" for kind in CONTEXT_KINDS.values()))


def cache_folder(settings: Settings, model_name: str) -> Path:
    return Path(settings.index_dir) / "cache" / re.sub(r"[^A-Za-z0-9._-]+", "_", model_name)


def spans_key(document: Document, settings: Settings) -> str:
    basis = json.dumps([document.sha256, settings.chunking_signature(), SPANS_VERSION], sort_keys=True)
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def context_key(spans: str, context: str) -> str:
    return f"{spans}-{hashlib.sha256(context.encode()).hexdigest()[:12]}"


class EmbeddingCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def spans(self, key: str) -> DocumentSpans | None:
        try:
            return DocumentSpans.from_json(json.loads((self.folder / f"{key}.spans.json").read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def vectors(self, key: str, kind: str, rows: int, dimension: int | None) -> np.ndarray | None:
        """The cached vectors if present and of the expected shape, else None."""
        try:
            array = np.load(self.folder / f"{key}.{kind}.npy", allow_pickle=False)
        except (OSError, ValueError):
            return None
        if array.dtype != np.float32 or array.ndim != 2 or array.shape[0] != rows:
            return None
        if dimension is not None and array.shape[1] != dimension:
            return None
        return array

    def put_spans(self, key: str, spans: DocumentSpans) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.folder / f"{key}.spans.json", json.dumps(spans.to_json()))

    def put_vectors(self, key: str, kind: str, vectors: np.ndarray) -> None:
        import io

        self.folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        atomic_write_bytes(self.folder / f"{key}.{kind}.npy", buffer.getvalue())

    def prune(self, used: set[str]) -> int:
        """Remove entries no document uses any more (and temp files of killed writes)."""
        removed = 0
        if not self.folder.exists():
            return 0
        for path in self.folder.iterdir():
            name = path.name
            stem = next((name[: -len(s)] for s in _SUFFIXES if name.endswith(s)), None)
            if name.startswith(".") or stem is None or stem not in used:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
