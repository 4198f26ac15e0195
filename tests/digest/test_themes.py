import numpy as np
import pytest

from qa.digest.clauses import LEARNING, RECOMMENDATION, Clause
from qa.digest.themes import (
    CATALOGUE,
    Group,
    ThemeLabel,
    ThemeSettings,
    assign,
    clause_themes,
    label_vectors,
    load_catalogue,
    make_themes,
    mmr,
    word_label,
)
from qa.digest.vectors import VectorCache
from qa.records import Section
from tests.helpers import FakeEmbedder

SETTINGS = ThemeSettings(min_similarity=0.5, cluster_distance=0.6, min_reviews=3, quotes=3)
CATALOGUE_FOR_TESTS = (
    ThemeLabel("Safe sleep", "safe sleep advice for parents co-sleeping"),
    ThemeLabel("Information sharing", "share information between agencies"),
)


def clause(review: str, text: str, kind: str = LEARNING, number: int = 0) -> Clause:
    return Clause(review, f"{review}/summary", kind, number, number + len(text), text, Section("learning", 0, 1))


CLAUSES = [
    clause("r1", "safe sleep advice for parents must be repeated"),
    clause("r2", "safe sleep advice for parents was not given"),
    clause("r3", "parents were not given safe sleep advice"),
    clause("r4", "safe sleep advice for parents at every visit"),
    # Only two reviews share information: too few for a theme of their own.
    clause("r1", "agencies did not share information between agencies"),
    clause("r2", "share information between agencies quickly"),
    # No label fits these; three reviews say the same thing.
    clause("r3", "home education registers should be checked"),
    clause("r4", "home education registers must be checked termly"),
    clause("r5", "check home education registers every term"),
    # The same words as a recommendation: a theme of its own kind.
    clause("r1", "publish safe sleep advice for parents", RECOMMENDATION),
    clause("r2", "audit safe sleep advice for parents", RECOMMENDATION),
    clause("r5", "repeat safe sleep advice for parents", RECOMMENDATION),
]


def embed(clauses):
    return FakeEmbedder().encode([c.text for c in clauses])


def labels():
    return label_vectors(FakeEmbedder(), CATALOGUE_FOR_TESTS)


def test_the_shipped_catalogue_has_the_practice_themes():
    catalogue = load_catalogue()
    names = {t.label for t in catalogue}
    assert 20 <= len(catalogue) <= 30
    assert {"Information sharing", "Professional curiosity", "Disguised compliance", "Risk assessment",
            "The child's voice", "Fathers and men in the household", "Escalation and challenge", "Supervision",
            "Neglect assessment tools", "Safe sleep", "Domestic abuse", "Parental mental health", "Substance misuse",
            "Thresholds and referrals", "Record keeping", "Multi-agency working", "Training", "Early help",
            "Exploitation", "Health assessment", "Housing", "School and education"} <= names
    assert all(t.description for t in catalogue)
    assert CATALOGUE.read_text(encoding="utf-8").count("\t") == len(catalogue)


