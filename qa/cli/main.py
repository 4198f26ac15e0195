"""The `reviewqa` parser and entry point. Domain errors become one-line messages and exit code 2
here, never tracebacks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ReviewQAError
from ..gazetteer import NATIONS
from ..records import DOCUMENT_KINDS
from ..settings import Settings
from .collection import cmd_add, cmd_build, cmd_edit, cmd_list, cmd_parse, cmd_remove, cmd_stats
from .output import terminal_safe
from .search import add_filter_arguments, cmd_digest, cmd_search
from .tools import cmd_eval, cmd_serve

EXIT_USAGE = 2


def _settings(args: argparse.Namespace) -> Settings:
    given = {"root": Path(args.root) if args.root else None,
             "collection_file": Path(args.corpus) if args.corpus else None,
             "index_folder": Path(args.index_dir) if args.index_dir else None,
             "model": args.model, "model_precision": args.precision,
             "context_embedding": args.context_embedding,
             "context_vectors": args.context_vectors}
    return Settings(**{name: value for name, value in given.items() if value is not None})


def build_parser() -> argparse.ArgumentParser:
    from ..search import RANKINGS

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
    parser.add_argument("--context-embedding", action=argparse.BooleanOptionalAction, default=None,
                        help="build: a second vector per sentence, tied to its review's opening sentence (on by "
                             "default; see eval/README.md)")
    parser.add_argument("--context-vectors", choices=["model", "sum", "pooled"],
                        help="how the in-context vectors are made: 'pooled' (default) and 'sum' add the opening's "
                             "vector to the sentence's; 'model' embeds each sentence again after the opening (1.6x "
                             "the build's embedding work)")
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
                                   '  reviewqa search "safe sleep" --out safe-sleep.docx\n'
                                   '  reviewqa search --queries eval/topics.tsv --k 20 > run.jsonl',
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("question", nargs="?", help="the question, in quotes")
    p.add_argument("--queries", help="batch mode: a file of `qid<TAB>question` lines; prints JSON Lines")
    p.add_argument("--k", type=int, default=10, help="how many results (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--out", metavar="FILE",
                   help="write the answer's passages to FILE.csv or FILE.xlsx (one row per passage, cited), or "
                        "FILE.md or FILE.docx (a teaching note: by review, evidence in bold)")
    add_filter_arguments(p)
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
               '  reviewqa digest "exploitation" --region London --limit 30 --out exploitation-briefing.docx',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("question", help="the question, in quotes")
    add_filter_arguments(p)
    p.add_argument("--limit", type=int, default=50, help="at most this many reviews in the digest (default 50)")
    p.add_argument("--out", metavar="FILE", help="also write the briefing: FILE.md (Markdown) or FILE.docx (Word)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=cmd_digest)

    p = commands.add_parser("eval", help="run the retrieval benchmark",
                            description="Run the judged development sets (dev1: eval/topics.tsv, dev2: eval/dev2/; "
                                        "with `--sets dev1,dev2,reports` also the long-report set, eval/reports/) "
                                        "for one or more ranking configurations, write TREC run files (review level) "
                                        "and print nDCG@10 (with its 95% bootstrap interval), Recall@10, Recall@20, "
                                        "MRR and P@5 overall and per question type, with paired significance tests.\n\n"
                                        "The long-report set renders six fictional reports (PDF printed by Chromium, "
                                        "DOCX, web page), adds them to a copy of the shipped collection, runs dev1 and "
                                        "dev2 again with the reports' grades merged in (plus where the reports land: "
                                        "relevant ones in the top 10, irrelevant intrusions) and asks its 48 report "
                                        "questions: the report's rank and whether the first passage shown (and any "
                                        "shown) holds the answer, per question type, with sign tests. It needs the "
                                        "checkout (testkit/) and Chromium; preparing takes about half a minute.",
                            epilog="Examples:\n"
                                   "  reviewqa eval --configs bm25,dense,hybrid,default --baseline hybrid\n"
                                   "  reviewqa eval --sets dev1,dev2,reports --configs default,no-context "
                                   "--baseline default --reports-root /tmp/reports --misses\n"
                                   "  reviewqa eval --topics my.tsv --qrels my.qrels --types ''   # bring your own",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parents[2]     # the benchmark files are in the repository's eval/
    p.add_argument("--configs", default="bm25,dense,hybrid,default",
                   help="comma-separated ranking configurations (default: %(default)s)")
    p.add_argument("--sets", default="dev1,dev2",
                   help="named sets to run: dev1, dev2, reports (the long-report set) (default: %(default)s)")
    p.add_argument("--reports-root", metavar="DIR",
                   help="prepare the long-report set's collection in DIR and keep it, or reuse it if DIR was "
                        "prepared before (default: a temporary folder, removed after)")
    p.add_argument("--misses", action="store_true",
                   help="with the reports set: list the report questions whose first passage misses the answer")
    p.add_argument("--eval-dir", default=str(root / "eval"), help="where the named sets are (default: eval/)")
    p.add_argument("--topics", help="your own qid<TAB>question file (instead of --sets)")
    p.add_argument("--qrels", help="TREC qrels for --topics: qid 0 review_id grade")
    p.add_argument("--types", help="qid<TAB>question type for --topics, for per-type rows")
    p.add_argument("--runs-dir", default=str(root / "eval" / "runs"),
                   help="where to write TREC run files (<runs-dir>/<set>/<config>.run)")
    p.add_argument("--baseline", default="hybrid", help="configuration the others are tested against")
    p.add_argument("--metric", default="ndcg@10", help="metric for the significance tests (default ndcg@10)")
    p.add_argument("--depth", type=int, default=100, help="reviews per question in the run files")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
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
        "edit", help="correct a review's details or a document's kind (nothing is re-embedded)",
        description="Correct what was guessed or given when a review was added: its title, year, area, nation, "
                    "region, child's name and child ages, and the kind (and title) of its documents. Only the "
                    "options given change; `unknown` clears a field (a wrong guess). Nation and region follow a new "
                    "area unless given, and a title of the form YEAR – AREA – NAME follows its parts. Ids do not "
                    "change. No document is embedded again: the new index generation is ready in seconds. The "
                    "NSPCC page's reviews can be edited too (`reviewqa parse` puts the page's details back); their "
                    "summaries stay summaries.",
        epilog="Examples:\n"
               "  reviewqa edit 2024-rushmere-child-q-1a2b3c --year 2021 --area Kent --name \"Child Q\"\n"
               "  reviewqa edit 2024-rushmere-child-q-1a2b3c --nation Wales --ages \"3 years; 5 months\"\n"
               "  reviewqa edit 2024-rushmere-child-q-1a2b3c --year unknown          # clear a wrong year\n"
               "  reviewqa edit --document 2024-rushmere-child-q-1a2b3c/child-q-report --kind learning-brief\n\n"
               "Review ids: `reviewqa list --all` or a search's results; document ids: `reviewqa list`.\n"
               "Kinds: " + ", ".join(DOCUMENT_KINDS) + ".",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("review_id", nargs="?", metavar="REVIEW_ID",
                   help="the review to change (may be left out with --document)")
    p.add_argument("--title", help="the review's title (unknown: YEAR – AREA – NAME from its parts)")
    p.add_argument("--year", help="year of publication, four digits, or unknown")
    p.add_argument("--area", help="the safeguarding partnership's area, e.g. Kent, or unknown")
    p.add_argument("--nation", help=f"one of {', '.join(NATIONS)}, or unknown (default: from a new area)")
    p.add_argument("--region", help="an English region, e.g. London, or the nation outside England "
                                    "(default: from the area)")
    p.add_argument("--name", help="the child's pseudonym, e.g. \"Child Q\", or unknown")
    p.add_argument("--ages", help="the children's ages, one per child separated by semicolons: "
                                  "\"3 years; 5 months\", \"14\", \"a baby\"; unknown clears them")
    p.add_argument("--document", metavar="DOCUMENT_ID", help="a document of the review to change with --kind or "
                                                             "--document-title")
    p.add_argument("--kind", help="the document's kind: " + ", ".join(DOCUMENT_KINDS) + " (or its words, e.g. "
                                  "\"learning brief\")")
    p.add_argument("--document-title", help="the document's own title")
    p.add_argument("--json", action="store_true", help="print what changed as JSON")
    p.set_defaults(run=cmd_edit)

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
