"""`reviewqa serve` (the web app and the HTTP API) and `reviewqa eval` (the retrieval benchmark)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..settings import Settings


def cmd_eval(args, settings: Settings) -> int:
    from ..extras import require

    require("eval", "The benchmark")
    from ..evaluation import (
        BenchmarkError,
        compare_runs,
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
    benchmark = load_benchmark(Path(args.topics), Path(args.qrels), Path(args.types) if args.types else None)
    searcher = Service(settings)
    runs, tables = {}, {}
    for name in configs:
        started = time.perf_counter()
        runs[name] = review_run(searcher, benchmark, name, depth=args.depth)
        tables[name] = score_run(benchmark, runs[name], name)
        if args.runs_dir:
            write_trec_run(runs[name], f"reviewqa-{name}", Path(args.runs_dir) / f"{name}.run")
        if not args.json:
            print(f"ran {name}: {len(runs[name])} questions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    baseline = args.baseline if args.baseline in runs else configs[0]
    comparison = None
    if len(runs) > 1:
        ordered = {baseline: runs[baseline], **{n: r for n, r in runs.items() if n != baseline}}
        comparison = compare_runs(benchmark, ordered, args.metric)
    if args.json:
        print(json.dumps({"topics": args.topics, "qrels": args.qrels, "questions": len(benchmark.judged_topics()),
                          "metrics": tables, "comparison": comparison,
                          "runs_dir": args.runs_dir}, indent=2))
        return 0
    print(f"{len(benchmark.judged_topics())} judged questions from {args.topics}; review-level metrics (ranx)\n")
    print(format_table(tables))
    if comparison:
        print(f"\nPaired tests on {comparison['metric']} against {comparison['baseline']} "
              f"(mean {comparison['comparisons'][0]['baseline_mean']:.3f}):")
        for row in comparison["comparisons"]:
            print(f"  {row['run']:<10} mean {row['mean']:.3f}  t-test p={row['p_student']:.4f}  "
                  f"randomisation p={row['p_fisher']:.4f}")
    if args.runs_dir:
        print(f"\nTREC run files: {args.runs_dir}/<config>.run")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from ..extras import require

    require("web", "The web app")
    from ..web.server import serve

    serve(settings, host=args.host, port=args.port, build=not args.no_build, token_file=args.token_file,
          auth_file=args.auth_file, no_auth=args.no_auth)
    return 0
