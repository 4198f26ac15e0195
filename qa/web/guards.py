"""Guards in front of the handlers: request size limits for the API, and checks on uploads before
Gradio stores anything. Both read a request body through `read_body`, which stops at a limit."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..ingest.files import SUPPORTED

log = logging.getLogger("reviewqa.server")

# What the app accepts as uploads: the formats `reviewqa add` reads (qa/ingest/files.py).
UPLOAD_TYPES = tuple(sorted(SUPPORTED))
MAX_UPLOAD_FILES = 50
MAX_QUERY_STRING = 8 * 1024      # bytes of query string (a 1,000-character question fits, percent-encoded)
MAX_BODY = 64 * 1024             # bytes of request body


class LimitMiddleware:
    """Refuses an over-long query string (414) or body (413) before any handler runs. The body is read
    here, at most `max_body` bytes of it, and handed on whole; a request that says nothing of its length
    is cut off at the limit too. `allowed(scope)` (authentication) is asked before a body is read, so a
    client without the token never gets a byte of its body accepted."""

    def __init__(self, app, *, max_query: int = MAX_QUERY_STRING, max_body: int = MAX_BODY,
                 allowed: Callable[[dict], bool] | None = None):
        self.app, self.max_query, self.max_body, self.allowed = app, max_query, max_body, allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        query = scope.get("query_string", b"")
        if len(query) > self.max_query:
            return await send_error(send, 414, f"The query string is {len(query):,} bytes; the limit is "
                                               f"{self.max_query:,}. Send a long question with POST /api/search.")
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            return await send_error(send, 413, f"The request body is {length:,} bytes; the limit is "
                                               f"{self.max_body:,}.")
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE") and not length:
            return await self.app(scope, receive, send)
        if self.allowed is not None and not self.allowed(scope):
            return await send_error(send, 401, UNAUTHORISED, [(b"www-authenticate", b"Bearer")])
        chunks: list[bytes] = []

        def keep(chunk: bytes) -> None:
            chunks.append(chunk)

        outcome = await read_body(receive, self.max_body, keep)
        if outcome is DISCONNECTED:
            return
        if outcome is not None:
            return await send_error(send, 413, f"The request body is over the limit of {self.max_body:,} bytes.")
        body = b"".join(chunks)
        return await self.app(scope, replay(iter([body]).__next__, receive), send)


DISCONNECTED = ("disconnected",)
Refusal = tuple  # (HTTP status, one-line message)


async def read_body(receive, limit: int, keep: Callable[[bytes], Refusal | None]):
    """Read a request body chunk by chunk, handing each to `keep` (which stores it, or refuses it),
    and stop as soon as more than `limit` bytes have come. Returns None when all of it was read, a
    refusal, or DISCONNECTED when the client went away."""
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return DISCONNECTED
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return 413, f"The request body is over the limit of {limit:,} bytes."
        refusal = keep(chunk)
        if refusal:
            return refusal
        if not message.get("more_body", False):
            return None


def replay(next_chunk: Callable[[], bytes], receive) -> Callable[[], Awaitable[dict]]:
    """An ASGI `receive` that hands back a body read earlier (`next_chunk` returns its pieces in turn,
    b"" or StopIteration at the end), then the client's own messages."""
    done = False

    async def receive_again() -> dict:
        nonlocal done
        if done:
            return await receive()
        try:
            chunk = next_chunk()
        except StopIteration:
            chunk = b""
        done = not chunk
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return receive_again


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def one_line(text: str) -> str:
    """A message as one line of at most 400 characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= 400 else text[:397] + "..."


UNAUTHORISED = "This server needs an API token: send `Authorization: Bearer <token>`."


async def send_error(send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer an ASGI request with `{"error": message}` and close it (used before the app is reached)."""
    body = json.dumps({"error": one_line(message)}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class UploadGuard:
    """Checks POST .../gradio_api/upload before Gradio stores anything: only UPLOAD_TYPES, at most
    `max_file_bytes` per file and `max_files` files. The body is spooled (memory, then the temp folder)
    while its part headers are read, and handed to Gradio only once it has passed. `logged_in(scope)`
    is asked first: without a login (when the app has logins), nothing of the body is read."""

    def __init__(self, app, *, max_file_bytes: int, allowed: tuple[str, ...] = UPLOAD_TYPES,
                 max_files: int = MAX_UPLOAD_FILES, logged_in: Callable[[dict], bool] | None = None):
        self.app, self.max_file_bytes, self.allowed, self.max_files = app, max_file_bytes, allowed, max_files
        self.logged_in = logged_in

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope.get("method") != "POST"
                or not scope.get("path", "").rstrip("/").endswith("/gradio_api/upload")):
            return await self.app(scope, receive, send)
        if self.logged_in is not None and not self.logged_in(scope):
            return await send_error(send, 401, "Log in to the app before uploading files.")
        headers = {name.lower(): value for name, value in scope.get("headers", ())}
        limit = self.max_files * (self.max_file_bytes + 4096)
        try:
            length = int(headers.get(b"content-length", b"-1"))
        except ValueError:
            length = -1
        if length > limit:
            return await send_error(send, 413, f"The upload is {length:,} bytes; the limit is "
                                            f"{self.max_file_bytes:,} bytes a file.")
        boundary = _boundary(headers.get(b"content-type", b""))
        if boundary is None:
            return await self.app(scope, receive, send)  # not multipart: Gradio refuses it
        check = _PartCheck(boundary, self.max_file_bytes, self.allowed, self.max_files)
        # Spooled beside Gradio's own uploads (the server's temp folder), so it goes when the server does.
        spool = tempfile.SpooledTemporaryFile(max_size=2**20, dir=_existing(os.environ.get("GRADIO_TEMP_DIR")))
        try:
            def keep(chunk: bytes) -> Refusal | None:
                problem = check.feed(chunk)
                if problem is None:
                    spool.write(chunk)
                return problem

            outcome = await read_body(receive, limit, keep)
            if outcome is DISCONNECTED:
                return
            if outcome is not None:
                status, message = outcome
                if status == 413 and message.startswith("The request body"):
                    message = f"The upload is over the limit of {self.max_file_bytes:,} bytes a file."
                return await send_error(send, status, message)
            spool.seek(0)
            return await self.app(scope, replay(lambda: spool.read(2**16), receive), send)
        finally:
            spool.close()


