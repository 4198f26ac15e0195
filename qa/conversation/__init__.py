"""A conversation of searches, without any UI: each message becomes a Turn; follow-ups ("only 2022",
"what about Wales?", "show more", "more like the second one") refine the previous turn.

    turns.py      Turn, chat_turn, more_like_turn, rerun, replay
    followup.py   reading a follow-up message against the previous turn's filters
    pages.py      an answer's results a page at a time, by relevance or year
"""

from .followup import TURN_KINDS, FollowUp, interpret
from .turns import MORE_STEP, Turn, chat_turn, more_like_turn, replay, rerun

__all__ = ["FollowUp", "MORE_STEP", "TURN_KINDS", "Turn", "chat_turn", "interpret", "more_like_turn", "replay", "rerun"]
