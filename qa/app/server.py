"""One server process: the HTTP API (qa.api, at /api) and the Gradio app (at /), run by uvicorn.

    make_server_app(settings, service)  -> the FastAPI app (tests run it with ServerThread)
    resolve_access(host, ...)           -> who may use it: an API token, UI logins, or nobody beyond loopback
    server_temp_dir()                   -> the temp folder for uploads, Gradio's cache and exports, removed on exit
    UploadGuard                         -> uploads: allowed file types, a size limit per file and per request

Serving beyond loopback without authentication refuses to start unless `--no-auth` says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..api import send_error
from ..errors import ReviewQAError
from ..ingest.files import SUPPORTED

log = logging.getLogger("reviewqa.server")

TOKEN_ENV = "REVIEWQA_API_TOKEN"
TEMP_PREFIX = "reviewqa-server-"
# What the app accepts as uploads: the formats `reviewqa add` reads (qa/ingest/files.py).
UPLOAD_TYPES = tuple(sorted(SUPPORTED))
MAX_UPLOAD_FILES = 50
# Gradio sessions kept in memory (least recently used dropped first): conversations of the last 500 visitors.
SESSION_CAPACITY = 500
MIN_TOKEN_CHARS = 16


# --- who may use the server ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    token: str | None = None                       # the API's bearer token
    users: tuple[tuple[str, str], ...] = ()        # UI logins from --auth-file
    open_beyond_loopback: bool = False             # --no-auth given for a non-loopback host

    @property
    def ui_auth(self):
        """Gradio's `auth`: the users from the auth file, else any user name with the API token as
        password, else nothing (open)."""
        if self.users:
            return list(self.users)
        if self.token:
            token = self.token
            return lambda _user, password: secrets.compare_digest(str(password).encode(), token.encode())
        return None

    def describe(self) -> str:
        if self.open_beyond_loopback:
            return "no authentication (--no-auth): anyone who can reach this address can use it"
        parts = []
        if self.token:
            parts.append("the API needs the bearer token")
        if self.users:
            parts.append(f"the app needs one of {len(self.users)} logins")
        elif self.token:
            parts.append("the app needs a login with the token as password")
        return "; ".join(parts) or "this machine only (loopback), no login"


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_access(host: str, *, token_file: str | Path | None = None, auth_file: str | Path | None = None,
                   no_auth: bool = False, environ: dict | None = None) -> Access:
    """Read the token (file, else $REVIEWQA_API_TOKEN) and UI logins, and refuse to serve beyond
    loopback without them unless `no_auth`."""
    environ = os.environ if environ is None else environ
    token = _read_token(token_file) if token_file else (environ.get(TOKEN_ENV) or "").strip() or None
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ReviewQAError(f"The API token is {len(token)} characters; use at least {MIN_TOKEN_CHARS} "
                            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).")
    users = _read_users(auth_file) if auth_file else ()
    if is_loopback(host):
        return Access(token, users)
    if no_auth:
        return Access(token, users, open_beyond_loopback=token is None and not users)
    if token is None:
        raise ReviewQAError(
            f"Refusing to serve on {host} without authentication: anyone on the network could use it. Give "
            f"--token-file FILE (or set {TOKEN_ENV}) for the API and the app, optionally --auth-file for app "
            "logins, or --no-auth if that is really intended.")
    return Access(token, users)


def _read_token(path) -> str:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ReviewQAError(f"The token file {path} cannot be read ({error.strerror}).") from None
    if not token or len(token.split()) != 1:
        raise ReviewQAError(f"The token file {path} must hold one token on one line.")
    return token


def _read_users(path) -> tuple[tuple[str, str], ...]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ReviewQAError(f"The auth file {path} cannot be read ({error.strerror}).") from None
    users = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        user, colon, password = line.strip().partition(":")
        if not colon or not user or len(password) < 8:
            raise ReviewQAError(f"Line {number} of {path} is not `user:password` with a password of 8 or more "
                                "characters.")
        users.append((user, password))
    if not users:
        raise ReviewQAError(f"The auth file {path} holds no `user:password` lines.")
    return tuple(users)


# --- temp files --------------------------------------------------------------------------------------------

@contextlib.contextmanager
def server_temp_dir(parent: str | Path | None = None) -> Iterator[Path]:
    """A folder for everything the server writes (Gradio's uploads and cache via GRADIO_TEMP_DIR, exports),
    removed on exit. Folders left by servers that were killed are removed first."""
    parent = Path(parent or tempfile.gettempdir())
    sweep_stale(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=parent))
    previous = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = str(folder / "gradio")
    # SIGTERM while the app is still being built (before uvicorn takes the signals) ends the process
    # through this `finally` too.
    main = threading.current_thread() is threading.main_thread()
    handler = signal.signal(signal.SIGTERM, _exit_on_signal) if main else None
    try:
        yield folder
    finally:
        if main:
            signal.signal(signal.SIGTERM, handler)
        if previous is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = previous
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(parent: Path) -> list[Path]:
    """Remove reviewqa-server-<pid>-* folders whose process is gone (a server killed with SIGKILL)."""
    removed = []
    for folder in Path(parent).glob(f"{TEMP_PREFIX}*"):
        pid = folder.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and folder.is_dir() and folder.owner() == _me():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _me() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


# --- uploads -----------------------------------------------------------------------------------------------

class UploadGuard:
    """Checks POST .../gradio_api/upload before Gradio stores anything: only UPLOAD_TYPES, at most
    `max_file_bytes` per file and `max_files` files. The body is spooled (memory, then the temp folder)
    while its part headers are read, and handed to Gradio only once it has passed."""

    def __init__(self, app, *, max_file_bytes: int, allowed: tuple[str, ...] = UPLOAD_TYPES,
                 max_files: int = MAX_UPLOAD_FILES):
        self.app, self.max_file_bytes, self.allowed, self.max_files = app, max_file_bytes, allowed, max_files

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope.get("method") != "POST"
                or not scope.get("path", "").rstrip("/").endswith("/gradio_api/upload")):
            return await self.app(scope, receive, send)
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
            size = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    return await send_error(send, 413, f"The upload is over the limit of {self.max_file_bytes:,} "
                                                    "bytes a file.")
                problem = check.feed(chunk)
                if problem:
                    return await send_error(send, *problem)
                spool.write(chunk)
                if not message.get("more_body", False):
                    break
            spool.seek(0)
            done = False

            async def replay():
                nonlocal done
                if done:
                    return await receive()
                chunk = spool.read(2**16)
                if len(chunk) < 2**16:
                    done = True
                return {"type": "http.request", "body": chunk, "more_body": not done}

            return await self.app(scope, replay, send)
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


# --- the app -------------------------------------------------------------------------------------------------

def make_server_app(settings, service, *, reviews=None, token: str | None = None, ui_auth=None,
                    with_ui: bool = True, export_dir: Path | None = None):
    """The API at /api and (with_ui) the Gradio app at /, in one FastAPI app."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse, RedirectResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from ..api import make_api

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/api", make_api(service, settings, token))

    @app.get("/openapi.json", include_in_schema=False)
    def openapi():
        return RedirectResponse("/api/openapi.json")

    @app.exception_handler(StarletteHTTPException)
    async def not_routed(request, error):
        # A path no mount matches (one with a newline in it): JSON, like every other refusal.
        return JSONResponse({"error": f"There is no route {request.url.path[:200]!r}."}, status_code=error.status_code)

    if with_ui:
        import gradio as gr

        from .render import CSS
        from .ui import build_app

        # Gradio keeps timings of its last 10,000 events for its monitoring page (some 50 MB); 1,000 will do.
        os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
        demo = build_app(settings, service, service.reviews() if reviews is None else reviews, export_dir)
        # Gradio keeps a copy of every component's config per session (about 0.2 MB here), and an API
        # call without a session_hash is a new session: 10,000 of them (its default) would be 2 GB.
        demo.state_session_capacity = SESSION_CAPACITY
        app = gr.mount_gradio_app(app, demo, path="/", auth=ui_auth, max_file_size=settings.parse_limits.max_file_bytes,
                                  show_error=False, footer_links=["api"], css=CSS, theme=None)
        # Gradio checks that a file named in an event's input was uploaded to this server (and refuses
        # any other path before opening it) only once it believes the app "has launched", which
        # `launch()` sets and mounting does not. Without this, a crafted event could name any file on
        # the server (read in full through the add flow) or a pipe that blocks the event loop.
        demo.has_launched = True
        app.state.demo = demo
    app.add_middleware(UploadGuard, max_file_bytes=settings.parse_limits.max_file_bytes)
    return app


def run_server(app, host: str, port: int) -> None:
    """Serve until Ctrl+C or SIGTERM (both finish the requests under way, then return)."""
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", server_header=False,
                            timeout_graceful_shutdown=5, timeout_keep_alive=30)
    _quiet_shutdown()
    # uvicorn re-raises SIGTERM once it has shut down; with the default handler the process would end
    # there, before the caller's clean-up (the temp folder). Raised as SystemExit, the clean-up runs.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_signal) if main else None
    try:
        uvicorn.Server(config).run()
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


class _CancelledAtShutdown(logging.Filter):
    """An event stream left open by a client (gradio_client's) is cancelled when the server stops;
    uvicorn logs that as an exception with a traceback. One line says it already."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


def _quiet_shutdown() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _CancelledAtShutdown) for f in logger.filters):
        logger.addFilter(_CancelledAtShutdown())


class ServerThread:
    """uvicorn in a background thread on a free loopback port (tests and benchmarks)."""

    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None):
        import uvicorn

        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", timeout_graceful_shutdown=2)
        _quiet_shutdown()
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="reviewqa-server", daemon=True)

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]