def _existing(folder: str | None) -> str | None:
    if not folder:
        return None
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        return None


def _boundary(content_type: bytes) -> bytes | None:
    from python_multipart.multipart import parse_options_header

    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        return None
    return options[b"boundary"]


class _PartCheck:
    """Feeds a multipart body through python-multipart's parser, looking only at the part headers
    (file names) and counting each part's bytes."""

    def __init__(self, boundary: bytes, max_bytes: int, allowed: tuple[str, ...], max_files: int):
        from python_multipart.multipart import MultipartParser

        self.max_bytes, self.allowed, self.max_files = max_bytes, allowed, max_files
        self.problem: tuple[int, str] | None = None
        self.files = 0
        self._field, self._value, self._disposition = b"", b"", b""
        self._part_bytes = 0
        self._name = ""
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_header_field": self._on_field, "on_header_value": self._on_value,
            "on_header_end": self._header_end, "on_headers_finished": self._headers_done,
            "on_part_data": self._data})

    def feed(self, chunk: bytes) -> tuple[int, str] | None:
        if self.problem is None and chunk:
            try:
                self.parser.write(chunk)
            except Exception as error:  # noqa: BLE001 - a malformed body: say so, store nothing
                self.problem = (400, f"The upload is not a valid multipart form ({type(error).__name__}).")
        return self.problem

    def _begin(self):
        self._disposition, self._part_bytes, self._name = b"", 0, ""

    def _on_field(self, data, start, end):
        self._field += data[start:end]

    def _on_value(self, data, start, end):
        self._value += data[start:end]

    def _header_end(self):
        if self._field.lower() == b"content-disposition":
            self._disposition = self._value
        self._field, self._value = b"", b""

    def _headers_done(self):
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._disposition)
        filename = options.get(b"filename")
        if filename is None:
            return
        self.files += 1
        name = filename.decode("utf-8", "replace")
        self._name = Path(name.replace("\\", "/")).name
        suffix = Path(self._name).suffix.lower()
        if self.files > self.max_files:
            self.problem = (413, f"At most {self.max_files} files can be uploaded at once.")
        elif suffix not in self.allowed:
            self.problem = (415, f"'{self._name[:80]}' is not a file type reviewqa reads; upload "
                                 f"{', '.join(self.allowed)} files.")

    def _data(self, data, start, end):
        self._part_bytes += end - start
        if self._name and self._part_bytes > self.max_bytes and self.problem is None:
            self.problem = (413, f"'{self._name[:80]}' is over the limit of {self.max_bytes / 2**20:.0f} MB "
                                 "a file.")


