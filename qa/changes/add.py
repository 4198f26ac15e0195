"""Users' own files into the collection: `add_files`. UI-free: the CLI, the app and the API call it
and show the record it returns.

    add_files(settings, ["report.pdf", "folder/"], AddOptions(year=2024))  -> AddReport

An add is all or nothing per call, under the collection's writer lock:

1. every file is parsed first (a bad file is reported and skipped, the others go on);
2. each accepted original is copied into corpus/files/<review id>/<safe name> (temp file + rename);
3. the collection file is saved once (atomically), then the index is built once (incrementally:
   only the new and changed documents are embedded);
4. if saving or building fails, the previous collection file is put back and the copies made by
   this call are deleted, so nothing is half-added. Originals of replaced documents are deleted only
   once the new collection and index are in place.

A killed process leaves at worst an unreferenced copy in corpus/files (never a referenced original
changed): the collection file and the index switch atomically.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..chunking import count_sentences
from ..collection import Collection, writer_lock
from ..errors import CollectionError, DocumentError, ReviewQAError
from ..gazetteer import UNKNOWN, UNPLACED_AREAS
from ..ingest.guess import FILL_IN, catalogue_title, name_from_title, place_of, title_from_file_name
from ..records import Document, Review, text_sha256
from ..settings import Settings
from ..text import clean_line, match_key, slugify
from .options import AddOptions, FileMetadata, MetadataError, check_metadata
from .originals import check_inside, copy_in, relative_file, safe_file_name
from .reports import AddReport, FileResult
from .transaction import Change, index_builder, read_collection, recover, run_change, sweep_orphans

log = logging.getLogger("reviewqa.changes")

# (fraction done from 0 to 1, what is happening) -> None
Progress = Callable[[float, str], None]


def add_files(settings: Settings, paths: Iterable[str | Path], options: AddOptions | None = None, *,
              embedder=None, progress: Progress | None = None, show_bar: bool = False) -> AddReport:
    """Add files (and the supported files inside folders) to the collection, then update the index.

    `embedder`: an Embedder or a callable returning one, called only if something needs embedding
    (default: the settings' model). Raises a ReviewQAError only for problems with the whole request
    (an invalid option, an unknown --review, the collection locked or damaged, the index failing to
    build); a problem with one file is reported in its FileResult and the other files still go in.
    """
    from ..extras import require
    from ..index.build import index_status

    require("ingest", "Adding files")
    started = time.perf_counter()
    options = options or AddOptions()
    common = check_metadata(options.for_all(), "the options")
    say = progress or (lambda fraction, message: None)
    found = expand_paths(paths)
    if not found:
        raise DocumentError("No files were given to add; name one or more files or folders.")
    build = index_builder(settings, embedder, show_bar)
    with writer_lock(settings.corpus_path):
        recovered = recover(settings, build)
        collection = read_collection(settings)
        sweep_orphans(settings, collection)
        if common.review is not None and collection.review(common.review) is None:
            raise CollectionError(unknown_review_message(common.review, collection))
        plan = _Plan(settings, collection)
        results: list[FileResult] = []
        used_rows: set[str] = set()
        total = sum(1 for _, skip in found if skip is None)
        done = 0
        for path, skip in found:
            shown = str(path)
            if skip is not None:
                results.append(FileResult(shown, path.name, "skipped", f"{path.name}: skipped, {skip}."))
                continue
            say(0.5 * done / max(1, total), f"Reading {path.name} ({done + 1} of {total})")
            done += 1
            row_key, row = _metadata_row(options.metadata, path)
            if row_key is not None:
                used_rows.add(row_key)
            meta = (row or FileMetadata()).over(common)
            try:
                results.append(plan.add(path, shown, meta, from_row=row is not None and row.review is not None))
            except (DocumentError, CollectionError, MetadataError) as error:
                results.append(FileResult(shown, path.name, "failed", str(error)))
            except Exception as error:  # noqa: BLE001 - one unreadable file must not stop the others
                log.exception("could not read %s", path)
                results.append(FileResult(shown, path.name, "failed",
                                          f"'{path.name}' could not be read ({type(error).__name__}); check that it "
                                          "opens in its usual program, or save it again and add it."))
        parse_seconds = time.perf_counter() - started
        warnings = tuple(f"The metadata CSV names '{key}', which was not among the files added."
                         for key in options.metadata if key not in used_rows)
        if recovered:
            warnings += (f"Before this add, reviewqa {recovered.message}.",)
        status = index_status(settings)
        current = status.manifest if status.problem is None else None
        passages_before = current.chunks if current else None
        generation = current.generation if current else None
        if not plan.changed:
            return AddReport(tuple(results), False, generation, 0, passages_before, passages_before, parse_seconds,
                             0.0, time.perf_counter() - started, warnings)
        say(0.5, "Copying the files into the collection")
        build_started = time.perf_counter()

        def copy_originals() -> None:
            for source, target, digest in plan.copies:
                copy_in(source, target, settings, sha256=digest)
            say(0.55, f"Updating the search index ({plan.changed} new or changed document"
                      f"{'s' if plan.changed != 1 else ''} to embed)" if passages_before is not None else
                "Building the search index for the whole collection (the first build embeds every document)")

        change = Change("add", tuple(relative_file(target, settings) for _, target, _ in plan.copies),
                        tuple(plan.obsolete), tuple(sorted(plan.planned)))
        try:
            report = run_change(settings, change, plan.collection(), copy_originals, build)
        except ReviewQAError as error:
            raise type(error)(f"{error} Nothing was added: the collection is as it was.") from None
        build_seconds = time.perf_counter() - build_started
        say(1.0, "Done")
    return AddReport(tuple(results), report.rebuilt, report.generation, report.embedded_documents, report.chunks,
                     passages_before, parse_seconds, build_seconds, time.perf_counter() - started, warnings)


def expand_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str | None]]:
    """Each path given, with folders walked recursively in sorted order: (file, None) to add, or
    (file, why it is skipped) for hidden files and unsupported types found inside a folder. A file
    named explicitly is always tried, so that its problem is reported as an error."""
    from ..ingest.files import SUPPORTED

    found: list[tuple[Path, str | None]] = []
    for given in paths:
        path = Path(given)
        if not path.is_dir() or path.is_symlink():
            found.append((path, None))      # read_file says what is wrong with it (a link is refused)
            continue
        for folder, subfolders, names in os.walk(path):
            skipped = {d: "a hidden folder" for d in subfolders if d.startswith(".")}
            skipped.update({d: "a symbolic link (links are not followed)" for d in subfolders
                            if (Path(folder) / d).is_symlink()})
            subfolders[:] = sorted(d for d in subfolders if d not in skipped)
            for name, why in sorted(skipped.items()):
                found.append((Path(folder) / name, why))
            for name in sorted(names):
                file = Path(folder) / name
                suffix = file.suffix.lower()
                if file.is_symlink():
                    found.append((file, "a symbolic link (links are not followed)"))
                elif name.startswith("."):
                    found.append((file, "a hidden file"))
                elif suffix not in SUPPORTED:
                    what = f"{suffix} files" if suffix else "files without an extension"
                    found.append((file, f"{what} cannot be added (supported: {', '.join(sorted(SUPPORTED))})"))
                else:
                    found.append((file, None))
    return found


def _metadata_row(rows: Mapping[str, FileMetadata], path: Path) -> tuple[str | None, FileMetadata | None]:
    if not rows:
        return None, None
    for key in (str(path), path.name):
        if key in rows:
            return key, rows[key]
    lowered = {key.lower(): key for key in rows}
    found = lowered.get(path.name.lower())
    return (found, rows[found]) if found else (None, None)


class _Plan:
    """The collection as it will be: documents added and replaced, copies to make, originals to drop."""

    def __init__(self, settings: Settings, collection: Collection):
        self.settings = settings
        self.reviews: dict[str, Review] = {r.id: r for r in collection.reviews}
        self.documents: dict[str, Document] = {d.id: d for d in collection.documents}
        self.by_content: dict[str, str] = {d.sha256: d.id for d in collection.documents}
        self.original_ids = set(self.documents)
        self.planned: set[str] = set()
        self.copies: list[tuple[Path, Path, str]] = []   # (source, target, sha256 of what was parsed)
        self.targets: set[Path] = set()
        self.obsolete: list[str] = []
        self.changed = 0
        self.sentences = 0

    def collection(self) -> Collection:
        return Collection(tuple(self.reviews.values()), tuple(self.documents.values()))

    def add(self, path: Path, shown: str, meta: FileMetadata, *, from_row: bool) -> FileResult:
        from ..ingest.files import read_file
        from ..ingest.isolated import parse_isolated

        limits = self.settings.parse_limits
        data = read_file(path, max_bytes=limits.max_file_bytes)
        parsed = parse_isolated(data, path.name, limits)
        # The copy kept in the collection must be the file that was parsed: checked by hash when copied.
        digest = hashlib.sha256(data).hexdigest()
        del data
        name = path.name
        guess = parsed.guess
        guessed = {"title": parsed.title, "year": parsed.year, "area": parsed.area}
        pages = len(parsed.pages) or None
        base: dict[str, Any] = dict(path=shown, name=name, guessed=guessed, pages=pages,
                                    characters=len(parsed.text), warnings=tuple(parsed.warnings),
                                    guessed_from=dict(guess.sources), guess=guess.to_json())
        slug = slugify(path.stem) or "document"
        sha = text_sha256(parsed.text)
        if sha not in self.by_content:
            self._take_sentences(name, count_sentences(parsed.text))
        if sha in self.by_content:
            existing = self.documents[self.by_content[sha]]
            same = re.fullmatch(rf"{re.escape(slug)}(?:-\d+)?", existing.id.rsplit("/", 1)[-1]) is not None
            review = self.reviews.get(existing.review_id)
            where = f"{existing.id}" + (f" (from {Path(existing.file).name})" if existing.file else "")
            message = (f"{name}: unchanged, already in the collection as {existing.id}; nothing to do." if same else
                       f"{name}: unchanged, the same text is already in the collection as document {where}; "
                       "nothing to do.")
            return FileResult(**base, status="unchanged", message=message, document_id=existing.id,
                              review_id=existing.review_id, review_title=review.title if review else None,
                              file=existing.file, duplicate_of=None if same else existing.id)
        title = clean_line(meta.title or parsed.title or title_from_file_name(path))
        kind = meta.kind or guess.kind or ("executive-summary" if re.search(
            r"\bexec(?:utive)?[ _-]*summ", f"{title} {path.stem}", re.IGNORECASE) else "report")
        warnings = list(parsed.warnings)
        review, new_review, matched_by = self._review_for(path, parsed, meta, title, warnings, from_row)
        document_id = self._document_id(review.id, slug)
        unknown = _unknown_fields(review) if new_review else ()
        if unknown:
            warnings.append(_fill_in_note(unknown, document_id))
        previous = self.documents.get(document_id)
        target = self._target(review.id, name)
        document = Document(id=document_id, review_id=review.id, kind=kind, text=parsed.text,
                            sections=parsed.sections, pages=parsed.pages, file=self._relative(target), title=title,
                            sha256=sha)
        if previous is not None:
            self.by_content.pop(previous.sha256, None)
            if previous.file:
                self.obsolete.append(previous.file)
        if new_review:
            self.reviews[review.id] = review
        self.documents[document_id] = document
        self.by_content[sha] = document_id
        self.planned.add(document_id)
        self.copies.append((path, target, digest))
        self.targets.add(target)
        self.changed += 1
        status = "replaced" if previous is not None else "added"
        used = {"title": title, "year": review.year, "area": review.area, "name": review.name,
                "nation": review.nation, "region": review.region, "kind": kind}
        joined = (f"joined the review “{review.title}” ({review.id}) by {matched_by}" if not new_review
                  else f"started a new review “{review.title}” ({review.year_label}, {review.area}, {review.nation})")
        counted = f"{pages} page{'s' if pages != 1 else ''}" if pages else f"{len(parsed.text):,} characters"
        verb = "replaced the previous version of" if previous is not None else "added as"
        message = f"{name}: {verb} {document_id}; {joined}; {counted}."
        return FileResult(**{**base, "warnings": tuple(warnings)}, status=status, message=message,
                          document_id=document_id, review_id=review.id, review_title=review.title,
                          new_review=new_review, matched_by=matched_by, metadata=used, file=document.file,
                          unknown=unknown)

    def _take_sentences(self, name: str, count: int) -> None:
        """Refuse a file that would take this add past the sentences one add may embed."""
        limit = self.settings.max_add_sentences
        if self.sentences + count > limit:
            already = f", and the files before it in this add hold {self.sentences:,}" if self.sentences else ""
            raise DocumentError(f"'{name}' holds about {count:,} sentences{already}; one add embeds at most "
                                f"{limit:,} (about {max(1, limit // 20_000)} minute(s) on a 2-core machine). Add it "
                                "on its own, split it into smaller files, or raise the limit with --max-sentences.")
        self.sentences += count

    def _review_for(self, path: Path, parsed, meta: FileMetadata, title: str, warnings: list[str],
                    from_row: bool) -> tuple[Review, bool, str | None]:
        from ..ingest.metadata import review_id

        if meta.review:
            review = self.reviews.get(meta.review)
            if review is None:
                raise CollectionError(unknown_review_message(meta.review, self.collection(), path.name))
            _warn_ignored(review, meta, warnings)
            return review, False, "metadata CSV" if from_row else "--review"
        guess = parsed.guess
        year = meta.year or guess.year
        area = clean_line(meta.area or guess.area or "unknown")
        # The user's title names the review; else the child the document names, else its title does.
        name = name_from_title(title, area, path.stem) if meta.title else \
            (guess.name or name_from_title(title, area, path.stem))
        if year is not None and area.lower() not in UNPLACED_AREAS:
            key = (year, match_key(area), match_key(name))
            matches = [r for r in self.reviews.values() if (r.year, match_key(r.area), match_key(r.name)) == key]
            if len(matches) == 1:
                _warn_ignored(matches[0], meta, warnings)
                return matches[0], False, "same area, name and year"
            if len(matches) > 1:
                raise DocumentError(
                    f"'{path.name}' matches {len(matches)} reviews with the same area, name and year "
                    f"({', '.join(r.id for r in matches)}); give the review id to join (--review ID, or the app's "
                    "Join review id box).")
        # The nation: the user's; else the area's, when the user named an area the gazetteer knows;
        # else what the document says (its review type, its partnership).
        nation = meta.nation or (None if meta.area and place_of(area, None)[0] != UNKNOWN else guess.nation)
        nation, region, note = place_of(area, nation)
        if note:
            warnings.append(note)
        rid = review_id(year, area, name, f"{title}\n{path.stem}")
        review = Review(id=rid, title=catalogue_title(year, area, name), year=year, area=area, name=name,
                        nation=nation, region=region, child_ages=guess.child_ages)
        return review, True, None

    def _document_id(self, review_id: str, slug: str) -> str:
        """`<review id>/<slug>`; never the id of a summary from the page, nor of a file added earlier
        in this same call (those get "-2", "-3", ...)."""
        candidate, number = f"{review_id}/{slug}", 1
        while candidate in self.planned or (candidate in self.documents
                                            and self.documents[candidate].file is None):
            number += 1
            candidate = f"{review_id}/{slug}-{number}"
        return candidate

    def _target(self, review_id: str, name: str) -> Path:
        """A free name in corpus/files/<review>/: a replaced document's original stays where it is
        until the new collection is in place."""
        folder = self.settings.files_dir / safe_file_name(review_id, keep_suffix=False)
        safe = safe_file_name(name)
        stem, suffix = os.path.splitext(safe)
        target, number = folder / safe, 1
        while target in self.targets or target.exists():
            number += 1
            target = folder / f"{stem}-{number}{suffix}"
        check_inside(target, self.settings)
        return target

    def _relative(self, target: Path) -> str:
        return relative_file(target, self.settings)


def _unknown_fields(review: Review) -> tuple[str, ...]:
    """The fields of a new review that nothing stated: year, area, nation (in that order)."""
    unknown = []
    if review.year is None:
        unknown.append("year")
    if review.area.lower() in UNPLACED_AREAS:
        unknown.append("area")
    if review.nation == UNKNOWN:
        unknown.append("nation")
    return tuple(unknown)


def _fill_in_note(unknown: tuple[str, ...], document_id: str) -> str:
    """"The year and nation are unknown: ... fill them in with reviewqa edit REVIEW --year YYYY ..."."""
    words = unknown[0] if len(unknown) == 1 else ", ".join(unknown[:-1]) + " and " + unknown[-1]
    verb, them = ("is", "it") if len(unknown) == 1 else ("are", "them")
    options = " ".join(FILL_IN[field] for field in unknown)
    review_id = document_id.split("/", 1)[0]
    return (f"The {words} {verb} unknown: the document does not state {them}, so the review was added without "
            f"{them}. To fill {them} in: reviewqa edit {review_id} {options} (or the app's Edit details, or "
            f"PATCH /api/reviews/{review_id}); nothing is embedded again.")


def _warn_ignored(review: Review, meta: FileMetadata, warnings: list[str]) -> None:
    differing = [label for label, given, kept in (("year", meta.year, review.year), ("area", meta.area, review.area),
                                                  ("nation", meta.nation, review.nation))
                 if given not in (None, "") and str(given).lower() != str(kept).lower()]
    if differing:
        warnings.append(f"The review keeps its own {' and '.join(differing)} ({review.year}, {review.area}, "
                        f"{review.nation}); the {' and '.join(differing)} given were not used.")


def unknown_review_message(review_id: str, collection: Collection, file: str | None = None) -> str:
    ids = [r.id for r in collection.reviews]
    close = difflib.get_close_matches(review_id, ids, n=3, cutoff=0.5)
    if not close:
        lowered = review_id.lower()
        close = [i for i in ids if lowered and lowered in i][:3]
    hint = (f" Did you mean {', '.join(close)}?" if close
            else " Run `reviewqa list --all` (or search) to find the review's id.")
    where = f" (for '{file}')" if file else ""
    return f"There is no review with id '{review_id[:100]}'{where}.{hint}"
