"""Rankings and their fusion: plain functions over score arrays."""

from __future__ import annotations

import numpy as np


def reciprocal_rank_fusion(rankings: list[list[int]], k: int, weights: list[float] | None = None) -> dict[int, float]:
    """score(d) = sum over rankings of w / (k + rank of d), ranks starting at 1 (Cormack et al., 2009)."""
    fused: dict[int, float] = {}
    for j, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[j]
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def ranked(scores: np.ndarray, mask: np.ndarray, limit: int, *, positive_only: bool = False) -> list[int]:
    """Positions in descending score among allowed ones (ties broken by position, for stable output)."""
    candidates = np.flatnonzero(mask & (scores > 0)) if positive_only else np.flatnonzero(mask)
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order][:limit].tolist()


def per_review_max(values: np.ndarray, owners: np.ndarray, count: int) -> np.ndarray:
    best = np.full(count, -np.inf, dtype=np.float32)
    np.maximum.at(best, owners, values)
    return best
