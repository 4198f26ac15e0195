"""The HTTP API, served beside the web app (mounted at /api by qa/web/server.py):

    GET  /api/search?q=...&k=...&year_from=...&nation=...   the same JSON as `reviewqa search --json`
    POST /api/search  {"question": ..., "nations": [...], ...}   the same, from a JSON body
    GET  /api/reviews/{id}              one review and its documents
    GET  /api/reviews/{id}/similar      reviews like it (optional k and filters)
    GET  /api/documents/{id}/pages/{n}.png?passage=<passage id>   a PDF page, the passage highlighted
    GET  /api/documents/{id}/original   the document's kept original file (as a download)
    PATCH /api/reviews/{id}             correct its details and its documents' kinds (nothing re-embedded)
    GET  /api/health                    the index generation served, counts, model, ready or loading
    GET  /api/docs, /api/openapi.json   OpenAPI

Inputs are typed pydantic models (ranges, enumerations, list types and lengths); every refusal is a
4xx with `{"error": "<one line>"}`, and nothing ever answers 500. The models are the OpenAPI schema,
answers included (qa/web/schema.py: every route's 200 and each error status it can return);
each request becomes a SearchRequest (qa/search/request.py) and the handlers call only the Service,
which they get by dependency; the JSON comes from the results' own `to_json`.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import math
import os
import pathlib
import re
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..digest.digest import DEFAULT_LIMIT, MAX_LIMIT
from ..errors import (
    CollectionBusyError,
    CorpusError,
    IndexCorruptError,
    IndexMissingError,
    IndexStaleError,
    InvalidQueryError,
    ModelLoadError,
    NotFoundError,
    ReviewQAError,
)
from ..gazetteer import ADULT, AGE_GROUP_ALIASES, AGE_GROUPS
from ..search import MAX_K, filters_from_input, search_request, similar_request
from ..search.filters import MAX_FILTER_VALUES, YEAR_RANGE
from ..search.rankings import DEFAULT_RANKING, RANKINGS
from ..search.results import review_record
from ..source import MAX_SCALE, MIN_SCALE
from .access import bearer_matches, header
from .guards import UNAUTHORISED, LimitMiddleware, one_line
from .schema import DigestAnswer, FilterValuesAnswer, HealthAnswer, ReviewAnswer, SearchAnswer, errors

log = logging.getLogger("reviewqa.api")

MAX_ID = 300                     # characters of a review id in a path
MAX_NAME = 200                   # characters of one filter value
# Searches at once, one per core (at least 2); the rest wait their turn, first come first served.
CONCURRENT_SEARCHES = max(2, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                 else (os.cpu_count() or 2)))

UNAVAILABLE = (IndexMissingError, IndexStaleError, IndexCorruptError, ModelLoadError, CorpusError)
SERVER_FAULT = "Something went wrong on our side and it was logged; please try again."

# --- input models ----------------------------------------------------------------------------------

Year = Annotated[int, Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1], description="a publication year")]
K = Annotated[int, Field(ge=1, le=MAX_K, description=f"how many reviews (1-{MAX_K}; default 10)")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
Names = Annotated[list[Name], Field(max_length=MAX_FILTER_VALUES)]
# Literals made from the gazetteer's age groups and the named rankings, so the schema lists them: mypy
# cannot read a Literal built at run time, hence the ignores where they are used.
AgeGroup = Literal[tuple(["any", *AGE_GROUPS, *AGE_GROUP_ALIASES])]  # type: ignore[valid-type]
RankingName = Literal[tuple(RANKINGS)]  # type: ignore[valid-type]
# The question's length is checked by clean_question (one message for every surface); the body and
# query-string limits bound what reaches it.
Question = Annotated[str, Field(description="the question, in plain words")]
Age = Annotated[float, Field(ge=0, le=ADULT, description="a child's age in years (months as fractions: 0.5)")]
IncludeUnknown = Annotated[bool, Field(description="also keep reviews whose value for a filter is unknown (no known "
                                                   "year, place, keywords or child age); they are marked in "
                                                   "`unknown` and counted in `unknown_left_out` otherwise")]


class FilterQuery(BaseModel):
    """Filters as query parameters; a place or keyword parameter can be repeated (places are
    alternatives, keywords must all match)."""

    model_config = ConfigDict(extra="forbid")

    year: Year | None = Field(None, description="only this publication year (not with year_from/year_to)")
    year_from: Year | None = None
    year_to: Year | None = None
    nation: Names = Field([], description="e.g. Wales (repeatable)")
    region: Names = Field([], description="an English region, e.g. London (repeatable)")
    area: Names = Field([], description="a local area, e.g. Kent (repeatable)")
    keyword: Names = Field([], description="a subject keyword (repeatable; all must match)")
    age_group: AgeGroup | None = None  # type: ignore[valid-type]
    age_min: Age | None = Field(None, description="youngest child age kept, in years (not with age_group)")
    age_max: Age | None = Field(None, description="first child age left out, in years: aged 12 is 12 to 13")
    include_unknown: IncludeUnknown = False

    def filter_input(self) -> dict:
        return {"year": self.year, "year_from": self.year_from, "year_to": self.year_to, "nations": self.nation,
                "regions": self.region, "areas": self.area, "keywords": self.keyword, "age_group": self.age_group,
                "age_min": self.age_min, "age_max": self.age_max, "include_unknown": self.include_unknown}


class SimilarQuery(FilterQuery):
    k: K | None = None


class SearchQuery(SimilarQuery):
    q: Question = Field(description="the question, in plain words")
    literal: bool = Field(False, description="do not turn years, places or ages in the question into filters")
    ranking: RankingName = DEFAULT_RANKING  # type: ignore[valid-type]


class SearchBody(BaseModel):
    """`POST /api/search`: strict JSON types (`"k": "5"`, `"literal": "no"` or `"year_from": 2021.5` are
    refused, not guessed). A place or keyword list may be one string."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    question: Question = Field(validation_alias=AliasChoices("question", "q"))
    k: K | None = None
    year: Year | None = None
    year_from: Year | None = None
    year_to: Year | None = None
    nations: Name | Names | None = None
    regions: Name | Names | None = None
    areas: Name | Names | None = None
    keywords: Name | Names | None = None
    age_group: AgeGroup | None = None  # type: ignore[valid-type]
    age_min: Age | None = None
    age_max: Age | None = None
    include_unknown: IncludeUnknown = False
    literal: bool = False
    ranking: RankingName = DEFAULT_RANKING  # type: ignore[valid-type]

    def filter_input(self) -> dict:
        return {"year": self.year, "year_from": self.year_from, "year_to": self.year_to, "nations": self.nations,
                "regions": self.regions, "areas": self.areas, "keywords": self.keywords, "age_group": self.age_group,
                "age_min": self.age_min, "age_max": self.age_max, "include_unknown": self.include_unknown}


