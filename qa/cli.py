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
    if args.root:
        changes["root"] = Path(args.root)
    settings = Settings(**changes)
    changes = {}
    if args.corpus:
        changes["corpus_path"] = Path(args.corpus)
    if args.index_dir:
        changes["index_dir"] = Path(args.index_dir)
    if args.model:
        changes["model"] = args.model
    return settings.with_(**changes)


def cmd_parse(args, settings: Settings) -> int:
    from .collection import load_collection, save_collection, writer_lock
    from .ingest.nspcc_page import merge_page, parse_page, read_source

    source = Path(args.source) if args.source else settings.source_path
    reviews, documents = parse_page(read_source(source))
    with writer_lock(settings.index_dir):
        existing = load_collection(settings.corpus_path) if settings.corpus_path.exists() else None
        collection = merge_page(existing, reviews, documents)
        save_collection(collection, settings.corpus_path)
    kept = len(collection.documents) - len(documents)
    print(f"Parsed {len(reviews)} reviews from {source} into {settings.corpus_path}"
          + (f" (kept {kept} added documents)" if kept else ""))
    return 0


def cmd_build(args, settings: Settings) -> int:
    from .service import Service

    report = Service(settings).build(force=args.force, progress=not args.quiet)
    if not report.rebuilt:
        print(f"Index is up to date (generation {report.generation}: {report.reviews} reviews, "
              f"{report.documents} documents) in {settings.index_dir}; use --force to rebuild it.")
        return 0
    print(f"Built index generation {report.generation} ({report.reason}): {report.reviews} reviews, "
          f"{report.documents} documents, {report.chunks} passages; embedded {report.embedded_documents} "
          f"documents, reused {report.reused_documents}, removed {report.removed_documents}; "
          f"{report.seconds:.1f} s -> {report.folder}")
    return 0


def _filters(args):
    from .search.filters import filters_from_input

    return filters_from_input(year=args.year, year_from=args.year_from, year_to=args.year_to, nations=args.nation,
                              regions=args.region, areas=args.area, keywords=args.keyword, age_group=args.age)


