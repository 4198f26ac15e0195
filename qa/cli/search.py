"""`reviewqa search` and `reviewqa digest`: a question (or a file of them) with filters from flags."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InvalidQueryError
from ..settings import Settings
from .output import format_digest, format_results


def add_filter_arguments(p: argparse.ArgumentParser) -> None:
    from ..gazetteer import AGE_GROUP_ALIASES, AGE_GROUPS

    filters = p.add_argument_group(
        "filters", "Years, places and ages in the question are read as filters too (--literal turns that off). A "
                   "review whose value for a filter is unknown (no known year, place or child age) is left out and "
                   "counted; --include-unknown keeps it, marked.")
    filters.add_argument("--year", type=int, help="only reviews published in this year")
    filters.add_argument("--year-from", type=int, help="only reviews published in or after this year")
    filters.add_argument("--year-to", type=int, help="only reviews published in or before this year")
    filters.add_argument("--nation", action="append",
                         help="only reviews from this nation (repeatable; places are alternatives)")
    filters.add_argument("--region", action="append",
                         help="only reviews from this English region, e.g. London (repeatable)")
    filters.add_argument("--area", action="append", help="only reviews from this area, e.g. Kent (repeatable)")
    filters.add_argument("--keyword", action="append", help="only reviews with this subject keyword (repeatable)")
    filters.add_argument("--age", choices=[*AGE_GROUPS, *AGE_GROUP_ALIASES], metavar="GROUP",
                         help=f"only reviews about a child in this age group: {', '.join(map(repr, AGE_GROUPS))}")
    filters.add_argument("--age-min", type=float, metavar="YEARS",
                         help="only reviews about a child at least this old (months as fractions: 0.5)")
    filters.add_argument("--age-max", type=float, metavar="YEARS",
                         help="... and younger than this (aged 12 is --age-min 12 --age-max 13)")
    filters.add_argument("--include-unknown", action="store_true",
                         help="also keep reviews whose value for a filter is unknown (marked in the results)")
    filters.add_argument("--literal", action="store_true",
                         help="do not turn years, places or ages in the question into filters")


def filters_from_args(args):
    from ..search.filters import filters_from_input

    return filters_from_input(year=args.year, year_from=args.year_from, year_to=args.year_to, nations=args.nation,
                              regions=args.region, areas=args.area, keywords=args.keyword, age_group=args.age,
                              age_min=args.age_min, age_max=args.age_max, include_unknown=args.include_unknown)


def ready_service(settings: Settings):
    """The service, with the index built first on first use (saying so: it takes about a minute)."""
    from ..service import Service

    service = Service(settings)
    if not service.has_index():
        print("reviewqa: building the search index for the first time (the model is prepared once, then every "
              "document is embedded; about a minute)...", file=sys.stderr, flush=True)
        service.ensure_index()
    note = service.pending_changes()
    if note:
        print(f"reviewqa: note: {note}.", file=sys.stderr)
    return service


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
    from ..exports import export_path
    from ..search import check_k, search_request

    if (args.question is None) == (args.queries is None):
        raise InvalidQueryError('Give either a question in quotes or --queries FILE, e.g. '
                                'reviewqa search "baby bruising".')
    if args.out and args.queries:
        raise InvalidQueryError("--out writes one answer's passages; give a question, not --queries.")
    check_k(args.k, settings.top_k)
    filters = filters_from_args(args)
    options = {"filters": filters, "k": args.k, "ranking": args.ranking, "literal": args.literal}
    # The question and the export file are checked before the index and the model load (they take seconds).
    out = export_path(args.out) if args.out else None
    batch = read_queries(args.queries) if args.queries else None
    request = search_request(args.question, settings, **options) if batch is None else None
    service = ready_service(settings)
    if request is None:
        for number, qid, question, problem in batch or ():
            # The same fields as the REST API's answer (one record function), after the line's own.
            record: dict = {"qid": qid, "query": question, "line": number}
            try:
                if problem:
                    raise InvalidQueryError(problem)
                record.update(service.search(search_request(question, settings, **options)).to_json())
            except InvalidQueryError as error:
                # One bad line must not lose the rest of the batch.
                record["results"], record["error"] = [], str(error)
            print(json.dumps(record, ensure_ascii=False))
        return 0
    response = service.search(request)
    if out is not None:
        write_answer(request, response, out)
    if args.json:
        print(json.dumps(response.to_json(), ensure_ascii=False, indent=2))
    elif out is None:
        print(format_results(response))
    return 0


def write_answer(request, response, path: Path) -> None:
    """--out: the answer's passages, as the app's export of an answer writes them."""
    from ..conversation import Turn
    from ..exports import clips_of_turn, write_clips

    turn = Turn(request.question, request.question, "new", "", request.k, response, request.literal)
    clips = clips_of_turn(turn)
    write_clips(clips, path)
    noun = "passage" if len(clips) == 1 else "passages"
    print(f"reviewqa: wrote {len(clips)} {noun} to {path}", file=sys.stderr)


def cmd_digest(args, settings: Settings) -> int:
    from ..digest import check_limit
    from ..search import search_request

    limit = check_limit(args.limit)
    if args.out:
        briefing_path(args.out)
    request = search_request(args.question, settings, filters=filters_from_args(args), literal=args.literal)
    service = ready_service(settings)
    digest = service.digest(request, limit)
    reviews = service.index().reviews
    if args.out:
        write_briefing(digest, reviews, Path(args.out))
        print(f"reviewqa: wrote the briefing to {args.out}", file=sys.stderr)
    if args.json:
        print(json.dumps(digest.to_json(), ensure_ascii=False, indent=2))
    elif not args.out:
        print(format_digest(digest, {rid: review.title for rid, review in reviews.items()}))
    return 0


def briefing_path(value: str) -> Path:
    """--out: a .md or .docx file in a folder that exists (checked before the index loads)."""
    path = Path(value)
    if path.suffix.lower() not in (".md", ".docx"):
        raise InvalidQueryError(f"--out must name a .md or .docx file, not '{path.name}'.")
    if not path.parent.is_dir():
        raise InvalidQueryError(f"--out: the folder {path.parent} does not exist.")
    if path.suffix.lower() == ".docx":
        from ..extras import require

        require("ingest", "The Word briefing")
    return path


def write_briefing(digest, reviews, path: Path) -> None:
    from ..digest.briefing import to_markdown, write_docx

    if path.suffix.lower() == ".docx":
        write_docx(digest, reviews, path)
    else:
        path.write_text(to_markdown(digest, reviews), encoding="utf-8")
