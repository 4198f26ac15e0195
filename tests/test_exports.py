"""Exports as teaching material (qa/exports): clips of an answer, a conversation (each passage once) and a
trainer's picks; CSV (byte-order mark, formulas as text), XLSX and Word read back, and the Markdown note."""

from __future__ import annotations

import csv
import io

import pytest

from qa.conversation import Turn, chat_turn
from qa.errors import ReviewQAError
from qa.exports import (
    COLUMNS,
    SOURCE_NOTE,
    clips_for,
    clips_of_turn,
    conversation_clips,
    export_path,
    teaching_note,
    write_clips,
)
from qa.exports.notes import to_markdown
from qa.exports.tables import to_csv
from qa.index import Chunk
from qa.records import NSPCC_CASE_REVIEWS_URL, Document, Review, Section
from qa.search import Filters
from qa.search.engine import ReviewHit, SearchResponse
from qa.search.passages import PassageHit
from qa.search.understand import Understanding

HAPPENED = "A baby died at home. The mother had been drinking [heavily] before bed."
LEARNING = "Professionals must ask about safe sleep. =SUM(A1) was not seen. Health visitors should check."
ADDED = "Page one words. The GP knew of the *drinking* and told nobody."


def made_turn(question="safe sleep", message=None, kind="new", change="", shown_from=0):
    """One review with a summary (what happened, then learning) and an added report with pages; its
    passages come best first: the learning before what happened, as search ranks them."""
    text = HAPPENED + " " + LEARNING
    cut = len(HAPPENED) + 1
    review = Review("r1", "2023 – Kent – Child <A>", 2023, "Kent", "Child A", "England",
                    keywords=("infants", "safe sleep"), region="South East", child_ages=((0.25, 0.25),))
    summary = Document("r1/summary", "r1", "summary", text,
                       (Section("summary", 0, len(HAPPENED)), Section("learning", cut, len(text))))
    from qa.records import Page
    report = Document("r1/report", "r1", "report", ADDED, (Section("findings", 0, len(ADDED), "Findings"),),
                      pages=(Page(1, 0, 16, "i"), Page(2, 16, len(ADDED), None)), file="files/child-a.pdf")
    happened = Chunk(0, summary, 0, summary.sections[0], 0, len(HAPPENED))
    learning_one = Chunk(1, summary, 1, summary.sections[1], cut, cut + 40)
    learning_two = Chunk(2, summary, 2, summary.sections[1], cut + 41, len(text))
    gp = Chunk(3, report, 0, report.sections[0], 0, len(ADDED))
    evidence = text.index("The mother")
    formula = text.index("=SUM")
    passages = (PassageHit(learning_two, 0.7, (formula, formula + len("=SUM(A1) was not seen."))),
                PassageHit(happened, 0.6, (evidence, len(HAPPENED))),
                PassageHit(learning_one, 0.5, (cut, cut + 40)),
                PassageHit(gp, 0.4, (16, len(ADDED))))
    other = Review("r2", "2021 – Wales – Child B", 2021, "Cardiff", "Child B", "Wales")
    other_text = "Neglect was missed."
    other_doc = Document("r2/summary", "r2", "summary", other_text, (Section("summary", 0, len(other_text)),))
    other_hit = ReviewHit(other, 0.5, 0.5, (PassageHit(Chunk(4, other_doc, 0, other_doc.sections[0], 0,
                                                             len(other_text)), 0.5, (0, len(other_text))),))
    response = SearchResponse(question, "default", Filters(year_from=2021), Understanding(Filters(), question),
                              (ReviewHit(review, 0.9, 0.6, passages), other_hit), 2, 1)
    return Turn(message or question, question, kind, change, 10, response, False, shown_from=shown_from)


def test_teaching_note_in_markdown_groups_by_review_in_document_order():
    clips = clips_of_turn(made_turn())
    markdown = to_markdown(teaching_note(clips))
    assert markdown.startswith("# Passages from child safeguarding case reviews")
    assert "“safe sleep” (filtered to: 2021 onwards)" in markdown
    # Document order: what happened before the learning, whatever the ranking said.
    assert markdown.index("A baby died") < markdown.index("Professionals must ask") < markdown.index("The GP knew")
    # The evidence sentence in bold; document text escaped (brackets, asterisks, angle brackets).
    assert "**The mother had been drinking \\[heavily\\] before bed.**" in markdown
    assert "the \\*drinking\\*" in markdown and "Child &lt;A&gt;" in markdown
    # The citation once per run of passages from one place: the two learning passages share one.
    kent = markdown[:markdown.index("## 2021 – Wales")]
    assert kent.count("**Summary, Learning**") == 1 and kent.count("**Summary, What happened**") == 1
    assert "**Overview report, p. i–2, Findings**" in markdown
    assert "characters" not in markdown and "Citation:" not in markdown
    # The review's metadata once, and its sources: the NSPCC page for the summary, the file's name for a report.
    assert markdown.count("Published 2023") == 1 and "South East" in markdown and "3 months" in markdown
    assert f"]({NSPCC_CASE_REVIEWS_URL})" in markdown and "“child-a.pdf”" in markdown
    assert markdown.index("## 2023 – Kent") < markdown.index("## 2021 – Wales")
    assert markdown.rstrip().endswith(SOURCE_NOTE)


