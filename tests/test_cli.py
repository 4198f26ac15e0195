import csv
import json

import pytest

from qa.cli import main
from qa.index import store


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
    queries.write_bytes("q2\tcounty lines\nq1\tbruising seen by the GP\n# comment\n\nq3\t   \n"
                        "no tab here\nq5\tneglect \xff\xfe\nq6\thome education\n".encode().replace(
                            "\xff\xfe".encode(), b"\xff\xfe"))
    assert cli("search", "--queries", str(queries), "--k", "3", "--json") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["qid"] for line in lines] == ["q2", "q1", "q3", "no tab here", "line-7", "q6"]
    assert [line["line"] for line in lines] == [1, 2, 5, 6, 7, 8]
    assert lines[2]["results"] == [] and "empty" in lines[2]["error"]
    assert "Line 6 is not `qid<TAB>question`" in lines[3]["error"]
    assert "Line 7 is not UTF-8" in lines[4]["error"]
    texts = {d["id"]: d["text"] for record in settings.corpus_path.read_text().splitlines()
             for d in json.loads(record)["documents"]}
    for line in lines[:2] + lines[5:]:
        assert 0 < len(line["results"]) <= 3 and "error" not in line
        for result in line["results"]:
            assert set(result) >= {"review_id", "title", "year", "area", "section", "passage", "start", "end", "score",
                                   "source"}
            text = texts[result["source"]["document_id"]]
            assert text[result["start"]:result["end"]] == result["passage"]


@pytest.mark.parametrize("question, expected", [
    ("", "empty"), ("   ", "empty"), ("\x01\x02", "empty"), ("x" * 100_000, "limit is"),
])
def test_bad_questions_exit_2_with_one_line(cli, capsys, question, expected, monkeypatch):
    # Checked before anything heavy: no index is needed to refuse an empty question.
    assert cli("search", question) == 2
    assert expected in one_line_error(capsys)


@pytest.mark.parametrize("args, expected", [
    (["--nation", "Walse"], "Did you mean 'Wales'"),
    (["--year-from", "2023", "--year-to", "2019"], "reversed"),
    (["--k", "0"], "k must be from 1"),
    (["--age", "teenagers (13-17)", "--area", "Kentt"], "Did you mean 'Kent'"),
])
def test_bad_filters_exit_2_with_a_hint(cli, capsys, args, expected):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", "neglect", *args) == 2
    assert expected in one_line_error(capsys)


def test_weak_only_answers_say_so(cli, capsys):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", "qwzx vbnm plokij", "--k", "3") == 0
    out = capsys.readouterr().out
    assert "No review is close to this question" in out and "(weak match)" in out


def test_left_out_unknowns_are_counted_with_the_flag_that_includes_them(cli, capsys):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", "neglect", "--nation", "Wales") == 0
    out = capsys.readouterr().out
    assert ("Note: 4 reviews with no known place were left out by the place filter (Wales). Add --include-unknown "
            "to include them.") in out
    assert cli("search", "neglect", "--nation", "Wales", "--include-unknown", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["unknown_left_out"] == {} and payload["matched_reviews"] == 5
    assert sorted(r["unknown"] for r in payload["results"]) == [[], ["place"], ["place"], ["place"], ["place"]]
    assert cli("search", "neglect", "--nation", "Wales", "--include-unknown") == 0
    assert "(no known place: included by --include-unknown)" in capsys.readouterr().out


def test_an_emptied_result_names_the_filter_and_a_dropped_year_is_reported(cli, capsys):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", "neglect", "--year", "2019", "--nation", "Channel Islands") == 0
    out = capsys.readouterr().out
    assert "No review passes all the filters together: without the year filter (2019) 2 would" in out
    assert cli("search", "baby who died in 2020 after co-sleeping") == 0
    out = capsys.readouterr().out
    assert "Note: 2020 says when something happened" in out and "Filtered to: 2020" not in out


def test_ages_from_flags_and_one_relevance_scale(cli, capsys):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", "exploitation", "--age-min", "12", "--age-max", "18", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["filters"]["age_min"] == 12 and payload["filters"]["age_max"] == 18
    assert all(any(low < 18 and 12 <= high for low, high in r["child_ages"]) for r in payload["results"])
    matches = [r["match"] for r in payload["results"]]
    assert matches == sorted(matches, reverse=True)
    assert cli("search", "exploitation", "--k", "2") == 0
    out = capsys.readouterr().out
    assert "relevance" not in out and " match 0." in out and "Match: how close" in out


def test_batch_lines_carry_what_was_understood_and_left_out(cli, capsys, tmp_path):
    cli("build", "--quiet")
    capsys.readouterr()
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tneglect in Wales\n", encoding="utf-8")
    assert cli("search", "--queries", str(queries)) == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["understood"]["filters"]["nations"] == ["Wales"]
    assert line["unknown_left_out"] == {"place": 4} and line["matched_reviews"] == 1
    assert isinstance(line["generation"], int) and line["messages"]


def test_batch_lines_carry_the_rest_answers_fields(cli, capsys, tmp_path):
    """A batch line is the answer `search --json` and the REST API give (SearchResponse.to_json, the one
    record function), with the line's qid and number."""
    cli("build", "--quiet")
    capsys.readouterr()
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tneglect in Wales\n", encoding="utf-8")
    assert cli("search", "--queries", str(queries), "--k", "3") == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert cli("search", "neglect in Wales", "--k", "3", "--json") == 0
    rest = json.loads(capsys.readouterr().out)
    assert set(line) == set(rest) | {"qid", "line"}
    assert {name: line[name] for name in rest} == rest


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "md", "docx"])
def test_search_out_writes_the_answers_passages(cli, capsys, tmp_path, suffix):
    cli("build", "--quiet")
    capsys.readouterr()
    out = tmp_path / f"answer.{suffix}"
    assert cli("search", "county lines", "--k", "2", "--out", str(out)) == 0
    captured = capsys.readouterr()
    assert f"to {out}" in captured.err and captured.out == ""
    if suffix == "csv":
        with open(out, encoding="utf-8-sig") as exported:
            assert {row["question"] for row in csv.DictReader(exported)} == {"county lines"}
    elif suffix == "md":
        assert "“county lines”" in out.read_text(encoding="utf-8")
    else:
        assert out.stat().st_size > 0


