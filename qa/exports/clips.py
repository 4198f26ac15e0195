"""What an export holds: clips, each one passage an answer showed, with the question that found it.

A clip is chosen from a turn of the conversation: every passage an answer showed (`clips_of_turn`),
every passage of a conversation once (`conversation_clips`: the first turn that showed it, the later
ones named), or a trainer's picks (`clips_for`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..conversation import Turn
from ..errors import ReviewQAError
from ..records import Review
from ..search.passages import PassageHit


@dataclass(frozen=True)
class Asked:
    """One turn of the conversation, as an export records it."""

    number: int          # 1-based position in the conversation
    message: str         # what the user typed
    question: str        # the question searched (a follow-up's is the original question)
    kind: str            # one of conversation.TURN_KINDS
    change: str          # what a follow-up changed, in words ("" for a new question)
    filters: str         # the filters applied, in words ("" for none)

    @classmethod
    def of(cls, turn: Turn, number: int) -> Asked:
        return cls(number, turn.message, turn.question, turn.kind, turn.change, turn.filters.describe())

    @property
    def described(self) -> str:
        """The turn in one line: “knife crime” (filtered to: 2022) or “only 2022” (now filtered to ...)."""
        said = f"“{self.message or self.question}”"
        if self.kind != "new" and self.change:
            return f"{said} ({self.change})"
        return f"{said} (filtered to: {self.filters})" if self.filters else said


@dataclass(frozen=True)
class Clip:
    """One chosen passage."""

    asked: Asked                     # the turn that showed it (the first one, in a conversation export)
    rank: int                        # its review's rank in that answer
    review: Review
    passage: PassageHit              # the passage (chunk) and its evidence sentence
    score: float                     # the review's ranking score in that answer (orders, never relevance)
    also_in: tuple[int, ...] = ()    # later turns that showed it again (conversation exports)

    @property
    def key(self) -> tuple[str, str]:
        return self.review.id, self.passage.chunk.id

    @property
    def evidence_text(self) -> str:
        start, end = self.passage.evidence
        return self.passage.chunk.document.text[start:end]


def clips_of_turn(turn: Turn, number: int = 1) -> list[Clip]:
    """Every passage a turn's answer showed, best review first (a "show more" turn: only the results it
    added, 11-20 after 1-10)."""
    asked = Asked.of(turn, number)
    return [Clip(asked, rank, hit.review, passage, hit.score)
            for rank, hit in turn.new_results for passage in hit.passages]


def conversation_clips(conversation: Sequence[Turn]) -> tuple[list[Asked], list[Clip]]:
    """Every turn, and every passage the conversation showed once: under the first turn that showed it,
    with the later turns that showed it again in `also_in`."""
    asked = [Asked.of(turn, number) for number, turn in enumerate(conversation, 1)]
    first: dict[tuple[str, str], int] = {}
    clips: list[Clip] = []
    for number, turn in enumerate(conversation, 1):
        for clip in clips_of_turn(turn, number):
            if clip.key in first:
                position = first[clip.key]
                earlier = clips[position]
                if number not in earlier.also_in and number != earlier.asked.number:
                    clips[position] = Clip(earlier.asked, earlier.rank, earlier.review, earlier.passage,
                                           earlier.score, (*earlier.also_in, number))
                continue
            first[clip.key] = len(clips)
            clips.append(clip)
    return asked, clips


Pick = tuple[int, str, str]   # (turn index from 0, review id, chunk id): a passage a trainer marked


def clips_for(conversation: Sequence[Turn], picks: Sequence[Pick]) -> list[Clip]:
    """The clips a trainer picked, in the order picked. A pick that no longer matches the conversation
    (a turn or passage that is not there) is refused with a sentence, never skipped silently."""
    clips = []
    for turn_index, review_id, chunk_id in picks:
        if not 0 <= turn_index < len(conversation):
            raise ReviewQAError(f"A picked passage belongs to answer {turn_index + 1}, which this conversation no "
                                "longer has; clear the selection and pick again.")
        turn = conversation[turn_index]
        found = next((clip for clip in _all_shown(turn, turn_index + 1)
                      if clip.key == (review_id, chunk_id)), None)
        if found is None:
            raise ReviewQAError(f"A picked passage ({chunk_id}) is not among answer {turn_index + 1}'s passages; "
                                "clear the selection and pick again.")
        clips.append(found)
    return clips


def _all_shown(turn: Turn, number: int) -> list[Clip]:
    """Every passage the turn shows, earlier pages included: a pick can be made from any of them."""
    asked = Asked.of(turn, number)
    return [Clip(asked, rank, hit.review, passage, hit.score) for rank, hit in turn.ranked for passage in hit.passages]
