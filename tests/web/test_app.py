"""App handlers without a browser: follow-ups, filters, exports, escaping, review view, API function."""

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from qa.conversation.followup import interpret
from qa.conversation.turns import Turn, chat_turn
from qa.errors import ReviewQAError
from qa.exports import clips_of_turn, conversation_clips, teaching_note
from qa.exports.notes import to_markdown
from qa.exports.tables import to_csv
from qa.index import Chunk
from qa.records import Document, Review, Section
from qa.search import Filters
from qa.search.engine import ReviewHit, SearchResponse
from qa.search.passages import PassageHit
from qa.search.understand import Understanding
from qa.search.vocabulary import filter_values
from qa.service import ReviewView
from qa.web.forms import (
    Click,
    age_choices,
    click_of,
    digest_of_answer,
    filters_to_panel,
    follow_up_example,
    keep_listed_years,
    keyword_choices,
    open_review,
    panel_to_filters,
    place_choices,
    write_briefing,
    write_export,
)
from qa.web.render import answer_html, digest_html, history_html, review_html
from qa.web.ui import build_app
from tests.helpers import edge_search


@pytest.fixture
def searcher(service):
    return service


PREVIOUS = Filters(regions=("London",), year_from=2021)


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


def test_follow_ups_treat_listed_years_as_the_year_filter(fixture_reviews):
    listed = Filters(years=(2019, 2021), nations=("Wales",))
    removed = interpret("remove the year filter", listed, fixture_reviews)
    assert removed.filters == Filters(nations=("Wales",))
    replaced = interpret("only 2022", listed, fixture_reviews)
    assert replaced.filters == Filters(year_from=2022, year_to=2022, nations=("Wales",))


def test_applying_the_panel_keeps_listed_years_it_cannot_show():
    listed = Filters(years=(2019, 2021))
    assert keep_listed_years(Filters(nations=("Wales",)), listed) == Filters(years=(2019, 2021), nations=("Wales",))
    assert keep_listed_years(Filters(year_from=2022), listed) == Filters(year_from=2022)


def test_first_message_is_always_new(fixture_reviews):
    assert interpret("only 2022", None, fixture_reviews).kind == "new"


def test_conversation_refines_the_previous_question(searcher):
    conversation = []
    first = chat_turn(searcher, "neglect", conversation, Filters())
    conversation.append(first)
    assert first.kind == "new" and first.response.hits
    second = chat_turn(searcher, "only 2019", conversation, Filters())
    assert second.kind == "refine" and second.question == "neglect"
    assert second.filters.describe() == "2019" and {h.review.year for h in second.response.hits} == {2019}
    assert "now filtered to 2019" in second.change
    conversation.append(second)
    third = chat_turn(searcher, "remove the year filter", conversation, Filters())
    assert third.filters.is_empty() and len({h.review.year for h in third.response.hits}) > 1
    conversation.append(third)
    more = chat_turn(searcher, "show more", conversation, Filters(), k=3)
    assert more.k == third.k + 10
    conversation.append(more)
    like = chat_turn(searcher, "more like the first one", conversation, Filters())
    source = more.response.hits[0].review.id
    assert like.kind == "more_like" and like.more_like == source
    assert source not in {h.review.id for h in like.response.hits}
    conversation.append(like)
    with pytest.raises(ReviewQAError, match="no result 40"):
        chat_turn(searcher, "more like result 40", conversation, Filters())


def test_new_question_drops_filters_understood_from_the_last_one(searcher):
    conversation = [chat_turn(searcher, "reviews from 2019 about neglect", [], Filters())]
    assert conversation[0].filters.describe() == "2019"
    panel = conversation[0].filters  # the panel now shows 2019
    nxt = chat_turn(searcher, "county lines exploitation", conversation, panel)
    assert nxt.filters.is_empty() and nxt.response.hits[0].review.name == "Child K"
    # ...but a filter the user set in the panel stays.
    kept = chat_turn(searcher, "county lines exploitation", conversation, Filters(year_from=2019, year_to=2022))
    assert kept.filters.describe() == "2019–2022"


def test_understanding_can_be_switched_off(searcher):
    turn = chat_turn(searcher, "reviews from 2019 about neglect", [], Filters(), use_understanding=False)
    assert turn.filters.is_empty() and turn.literal


