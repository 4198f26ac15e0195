"""The vector stage (qa/index/dense.py): exact flat search, IVF-SQ8 recall, filters, changes, files.

Seeded clustered unit vectors, dim 64; everything runs in a few seconds.
"""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from qa.index import dense

DIM = 64
K = 10


def clustered(n: int, *, seed: int, centres: int = 40, spread: float = 0.6) -> np.ndarray:
    """Unit vectors drawn around random centres on the sphere."""
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, DIM)).astype(np.float32)
    middle /= np.linalg.norm(middle, axis=1, keepdims=True)
    noise = rng.standard_normal((n, DIM)).astype(np.float32) / np.sqrt(DIM)
    points = middle[rng.integers(centres, size=n)] + spread * noise
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def brute_force(vectors, ids, queries, k, allowed_ids=None):
    """Exact top k by numpy: (scores, ids), padded with -inf / -1."""
    if allowed_ids is not None:
        keep = np.isin(ids, allowed_ids)
        vectors, ids = vectors[keep], ids[keep]
    scores = queries @ vectors.T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    top_scores = np.take_along_axis(scores, order, axis=1)
    top_ids = ids[order]
    pad = k - top_ids.shape[1]
    if pad > 0:
        top_scores = np.pad(top_scores, ((0, 0), (0, pad)), constant_values=-np.inf)
        top_ids = np.pad(top_ids, ((0, 0), (0, pad)), constant_values=-1)
    return top_scores, top_ids


# ----------------------------------------------------------------------------------------------
# fixtures

@pytest.fixture(scope="module")
def small():
    """2,000 vectors under non-contiguous ids, and 20 queries."""
    vectors = clustered(2000, seed=1)
    ids = (1000 + 3 * np.arange(2000)).astype(np.int64)
    queries = clustered(20, seed=2)
    return vectors, ids, queries


@pytest.fixture(scope="module")
def flat(small):
    vectors, ids, _ = small
    return dense.build_vector_index(vectors, ids)


@pytest.fixture(scope="module")
def large():
    """20,000 vectors (ids = rows), tuning and held-out queries, the exact top 10 of each."""
    vectors = clustered(20_000, seed=3, centres=100)
    ids = np.arange(20_000, dtype=np.int64)
    tune = clustered(100, seed=4, centres=100)
    held_out = clustered(100, seed=5, centres=100)
    return vectors, ids, tune, held_out


@pytest.fixture(scope="module")
def ivf_template(large):
    vectors, ids, tune, _ = large
    index = dense.build_vector_index(vectors, ids, exact_limit=1000, nlist=64, seed=0)
    dense.tune_nprobe(index, tune, brute_force(vectors, ids, tune, K)[1], target_recall=0.97, k=K)
    return index


@pytest.fixture
def ivf(ivf_template, tmp_path):
    """A fresh copy of the tuned IVF index (tests may change it)."""
    path = tmp_path / "copy.faiss"
    dense.save_vector_index(ivf_template, path)
    return dense.load_vector_index(path)


# ----------------------------------------------------------------------------------------------
# flat

