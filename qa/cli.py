"""reviewqa command line. Each command is a thin layer over one library function; domain errors
become one-line messages and exit code 2 here, never tracebacks."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

from .errors import InvalidQueryError, ReviewQAError
from .settings import Settings

EXIT_USAGE = 2


def terminal_safe(text: str) -> str:
    """Text for the terminal: file names and document text can hold escape sequences, carriage returns
    or bidirectional overrides that would rewrite what the terminal shows; those are printed as
    visible escapes (\\x1b, \\u202e). Line breaks between lines stay."""
    return "\n".join("".join(ch if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
                              else ch.encode("unicode_escape").decode("ascii") for ch in line)
                      for line in text.split("\n"))


def _settings(args: argparse.Namespace) -> Settings:
    given = {"root": Path(args.root) if args.root else None,
             "collection_file": Path(args.corpus) if args.corpus else None,
             "index_folder": Path(args.index_dir) if args.index_dir else None,
             "model": args.model, "model_precision": args.precision,
             "context_embedding": True if args.context_embedding else None}
    return Settings(**{name: value for name, value in given.items() if value is not None})


def cmd_parse(args, settings: Settings) -> int:
    from .service import Service

    report = Service(settings).parse(Path(args.source) if args.source else None)
    print(f"Parsed {report.reviews} reviews from {report.source} into {report.collection}"
          + (f" (kept {report.kept_added} added documents)" if report.kept_added else ""))
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
    queries: list[tuple[int, str, str, str | None]] = []
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
    from .search import check_k, search_request
    from .service import Service

    if (args.question is None) == (args.queries is None):
        raise InvalidQueryError('Give either a question in quotes or --queries FILE, e.g. '
                                'reviewqa search "baby bruising".')
    check_k(args.k, settings.top_k)
    filters = _filters(args)
    options = {"filters": filters, "k": args.k, "ranking": args.ranking, "literal": args.literal}
    # The question is checked before the index and the model load (they take seconds).
    batch = read_queries(args.queries) if args.queries else None
    request = search_request(args.question, settings, **options) if batch is None else None
    service = Service(settings)
    if not service.has_index():
        print("reviewqa: building the search index for the first time (the model is prepared once, then every "
              "document is embedded; about a minute)...", file=sys.stderr, flush=True)
        service.ensure_index()
    note = service.pending_changes()
    if note:
        print(f"reviewqa: note: {note}.", file=sys.stderr)
    if request is not None:
        response = service.search(request)
    else:
        for number, qid, question, problem in batch or ():
            record = {"qid": qid, "query": question, "line": number}
            try:
                if problem:
                    raise InvalidQueryError(problem)
                answer = service.search(search_request(question, settings, **options))
                record["results"] = answer.to_records()
                record["filters"] = answer.filters.to_json()
                record["all_weak"] = answer.all_weak
            except InvalidQueryError as error:
                # One bad line must not lose the rest of the batch.
                record["results"], record["error"] = [], str(error)
            print(json.dumps(record, ensure_ascii=False))
        return 0
    if args.json:
        print(json.dumps(response.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_results(response))
    return 0


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


def cmd_digest(args, settings: Settings) -> int:
    from .digest import check_limit
    from .search import search_request
    from .service import Service

    limit = check_limit(args.limit)
    request = search_request(args.question, settings, filters=_filters(args), literal=args.literal)
    service = Service(settings)
    if not service.has_index():
        print("reviewqa: building the search index for the first time (about a minute)...", file=sys.stderr,
              flush=True)
        service.ensure_index()
    note = service.pending_changes()
    if note:
        print(f"reviewqa: note: {note}.", file=sys.stderr)
    digest = service.digest(request, limit)
    if args.json:
        print(json.dumps(digest.to_json(), ensure_ascii=False, indent=2))
    else:
        titles = {rid: review.title for rid, review in service.index().reviews.items()}
        print(format_digest(digest, titles))
    return 0


DIGEST_FIELDS = {"outcome": "Outcome (from each review's opening account)", "age_group": "Age group of the children",
                 "sex": "Sex of the child (from the opening account)", "year": "Year published", "nation": "Nation",
                 "region": "Region"}
DIGEST_KINDS = {"learning": "Learning", "recommendation": "Recommendations", "good practice": "Good practice"}


def format_digest(digest, titles: dict[str, str]) -> str:
    """A readable briefing: every line is a fixed heading, a count, or a quote with its citation."""
    width = 96
    lines = [f"What the reviews say: {digest.query}"]
    if not digest.filters.is_empty():
        lines.append(f"Filtered to: {digest.filters.describe()} ({digest.matched} reviews)")
    lines.append(f"Reviews in the digest: {len(digest.reviews)} ({digest.how}).")
    if not digest.reviews:
        lines.append("No review is close to this question. Try other words or fewer filters.")
        return "\n".join(lines)
    profile = digest.profile.to_json()
    for name, heading in DIGEST_FIELDS.items():
        lines += ["", heading]
        counts = profile[name]
        key_width = max(len(str(k)) for k in counts)
        lines += [f"  {key:<{key_width}}  {count:>4}" for key, count in counts.items()]
    for kind, heading in DIGEST_KINDS.items():
        themes = [t for t in digest.themes if t.kind == kind]
        if not themes:
            continue
        lines += ["", heading.upper()]
        for theme in themes:
            mark = "" if theme.curated else "  (words the reviews share)"
            lines += ["", f"  {theme.label} — {theme.reviews} review{'s' if theme.reviews != 1 else ''}{mark}"]
            for quote in theme.quotes:
                lines += textwrap.wrap(f"“{quote.text}”", width=width, initial_indent="    ", subsequent_indent="     ")
                lines.append(f"       {titles.get(quote.review_id, quote.review_id)}; {quote.citation}")
    if not digest.themes:
        lines += ["", "No theme is shared by three or more of these reviews."]
    return "\n".join(lines)


def _add_filter_arguments(p: argparse.ArgumentParser) -> None:
    from .search.filters import AGE_GROUP_ALIASES, AGE_GROUPS

    p.add_argument("--year", type=int, help="only reviews published in this year")
    p.add_argument("--year-from", type=int, help="only reviews published in or after this year")
    p.add_argument("--year-to", type=int, help="only reviews published in or before this year")
    p.add_argument("--nation", action="append",
                   help="only reviews from this nation (repeatable; places are alternatives)")
    p.add_argument("--region", action="append", help="only reviews from this English region, e.g. London (repeatable)")
    p.add_argument("--area", action="append", help="only reviews from this area, e.g. Kent (repeatable)")
    p.add_argument("--keyword", action="append", help="only reviews with this subject keyword (repeatable)")
    p.add_argument("--age", choices=[*AGE_GROUPS, *AGE_GROUP_ALIASES],
                   help="only reviews about children of this age group")
    p.add_argument("--literal", action="store_true",
                   help="do not turn years, places or ages in the question into filters")


def cmd_stats(args, settings: Settings) -> int:
    from .service import Service

    stats = Service(settings).stats().to_json()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>18}: {value}")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from .extras import require

    require("eval", "The benchmark")
    from .evaluation import (
        BenchmarkError,
        compare_runs,
        format_table,
        load_benchmark,
        review_run,
        score_run,
        write_trec_run,
    )
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


def _progress_printer(quiet: bool):
    def progress(fraction: float, message: str) -> None:
        if not quiet:
            print(terminal_safe(f"reviewqa: {message}"), file=sys.stderr, flush=True)
    return progress


def cmd_add(args, settings: Settings) -> int:
    from .changes import AddOptions, read_metadata_csv
    from .service import Service

    options = AddOptions(review_id=args.review, title=args.title, year=args.year, area=args.area, nation=args.nation,
                         kind=args.kind, metadata=read_metadata_csv(args.metadata) if args.metadata else {})
    if args.max_sentences is not None:
        if args.max_sentences < 1:
            raise ReviewQAError("--max-sentences must be a whole number of at least 1.")
        settings = settings.with_(max_add_sentences=args.max_sentences)
    report = Service(settings).add(args.paths, options, progress=_progress_printer(args.quiet),
                                   show_bar=not args.quiet)
    for result in report.failed:
        print(terminal_safe(f"reviewqa: failed: {result.message}"), file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(terminal_safe(format_add_report(report)))
    return 1 if report.failed else 0


def format_add_report(report) -> str:
    lines = []
    for result in report.files:
        if result.status == "failed":
            continue          # already printed on stderr
        lines.append(f"{result.status:<9} {result.message}")
        if result.status in ("added", "replaced") and result.guessed:
            guessed = result.guessed
            lines.append(f"{'':<9}   guessed from the first page: title “{guessed['title'] or 'not found'}”, year "
                         f"{guessed['year'] or 'not found'}, area {guessed['area'] or 'not found'} (correct them with "
                         "--title, --year, --area or a metadata CSV)")
        lines += [f"{'':<9}   note: {warning}" for warning in result.warnings]
    lines += [f"note: {warning}" for warning in report.warnings]
    lines.append(report.summary())
    return "\n".join(lines)


def cmd_remove(args, settings: Settings) -> int:
    from .service import Service

    report = Service(settings).remove(args.document_id, progress=_progress_printer(args.quiet),
                                      show_bar=not args.quiet)
    print(json.dumps(report.to_json(), ensure_ascii=False, indent=2) if args.json else terminal_safe(report.message))
    return 0


def cmd_list(args, settings: Settings) -> int:
    from .service import Service

    documents = Service(settings).documents()
    shown = documents if args.all else [d for d in documents if d.added]
    if args.json:
        print(json.dumps([d.to_json() for d in shown], ensure_ascii=False, indent=2))
        return 0
    for document in shown:
        pages = f"{document.pages} pages" if document.pages else f"{document.characters:,} characters"
        lines = [document.id, f"    {document.kind} “{document.title or document.review_title}”, {pages}; "
                              f"{document.file or 'summary from the NSPCC page'}"]
        print(terminal_safe("\n".join(lines)))
    summaries = len(documents) - sum(1 for d in documents if d.added)
    if not args.all:
        added = len(shown)
        also = f"{summaries} review summaries from the NSPCC page (`reviewqa list --all` lists them too)"
        print(f"{added} added document{'s' if added != 1 else ''}, and {also}." if added else
              f"No documents have been added yet (add one with `reviewqa add FILE`); the collection holds {also}.")
    else:
        print(f"{len(documents)} documents.")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from .extras import require

    require("web", "The web app")
    from .web.server import serve

    serve(settings, host=args.host, port=args.port, build=not args.no_build, token_file=args.token_file,
          auth_file=args.auth_file, no_auth=args.no_auth)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .search import RANKINGS
    from .search.filters import AGE_GROUP_ALIASES, AGE_GROUPS

    parser = argparse.ArgumentParser(
        prog="reviewqa",
        description="Search child safeguarding case reviews in plain language. Every answer is a verbatim\n"
                    "passage from a review's documents, cited by year, area, review name, document, section\n"
                    "and page. Summaries: NSPCC Learning and the reviewing safeguarding partnerships.",
        epilog='Examples:\n  reviewqa search "baby bruising missed by GP" --k 5\n'
               '  reviewqa add "Child Q overview report.pdf"\n  reviewqa serve',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", help="the data folder holding corpus/ and index/ (default: $REVIEWQA_ROOT, else "
                                       "your user data folder, e.g. ~/.local/share/reviewqa)")
    parser.add_argument("--corpus", help="the collection file (default: <root>/corpus/reviews.jsonl)")
    parser.add_argument("--index-dir", help="folder that holds the built index (default: <root>/index)")
    parser.add_argument("--model", help="embedding model: a local folder or cached sentence-transformers name "
                                        "(default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--precision", choices=["fp32", "int8"],
                        help="the bundled model's precision on onnxruntime (default int8; fp32 is a separate index)")
    parser.add_argument("--context-embedding", action="store_true",
                        help="build: also embed each sentence after its review's opening sentence "
                             "(twice the embedding work; see eval/README.md)")
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
    p.add_argument("--nation", action="append",
                   help="only reviews from this nation (repeatable; places are alternatives)")
    p.add_argument("--region", action="append", help="only reviews from this English region, e.g. London (repeatable)")
    p.add_argument("--area", action="append", help="only reviews from this area, e.g. Kent (repeatable)")
    p.add_argument("--keyword", action="append", help="only reviews with this subject keyword (repeatable)")
    p.add_argument("--age", choices=[*AGE_GROUPS, *AGE_GROUP_ALIASES],
                   help="only reviews about children of this age group")
    p.add_argument("--literal", action="store_true",
                   help="do not turn years, places or ages in the question into filters")
    p.add_argument("--ranking", default="default", choices=list(RANKINGS),
                   help="ranking method (default: %(default)s); see `reviewqa eval`")
    p.set_defaults(run=cmd_search)

    p = commands.add_parser(
        "digest", help="what the reviews say: a cited digest of the learning across the matching reviews",
        description="Gather the reviews that pass the filters and match the question (not weak matches, up to "
                    "--limit), count them by outcome, age group, sex, year, nation and region, and file their "
                    "learning, recommendations and good practice under practice themes, each quoted word for word "
                    "from different reviews with citations. Nothing is written: every quote is the reviews' own.",
        epilog='Examples:\n  reviewqa digest "neglect"\n  reviewqa digest "safe sleep" --year-from 2021 --json\n'
               '  reviewqa digest "exploitation" --region London --limit 30',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("question", help="the question, in quotes")
    _add_filter_arguments(p)
    p.add_argument("--limit", type=int, default=50, help="at most this many reviews in the digest (default 50)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=cmd_digest)

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

    p = commands.add_parser("serve", help="start the web app and the HTTP API",
                            description="Start the web app (at /) and the HTTP API (at /api, docs at /api/docs) in "
                                        "one server; builds the index first if it is missing or stale. Beyond this "
                                        "machine (--host 0.0.0.0) it needs an API token, or --no-auth.",
                            epilog="Example: reviewqa serve --host 0.0.0.0 --token-file ~/.reviewqa-token",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--no-build", action="store_true", help="fail instead of building a missing or stale index")
    p.add_argument("--token-file", help="file holding the API token (default: $REVIEWQA_API_TOKEN): the API needs "
                                        "`Authorization: Bearer <token>`, the app a login with it as password")
    p.add_argument("--auth-file", help="file of `user:password` lines: the app's logins (instead of the token)")
    p.add_argument("--no-auth", action="store_true",
                   help="serve beyond this machine without any authentication (refused otherwise)")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser(
        "add", help="add your own review files (PDF, Word, web page, text) and update the index",
        description="Add files, or folders (walked recursively), to the collection and update the index, embedding "
                    "only what is new. Each file is copied into <root>/corpus/files/, so the collection rebuilds "
                    "from corpus/ alone. A file joins the review given with --review, or an existing review with "
                    "the same area, name and year; otherwise it starts a new review. Title, year and area are "
                    "guessed from the first page unless given; the output shows the guesses. Adding an unchanged "
                    "file again does nothing; a changed file replaces its previous version.",
        epilog="Formats: .pdf (with a text layer; scanned PDFs need OCR first, e.g. ocrmypdf), .docx, .html/.htm, "
               ".txt, .md (UTF-8); at most 50 MB each. Hidden files and other types inside folders are skipped.\n\n"
               "Metadata CSV: a header row with file and any of title,year,area,nation,review,kind; one row per "
               "file name. A row wins over the options, which win over the guesses.\n\n"
               "Exit status: 0 when every file was added or was already there; 1 when some files failed (each is "
               "reported and the others are still added); 2 when nothing could be done (a bad option or CSV, an "
               "unknown --review, the collection busy or damaged, the index failing to build: then nothing is "
               "changed).\n\n"
               "Examples:\n"
               '  reviewqa add "Child Q overview report.pdf"\n'
               "  reviewqa add report.pdf --year 2024 --area Northbridge --title \"Child Safeguarding Practice "
               "Review: Child Q\"\n"
               "  reviewqa add exec-summary.docx --review 2022-kent-child-k-431585 --kind executive-summary\n"
               "  reviewqa add reports/ --metadata reports.csv --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to add")
    p.add_argument("--review", metavar="ID", help="add to this existing review (see `reviewqa list --all`)")
    p.add_argument("--title", help="the document's title (and the new review's), instead of the guess")
    p.add_argument("--year", type=int, help="year of publication, instead of the guess (needed if none is found)")
    p.add_argument("--area", help="the safeguarding partnership's area, e.g. Kent, instead of the guess")
    p.add_argument("--nation", help="England, Wales, Scotland, Northern Ireland, ... (default: from the area)")
    p.add_argument("--kind", help="report (default), executive-summary, summary, or another word")
    p.add_argument("--metadata", metavar="FILE.csv", help="per-file metadata: file,title,year,area,nation,review,kind")
    p.add_argument("--max-sentences", type=int, metavar="N",
                   help="the most sentences one add may embed (default 20,000: about a minute on 2 cores)")
    p.add_argument("--json", action="store_true", help="print the per-file results as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    p.set_defaults(run=cmd_add)

    p = commands.add_parser(
        "remove", help="remove a document from the collection and update the index",
        description="Remove one document (and its review, if no other document is left), delete its copy in "
                    "corpus/files/, and update the index.",
        epilog="Example: reviewqa remove 2024-northbridge-child-q-1a2b3c/child-q-report  (ids: `reviewqa list`)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("document_id", metavar="DOCUMENT_ID", help="the document's id, as `reviewqa list` shows it")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    p.set_defaults(run=cmd_remove)

    p = commands.add_parser(
        "list", help="list the documents added to the collection",
        description="List the documents added with `reviewqa add` (id, kind, title, pages, file); with --all, the "
                    "NSPCC page's review summaries too.",
        epilog="Examples:\n  reviewqa list\n  reviewqa list --all --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--all", action="store_true", help="also list the review summaries from the NSPCC page")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, _settings(args))
    except ReviewQAError as error:
        print(terminal_safe(f"reviewqa: error: {error}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("reviewqa: interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