def test_panel_round_trip():
    filters = Filters(year_from=2020, year_to=2022, nations=("Wales",), regions=("London",), areas=("Kent",),
                      keywords=("child neglect",), age_min=0.0, age_max=1.0)
    values = filters_to_panel(filters)
    assert values["places"] == ["Nation: Wales", "Region: London", "Area: Kent"]
    assert values["age"] == "babies (under 1)"
    assert panel_to_filters(values["year_from"], values["year_to"], values["places"], values["keywords"],
                            values["age"]) == filters
    custom = filters_to_panel(Filters(age_min=16.0, age_max=18.0))["age"]
    assert custom == "children aged 16–17"
    assert panel_to_filters("any", "any", [], [], custom) == Filters(age_min=16.0, age_max=18.0)
    included = Filters(nations=("Wales",), include_unknown=True)
    panel = filters_to_panel(included)
    assert panel["include_unknown"] is True
    assert panel_to_filters("any", "any", panel["places"], [], "any", panel["include_unknown"]) == included


def test_filter_lists_show_counts_and_only_places_that_exist(fixture_reviews):
    values = filter_values(fixture_reviews)
    places = dict(place_choices(values))
    assert places["Nation: Wales (1)"] == "Nation: Wales" and places["Area: Kent (1)"] == "Area: Kent"
    assert not any("unknown" in label.lower() or "Anonymous" in label for label in places)
    assert ("self-harm (1)", "self-harm") in keyword_choices(values)
    assert age_choices(values)[-1] == ("young people (12-17) (3)", "young people (12-17)")
    # The follow-up the app suggests names a place the collection has reviews from.
    example = follow_up_example(values)
    assert example.removeprefix("what about ").rstrip("?") in {name for name, _ in values.regions}


def test_answers_say_what_was_left_out_and_use_one_scale(searcher):
    turn = chat_turn(searcher, "neglect in Wales", [], Filters())
    page = answer_html(turn)
    assert "4 reviews with no known place were left out by the place filter (Wales)." in page
    assert "Tick “Include reviews whose value is unknown”" in page
    assert "relevance" not in page and "match 0." in page and "Match: how close" in page
    kept = chat_turn(searcher, "neglect", [], Filters(nations=("Wales",), include_unknown=True), False)
    assert answer_html(kept).count("Included although its value is unknown: no known place") >= 1
    emptied = chat_turn(searcher, "neglect in Wales in 2019", [], Filters())
    assert "No review passes all the filters together" in answer_html(emptied)


def test_a_new_conversation_forgets_the_last_one(settings, fixture_reviews):
    demo = build_app(settings, object(), fixture_reviews)
    [new] = [block for block in demo.fns.values() if block.fn is not None and block.fn.__name__ == "new_conversation"]
    conversation, current, view, answer, history, link, *rest = new.fn()
    assert conversation == [] and current == -1 and history == "" and link == ""
    assert "Ask a question" in answer


def hostile_turn(weak=False):
    text = "Death <script>evil()</script> & more. <img src=x onerror=alert(1)> was seen."
    review = Review("r1", "2023 – <b>Kent</b> – Child <script>alert(1)</script>", 2023, "Kent",
                    "<img src=x onerror=alert(1)>", "England", keywords=("<i>x</i>",))
    document = Document("r1/summary", "r1", "summary", text, (Section("summary", 0, len(text)),))
    chunk = Chunk(0, document, 0, document.sections[0], 0, len(text))
    hit = ReviewHit(review, 0.9, 0.1 if weak else 0.6, (PassageHit(chunk, 0.6, (0, 30)),))
    understood = Understanding(Filters(year_from=2022, year_to=2022), "q", ("<b>2022</b>",))
    response = SearchResponse("<script>alert('q')</script>", "default", Filters(areas=("<u>Kent</u>",)),
                              understood, (hit,), 1, 1)
    return Turn("<script>alert('q')</script>", "<script>alert('q')</script>", "refine", "<i>c</i>", 10, response,
                False)


def test_every_piece_of_document_and_user_text_is_escaped():
    turn = hostile_turn()
    page = answer_html(turn)
    assert "<script" not in page and "<img" not in page and "<b>" not in page and "<u>" not in page
    assert "&lt;script&gt;evil()&lt;/script&gt;" in page and "&amp; more" in page
    steps = history_html([turn, turn], 1)
    assert "<script" not in steps and "&lt;script&gt;alert(&#x27;q&#x27;)&lt;/script&gt;" in steps