class PageQuery(BaseModel):
    """Which passage to highlight on a page: its id (a search result's `passage_id`), or its start and
    end in the document's text."""

    model_config = ConfigDict(extra="forbid")

    passage: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID + 12)] | None = Field(
        None, description="the passage to highlight: a search result's `passage_id` (\"<document id>#<n>\")")
    start: Annotated[int, Field(ge=0, description="or: the passage's start in the document's text")] | None = None
    end: Annotated[int, Field(ge=1, description="... and its end")] | None = None
    scale: Annotated[float, Field(ge=MIN_SCALE, le=MAX_SCALE, description="pixels per PDF point (default 1.5)")] | \
        None = None


Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"reviews in the digest at most (1-{MAX_LIMIT}; "
                                                            f"default {DEFAULT_LIMIT})")]


class DigestQuery(SearchQuery):
    limit: Limit = DEFAULT_LIMIT


class DigestBody(SearchBody):
    limit: Limit = DEFAULT_LIMIT


EditText = Annotated[str, StringConstraints(max_length=300)]


class DocumentEditBody(BaseModel):
    """A document's new kind and title (`null` or left out: unchanged)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: EditText | None = Field(None, description="summary, report, executive-summary, learning-brief, "
                                                    "practice-guide, thematic-review or other (or its words)")
    title: EditText | None = Field(None, description="the document's own title")


class EditBody(BaseModel):
    """`PATCH /api/reviews/{id}`: the fields to change, as a user writes them; a field left out (or
    `null`) is unchanged and `"unknown"` clears it. Checked as `reviewqa edit` checks them."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: EditText | None = Field(None, description="the review's title (\"unknown\": YEAR – AREA – NAME)")
    year: Annotated[int, Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])] | Literal["unknown"] | None = Field(
        None, description="the publication year, or \"unknown\"")
    area: EditText | None = Field(None, description="the partnership's area, e.g. Kent (nation and region follow)")
    nation: EditText | None = Field(None, description="England, Wales, Scotland, Northern Ireland, Channel "
                                                      "Islands, Isle of Man or unknown")
    region: EditText | None = Field(None, description="an English region, or the nation outside England")
    name: EditText | None = Field(None, description="the child's pseudonym, e.g. Child Q")
    child_ages: EditText | None = Field(None, description="one age per child, separated by semicolons: "
                                                          "\"3 years; 5 months\", \"14\", \"a baby\"")
    documents: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID)], DocumentEditBody],
                         Field(max_length=50)] | None = Field(None, description="per document id of this review: "
                                                                               "its new kind and title")


