"""Domain errors. The library raises these; only the CLI and the app turn them into messages."""


class ReviewQAError(Exception):
    """Base class: the message is one sentence saying what is wrong and what to do."""


class InvalidQueryError(ReviewQAError):
    """The question cannot be searched (empty, too long, nothing but symbols)."""


class NotFoundError(InvalidQueryError):
    """A review or document asked for by id is not in the index (the HTTP API answers 404)."""


class CorpusError(ReviewQAError):
    """The corpus file is missing, unreadable or malformed."""


class CollectionBusyError(CorpusError):
    """Another process or request is changing the collection (the HTTP API answers 409)."""


class IndexMissingError(ReviewQAError):
    """No index has been built yet."""


class IndexStaleError(ReviewQAError):
    """The index was built from another corpus or other settings."""


class IndexCorruptError(ReviewQAError):
    """An index file is missing, truncated or does not match the manifest."""


class ModelLoadError(ReviewQAError):
    """The embedding model could not be loaded."""


class DocumentError(ReviewQAError):
    """A file cannot be added: unreadable, unsupported, empty, encrypted, scanned without text, too large."""


class CollectionError(ReviewQAError):
    """The collection cannot be changed as asked (unknown document or review, a clash of ids)."""
