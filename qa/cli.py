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
    from .search import Filters

    year_from, year_to = args.year_from, args.year_to
    if args.year is not None:
        year_from = year_to = args.year
    return Filters(
        year_from=year_from, year_to=year_to,
        nations=tuple(args.nation or ()), areas=tuple(args.area or ()), keywords=tuple(args.keyword or ()),
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
    if batch is not None:
        for qid, question in batch:
            record = {"qid": qid, "query": question}
            try:
                response = searcher.search(question, filters, ranking=args.ranking, k=args.k)
                record["results"] = response.to_records()
            except InvalidQueryError as error:
                # One bad line must not lose the rest of the batch.
                record["results"], record["error"] = [], str(error)
            print(json.dumps(record, ensure_ascii=False))
        return 0
    response = searcher.search(args.question, filters, ranking=args.ranking, k=args.k)
    records = response.to_records()
    if args.json:
        print(json.dumps({"query": response.query, "filters": _filters_json(filters), "results": records},
                         ensure_ascii=False, indent=2))
    else:
        print(format_results(response.query, records, filters))
    return 0


def _filters_json(filters) -> dict:
    from dataclasses import asdict

    return {key: (list(value) if isinstance(value, tuple) else value) for key, value in asdict(filters).items()}


def format_results(query: str, records: list[dict], filters=None) -> str:
    width = 96
    lines = [f"Question: {query}"]
    if filters is not None and not filters.is_empty():
        lines.append(f"Filtered to: {filters.describe()}")
    if not records:
        lines.append("No passages matched. Try other words or fewer filters.")
    for rank, record in enumerate(records, 1):
        lines.append("")
        lines.append(f"{rank}. {record['title']}  [{record['nation']}]  score {record['score']:.3f}")
        lines.append(f"   {record['section_label']} (characters {record['start']}-{record['end']} of review {record['review_id']})")
        lines += textwrap.wrap(f"“{record['passage']}”", width=width, initial_indent="   ", subsequent_indent="   ")
    return "\n".join(lines)


def cmd_stats(args, settings: Settings) -> int:
    from .corpus import load_reviews
    from .index import MANIFEST, active_folder, staleness

    reviews = load_reviews(settings.corpus_path)
    stats = {
        "reviews": len(reviews),
        "years": dict(sorted(Counter(r.year for r in reviews).items())),
        "nations": dict(Counter(r.nation for r in reviews).most_common()),
        "corpus": str(settings.corpus_path),
        "index_dir": str(active_folder(settings)),
    }
    reason = staleness(settings)
    manifest_path = active_folder(settings) / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if reason is None else {}
    stats.update({
        "index_status": "current" if reason is None else f"needs build: {reason}",
        "chunks": manifest.get("chunks"),
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


def cmd_serve(args, settings: Settings) -> int:
    from .app import serve

    serve(settings, host=args.host, port=args.port, build=not args.no_build)
    return 0


def build_parser() -> argparse.ArgumentParser:
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
    p.add_argument("--nation", action="append", help="only reviews from this nation (repeatable)")
    p.add_argument("--area", action="append", help="only reviews from this area (repeatable)")
    p.add_argument("--keyword", action="append", help="only reviews with this subject keyword (repeatable)")
    p.add_argument("--ranking", default="hybrid", choices=["bm25", "dense", "hybrid"], help="ranking method")
    p.set_defaults(run=cmd_search)

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
