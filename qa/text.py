"""Text as every stage compares it: folding, tokenizing, stemming, slugs and one-line tidying.

One tokenizer serves documents and questions (the keyword index, the thesaurus, the evidence
overlap, the constraint reader), so a word is the same word everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

# bm25s's English list is short (33 words); these are the words that carry no topic in questions.
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not of off on once only or other our ours ourselves out over own same she should so
some such than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves also any show find me give reviews review case cases example examples
""".split())

_TOKEN = re.compile(r"[a-z0-9]+")
# Letters that do not decompose into an ASCII letter and an accent.
_TRANSLITERATE = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss",
                                "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def ascii_text(text: str) -> str:
    """Accents and ligatures folded to plain ASCII ("Ysgol Gymraeg Bro Dinefwr", "Ærø" -> "AEro")."""
    return unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()


def fold(text: str) -> str:
    """Lower-case ASCII with typographic apostrophes made plain: how words are compared."""
    return ascii_text(text.replace("’", "'")).lower()


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Folded, Snowball-stemmed words, stop words removed unless asked to keep them (phrase matching
    needs them: "no home" is not "home").

    Hyphenated words are split ("co-sleeping" -> "co", "sleep") so that "co sleeping" and
    "co-sleeping" match.
    """
    words = [w for w in _TOKEN.findall(fold(text)) if keep_stopwords or w not in STOPWORDS]
    return _stemmer().stemWords(words)


def normalise_space(text: str) -> str:
    """Runs of white space (no-break spaces included) as one space, trimmed."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def clean_line(text: str, limit: int = 300) -> str:
    """A value a user typed, tidied to one line: NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())[:limit]


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens: "2023 Bath & NE Somerset" -> "2023-bath-ne-somerset"."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_text(text).lower()).strip("-")[:limit].rstrip("-")


def match_key(text: str) -> str:
    """Two spellings of one name compared without case, quotes or punctuation: “Child ‘T’” == "child t",
    "self-harm" == "self harm"."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(unicodedata.normalize("NFKC", text))))


def usual_spellings(values: Iterable[str], key: Callable[[str], str] = match_key) -> dict[str, str]:
    """key -> the spelling most values use ("self harm" and "self-harm" are one key): one value
    however it is written, shown as most people wrote it."""
    spellings: dict[str, Counter] = {}
    for value in values:
        spellings.setdefault(key(value), Counter())[value] += 1
    return {k: counted.most_common(1)[0][0] for k, counted in spellings.items()}


def markdown_text(text: str) -> str:
    """Plain text that Markdown renderers show as written: no HTML, no accidental emphasis or links."""
    escaped = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "*_`[]#|":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def megabytes(size: int) -> str:
    """A size in words: "1.5 MB", or "4000 bytes" under a tenth of a megabyte."""
    return f"{size / 2**20:.1f} MB" if size >= 2**20 / 10 else f"{size} bytes"