def test_search_out_is_checked_before_the_search(cli, capsys, tmp_path):
    assert cli("search", "county lines", "--out", str(tmp_path / "answer.pdf")) == 2
    assert "must be a .csv, .xlsx, .md, .docx file" in capsys.readouterr().err
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tneglect\n", encoding="utf-8")
    assert cli("search", "--queries", str(queries), "--out", str(tmp_path / "a.csv")) == 2


def test_search_builds_a_missing_index_first_and_says_so(cli, capsys, settings):
    assert cli("search", "neglect", "--k", "2") == 0
    captured = capsys.readouterr()
    assert "building the search index for the first time" in captured.err
    assert "1. " in captured.out and store.current_generation(settings.index_dir) is not None


def test_corrupt_index_exit_2(cli, capsys, settings):
    cli("build", "--quiet")
    (store.current_generation(settings.index_dir) / "plain.faiss").write_bytes(b"garbage")
    capsys.readouterr()
    assert cli("search", "neglect") == 2
    assert "build --force" in one_line_error(capsys)


def test_missing_or_broken_corpus_names_the_real_fault(cli, capsys, settings):
    settings.corpus_path.unlink()
    assert cli("build") == 2
    assert "reviewqa parse" in one_line_error(capsys)
    settings.corpus_path.write_text("", encoding="utf-8")
    assert cli("build") == 2
    assert "holds no reviews" in one_line_error(capsys)
    cli("stats", "--json")
    assert "holds no reviews" in json.loads(capsys.readouterr().out)["collection_fault"]


def test_bad_queries_file_exit_2(cli, capsys, tmp_path):
    cli("build", "--quiet")
    capsys.readouterr()
    assert cli("search", "--queries", str(tmp_path / "absent.tsv")) == 2
    assert "does not exist" in one_line_error(capsys)


def test_stats_json(cli, capsys, settings):
    assert cli("stats", "--json") == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["reviews"] == 9 and stats["documents"] == 9 and stats["chunks"] is None
    assert stats["index_status"].startswith("needs build")
    cli("build", "--quiet")
    capsys.readouterr()
    cli("stats", "--json")
    stats = json.loads(capsys.readouterr().out)
    assert stats["chunks"] > 9 and stats["segments"] >= stats["chunks"]
    assert stats["model"] == "fake-hash-64" and stats["index_status"] == "current" and stats["generation"] == 1
    # A damaged file is reported, not called current.
    path = store.current_generation(settings.index_dir) / "bm25_reviews" / "vocab.index.json"
    path.write_text(path.read_text().replace(":", ": "))
    cli("stats", "--json")
    assert "damaged" in json.loads(capsys.readouterr().out)["index_status"]


def test_parse_writes_the_corpus(cli, capsys, settings):
    settings.corpus_path.unlink()
    assert main(["--root", str(settings.root), "parse", "--source", str(settings.source_path)]) == 0
    assert "Parsed 9 reviews" in capsys.readouterr().out


def test_help_explains_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--queries" in out and "Examples" in out


def test_a_missing_extra_is_a_sentence_with_the_fix(monkeypatch):
    import qa.extras
    from qa.errors import ReviewQAError

    real = qa.extras.find_spec
    monkeypatch.setattr(qa.extras, "find_spec", lambda name: None if name == "gradio" else real(name))
    with pytest.raises(ReviewQAError, match=r"The web app needs the 'web' part of reviewqa.*\(gradio missing\); "
                                            r"install it with: pip install 'reviewqa\[web\]'"):
        qa.extras.require("web", "The web app")
    qa.extras.require("ingest", "Adding files")      # installed here: no error


def test_file_names_cannot_write_to_the_terminal(cli, capsys, tmp_path):
    """A file name with an escape sequence, a carriage return or a right-to-left override is printed as
    visible escapes, never passed to the terminal."""
    name = "report\x1b[2J\r\u202egnp.txt"
    (tmp_path / name).write_text("Child Safeguarding Practice Review: Child E\n\nPublished 2024\n\nThe school saw it.",
                                 encoding="utf-8")
    cli("add", str(tmp_path / name), "--quiet", "--year", "2024")
    captured = capsys.readouterr()
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\r" not in stream and "\u202e" not in stream
    assert "\\x1b[2J" in captured.out + captured.err and "\\u202e" in captured.out + captured.err


def test_list_reads_as_sentences(cli, capsys):
    assert cli("list") == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert ".;" not in line and line.startswith("No documents have been added yet")


def test_a_file_named_dot_dot_txt_keeps_its_extension():
    from qa.changes.originals import safe_file_name

    assert safe_file_name("..txt") == "document.txt" and safe_file_name("a..b.pdf") == "a.b.pdf"