def parse_body(payload: Any) -> SearchBody:
    """A decoded JSON value -> SearchBody, or InvalidQueryError with one readable line."""
    try:
        return SearchBody.model_validate(payload)
    except ValidationError as error:
        raise InvalidQueryError(validation_message(error.errors(), SearchBody)) from None


# --- readable messages -----------------------------------------------------------------------------

def validation_message(errors, model: type[BaseModel] | None = None) -> str:
    """pydantic's (or FastAPI's) error list -> one line about the first error."""
    if not errors:
        return "The request is not valid."
    error = _first(errors)
    loc = [part for part in error.get("loc", ()) if part not in ("query", "body", "path")]
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "json_invalid":
        return f"The request body is not valid JSON ({ctx.get('error', 'cannot be parsed')})."
    if not loc and kind in ("model_attributes_type", "dict_type", "model_type"):
        return "The request body must be a JSON object, e.g. {\"question\": \"baby bruising\"}."
    # List positions ("nations", 0) read as "nations[0]"; a union's branch names add nothing.
    field = ""
    for part in loc:
        if isinstance(part, int):
            field += f"[{part}]"
        elif field == "" or not _is_branch(part):
            field += ("." if field else "") + str(part)
    field = field or "the request"
    if kind == "extra_forbidden":
        names = sorted(_field_names(model)) if model else []
        close = difflib.get_close_matches(str(loc[-1]) if loc else "", names, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        known = f" Known: {', '.join(names)}." if names else ""
        return one_line(f"Unknown parameter '{field}'.{hint}{known}")
    if kind == "missing":
        return one_line(f"{field} is required" + (" (the question to search for)." if field in ("q", "question")
                                               else "."))
    shown = _shown(value)
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return one_line(f"{field} must be a whole number, not {shown}.")
    if kind == "finite_number":
        return one_line(f"{field} must be a finite whole number, not {shown}.")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = _bounds(model, loc)
        span = f"from {low} to {high}" if low is not None and high is not None else error.get("msg", "").lower()
        return one_line(f"{field} must be {span}, not {shown}.")
    if kind in ("bool_type", "bool_parsing"):
        return one_line(f"{field} must be true or false, not {shown}.")
    if kind in ("string_type", "str_type"):
        return one_line(f"{field} must be text, not {shown}.")
    if kind == "string_too_short":
        return one_line(f"{field} must not be empty.")
    if kind == "string_too_long":
        return one_line(f"{field} is too long ({len(value) if isinstance(value, str) else '?':,} characters; "
                     f"the limit is {ctx.get('max_length', '?'):,}).")
    if kind == "list_type":
        return one_line(f"{field} must be a list of names (or one name), not {shown}.")
    if kind == "too_long":
        return one_line(f"{field} has {ctx.get('actual_length', 'too many')} values; the limit is "
                     f"{ctx.get('max_length', MAX_FILTER_VALUES)}.")
    if kind == "literal_error":
        return one_line(f"{field} must be one of: {ctx.get('expected', '')}; not {shown}.")
    return one_line(f"{field}: {error.get('msg', 'is not valid')} (got {shown}).")


def _first(errors) -> dict:
    """The first error; for a field that takes one name or a list of names, the error of the branch the
    value was meant for."""
    error = errors[0]
    loc = error.get("loc", ())
    branch = next((part for part in loc if _is_branch(part)), None)
    if branch is None:
        return error
    field_loc = loc[:loc.index(branch)]
    same = [e for e in errors if tuple(e.get("loc", ()))[:len(field_loc)] == tuple(field_loc)]
    value = error.get("input")
    if isinstance(value, list):
        return next((e for e in same if any(str(p).startswith("list[") for p in e["loc"])), error)
    if isinstance(value, str):
        return error
    return {"type": "list_type", "loc": field_loc, "input": value, "msg": "Input should be a valid list"}


def _is_branch(part) -> bool:
    # pydantic names the branch of a union it tried: "list[constrained-str]", "constrained-str", "int".
    return isinstance(part, str) and (part.startswith(("list[", "constrained-", "literal[")) or part in
                                      ("str", "int", "bool", "float", "function-after[", "none"))


def _field_names(model: type[BaseModel]) -> set[str]:
    names = set()
    for name, info in model.model_fields.items():
        names.add(name)
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(a for a in alias.choices if isinstance(a, str))
    return names


def _bounds(model, loc) -> tuple[Any, Any]:
    name = str(loc[0]) if loc else ""
    if name in ("year", "year_from", "year_to"):
        return YEAR_RANGE
    if name == "k":
        return 1, MAX_K
    return None, None


def _shown(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str) and re.fullmatch(r"[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?", value.strip(), re.I):
        return value.strip()[:60]  # a number from a query string reads as a number
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def error_json(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": one_line(message)}, status_code=status, headers=headers)


# --- the routes ------------------------------------------------------------------------------------

def service_of(request: Request):
    """The Service this API answers from (set on the app by make_api)."""
    return request.app.state.service


def searches(request: Request) -> anyio.CapacityLimiter:
    """Searches run in worker threads, at most CONCURRENT_SEARCHES at once; the rest wait in the event
    loop, first come first served (anyio's limiter is FIFO) and without holding a thread, so health
    checks and other routes are never starved by a queue of searches. Made on first use: a limiter
    belongs to the running event loop."""
    state = request.app.state
    if getattr(state, "searches", None) is None:
        state.searches = anyio.CapacityLimiter(CONCURRENT_SEARCHES)
    return state.searches


_bearer = HTTPBearer(auto_error=False, description="the server's API token (when the server has one)")


def authorised(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]):
    token = request.app.state.token
    if token is not None and not bearer_matches(request.headers.get("authorization"), token):
        raise _Refused(401, UNAUTHORISED, {"WWW-Authenticate": "Bearer"})


router = APIRouter(dependencies=[Depends(authorised)])
ServiceDependency = Annotated[Any, Depends(service_of)]
Limiter = Annotated[anyio.CapacityLimiter, Depends(searches)]


async def answer(limiter: anyio.CapacityLimiter, call, *args, respond=JSONResponse) -> Response:
    """Run a Service call in a worker thread and `respond` with its result (JSON unless told);
    domain errors become 4xx/503 with one line, anything else is logged."""
    try:
        result = await anyio.to_thread.run_sync(functools.partial(call, *args), limiter=limiter)
        return respond(result)
    except CollectionBusyError as error:
        return error_json(409, str(error))
    except UNAVAILABLE as error:
        return error_json(503, str(error))
    except NotFoundError as error:
        return error_json(404, str(error))
    except ReviewQAError as error:
        return error_json(400, str(error))
    except Exception:  # noqa: BLE001 - the HTTP edge: log it, answer plainly, never a 500
        log.exception("unexpected error in the API")
        return error_json(503, SERVER_FAULT)


def _search(service, question: str, filter_input: dict, k, literal: bool, ranking: str) -> dict:
    request = search_request(question, service.settings, filters=filters_from_input(**filter_input), k=k,
                             ranking=ranking, literal=literal)
    return service.search(request).to_json()


@router.get("/search", summary="Search the reviews", response_model=SearchAnswer,
            responses=errors(400, 401, 414, 422, 503),
            description="The same JSON as `reviewqa search --json`: `query`, `understood` (with `not_applied`: "
                        "what looked like a constraint and was not used, and why), `filters`, `matched_reviews`, "
                        "`unknown_left_out` (per filter, reviews left out because their value is unknown: set "
                        "`include_unknown` to keep them, marked in each result's `unknown`), `passing_without` "
                        "(when none pass: how many would without each filter), `messages` (all of this in "
                        "sentences), `generation` and `results` (one per review, best passage first; `match` and "
                        "`match_label` are the relevance scale).")
async def search_get(params: Annotated[SearchQuery, Query()], service: ServiceDependency, limiter: Limiter):
    return await answer(limiter, _search, service, params.q, params.filter_input(), params.k, params.literal,
                        params.ranking)


@router.post("/search", summary="Search the reviews (JSON body)", response_model=SearchAnswer,
             responses=errors(400, 401, 413, 414, 422, 503))
async def search_post(body: SearchBody, service: ServiceDependency, limiter: Limiter):
    return await answer(limiter, _search, service, body.question, body.filter_input(), body.k, body.literal,
                        body.ranking)


def _digest(service, question: str, filter_input: dict, literal: bool, ranking: str, limit: int) -> dict:
    request = search_request(question, service.settings, filters=filters_from_input(**filter_input), ranking=ranking,
                             literal=literal)
    return service.digest(request, limit).to_json()


DIGEST_DESCRIPTION = ("What the reviews that answer a question learned, in their own words: `set` (the matching "
                      "reviews, best first, and how they were chosen), `profile` (counts by outcome, age group, sex, "
                      "year, nation and region; each adds up to `set.count`), `themes` (learning, recommendations "
                      "and good practice, each with verbatim quotes from different reviews; `text` is "
                      "`document.text[start:end]`). The same JSON as `reviewqa digest --json`.")


@router.get("/digest", summary="What the matching reviews learned", description=DIGEST_DESCRIPTION,
            response_model=DigestAnswer, responses=errors(400, 401, 414, 422, 503))
async def digest_get(params: Annotated[DigestQuery, Query()], service: ServiceDependency, limiter: Limiter):
    return await answer(limiter, _digest, service, params.q, params.filter_input(), params.literal, params.ranking,
                        params.limit)


@router.post("/digest", summary="What the matching reviews learned (JSON body)", description=DIGEST_DESCRIPTION,
             response_model=DigestAnswer, responses=errors(400, 401, 413, 414, 422, 503))
async def digest_post(body: DigestBody, service: ServiceDependency, limiter: Limiter):
    return await answer(limiter, _digest, service, body.question, body.filter_input(), body.literal, body.ranking,
                        body.limit)


@router.get("/reviews/{review_id}", summary="One review and its documents", response_model=ReviewAnswer,
            responses=errors(400, 401, 404, 414, 422, 503))
async def review(review_id: Annotated[str, Path(min_length=1, max_length=MAX_ID)], service: ServiceDependency,
                 limiter: Limiter):
    return await answer(limiter, lambda: review_record(service.review(review_id)))


@router.get("/reviews/{review_id}/similar", summary="Reviews like this one", response_model=SearchAnswer,
            responses=errors(400, 401, 404, 414, 422, 503))
async def similar(review_id: Annotated[str, Path(min_length=1, max_length=MAX_ID)],
                  params: Annotated[SimilarQuery, Query()], service: ServiceDependency, limiter: Limiter):
    def call():
        request = similar_request(review_id, service.settings, filters=filters_from_input(**params.filter_input()),
                                  k=params.k)
        return service.more_like(request).to_json()
    return await answer(limiter, call)


def writes(request: Request) -> anyio.CapacityLimiter:
    """Changes to the collection run one at a time (the writer lock would make a second one wait
    anyway, holding a thread), apart from the searches' limiter so searches never wait behind them."""
    state = request.app.state
    if getattr(state, "writes", None) is None:
        state.writes = anyio.CapacityLimiter(1)
    return state.writes


@router.patch("/reviews/{review_id}", summary="Correct a review's details and its documents' kinds",
              response_model=ReviewAnswer, responses=errors(400, 401, 404, 409, 414, 422, 503),
              description="Change a review's `title`, `year`, `area`, `nation`, `region`, `name` or `child_ages`, "
                          "and per document id under `documents` its `kind` and `title`; `\"unknown\"` clears a "
                          "field. Nothing is re-embedded: the answer is the review as `GET /api/reviews/{id}` gives "
                          "it, from the new index generation. 400 for a value that is not valid (nothing changed), "
                          "404 for an unknown review or document, 409 while another change is running.")
async def edit(review_id: Annotated[str, Path(min_length=1, max_length=MAX_ID)], body: EditBody,
                      service: ServiceDependency, limiter: Annotated[anyio.CapacityLimiter, Depends(writes)]):
    from ..changes import DocumentEdit, ReviewEdit

    edit = ReviewEdit(title=body.title, year=body.year, area=body.area, nation=body.nation, region=body.region,
                      name=body.name, child_ages=body.child_ages)
    documents = {document_id: DocumentEdit(kind=d.kind, title=d.title)
                 for document_id, d in (body.documents or {}).items()}

    def call():
        service.edit(review_id, edit, documents)
        return review_record(service.review(review_id))
    return await answer(limiter, call)


@router.get("/filters", summary="Every filter's values, with how many reviews have each",
            response_model=FilterValuesAnswer, responses=errors(401, 414, 503),
            description="`nations`, `regions`, `areas`, `keywords`, `years` and `age_groups` as `{value, count}` "
                        "lists (spellings of one value folded into its usual one), and `unknown`: per filter "
                        "(`year`, `place`, `keyword`, `age`), how many reviews have no known value for it.")
async def filter_values(service: ServiceDependency, limiter: Limiter):
    return await answer(limiter, lambda: service.filter_values().to_json())


# A file or image served from the collection is never run or sniffed as another type by a browser.
SERVED_FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}
DocumentId = Annotated[str, Path(min_length=1, max_length=MAX_ID, description="a document id (a search result's "
                                                                              "`source.document_id`)")]


