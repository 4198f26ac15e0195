"""Changes to the collection: adding users' files, removing documents, listing them.

    add.py          add_files: files and folders in, all or nothing, the index updated once
    remove.py       remove_document, list_documents
    edit.py         edit_review: a review's details and its documents' kinds corrected, nothing re-embedded
    options.py      what the user says about the files (AddOptions, a metadata CSV)
    originals.py    the original files kept in corpus/files/, safely named
    reports.py      what each change reports (AddReport, FileResult, RemoveReport, DocumentInfo)
    transaction.py  the collection read, restored on failure
"""

from .add import add_files, expand_paths, unknown_review_message
from .edit import DocumentEdit, EditReport, ReviewEdit, edit_review
from .options import AddOptions, FileMetadata, MetadataError, check_metadata, read_metadata_csv
from .remove import list_documents, remove_document
from .reports import STATUSES, AddReport, DocumentInfo, FileResult, RemoveReport

__all__ = ["AddOptions", "AddReport", "DocumentEdit", "DocumentInfo", "EditReport", "FileMetadata", "FileResult",
           "MetadataError", "RemoveReport", "ReviewEdit", "STATUSES", "add_files", "check_metadata", "edit_review",
           "expand_paths", "list_documents", "read_metadata_csv", "remove_document", "unknown_review_message"]
