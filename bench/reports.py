"""The long-report set (eval/reports/): six fictional reports rendered as the files users add (PDF, DOCX,
web page; testkit/render.py), added to a copy of the shipped collection through the real Service.add,
then measured for each ranking configuration:

(a) review ranking with the reports in the collection: dev1 and dev2 with the summaries' qrels merged
    with the reports' (eval/reports/qrels-dev*.txt, slug -> the review id the add gave it), as
    `reviewqa eval` scores them, plus the long-report pairs themselves: judged-relevant (grade >= 1)
    report pairs in the top 10 and top 3, and irrelevant report intrusions (a report not graded
    relevant for the question) in the top 10 and top 3;
(b) the 48 report questions (eval/reports/questions.jsonl): the rank of the report that holds the
    answer, and whether the first passage shown for it (and any of the three shown) holds the answer
    sentence verbatim (whitespace folded).

    .venv/bin/python -m bench.reports                                 # a temporary copy, removed after
    .venv/bin/python -m bench.reports --root /tmp/reports-root        # kept there, and reused next time
    .venv/bin/python -m bench.reports --configs default,no-review-bm25 --baseline default --misses
    .venv/bin/python -m bench.reports --root /tmp/reports-model --context-vectors model --configs no-context,default

With --root, a folder already prepared by this module is reused (its index is refreshed if the code
cuts passages differently); rendering needs Debian's /usr/bin/chromium. Figures are printed, never
asserted. Paired tests: nDCG@10 as `reviewqa eval`; the per-question counts of (b) with an exact
two-sided sign test on the questions where two configurations differ.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the checkout: eval/
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPORTS = ROOT / "eval" / "reports"
SETS = {"dev1": (ROOT / "eval" / "topics.tsv", ROOT / "eval" / "qrels.txt", ROOT / "eval" / "topic_types.tsv",
                 REPORTS / "qrels-dev1.txt"),
        "dev2": (ROOT / "eval" / "dev2" / "topics.tsv", ROOT / "eval" / "dev2" / "qrels.txt",
                 ROOT / "eval" / "dev2" / "topic_types.tsv", REPORTS / "qrels-dev2.txt")}
MAP_FILE = "report-reviews.json"    # slug -> review id, written beside corpus/ in the prepared folder


def prepare(settings) -> dict[str, str]:
    """The prepared folder's slug -> review id; on first use, copy the shipped collection there, render
    the reports and add them with Service.add (which builds the index)."""
    from qa.service import Service
    from qa.settings import SHIPPED_COLLECTION

    root = settings.root
    mapping_path = root / MAP_FILE
    if mapping_path.exists():
        report = Service(settings).build(progress=False)    # a no-op unless the passages are cut differently
        if report.rebuilt:
            print(f"index refreshed: {report.chunks} passages", file=sys.stderr)
        return json.loads(mapping_path.read_text(encoding="utf-8"))

    from testkit.documents import chromium_available
    from testkit.render import render_all
    from testkit.reports import load_set

    if not chromium_available():
        sys.exit("bench.reports needs Debian's /usr/bin/chromium to print the report PDFs")
    settings.corpus_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIPPED_COLLECTION, settings.corpus_path)
    with tempfile.TemporaryDirectory(prefix="reviewqa-reports-") as folder:
        paths = render_all(load_set(REPORTS), Path(folder))
        added = Service(settings).add(sorted(paths.values()), progress=None)
    mapping = {}
    for result in added.files:
        if result.status != "added" or result.review_id is None:
            sys.exit(f"{result.name} was not added: {result.message}")
        mapping[Path(result.name).stem] = result.review_id
    mapping_path.write_text(json.dumps(mapping, indent=1), encoding="utf-8")
    return mapping


def report_benchmark(name: str, mapping: dict[str, str]):
    """A development set with the reports' judgments merged in (slugs -> review ids)."""
    from qa.evaluation import Benchmark, merged_qrels, read_qrels, read_topics, read_types

    topics, qrels, types, report_qrels = SETS[name]
    graded = {qid: {mapping[slug]: grade for slug, grade in grades.items()}
              for qid, grades in read_qrels(report_qrels).items()}
    return Benchmark(read_topics(topics), merged_qrels(read_qrels(qrels), graded), read_types(types)), graded


@dataclass(frozen=True)
class PairCounts:
    judged: int          # (question, report) pairs graded relevant
    top10: int
    top3: int
    intrusions10: int    # reports not graded relevant for the question, in its top 10
    intrusions3: int


def pair_counts(run: dict[str, dict[str, float]], graded: dict[str, dict[str, int]],
                report_ids: set[str]) -> PairCounts:
    judged = top10 = top3 = in10 = in3 = 0
    for qid, docs in run.items():
        order = sorted(docs, key=lambda d: -docs[d])
        relevant = {rid for rid, grade in graded.get(qid, {}).items() if grade > 0}
        judged += len(relevant)
        for rank, rid in enumerate(order[:10], 1):
            if rid not in report_ids:
                continue
            if rid in relevant:
                top10 += 1
                top3 += rank <= 3
            else:
                in10 += 1
                in3 += rank <= 3
    return PairCounts(judged, top10, top3, in10, in3)


def squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Answered:
    qid: str
    rank: int | None         # the report's rank in the top 10 (None: not there)
    first: bool              # the first passage shown for it holds the answer
    any: bool                # one of the passages shown for it does
    first_shown: str         # the start of that first passage, for --misses