def _png(image) -> Response:
    boxes = " ".join(",".join(str(v) for v in box) for box in image.boxes)
    return Response(image.png, media_type="image/png",
                    headers={**SERVED_FILE_HEADERS, "X-Highlight-Boxes": boxes, "X-Page-Count": str(image.pages)})


@router.get("/documents/{document_id:path}/pages/{page}.png", summary="A PDF page with the passage highlighted",
            response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "The page as PNG."},
                       **errors(400, 401, 404, 414, 422, 503)},
            description="The page (physical, from 1) of an added PDF drawn as PNG, with the passage given by "
                        "`passage` (or `start` and `end`) highlighted where it lies on this page. "
                        "`X-Highlight-Boxes` lists the highlight's boxes (left,top,right,bottom in the image's "
                        "pixels); `X-Page-Count` the PDF's pages. 404 for an unknown document or passage, a "
                        "document that is not a PDF, or a page out of range.")
async def page_png(document_id: DocumentId, page: int, params: Annotated[PageQuery, Query()],
                   service: ServiceDependency, limiter: Limiter):
    return await answer(limiter, lambda: service.page_image(document_id, page, passage=params.passage,
                                                            start=params.start, end=params.end, scale=params.scale),
                        respond=_png)


def _file(original) -> FileResponse:
    # Always an attachment (an HTML original is never shown inline, from this server's origin).
    return FileResponse(original.path, media_type=original.media_type, filename=original.filename,
                        content_disposition_type="attachment", headers=SERVED_FILE_HEADERS)


