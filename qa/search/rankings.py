"""Named rankings: a ranking is a choice of weights over the signals (see engine.search)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import InvalidQueryError


@dataclass(frozen=True)
class Ranking:
    """Weights of the per-review rankings that are fused; a zero weight switches a signal off."""

    name: str
    description: str
    dense: float = 0.0            # best segment's cosine similarity to the question
    context: float = 0.0          # the same, with segments embedded beside their review's opening
    bm25: float = 0.0             # BM25 keyword score
    bm25_level: str = "chunk"     # "chunk": a review's best passage; "review": the whole review
    expand: bool = False          # add thesaurus terms to the keyword query
    expansion_dense: float = 0.0  # similarity to the thesaurus terms alone
    understand: bool = False      # turn constraints in the question into filters
    facets: float = 0.0           # reward reviews that match every part of "X and Y" questions
    # A relevance floor the same for every review (0: off): among the fused top FLOOR_POOL, a review
    # is placed only after every review whose best sentence is at least `floor` closer to the question
    # (relevance.py's bands are 0.15 wide); a negative value orders the pool by band, then fusion.
    floor: float = 0.0


RANKINGS = {
    "bm25": Ranking("bm25", "BM25 over passages; a review ranks by its best passage", bm25=1.0),
    "dense": Ranking("dense", "MiniLM cosine similarity; a review ranks by its best sentence", dense=1.0),
    "hybrid": Ranking("hybrid", "reciprocal rank fusion of dense and BM25 (plain hybrid)", dense=1.0, bm25=1.0),
    "default": Ranking(
        "default",
        "question constraints as filters, thesaurus expansion, whole-review BM25 fused with sentence- and "
        "context-level dense similarity",
        dense=1.0, context=0.25, bm25=2.5, bm25_level="review", expand=True, expansion_dense=0.3, understand=True,
    ),
}
# Ablations of the default, one step removed each, so `reviewqa eval` can show what each step adds.
RANKINGS["no-understanding"] = replace(RANKINGS["default"], name="no-understanding", understand=False,
                                       description="default without turning question constraints into filters")
RANKINGS["no-thesaurus"] = replace(RANKINGS["default"], name="no-thesaurus", expand=False,
                                   description="default without thesaurus expansion")
RANKINGS["no-context"] = replace(RANKINGS["default"], name="no-context", context=0.0,
                                 description="default without the in-context sentence embeddings")
# Measured and not kept in the default (see eval/README.md): facet coverage for "X and Y" questions.
RANKINGS["facets"] = replace(RANKINGS["default"], name="facets", facets=1.0,
                             description="default plus facet coverage: each part of an 'X and Y' question ranks too")
RANKINGS["no-review-bm25"] = replace(RANKINGS["default"], name="no-review-bm25", bm25_level="chunk",
                                     description="default with BM25 on a review's best passage, not the whole review")
# Issue 15, second attempt: the in-context vectors' fusion weight above the default's 0.25 (0.5 was
# the default's until then); they count only when the index has them (Settings.context_embedding).
for _weight in (0.35, 0.5):
    RANKINGS[f"context-{_weight}"] = replace(RANKINGS["default"], name=f"context-{_weight}", context=_weight,
                                             description=f"default with the in-context vectors at weight {_weight}")
for _name, _floor in (("floor-band", -1.0), ("floor-0.20", 0.20), ("floor-0.15", 0.15), ("floor-0.10", 0.10)):
    RANKINGS[_name] = replace(RANKINGS["default"], name=_name, floor=_floor,
                              description=f"default with a relevance floor ({_floor}; see Ranking.floor)")
DEFAULT_RANKING = "default"


def get_ranking(name: str) -> Ranking:
    try:
        return RANKINGS[name]
    except (KeyError, TypeError):
        raise InvalidQueryError(f"Unknown ranking '{name}'; choose one of: {', '.join(RANKINGS)}.") from None
