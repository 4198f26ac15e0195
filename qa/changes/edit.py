"""Correcting a review's details and its documents' kinds after they were added: `edit_review`.
UI-free: the CLI, the app and the API call it and show the record it returns.

    edit_review(settings, "2024-rushmere-child-q-1a2b3c", ReviewEdit(year="2021", area="Kent"),
                {"2024-rushmere-child-q-1a2b3c/child-q-report": DocumentEdit(kind="learning-brief")})

Each value is the user's words: None leaves a field as it is, "unknown" (or "") clears it. Every value
is checked before anything is written (the same checks as `reviewqa add`'s options), and one bad value
refuses the whole edit with a sentence naming the field.

Nothing is re-embedded: no document's text changes, so the new index generation takes every vector
from the per-document cache, and the collection file is replaced through the same journalled
transaction as an add (qa/changes/transaction.py). Ids do not change: a review keeps its id (links,
exports and `--review` keep working) whatever its new details.

The NSPCC page's reviews can be edited like any other (it is the user's collection); their summaries
stay summaries, and `reviewqa parse` puts the page's own details back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..collection import Collection, writer_lock
from ..errors import NotFoundError, ReviewQAError
from ..gazetteer import ENGLAND_REGION_UNKNOWN, NATIONS, REGIONS, UNKNOWN, UNPLACED_AREAS
from ..ingest.guess import catalogue_title, place_of
from ..ingest.metadata import stated_ages
from ..records import DOCUMENT_KINDS, Document, Review, document_kind
from ..settings import Settings
from ..text import clean_line
from .add import unknown_review_message
from .options import FileMetadata, MetadataError, check_metadata
from .transaction import Change, index_builder, read_collection, recover, run_change, sweep_orphans

WHERE = "the new details"
CLEAR = ("unknown", "")
MAX_TITLE = 300


@dataclass(frozen=True)
class ReviewEdit:
    """New details for a review, as the user wrote them; None: leave the field as it is."""

    title: str | None = None
    year: str | int | None = None
    area: str | None = None
    nation: str | None = None
    region: str | None = None
    name: str | None = None
    child_ages: str | None = None       # "3 years; 5 months", "14", "a baby"; "unknown" clears them

    def given(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class DocumentEdit:
    """A document's new kind (a key or label of records.DOCUMENT_KINDS) and title; None: leave it."""

    kind: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class FieldChange:
    target: str          # the review's or the document's id
    field: str
    before: str
    after: str

    def to_json(self) -> dict:
        return {"target": self.target, "field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class EditReport:
    review_id: str
    changes: tuple[FieldChange, ...]
    generation: int | None
    embedded_documents: int         # documents sent to the model (0 unless the cache was lost)
    seconds: float
    recovered: str | None = None    # an interrupted change finished or undone first, in words

    @property
    def message(self) -> str:
        if not self.changes:
            return (f"Nothing to change: {self.review_id} already has these details"
                    + (f" (index generation {self.generation})." if self.generation is not None else "."))
        parts = [f"{c.field} {c.before} → {c.after}" if c.target == self.review_id
                 else f"{c.target.rsplit('/', 1)[-1]}: {c.field} {c.before} → {c.after}" for c in self.changes]
        embedded = (", nothing re-embedded" if not self.embedded_documents
                    else f", {self.embedded_documents} documents re-embedded")
        return (f"Changed {self.review_id}: {'; '.join(parts)}. Index generation {self.generation} is in use "
                f"({self.seconds:.1f} s{embedded}).")

    def to_json(self) -> dict:
        return {"review_id": self.review_id, "changes": [c.to_json() for c in self.changes],
                "generation": self.generation, "embedded_documents": self.embedded_documents,
                "seconds": round(self.seconds, 3), "recovered": self.recovered, "message": self.message}


def check_review_edit(edit: ReviewEdit) -> dict:
    """The fields given, checked and tidied into the collection's form, before the collection is
    read: MetadataError naming the field and what to write instead."""
    values: dict = {}
    if edit.year is not None:
        values["year"] = _year(edit.year)
    if edit.nation is not None:
        nation = " ".join(str(edit.nation).split())
        values["nation"] = UNKNOWN if nation.lower() in CLEAR else check_metadata(
            FileMetadata(nation=nation), WHERE).nation
    if edit.area is not None:
        area = clean_line(str(edit.area))
        values["area"] = UNKNOWN if area.lower() in CLEAR else check_metadata(FileMetadata(area=area), WHERE).area
    if edit.region is not None:
        values["region"] = _region(edit.region)
    if edit.name is not None:
        name = clean_line(str(edit.name))
        if len(name) > 200:
            raise MetadataError("The name is longer than 200 characters; give the child's pseudonym, e.g. Child Q.")
        values["name"] = UNKNOWN if name.lower() in CLEAR else name
    if edit.title is not None:
        title = clean_line(str(edit.title))
        if len(title) > MAX_TITLE:
            raise MetadataError(f"The title is longer than {MAX_TITLE} characters; shorten it.")
        values["title"] = None if title.lower() in CLEAR else title      # None: the catalogue's title
    if edit.child_ages is not None:
        text = str(edit.child_ages).strip()
        ages = () if text.lower() in CLEAR else stated_ages(text)
        if ages is None:
            raise MetadataError(f"The child ages '{text[:60]}' are not ages under 18; give one age per child, "
                                "separated by semicolons, e.g. '3 years; 5 months', '14' or 'a baby' (or unknown "
                                "to clear them).")
        values["child_ages"] = ages
    return values


def check_document_edit(edit: DocumentEdit, document: Document) -> dict:
    values: dict = {}
    if edit.kind is not None:
        kind = document_kind(edit.kind)
        if kind is None:
            known = ", ".join(DOCUMENT_KINDS)
            raise MetadataError(f"The kind '{str(edit.kind)[:60]}' of {document.id} is not one reviewqa knows; use "
                                f"one of: {known}.")
        if kind != document.kind and document.file is None and document.kind == "summary":
            raise MetadataError(f"{document.id} is the NSPCC's summary of the review, so its kind stays summary "
                                "(`reviewqa parse` reads it from the page as one).")
        values["kind"] = kind
    if edit.title is not None:
        title = clean_line(str(edit.title))
        if len(title) > MAX_TITLE:
            raise MetadataError(f"The title of {document.id} is longer than {MAX_TITLE} characters; shorten it.")
        values["title"] = title
    return values


def edit_review(settings: Settings, review_id: str | None, edit: ReviewEdit | None = None,
                documents: Mapping[str, DocumentEdit] | None = None, *, embedder=None) -> EditReport:
    """Change a review's details and its documents' kinds and titles, then build the index generation
    that carries them (every vector from the cache). `review_id` may be None when only documents are
    edited (their review is then theirs). NotFoundError for an unknown id, MetadataError for a bad
    value; either way nothing is written."""
    from ..index.build import index_status, keep_context_vectors

    started = time.perf_counter()
    edit = edit or ReviewEdit()
    documents = dict(documents or {})
    if not edit.given() and not any(d.kind is not None or d.title is not None for d in documents.values()):
        raise MetadataError("Nothing to change was given; give a new title, year, area, nation, region, name, "
                            "child ages, or a document's kind.")
    checked = check_review_edit(edit)
    build = index_builder(settings, embedder)
    with writer_lock(settings.corpus_path):
        recovered = recover(settings, build)
        collection = read_collection(settings)
        sweep_orphans(settings, collection)
        review_id = _review_of(collection, review_id, documents)
        review = collection.review(review_id)
        if review is None:
            raise NotFoundError(unknown_review_message(review_id, collection))
        new_review = _edited(review, checked)
        new_documents: dict[str, Document] = {}
        for document_id, document_edit in documents.items():
            document = collection.document(document_id)
            if document is None or document.review_id != review_id:
                raise NotFoundError(f"The review {review_id} has no document '{document_id[:120]}'; its documents "
                                    f"are {', '.join(d.id for d in collection.documents_of(review_id))}.")
            new_documents[document_id] = replace(document, **check_document_edit(document_edit, document))
        changes = _changes(review, new_review, collection.documents_of(review_id), new_documents)
        status = index_status(settings)
        current = status.manifest.generation if status.manifest is not None and status.problem is None else None
        if not changes:
            return EditReport(review_id, (), current, 0, time.perf_counter() - started,
                              recovered.message if recovered else None)
        new = Collection(tuple(new_review if r.id == review_id else r for r in collection.reviews),
                         tuple(new_documents.get(d.id, d) for d in collection.documents))
        keep_context_vectors(settings, collection, new)
        change = Change("edit", (), (), tuple(sorted(new_documents)) or (review_id,))
        try:
            report = run_change(settings, change, new, lambda: None, build)
        except ReviewQAError as error:
            raise type(error)(f"{error} Nothing was changed: the collection is as it was.") from None
    return EditReport(review_id, changes, report.generation, report.embedded_documents,
                      time.perf_counter() - started, recovered.message if recovered else None)


def _review_of(collection: Collection, review_id: str | None, documents: Mapping[str, DocumentEdit]) -> str:
    if review_id:
        return review_id
    owners = set()
    for document_id in documents:
        document = collection.document(document_id)
        if document is None:
            raise NotFoundError(f"There is no document with id '{document_id[:120]}'; run `reviewqa list` to see "
                                "the document ids.")
        owners.add(document.review_id)
    if len(owners) != 1:
        raise MetadataError("Give the review's id, or documents of one review only.")
    return owners.pop()


def _year(value: str | int) -> int | None:
    if isinstance(value, bool):
        raise MetadataError("The year must be four digits, e.g. 2021, or unknown to clear it.")
    text = str(value).strip()
    if text.lower() in CLEAR:
        return None
    if not text.isdigit() or len(text) != 4:
        raise MetadataError(f"The year '{text[:20]}' is not a year; write it as four digits, e.g. 2021, or unknown "
                            "to clear it.")
    return check_metadata(FileMetadata(year=int(text)), WHERE).year


def _region(value: str) -> str:
    text = " ".join(str(value).split())
    if text.lower() in CLEAR:
        return UNKNOWN
    known = {name.lower(): name for name in (*REGIONS, *NATIONS, ENGLAND_REGION_UNKNOWN)}
    region = known.get(text.lower())
    if region is None:
        raise MetadataError(f"The region '{text[:60]}' is not one of the English regions ({', '.join(REGIONS)}) "
                            "or a nation; outside England the region is the nation. Leave it out to take it from "
                            "the area.")
    return region


def _edited(review: Review, values: dict) -> Review:
    """The review with the checked values; the nation and region follow a new area (or nation) the
    way `add` places a new review, unless given; the title follows the catalogue's convention
    (year – area – name) when it was the catalogue's title, or when it is cleared."""
    year = values.get("year", review.year)
    area = values.get("area", review.area)
    name = values.get("name", review.name)
    nation, region = review.nation, review.region
    if "area" in values or "nation" in values:
        nation_given = values.get("nation")
        if nation_given == UNKNOWN:
            nation, region = UNKNOWN, UNKNOWN
        else:
            if nation_given is None:
                from_area = place_of(area, None)[0] if area.lower() not in UNPLACED_AREAS else UNKNOWN
                nation_given = from_area if from_area != UNKNOWN else review.nation
            nation, region, _ = place_of(area, nation_given)
    if "region" in values:
        region = values["region"]
        if nation not in (UNKNOWN, "England") and region not in (nation, UNKNOWN):
            raise MetadataError(f"The region '{region}' is not in {nation}; outside England the region is the "
                                f"nation ({nation}).")
        if nation == "England" and region in NATIONS:
            raise MetadataError(f"The region '{region}' is not in England; give an English region ("
                                f"{', '.join(REGIONS)}), or the nation {region} too.")
    title = review.title
    if "title" in values:
        title = values["title"] or catalogue_title(year, area, name)
    elif review.title == catalogue_title(review.year, review.area, review.name):
        title = catalogue_title(year, area, name)
    return replace(review, title=title, year=year, area=area, name=name, nation=nation, region=region,
                   child_ages=values.get("child_ages", review.child_ages))


def _shown(value) -> str:
    if value is None or value == ():
        return "unknown"
    if isinstance(value, tuple):
        return "; ".join(f"{low:g}" if low == high else f"{low:g}-{high:g}" for low, high in value)
    return str(value)


def _changes(review: Review, new: Review, documents: tuple[Document, ...],
             new_documents: Mapping[str, Document]) -> tuple[FieldChange, ...]:
    changes = [FieldChange(review.id, name, _shown(getattr(review, name)), _shown(getattr(new, name)))
               for name in ("title", "year", "area", "name", "nation", "region", "child_ages")
               if getattr(review, name) != getattr(new, name)]
    for document in documents:
        edited = new_documents.get(document.id)
        if edited is None:
            continue
        if edited.kind != document.kind:
            changes.append(FieldChange(document.id, "kind", document.kind_label, edited.kind_label))
        if edited.title != document.title:
            changes.append(FieldChange(document.id, "title", document.title or "none", edited.title or "none"))
    return tuple(changes)