def answer_questions(service, questions: list[dict], mapping: dict[str, str], ranking: str) -> list[Answered]:
    from qa.search import search_request

    answered = []
    for q in questions:
        response = service.search(search_request(q["question"], service.settings, k=10, ranking=ranking))
        target = mapping[q["document"]]
        answer = squash(q["answer"])
        rank, first, any_, shown = None, False, False, ""
        for position, hit in enumerate(response.hits, 1):
            if hit.review.id != target:
                continue
            holds = [answer in squash(p.chunk.text) for p in hit.passages]
            rank, first, any_ = position, bool(holds and holds[0]), any(holds)
            shown = squash(hit.passages[0].chunk.text)[:160] if hit.passages else ""
            break
        answered.append(Answered(q["qid"], rank, first, any_, shown))
    return answered


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test on the questions where two configurations differ."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="prepared folder to reuse, or to prepare and keep")
    parser.add_argument("--configs", default="default", help="comma-separated rankings (default: %(default)s)")
    parser.add_argument("--baseline", default=None, help="configuration the others are tested against (default: "
                                                         "the first)")
    parser.add_argument("--misses", action="store_true", help="list the report questions whose first passage "
                                                              "does not hold the answer")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--context-embedding", action=argparse.BooleanOptionalAction, default=None,
                        help="build and search with the in-context vectors too (Settings.context_embedding)")
    parser.add_argument("--context-vectors", choices=["model", "sum", "pooled"], default=None,
                        help="how the in-context vectors are made (Settings.context_vectors)")
    args = parser.parse_args()
    if args.root:
        args.root.mkdir(parents=True, exist_ok=True)
        run(args, args.root)
    else:
        with tempfile.TemporaryDirectory(prefix="reviewqa-bench-reports-") as folder:
            run(args, Path(folder))


def run(args, root: Path) -> None:
    from qa.evaluation import compare_runs, format_comparison, format_table, review_run, score_run
    from qa.service import Service
    from qa.settings import Settings
    from testkit.reports import questions

    given = {"context_embedding": args.context_embedding, "context_vectors": args.context_vectors}
    settings = Settings(root=root, **{name: value for name, value in given.items() if value is not None})
    mapping = prepare(settings)
    service = Service(settings)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    baseline = args.baseline if args.baseline in configs else configs[0]
    ordered = [baseline, *(c for c in configs if c != baseline)]
    report_ids = set(mapping.values())
    output: dict = {"reports": mapping, "sets": {}, "questions": {}}
    for set_name in SETS:
        benchmark, graded = report_benchmark(set_name, mapping)
        runs = {name: review_run(service, benchmark, name) for name in ordered}
        tables = {name: score_run(benchmark, runs[name], name) for name in ordered}
        pairs = {name: pair_counts(runs[name], graded, report_ids).__dict__ for name in ordered}
        comparison = compare_runs(benchmark, runs) if len(runs) > 1 else None
        output["sets"][set_name] = {"metrics": tables, "pairs": pairs, "comparison": comparison}
    answered = {name: answer_questions(service, questions(), mapping, name) for name in ordered}
    for name, rows in answered.items():
        output["questions"][name] = [row.__dict__ for row in rows]
    if args.json:
        print(json.dumps(output, indent=1))
        return

    for set_name, result in output["sets"].items():
        print(f"== {set_name} with the six reports added (summaries' and reports' qrels merged)\n")
        print(format_table(result["metrics"]))
        if result["comparison"]:
            print("\n" + format_comparison(result["comparison"]))
        print()
    print("== long-report pairs in the review ranking (dev1 + dev2 questions)\n")
    print(f"{'config':<20}{'relevant in top 10':>20}{'in top 3':>10}{'intrusions top 10':>19}{'top 3':>7}")
    for name in ordered:
        total = [sum(output["sets"][s]["pairs"][name][f] for s in SETS)
                 for f in ("judged", "top10", "top3", "intrusions10", "intrusions3")]
        counts = {s: output["sets"][s]["pairs"][name] for s in SETS}
        per_set = ", ".join(f"{s} {c['top10']}/{c['judged']}" for s, c in counts.items())
        print(f"{name:<20}{f'{total[1]}/{total[0]}':>20}{total[2]:>10}{total[3]:>19}{total[4]:>7}   ({per_set})")
    count = len(questions())
    print(f"\n== the {count} report questions: the report's rank, and the passages shown for it\n")
    print(f"{'config':<20}{'rank 1':>8}{'top 3':>7}{'top 5':>7}{'top 10':>8}{'first passage':>15}{'any of 3':>10}")
    for name in ordered:
        rows = answered[name]
        ranks = [r.rank for r in rows if r.rank is not None]
        print(f"{name:<20}{sum(r == 1 for r in ranks):>8}{sum(r <= 3 for r in ranks):>7}"
              f"{sum(r <= 5 for r in ranks):>7}{len(ranks):>8}{sum(r.first for r in rows):>15}"
              f"{sum(r.any for r in rows):>10}")
    for name in ordered[1:]:
        for what in ("first", "any"):
            base = [getattr(r, what) for r in answered[baseline]]
            other = [getattr(r, what) for r in answered[name]]
            wins = sum(o and not b for b, o in zip(base, other))
            losses = sum(b and not o for b, o in zip(base, other))
            print(f"  {name} vs {baseline}, {what}: +{wins} -{losses}, sign test p={sign_test(wins, losses):.4f}")
    if args.misses:
        for name in ordered:
            print(f"\n{name}: questions whose first passage does not hold the answer")
            for row in answered[name]:
                if not row.first:
                    print(f"  {row.qid} rank {row.rank} any={row.any}: {row.first_shown[:140]}")


if __name__ == "__main__":
    main()
