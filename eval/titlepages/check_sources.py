"""Consistency checks for the fictional title-page set in eval/titlepages/ (no reviewqa code is used).

    python3 eval/titlepages/check_sources.py

Checks that every source has a truth file and vice versa, that the format line matches, that the truth
fields have the allowed values, that the title is built from year, area and name, that the headings in
the truth match the source, and that each document is 600-1,200 words. Prints word counts.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = ["file", "format", "title", "year", "area", "name", "nation", "nation_evidence", "kind",
          "review_type", "child_ages", "child_sex", "outcome"]
NATIONS = {"England", "Wales", "Scotland", "Northern Ireland", None}
KINDS = {"overview report", "executive summary", "learning brief", "practice guide", "thematic review", "other"}
SEXES = {"male", "female", "unknown", "mixed"}
OUTCOMES = {"death", "serious harm", "unclear", "not applicable"}
FORMATS = {"pdf", "docx", "html", "txt"}


def headings(path: Path) -> list[str]:
    out, in_cover = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("::: cover"):
            in_cover = True
            continue
        if in_cover:
            if line.strip() == ":::":
                in_cover = False
            continue
        m = re.match(r"^(#{1,3}) (.+)$", line)
        if m:
            out.append(m.group(2).strip())
    return out


def main() -> int:
    problems = []
    sources = {p.stem for p in (HERE / "sources").glob("*.md")}
    truths = {p.stem for p in (HERE / "truth").glob("*.json")}
    for missing in sorted(sources ^ truths):
        problems.append(f"{missing}: source and truth do not pair up")
    for stem in sorted(sources & truths):
        src = HERE / "sources" / f"{stem}.md"
        t = json.loads((HERE / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
        for f in FIELDS:
            if f not in t:
                problems.append(f"{stem}: missing field {f}")
        if t.get("file") != src.name:
            problems.append(f"{stem}: file field {t.get('file')!r}")
        first = src.read_text(encoding="utf-8").splitlines()[0]
        if first != f"<!-- format: {t.get('format')} -->" or t.get("format") not in FORMATS:
            problems.append(f"{stem}: format line {first!r} vs truth {t.get('format')!r}")
        if t.get("nation") not in NATIONS:
            problems.append(f"{stem}: nation {t.get('nation')!r}")
        if t.get("kind") not in KINDS:
            problems.append(f"{stem}: kind {t.get('kind')!r}")
        if t.get("child_sex") not in SEXES:
            problems.append(f"{stem}: child_sex {t.get('child_sex')!r}")
        if t.get("outcome") not in OUTCOMES:
            problems.append(f"{stem}: outcome {t.get('outcome')!r}")
        if not all(isinstance(a, (int, float)) and a == round(a, 2) for a in t.get("child_ages", [None])):
            problems.append(f"{stem}: child_ages {t.get('child_ages')!r}")
        area = t.get("area") or "Anonymous"
        want = f"{t['year']} – {area} – {t['name']}" if t.get("year") else f"{area} – {t['name']}"
        if t.get("title") != want:
            problems.append(f"{stem}: title {t.get('title')!r}, expected {want!r}")
        if "headings" in t and t["headings"] != headings(src):
            problems.append(f"{stem}: headings differ from source")
        words = len(re.findall(r"\S+", src.read_text(encoding="utf-8")))
        if not 600 <= words <= 1200:
            problems.append(f"{stem}: {words} words, outside 600-1,200")
        print(f"{stem:42s} {t.get('format'):5s} {words:5d} words  {t.get('title')}")
    print(f"{len(sources & truths)} documents")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
