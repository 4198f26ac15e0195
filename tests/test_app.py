"""App handlers without a browser: follow-ups, filters, exports, escaping, review view, API function."""

import csv
import io

import pytest

from qa.app import (LazySearcher, api_search, build_app, chat_messages, chat_turn, filters_to_panel, open_review,
                    panel_to_filters, review_choices, write_export)
from qa.errors import ReviewQAError
from qa.export import to_csv, to_markdown
from qa.filters import Filters
from qa.followup import interpret
from qa.render import answer_html, review_html
from qa.search import Searcher


@pytest.fixture
def searcher(built, fake_embedder):
    return Searcher.open(built, fake_embedder)


PREVIOUS = {"question": "neglect", "filters": {"regions": ["London"], "year_from": 2021}, "results": [{}] * 5}


@pytest.mark.parametrize("message, kind, described", [
    ("only 2022", "refine", "2022, London"),
    ("what about Wales?", "refine", "2021 onwards, Wales"),
    ("and in Scotland", "refine", "2021 onwards, Scotland"),
    ("only teenagers", "refine", "2021 onwards, London, children: teenagers (13-17)"),
    ("show more", "more", "2021 onwards, London"),
    ("more like the second one", "more_like", "2021 onwards, London"),
    ("remove the year filter", "remove", "London"),
    ("clear all filters", "remove", ""),
    ("what about knife crime?", "new", ""),
    ("neglect in 2022", "new", ""),
])
def test_follow_ups(message, kind, described, fixture_reviews):
    follow = interpret(message, PREVIOUS, fixture_reviews)
    assert follow.kind == kind
    assert follow.filters.describe() == described
    if kind == "more_like":
        assert follow.more_like_rank == 2


def test_first_message_is_always_new(fixture_reviews):
    assert interpret("only 2022", None, fixture_reviews).kind == "new"


def test_conversation_refines_the_previous_question(searcher):
    conversation = []
    first = chat_turn(searcher, "neglect", conversation, Filters())
    conversation.append(first)
    assert first["kind"] == "new" and first["results"]
    second = chat_turn(searcher, "only 2019", conversation, Filters())
    assert second["kind"] == "refine" and second["question"] == "neglect"
    assert second["filters_text"] == "2019" and {r["year"] for r in second["results"]} == {2019}
    assert "now filtered to 2019" in second["change"]
    conversation.append(second)
    third = chat_turn(searcher, "remove the year filter", conversation, Filters())
    assert third["filters_text"] == "" and len({r["year"] for r in third["results"]}) > 1
    conversation.append(third)
    more = chat_turn(searcher, "show more", conversation, Filters(), k=3)
    assert more["k"] == third["k"] + 10
    conversation.append(more)
    like = chat_turn(searcher, "more like the first one", conversation, Filters())
    source = more["results"][0]["review_id"]
    assert like["kind"] == "more_like" and like["more_like"] == source
    assert source not in {r["review_id"] for r in like["results"]}
    conversation.append(like)
    with pytest.raises(ReviewQAError, match="no result 40"):
        chat_turn(searcher, "more like result 40", conversation, Filters())


def test_new_question_drops_filters_understood_from_the_last_one(searcher):
    conversation = [chat_turn(searcher, "reviews from 2019 about neglect", [], Filters())]
    assert conversation[0]["filters_text"] == "2019"
    panel = Filters.from_json(conversation[0]["filters"])  # the panel now shows 2019
    nxt = chat_turn(searcher, "county lines exploitation", conversation, panel)
    assert nxt["filters_text"] == "" and nxt["results"][0]["name"] == "Child K"
    # ...but a filter the user set in the panel stays.
    kept = chat_turn(searcher, "county lines exploitation", conversation, Filters(year_from=2019, year_to=2022))
    assert kept["filters_text"] == "2019–2022"


def test_understanding_can_be_switched_off(searcher):
    turn = chat_turn(searcher, "reviews from 2019 about neglect", [], Filters(), use_understanding=False)
    assert turn["filters_text"] == "" and turn["literal"]


def test_panel_round_trip():
    filters = Filters(year_from=2020, year_to=2022, nations=("Wales",), regions=("London",), areas=("Kent",),
                      keywords=("child neglect",), age_min=0.0, age_max=0.99)
    values = filters_to_panel(filters)
    assert values["places"] == ["Nation: Wales", "Region: London", "Area: Kent"]
    assert values["age"] == "babies (under 1)"
    assert panel_to_filters(values["year_from"], values["year_to"], values["places"], values["keywords"],
                            values["age"]) == filters
    custom = filters_to_panel(Filters(age_min=16.0, age_max=17.99))["age"]
    assert panel_to_filters("any", "any", [], [], custom) == Filters(age_min=16.0, age_max=17.99)


