"""The index: a folder of plain files per generation (no pickle), described by a manifest.

    store.py      generations and the CURRENT pointer: atomic switch, clean-up after kills
    manifest.py   what a generation was built from; sha256 of every file, checked on open
    cache.py      per-document cuts and vectors, so builds embed only what changed
    build.py      collection -> new generation (incremental)
    loaded.py     a generation opened for searching (SearchIndex)
    keyword.py    the tokenizer and bm25s indexes
"""

from .build import BuildReport, IndexStatus, build_index, index_status
from .loaded import Chunk, SearchIndex, open_index

__all__ = ["BuildReport", "Chunk", "IndexStatus", "SearchIndex", "build_index", "index_status", "open_index"]
