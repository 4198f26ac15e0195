"""The app's "Edit details" form and the question it asks before a removal, through the Blocks'
own handlers (no browser)."""

from __future__ import annotations

import gradio as gr
import pytest

from qa.changes import add_files
from qa.collection import load_collection
from qa.web import edit as edit_form
from qa.web.ui import build_app
from tests.changes.test_add_remove import report_text, write
from tests.helpers import CountingEmbedder, FakeEmbedder


@pytest.fixture
def added(service, tmp_path):
    path = write(tmp_path / "in" / "child-z-report.txt", report_text(year=2024))
    result = add_files(service.settings, [path], embedder=FakeEmbedder()).files[0]
    return service, result.review_id, result.document_id


def handler(demo, elem_id: str, event: str = "click"):
    """The function an event of the component with `elem_id` runs."""
    [block] = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id]
    [fn] = [f for f in demo.fns.values() if (block._id, event) in f.targets]
    return fn.fn


def values_of(updates) -> list:
    return [u.get("value") if isinstance(u, dict) else u for u in updates]


def test_the_form_is_prefilled_and_saves_only_what_changed(added):
    service, review_id, document_id = added
    counting = CountingEmbedder()
    service._embedder = counting
    demo = build_app(service.settings, service, service.reviews())
    filled = values_of(edit_form.prefill(gr, service, review_id))
    assert filled[:7] == ["2024 – Northbridge – Child Z", "2024", "Northbridge", "England",
                          "England (region unknown)", "Child Z", "unknown"]
    assert filled[7] == document_id and filled[8] == "report"
    save = handler(demo, "rq-edit-save")
    status, view, *rest = save(review_id, *filled[:1], "2021", "Kent", *filled[3:5], filled[5], "5 months; 3",
                               document_id, "learning-brief")
    assert "year 2024 → 2021" in status and "Learning brief" in status and "generation" in status
    assert "2021 – Kent – Child Z" in view and "Learning brief" in view
    review = load_collection(service.settings.corpus_path).review(review_id)
    assert (review.year, review.area, review.nation, review.child_ages) == \
        (2021, "Kent", "England", ((0.42, 0.42), (3.0, 3.0)))
    assert counting.texts == 0
    with pytest.raises(gr.Error, match="Nothing was changed"):
        save(review_id, *values_of(rest[:9]))
    with pytest.raises(gr.Error, match="year"):
        save(review_id, "t", "21", *values_of(rest[2:9]))
    with pytest.raises(gr.Error, match="Open a review first"):
        save("", *values_of(rest[:9]))


def test_remove_asks_first_and_names_the_kept_original(added):
    service, review_id, document_id = added
    demo = build_app(service.settings, service, service.reviews())
    before = service.settings.corpus_path.read_bytes()
    question, yes, cancel, asked = handler(demo, "rq-remove")(document_id)
    assert service.settings.corpus_path.read_bytes() == before          # nothing removed yet
    assert question["visible"] and yes["visible"] and cancel["visible"] and asked == document_id
    assert "kept original" in question["value"] and "is deleted too" in question["value"]
    assert "child-z-report.txt" in question["value"] and yes["value"].startswith("Yes, remove")
    hidden = handler(demo, "rq-remove-cancel")()
    assert not hidden[0]["visible"] and hidden[3] == ""
    assert service.settings.corpus_path.read_bytes() == before
    status, *_ = handler(demo, "rq-remove-yes")(asked)
    assert "Removed" in status and load_collection(service.settings.corpus_path).document(document_id) is None
    with pytest.raises(gr.Error, match="Choose a document"):
        handler(demo, "rq-remove")("")


def test_the_question_escapes_the_title(added):
    service, _, document_id = added
    service.edit(None, None, {document_id: edit_form.DocumentEdit(title="<script>alert(1)</script>")})
    question, words = edit_form.removal_question(service, document_id)
    assert "<script>" not in question and "&lt;script&gt;" in question and "<script>" in words



def test_the_form_is_filled_when_another_review_opens_not_on_every_click(added):
    """A click in the answer (Keep, a page) must not wipe what is being typed in the form: the form
    listens to the opened review's id changing (Gradio runs a State's change only on a new value) and to
    its own save, nothing else."""
    service, _, _ = added
    demo = build_app(service.settings, service, service.reviews())
    [title] = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rq-edit-title"]
    filling = [f for f in demo.fns.values() if any(o._id == title._id for o in f.outputs)]
    triggers = sorted(event for f in filling for _, event in f.targets)
    assert triggers == ["change", "click"]
    [on_change] = [f for f in filling if f.targets[0][1] == "change"]
    [opened] = [demo.blocks[block_id] for block_id, _ in on_change.targets]
    assert isinstance(opened, gr.State)
    [on_click] = [f for f in filling if f.targets[0][1] == "click"]
    assert demo.blocks[on_click.targets[0][0]].elem_id == "rq-edit-save"
    assert all(f.trigger_after is None for f in filling)          # chained after no other event