def hostile_turn():
    record = {"review_id": "r1", "title": "2023 – <b>Kent</b> – Child <script>alert(1)</script>", "year": 2023,
              "area": "Kent", "name": "<img src=x onerror=alert(1)>", "nation": "England", "keywords": ["<i>x</i>"],
              "score": 0.9, "similarity": 0.6, "weak_match": False, "section": "summary", "start": 0, "end": 30,
              "passage": "Death <script>evil()</script> & more", "evidence": "x", "evidence_start": 0,
              "evidence_end": 5}
    record["passages"] = [dict(record)]
    return {"message": "<script>alert('q')</script>", "question": "<script>alert('q')</script>", "results": [record],
            "notes": ["<b>2022</b>"], "filters_text": "<u>2022</u>", "matched": 1, "change": "<i>c</i>"}


def test_every_piece_of_document_and_user_text_is_escaped():
    turn = hostile_turn()
    page = answer_html(turn)
    assert "<script" not in page and "<img" not in page and "<b>" not in page and "<u>" not in page
    assert "&lt;script&gt;evil()&lt;/script&gt;" in page and "&amp; more" in page
    messages = chat_messages([turn])
    assert messages[0]["content"] == "&lt;script&gt;alert(&#x27;q&#x27;)&lt;/script&gt;"


def test_review_view_highlights_the_passage_and_escapes(fixture_reviews):
    marie = next(r for r in fixture_reviews if r.name == "Marie")
    start = marie.text.index("concerns")
    page = review_html(marie, (start, start + len("concerns & worries")))
    assert "<mark>concerns &amp; worries</mark>" in page
    assert page.count("<h4>") == len(marie.sections)


def test_open_review_from_a_result(searcher):
    turn = chat_turn(searcher, "county lines", [], Filters())
    label, value = review_choices(turn)[0]
    assert label.startswith("1. ")
    page, review_id = open_review(searcher, value)
    assert review_id == turn["results"][0]["review_id"] and "<mark>" in page
    with pytest.raises(ReviewQAError, match="Pick one"):
        open_review(searcher, "")


def test_weak_matches_are_not_padded_in(searcher):
    turn = hostile_turn()
    turn["results"][0]["weak_match"] = True
    assert "No review is close enough" in answer_html(turn)
    assert review_choices(turn) == []


def test_exports_carry_verbatim_passages_and_citations(searcher, tmp_path):
    conversation = [chat_turn(searcher, "county lines", [], Filters(), k=2),
                    chat_turn(searcher, "home education", [], Filters(), k=2)]
    rows = list(csv.DictReader(io.StringIO(to_csv(conversation))))
    assert {row["question"] for row in rows} == {"county lines", "home education"}
    texts = {r.id: r.text for r in searcher.index.reviews.values()}
    for row in rows:
        assert texts[row["review_id"]][int(row["start"]):int(row["end"])] == row["passage"]
        assert row["title"] and row["year"] and row["section"]
    markdown = to_markdown(conversation[-1:])
    assert "## Question: home education" in markdown and "Citation: " in markdown and "NSPCC" in markdown
    path = write_export(conversation, "results", "csv", tmp_path)
    with open(path, encoding="utf-8") as exported:
        assert path.endswith(".csv") and {row["question"] for row in csv.DictReader(exported)} == {"home education"}
    with pytest.raises(ReviewQAError, match="nothing to export"):
        write_export([], "results", "md", tmp_path)


def test_csv_neutralises_spreadsheet_formulas():
    turn = hostile_turn()
    turn["question"] = "=HYPERLINK(\"http://x\")"
    assert "'=HYPERLINK" in to_csv([turn])


def test_markdown_export_cannot_inject_html():
    assert "<script" not in to_markdown([hostile_turn()])


def test_api_function_returns_cli_json_and_clean_errors(searcher):
    lazy = LazySearcher(lambda: searcher)
    payload = api_search(lazy, "neglect", year_from=2019, year_to=2019, k=3)
    assert payload["results"] and {r["year"] for r in payload["results"]} == {2019}
    assert set(payload) >= {"query", "filters", "understood", "results"}
    assert api_search(lazy, "   ")["error"].startswith("The question is empty")
    assert "Invalid filter" in api_search(lazy, "neglect", year_from="soon")["error"]


def test_lazy_searcher_reports_load_errors():
    def fail():
        raise RuntimeError("disk on fire")
    with pytest.raises(ReviewQAError, match="disk on fire"):
        LazySearcher(fail).get(timeout=5)


def test_app_builds_without_loading_the_index(settings, fixture_reviews):
    opened = []
    lazy = LazySearcher(lambda: opened.append(1))
    demo = build_app(settings, lazy, fixture_reviews)
    assert opened == [] and demo is not None
    assert "search" in {d.api_name for d in demo.fns.values()}
