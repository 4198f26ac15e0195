"""Clauses -> practice themes, each with verbatim quotes from different reviews.

Every clause goes to the nearest label of the curated list (themes.tsv; a label is embedded with its
description) when it is close enough. Clauses that fit no label, or whose label too few reviews
share, are grouped by agglomerative clustering (cosine, average linkage, a distance threshold) and
such a group is labelled with the two words its clauses use most, as they write them. A theme is
shown when at least `min_reviews` reviews contribute to it; its quotes are chosen by maximal
marginal relevance (close to the theme, unlike each other), one per review. Learning,
recommendations and good practice are themed apart. No randomness anywhere: ties go to the clause
that comes first, so the same input gives the same themes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..embed import Embedder
from ..text import tokenize
from .clauses import KINDS, Clause
from .vectors import VectorCache

CATALOGUE = Path(__file__).with_name("themes.tsv")


@dataclass(frozen=True)
class ThemeSettings:
    """The thresholds (tuned on bench/digest.py: coverage, stability and time)."""

    min_similarity: float = 0.45      # a clause's cosine similarity to its label, at least
    cluster_distance: float = 0.45    # average-linkage cosine distance within a word-labelled group
    min_reviews: int = 3              # reviews that must contribute for a theme to be shown
    quotes: int = 3                   # quotes per theme, each from a different review
    mmr_lambda: float = 0.7           # closeness to the theme vs unlikeness to quotes already chosen


DEFAULT_THEME_SETTINGS = ThemeSettings()


@dataclass(frozen=True)
class ThemeLabel:
    label: str
    description: str

    @property
    def text(self) -> str:
        """What is embedded for the label."""
        return f"{self.label}: {self.description}" if self.description else self.label


@dataclass(frozen=True)
class Quote:
    review_id: str
    document_id: str
    start: int
    end: int
    text: str
    citation: str

    def to_json(self) -> dict:
        return {"review_id": self.review_id, "document_id": self.document_id, "start": self.start, "end": self.end,
                "text": self.text, "citation": self.citation}


@dataclass(frozen=True)
class Theme:
    label: str
    kind: str                      # "learning", "recommendation" or "good practice"
    reviews: int                   # how many reviews contribute a clause
    quotes: tuple[Quote, ...]
    curated: bool = True           # a label of the list, or words of its clauses
    review_ids: tuple[str, ...] = ()   # the contributing reviews, in set order

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "reviews": self.reviews,
                "quotes": [q.to_json() for q in self.quotes]}


@dataclass(frozen=True)
class Group:
    """Clauses (positions in the clause list) filed under one theme."""

    label: str
    kind: str
    members: tuple[int, ...]
    centre: np.ndarray             # unit vector: the label's, or the members' mean direction
    reviews: tuple[str, ...]       # contributing reviews, in order of first clause
    curated: bool

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.label}"


# --- the curated list -----------------------------------------------------------------------------------

def load_catalogue(path: Path | None = None) -> tuple[ThemeLabel, ...]:
    """`label<TAB>description` lines (# comments and blank lines skipped); labels must be unique."""
    path = path or CATALOGUE
    labels: list[ThemeLabel] = []
    seen: set[str] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, _, description = line.partition("\t")
        label = " ".join(label.split())
        if not label or label.lower() in seen:
            raise ValueError(f"{path}, line {number}: a theme needs a label of its own before the tab")
        seen.add(label.lower())
        labels.append(ThemeLabel(label, " ".join(description.split())))
    return tuple(labels)


def label_vectors(embedder: Embedder, catalogue: Sequence[ThemeLabel], cache: VectorCache | None = None) -> np.ndarray:
    """The labels embedded with their descriptions (once per model and list, given a cache)."""
    return (cache or VectorCache()).encode(embedder, [t.text for t in catalogue])


# --- assignment -----------------------------------------------------------------------------------------

def assign(clauses: Sequence[Clause], vectors: np.ndarray, catalogue: Sequence[ThemeLabel], labels: np.ndarray,
           settings: ThemeSettings = DEFAULT_THEME_SETTINGS) -> tuple[Group, ...]:
    """The shown themes' groups, learning first, then recommendations, then good practice; within a
    kind, most reviews first."""
    vectors = np.asarray(vectors, dtype=np.float32)
    groups: list[Group] = []
    for kind in KINDS:
        rows = [i for i, c in enumerate(clauses) if c.kind == kind]
        if not rows:
            continue
        sims = vectors[rows] @ labels.T if len(labels) else np.zeros((len(rows), 0), dtype=np.float32)
        pool: list[int] = []
        by_label: dict[int, list[int]] = {}
        for row, clause_sims in zip(rows, sims):
            best = int(np.argmax(clause_sims)) if clause_sims.size else -1
            if best >= 0 and clause_sims[best] >= settings.min_similarity:
                by_label.setdefault(best, []).append(row)
            else:
                pool.append(row)
        for label_row in sorted(by_label):
            members = by_label[label_row]
            reviews = _reviews(clauses, members)
            if len(reviews) >= settings.min_reviews:
                groups.append(Group(catalogue[label_row].label, kind, tuple(members), labels[label_row], reviews, True))
            else:
                pool += members
        groups += _clustered(clauses, vectors, sorted(pool), kind, settings)
    order = {kind: i for i, kind in enumerate(KINDS)}
    groups.sort(key=lambda g: (order[g.kind], -len(g.reviews), g.label.lower(), g.members[0]))
    return tuple(groups)


def clause_themes(groups: Sequence[Group], count: int) -> list[str | None]:
    """Each clause's theme key (None: in no shown theme)."""
    keys: list[str | None] = [None] * count
    for group in groups:
        for member in group.members:
            keys[member] = group.key
    return keys


def _clustered(clauses: Sequence[Clause], vectors: np.ndarray, pool: list[int], kind: str,
               settings: ThemeSettings) -> list[Group]:
    if len(pool) < 2:
        return []
    from sklearn.cluster import AgglomerativeClustering

    found = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=settings.cluster_distance).fit_predict(vectors[pool])
    members_of: dict[int, list[int]] = {}
    for row, cluster in zip(pool, found):
        members_of.setdefault(int(cluster), []).append(row)
    groups = []
    # Clusters in order of their first clause (the labels sklearn gives are not meaningful).
    for members in sorted(members_of.values(), key=lambda m: m[0]):
        reviews = _reviews(clauses, members)
        if len(reviews) < settings.min_reviews:
            continue
        label = word_label([clauses[m].text for m in members])
        if not label:
            continue
        centre = vectors[members].mean(axis=0)
        centre = centre / max(float(np.linalg.norm(centre)), 1e-9)
        groups.append(Group(label, kind, tuple(members), centre.astype(np.float32), reviews, False))
    return groups


