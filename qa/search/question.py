"""A question as typed -> the text searched, or a clear reason it cannot be searched."""

from __future__ import annotations

import re
import unicodedata

from ..errors import InvalidQueryError

EMPTY = "The question is empty; type a few words describing what you are looking for."


def clean_question(question: object, max_chars: int) -> str:
    """Normalise a question, or raise InvalidQueryError saying what is wrong with it. Cheap: it
    runs before anything heavy loads."""
    if question is None:
        raise InvalidQueryError(EMPTY)
    if not isinstance(question, str):
        raise InvalidQueryError("The question must be text.")
    if len(question) > 20 * max_chars:
        # Long enough to be a paste of a document, not a question: refuse before normalising it.
        raise InvalidQueryError(_too_long(len(question), max_chars))
    text = unicodedata.normalize("NFKC", question)
    # Control and format characters (including zero-width ones) and lone surrogates carry no meaning.
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidQueryError(EMPTY)
    if len(text) > max_chars:
        raise InvalidQueryError(_too_long(len(text), max_chars))
    if not any(ch.isalnum() for ch in text):
        raise InvalidQueryError("The question has no letters or numbers; type a few words to search for.")
    return text


def _too_long(length: int, limit: int) -> str:
    return (f"The question is {length:,} characters long; the limit is {limit:,}. "
            "Shorten it to the main point (a sentence or two works best).")
