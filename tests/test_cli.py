import json

import pytest

import qa.embedding
from qa.cli import main
from qa.index import active_folder

from .conftest import FakeEmbedder


@pytest.fixture
def cli(settings, monkeypatch):
    """Run the CLI in-process against the fixture corpus with the fake embedder."""
    monkeypatch.setattr(qa.embedding, "load_embedder", lambda s: FakeEmbedder())

    def run(*args):
        return main(["--corpus", str(settings.corpus_path), "--index-dir", str(settings.index_dir),
                     "--model", "fake-hash-64", *args])
    return run


def one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reviewqa: error: ")
    return lines[0]


def test_build_then_search_prints_citations(cli, capsys, settings):
    assert cli("build", "--quiet") == 0
    assert "9 reviews" in capsys.readouterr().out
    assert cli("build") == 0
    assert "up to date" in capsys.readouterr().out
    assert cli("search", "county lines exploitation", "--k", "2") == 0
    out = capsys.readouterr().out
    assert "2022 – Kent – Child K" in out and "“" in out


def test_search_json_and_filters(cli, capsys):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", "neglect", "--year", "2019", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["filters"]["year_from"] == 2019
    assert payload["results"] and {r["year"] for r in payload["results"]} == {2019}


def test_batch_search_writes_one_json_line_per_query_in_order(cli, capsys, tmp_path, settings):
    cli("build", "--quiet")
    capsys.readouterr()
    queries = tmp_path / "q.tsv"
    queries.write_text("q2\tcounty lines\nq1\tbruising seen by the GP\n# comment\n\nq3\t   \n", encoding="utf-8")
    assert cli("search", "--queries", str(queries), "--k", "3", "--json") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["qid"] for line in lines] == ["q2", "q1", "q3"]
    assert lines[2]["results"] == [] and "empty" in lines[2]["error"]
    reviews = {json.loads(l)["id"]: json.loads(l) for l in settings.corpus_path.read_text().splitlines()}
    for line in lines[:2]:
        assert 0 < len(line["results"]) <= 3
        for result in line["results"]:
            assert set(result) >= {"review_id", "title", "year", "area", "section", "passage", "start", "end", "score"}
            assert reviews[result["review_id"]]["text"][result["start"]:result["end"]] == result["passage"]


@pytest.mark.parametrize("question, expected", [
    ("", "empty"), ("   ", "empty"), ("\x01\x02", "empty"), ("x" * 100_000, "limit is"),
])
def test_bad_questions_exit_2_with_one_line(cli, capsys, question, expected):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", question) == 2
    assert expected in one_line_error(capsys)


def test_missing_index_exit_2(cli, capsys):
    assert cli("search", "neglect") == 2
    assert "reviewqa build" in one_line_error(capsys)


def test_corrupt_index_exit_2(cli, capsys, settings):
    cli("build", "--quiet")
    (active_folder(settings) / "dense.faiss").write_bytes(b"garbage")
    capsys.readouterr()
    assert cli("search", "neglect") == 2
    assert "build --force" in one_line_error(capsys)


def test_missing_corpus_exit_2(cli, capsys, settings):
    settings.corpus_path.unlink()
    assert cli("stats") == 2
    assert "reviewqa parse" in one_line_error(capsys)


def test_bad_queries_file_exit_2(cli, capsys, tmp_path):
    cli("build", "--quiet")
    capsys.readouterr()
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    assert cli("search", "--queries", str(bad)) == 2
    assert "Line 1" in one_line_error(capsys)
    assert cli("search", "--queries", str(tmp_path / "absent.tsv")) == 2
    assert "does not exist" in one_line_error(capsys)


def test_stats_json(cli, capsys):
    assert cli("stats", "--json") == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["reviews"] == 9 and stats["chunks"] is None and stats["index_status"].startswith("needs build")
    cli("build", "--quiet")
    capsys.readouterr()
    cli("stats", "--json")
    stats = json.loads(capsys.readouterr().out)
    assert stats["chunks"] > 9 and stats["segments"] >= stats["chunks"]
    assert stats["model"] == "fake-hash-64" and stats["index_status"] == "current"


def test_parse_writes_the_corpus(cli, capsys, settings):
    settings.corpus_path.unlink()
    assert main(["--corpus", str(settings.corpus_path), "parse", "--source", str(settings.source_path)]) == 0
    assert "Parsed 9 reviews" in capsys.readouterr().out


def test_help_explains_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--queries" in out and "Examples" in out
