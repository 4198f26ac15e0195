"""The one relevance scale users see: how close a result's best sentence is to the question.

The number is the cosine similarity of the review's best sentence to the question, capped by the
results ranked above it, so the scale never rises down the list; the label is a band of that same
number. Fusion scores (which only order reviews; 1.00 means "first in every ranking", even for a
question nothing answers) are kept for evaluators but never shown as relevance.

The bands come from the development sets' judgments (eval/README.md: "Relevance bands"): at 0.60
and above about four in five judged results are relevant (grade 2+), between 0.45 and 0.60 about
three in five, below 0.45 about one in three; below 0.30 a sentence is not about the question
("recipe for chocolate cake" scores 0.17).
"""

from __future__ import annotations

from collections.abc import Iterable

WEAK_SIMILARITY = 0.30
BANDS = ((0.60, "strong match"), (0.45, "good match"), (WEAK_SIMILARITY, "partial match"))
WEAK_LABEL = "weak match"


def is_weak(similarity: float) -> bool:
    """A best sentence that is not about the question (compared as shown, to two decimals)."""
    return round(similarity, 2) < WEAK_SIMILARITY


def match_label(match: float) -> str:
    for floor, label in BANDS:
        if match >= floor:
            return label
    return WEAK_LABEL


def scale_description() -> str:
    """The scale in one sentence, for the edges' legends."""
    bands = ", ".join(f"{label.split()[0]} {floor:.2f}+" for floor, label in BANDS)
    return (f"Match: how close a review's best sentence is to the question, from 0 to 1, never higher than a result "
            f"above it ({bands}, {WEAK_LABEL.split()[0]} below). It measures closeness of meaning, not whether the "
            "passage answers the question.")


def capped_matches(similarities: Iterable[float]) -> list[float]:
    """Each result's match: its similarity, capped by every result ranked above it, to the two
    decimals shown (so the label is always the label of the number shown)."""
    matches, cap = [], 1.0
    for similarity in similarities:
        cap = min(cap, round(similarity, 2))
        matches.append(cap)
    return matches


def weak_last(order: list[int], similarities: dict[int, float]) -> list[int]:
    """Results whose best sentence is not about the question after the ones whose is, each part in
    its own order: a weak match never sits above a closer one (and so never caps it)."""
    close = [r for r in order if not is_weak(similarities[r])]
    return close + [r for r in order if is_weak(similarities[r])]
