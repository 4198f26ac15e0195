"""Follow-up messages in the chat, without a language model.

"only 2022", "what about Wales?", "show more", "more like the second one", "remove the year filter"
refine the previous question; anything else is a new question. Each rule is a plain English pattern;
the constraint words themselves are understood by qa.search.understand, the same code that reads questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..gazetteer import CHILD_WORDS
from ..search.filters import GROUPS, Filters
from ..search.understand import understand

_ORDINALS = {"first": 1, "1st": 1, "top": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
             "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "last": -1}

_SHOW_MORE = re.compile(r"^\s*(?:show|give|see|load|get)?\s*(?:me\s+)?(?:some\s+)?more(?:\s+results?|\s+reviews?)?"
                        r"(?:\s+please)?\s*[.!?]*\s*$", re.I)
_MORE_LIKE = re.compile(
    r"\b(?:more|others?|reviews?|cases?)\s+(?:like|similar to)\s+(?:the\s+|result\s+|number\s+|no\.?\s*|#)?"
    r"(?P<which>first|1st|top|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|seventh|7th|eighth|8th|"
    r"ninth|9th|tenth|10th|last|\d{1,2})\b(?:\s+(?:one|result|review))?|"
    r"\bsimilar to\s+(?:the\s+|#)?(?P<which2>first|second|third|fourth|fifth|last|\d{1,2})\b", re.I)
_REMOVE = re.compile(
    r"^\s*(?:please\s+)?(?:remove|drop|clear|reset|forget|ignore|without|no|any)\s+(?:the\s+|all\s+|that\s+|those\s+)?"
    r"(?P<what>year|years|date|dates|place|places|location|nation|country|region|area|age|ages|keyword|keywords|"
    r"filters?|constraints?)\b", re.I)
_REFINE_CUE = re.compile(
    r"^\s*(?:(?:and\s+)?(?:what|how)\s+about|only|just|now|and|but|same\s+(?:but|for)|instead|narrow\s+(?:it\s+)?to|"
    r"limit\s+(?:it\s+)?to|restrict\s+(?:it\s+)?to)\b", re.I)

# The words a user names a filter by -> the filter group (qa/search/filters.py GROUPS).
_GROUP_WORDS = {"year": "year", "years": "year", "date": "year", "dates": "year", "place": "place",
                "places": "place", "location": "place", "nation": "place", "country": "place", "region": "place",
                "area": "place", "age": "age", "ages": "age", "keyword": "keyword", "keywords": "keyword"}


# What a message can be: a new question, or a follow-up that refines, shows more, finds more like a
# result, or removes a filter (a Turn and an export's Asked carry the same kind).
TURN_KINDS = ("new", "refine", "more", "more_like", "remove")


@dataclass(frozen=True)
class FollowUp:
    kind: str                 # one of TURN_KINDS
    filters: Filters          # the filters for the next search
    change: str               # what changed, for the conversation
    more_like_rank: int = 0   # 1-based rank (-1 = last) for "more_like"


def interpret(message: str, previous_filters: Filters | None, reviews) -> FollowUp:
    """Read a chat message against the filters of the previous turn. Without a previous turn every
    message is a new question."""
    text = message.strip()
    if previous_filters is None:
        return FollowUp("new", Filters(), "")
    filters = previous_filters

    if _SHOW_MORE.match(text):
        return FollowUp("more", filters, "showing more results")

    match = _MORE_LIKE.search(text)
    if match:
        which = (match.group("which") or match.group("which2")).lower()
        rank = _ORDINALS.get(which) or int(which)
        label = "the last result" if rank == -1 else f"result {rank}"
        return FollowUp("more_like", filters, f"reviews like {label}", more_like_rank=rank)

    match = _REMOVE.match(text)
    if match:
        what = match.group("what").lower()
        if what.startswith(("filter", "constraint")):
            return FollowUp("remove", Filters(), "removed all filters")
        return FollowUp("remove", filters.without(_GROUP_WORDS[what]), f"removed the {what.rstrip('s')} filter")

    if _REFINE_CUE.match(text) or len(text.split()) <= 3:
        understood = understand(_REFINE_CUE.sub("", text, count=1).strip(), reviews)
        if not understood.filters.is_empty() and _only_constraints(understood.search_text):
            changed = _replace_groups(filters, understood.filters)
            return FollowUp("refine", changed, "now filtered to " + (changed.describe() or "everything"))

    return FollowUp("new", Filters(), "")


def _only_constraints(rest: str) -> bool:
    """True when nothing but cue and filler words is left once the constraints are taken out."""
    leftover = re.sub(r"\b(?:what|how|about|only|just|now|and|but|same|for|instead|narrow|limit|restrict|it|to|"
                      r"the|those|these|them|ones|one|reviews?|cases?|results?|please|show|me|from|in|of|"
                      rf"published|then|also|with|{CHILD_WORDS})\b", " ", rest, flags=re.I)
    return not re.sub(r"[\s?.!,;:]+", "", leftover)


def _replace_groups(old: Filters, new: Filters) -> Filters:
    """A follow-up replaces whole groups: "what about Wales?" after "London" asks for Wales instead."""
    changes = {}
    for group in GROUPS.values():
        if any(getattr(new, name) not in (None, ()) for name in group):
            for name in group:
                changes[name] = getattr(new, name)
    return replace(old, **changes)
