"""Documents out of the collection (`remove_document`), and the list of what it holds
(`list_documents`). A removal is all or nothing, like an add."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from ..collection import Collection, load_collection, writer_lock
from ..errors import CollectionError, ReviewQAError
from ..settings import Settings
from .reports import DocumentInfo, RemoveReport
from .transaction import Change, index_builder, read_collection, recover, run_change

Progress = Callable[[float, str], None]


def remove_document(settings: Settings, document_id: str, *, embedder=None,
                    progress: Progress | None = None, show_bar: bool = False) -> RemoveReport:
    """Remove one document (and its review, if it has no other document left), delete its original
    from the collection's files folder, and update the index. All or nothing, like `add_files`."""
    say = progress or (lambda fraction, message: None)
    build = index_builder(settings, embedder, show_bar)
    with writer_lock(settings.corpus_path):
        recovered = recover(settings, build)
        collection = read_collection(settings)
        document = collection.document(document_id)
        if document is None:
            if recovered and recovered.finished and recovered.change.kind == "remove" \
                    and document_id in recovered.change.documents:
                # The same removal was interrupted and has just been finished: the job is done.
                return RemoveReport(document_id, "", False, None, None,
                                    f"Removed {document_id}: the removal that was interrupted has been finished.")
            ids = [d.id for d in collection.documents]
            close = difflib.get_close_matches(document_id, ids, n=3, cutoff=0.5) or \
                [i for i in ids if document_id and document_id in i][:3]
            hint = f" Did you mean {', '.join(close)}?" if close else " Run `reviewqa list` to see the document ids."
            raise CollectionError(f"There is no document with id '{document_id[:120]}'.{hint}")
        others = [d for d in collection.documents_of(document.review_id) if d.id != document.id]
        review_removed = not others
        reviews = tuple(r for r in collection.reviews if not (review_removed and r.id == document.review_id))
        if not reviews:
            raise CollectionError(f"'{document_id}' is the only document in the collection; a collection needs at "
                                  "least one review (add another file first).")
        new = Collection(reviews, tuple(d for d in collection.documents if d.id != document.id))
        change = Change("remove", (), (document.file,) if document.file else (), (document.id,))
        say(0.3, "Updating the search index")
        try:
            report = run_change(settings, change, new, lambda: None, build)
        except ReviewQAError as error:
            raise type(error)(f"{error} Nothing was removed: the collection is as it was.") from None
        say(1.0, "Done")
    review = collection.review(document.review_id)
    message = (f"Removed {document.id}" + (f" and its review “{review.title}”, which had no other document"
                                           if review_removed and review else "")
               + (f"; deleted its copy {document.file}" if document.file else "")
               + f"; index generation {report.generation} is in use.")
    return RemoveReport(document.id, document.review_id, review_removed, document.file, report.generation, message)


def list_documents(settings: Settings) -> list[DocumentInfo]:
    collection = load_collection(settings.corpus_path)
    titles = {r.id: r.title for r in collection.reviews}
    return [DocumentInfo(d.id, d.review_id, titles.get(d.review_id, ""), d.kind, d.title, d.file, len(d.pages),
                         len(d.text)) for d in collection.documents]
