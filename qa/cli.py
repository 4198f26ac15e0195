"""reviewqa command line. Each command is a thin layer over one library function; domain errors
become one-line messages and exit code 2 here, never tracebacks."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

from .errors import InvalidQueryError, ReviewQAError
from .settings import Settings

EXIT_USAGE = 2


def _settings(args: argparse.Namespace) -> Settings:
    changes = {}
    if args.corpus:
        changes["corpus_path"] = Path(args.corpus)
    if args.index_dir:
        changes["index_dir"] = Path(args.index_dir)
    if args.model:
        changes["model"] = args.model
    return Settings().with_(**changes)


def cmd_parse(args, settings: Settings) -> int:
    from .corpus import parse_page, read_source, write_reviews

    source = Path(args.source) if args.source else settings.source_path
    reviews = parse_page(read_source(source))
    write_reviews(reviews, settings.corpus_path)
    print(f"Parsed {len(reviews)} reviews from {source} into {settings.corpus_path}")
    return 0


def cmd_build(args, settings: Settings) -> int:
    from .embedding import load_embedder
    from .index import build_index, staleness

    if not args.force and staleness(settings) is None:
        print(f"Index is up to date in {settings.index_dir}; use --force to rebuild it.")
        return 0
    started = time.perf_counter()
    embedder = load_embedder(settings)
    report = build_index(settings, embedder, force=args.force, progress=not args.quiet)
    print(f"Built the index ({report.reason}): {report.reviews} reviews, {report.chunks} passages, "
          f"model {embedder.name}, in {time.perf_counter() - started:.1f} s "
          f"(embedding and writing {report.seconds:.1f} s) -> {report.folder}")
    return 0


def _filters(args):
    from .filters import AGE_GROUPS, Filters

    year_from, year_to = args.year_from, args.year_to
    if args.year is not None:
        year_from = year_to = args.year
    age_min, age_max = AGE_GROUPS[args.age] if args.age else (None, None)
    return Filters(
        year_from=year_from, year_to=year_to, nations=tuple(args.nation or ()), regions=tuple(args.region or ()),
        areas=tuple(args.area or ()), keywords=tuple(args.keyword or ()), age_min=age_min, age_max=age_max,
    )


def read_queries(path: Path) -> list[tuple[str, str]]:
    """`qid<TAB>question` lines; blank lines and lines starting with # are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InvalidQueryError(f"The queries file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidQueryError(f"The queries file {path} cannot be read as UTF-8 text ({error}).") from None
    queries = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        qid, tab, question = line.partition("\t")
        if not tab or not qid.strip():
            raise InvalidQueryError(
                f"Line {number} of {path} is not `qid<TAB>question`; separate the id and the question with a tab."
            )
        queries.append((qid.strip(), question.strip()))
    if not queries:
        raise InvalidQueryError(f"The queries file {path} holds no queries.")
    return queries


