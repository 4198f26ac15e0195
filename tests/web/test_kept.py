"""The selection the browser keeps (qa/web/kept.py): stored as references, read back as untrusted input."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from qa.errors import ReviewQAError
from qa.exports.clips import Asked, Clip
from qa.search import search_request
from qa.web.kept import MAX_KEPT, check_room, restored, stored
from qa.web.render import selection_html


def _clips(service, question="information shared between agencies"):
    response = service.search(search_request(question, service.settings, k=5))
    asked = Asked(1, question, question, "new", "", "")
    return [Clip(asked, rank, hit.review, passage, hit.score)
            for rank, hit in enumerate(response.hits, 1) for passage in hit.passages]


def test_a_selection_comes_back_whole_and_in_order(service):
    clips = _clips(service)[:4][::-1]
    records = json.loads(json.dumps(stored(clips)))            # what localStorage hands back
    assert all("text" not in record for record in records)     # references, never document text
    back, dropped = restored(records, service.index())
    assert dropped == 0 and back == clips


def test_records_that_are_malformed_or_no_longer_match_are_dropped_and_counted(service):
    clips = _clips(service)[:3]
    good = stored(clips)
    index = service.index()
    tampered = [
        {**good[0], "review": "no-such-review"},
        {**good[0], "passage": good[1]["passage"]},             # another review's passage, or a shifted one
        {**good[0], "span": [good[0]["span"][0], good[0]["span"][1] + 5]},   # the passage changed since
        {**good[0], "evidence": [good[0]["span"][1], good[0]["span"][1] + 40]},  # outside the passage
        {**good[0], "rank": True},
        {**good[0], "asked": {**good[0]["asked"], "kind": "<script>"}},
        {**good[0], "asked": {**good[0]["asked"], "question": "x" * 5_000}},
        "not a record", None, 7,
        good[1], good[1],                                        # the same passage twice: kept once
    ]
    back, dropped = restored(tampered, index)
    assert back == [clips[1]] and dropped == len(tampered) - 1
    assert "could not be brought back" in selection_html(back, dropped)
    assert restored({"not": "a list"}, index) == ([], 1)
    assert restored(None, index) == ([], 0)


def test_a_stored_list_longer_than_any_selection_is_cut_and_said(service):
    clip = _clips(service)[0]
    many = [replace(clip, rank=1 + n % 50) for n in range(MAX_KEPT + 10)]
    back, dropped = restored(stored(many) + stored(many[:10]), service.index())
    # The same passage each time: kept once; everything past MAX_KEPT is not even read.
    assert back == [many[0]] and dropped == MAX_KEPT - 1 + 10


def test_a_passage_beyond_what_the_browser_can_keep_is_refused_with_the_way_on():
    check_room(MAX_KEPT - 1)
    with pytest.raises(ReviewQAError, match=f"at most {MAX_KEPT} passages; export it, clear it"):
        check_room(MAX_KEPT)