def test_csv_has_a_byte_order_mark_and_keeps_formulas_as_text(tmp_path):
    clips = clips_of_turn(made_turn(question="=HYPERLINK(\"http://x\")"))
    path = write_clips(clips, tmp_path / "out.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 5 and list(rows[0]) == COLUMNS
    assert rows[0]["question"].startswith("'=HYPERLINK") and rows[0]["evidence"] == "'=SUM(A1) was not seen."
    assert [row["rank"] for row in rows] == ["1", "1", "1", "1", "2"]


def test_xlsx_reads_back_with_a_bold_frozen_header_and_text_not_formulas(tmp_path):
    from openpyxl import load_workbook

    clips = clips_of_turn(made_turn(question="=1+2"))
    sheet = load_workbook(write_clips(clips, tmp_path / "out.xlsx")).active
    header = [cell.value for cell in sheet[1]]
    assert header == COLUMNS and sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    rows = [dict(zip(header, [cell.value for cell in row])) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 5 and rows[0]["question"] == "=1+2" and sheet["A2"].data_type == "s"
    assert rows[0]["evidence"] == "=SUM(A1) was not seen." and rows[0]["year"] == 2023
    passage = sheet.cell(row=2, column=COLUMNS.index("passage") + 1)
    assert passage.alignment.wrap_text and rows[1]["passage"] == HAPPENED


def test_word_note_reads_back_with_the_evidence_in_bold(tmp_path):
    from docx import Document as WordDocument

    word = WordDocument(str(write_clips(clips_of_turn(made_turn()), tmp_path / "note.docx")))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "Passages from child safeguarding case reviews"
    assert "2023 – Kent – Child <A>" in texts and texts[-1] == SOURCE_NOTE
    bold = [run.text for p in word.paragraphs if p.style.name == "Quote" for run in p.runs if run.bold]
    assert "The mother had been drinking [heavily] before bed." in bold
    quotes = [p.text for p in word.paragraphs if p.style.name == "Quote"]
    assert quotes[0].startswith("A baby died") and len(quotes) == 5
    assert sum(t == "Summary, Learning" for t in texts) == 1 and not any("characters" in t for t in texts)


def test_show_more_exports_only_the_new_results():
    turn = made_turn(message="show more", kind="more", change="showing more results", shown_from=1)
    clips = clips_of_turn(turn)
    assert {clip.review.id for clip in clips} == {"r2"} and clips[0].rank == 2


def test_conversation_lists_each_passage_once_and_records_the_follow_ups(service):
    first = chat_turn(service, "county lines", [], Filters(), k=3)
    second = chat_turn(service, "show more", [first], Filters())
    third = chat_turn(service, "county lines", [first, second], Filters(), k=3)
    conversation = [first, second, third]
    assert second.kind == "more" and second.shown_from == len(first.shown)
    shown = sum(len(hit.passages) for turn in conversation for hit in turn.shown)
    distinct = {(hit.review.id, p.chunk.id) for turn in conversation for hit in turn.shown for p in hit.passages}
    asked, clips = conversation_clips(conversation)
    assert len(clips) == len(distinct) < shown
    assert [a.message for a in asked] == ["county lines", "show more", "county lines"]
    assert asked[1].kind == "more" and asked[1].change == "showing more results"
    # The third turn asked the first question again: its passages are the first turn's, named there.
    assert [clip for clip in clips if clip.asked.number == 3] == []
    assert all(3 in clip.also_in for clip in clips if clip.asked.number == 1)
    markdown = to_markdown(teaching_note(clips, asked))
    assert "“show more” (showing more results)" in markdown and "3. “county lines”" in markdown


def test_picks_resolve_in_order_and_a_stale_pick_is_refused(service):
    conversation = [chat_turn(service, "county lines", [], Filters(), k=3),
                    chat_turn(service, "home education", [], Filters(), k=3)]
    wanted = [(1, hit.review.id, hit.passages[0].chunk.id) for hit in conversation[1].shown[:1]]
    wanted += [(0, hit.review.id, hit.passages[-1].chunk.id) for hit in conversation[0].shown[:2]]
    clips = clips_for(conversation, wanted)
    assert [(c.asked.number - 1, *c.key) for c in clips] == wanted
    assert clips[0].asked.question == "home education"
    with pytest.raises(ReviewQAError, match="answer 3"):
        clips_for(conversation, [(2, *wanted[0][1:])])
    with pytest.raises(ReviewQAError, match="not among answer 1"):
        clips_for(conversation, [(0, wanted[0][1], "nowhere#0")])


@pytest.mark.parametrize("span, words", [((0.25, 0.25), "3 months"), ((3 / 52, 3 / 52), "3 weeks"),
                                         ((2 / 12, 2 / 12), "2 months"), ((16.0, 16.0), "16 years"),
                                         ((1.0, 4.0), "1–4 years")])
def test_a_childs_age_is_said_in_its_own_unit(span, words):
    from qa.exports.notes import age_words

    assert age_words(span) == words


def test_export_path_is_checked_before_searching(tmp_path):
    assert export_path(tmp_path / "a.XLSX").suffix == ".XLSX"
    with pytest.raises(ReviewQAError, match="csv"):
        export_path(tmp_path / "a.pdf")
    with pytest.raises(ReviewQAError, match="does not exist"):
        export_path(tmp_path / "missing" / "a.csv")


def test_hostile_text_stays_text_in_every_format(tmp_path):
    turn = made_turn(question="<script>alert(1)</script>")
    clips = clips_of_turn(turn)
    assert "<script" not in to_markdown(teaching_note(clips))
    assert "<script>" in to_csv(clips)        # a CSV cell is data, not markup
