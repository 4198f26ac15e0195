"""The children: ages and sex from the opening account."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...gazetteer import UNKNOWN
from ..metadata import age_in
from .layout import INTRO_CHARS, _Layout
from .naming import _TAG

# Other people whose ages an account gives near the child's: a window about the child stops at them.
_OTHERS = re.compile(
    r"\b(?:mother|father|parents?|mum|dad|step-?\w+|half-?\s?(?:brother|sister|sibling)s?|brothers?|sisters?|"
    r"siblings?|cousins?|aunt|uncle|grand\w+|partner|boyfriend|girlfriend|friends?|neighbour\w*|(?<!young )man|"
    r"(?<!young )men|(?<!young )woman|(?<!young )women|lodger|carers?|sons?|daughters?|adults?|twins?|nephew|niece|"
    r"relatives?|resident|pupils?|peers?|perpetrators?|offenders?)\b|['’]s\b", re.IGNORECASE)
_MALE = re.compile(r"\b(?:boy|young man|schoolboy|baby boy|son)\b", re.IGNORECASE)
_FEMALE = re.compile(r"\b(?:girl|young woman|schoolgirl|baby girl|daughter)\b", re.IGNORECASE)
_RELATION_BEFORE = re.compile(r"\b(?:his|her|their|the|a)\s+(?:(?:younger|older|elder|little|big|baby|twin)\s+)?"
                              r"(brother|sister|son|daughter)\s*,?\s*$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|;|\n")
_CONTINUATION = re.compile(r"^\s*(?:[^.;]{0,50}?,\s*)?when\s+(he|she)\s+was\s+", re.IGNORECASE)
_WINDOW_CHARS = 170


@dataclass
class _Child:
    refs: list[re.Pattern]
    age: float | None = None
    sex: str | None = None


def _ref(text: str) -> re.Pattern:
    return re.compile(rf"(?<![\w'’-]){re.escape(text)}(?![\w-])")


def _subjects(name: str | None, body: str) -> list[_Child]:
    """The children a review is about, from its name: "Child J and Child K" -> J and K; "Baby Isaac"
    -> Isaac; "Jamie, Eilidh and Cara" -> each; "Family W" -> W1, W2 ... as the account numbers them."""
    if not name:
        return []
    tagged = re.match(rf"^(?P<tag>{_TAG})\s+(?P<rest>.+)$", name)
    if tagged:
        tag = " ".join(tagged.group("tag").split()).title()
        parts = [p for p in re.split(r"\s*(?:,|\band\b|&)\s*", tagged.group("rest")) if p]
        parts = [re.sub(rf"^{_TAG}\s+", "", p) for p in parts]
        if tag.lower() in ("family", "children") and len(parts) == 1 and re.fullmatch(r"[A-Z]", parts[0]):
            numbered = sorted(set(re.findall(rf"(?<![\w-])({parts[0]}\d{{1,2}})(?![\w-])", body[:INTRO_CHARS])),
                              key=lambda ref: int(ref[1:]))
            return [_Child([_ref(ref)]) for ref in numbered]
        singular = {"Siblings": "Sibling", "Brothers": "Brother", "Sisters": "Sister",
                    "Children": "Child"}.get(tag, tag)
        children = []
        for part in parts:
            refs = [f"{singular} {part}", f"{tag} {part}"]
            if tag.lower() == "unborn baby":
                refs.append(f"Baby {part}")
            if not (len(part) == 1 and part in "AI") and singular.lower() not in ("sibling", "brother", "sister"):
                refs.append(part)
            children.append(_Child([_ref(r) for r in dict.fromkeys(refs)]))
        return children
    parts = [p for p in re.split(r"\s*(?:,|\band\b|&)\s*", name) if p]
    if parts and all(re.fullmatch(r"[A-Z][a-z'’-]+", p) for p in parts):
        return [_Child([_ref(p)]) for p in parts]
    return []


def _window(body: str, start: int, stops: list[re.Pattern]) -> str:
    """The text after a child's name that is about the child: up to the sentence's end, a semicolon,
    another person, or another of the children."""
    end = min(len(body), start + _WINDOW_CHARS)
    text = body[start:end]
    cut = len(text)
    for pattern in (_SENTENCE_BREAK, _OTHERS, *stops):
        match = pattern.search(text)
        if match:
            cut = min(cut, match.start())
    return text[:cut]


def _sex_of(window: str) -> str | None:
    male, female = _MALE.search(window), _FEMALE.search(window)
    if male and (not female or male.start() < female.start()):
        return "male"
    return "female" if female else None


def _children(layout: _Layout, name: str | None) -> tuple[tuple[float, ...], str, str | None]:
    """(ages, sex, where) of the children the review is about, from the first sentences that give
    them; a sibling's, cousin's, parent's or neighbour's age is never taken."""
    body = layout.body[:INTRO_CHARS]
    children = _subjects(name, body)
    if not children:
        return (), UNKNOWN, None
    for child in children:
        others = [ref for other in children if other is not child for ref in other.refs]
        mentions = sorted((m.start(), m.end()) for ref in child.refs for m in ref.finditer(body))
        for start, end in mentions:
            if re.match(r"['’]s\b", body[end:end + 2]):
                continue               # "Q's mother": about someone else
            window = _window(body, end, others)
            relation = _RELATION_BEFORE.search(body[max(0, start - 30):start])
            if child.sex is None:
                child.sex = _sex_of(window) or (
                    ("male" if relation.group(1).lower() in ("brother", "son") else "female") if relation else None)
            if child.age is None:
                child.age = age_in(window)
                following = body[end + len(window):end + len(window) + 200]
                if child.age is None and re.search(r"[.!?][\"'”’)]*$", window) and window.strip(" .") \
                        and following[:1].isspace():
                    # "Child E is a boy. On 2 April 2021, when he was six weeks old, ..."
                    continuation = _CONTINUATION.match(following)
                    if continuation and (child.sex is None or child.sex == {"he": "male", "she": "female"}[
                            continuation.group(1).lower()]):
                        rest = following[continuation.end():]
                        child.age = age_in("was " + _window(rest, 0, others))
            if child.age is not None and child.sex is not None:
                break
    ages = tuple(sorted(child.age for child in children if child.age is not None))
    known = {child.sex for child in children if child.sex is not None}
    if len(known) > 1:
        sex = "mixed"
    elif known and all(child.sex is not None for child in children):
        sex = known.pop()
    else:
        sex = UNKNOWN
    return ages, sex, "introduction" if ages or sex != UNKNOWN else None
