"""`reviewqa serve` (the web app and the HTTP API) and `reviewqa eval` (the retrieval benchmark)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..settings import Settings

# The named development sets, relative to the eval folder: (topics, qrels, types).
DEV_SETS = {"dev1": ("topics.tsv", "qrels.txt", "topic_types.tsv"),
            "dev2": ("dev2/topics.tsv", "dev2/qrels.txt", "dev2/topic_types.tsv")}
# The long-report set (eval/reports/): its documents are added to a copy of the collection, then each
# development set is run again with the reports' grades merged in, and the report questions are asked.
REPORT_SET = "reports"
REPORT_QRELS = {"dev1": "reports/qrels-dev1.txt", "dev2": "reports/qrels-dev2.txt"}
REPORT_QUESTIONS = "reports/questions.jsonl"


def _set_names(args) -> list[str]:
    from ..evaluation import BenchmarkError

    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = [n for n in names if n not in DEV_SETS and n != REPORT_SET]
    if unknown or not names:
        raise BenchmarkError(f"Unknown set {', '.join(unknown) or '(none)'}; choose from: "
                             f"{', '.join([*DEV_SETS, REPORT_SET])}.")
    return names


def _eval_sets(args) -> dict[str, tuple[Path, Path, Path | None]]:
    """What to run on the collection: the file given with --topics (set "custom"), else each named
    development set in --sets."""
    from ..evaluation import BenchmarkError

    if args.topics or args.qrels:
        if not (args.topics and args.qrels):
            raise BenchmarkError("--topics and --qrels go together.")
        return {"custom": (Path(args.topics), Path(args.qrels), Path(args.types) if args.types else None)}
    folder = Path(args.eval_dir)
    return {n: (folder / DEV_SETS[n][0], folder / DEV_SETS[n][1], folder / DEV_SETS[n][2])
            for n in _set_names(args) if n in DEV_SETS}


def _checkout_testkit(eval_dir: Path):
    """The checkout's testkit.collection, which renders and adds the long-report set's documents. It is
    test support, not part of the installed package, so it is found beside the eval folder."""
    from ..evaluation import BenchmarkError

    checkout = eval_dir.resolve().parent
    if not (checkout / "testkit" / "collection.py").is_file():
        raise BenchmarkError(f"The long-report set is rendered by a reviewqa checkout's testkit/, and there is none "
                             f"beside {eval_dir}; run it from the checkout (or point --eval-dir at its eval/).")
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        import testkit.collection
    except ImportError as error:
        raise BenchmarkError(f"The long-report set needs the development extras ({error.name} is missing): "
                             "pip install -e '.[dev]' (make install does it).") from None
    return testkit.collection


class _Runner:
    """Runs configurations over benchmarks with one searcher, with progress on stderr."""

    def __init__(self, args, configs: list[str], baseline: str, say):
        self.args, self.configs, self.baseline, self.say = args, configs, baseline, say

    def run_set(self, searcher, set_name: str, benchmark) -> dict:
        from tqdm import tqdm

        from ..evaluation import compare_runs, review_run, score_run, write_trec_run

        args, runs, tables = self.args, {}, {}
        for number, name in enumerate(self.configs, 1):
            started = time.perf_counter()
            with tqdm(total=len(benchmark.judged_topics()), desc=f"{set_name}: {name} ({number}/{len(self.configs)})",
                      unit="question", file=sys.stderr, disable=args.quiet, leave=False) as bar:
                runs[name] = review_run(searcher, benchmark, name, depth=args.depth, answered=bar.update)
            tables[name] = score_run(benchmark, runs[name], name)
            if args.runs_dir:
                write_trec_run(runs[name], f"reviewqa-{name}", Path(args.runs_dir) / set_name / f"{name}.run")
            self.say(f"ran {name} on {set_name}: {len(runs[name])} questions in "
                     f"{time.perf_counter() - started:.1f} s")
        comparison = None
        if len(runs) > 1:
            ordered = {self.baseline: runs[self.baseline], **{n: r for n, r in runs.items() if n != self.baseline}}
            comparison = compare_runs(benchmark, ordered, args.metric)
        return {"questions": len(benchmark.judged_topics()), "metrics": tables, "comparison": comparison,
                "runs": runs}

    def run_reports(self, settings: Settings) -> tuple[dict, dict]:
        """The long-report set, in --reports-root (prepared there once, then reused) or a temporary
        folder: (results per development set with the reports merged in, the report questions)."""
        import tempfile
        from contextlib import nullcontext

        from ..evaluation import Benchmark, load_benchmark, merged_qrels
        from ..evaluation.reports import (
            answer_questions,
            answer_table,
            compare_answers,
            pair_counts,
            read_report_questions,
            report_qrels,
        )
        from ..service import Service

        args, eval_dir = self.args, Path(self.args.eval_dir)
        testkit = _checkout_testkit(eval_dir)
        questions = read_report_questions(eval_dir / REPORT_QUESTIONS)
        kept = Path(args.reports_root) if args.reports_root else None
        if kept is not None:
            kept.mkdir(parents=True, exist_ok=True)
        with nullcontext(str(kept)) if kept is not None else tempfile.TemporaryDirectory(
                prefix="reviewqa-eval-reports-") as folder:
            report_settings = settings.with_(root=Path(folder), collection_file=None, source_file=None,
                                             index_folder=None)
            reviews = testkit.prepare_collection(report_settings, progress=self.say)
            searcher = Service(report_settings)
            report_ids = set(reviews.values())
            merged = {}
            for set_name, (topics, qrels, types) in DEV_SETS.items():
                plain = load_benchmark(eval_dir / topics, eval_dir / qrels, eval_dir / types)
                graded = report_qrels(eval_dir / REPORT_QRELS[set_name], reviews)
                benchmark = Benchmark(plain.topics, merged_qrels(plain.qrels, graded), plain.types)
                result = self.run_set(searcher, f"{set_name}+{REPORT_SET}", benchmark)
                result["pairs"] = {name: pair_counts(run, graded, report_ids) for name, run in result["runs"].items()}
                merged[f"{set_name}+{REPORT_SET}"] = result
            answered = {}
            for name in self.configs:
                started = time.perf_counter()
                answered[name] = answer_questions(searcher, questions, reviews, name)
                self.say(f"asked the {len(questions)} report questions with {name} in "
                         f"{time.perf_counter() - started:.1f} s")
        report = {"questions": len(questions), "reviews": reviews,
                  "answers": {name: answer_table(rows) for name, rows in answered.items()},
                  "comparison": compare_answers(answered, self.baseline) if len(answered) > 1 else [],
                  "answered": answered}
        return merged, report


def cmd_eval(args, settings: Settings) -> int:
    from ..extras import require

    require("eval", "The benchmark")
    from dataclasses import asdict

    from ..evaluation import BenchmarkError, format_comparison, format_table, load_benchmark
    from ..evaluation.reports import format_answers, format_pairs
    from ..search import RANKINGS
    from ..service import Service

    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in RANKINGS]
    if unknown:
        raise BenchmarkError(f"Unknown configuration {', '.join(unknown)}; choose from: {', '.join(RANKINGS)}.")
    benchmarks = {name: load_benchmark(*paths) for name, paths in _eval_sets(args).items()}
    with_reports = not (args.topics or args.qrels) and REPORT_SET in _set_names(args)
    baseline = args.baseline if args.baseline in configs else configs[0]
    ordered = [baseline, *(c for c in configs if c != baseline)]
    # Progress goes to stderr (stdout is the table or the JSON): the first run takes a minute or more.
    say = (lambda line: None) if args.quiet else (lambda line: print(f"reviewqa: {line}", file=sys.stderr,
                                                                      flush=True))
    runner = _Runner(args, ordered, baseline, say)
    results: dict[str, dict] = {}
    if benchmarks:
        questions = sum(len(b.judged_topics()) for b in benchmarks.values())
        say(f"eval: {len(benchmarks)} set{'s' if len(benchmarks) != 1 else ''} x {len(configs)} configuration"
            f"{'s' if len(configs) != 1 else ''}, {questions * len(configs)} searches; loading the index and the "
            "model first...")
        searcher = Service(settings)
        searcher.index()
        for set_name, benchmark in benchmarks.items():
            results[set_name] = runner.run_set(searcher, set_name, benchmark)
    report = None
    if with_reports:
        merged, report = runner.run_reports(settings)
        results.update(merged)
    for result in results.values():
        del result["runs"]
    if args.json:
        output: dict = {"sets": results, "runs_dir": args.runs_dir}
        for result in results.values():
            if "pairs" in result:
                result["pairs"] = {name: asdict(counts) for name, counts in result["pairs"].items()}
        if report is not None:
            report["answered"] = {name: [asdict(row) for row in rows] for name, rows in report["answered"].items()}
            output["report_questions"] = report
        print(json.dumps(output, indent=2))
        return 0
    for set_name, result in results.items():
        print(f"== {set_name}: {result['questions']} judged questions; review-level metrics (ranx)\n")
        print(format_table(result["metrics"]))
        if result["comparison"]:
            print("\n" + format_comparison(result["comparison"]))
        print()
    if report is not None:
        pairs = {name: {s: r["pairs"][name] for s, r in results.items() if "pairs" in r} for name in ordered}
        print("== long-report pairs in the review ranking (every development question)\n")
        print(format_pairs(pairs))
        print(f"\n== the {report['questions']} report questions: the report's rank, and whether the passages "
              "shown for it hold the answer\n")
        print(format_answers(report["answers"], report["comparison"]))
        if args.misses:
            for name, rows in report["answered"].items():
                print(f"\n{name}: questions whose first passage does not hold the answer")
                for row in rows:
                    if not row.first:
                        print(f"  {row.qid} rank {row.rank} any={row.any}: {row.first_shown[:140]}")
        print()
    if args.runs_dir:
        print(f"TREC run files: {args.runs_dir}/<set>/<config>.run")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from ..extras import require

    require("web", "The web app")
    from ..web.server import serve

    serve(settings, host=args.host, port=args.port, build=not args.no_build, token_file=args.token_file,
          auth_file=args.auth_file, no_auth=args.no_auth)
    return 0
