"""The digest as a briefing (Markdown, Word), through the command line and the REST API."""

import json

import pytest
from fastapi.testclient import TestClient

from qa.digest.briefing import bar, scope_line, to_markdown, write_docx
from qa.search import search_request
from qa.web.server import make_server_app


def digest_and_reviews(service, question="information sharing between agencies", **options):
    digest = service.digest(search_request(question, service.settings, **options))
    return digest, service.index().reviews


def test_markdown_briefing_is_headings_counts_and_quotes(digest_service):
    digest, reviews = digest_and_reviews(digest_service)
    text = to_markdown(digest, reviews)
    assert text.startswith("# What the reviews say: information sharing between agencies")
    assert scope_line(digest, reviews).startswith(f"{len(digest.reviews)} reviews published ")
    assert "## Profile" in text and "### Outcome (from each review's opening account)" in text
    for theme in digest.themes:
        for quote in theme.quotes:
            assert quote.text.replace("*", "\\*").replace("_", "\\_") in text.replace("\\[", "[").replace("\\]", "]")
    for rid in digest.reviews:
        assert f"`{rid}`" in text
    assert "NSPCC" in text


def test_an_empty_digest_is_a_short_briefing(digest_service):
    from qa.search import Filters

    digest, reviews = digest_and_reviews(digest_service, "safe sleep advice",
                                         filters=Filters(year_from=2019, year_to=2019))
    text = to_markdown(digest, reviews)
    assert not digest.reviews and "No review is close to this question." in text and "## Profile" not in text
    assert text.splitlines()[2].startswith("0 reviews that match “safe sleep advice” (filtered to: 2019)")


def test_bars_scale_with_the_counts():
    assert bar(10, 10) == "█" * 20 and bar(1, 10) == "██" and bar(0, 10) == "" and bar(1, 1000) == "█"


def test_word_briefing_holds_the_quotes(digest_service, tmp_path):
    from docx import Document as WordDocument

    digest, reviews = digest_and_reviews(digest_service)
    path = write_docx(digest, reviews, tmp_path / "briefing.docx")
    paragraphs = [p.text for p in WordDocument(str(path)).paragraphs]
    assert paragraphs[0] == "What the reviews say: information sharing between agencies"
    quotes = [q.text for theme in digest.themes for q in theme.quotes]
    assert quotes and all(q in paragraphs for q in quotes)


def test_cli_writes_the_briefing(digest_cli, tmp_path, capsys):
    assert digest_cli("digest", "information sharing between agencies", "--out", str(tmp_path / "b.md")) == 0
    assert (tmp_path / "b.md").read_text(encoding="utf-8").startswith("# What the reviews say")
    assert digest_cli("digest", "information sharing between agencies", "--out", str(tmp_path / "b.docx")) == 0
    assert (tmp_path / "b.docx").stat().st_size > 1000
    capsys.readouterr()
    assert digest_cli("digest", "neglect", "--out", str(tmp_path / "b.pdf")) == 2
    assert "--out must name a .md or .docx file" in capsys.readouterr().err
    assert digest_cli("digest", "neglect", "--out", str(tmp_path / "missing" / "b.md")) == 2


@pytest.fixture
def client(digest_service):
    return TestClient(make_server_app(digest_service.settings, digest_service, with_ui=False),
                      raise_server_exceptions=False)


def test_api_digest_is_the_cli_json(client, digest_service):
    expected = digest_service.digest(search_request("information sharing between agencies",
                                                    digest_service.settings), 5).to_json()
    got = client.get("/api/digest", params={"q": "information sharing between agencies", "limit": 5})
    assert got.status_code == 200 and got.json() == json.loads(json.dumps(expected))
    posted = client.post("/api/digest", json={"question": "information sharing between agencies", "limit": 5})
    assert posted.status_code == 200 and posted.json() == got.json()
    assert set(got.json()) == {"query", "filters", "set", "profile", "themes"}


@pytest.mark.parametrize("call", [
    lambda c: c.get("/api/digest", params={"q": "neglect", "limit": 0}),
    lambda c: c.get("/api/digest", params={"q": "neglect", "limit": 101}),
    lambda c: c.post("/api/digest", json={"question": "neglect", "limit": "10"}),
    lambda c: c.post("/api/digest", json={"question": "neglect", "lmit": 10}),
])
def test_api_digest_refuses_bad_limits_in_one_line(client, call):
    response = call(client)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"error"} and "\n" not in body["error"] and "limit" in body["error"]