def cmd_search(args, settings: Settings) -> int:
    from .search import Searcher

    if args.k < 1:
        raise InvalidQueryError("--k must be at least 1.")
    if (args.question is None) == (args.queries is None):
        raise InvalidQueryError('Give either a question in quotes or --queries FILE, e.g. reviewqa search "baby bruising".')
    filters = _filters(args)
    batch = read_queries(args.queries) if args.queries else None
    searcher = Searcher.open(settings)
    options = {"ranking": args.ranking, "k": args.k, "use_understanding": not args.literal}
    if batch is not None:
        for qid, question in batch:
            record = {"qid": qid, "query": question}
            try:
                response = searcher.search(question, filters, **options)
                record["results"] = response.to_records()
                record["filters"] = response.filters.to_json()
            except InvalidQueryError as error:
                # One bad line must not lose the rest of the batch.
                record["results"], record["error"] = [], str(error)
            print(json.dumps(record, ensure_ascii=False))
        return 0
    response = searcher.search(args.question, filters, **options)
    if args.json:
        print(json.dumps(response.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_results(response))
    return 0


def format_results(response) -> str:
    width = 96
    lines = [f"Question: {response.query}"]
    if response.understood.notes:
        lines.append(f"Understood from the question: {', '.join(response.understood.notes)} "
                     "(add --literal to search without these filters)")
    if not response.filters.is_empty():
        lines.append(f"Filtered to: {response.filters.describe()} ({response.matched} reviews)")
    records = response.to_records()
    if not records:
        lines.append("No review matched. Try other words or fewer filters.")
    for rank, record in enumerate(records, 1):
        lines.append("")
        lines.append(f"{rank}. {record['title']}  [{record['nation']}]  relevance {record['score']:.2f}")
        if record["keywords"]:
            lines += textwrap.wrap("Keywords: " + ", ".join(record["keywords"]), width=width,
                                   initial_indent="   ", subsequent_indent="   ")
        for passage in record["passages"][:2]:
            lines.append(f"   {passage['section_label']} (characters {passage['start']}-{passage['end']}):")
            lines += textwrap.wrap(f"“{passage['passage']}”", width=width, initial_indent="     ",
                                   subsequent_indent="     ")
            lines += textwrap.wrap(f"Evidence: “{passage['evidence']}”", width=width, initial_indent="     > ",
                                   subsequent_indent="       ")
    return "\n".join(lines)


def cmd_stats(args, settings: Settings) -> int:
    from .corpus import load_reviews
    from .index import active_folder, index_state

    reviews = load_reviews(settings.corpus_path)
    stats = {
        "reviews": len(reviews),
        "years": dict(sorted(Counter(r.year for r in reviews).items())),
        "nations": dict(Counter(r.nation for r in reviews).most_common()),
        "corpus": str(settings.corpus_path),
        "index_dir": str(active_folder(settings)),
    }
    manifest, reason = index_state(settings)
    manifest = manifest or {}
    stats.update({
        "index_status": "current" if reason is None else f"needs build: {reason}",
        "chunks": manifest.get("chunks"),
        "segments": manifest.get("segments"),
        "model": manifest.get("model"),
        "dimension": manifest.get("model_dimension"),
        "built_at": manifest.get("built_at"),
    })
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>12}: {value}")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from .evaluation import (BenchmarkError, compare_runs, format_table, load_benchmark, review_run, score_run,
                             write_trec_run)
    from .search import RANKINGS, Searcher

    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in RANKINGS]
    if unknown:
        raise BenchmarkError(f"Unknown configuration {', '.join(unknown)}; choose from: {', '.join(RANKINGS)}.")
    benchmark = load_benchmark(Path(args.topics), Path(args.qrels), Path(args.types) if args.types else None)
    searcher = Searcher.open(settings)
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
    from .app import serve

    serve(settings, host=args.host, port=args.port, build=not args.no_build)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .filters import AGE_GROUPS
    from .search import RANKINGS

    parser = argparse.ArgumentParser(
        prog="reviewqa",
        description="Search child safeguarding case reviews in plain language. Every answer is a verbatim "
                    "passage from a review, cited by year, area, review name and section.",
        epilog='Example: reviewqa search "baby bruising missed by GP" --k 5',
    )
    parser.add_argument("--corpus", help="reviews.jsonl to search (default: corpus/reviews.jsonl)")
    parser.add_argument("--index-dir", help="folder that holds the built index (default: index/)")
    parser.add_argument("--model", help="embedding model: a local folder or cached sentence-transformers name "
                                        "(default: the bundled all-MiniLM-L6-v2)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("parse", help="parse the source page into corpus/reviews.jsonl",
                            description="Parse the saved NSPCC page into structured review records.")
    p.add_argument("--source", help="the saved page (default: corpus/nspcc-case-reviews-page.txt)")
    p.set_defaults(run=cmd_parse)

    p = commands.add_parser("build", help="build or refresh the search index",
                            description="Embed every passage and build the dense (FAISS) and keyword (BM25) "
                                        "indexes. Does nothing if the index is already current.")
    p.add_argument("--force", action="store_true", help="rebuild even if the index is current")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=cmd_build)

    p = commands.add_parser("search", help="search the reviews",
                            description="Print the passages that best answer a question, with citations.",
                            epilog='Examples:\n  reviewqa search "co-sleeping and substance misuse" --k 5\n'
                                   '  reviewqa search "knife crime" --year 2022 --json\n'
                                   '  reviewqa search --queries eval/topics.tsv --k 20 > run.jsonl',
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("question", nargs="?", help="the question, in quotes")
    p.add_argument("--queries", help="batch mode: a file of `qid<TAB>question` lines; prints JSON Lines")
    p.add_argument("--k", type=int, default=10, help="how many results (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--year", type=int, help="only reviews published in this year")
    p.add_argument("--year-from", type=int, help="only reviews published in or after this year")
    p.add_argument("--year-to", type=int, help="only reviews published in or before this year")
    p.add_argument("--nation", action="append", help="only reviews from this nation (repeatable; places are alternatives)")
    p.add_argument("--region", action="append", help="only reviews from this English region, e.g. London (repeatable)")
    p.add_argument("--area", action="append", help="only reviews from this area, e.g. Kent (repeatable)")
    p.add_argument("--keyword", action="append", help="only reviews with this subject keyword (repeatable)")
    p.add_argument("--age", choices=list(AGE_GROUPS), help="only reviews about children of this age group")
    p.add_argument("--literal", action="store_true",
                   help="do not turn years, places or ages in the question into filters")
    p.add_argument("--ranking", default="default", choices=list(RANKINGS),
                   help="ranking method (default: %(default)s); see `reviewqa eval`")
    p.set_defaults(run=cmd_search)

    p = commands.add_parser("eval", help="run the retrieval benchmark",
                            description="Run the judged benchmark for one or more ranking configurations, write "
                                        "TREC run files (review level) and print nDCG@10, Recall@10, Recall@20, MRR "
                                        "and P@5 overall and per question type, with paired significance tests.",
                            epilog="Example: reviewqa eval --configs bm25,dense,hybrid,default --baseline hybrid\n"
                                   "Bring your own: reviewqa eval --topics my.tsv --qrels my.qrels --types ''",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parent.parent
    p.add_argument("--configs", default="bm25,dense,hybrid,default",
                   help="comma-separated ranking configurations (default: %(default)s)")
    p.add_argument("--topics", default=str(root / "eval" / "topics.tsv"), help="qid<TAB>question file")
    p.add_argument("--qrels", default=str(root / "eval" / "qrels.txt"), help="TREC qrels: qid 0 review_id grade")
    p.add_argument("--types", default=str(root / "eval" / "topic_types.tsv"),
                   help="qid<TAB>question type, for per-type rows ('' for none)")
    p.add_argument("--runs-dir", default=str(root / "eval" / "runs"), help="where to write TREC run files")
    p.add_argument("--baseline", default="hybrid", help="configuration the others are tested against")
    p.add_argument("--metric", default="ndcg@10", help="metric for the significance tests (default ndcg@10)")
    p.add_argument("--depth", type=int, default=100, help="reviews per question in the run files")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_eval)

    p = commands.add_parser("stats", help="corpus and index statistics")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_stats)

    p = commands.add_parser("serve", help="start the web app",
                            description="Start the web app (builds the index first if it is missing or stale).")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--no-build", action="store_true", help="fail instead of building a missing or stale index")
    p.set_defaults(run=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, _settings(args))
    except ReviewQAError as error:
        print(f"reviewqa: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("reviewqa: interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
