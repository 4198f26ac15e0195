"""Property-based tests (Hypothesis): any string or JSON value given to the question cleaner, the
constraint understanding, the follow-up parser, the filters and the API's input models either gives a
result or a clear one-line message, never an exception or a 500. Bounded so the suite stays fast."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.conversation.followup import interpret
from qa.errors import InvalidQueryError
from qa.search.filters import YEAR_RANGE, Filters, filters_from_input, review_passes
from qa.search.question import clean_question
from qa.search.understand import understand
from qa.web.api import SearchBody, parse_body
from qa.web.server import make_server_app
from tests.helpers import edge_search

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOWER = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text that looks like questions some of the time: years, places, ages and follow-up words mixed with
# arbitrary Unicode (controls, surrogates excluded by Hypothesis' default alphabet, zero-width marks).
WORDS = st.sampled_from(["2019", "2020", "2021", "2022", "1999", "2100", "3000", "between", "and", "or", "to", "-",
                         "since", "before", "after", "reviews", "in", "from", "Wales", "Kent", "London", "England",
                         "outside", "babies", "teenagers", "aged", "16", "17", "under", "5s", "only", "what about",
                         "show more", "more like the", "second", "remove the", "year", "filter", "neglect", ",",
                         "/", "&", "?", "\u200b", "\x00", "\n", "ǅ", "ﬁ", "١٢", "２０２２"])
QUESTIONS = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=12).map(" ".join))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
FIELDS = ["question", "q", "k", "year", "year_from", "year_to", "nations", "regions", "areas", "keywords",
          "age_group", "literal", "ranking", "nation"]
VALUES = st.one_of(JSON, st.sampled_from([2019, 2022, 5, 10, "Wales", ["Kent"], ["England", "Channel Islands"],
                                          "babies (under 1)", "any", "default", True, False, 10**20, 1e308]))
BODIES = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6).map(
    lambda d: d if ("question" in d or "q" in d) else {"question": "neglect", **d})


def one_line(message: str) -> bool:
    return bool(message) and "\n" not in message and len(message) <= 500


@FAST
@given(st.one_of(QUESTIONS, JSON))
def test_question_cleaner_gives_text_or_a_message(question):
    try:
        text = clean_question(question, 1000)
    except InvalidQueryError as error:
        assert one_line(str(error))
    else:
        assert text and text == text.strip() and len(text) <= 1000 and any(ch.isalnum() for ch in text)


@FAST
@given(QUESTIONS)
def test_understanding_always_gives_valid_filters(fixture_reviews, question):
    understood = understand(question, fixture_reviews)
    filters = understood.filters
    assert isinstance(understood.search_text, str)
    if filters.year_from is not None and filters.year_to is not None:
        assert filters.year_from <= filters.year_to
    for year in (filters.year_from, filters.year_to):
        assert year is None or 1899 <= year <= 2100  # "before 1900" is up to 1899
    if filters.age_min is not None:
        assert 0 <= filters.age_min <= filters.age_max
    # The understood filters are usable as they are.
    for review in fixture_reviews:
        review_passes(review, filters)
    assert Filters.from_json(filters.to_json()) == filters


@FAST
@given(QUESTIONS, st.sampled_from([None, Filters(), Filters(year_from=2021, year_to=2022, nations=("Wales",)),
                                   Filters(age_min=0.0, age_max=0.99, keywords=("neglect",))]))
def test_follow_up_parser_always_decides(fixture_reviews, message, previous):
    follow = interpret(message, previous, fixture_reviews)
    assert follow.kind in ("new", "refine", "more", "more_like", "remove")
    assert isinstance(follow.filters, Filters)
    if follow.kind == "more_like":
        assert follow.more_like_rank == -1 or 1 <= follow.more_like_rank <= 99


@FAST
@given(st.dictionaries(st.sampled_from(["year", "year_from", "year_to", "nations", "regions", "areas", "keywords",
                                        "age_group"]), VALUES, max_size=4))
def test_filters_from_any_input_or_a_message(values):
    try:
        filters = filters_from_input(**values)
    except InvalidQueryError as error:
        assert one_line(str(error))
    else:
        for year in (filters.year_from, filters.year_to):
            assert year is None or YEAR_RANGE[0] <= year <= YEAR_RANGE[1]


@FAST
@given(st.one_of(JSON, BODIES))
def test_body_model_accepts_or_explains(payload):
    try:
        body = parse_body(payload)
    except InvalidQueryError as error:
        assert one_line(str(error))
    else:
        assert isinstance(body, SearchBody) and isinstance(body.question, str)


@pytest.fixture
def client(service):
    service.warm_up()
    return TestClient(make_server_app(service.settings, service, with_ui=False), raise_server_exceptions=False)


def check_answer(response):
    assert response.status_code in (200, 400, 404, 413, 414, 422), (response.status_code, response.text)
    record = response.json()
    if response.status_code == 200:
        assert isinstance(record["results"], list)
    else:
        assert set(record) == {"error"} and one_line(record["error"])


@SLOWER
@given(BODIES)
def test_post_search_never_fails(client, body):
    check_answer(client.post("/api/search", content=json.dumps(body), headers={"content-type": "application/json"}))


@SLOWER
@given(st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode())))
def test_post_any_bytes_never_fails(client, content):
    check_answer(client.post("/api/search", content=content, headers={"content-type": "application/json"}))


@SLOWER
@given(st.lists(st.tuples(st.sampled_from(["q", "k", "year", "year_from", "year_to", "nation", "region", "area",
                                           "keyword", "age_group", "literal", "ranking", "nations", "x"]),
                          st.one_of(st.text(max_size=30), WORDS)), max_size=6))
def test_get_search_never_fails(client, params):
    check_answer(client.get("/api/search", params=[("q", "neglect"), *params]))


@SLOWER
@given(st.text(max_size=60), st.lists(st.tuples(st.sampled_from(["k", "year_from", "nation", "age_group"]),
                                                 st.text(max_size=20)), max_size=3))
def test_review_routes_never_fail(client, review_id, params):
    review_id = quote(review_id, safe="") or "x"
    check_answer(client.get(f"/api/reviews/{review_id}", params=params))
    check_answer(client.get(f"/api/reviews/{review_id}/similar", params=params))


@SLOWER
@given(st.one_of(QUESTIONS, JSON), st.dictionaries(
    st.sampled_from(["year_from", "year_to", "nations", "regions", "areas", "keywords", "age_group", "k",
                     "literal"]), VALUES, max_size=4))
def test_gradio_search_endpoint_never_raises(service, question, options):
    payload = edge_search(service, question, **options)
    assert isinstance(payload["results"], list)
    if "error" in payload:
        assert payload["results"] == [] and one_line(payload["error"])
