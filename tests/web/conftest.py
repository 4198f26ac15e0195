"""Fixtures of the web tests: the combined server (API and app) on a free loopback port."""

from __future__ import annotations

import pytest

from qa.service import Service
from tests.helpers import FakeEmbedder, ServerThread


@pytest.fixture
def server(built):
    """The API at /api and the app at / over the fixture collection, run by uvicorn in a thread; the
    running server carries its app (`.app`) and its temp folder (`.temp`)."""
    from qa.web.server import make_server_app, server_temp_dir

    with server_temp_dir() as temp:
        service = Service(built, embedder=FakeEmbedder())
        service.warm_up()
        app = make_server_app(built, service, export_dir=temp / "exports")
        with ServerThread(app) as running:
            running.app, running.temp = app, temp
            yield running