def test_review_view_highlights_the_passage_and_escapes(fixture_collection):
    marie = next(r for r in fixture_collection.reviews if r.name == "Marie")
    (summary,) = fixture_collection.documents_of(marie.id)
    start = summary.text.index("concerns")
    page = review_html(ReviewView(marie, (summary,)), (summary.id, start, start + len("concerns & worries")))
    assert "<mark>concerns &amp; worries</mark>" in page
    assert page.count("<h4>") == len(summary.sections)


def test_review_view_labels_each_document_and_its_pages(fixture_collection):
    from qa.records import Page

    review = fixture_collection.reviews[0]
    text = "1. Introduction\n\nThe review began.\n\n2. Findings\n\nThe GP did not see the bruise."
    cut = text.index("2. Findings")
    report = Document(f"{review.id}/report", review.id, "report", text,
                      (Section("heading", 0, cut - 2, "1. Introduction"),
                       Section("heading", cut, len(text), "2. Findings")),
                      pages=(Page(1, 0, cut, "i"), Page(2, cut, len(text), "7")), file="files/report.pdf")
    start = text.index("The GP")
    page = review_html(ReviewView(review, fixture_collection.documents_of(review.id) + (report,)),
                       (report.id, start, len(text)))
    assert "Overview report" in page and "files/report.pdf" in page
    assert "Cited passage on p. 7" in page and "<mark>The GP did not see the bruise.</mark>" in page


def _controls(page: str) -> list[dict]:
    """The data-* attributes of every control in the answer's HTML, as the page's script sends them."""
    import re
    from html import unescape

    controls = []
    for tag in re.findall(r"<button [^>]*data-rq-action[^>]*>", page):
        attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
        controls.append({("rqAction" if name == "rq-action" else name): unescape(value)
                         for name, value in attributes.items()})
    return controls


def test_a_results_title_opens_the_review_at_its_cited_passage(searcher):
    turn = chat_turn(searcher, "county lines", [], Filters())
    page = answer_html(turn)
    opener = next(control for control in _controls(page) if control["rqAction"] == "open")
    click = click_of(opener)
    assert click.review == turn.response.hits[0].review.id and click.start is not None
    assert "<mark>" in open_review(searcher, click)
    # Each result's title is a heading of its own, numbered apart from the year.
    assert "<h3 class='rq-head' id='rq-title-1'><span class='rq-rank'>#1</span> <button" in page
    with pytest.raises(ReviewQAError, match="Pick one"):
        open_review(searcher, Click("open"))


@pytest.mark.parametrize("data", [None, "open", {"rqAction": "delete"}, {"rqAction": "open", "review": 5},
                                  {"rqAction": "open", "review": "x" * 401}])
def test_a_forged_click_is_refused_with_a_sentence(data):
    with pytest.raises(ReviewQAError, match="reload the page"):
        click_of(data)


def test_weak_matches_are_not_padded_in(searcher):
    turn = hostile_turn(weak=True)
    page = answer_html(turn)
    assert "No review is close enough" in page and "rq-card" not in page


def test_exports_carry_verbatim_passages_and_citations(searcher, tmp_path):
    conversation = [chat_turn(searcher, "county lines", [], Filters(), k=2),
                    chat_turn(searcher, "home education", [], Filters(), k=2)]
    rows = list(csv.DictReader(io.StringIO(to_csv(conversation_clips(conversation)[1]))))
    assert {row["question"] for row in rows} == {"county lines", "home education"}
    texts = {d.id: d.text for d in searcher.index().documents}
    for row in rows:
        assert texts[row["document_id"]][int(row["start"]):int(row["end"])] == row["passage"]
        assert row["title"] and row["year"] and row["section"] and row["document"] == "Summary"
    markdown = to_markdown(teaching_note(clips_of_turn(conversation[-1])))
    assert "“home education”" in markdown and "**Summary, " in markdown and "NSPCC" in markdown
    path = write_export(conversation, "results", "csv", tmp_path)
    # A byte-order mark first, so Excel on Windows reads the CSV as UTF-8.
    assert open(path, "rb").read(3) == b"\xef\xbb\xbf"
    with open(path, encoding="utf-8-sig") as exported:
        assert path.endswith(".csv") and {row["question"] for row in csv.DictReader(exported)} == {"home education"}
    for fmt in ("xlsx", "md", "docx"):
        assert Path(write_export(conversation, "conversation", fmt, tmp_path)).stat().st_size > 0
    picked = conversation[0].shown[0]
    selection = write_export(conversation, "selection", "md", tmp_path,
                             [(0, picked.review.id, picked.passages[0].chunk.id)])
    assert Path(selection).read_text(encoding="utf-8").count("\n> ") == 1
    with pytest.raises(ReviewQAError, match="nothing to export"):
        write_export([], "results", "md", tmp_path)
    with pytest.raises(ReviewQAError, match="selection is empty"):
        write_export(conversation, "selection", "md", tmp_path)


