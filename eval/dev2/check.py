#!/usr/bin/env python3
"""Validate the dev2 benchmark files (run from anywhere): python3 eval/dev2/check.py"""
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLLECTION = HERE.parent.parent / "corpus" / "reviews.jsonl"
TYPES = {"multifacet", "examples", "lay", "knownitem", "constraint"}


def main() -> int:
    errors = []
    ids = {json.loads(line)["id"] for line in COLLECTION.open(encoding="utf-8") if line.strip()}

    topics = {}
    for n, line in enumerate((HERE / "topics.tsv").read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) != 2 or not parts[1].strip():
            errors.append(f"topics.tsv:{n}: expected qid<TAB>question")
            continue
        if parts[0] in topics:
            errors.append(f"topics.tsv:{n}: duplicate qid {parts[0]}")
        topics[parts[0]] = parts[1]

    types = {}
    for n, line in enumerate((HERE / "topic_types.tsv").read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) != 2 or parts[1] not in TYPES:
            errors.append(f"topic_types.tsv:{n}: expected qid<TAB>one of {sorted(TYPES)}")
            continue
        types[parts[0]] = parts[1]
    if set(types) != set(topics):
        errors.append(f"topics and types differ: {sorted(set(topics) ^ set(types))}")

    seen = set()
    grade2 = Counter()
    judged = Counter()
    for n, line in enumerate((HERE / "qrels.txt").read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if len(parts) != 4 or parts[1] != "0":
            errors.append(f"qrels.txt:{n}: expected 'qid 0 review_id grade'")
            continue
        qid, _, rid, grade = parts
        if qid not in topics:
            errors.append(f"qrels.txt:{n}: qid {qid} not in topics.tsv")
        if qid not in types:
            errors.append(f"qrels.txt:{n}: qid {qid} not in topic_types.tsv")
        if rid not in ids:
            errors.append(f"qrels.txt:{n}: review id {rid} not in the collection")
        if grade not in {"0", "1", "2"}:
            errors.append(f"qrels.txt:{n}: grade {grade} not in 0/1/2")
        if (qid, rid) in seen:
            errors.append(f"qrels.txt:{n}: duplicate pair ({qid}, {rid})")
        seen.add((qid, rid))
        judged[qid] += 1
        if grade == "2":
            grade2[qid] += 1

    for qid in topics:
        if grade2[qid] == 0:
            errors.append(f"{qid}: no grade-2 review")

    for e in errors:
        print("ERROR", e)
    by_type = Counter(types.values())
    print(f"{len(topics)} questions ({', '.join(f'{t} {by_type[t]}' for t in sorted(by_type))}), "
          f"{sum(judged.values())} judgments, collection {len(ids)} reviews")
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
