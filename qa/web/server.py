"""One server process: the HTTP API (at /api) and the Gradio app (at /), run by uvicorn.

    serve(settings, host, port)         -> who may use it, the temp folder, the index, the app, uvicorn
    make_server_app(settings, service)  -> the FastAPI app: the API mounted at /api, the app at /
    server_temp_dir()                   -> the temp folder for uploads, Gradio's cache and exports, removed on exit

Who may use it is decided in access.py, request limits and upload checks in guards.py, the API in
api.py and the app's Blocks in ui.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..settings import Settings
from .access import cookies, resolve_access
from .guards import EventGuard, IgnoreForwardedHost, UploadGuard
from .uploads import is_uploaded, upload_folder

log = logging.getLogger("reviewqa.server")

TEMP_PREFIX = "reviewqa-server-"
# Gradio sessions kept in memory (least recently used dropped first): conversations of the last 500 visitors.
SESSION_CAPACITY = 500


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


def make_server_app(settings: Settings, service, *, reviews=None, token: str | None = None, ui_auth=None,
                    with_ui: bool = True, export_dir: Path | None = None):
    """The API at /api and (with_ui) the Gradio app at /, in one FastAPI app."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse, RedirectResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from .api import make_api

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/api", make_api(service, token))

    @app.get("/openapi.json", include_in_schema=False)
    def openapi():
        return RedirectResponse("/api/openapi.json")

    @app.exception_handler(StarletteHTTPException)
    async def not_routed(request, error):
        # A path no mount matches (one with a newline in it): JSON, like every other refusal.
        return JSONResponse({"error": f"There is no route {request.url.path[:200]!r}."}, status_code=error.status_code)

    if with_ui:
        import gradio as gr

        from .ui import build_app, page_options

        # Gradio keeps timings of its last 10,000 events for its monitoring page (some 50 MB); 1,000 will do.
        os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
        demo = build_app(settings, service, service.reviews() if reviews is None else reviews, export_dir)
        # Gradio keeps a copy of every component's config per session (about 0.2 MB here), and an API
        # call without a session_hash is a new session: 10,000 of them (its default) would be 2 GB.
        demo.state_session_capacity = SESSION_CAPACITY
        app = gr.mount_gradio_app(app, demo, path="/", auth=ui_auth, max_file_size=settings.parse_limits.max_file_bytes,
                                  show_error=False, footer_links=["api"], theme=None, **page_options())
        # Gradio checks that a file named in an event's input was uploaded to this server (and refuses
        # any other path before opening it) only once it believes the app "has launched", which
        # `launch()` sets and mounting does not. Without this, a crafted event could name any file on
        # the server (read in full through the add flow) or a pipe that blocks the event loop.
        demo.has_launched = True
        app.state.demo = demo
        logged_in = gradio_login_check(app) if ui_auth is not None else None
        folder = upload_folder()
        app.add_middleware(EventGuard, uploaded=lambda path: is_uploaded(path, folder),
                           inputs_of=lambda index: len(demo.fns[index].inputs) if index in demo.fns else None)
    else:
        logged_in = None
    app.add_middleware(UploadGuard, max_file_bytes=settings.parse_limits.max_file_bytes, logged_in=logged_in)
    app.add_middleware(IgnoreForwardedHost)      # outermost: no layer below sees a claimed host
    return app


def gradio_login_check(app):
    """Whether a request carries the cookie of a login to the mounted Gradio app (the check Gradio's
    routes make, asked before an upload's body is read)."""
    from starlette.routing import Mount

    gradio_app: Any = next(route.app for route in app.routes if isinstance(route, Mount) and route.path == "")
    names = (f"access-token-{gradio_app.cookie_id}", f"access-token-unsecure-{gradio_app.cookie_id}")

    def logged_in(scope: dict) -> bool:
        jar = cookies(scope)
        token = next((jar[name] for name in names if name in jar), None)
        return token is not None and gradio_app.tokens.get(token) is not None

    return logged_in


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, build: bool = True, *,
          token_file=None, auth_file=None, no_auth: bool = False) -> None:
    """The app at / and the HTTP API at /api in one uvicorn process. Beyond loopback it
    needs a token (--token-file or $REVIEWQA_API_TOKEN) unless no_auth. The index is built first if it
    is missing or behind the collection (unless `build` is off)."""
    from ..collection import load_collection
    from ..service import Service

    access = resolve_access(host, token_file=token_file, auth_file=auth_file, no_auth=no_auth)
    started = time.perf_counter()
    service = Service(settings)
    report = service.ensure_index(build=build)
    if report is not None and report.rebuilt:
        print(f"Built index generation {report.generation}: {report.reviews} reviews, {report.documents} "
              f"documents, {report.chunks} passages in {report.seconds:.1f} s")
    # The page first (importing Gradio takes seconds), then the model and index load in the background
    # while the user types. Uploads, Gradio's cache and exports live in one temp folder, removed on exit.
    with server_temp_dir() as temp:
        app = make_server_app(settings, service, reviews=load_collection(settings.corpus_path).reviews,
                              token=access.token, ui_auth=access.ui_auth, export_dir=temp / "exports")
        threading.Thread(target=_warm, args=(service,), name="reviewqa-load", daemon=True).start()
        print(f"reviewqa is running at http://{host}:{port} (API: http://{host}:{port}/api/docs; Ctrl+C to stop); "
              f"{access.describe()}; page ready {time.perf_counter() - started:.1f} s after start")
        run_server(app, host, port)


def _warm(service) -> None:
    try:
        service.warm_up()
    except Exception as error:  # noqa: BLE001 - reported to every request by the service, not raised here
        log.error("could not load the index or model: %s", error)


def run_server(app, host: str, port: int) -> None:
    """Serve until Ctrl+C or SIGTERM (both finish the requests under way, then return)."""
    import uvicorn

    config = server_config(app, host, port)
    quiet_shutdown()
    # uvicorn re-raises SIGTERM once it has shut down; with the default handler the process would end
    # there, before the caller's clean-up (the temp folder). Raised as SystemExit, the clean-up runs.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_signal) if main else None
    try:
        uvicorn.Server(config).run()
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


# How long a request line and headers may be before the HTTP layer refuses them with its own plain
# "400 Invalid HTTP request" (its default is about 100 KB): up to here, an over-long query string
# reaches the API's guard and gets the documented JSON 414.
MAX_REQUEST_HEAD = 1 * 2**20


def server_config(app, host: str, port: int, *, graceful_seconds: int = 5):
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level="warning", server_header=False,
                          timeout_graceful_shutdown=graceful_seconds, timeout_keep_alive=30, http="h11",
                          h11_max_incomplete_event_size=MAX_REQUEST_HEAD)


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


class _CancelledAtShutdown(logging.Filter):
    """An event stream a client left open is cut when the server stops (cancelled, or ended by
    Gradio's closed queue after its response started); uvicorn logs that with a traceback. One line
    says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        cut = isinstance(error, asyncio.CancelledError) or (
            isinstance(error, RuntimeError) and "response already started" in str(error))
        if cut:
            record.msg, record.args, record.exc_info, record.exc_text = (
                "an open event stream was closed as the server stopped", (), None, None)
        return True


def quiet_shutdown() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _CancelledAtShutdown) for f in logger.filters):
        logger.addFilter(_CancelledAtShutdown())