def test_csv_neutralises_spreadsheet_formulas():
    from dataclasses import replace

    turn = replace(hostile_turn(), question="=HYPERLINK(\"http://x\")")
    assert "'=HYPERLINK" in to_csv(clips_of_turn(turn))


def test_markdown_export_cannot_inject_html():
    assert "<script" not in to_markdown(teaching_note(clips_of_turn(hostile_turn())))


def test_api_function_returns_cli_json_and_clean_errors(searcher):
    payload = edge_search(searcher, "neglect", year_from=2019, year_to=2019, k=3)
    assert payload["results"] and {r["year"] for r in payload["results"]} == {2019}
    assert set(payload) >= {"query", "filters", "understood", "results"}
    assert edge_search(searcher, "   ")["error"].startswith("The question is empty")
    assert "year_from must be a year" in edge_search(searcher, "neglect", year_from="soon")["error"]


@pytest.mark.parametrize("options, message", [
    ({"year_from": 10**20}, "between 1900 and 2100"),
    ({"year_from": 1e308}, "between 1900 and 2100"),
    ({"k": float("inf")}, "k must be a whole number"),
    ({"k": 10**30}, "k must be from 1"),
    ({"keywords": [None]}, "must be a non-empty name"),
    ({"nations": [{"a": 1}]}, "must be a non-empty name"),
    ({"areas": [5]}, "must be a non-empty name"),
    ({"literal": "no"}, "literal must be true or false"),
    ({"nations": "Walse"}, "Did you mean 'Wales'"),
    ({"year_from": 2023, "year_to": 2019}, "reversed"),
])
def test_api_function_refuses_hostile_values_with_a_message(searcher, options, message):
    payload = edge_search(searcher, "neglect", **options)
    assert payload["results"] == [] and message in payload["error"]


def test_a_string_where_a_list_is_expected_is_one_value(searcher):
    payload = edge_search(searcher, "records shared", nations="Channel Islands")
    assert payload["filters"]["nations"] == ["Channel Islands"] and payload["results"]


def test_the_question_box_holds_what_a_search_takes(settings, fixture_reviews):
    demo = build_app(settings, object(), fixture_reviews)
    [box] = [block for block in demo.blocks.values() if getattr(block, "elem_id", None) == "rq-question"]
    assert box.max_length == settings.max_query_chars and f"{settings.max_query_chars:,}" in box.label


def test_app_builds_without_loading_the_index(settings, fixture_reviews):
    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"the app touched the service ({name}) while building")

    demo = build_app(settings, Untouchable(), fixture_reviews)
    assert demo is not None
    # The REST API (/api/search) is the API: the app's events are its own, none is published.
    assert {d.api_visibility for d in demo.fns.values()} <= {"private", "undocumented"}  # the examples: undocumented


def test_the_digest_of_an_answer_uses_its_question_and_filters(searcher, tmp_path):
    conversation = [chat_turn(searcher, "information shared between agencies", [], Filters(year_from=2022))]
    digest = digest_of_answer(searcher, conversation)
    assert digest.query == "information shared between agencies" and digest.filters.year_from == 2022
    reviews = dict(searcher.index().reviews)
    page = digest_html(digest, reviews)
    assert "What these reviews learned" in page and "rq-chart" in page
    # Every piece of document text is escaped: a hostile title cannot add markup.
    if digest.reviews:
        first = digest.reviews[0]
        reviews[first] = replace(reviews[first], title="<script>alert(1)</script>")
        assert "<script>" not in digest_html(digest, reviews)
    for fmt in ("md", "docx"):
        path = Path(write_briefing(digest, reviews, fmt, tmp_path))
        assert path.parent == tmp_path and path.suffix == f".{fmt}" and path.stat().st_size > 0
    with pytest.raises(ReviewQAError, match="Ask a question first"):
        digest_of_answer(searcher, [])
    with pytest.raises(ReviewQAError, match="Open the digest first"):
        write_briefing(None, reviews, "md", tmp_path)
