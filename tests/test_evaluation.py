import json
import math

import pytest

import qa.embed
from qa.cli import main
from qa.evaluation import (
    Benchmark,
    BenchmarkError,
    compare_runs,
    format_table,
    load_benchmark,
    per_query,
    read_qrels,
    read_topics,
    score_run,
    write_trec_run,
)
from tests.helpers import FakeEmbedder


def test_metrics_match_hand_computation():
    bench = Benchmark({"q": "x"}, {"q": {"a": 2, "b": 1, "c": 0, "d": 2}}, {"q": "lay"})
    run = {"q": {"c": 4.0, "a": 3.0, "e": 2.0, "b": 1.0}}
    table = score_run(bench, run, "t")
    # ranx's ndcg uses the grade as the gain (as trec_eval does): c=0, a=2/log2(3), e=0, b=1/log2(5);
    # ideal order a, d, b.
    dcg = 2 / math.log2(3) + 1 / math.log2(5)
    ideal = 2 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    assert table["all"]["ndcg@10"] == pytest.approx(dcg / ideal, abs=1e-4)
    assert table["all"]["mrr"] == pytest.approx(0.5)
    assert table["all"]["recall@10"] == pytest.approx(2 / 3)
    assert table["all"]["precision@5"] == pytest.approx(2 / 5)
    assert table["lay"]["queries"] == 1


def test_query_without_results_scores_zero():
    bench = Benchmark({"q1": "x", "q2": "y"}, {"q1": {"a": 1}, "q2": {"b": 1}})
    table = score_run(bench, {"q1": {"a": 1.0}, "q2": {}}, "t")
    assert table["all"]["mrr"] == pytest.approx(0.5)
    assert per_query(bench, {"q1": {"a": 1.0}, "q2": {}}, "t") == {"q1": 1.0, "q2": 0.0}


def test_compare_reports_p_values():
    qrels = {f"q{i}": {"a": 1} for i in range(12)}
    bench = Benchmark({q: q for q in qrels}, qrels)
    good = {q: {"a": 2.0, "b": 1.0} for q in qrels}
    bad = {q: {"b": 2.0, "a": 1.0} for q in qrels}
    result = compare_runs(bench, {"bad": bad, "good": good})
    row = result["comparisons"][0]
    assert row["run"] == "good" and row["mean"] > row["baseline_mean"]
    assert row["p_student"] < 0.01 and row["p_fisher"] < 0.01


def test_trec_files_round_trip(tmp_path):
    topics = tmp_path / "t.tsv"
    topics.write_text("q1\tneglect\nq2\tbruising\n", encoding="utf-8")
    qrels = tmp_path / "q.txt"
    qrels.write_text("q1 0 a 2\nq1 0 b 0\n", encoding="utf-8")
    bench = load_benchmark(topics, qrels)
    assert bench.judged_topics() == {"q1": "neglect"}
    path = tmp_path / "runs" / "x.run"
    write_trec_run({"q1": {"a": 2.0, "b": 1.0}}, "x", path)
    assert path.read_text().splitlines() == ["q1 Q0 a 1 2 x", "q1 Q0 b 2 1 x"]


def test_bad_benchmark_files(tmp_path):
    with pytest.raises(BenchmarkError, match="does not exist"):
        read_topics(tmp_path / "none.tsv")
    bad = tmp_path / "bad.qrels"
    bad.write_text("q1 a 2\n", encoding="utf-8")
    with pytest.raises(BenchmarkError, match="Line 1"):
        read_qrels(bad)
    topics = tmp_path / "t.tsv"
    topics.write_text("q9\tx\n", encoding="utf-8")
    good = tmp_path / "good.qrels"
    good.write_text("q1 0 a 2\n", encoding="utf-8")
    with pytest.raises(BenchmarkError, match="qids match"):
        load_benchmark(topics, good)


def test_format_table_has_a_block_per_type():
    table = {"all": {m: 0.5 for m in ("ndcg@10", "recall@10", "recall@20", "mrr", "precision@5")} | {"queries": 3}}
    text = format_table({"bm25": table, "default": table})
    assert "all (3 questions)" in text and "nDCG@10" in text and text.count("0.500") == 10


def test_eval_command_on_the_fixture(settings, monkeypatch, tmp_path, capsys, fixture_reviews):
    monkeypatch.setattr(qa.embed, "load_embedder", lambda s: FakeEmbedder())
    monkeypatch.setattr(qa.embed, "load_query_embedder", lambda s: FakeEmbedder())
    by_name = {r.name: r.id for r in fixture_reviews}
    (tmp_path / "t.tsv").write_text("q1\tcounty lines exploitation\nq2\thome education neglect\n", encoding="utf-8")
    (tmp_path / "q.txt").write_text(f"q1 0 {by_name['Child K']} 2\nq2 0 {by_name['Dylan']} 2\n", encoding="utf-8")
    (tmp_path / "types.tsv").write_text("q1\tlay\nq2\tmultifacet\n", encoding="utf-8")
    common = ["--corpus", str(settings.corpus_path), "--index-dir", str(settings.index_dir), "--model", "fake-hash-64"]
    assert main(common + ["build", "--quiet"]) == 0
    capsys.readouterr()
    args = [*common, "eval", "--topics", str(tmp_path / "t.tsv"), "--qrels", str(tmp_path / "q.txt"),
            "--types", str(tmp_path / "types.tsv"), "--runs-dir", str(tmp_path / "runs"), "--configs", "bm25,default"]
    assert main(args + ["--json"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)       # progress never reaches stdout
    # Progress on stderr: what will run, a bar per set and configuration, and each one's time.
    assert "eval: 1 set x 2 configurations, 4 searches; loading the index and the model" in captured.err
    assert "custom: bm25 (1/2)" in captured.err and "custom: default (2/2)" in captured.err
    assert "ran default on custom: 2 questions in " in captured.err
    assert main(args + ["--json", "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == "" and json.loads(quiet.out)["sets"]["custom"]["questions"] == 2
    payload = payload["sets"]["custom"]
    assert set(payload["metrics"]) == {"bm25", "default"}
    assert set(payload["metrics"]["default"]) == {"all", "lay", "multifacet"}
    assert payload["metrics"]["default"]["all"]["mrr"] == pytest.approx(1.0)
    assert (tmp_path / "runs" / "custom" / "default.run").read_text().startswith("q1 Q0 ")
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "nDCG@10" in out and "Paired tests" in out
    assert main(args[:-1] + ["bm25,nonsense"]) == 2