class EventGuard:
    """Checks an app event (POST .../gradio_api/queue/join) before Gradio queues it: a known event
    given the number of inputs it takes, and every file it names uploaded to this server. Gradio would
    refuse the others later, printing a traceback for each; a hostile client gets one line instead."""

    def __init__(self, app, *, inputs_of: Callable[[int], int | None], uploaded: Callable[[str], bool]):
        self.app, self.inputs_of, self.uploaded = app, inputs_of, uploaded

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope.get("method") != "POST"
                or not scope.get("path", "").rstrip("/").endswith("/gradio_api/queue/join")):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []

        def keep(chunk: bytes) -> None:
            chunks.append(chunk)

        outcome = await read_body(receive, MAX_EVENT_BODY, keep)
        if outcome is DISCONNECTED:
            return
        if outcome is not None:
            return await send_error(send, *outcome)
        body = b"".join(chunks)
        problem = self.problem(body)
        if problem:
            log.warning("refused an app event: %s", problem)
            return await send_error(send, 400, problem)
        return await self.app(scope, replay(iter([body]).__next__, receive), send)

    def problem(self, body: bytes) -> str | None:
        try:
            event = json.loads(body)
        except ValueError:
            return None                       # Gradio answers 422 by itself, without a traceback
        if not isinstance(event, dict) or not isinstance(event.get("data"), list):
            return None
        index = event.get("fn_index")
        wanted = self.inputs_of(index) if isinstance(index, int) and not isinstance(index, bool) else None
        if wanted is None:
            return "There is no such event in this app."
        if len(event["data"]) != wanted:
            return f"This event takes {wanted} values, not {len(event['data'])}."
        for path in _file_paths(event["data"]):
            if not isinstance(path, str) or not self.uploaded(path):
                return "A file named in this event was not uploaded to this server; upload it first."
        return None


MAX_EVENT_BODY = 1 * 2**20     # an event carries form values and file references, never file contents


def _file_paths(value, depth: int = 0):
    """The `path` of every file reference (a Gradio FileData) inside an event's values."""
    if depth > 20:
        return
    if isinstance(value, dict):
        meta = value.get("meta")
        if "path" in value and (isinstance(meta, dict) and meta.get("_type") == "gradio.FileData" or "url" in value
                                or "orig_name" in value):
            yield value["path"]
        for item in value.values():
            yield from _file_paths(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _file_paths(item, depth + 1)


class IgnoreForwardedHost:
    """Drops the headers by which a client could claim another host (X-Forwarded-Host, Forwarded):
    Gradio builds the links in its page config from them, so any client could make the app point
    elsewhere. reviewqa is served directly, not behind a proxy that sets them."""

    DROPPED = frozenset({b"x-forwarded-host", b"forwarded", b"x-forwarded-proto", b"x-forwarded-port"})

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and any(k.lower() in self.DROPPED for k, _ in scope["headers"]):
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in self.DROPPED]}
        return await self.app(scope, receive, send)
