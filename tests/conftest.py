"""Shared fixtures: a catalogue home, its store, a web app over it, and loopback HTTP servers.

Fixtures used by several test modules live here or in a module registered below, never imported
from one test module into another (an imported fixture looks unused to a linter and shadows itself).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from catalog.config import Settings
from catalog.store import SQLiteStore
from web import create_app

pytest_plugins = ["tests.simulated", "tests.search_fixtures", "tests.web_catalogue", "tests.postgres_server"]
"""Fixture modules: the publisher simulator, the search backends, the shared web catalogue, the
PostgreSQL test server."""

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
"""`../shared` beside the checkout: official standards and real-world samples, never copied here."""

requires_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"{SHARED} is absent: ../shared (standards, real-world samples) is not beside the checkout",
)
"""Mark for tests that read ../shared: without it they skip, visibly, with this reason."""


def shared_path(relative: str) -> Path:
    """A file or folder under ../shared, or a skip naming it when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/{relative} is absent: ../shared is not beside the checkout")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(tmp_path / "home")


@pytest.fixture
def store(settings: Settings) -> Iterator[SQLiteStore]:
    s = SQLiteStore(settings.db_path)
    yield s
    s.close()


@pytest.fixture
def app(settings: Settings) -> Flask:
    """The web app over the test's own (empty until a test harvests into it) catalogue home."""
    return create_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering, for tests that need a run to take a while


class StaticServer:
    """A real HTTP server on loopback answering from a dict of routes that tests change at will.

    Used where a test needs exact control of the wire (status, headers, bytes); the publisher
    simulator plays whole sources.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _app(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request)
        route = self.routes.get(request.full_path.rstrip("?")) or self.routes.get(request.path)
        if route is None:
            return Response("not found", status=404)(environ, start_response)
        time.sleep(route.delay)
        return Response(route.body, status=route.status, headers=route.headers)(environ, start_response)

    def serve(self, path: str, body: bytes | str, status: int = 200, delay: float = 0.0, **headers: str) -> str:
        self.routes[path] = Route(
            body.encode() if isinstance(body, str) else body,
            status,
            {k.replace("_", "-"): v for k, v in headers.items()},
            delay,
        )
        return self.url + path

    def close(self) -> None:
        self._server.shutdown()


@pytest.fixture(scope="session")
def _static_server() -> Iterator[StaticServer]:
    s = StaticServer()
    yield s
    s.close()


@pytest.fixture
def server(_static_server: StaticServer) -> StaticServer:
    """One loopback server for the session (shutting one down costs 0.5 s), emptied per test."""
    _static_server.routes.clear()
    _static_server.requests.clear()
    return _static_server
