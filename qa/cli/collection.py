"""Commands over the collection and its index: parse, build, stats, add, remove, edit, list."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import ReviewQAError
from ..settings import Settings
from .output import format_add_report, terminal_safe


def cmd_parse(args, settings: Settings) -> int:
    from ..service import Service

    report = Service(settings).parse(Path(args.source) if args.source else None)
    print(f"Parsed {report.reviews} reviews from {report.source} into {report.collection}"
          + (f" (kept {report.kept_added} added documents)" if report.kept_added else ""))
    return 0


def cmd_build(args, settings: Settings) -> int:
    from ..service import Service

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


def cmd_stats(args, settings: Settings) -> int:
    from ..service import Service

    stats = Service(settings).stats().to_json()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>18}: {value}")
    return 0


def _progress_printer(quiet: bool):
    def progress(fraction: float, message: str) -> None:
        if not quiet:
            print(terminal_safe(f"reviewqa: {message}"), file=sys.stderr, flush=True)
    return progress


def cmd_add(args, settings: Settings) -> int:
    from ..changes import AddOptions, read_metadata_csv
    from ..service import Service

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


def cmd_remove(args, settings: Settings) -> int:
    from ..service import Service

    report = Service(settings).remove(args.document_id, progress=_progress_printer(args.quiet),
                                      show_bar=not args.quiet)
    print(json.dumps(report.to_json(), ensure_ascii=False, indent=2) if args.json else terminal_safe(report.message))
    return 0


def cmd_edit(args, settings: Settings) -> int:
    from ..changes import DocumentEdit, ReviewEdit
    from ..service import Service

    if (args.kind is not None or args.document_title is not None) and not args.document:
        raise ReviewQAError("--kind and --document-title change a document: name it with --document DOCUMENT_ID "
                            "(`reviewqa list` shows the ids).")
    if not args.review_id and not args.document:
        raise ReviewQAError("Name the review to change (reviewqa edit REVIEW_ID --year 2021 ...) or a document "
                            "(--document DOCUMENT_ID --kind learning-brief).")
    review = ReviewEdit(title=args.title, year=args.year, area=args.area, nation=args.nation, region=args.region,
                        name=args.name, child_ages=args.ages)
    documents = {args.document: DocumentEdit(kind=args.kind, title=args.document_title)} if args.document else {}
    report = Service(settings).edit(args.review_id, review, documents)
    print(json.dumps(report.to_json(), ensure_ascii=False, indent=2) if args.json else terminal_safe(report.message))
    return 0


def cmd_list(args, settings: Settings) -> int:
    from ..service import Service

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
