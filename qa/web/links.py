"""Every answer the app shows as a link: the question (or the review a "more like this" list started
from), the filters it was given, whether filters were read from the question, the sort and the page,
in the page's query string. Loading the link (another browser, a colleague) replays the same search;
back and forward move between answers.

    link_of(turn, view)        -> AnswerLink
    to_query(link)             -> "?q=...&year_from=2019&sort=newest&p=2"
    from_query(params)         -> AnswerLink, or InvalidQueryError naming the bad parameter
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..errors import InvalidQueryError
from ..search.filters import Filters, filters_from_input

SORTS = {"relevance": "Best match first", "newest": "Newest first", "oldest": "Oldest first"}
# Parameters a link may carry, and how many values each may repeat (a hand-edited link with 10,000
# keywords is refused, not searched).
_LIST_PARAMS = ("years", "nations", "regions", "areas", "keywords")
_MAX_VALUES = 50
_MAX_PAGE = 10
# The page of results is `p`: Gradio reads `page` in the address as one of its own pages.
PAGE_PARAMETER = "p"


@dataclass(frozen=True)
class AnswerView:
    """How the current answer is shown: the order, the page (1-based) and whether weak matches are too."""

    sort: str = "relevance"
    page: int = 1
    weak: bool = False


@dataclass(frozen=True)
class AnswerLink:
    question: str = ""
    more_like: str = ""                     # a review id: the answer is "more like this review"
    filters: Filters = field(default_factory=Filters)
    literal: bool = False                   # no filters read from the question
    view: AnswerView = field(default_factory=AnswerView)

    @property
    def empty(self) -> bool:
        return not self.question and not self.more_like


def link_of(turn, view: AnswerView) -> AnswerLink:
    return AnswerLink(question="" if turn.more_like else turn.question, more_like=turn.more_like or "",
                      filters=turn.given, literal=turn.literal, view=view)


def to_query(link: AnswerLink) -> str:
    """The query string (with its "?"), or "" for no answer. Only what differs from the defaults."""
    if link.empty:
        return ""
    pairs: list[tuple[str, str]] = [("like", link.more_like)] if link.more_like else [("q", link.question)]
    filters = link.filters
    for name in ("year_from", "year_to", "age_min", "age_max"):
        value = getattr(filters, name)
        if value is not None:
            pairs.append((name, _number(value)))
    for name in _LIST_PARAMS:
        pairs += [(name, str(value)) for value in getattr(filters, name)]
    if filters.include_unknown:
        pairs.append(("unknown", "1"))
    if link.literal and not link.more_like:
        pairs.append(("understand", "0"))
    if link.view.sort != "relevance":
        pairs.append(("sort", link.view.sort))
    if link.view.page != 1:
        pairs.append((PAGE_PARAMETER, str(link.view.page)))
    if link.view.weak:
        pairs.append(("weak", "1"))
    return "?" + urlencode(pairs)


def from_query(params: Mapping[str, Sequence[str]], max_query_chars: int) -> AnswerLink:
    """A link's parameters (each name -> its values) -> the answer it names. Unknown parameters are
    ignored (a tracking tag added by a mail client must not break the link); a bad value is refused
    with a sentence that names it."""
    def one(name: str) -> str | None:
        values = params.get(name) or []
        if len(values) > 1:
            raise InvalidQueryError(f"The link gives {name} {len(values)} times; give it once.")
        return values[0] if values else None

    question, like = (one("q") or "").strip(), (one("like") or "").strip()
    if question and like:
        raise InvalidQueryError("The link gives both a question (q) and a review (like); give one.")
    if len(question) > max_query_chars:
        raise InvalidQueryError(f"The link's question is {len(question):,} characters long; the limit is "
                                f"{max_query_chars:,}.")
    lists = {name: list(params.get(name) or []) for name in _LIST_PARAMS}
    for name, values in lists.items():
        if len(values) > _MAX_VALUES:
            raise InvalidQueryError(f"The link gives {len(values)} values for {name}; the limit is {_MAX_VALUES}.")
    filters = filters_from_input(year_from=one("year_from"), year_to=one("year_to"), nations=lists["nations"],
                                 regions=lists["regions"], areas=lists["areas"], keywords=lists["keywords"],
                                 age_min=_age(one("age_min"), "age_min"), age_max=_age(one("age_max"), "age_max"),
                                 include_unknown=_flag(one("unknown"), "unknown"))
    if lists["years"]:
        filters = Filters(**{**_fields(filters), "years": tuple(_year(value) for value in lists["years"])})
    sort = one("sort") or "relevance"
    if sort not in SORTS:
        raise InvalidQueryError(f"The link's sort must be one of {', '.join(SORTS)}; not {sort[:40]!r}.")
    page = one(PAGE_PARAMETER) or "1"
    if not page.isdigit() or not 1 <= int(page) <= _MAX_PAGE:
        raise InvalidQueryError(f"The link's page ({PAGE_PARAMETER}) must be a number from 1 to {_MAX_PAGE}; "
                                f"not {page[:40]!r}.")
    understand = one("understand")
    literal = understand is not None and not _flag(understand, "understand")
    return AnswerLink(question=question, more_like=like, filters=filters, literal=literal,
                      view=AnswerView(sort=sort, page=int(page), weak=_flag(one("weak"), "weak")))


def _fields(filters: Filters) -> dict:
    return {name: getattr(filters, name) for name in Filters.__dataclass_fields__}


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _flag(value: str | None, name: str) -> bool:
    if value in (None, "", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise InvalidQueryError(f"The link's {name} must be 1 or 0; not {value[:40]!r}.")


def _age(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidQueryError(f"The link's {name} must be an age in years; not {value[:40]!r}.") from None


def _year(value: str) -> int:
    checked = filters_from_input(year=value).year_from
    assert checked is not None
    return checked
