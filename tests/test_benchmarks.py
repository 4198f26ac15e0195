"""The judged sets in eval/ are consistent with each other and with the shipped collection: every
judged review exists, every question has a type and a clearly relevant review, the judging batches
add up to the benchmark, the fictional documents hold their answers verbatim, and their truth files
agree with their sources. (No system output is involved: these check the judges' files.)"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from qa.settings import SHIPPED_COLLECTION
from testkit.reports import REPORTS, TITLE_PAGES, load_set, questions
from tests.helpers import ROOT

EVAL = ROOT / "eval"
TYPES = {"multifacet", "examples", "lay", "knownitem", "constraint"}


def reviews() -> dict[str, dict]:
    return {record["id"]: record for record in map(json.loads, SHIPPED_COLLECTION.read_text("utf-8").splitlines())}


def tsv(path: Path) -> dict[str, str]:
    rows = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        qid, tab, value = line.partition("\t")
        assert tab and value.strip(), f"{path.name}:{number} is not qid<TAB>value"
        assert qid not in rows, f"{path.name}:{number} repeats {qid}"
        rows[qid] = value
    return rows


def qrels(path: Path) -> list[tuple[str, str, int]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        assert len(parts) == 4 and parts[1] == "0" and parts[3] in {"0", "1", "2"}, f"{path.name}:{number}"
        rows.append((parts[0], parts[2], int(parts[3])))
    assert len({(q, d) for q, d, _ in rows}) == len(rows), f"{path.name} judges a pair twice"
    return rows


@pytest.mark.parametrize("folder", [EVAL, EVAL / "dev2"], ids=["dev1", "dev2"])
def test_a_summary_benchmark_is_complete_and_consistent(folder):
    topics, types = tsv(folder / "topics.tsv"), tsv(folder / "topic_types.tsv")
    judged = qrels(folder / ("qrels.txt"))
    known = reviews()
    assert set(topics) == set(types) and set(types.values()) <= TYPES
    assert {q for q, _, _ in judged} == set(topics), "every question is judged, and only those"
    assert [d for _, d, _ in judged if d not in known] == []
    clearly = Counter(q for q, _, grade in judged if grade == 2)
    assert [q for q in topics if clearly[q] == 0] == []


def test_the_judging_batches_add_up_to_the_first_benchmark():
    parts = sorted((EVAL / "parts").glob("*.qrels"))
    assert [p.stem for p in parts] == ["constraint", "knownitem-and-lay", "multifacet-and-examples"]
    assert sorted(row for part in parts for row in qrels(part)) == sorted(qrels(EVAL / "qrels.txt"))
    merged = {}
    for part in sorted((EVAL / "parts").glob("*.topics.tsv")):
        merged.update(tsv(part))
    assert merged == tsv(EVAL / "topics.tsv")


def test_constraint_judgments_meet_their_constraints():
    """Reviews judged relevant to a year, place or nation question are of that year, place or nation
    (the graders' rule in eval/README.md)."""
    known = reviews()
    years = {"con01": {2022}, "con02": {2023}, "con03": {2020}, "con04": {2022, 2023}, "con05": {2021}}
    outside_england = {"Scotland", "Wales", "Isle of Man", "Channel Islands"}
    for qid, review, grade in qrels(EVAL / "qrels.txt"):
        if grade == 0:
            continue
        record = known[review]
        assert qid not in years or record["year"] in years[qid], (qid, review)
        assert qid != "con07" or record["nation"] in outside_england, (qid, review)
        assert qid != "con11" or record["area"] == "Surrey", (qid, review)


def test_the_long_reports_hold_their_answers_once_under_their_sections():
    documents = {d.slug: d for d in load_set(REPORTS)}
    assert len(documents) == 6
    for document in documents.values():
        assert document.headings == document.truth["headings"], document.slug
        assert document.format == document.truth["format"]
    asked = questions()
    assert len({q["qid"] for q in asked}) == len(asked) >= 30
    for question in asked:
        blocks = [b for b in documents[question["document"]].blocks if b.kind in ("paragraph", "bullet")]
        holding = [b for b in blocks if question["answer"] in b.text]
        assert sum(b.text.count(question["answer"]) for b in blocks) == 1, question["qid"]
        assert holding[0].heading == question["section"], question["qid"]


@pytest.mark.parametrize("name", ["qrels-dev1.txt", "qrels-dev2.txt"])
def test_the_long_reports_are_judged_against_both_summary_sets(name):
    slugs = {d.slug for d in load_set(REPORTS)}
    topics = tsv(EVAL / ("topics.tsv" if name.endswith("dev1.txt") else "dev2/topics.tsv"))
    rows = qrels(REPORTS / name)
    assert rows and {d for _, d, _ in rows} <= slugs and {q for q, _, _ in rows} <= set(topics)
    assert {grade for _, _, grade in rows} <= {1, 2}


def test_the_title_pages_truth_is_well_formed():
    documents = load_set(TITLE_PAGES)
    assert len(documents) == 20
    for document in documents:
        truth = document.truth
        assert truth["file"] == f"{document.slug}.md" and truth["format"] == document.format
        assert truth["nation"] in {"England", "Wales", "Scotland", "Northern Ireland", None}
        assert truth["kind"] in {"overview report", "executive summary", "learning brief", "practice guide",
                                 "thematic review", "other"}
        area = truth["area"] or "Anonymous"
        expected = f"{truth['year']} – {area} – {truth['name']}" if truth["year"] else f"{area} – {truth['name']}"
        assert truth["title"] == expected, document.slug
        assert "headings" not in truth or truth["headings"] == document.headings
        words = len(re.findall(r"\S+", document.body_text() + " ".join(document.cover)))
        assert 500 <= words <= 1300, (document.slug, words)


def test_the_constraint_probes_are_well_formed():
    probes = [json.loads(line) for line in (EVAL / "constraints" / "probes.jsonl").read_text("utf-8").splitlines()]
    assert len(probes) >= 40 and len({p["id"] for p in probes}) == len(probes)
    for probe in probes:
        expect = probe["expect"]
        assert set(expect) >= {"year_from", "year_to", "nations", "regions", "areas", "age_min", "age_max",
                               "incident_years", "language"}, probe["id"]
        if expect["age_min"] is not None and expect["age_max"] is not None:
            assert expect["age_min"] < expect["age_max"], probe["id"]
