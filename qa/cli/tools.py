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


def _eval_sets(args) -> dict[str, tuple[Path, Path, Path | None]]:
    """What to run: the file given with --topics (set "custom"), else each named set in --sets."""
    from ..evaluation import BenchmarkError

    if args.topics or args.qrels:
        if not (args.topics and args.qrels):
            raise BenchmarkError("--topics and --qrels go together.")
        return {"custom": (Path(args.topics), Path(args.qrels), Path(args.types) if args.types else None)}
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = [n for n in names if n not in DEV_SETS]
    if unknown or not names:
        raise BenchmarkError(f"Unknown set {', '.join(unknown) or '(none)'}; choose from: {', '.join(DEV_SETS)}.")
    folder = Path(args.eval_dir)
    return {n: (folder / DEV_SETS[n][0], folder / DEV_SETS[n][1], folder / DEV_SETS[n][2]) for n in names}


def cmd_eval(args, settings: Settings) -> int:
    from ..extras import require

    require("eval", "The benchmark")
    from tqdm import tqdm

    from ..evaluation import (
        BenchmarkError,
        compare_runs,
        format_comparison,
        format_table,
        load_benchmark,
        review_run,
        score_run,
        write_trec_run,
    )
    from ..search import RANKINGS
    from ..service import Service

    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in RANKINGS]
    if unknown:
        raise BenchmarkError(f"Unknown configuration {', '.join(unknown)}; choose from: {', '.join(RANKINGS)}.")
    benchmarks = {name: load_benchmark(*paths) for name, paths in _eval_sets(args).items()}
    searcher = Service(settings)
    baseline = args.baseline if args.baseline in configs else configs[0]
    # Progress goes to stderr (stdout is the table or the JSON): the first run takes a minute or more.
    say = (lambda line: None) if args.quiet else (lambda line: print(f"reviewqa: {line}", file=sys.stderr,
                                                                      flush=True))
    questions = sum(len(b.judged_topics()) for b in benchmarks.values())
    say(f"eval: {len(benchmarks)} set{'s' if len(benchmarks) != 1 else ''} x {len(configs)} configuration"
        f"{'s' if len(configs) != 1 else ''}, {questions * len(configs)} searches; loading the index and the "
        "model first...")
    searcher.index()
    results: dict[str, dict] = {}
    for set_name, benchmark in benchmarks.items():
        runs, tables = {}, {}
        for number, name in enumerate(configs, 1):
            started = time.perf_counter()
            with tqdm(total=len(benchmark.judged_topics()), desc=f"{set_name}: {name} ({number}/{len(configs)})",
                      unit="question", file=sys.stderr, disable=args.quiet, leave=False) as bar:
                runs[name] = review_run(searcher, benchmark, name, depth=args.depth, answered=bar.update)
            tables[name] = score_run(benchmark, runs[name], name)
            if args.runs_dir:
                write_trec_run(runs[name], f"reviewqa-{name}", Path(args.runs_dir) / set_name / f"{name}.run")
            say(f"ran {name} on {set_name}: {len(runs[name])} questions in {time.perf_counter() - started:.1f} s")
        comparison = None
        if len(runs) > 1:
            ordered = {baseline: runs[baseline], **{n: r for n, r in runs.items() if n != baseline}}
            comparison = compare_runs(benchmark, ordered, args.metric)
        results[set_name] = {"questions": len(benchmark.judged_topics()), "metrics": tables,
                             "comparison": comparison}
    if args.json:
        print(json.dumps({"sets": results, "runs_dir": args.runs_dir}, indent=2))
        return 0
    for set_name, result in results.items():
        print(f"== {set_name}: {result['questions']} judged questions; review-level metrics (ranx)\n")
        print(format_table(result["metrics"]))
        if result["comparison"]:
            print("\n" + format_comparison(result["comparison"]))
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
