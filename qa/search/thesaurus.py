"""Plain words -> the vocabulary case reviews use (see thesaurus.tsv)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..text import tokenize


@dataclass(frozen=True)
class Entry:
    terms: tuple[str, ...]          # the review vocabulary, e.g. ("co-sleeping", "unsafe sleeping")
    phrases: tuple[tuple[str, ...], ...]  # each plain phrase, tokenized (stemmed, stop words removed)


def parse_thesaurus(text: str) -> tuple[Entry, ...]:
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        left, _, right = line.partition("\t")
        terms = tuple(t.strip() for t in left.split(",") if t.strip())
        phrases = tuple(p for p in (tuple(tokenize(p, keep_stopwords=True)) for p in right.split("|")) if p)
        # A review term in the question is its own evidence too ("county lines" -> the entry).
        phrases += tuple(p for p in (tuple(tokenize(t, keep_stopwords=True)) for t in terms) if p)
        entries.append(Entry(terms, phrases))
    return tuple(entries)


@lru_cache(maxsize=1)
def default_thesaurus() -> tuple[Entry, ...]:
    return parse_thesaurus(resources.files("qa.search").joinpath("thesaurus.tsv").read_text(encoding="utf-8"))


def _find(tokens: list[str], phrase: tuple[str, ...]) -> list[tuple[int, int]]:
    n = len(phrase)
    return [(i, i + n) for i in range(len(tokens) - n + 1) if tuple(tokens[i:i + n]) == phrase]


@lru_cache(maxsize=8)
def _by_first_token(thesaurus: tuple[Entry, ...]) -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """first token -> [(phrase, entry number)], so a question is matched in one pass over its words."""
    table: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for number, entry in enumerate(thesaurus):
        for phrase in entry.phrases:
            table.setdefault(phrase[0], []).append((phrase, number))
    return table


def expand(question: str, thesaurus: tuple[Entry, ...] | None = None) -> list[str]:
    """Review terms for every entry whose plain phrase (or own term) occurs in the question, in
    thesaurus order, without repeats and without terms the question already contains.

    The longest match wins: in "groomed to sell drugs", "sell drugs" (criminal exploitation)
    hides the "drugs" inside it (substance misuse).
    """
    thesaurus = default_thesaurus() if thesaurus is None else thesaurus
    tokens = tokenize(question, keep_stopwords=True)
    table = _by_first_token(thesaurus)
    matches = [((i, i + len(phrase)), number)
               for i, token in enumerate(tokens) for phrase, number in table.get(token, ())
               if tuple(tokens[i:i + len(phrase)]) == phrase]
    kept = {number for (start, end), number in matches
            if not any(s <= start and end <= e and (e - s) > (end - start) for (s, e), _ in matches)}
    found: list[str] = []
    for number in sorted(kept):
        for term in thesaurus[number].terms:
            if term not in found and not _find(tokens, tuple(tokenize(term, keep_stopwords=True))):
                found.append(term)
    return found
