"""Who the matching reviews are about, counted: outcome, child age group, sex, year, nation, region.

Outcome and sex are read from each review's own opening account (its summary's first sentence:
"Death of a 16-year-old girl.", "Serious injuries to a 2-year-old boy ..."); age groups from the
ages the summary states (`Review.child_ages`); year and places from the review's metadata. A review
that does not say is counted under "unknown" (outcome: "unclear"), so every field's counts add up
to the number of reviews.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..gazetteer import ADULT_AGES, AGE_GROUPS, UNKNOWN
from ..gazetteer import age_group_of as group_of_age
from ..records import Document, Review

DEATH, SERIOUS_HARM, UNCLEAR = "death", "serious harm", "unclear"
OUTCOMES = (DEATH, SERIOUS_HARM, UNCLEAR)
SEVERAL_AGE_GROUPS = "more than one age group"
OTHER_AGES = ADULT_AGES            # an age outside every child group
BOY, GIRL, BOYS_AND_GIRLS = "boy", "girl", "boys and girls"

# Harm short of death, said first so "near-fatal", "attempted suicide" and "non-fatal" are not deaths.
_NOT_DEATH = re.compile(r"\b(?:near[- ]fatal|non[- ]fatal|near[- ]death|attempted (?:suicide|murder)"
                        r"|survived|recovered|attempts? to (?:take|end) (?:his|her|their) (?:own )?li(?:fe|ves))\b",
                        re.I)
_DEATH = re.compile(r"\b(?:deaths?|died|dies|dying|dead|killed|killing|murder(?:ed|s)?|fatal(?:ly)?|suicides?"
                    r"|manslaughter|homicides?|drown(?:ed|ing)|stillb(?:irth|orn))\b", re.I)
_HARM = re.compile(r"\b(?:injur\w*|harm\w*|abuse[ds]?|abusive|neglect\w*|assault\w*|exploit\w*|overdos\w*|rape[sd]?"
                   r"|burns?|burned|fractur\w*|bleed\w*|bruis\w*|maltreat\w*|traffick\w*|stab(?:bed|bing)?|shot"
                   r"|poison\w*|groom\w*|self-harm\w*|attempted suicide|near[- ]fatal|non[- ]fatal|hospital\w*"
                   r"|life[- ]threatening|life[- ]changing|serious incidents?|violen\w*|shaken|sexual|cruelty"
                   r"|ingest\w*|starv\w*|malnourish\w*|malnutrition|radicalis\w*|mutilation|missing)\b", re.I)
# Words for the child's sex. "male" and "female" only when they describe a child ("a male infant",
# "female siblings"), never an adult ("their male foster carer").
_YOUNG = r"(?:child(?:ren)?|infants?|bab(?:y|ies)|siblings?|twins?|teenagers?|adolescents?|toddlers?|pupils?|students?)"
_GIRL = re.compile(rf"\b(?:girls?|daughters?|young females?|female {_YOUNG})\b", re.I)
_BOY = re.compile(rf"\b(?:boys?|sons?|young males?|male {_YOUNG})\b", re.I)
# Only when no word above says: "Sexual abuse of two sisters".
_SISTERS, _BROTHERS = re.compile(r"\bsisters?\b", re.I), re.compile(r"\bbrothers?\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])")


@dataclass(frozen=True)
class Profile:
    """Counts of the matching reviews by field; in each field the counts add up to the set's size."""

    outcome: tuple[tuple[str, int], ...]
    age_group: tuple[tuple[str, int], ...]
    sex: tuple[tuple[str, int], ...]
    year: tuple[tuple[str, int], ...]
    nation: tuple[tuple[str, int], ...]
    region: tuple[tuple[str, int], ...]

    FIELDS = ("outcome", "age_group", "sex", "year", "nation", "region")

    def to_json(self) -> dict:
        return {name: dict(getattr(self, name)) for name in self.FIELDS}


def opening_account(documents: Sequence[Document]) -> str:
    """A review's first sentence, in its own words: the summary's "What happened" section, else the
    start of its first document."""
    summary = next((d.summary for d in documents if d.summary), "")
    text = summary or (documents[0].text[:600] if documents else "")
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0] if text.strip() else ""


def outcome_of(opening: str) -> str:
    """"death", "serious harm" or "unclear", as the opening account says it."""
    if _DEATH.search(opening) and not _NOT_DEATH.search(opening):
        return DEATH
    if _HARM.search(opening) or _NOT_DEATH.search(opening) or _DEATH.search(opening):
        return SERIOUS_HARM
    return UNCLEAR


def sex_of(opening: str) -> str:
    girl, boy = bool(_GIRL.search(opening)), bool(_BOY.search(opening))
    if not girl and not boy:
        girl, boy = bool(_SISTERS.search(opening)), bool(_BROTHERS.search(opening))
    if girl and boy:
        return BOYS_AND_GIRLS
    return GIRL if girl else BOY if boy else UNKNOWN


def age_group_of(review: Review) -> str:
    """The age group (qa.gazetteer.AGE_GROUPS) of the children the review names; "unknown" when it
    states no age, "more than one age group" for children of several."""
    if not review.child_ages:
        return UNKNOWN
    groups = {group_of_age(low) for low, _ in review.child_ages}
    return groups.pop() if len(groups) == 1 else SEVERAL_AGE_GROUPS


def make_profile(reviews: Sequence[Review], documents_of) -> Profile:
    """`documents_of(review_id)` gives a review's documents (SearchIndex.documents_of)."""
    openings = [opening_account(documents_of(r.id)) for r in reviews]
    return Profile(
        outcome=_ordered((outcome_of(o) for o in openings), OUTCOMES),
        age_group=_ordered((age_group_of(r) for r in reviews), (*AGE_GROUPS, OTHER_AGES, SEVERAL_AGE_GROUPS)),
        sex=_ordered((sex_of(o) for o in openings), (GIRL, BOY, BOYS_AND_GIRLS)),
        year=tuple(sorted(Counter(r.year_label for r in reviews).items())),
        nation=_by_count(r.nation for r in reviews),
        region=_by_count(r.region for r in reviews),
    )


def _ordered(values: Iterable[str], order: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Counts in a fixed order of keys (those with none left out), then any other key, "unknown" last."""
    counts = Counter(values)
    rank = {key: i for i, key in enumerate(order)}
    keys = sorted(counts, key=lambda k: (k == UNKNOWN, rank.get(k, len(rank)), k))
    return tuple((k, counts[k]) for k in keys)


def _by_count(values: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Most common first (ties alphabetical), "unknown" last."""
    counts = Counter(values)
    return tuple((k, counts[k]) for k in sorted(counts, key=lambda k: (k.lower() == UNKNOWN, -counts[k], k)))