def test_small_collection_is_flat_and_exact(small, flat):
    vectors, ids, queries = small
    assert dense.index_kind(flat) == {"kind": "flat", "nlist": None, "nprobe": None, "count": 2000, "dim": DIM}
    scores, found = dense.search_vectors(flat, queries, K)
    want_scores, want_ids = brute_force(vectors, ids, queries, K)
    np.testing.assert_array_equal(found, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    assert set(np.unique(found)) <= set(ids.tolist())          # the given ids, not row numbers


def test_one_query_as_a_vector(small, flat):
    vectors, ids, queries = small
    scores, found = dense.search_vectors(flat, queries[0], K)
    assert scores.shape == found.shape == (1, K)
    np.testing.assert_array_equal(found[0], brute_force(vectors, ids, queries[:1], K)[1][0])


def test_fewer_vectors_than_k_pads_with_minus_one():
    vectors = clustered(3, seed=9)
    index = dense.build_vector_index(vectors, np.array([7, 8, 9]))
    scores, found = dense.search_vectors(index, vectors[0], 5)
    assert sorted(found[0, :3].tolist()) == [7, 8, 9]
    assert found[0, 3:].tolist() == [-1, -1]
    assert np.all(np.isneginf(scores[0, 3:])) and np.all(np.isfinite(scores[0, :3]))


@pytest.mark.parametrize("form", ["ids", "mask"])
@pytest.mark.parametrize("path", ["exact", "scan"])
def test_flat_filter_equals_brute_force_on_the_allowed(small, flat, monkeypatch, form, path):
    vectors, ids, queries = small
    if path == "exact":
        monkeypatch.setattr(dense, "RECONSTRUCT_COST", {"flat": 0, "ivf-sq8": 0})
    else:
        monkeypatch.setattr(dense, "EXACT_SUBSET_MAX", 0)
    rng = np.random.default_rng(7)
    allowed_ids = np.sort(rng.choice(ids, size=150, replace=False))
    if form == "mask":
        allowed = np.zeros(ids.max() + 1, dtype=bool)
        allowed[allowed_ids] = True
    else:
        allowed = allowed_ids
    scores, found = dense.search_vectors(flat, queries, K, allowed=allowed)
    want_scores, want_ids = brute_force(vectors, ids, queries, K, allowed_ids)
    np.testing.assert_array_equal(found, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    assert np.isin(found, allowed_ids).all()


@pytest.mark.parametrize("path", ["exact", "scan"])
def test_filter_of_one_id(small, flat, monkeypatch, path):
    vectors, ids, queries = small
    if path == "scan":
        monkeypatch.setattr(dense, "EXACT_SUBSET_MAX", 0)
    scores, found = dense.search_vectors(flat, queries[:3], K, allowed=np.array([ids[17]]))
    assert (found[:, 0] == ids[17]).all() and (found[:, 1:] == -1).all()
    np.testing.assert_allclose(scores[:, 0], queries[:3] @ vectors[17], atol=1e-5)
    assert np.isneginf(scores[:, 1:]).all()


class NoSearch(faiss.IndexIDMap2):
    """A flat index whose FAISS search must not be called."""

    def search(self, *args, **kwargs):
        raise AssertionError("FAISS was searched")


def test_empty_filter_returns_nothing_without_faiss(small):
    vectors, ids, queries = small
    index = NoSearch(faiss.IndexFlatIP(DIM))
    index.add_with_ids(vectors[:100], ids[:100])
    for allowed in (np.array([], dtype=np.int64), np.zeros(ids.max() + 1, dtype=bool)):
        scores, found = dense.search_vectors(index, queries[:2], K, allowed=allowed)
        assert found.shape == (2, K) and (found == -1).all() and np.isneginf(scores).all()
    with pytest.raises(AssertionError, match="FAISS was searched"):
        dense.search_vectors(index, queries[:2], K, allowed=ids[:50])


def test_filter_naming_unknown_ids_still_works(small, flat):
    vectors, ids, queries = small
    allowed = np.array([ids[5], ids[6], 999_999, 1], dtype=np.int64)     # two ids not in the index
    _, found = dense.search_vectors(flat, queries[:2], 3, allowed=allowed)
    assert sorted(found[0, :2].tolist()) == sorted([ids[5], ids[6]]) and found[0, 2] == -1


# ----------------------------------------------------------------------------------------------
# IVF-SQ8

def test_large_collection_is_ivf(large):
    vectors, ids, _, _ = large
    index = dense.build_vector_index(vectors[:5000], ids[:5000], exact_limit=5000, nlist=32)
    kind = dense.index_kind(index)
    assert kind["kind"] == "ivf-sq8" and kind["nlist"] == 32 and kind["nprobe"] == dense.default_nprobe(index)
    assert dense.index_kind(dense.build_vector_index(vectors[:4999], ids[:4999], exact_limit=5000))["kind"] == "flat"


def test_ivf_recall_at_the_tuned_nprobe(large, ivf):
    vectors, ids, _, held_out = large
    kind = dense.index_kind(ivf)
    assert kind["kind"] == "ivf-sq8" and 1 <= kind["nprobe"] <= kind["nlist"] == 64
    _, found = dense.search_vectors(ivf, held_out, K)
    assert dense.recall_at_k(found, brute_force(vectors, ids, held_out, K)[1]) >= 0.95


def test_tune_nprobe_picks_the_smallest_that_reaches_the_target(large, ivf):
    vectors, ids, tune, _ = large
    exact = brute_force(vectors, ids, tune, K)[1]
    chosen = dense.tune_nprobe(ivf, tune, exact, target_recall=0.97, k=K)
    assert dense.recall_at_k(dense.search_vectors(ivf, tune, K, nprobe=chosen)[1], exact) >= 0.97
    if chosen > 1:
        assert dense.recall_at_k(dense.search_vectors(ivf, tune, K, nprobe=chosen - 1)[1], exact) < 0.97
    assert dense.index_kind(ivf)["nprobe"] == chosen


@pytest.mark.parametrize("share", [0.1, 0.01])
def test_ivf_filter_restricts_and_keeps_recall(large, ivf, share):
    vectors, ids, _, held_out = large
    mask = np.random.default_rng(11).random(ids.size) < share
    _, found = dense.search_vectors(ivf, held_out, K, allowed=mask)
    assert mask[found[found >= 0]].all()
    exact = brute_force(vectors, ids, held_out, K, np.flatnonzero(mask))[1]
    assert dense.recall_at_k(found, exact) >= 0.95


def test_ivf_small_filter_scored_exactly_over_codes(large, ivf):
    vectors, ids, _, held_out = large
    allowed = np.array([5, 500, 5000, 15000], dtype=np.int64)
    assert dense.filter_strategy(ivf, allowed.size, K)[0] == "exact"
    scores, found = dense.search_vectors(ivf, held_out[:5], K, allowed=allowed)
    assert (found[:, 4:] == -1).all()
    assert all(sorted(row[:4].tolist()) == allowed.tolist() for row in found)
    np.testing.assert_allclose(np.sort(scores[:, :4], axis=1), np.sort(held_out[:5] @ vectors[allowed].T, axis=1),
                               atol=0.02)


def test_filtered_nprobe_grows_as_the_filter_narrows():
    wide = dense.filtered_nprobe(10, 1000, 50_000, 100_000)
    narrow = dense.filtered_nprobe(10, 1000, 1_000, 100_000)
    assert 10 < wide < narrow <= 1000
    assert dense.filtered_nprobe(10, 1000, 100_000, 100_000) == 10


# ----------------------------------------------------------------------------------------------
# reconstruction and scores

def test_vectors_for_flat_is_exact(small, flat):
    vectors, ids, _ = small
    pick = np.array([3, 1999, 0, 512])
    np.testing.assert_array_equal(dense.vectors_for(flat, ids[pick]), vectors[pick])


def test_vectors_for_ivf_within_sq8_error(large, ivf):
    vectors, ids, _, _ = large
    pick = np.array([0, 7, 19_999, 12_345])
    got = dense.vectors_for(ivf, ids[pick])
    assert got.shape == (4, DIM)
    assert np.abs(got - vectors[pick]).max() < 0.02
    assert not np.array_equal(got, vectors[pick])            # decoded codes, not the originals


def test_vectors_for_unknown_id_raises(flat):
    with pytest.raises(KeyError):
        dense.vectors_for(flat, np.array([5]))


def test_scores_for(small, flat, large, ivf):
    vectors, ids, queries = small
    pick = np.array([4, 40, 400])
    np.testing.assert_allclose(dense.scores_for(flat, queries[0], ids[pick]), vectors[pick] @ queries[0], atol=1e-5)
    big, big_ids, _, held_out = large
    np.testing.assert_allclose(dense.scores_for(ivf, held_out[0], big_ids[pick]), big[pick] @ held_out[0], atol=0.02)


# ----------------------------------------------------------------------------------------------
# changes

# ----------------------------------------------------------------------------------------------
# files

@pytest.mark.parametrize("mmap", [False, True])
def test_save_load_flat(small, flat, tmp_path, mmap):
    vectors, ids, queries = small
    path = tmp_path / "dense.faiss"
    dense.save_vector_index(flat, path)
    loaded = dense.load_vector_index(path, mmap=mmap)
    assert dense.index_kind(loaded) == dense.index_kind(flat)
    for allowed in (None, ids[::3]):
        np.testing.assert_array_equal(dense.search_vectors(loaded, queries, K, allowed=allowed)[1],
                                      dense.search_vectors(flat, queries, K, allowed=allowed)[1])
    np.testing.assert_array_equal(dense.vectors_for(loaded, ids[:5]), vectors[:5])


@pytest.mark.parametrize("mmap", [False, True])
def test_save_load_ivf(large, ivf_template, tmp_path, mmap):
    vectors, ids, _, held_out = large
    path = tmp_path / "dense.faiss"
    dense.save_vector_index(ivf_template, path)
    loaded = dense.load_vector_index(path, mmap=mmap)
    assert dense.index_kind(loaded) == dense.index_kind(ivf_template)      # nprobe travels with the file
    mask = np.arange(ids.size) % 4 == 0
    for allowed in (None, mask, ids[:100]):
        a_scores, a_ids = dense.search_vectors(loaded, held_out, K, allowed=allowed)
        b_scores, b_ids = dense.search_vectors(ivf_template, held_out, K, allowed=allowed)
        np.testing.assert_array_equal(a_ids, b_ids)
        np.testing.assert_allclose(a_scores, b_scores, atol=1e-6)
    np.testing.assert_array_equal(dense.vectors_for(loaded, ids[:5]), dense.vectors_for(ivf_template, ids[:5]))
