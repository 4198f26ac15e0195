"""The trainer's selection, kept in the browser (gr.BrowserState: the page's localStorage), so that a
reload, a closed tab or a restarted app loses none of it (localStorage belongs to an address: the same
host and port).

Only references are stored: the review and passage ids, where the passage and its evidence sentence
sit in the document, and the question that found it, never document text. They are read back as
untrusted input (anyone can edit their own localStorage, and the storage's key travels to the page, so
its encryption is no guarantee): a record that is malformed, or whose passage the collection no longer
holds exactly where it was (removed, or replaced by a changed file), is dropped and counted, and the
selection says so."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, TypeGuard

from ..conversation import TURN_KINDS
from ..errors import ReviewQAError
from ..exports.clips import Asked, Clip
from ..search.passages import PassageHit

# localStorage key and the BrowserState secret. Not a secret in any real sense (the page is given it);
# fixed so a restarted app can still read what an earlier run stored.
STORAGE_KEY = "reviewqa-selection-v1"
STORAGE_SECRET = "reviewqa-selection"
MAX_KEPT = 500          # more than a teaching pack needs; a larger stored list is cut here, and said
_MAX_TEXT = 2_000       # a stored question, change or filter description longer than this is not ours


def check_room(kept: int) -> None:
    """Refuse a passage beyond MAX_KEPT with the way on, rather than keep one the browser cannot."""
    if kept >= MAX_KEPT:
        raise ReviewQAError(f"The selection holds at most {MAX_KEPT} passages; export it, clear it, and start "
                            "another.")


def stored(clips: list[Clip]) -> list[dict[str, Any]]:
    """What the browser keeps of each kept passage, in order."""
    return [{"review": clip.review.id, "passage": clip.passage.chunk.id,
             "span": [clip.passage.chunk.start, clip.passage.chunk.end], "evidence": list(clip.passage.evidence),
             "rank": clip.rank, "score": clip.score, "passage_score": clip.passage.score,
             "asked": asdict(clip.asked)}
            for clip in clips[:MAX_KEPT]]


def restored(records: object, index) -> tuple[list[Clip], int]:
    """The kept passages a stored list names that the collection still holds as they were, in order,
    each once; and how many stored records were dropped."""
    if not isinstance(records, list):
        return [], 0 if records in (None, "", {}) else 1
    clips: list[Clip] = []
    seen: set[tuple[str, str]] = set()
    dropped = max(0, len(records) - MAX_KEPT)
    for record in records[:MAX_KEPT]:
        clip = _clip(record, index)
        if clip is None or clip.key in seen:
            dropped += 1
            continue
        seen.add(clip.key)
        clips.append(clip)
    return clips, dropped


def _clip(record: object, index) -> Clip | None:
    if not isinstance(record, dict):
        return None
    review_id, chunk_id = record.get("review"), record.get("passage")
    if not isinstance(review_id, str) or not isinstance(chunk_id, str) or review_id not in index.reviews:
        return None
    chunk = index.passage(chunk_id)
    span, evidence = _pair(record.get("span")), _pair(record.get("evidence"))
    if chunk is None or chunk.review_id != review_id or span != (chunk.start, chunk.end) or evidence is None \
            or not chunk.start <= evidence[0] < evidence[1] <= chunk.end:
        return None
    rank, score, passage_score = record.get("rank"), record.get("score"), record.get("passage_score")
    asked = _asked(record.get("asked"))
    if not _whole(rank) or not 1 <= rank <= 10_000 or not _number(score) or not _number(passage_score) \
            or asked is None:
        return None
    return Clip(asked, rank, index.reviews[review_id], PassageHit(chunk, float(passage_score), evidence), float(score))


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _pair(value: object) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(_whole(v) for v in value):
        return value[0], value[1]
    return None


def _asked(value: object) -> Asked | None:
    if not isinstance(value, dict):
        return None
    number = value.get("number")
    names = ("message", "question", "kind", "change", "filters")
    texts = [text for text in (value.get(name) for name in names) if isinstance(text, str) and len(text) <= _MAX_TEXT]
    if not _whole(number) or number < 1 or len(texts) != len(names) or texts[2] not in TURN_KINDS:
        return None
    message, question, kind, change, filters = texts
    return Asked(number, message, question, kind, change, filters)
