"""The HTTP API's answers as pydantic models: the OpenAPI schema of every route's 200 and of the
error shape. The JSON itself comes from the records' own functions (qa/search/results.py,
Digest.to_json, FilterValues.to_json, Health.to_json); these models describe it field for field, and
tests/web/test_api.py validates real answers against them (extra fields forbidden), so the schema
cannot drift from what is returned."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorAnswer(_Answer):
    """Every refusal: one line saying what is wrong and what to do."""

    error: str = Field(description="one line: what is wrong and what to do")


class FiltersAnswer(_Answer):
    year_from: int | None
    year_to: int | None
    nations: list[str]
    regions: list[str]
    areas: list[str]
    keywords: list[str]
    age_min: float | None = Field(description="child ages in years, from age_min (inclusive)")
    age_max: float | None = Field(description="... up to age_max (exclusive)")
    years: list[int] = Field(description="listed years that are not a range (“2019 and 2021”)")
    include_unknown: bool


class Understood(_Answer):
    filters: FiltersAnswer = Field(description="the filters read from the question")
    notes: list[str] = Field(description="the constraints applied, in words")
    not_applied: list[str] = Field(description="what looked like a constraint and was not used, and why")
    incident_years: list[int] = Field(description="years that say when something happened (searched as words)")
    language: str
    search_text: str = Field(description="the question without the constraints, as searched")


class Source(_Answer):
    document_id: str
    kind: str = Field(description="summary, report, executive-summary, ...")
    file: str | None = Field(description="the added file, relative to the collection folder (null for summaries)")
    page: int | None = Field(description="the physical page the passage starts on (files with pages)")
    page_end: int | None
    page_label: str | None = Field(description="the printed page label, where the PDF has one")


class Passage(_Answer):
    section: str
    section_label: str
    passage: str = Field(description="document.text[start:end]")
    start: int
    end: int
    evidence: str = Field(description="the best sentence: document.text[evidence_start:evidence_end]")
    evidence_start: int
    evidence_end: int
    passage_id: str
    citation: str
    source: Source


class Result(_Answer):
    """One review: its best passage's fields at the top level (absent when it has no passage), up to
    three passages under `passages`."""

    review_id: str
    title: str
    year: int | None
    area: str
    name: str
    nation: str
    region: str
    keywords: list[str]
    section: str | None = None
    section_label: str | None = None
    passage: str | None = None
    start: int | None = None
    end: int | None = None
    evidence: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    passage_id: str | None = None
    citation: str | None = None
    source: Source | None = None
    match: float = Field(description="the relevance users see, 0-1")
    match_label: str
    weak_match: bool
    score: float = Field(description="the fused ranking score scaled to 0-1: orders reviews, never relevance")
    similarity: float = Field(description="cosine similarity of the review's best sentence to the question")
    passages: list[Passage]
    same_case_as: list[str]
    child_ages: list[list[float]] = Field(description="the ages the summary states, as [low, high] in years")
    unknown: list[str] = Field(description="filters it passed only because its value is unknown")


class SearchAnswer(_Answer):
    query: str
    ranking: str
    understood: Understood
    filters: FiltersAnswer = Field(description="the filters applied: understood from the question and given")
    matched_reviews: int = Field(description="reviews that pass the filters")
    unknown_left_out: dict[str, int] = Field(description="per filter group: reviews left out because their "
                                                         "value is unknown")
    passing_without: dict[str, int] = Field(description="when none pass: how many would without each group")
    messages: list[str] = Field(description="all of this in sentences")
    all_weak: bool = Field(description="nothing is close: every result is a weak match")
    generation: int = Field(description="the index generation that answered")
    results: list[Result]


class DigestSet(_Answer):
    count: int
    reviews: list[str] = Field(description="review ids, best first")
    how: str


class Quote(_Answer):
    review_id: str
    document_id: str
    start: int
    end: int
    text: str = Field(description="document.text[start:end]")
    citation: str


class Theme(_Answer):
    label: str
    kind: Literal["learning", "recommendation", "good practice"]
    reviews: int
    quotes: list[Quote]


class DigestAnswer(_Answer):
    query: str
    filters: FiltersAnswer
    set: DigestSet
    profile: dict[str, dict[str, int]] = Field(description="counts by outcome, age_group, sex, year, nation and "
                                                           "region; each adds up to set.count")
    themes: list[Theme]


class SectionAnswer(_Answer):
    name: str
    label: str
    start: int
    end: int


class DocumentAnswer(_Answer):
    id: str
    kind: str
    kind_label: str
    title: str
    file: str | None
    pages: int
    sections: list[SectionAnswer]
    text: str


class ReviewAnswer(_Answer):
    id: str
    title: str
    year: int | None
    area: str
    name: str
    nation: str
    region: str
    keywords: list[str]
    child_ages: list[list[float]]
    same_case_as: list[str]
    documents: list[DocumentAnswer]


class ValueCount(_Answer):
    value: str
    count: int


class FilterValuesAnswer(_Answer):
    reviews: int
    unknown: dict[str, int] = Field(description="per filter (year, place, keyword, age): reviews with no known value")
    years: list[ValueCount]
    nations: list[ValueCount]
    regions: list[ValueCount]
    areas: list[ValueCount]
    keywords: list[ValueCount]
    age_groups: list[ValueCount]


class HealthAnswer(_Answer):
    status: Literal["ready", "loading", "error"]
    generation: int | None
    reviews: int | None
    documents: int | None
    passages: int | None
    model: str | None
    message: str


# What each status means, for the schema; every one of them answers ErrorAnswer.
ERROR_MEANINGS = {
    400: "The request cannot be answered as asked (e.g. an empty or over-long question).",
    401: "The server has an API token and the request does not carry it.",
    404: "No such review, document, passage or page.",
    409: "Another change to the collection is running; try again when it has finished.",
    413: "The request body is over the limit.",
    414: "The query string is over the limit.",
    422: "A parameter or the body is not valid (type, range, unknown name, not JSON).",
    503: "The index or the model is unavailable (being built, missing or damaged).",
}


def errors(*statuses: int) -> dict[int | str, dict]:
    """The `responses` of a route: these error statuses, each with the error model."""
    return {status: {"model": ErrorAnswer, "description": ERROR_MEANINGS[status]} for status in statuses}
