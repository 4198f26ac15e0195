"""Answers as links (qa/web/links.py) and as pages of ten in an order (qa/web/answers.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from qa.conversation import chat_turn, replay, rerun
from qa.errors import InvalidQueryError
from qa.search import Filters
from qa.web.answers import PAGE_SIZE, answer_page, listed_hits, result_profile
from qa.web.forms import place_choices, year_choices
from qa.web.links import AnswerLink, AnswerView, from_query, link_of, to_query


def params(query: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(query).query, keep_blank_values=True)


def test_a_link_round_trips_every_part_of_an_answer():
    link = AnswerLink(question="neglect & “drugs”", filters=Filters(year_from=2019, year_to=2022, nations=("Wales",),
                                                                  keywords=("neglect",), age_min=1.0, age_max=5.0,
                                                                  include_unknown=True),
                      literal=True, view=AnswerView(sort="newest", page=3, weak=True))
    query = to_query(link)
    assert query.startswith("?q=neglect+%26+")
    # Gradio reads `page` in the address as one of its own pages: the results' page is `p`.
    assert "&p=3" in query and "page=" not in query
    assert from_query(params(query), 1000) == link


def test_an_empty_link_names_no_answer():
    assert to_query(AnswerLink()) == "" and from_query({}, 1000).empty
    # A tag a mail client adds does not break the link.
    assert from_query({"q": ["neglect"], "utm_source": ["mail"]}, 1000).question == "neglect"


@pytest.mark.parametrize("query, message", [
    ({"q": ["a"], "like": ["r1"]}, "both a question"),
    ({"q": ["a", "b"]}, "gives q 2 times"),
    ({"q": ["x" * 1001]}, "the limit is 1,000"),
    ({"q": ["a"], "sort": ["random"]}, "sort must be one of"),
    ({"q": ["a"], "p": ["0"]}, r"page \(p\) must be a number from 1 to 10"),
    ({"q": ["a"], "p": ["99"]}, "must be a number"),
    ({"q": ["a"], "year_from": ["2022"], "year_to": ["2019"]}, "reversed"),
    ({"q": ["a"], "weak": ["yes"]}, "weak must be 1 or 0"),
    ({"q": ["a"], "age_min": ["three"]}, "age_min must be an age"),
    ({"q": ["a"], "keywords": ["k"] * 51}, "the limit is 50"),
])
def test_a_bad_link_is_refused_with_a_sentence_naming_the_part(query, message):
    with pytest.raises(InvalidQueryError, match=message):
        from_query(query, 1000)


def test_a_link_replays_the_same_answer(service):
    first = chat_turn(service, "neglect in Wales", [], Filters(), k=100)
    link = from_query(params(to_query(link_of(first, AnswerView()))), 1000)
    again = replay(service, link.question, link.more_like, link.filters, link.literal, 100)
    assert [h.review.id for h in again.response.hits] == [h.review.id for h in first.response.hits]
    assert again.filters == first.filters
    # A follow-up's answer is the question with the follow-up's filters, filters not read again.
    refined = rerun(service, first, first.filters.without("place"), 100, "remove the place", "remove", "")
    link = from_query(params(to_query(link_of(refined, AnswerView()))), 1000)
    assert link.literal and "understand" in to_query(link_of(refined, AnswerView()))
    again = replay(service, link.question, link.more_like, link.filters, link.literal, 100)
    assert [h.review.id for h in again.response.hits] == [h.review.id for h in refined.response.hits]


def test_pages_continue_and_the_year_order_keeps_unknown_years_last(service):
    turn = chat_turn(service, "child", [], Filters(), k=100)
    size, every = 3, AnswerView(weak=True)        # the fixture collection is small: pages of three
    listed = listed_hits(turn, every)
    assert len(listed) > 2 * size, "the fixture answer must span three pages for this test"
    assert len(listed_hits(turn, AnswerView())) == len(listed) - answer_page(turn, AnswerView()).weak_hidden
    first, second = answer_page(turn, every, size), answer_page(turn, AnswerView(page=2, weak=True), size)
    assert (first.first, first.last, second.first, second.last) == (1, size, size + 1, 2 * size)
    assert [rank for rank, _ in second.entries] == [size + 1, size + 2, size + 3]
    # A page past the end shows the last page, not nothing.
    assert answer_page(turn, AnswerView(page=10, weak=True), size).page == first.pages > 2
    newest = [hit.review.year for _, hit in listed_hits(turn, AnswerView(sort="newest", weak=True))]
    known = [year for year in newest if year is not None]
    assert known == sorted(known, reverse=True) and newest[:len(known)] == known
    oldest = [hit.review.year for _, hit in listed_hits(turn, AnswerView(sort="oldest", weak=True)) if hit.review.year]
    assert oldest == sorted(oldest) and PAGE_SIZE == 10


def test_filter_choices_count_the_answer_beside_the_collection(service):
    turn = chat_turn(service, "child", [], Filters(), k=100)
    here = result_profile(turn, AnswerView())
    everywhere = service.filter_values()
    labels = dict((value, label) for label, value in year_choices(everywhere, here))
    year, count = everywhere.years[0]
    assert labels[year] == f"{year} ({dict(here.years).get(year, 0)} here · {count} in all)"
    assert all(" here · " in label for label, _ in place_choices(everywhere, here))
    assert all(" here" not in label for label, _ in place_choices(everywhere))