def test_a_catalogue_with_a_repeated_label_is_refused(tmp_path):
    path = tmp_path / "themes.tsv"
    path.write_text("# comment\nSafe sleep\tcots\nsafe sleep\tbeds\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        load_catalogue(path)


def test_clauses_go_to_the_nearest_label_or_to_a_group_of_their_own_words():
    groups = assign(CLAUSES, embed(CLAUSES), CATALOGUE_FOR_TESTS, labels(), SETTINGS)
    shown = {(g.kind, g.label): [CLAUSES[m].text for m in g.members] for g in groups}
    assert shown[(LEARNING, "Safe sleep")] == [c.text for c in CLAUSES[:4]]
    assert (LEARNING, "Information sharing") not in shown            # two reviews only
    worded = [(kind, label) for kind, label in shown if label not in {"Safe sleep", "Information sharing"}]
    assert len(worded) == 1 and worded[0][0] == LEARNING
    assert set(worded[0][1].split(", ")) == {"home", "education"}  # the clauses' own words
    assert shown[worded[0]] == [c.text for c in CLAUSES[6:9]]
    assert shown[(RECOMMENDATION, "Safe sleep")] == [c.text for c in CLAUSES[9:]]
    # Learning themes come before recommendations; within a kind, the most reviews first.
    assert [(g.kind, len(g.reviews)) for g in groups] == [(LEARNING, 4), (LEARNING, 3), (RECOMMENDATION, 3)]
    keys = clause_themes(groups, len(CLAUSES))
    assert keys[4] is None and keys[5] is None and keys[0] == "learning|Safe sleep"


def test_assignment_is_deterministic():
    vectors = embed(CLAUSES)
    first = assign(CLAUSES, vectors, CATALOGUE_FOR_TESTS, labels(), SETTINGS)
    second = assign(list(CLAUSES), vectors.copy(), CATALOGUE_FOR_TESTS, labels(), SETTINGS)
    assert [(g.key, g.members, g.reviews) for g in first] == [(g.key, g.members, g.reviews) for g in second]


def test_quotes_come_from_different_reviews_and_are_verbatim():
    vectors = embed(CLAUSES)
    groups = assign(CLAUSES, vectors, CATALOGUE_FOR_TESTS, labels(), SETTINGS)
    themes = make_themes(groups, CLAUSES, vectors, lambda c: "Summary, Learning", SETTINGS)
    for theme in themes:
        assert len(theme.quotes) == 3
        assert len({q.review_id for q in theme.quotes}) == 3
        for quote in theme.quotes:
            source = next(c for c in CLAUSES if (c.review_id, c.start, c.text) == (quote.review_id, quote.start,
                                                                                  quote.text))
            assert (quote.document_id, quote.end, quote.citation) == (source.document_id, source.end,
                                                                     "Summary, Learning")
    safe_sleep = themes[0]
    assert safe_sleep.label == "Safe sleep" and safe_sleep.reviews == 4
    assert safe_sleep.to_json()["quotes"][0].keys() == {"review_id", "document_id", "start", "end", "text",
                                                         "citation"}


def test_mmr_prefers_variety_and_skips_other_entries_for_the_same_case():
    clauses = [clause(f"r{i}", f"clause number {i} of the theme") for i in range(4)]
    # r0 is closest to the theme, r1 a near duplicate of it, r2 a little further off but different.
    vectors = np.array([[1, 0.5, 0.4], [1, 0.6, 0.35], [0.8, 0, 0.9], [0.2, 1, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    centre = np.array([1, 0.5, 0.5], dtype=np.float32) / np.float32(np.sqrt(1.5))
    group = Group("Safe sleep", LEARNING, (0, 1, 2, 3), centre, ("r0", "r1", "r2", "r3"), True)
    settings = ThemeSettings(quotes=2, mmr_lambda=0.5)
    assert mmr(group, clauses, vectors, settings) == [0, 2]
    # By closeness alone the duplicate would come second.
    assert mmr(group, clauses, vectors, ThemeSettings(quotes=2, mmr_lambda=1.0)) == [0, 1]
    # Another entry for the same case as r0 (here r2) is not quoted beside it.
    same_case = {"r0": ("r2",), "r2": ("r0",)}
    assert 2 not in mmr(group, clauses, vectors, ThemeSettings(quotes=3, mmr_lambda=0.5),
                        lambda rid: same_case.get(rid, ()))
    # ... unless no other review is left to quote.
    assert sorted(mmr(group, clauses, vectors, ThemeSettings(quotes=4), lambda rid: same_case.get(rid, ()))) == \
        [0, 1, 2, 3]
    # Never more quotes than reviews.
    assert len(mmr(group, clauses, vectors, ThemeSettings(quotes=10))) == 4


def test_word_labels_are_the_clauses_own_words_as_written():
    assert word_label(["CAMHS waiting lists were long", "Waiting for CAMHS", "children waiting for CAMHS"]) == \
        "CAMHS, waiting"
    # A word used by one text only is not a label's second word.
    assert word_label(["Schools must check registers", "schools should share", "schools"]) == "schools"
    assert word_label([]) == ""


def test_label_vectors_are_unit_rows_made_once_per_cache():
    embedder, cache = FakeEmbedder(), VectorCache()
    first = label_vectors(embedder, CATALOGUE_FOR_TESTS, cache)
    calls = embedder.calls
    again = label_vectors(embedder, CATALOGUE_FOR_TESTS, cache)
    assert np.array_equal(again, first) and embedder.calls == calls
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