def _reviews(clauses: Sequence[Clause], members: Sequence[int]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(clauses[m].review_id for m in members))


# Words of the reviews' own boilerplate: in almost every clause, they name no theme.
_GENERIC = frozenset(tokenize(
    "need needs needed ensure ensuring consider considered considering professional professionals practitioner "
    "practitioners agency agencies child children young people person family families partner partnership "
    "partnerships review reviews reviewed learning recommendation recommendations include including includes "
    "important importance must should may can could would within across work working service services "
    "support supported make made use used understand understanding develop development role roles process "
    "processes practice practices case cases local area areas appropriate appropriately clear clearly "
    "effective effectively relevant well time timely level levels way ways place able take taken "
    "particular particularly key provide provided identified identify identifying lead leads evidence "
    "impact impacts many number one two three new current issue issues information needs seek assurance "
    "safeguard safeguarding promote promoting recognise recognising recognition consideration awareness aware "
    "improve improving improved strengthen review ensure assessment assessments approach approaches "
    "relation regard regarding around potential specific good better greater high", keep_stopwords=True))
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def word_label(texts: Sequence[str], words: int = 2) -> str:
    """The `words` content words most of the texts use (counted once a text, compared folded and
    stemmed, shown as most often written): "home education, registers"."""
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = {}
    first_seen: dict[str, int] = {}
    for text in texts:
        stems_here = set()
        for match in _WORD.finditer(text):
            word = match.group(0)
            stems = tokenize(word)
            if not stems or all(s in _GENERIC or len(s) < 3 for s in stems):
                continue
            stem = "-".join(stems)
            stems_here.add(stem)
            # As written, but a capital that only starts a sentence is not kept ("Schools" -> "schools").
            shown = word.lower() if word[:1].isupper() and word[1:].islower() else word
            written.setdefault(stem, Counter())[shown] += 1
            first_seen.setdefault(stem, len(first_seen))
        counts.update(stems_here)
    top = sorted(counts, key=lambda s: (-counts[s], first_seen[s]))[:words]
    # A word after the first must be shared: by two texts, and by a third of them.
    top = top[:1] + [s for s in top[1:] if counts[s] >= max(2, -(-len(texts) // 3))]
    return ", ".join(max(written[s], key=lambda w: (written[s][w], -len(w), w)) for s in top)


# --- quotes ---------------------------------------------------------------------------------------------

def make_themes(groups: Sequence[Group], clauses: Sequence[Clause], vectors: np.ndarray,
                citation: Callable[[Clause], str], settings: ThemeSettings = DEFAULT_THEME_SETTINGS,
                same_case: Callable[[str], Sequence[str]] = lambda review_id: ()) -> tuple[Theme, ...]:
    """Each group as a theme with its quotes. `same_case(review_id)` names other entries for the same
    case, which are not quoted beside it."""
    themes = []
    for group in groups:
        chosen = mmr(group, clauses, vectors, settings, same_case)
        quotes = tuple(Quote(clauses[m].review_id, clauses[m].document_id, clauses[m].start, clauses[m].end,
                             clauses[m].text, citation(clauses[m])) for m in chosen)
        themes.append(Theme(group.label, group.kind, len(group.reviews), quotes, group.curated, group.reviews))
    return tuple(themes)


def mmr(group: Group, clauses: Sequence[Clause], vectors: np.ndarray, settings: ThemeSettings,
        same_case: Callable[[str], Sequence[str]] = lambda review_id: ()) -> list[int]:
    """Up to `settings.quotes` members, one per review, by maximal marginal relevance: each next one
    maximises lambda * closeness to the theme - (1 - lambda) * likeness to those already chosen.
    Another entry for a case already quoted is taken only when no other review is left."""
    members = np.asarray(group.members)
    candidate_vectors = vectors[members]
    relevance = candidate_vectors @ group.centre
    chosen: list[int] = []
    used_reviews: set[str] = set()
    same_cases: set[str] = set()
    likeness = np.full(len(members), -np.inf, dtype=np.float32)
    while len(chosen) < settings.quotes:
        blocked = used_reviews | same_cases
        open_ = np.array([clauses[m].review_id not in blocked for m in members])
        if not open_.any():
            open_ = np.array([clauses[m].review_id not in used_reviews for m in members])
        if not open_.any():
            break
        redundancy = np.where(np.isfinite(likeness), likeness, 0.0)
        score = settings.mmr_lambda * relevance - (1 - settings.mmr_lambda) * redundancy
        score = np.where(open_, score, -np.inf)
        pick = int(np.argmax(score))           # the first of equal scores: clause order
        member = int(members[pick])
        chosen.append(member)
        review_id = clauses[member].review_id
        used_reviews.add(review_id)
        same_cases.update(same_case(review_id))
        likeness = np.maximum(likeness, candidate_vectors @ candidate_vectors[pick])
    return chosen