@router.get("/documents/{document_id:path}/original", summary="The document's original file",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}, "description": "The original file."},
                       **errors(401, 404, 414, 422, 503)},
            description="The file a document was added from, as a download. 404 for an "
                                                 "unknown document, an NSPCC summary (no file: its error names the "
                                                 "NSPCC page) or a file no longer kept.")
async def original_file(document_id: DocumentId, service: ServiceDependency, limiter: Limiter):
    return await answer(limiter, lambda: service.original(document_id), respond=_file)


@router.get("/health", summary="What is being served", response_model=HealthAnswer,
            responses={**errors(401, 414), 503: {"model": HealthAnswer, "description": "Not ready: loading or error "
                                                                                "(the same fields)."}},
            description="`status` is ready, loading or error (503 unless ready); `generation` is the index "
                        "generation being served.")
def health(service: ServiceDependency):
    try:
        if service.health().generation is not None:
            service.index()  # picks up a generation committed since the last request
    except ReviewQAError:
        pass  # the generation in use is still served; health says what it is
    except Exception:  # noqa: BLE001 - a health check reports, it never fails
        log.exception("health check")
    state = service.health()
    return JSONResponse(state.to_json(), status_code=200 if state.status == "ready" else 503)


def make_api(service, token: str | None = None) -> FastAPI:
    """The API as an app to mount at /api, answering from `service`. With a `token`, every route but
    the docs needs `Authorization: Bearer <token>`."""
    app = FastAPI(title="reviewqa API", version="1", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Search UK child safeguarding case reviews; answers are verbatim, cited passages. "
                              "Errors are `{\"error\": \"<one line>\"}` with a 4xx status (503 while the index "
                              "or model is unavailable).")
    app.state.service, app.state.token, app.state.searches = service, token, None
    app.add_middleware(LimitMiddleware, allowed=None if token is None else
                       lambda scope: bearer_matches(header(scope, b"authorization"), token))
    _add_docs(app)
    app.include_router(router)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        model = (_body_model(request) if request.method == "POST" else EditBody if request.method == "PATCH"
                 else _query_model(request))
        return error_json(422, validation_message(error.errors(), model))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        if error.status_code == 404:
            return error_json(404, f"There is no API route {request.url.path}; see /api/docs.")
        if error.status_code == 405:
            return error_json(405, f"{request.method} is not allowed on {request.url.path}; see /api/docs.")
        return error_json(error.status_code, str(error.detail), getattr(error, "headers", None))

    @app.exception_handler(_Refused)
    async def refused(request: Request, error: _Refused):
        return error_json(error.status, error.message, error.headers)

    @app.exception_handler(Exception)
    async def fault(request: Request, error: Exception):
        log.exception("unexpected error in the API", exc_info=error)
        return error_json(503, SERVER_FAULT)

    return app


def _add_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from files on this machine (the fastapi-offline package), so the docs work
    offline; without that package, FastAPI's usual page (scripts from a CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    try:
        import fastapi_offline
        from fastapi.staticfiles import StaticFiles

        static = pathlib.Path(fastapi_offline.__file__).parent / "static"
        app.mount("/docs-static", StaticFiles(directory=static), name="docs-static")
    except (ImportError, RuntimeError):
        static = None

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        if static is None:
            return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title="reviewqa API")
        return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title="reviewqa API",
                                   swagger_js_url=f"{root}/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}/docs-static/swagger-ui.css",
                                   swagger_favicon_url=f"{root}/docs-static/favicon.png")


def _query_model(request: Request) -> type[BaseModel]:
    path = request.url.path.rstrip("/")
    if path.endswith(".png"):
        return PageQuery
    if path.endswith("/similar"):
        return SimilarQuery
    if path.endswith("/digest"):
        return DigestQuery
    return SearchQuery if path.endswith("/search") else FilterQuery


def _body_model(request: Request) -> type[BaseModel]:
    return DigestBody if request.url.path.rstrip("/").endswith("/digest") else SearchBody


class _Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers
