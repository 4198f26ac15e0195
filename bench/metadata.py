"""How well reviewqa reads a full report: the metadata it guesses from the title page and the section
labels it gives, measured on the development sets (eval/titlepages: 20 short documents; eval/reports:
6 long ones with 48 questions whose answers carry the heading they sit under).

    .venv/bin/python -m bench.metadata [--format pdf|docx|html|txt] [--keep DIR] [--only SLUG]
                                        [--in-process]

Each document is rendered in its own format (testkit.render.render_all: PDFs printed by one headless
Chromium, DOCX, a web page in site chrome, text; with --format, every document in that one format:
the same words laid out another way, a check that the rules are not tied to one file's layout) into
a temporary folder, parsed with qa.ingest.files.parse_file (the child-process parse users get;
--in-process parses here) and its guess compared with the truth file. Figures are printed, never
asserted.

How a guess is compared with the truth:
  * title, area, name: the same words, ignoring case, quotes and punctuation ("Child ‘T’" = "Child T");
    an area the document does not name is None in both;
  * year, nation: equal (None when the truth says the document does not state it);
  * kind: the truth's label as a DOCUMENT_KINDS id ("overview report" -> "report");
  * child ages: the same ages, in any order, within 0.01 of a year; child sex: equal. eval/reports
    predates "mixed" and wrote "unknown" for children of both sexes (its README says so for
    Strathmore Glen), so there a guessed "mixed" for several children of both sexes counts as right;
  * a section label is right when the answer sentence sits, in the parsed text, in a section whose
    label is the question's heading (spaces and quote marks normalised).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

FIELDS = ("title", "area", "name", "year", "nation", "kind", "child_ages", "child_sex")
KINDS = {"overview report": "report", "executive summary": "executive-summary", "learning brief": "learning-brief",
         "practice guide": "practice-guide", "thematic review": "thematic-review", "other": "other",
         "summary": "summary"}


def _same(field: str, guessed, truth, set_name: str) -> bool:
    from qa.text import match_key

    if field in ("title", "area", "name"):
        if truth is None or guessed is None:
            return truth is None and guessed is None
        return match_key(str(guessed)) == match_key(str(truth))
    if field == "kind":
        return guessed == KINDS.get(str(truth), truth)
    if field == "child_ages":
        want, got = sorted(float(a) for a in truth), sorted(float(a) for a in guessed)
        return len(want) == len(got) and all(abs(a - b) <= 0.01 for a, b in zip(want, got))
    if field == "child_sex" and set_name == "reports" and truth == "unknown" and guessed == "mixed":
        return True
    return guessed == truth


def _stated(field: str, truth) -> bool:
    """Does the document state this field (so the guess must find it)?"""
    if field in ("child_ages",):
        return bool(truth)
    if field == "child_sex":
        return truth not in (None, "unknown")
    return truth is not None


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("\u00ad", "")
    return " ".join(text.split())


def _find(text: str, answer: str) -> int:
    """Where the answer sentence sits in the parsed text (-1 if the parse lost it)."""
    at = text.find(answer)
    if at >= 0:
        return at
    # Whitespace or quote marks may differ: map a match in the normalised text back to an offset.
    pattern = r"\s+".join(re.escape(word) for word in _norm(answer).split())
    pattern = pattern.replace("'", "['’‘]").replace('\\"', '["“”]').replace('"', '["“”]')
    match = re.search(pattern, text)
    return match.start() if match else -1


def _label_at(parsed, offset: int) -> str | None:
    found = None
    for section in parsed.sections:
        if section.start <= offset < max(section.end, section.start + 1):
            found = section
    return found.label if found is not None else None


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.metadata", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=("pdf", "docx", "html", "txt"),
                        help="render every document in this format instead of its own")
    parser.add_argument("--keep", type=Path, help="render into this folder and keep the files")
    parser.add_argument("--only", help="only the documents whose slug contains this")
    parser.add_argument("--in-process", action="store_true", help="parse in this process, not a child process")
    args = parser.parse_args()

    from qa.ingest.files import parse_file
    from testkit.documents import chromium_available
    from testkit.reports import REPORTS, TITLE_PAGES, load_set, questions

    sets = {"titlepages": load_set(TITLE_PAGES), "reports": load_set(REPORTS)}
    if args.only:
        sets = {name: [d for d in docs if args.only in d.slug] for name, docs in sets.items()}
    if any((args.format or d.truth.get("format", d.format)) == "pdf" for docs in sets.values() for d in docs) \
            and not chromium_available():
        sys.exit("bench.metadata needs Debian's /usr/bin/chromium to print the PDFs")
    from testkit.render import render_all

    with tempfile.TemporaryDirectory(prefix="bench-metadata-") as scratch:
        folder = args.keep or Path(scratch)
        started = time.perf_counter()
        paths = {name: render_all(docs, folder / name, fmt=args.format) for name, docs in sets.items() if docs}
        print(f"rendered {sum(len(p) for p in paths.values())} documents in {time.perf_counter() - started:.1f} s")
        parsed = {}
        started = time.perf_counter()
        for rendered in paths.values():
            for slug, path in rendered.items():
                parsed[slug] = parse_file(path, isolated=not args.in_process)
        print(f"parsed them in {time.perf_counter() - started:.1f} s\n")

        totals: dict[str, dict[str, list[int]]] = {}
        for name, docs in sets.items():
            if not docs:
                continue
            print(f"== {name}: {len(docs)} documents ==")
            print(f"{'document':42} {'fmt':5} " + " ".join(f"{f[:9]:>9}" for f in FIELDS))
            for doc in docs:
                guess = parsed[doc.slug].guess
                marks, misses = [], []
                for field in FIELDS:
                    truth, guessed = doc.truth.get(field), getattr(guess, field)
                    right = _same(field, guessed, truth, name)
                    stated = _stated(field, truth)
                    counts = totals.setdefault(field, {"all": [0, 0], "stated": [0, 0]})
                    counts["all"][0] += right
                    counts["all"][1] += 1
                    if stated:
                        counts["stated"][0] += right
                        counts["stated"][1] += 1
                    marks.append("ok" if right else "MISS")
                    if not right:
                        source = guess.sources.get(field, "not found")
                        misses.append(f"    {field}: guessed {guessed!r} ({source}); truth {truth!r}")
                fmt = args.format or doc.truth.get("format", doc.format)
                print(f"{doc.slug[:42]:42} {fmt:5} " + " ".join(f"{m:>9}" for m in marks))
                for line in misses:
                    print(line)
            print()

        print("== per field, all 26 documents (titlepages + reports) ==" if not args.only else "== per field ==")
        for field in FIELDS:
            counts = totals.get(field)
            if not counts:
                continue
            right, total = counts["all"]
            s_right, s_total = counts["stated"]
            stated = f"{s_right}/{s_total} = {s_right / s_total:.0%} where the document states it" if s_total \
                else "never stated"
            print(f"  {field:11} {right:>2}/{total} = {right / total:4.0%} right;  {stated}")

        print("\n== section labels: the heading each question's answer sits under (eval/reports/questions.jsonl) ==")
        right = total = 0
        by_document: dict[str, list[int]] = {}
        for question in questions():
            slug = question["document"]
            if slug not in parsed:
                continue
            document = parsed[slug]
            at = _find(document.text, question["answer"])
            label = _label_at(document, at) if at >= 0 else None
            good = label is not None and _norm(label) == _norm(question["section"])
            counts = by_document.setdefault(slug, [0, 0])
            counts[0] += good
            counts[1] += 1
            right += good
            total += 1
            if not good:
                where = "answer not found in the parsed text" if at < 0 else f"labelled {label!r}"
                print(f"  MISS {question['qid']} ({slug}): {where}; truth {question['section']!r}")
        for slug, (good, count) in by_document.items():
            document = parsed[slug]
            heads = [s.title for s in document.sections if s.name == "heading"]
            truth_heads = next(d for d in sets["reports"] if d.slug == slug).truth.get("headings", [])
            found = sum(1 for h in truth_heads if _norm(h) in {_norm(x) for x in heads})
            contents = sum(1 for s in document.sections if s.name == "contents")
            print(f"  {slug:42} {good}/{count} labels right; headings found {found}/{len(truth_heads)}, "
                  f"{len(heads) - found} other headings, {contents} contents section(s)")
        if total:
            print(f"  all: {right}/{total} = {right / total:.0%} of answers sit under their true heading")

        # Running heads never reach the text.
        leaks = [d.slug for docs in sets.values() for d in docs
                 if d.running_header and (args.format or d.truth.get("format", d.format)) == "pdf"
                 and d.running_header not in d.cover and d.running_header in parsed[d.slug].text]
        print(f"\nrunning heads left in the text of a PDF: {len(leaks)}" + (f" ({', '.join(leaks)})" if leaks else ""))


if __name__ == "__main__":
    main()
