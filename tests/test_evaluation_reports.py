"""The long-report set's scoring (qa/evaluation/reports.py) and `reviewqa eval --sets reports`."""

import json
from types import SimpleNamespace

import pytest

from qa.cli import main
from qa.evaluation import BenchmarkError
from qa.evaluation.reports import (
    Answered,
    PairCounts,
    ReportQuestion,
    answer_questions,
    answer_table,
    compare_answers,
    format_answers,
    format_pairs,
    pair_counts,
    read_report_questions,
    report_qrels,
    sign_test,
)
from qa.settings import Settings
from testkit.documents import chromium_available


def test_pair_counts_by_hand():
    # Reports R1 and R2; q1 judges R1 relevant (grade 1) and R2 not; q2 judges nothing about them.
    run = {"q1": {"s1": 5.0, "R2": 4.0, "R1": 3.0, "s2": 2.0},
           "q2": {f"s{i}": 20.0 - i for i in range(10)} | {"R1": 1.0}}      # R1 11th: not shown
    graded = {"q1": {"R1": 1, "R2": 0}}
    counts = pair_counts(run, graded, {"R1", "R2"})
    assert counts == PairCounts(judged=1, top10=1, top3=1, intrusions10=1, intrusions3=1)
    assert counts + counts == PairCounts(2, 2, 2, 2, 2)


def _answered(qid, type_, rank, first, any_):
    return Answered(qid, type_, rank, first, any_, "")


def test_answer_table_groups_by_type_and_sign_test():
    rows = [_answered("a", "fact", 1, True, True), _answered("b", "fact", 4, False, True),
            _answered("c", "lay", None, False, False)]
    table = answer_table(rows)
    assert table["all"] == {"questions": 3, "rank 1": 1, "top 3": 1, "top 5": 2, "top 10": 2, "first passage": 1,
                            "any shown": 2}
    assert table["fact"]["questions"] == 2 and table["lay"]["top 10"] == 0
    assert sign_test(0, 0) == 1.0 and sign_test(0, 6) == pytest.approx(2 / 64) and sign_test(3, 3) == 1.0
    better = [_answered("a", "fact", 1, True, True), _answered("b", "fact", 4, True, True),
              _answered("c", "lay", 2, True, True)]
    rows_by_config = {"base": rows, "better": better}
    comparison = compare_answers(rows_by_config, "base")
    assert [(r["what"], r["wins"], r["losses"]) for r in comparison] == [("first", 2, 0), ("any", 1, 0)]
    text = format_answers({name: answer_table(r) for name, r in rows_by_config.items()}, comparison)
    assert "all (3 questions)" in text and "lay (1 questions)" in text
    assert "better vs base, first passage: +2 -0, sign test p=0.5000" in text
    pairs = format_pairs({"base": {"dev1": PairCounts(4, 2, 1, 3, 0), "dev2": PairCounts(6, 3, 2, 1, 1)}})
    assert "5/10" in pairs and "(dev1 2/4, dev2 3/6)" in pairs


def test_answer_questions_checks_the_passages_of_the_answering_report():
    def hit(review_id, *texts):
        return SimpleNamespace(review=SimpleNamespace(id=review_id),
                               passages=[SimpleNamespace(chunk=SimpleNamespace(text=t)) for t in texts])

    class Searcher:
        settings = Settings()

        def search(self, request):
            return SimpleNamespace(hits=[hit("other", "The answer is here.\nBut in another review."),
                                         hit("R1", "A title page", "The  answer\nis here. More text.")])

    questions = [ReportQuestion("q1", "where is the answer", "report-one", "The answer is here.", "fact")]
    [row] = answer_questions(Searcher(), questions, {"report-one": "R1"}, "default")
    # Found second; its first passage misses, its second holds the answer across a line break.
    assert (row.rank, row.first, row.any, row.first_shown) == (2, False, True, "A title page")


def test_report_files_are_checked(tmp_path):
    path = tmp_path / "questions.jsonl"
    path.write_text('{"qid": "q1", "question": "x", "document": "d", "answer": "a"}\n{"qid": "q2"}\n')
    with pytest.raises(BenchmarkError, match="line 2"):
        read_report_questions(path)
    with pytest.raises(BenchmarkError, match="Cannot read"):
        read_report_questions(tmp_path / "missing.jsonl")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 report-one 2\nq2 0 report-two 1\n")
    assert report_qrels(qrels, {"report-one": "R1", "report-two": "R2"}) == {"q1": {"R1": 2}, "q2": {"R2": 1}}
    with pytest.raises(BenchmarkError, match="not added: report-two"):
        report_qrels(qrels, {"report-one": "R1"})


def test_eval_names_the_sets_and_needs_the_checkout_for_reports(tmp_path, capsys):
    assert main(["--root", str(tmp_path / "data"), "eval", "--sets", "dev1,nope"]) == 2
    assert "Unknown set nope; choose from: dev1, dev2, reports." in capsys.readouterr().err
    elsewhere = tmp_path / "eval"
    elsewhere.mkdir()
    assert main(["--root", str(tmp_path / "data"), "eval", "--sets", "reports", "--eval-dir", str(elsewhere)]) == 2
    assert "a reviewqa checkout's testkit/" in capsys.readouterr().err


@pytest.mark.slow
def test_eval_runs_the_long_report_set_with_the_real_model(tmp_path, capsys):
    """The whole long-report set, as `reviewqa eval --sets reports` runs it: six reports rendered and
    added, dev1 and dev2 with their grades merged, the 48 report questions; then the folder reused."""
    if not chromium_available():
        pytest.skip("needs Debian's /usr/bin/chromium")
    kept = tmp_path / "reports"
    args = ["--root", str(tmp_path / "data"), "eval", "--sets", "reports", "--configs", "default",
            "--reports-root", str(kept), "--runs-dir", str(tmp_path / "runs"), "--json"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "preparing" in captured.err
    payload = json.loads(captured.out)
    assert set(payload["sets"]) == {"dev1+reports", "dev2+reports"}
    pairs = payload["sets"]["dev1+reports"]["pairs"]["default"]
    assert pairs["judged"] == 39 and 0 <= pairs["top10"] <= 39
    report = payload["report_questions"]
    assert report["questions"] == 48 and len(report["reviews"]) == 6
    counts = report["answers"]["default"]
    assert set(counts) >= {"all", "fact", "finding", "lay", "recommendation", "trainer"}
    # Floors far below today's figures (41 in the top 10, 22 first passages): a collapse fails here.
    assert counts["all"]["top 10"] >= 30 and counts["all"]["first passage"] >= 15
    assert (tmp_path / "runs" / "dev1+reports" / "default.run").exists()
    assert main([*args[:-1], "--quiet"]) == 0                  # reused: nothing rendered or added again
    second = capsys.readouterr()
    assert second.err == "" and "the 48 report questions" in second.out