def read_queries(path: Path) -> list[tuple[int, str, str, str | None]]:
    """`qid<TAB>question` lines -> (line number, qid, question, error). Blank lines and lines starting
    with # are skipped; a line that cannot be read is kept as an error, so one bad line never loses
    the rest of the batch."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InvalidQueryError(f"The queries file {path} does not exist.") from None
    except OSError as error:
        raise InvalidQueryError(f"The queries file {path} cannot be read ({error.strerror}).") from None
    queries = []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            queries.append((number, f"line-{number}", "", f"Line {number} is not UTF-8 text (byte "
                                                           f"{error.start + 1} of the line); save the file as UTF-8."))
            continue
        if not line.strip() or line.startswith("#"):
            continue
        qid, tab, question = line.partition("\t")
        if not tab or not qid.strip():
            queries.append((number, qid.strip() or f"line-{number}", line.strip(),
                            f"Line {number} is not `qid<TAB>question`; separate the id and the question with a tab."))
            continue
        queries.append((number, qid.strip(), question.strip(), None))
    if not queries:
        raise InvalidQueryError(f"The queries file {path} holds no queries.")
    return queries


def cmd_search(args, settings: Settings) -> int:
    from .search import clean_question
    from .service import Service, check_k

    if (args.question is None) == (args.queries is None):
        raise InvalidQueryError('Give either a question in quotes or --queries FILE, e.g. reviewqa search "baby bruising".')
    check_k(args.k, settings.top_k)
    filters = _filters(args)
    # The question is checked before the index and the model load (they take seconds).
    batch = read_queries(args.queries) if args.queries else None
    if batch is None:
        clean_question(args.question, settings.max_query_chars)
    service = Service(settings)
    _warn_if_changed(service)
    options = {"ranking": args.ranking, "k": args.k, "literal": args.literal}
    if batch is not None:
        for number, qid, question, problem in batch:
            record = {"qid": qid, "query": question, "line": number}
            try:
                if problem:
                    raise InvalidQueryError(problem)
                response = service.search(question, filters, **options)
                record["results"] = response.to_records()
                record["filters"] = response.filters.to_json()
                record["all_weak"] = response.all_weak
            except InvalidQueryError as error:
                # One bad line must not lose the rest of the batch.
                record["results"], record["error"] = [], str(error)
            print(json.dumps(record, ensure_ascii=False))
        return 0
    response = service.search(args.question, filters, **options)
    if args.json:
        print(json.dumps(response.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_results(response))
    return 0


def _warn_if_changed(service) -> None:
    status, _, problem = service.status()
    if problem:
        print(f"reviewqa: note: searching the last index built; the collection has a fault: {problem}",
              file=sys.stderr)
    elif status.changes:
        print(f"reviewqa: note: {status.changes}; run `reviewqa build` to search them.", file=sys.stderr)


def format_results(response) -> str:
    from .search.passages import citation_label

    width = 96
    lines = [f"Question: {response.query}"]
    if response.understood.notes:
        lines.append(f"Understood from the question: {', '.join(response.understood.notes)} "
                     "(add --literal to search without these filters)")
    if not response.filters.is_empty():
        lines.append(f"Filtered to: {response.filters.describe()} ({response.matched} reviews)")
    if not response.hits:
        lines.append("No review matched. Try other words or fewer filters.")
    elif response.all_weak:
        lines.append("No review is close to this question: every result below is a weak match, shown only "
                     "for completeness. Try other words.")
    for rank, hit in enumerate(response.hits, 1):
        review = hit.review
        lines.append("")
        weak = "  (weak match)" if hit.weak else ""
        lines.append(f"{rank}. {review.title}  [{review.nation}]  relevance {hit.score:.2f}{weak}")
        if review.keywords:
            lines += textwrap.wrap("Keywords: " + ", ".join(review.keywords), width=width,
                                   initial_indent="   ", subsequent_indent="   ")
        for passage in hit.passages[:2]:
            chunk = passage.chunk
            text = chunk.document.text
            lines.append(f"   {citation_label(passage)} (characters {chunk.start}-{chunk.end}):")
            lines += textwrap.wrap(f"“{chunk.text}”", width=width, initial_indent="     ",
                                   subsequent_indent="     ")
            lines += textwrap.wrap(f"Evidence: “{text[passage.evidence[0]:passage.evidence[1]]}”", width=width,
                                   initial_indent="     > ", subsequent_indent="       ")
    return "\n".join(lines)


def cmd_stats(args, settings: Settings) -> int:
    from .index.manifest import verify_files
    from .service import Service

    status, collection, fault = Service(settings).status()
    stats = {
        "reviews": len(collection.reviews) if collection else None,
        "documents": len(collection.documents) if collection else None,
        "documents_by_kind": dict(Counter(d.kind for d in collection.documents)) if collection else None,
        "years": dict(sorted(Counter(r.year for r in collection.reviews).items())) if collection else None,
        "nations": dict(Counter(r.nation for r in collection.reviews).most_common()) if collection else None,
        "collection": str(settings.corpus_path),
        "collection_fault": fault,
        "index_dir": str(settings.index_dir),
    }
    manifest = status.manifest or {}
    problem = status.problem
    if problem is None and status.folder is not None:
        try:
            verify_files(status.folder, manifest)
        except ReviewQAError as error:
            problem = str(error)
    if problem:
        index_status = f"needs build: {problem}"
    elif status.changes:
        index_status = f"needs build: {status.changes}"
    else:
        index_status = "current"
    stats.update({
        "index_status": index_status,
        "generation": manifest.get("generation"),
        "indexed_reviews": manifest.get("reviews"),
        "indexed_documents": manifest.get("documents_count"),
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
            print(f"{key:>18}: {value}")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from .evaluation import (BenchmarkError, compare_runs, format_table, load_benchmark, review_run, score_run,
                             write_trec_run)
    from .search import RANKINGS
    from .service import Service

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
    from .app import serve

    serve(settings, host=args.host, port=args.port, build=not args.no_build)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .search.filters import AGE_GROUPS
    from .search import RANKINGS

    parser = argparse.ArgumentParser(
        prog="reviewqa",
        description="Search child safeguarding case reviews in plain language. Every answer is a verbatim "
                    "passage from a review, cited by year, area, review name and section.",
        epilog='Example: reviewqa search "baby bruising missed by GP" --k 5',
    )
    parser.add_argument("--root", help="the collection folder holding corpus/ and index/ (default: $REVIEWQA_ROOT, "
                                       "else this checkout)")
    parser.add_argument("--corpus", help="the collection file (default: <root>/corpus/reviews.jsonl)")
    parser.add_argument("--index-dir", help="folder that holds the built index (default: <root>/index)")
    parser.add_argument("--model", help="embedding model: a local folder or cached sentence-transformers name "
                                        "(default: the bundled all-MiniLM-L6-v2)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("parse", help="parse the source page into corpus/reviews.jsonl",
                            description="Parse the saved NSPCC page into reviews with one summary document each. "
                                        "Documents added with `reviewqa add` are kept.")
    p.add_argument("--source", help="the saved page (default: corpus/nspcc-case-reviews-page.txt)")
    p.set_defaults(run=cmd_parse)

    p = commands.add_parser("build", help="build or refresh the search index",
                            description="Bring the index up to date with the collection: embed new and changed "
                                        "documents, drop removed ones and reuse every other vector, then switch "
                                        "to the new index generation atomically. Does nothing if it is current.")
    p.add_argument("--force", action="store_true", help="re-cut and re-embed every document")
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
