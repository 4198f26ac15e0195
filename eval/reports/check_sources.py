"""Consistency checks for the fictional report set in eval/reports/ (no reviewqa code is used).

    python3 eval/reports/check_sources.py

Checks that every truth file's headings match the source's headings, that every question's answer
occurs exactly once in its document (outside tables and the cover), that the answer sits under the
stated heading, and that qrels-dev1.txt names known topics and documents. Prints word counts.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"


def parse(path: Path):
    """(headings, body blocks as (heading, text)) of a source file."""
    headings, blocks, current, in_cover = [], [], None, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("::: cover"):
            in_cover = True
            continue
        if in_cover:
            if line.strip() == ":::":
                in_cover = False
            continue
        if line.startswith(":::") or line.startswith("<!--") or line.startswith("|"):
            continue
        m = re.match(r"^(#{1,3}) (.+)$", line)
        if m:
            current = m.group(2).strip()
            headings.append(current)
            continue
        if line.strip():
            blocks.append((current, line.strip()[2:] if line.startswith("- ") else line.strip()))
    return headings, blocks


def main() -> int:
    problems = []
    docs = {}
    for truth_path in sorted((HERE / "truth").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        src = SOURCES / truth["file"]
        headings, blocks = parse(src)
        first = src.read_text(encoding="utf-8").splitlines()[0]
        if first != f"<!-- format: {truth['format']} -->":
            problems.append(f"{src.name}: format line {first!r} does not match truth {truth['format']}")
        if headings != truth["headings"]:
            problems.append(f"{truth_path.name}: headings differ from {src.name}")
        docs[src.stem] = blocks
        words = len(re.findall(r"\S+", src.read_text(encoding="utf-8")))
        print(f"{src.stem:40s} {words:6d} words  {len(headings):3d} headings")
    qids = set()
    counts = {}
    for n, line in enumerate((HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        q = json.loads(line)
        if q["qid"] in qids:
            problems.append(f"questions line {n}: duplicate qid {q['qid']}")
        qids.add(q["qid"])
        counts[q["document"]] = counts.get(q["document"], 0) + 1
        blocks = docs.get(q["document"])
        if blocks is None:
            problems.append(f"{q['qid']}: unknown document {q['document']}")
            continue
        hits = [(h, t) for h, t in blocks if q["answer"] in t]
        total = sum(t.count(q["answer"]) for _, t in blocks)
        if total != 1:
            problems.append(f"{q['qid']}: answer found {total} times")
        elif hits[0][0] != q["section"]:
            problems.append(f"{q['qid']}: answer is under {hits[0][0]!r}, not {q['section']!r}")
    print("questions per document:", counts)
    topics = {l.split("\t")[0] for l in (HERE.parent / "topics.tsv").read_text().splitlines() if l.strip()}
    judged = 0
    for line in (HERE / "qrels-dev1.txt").read_text().splitlines():
        qid, _, doc, grade = line.split()
        judged += 1
        if qid not in topics or doc not in docs or grade not in {"1", "2"}:
            problems.append(f"qrels: bad line {line!r}")
    print("non-zero dev1 judgments:", judged)
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
