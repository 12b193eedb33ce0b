"""Deadlines and the time budget: a source that drips bytes cannot hold a harvest past its bound.

A real server on loopback sends a byte at a time: through the status line and headers, through a
body of no declared length (read until the connection closes), or as one-byte chunks. Each read
gets something, so no read timeout fires; only the response's deadline or the source's budget ends
it, and neither is retried.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from catalog.cli import main
from catalog.config import ConfigError, Settings, SourceConfig
from catalog.pipeline import harvest
from harvesters.http import BudgetExceeded, FetchError, HttpClient, Limits

DRIP = 0.05
"""Seconds between two bytes: far below every read timeout here, so only deadlines can end a drip."""
HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\n"


class Trickler:
    """A loopback HTTP server that drips every response, one byte every `DRIP` seconds, for ever.

    Paths: /headers (the status line and headers dripped), /body (headers at once, then a body of
    no declared length), /chunked (one-byte chunks). `requests` counts the requests received."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = 0
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                path = conn.recv(65536).split(b" ", 2)[1]
                self.requests += 1
                if path == b"/headers":
                    stream: Iterator[bytes] = (bytes([b]) for b in HEADERS * 1000)
                elif path == b"/chunked":
                    conn.sendall(HEADERS + b"Transfer-Encoding: chunked\r\n\r\n")
                    stream = iter(lambda: b"1\r\n \r\n", None)
                else:
                    conn.sendall(HEADERS + b"Connection: close\r\n\r\n")
                    stream = iter(lambda: b" ", None)
                for piece in stream:
                    if self.closed.wait(DRIP):
                        return
                    conn.sendall(piece)
            except OSError:
                return  # the client gave up: what the tests want

    def close(self) -> None:
        self.closed.set()
        self.sock.close()


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    t = Trickler()
    yield t
    t.close()


def timed(call: Callable[..., object], *args: str) -> tuple[Exception, float]:
    started = time.monotonic()
    try:
        call(*args)
    except (FetchError, BudgetExceeded) as exc:
        return exc, time.monotonic() - started
    raise AssertionError("a dripping response was accepted")


@pytest.mark.parametrize("path", ["/headers", "/body", "/chunked"])
def test_a_dripping_response_is_cut_off_at_its_deadline_and_not_retried(trickler, path):
    client = HttpClient.for_source(trickler.url, limits=Limits(timeout=0.25, retries=3))  # deadline 4 x 0.25 s
    error, took = timed(client.get, trickler.url + path)
    assert str(error) == f"the server sent the response too slowly (deadline exceeded) ({trickler.url}{path})"
    assert 1.0 <= took < 2.0
    assert trickler.requests == 1


@pytest.mark.parametrize("path", ["/headers", "/body", "/chunked"])
def test_the_budget_ends_a_dripping_response_and_every_request_after_it(trickler, path):
    started = time.monotonic()  # the budget runs from the client's making: a run's start
    client = HttpClient.for_source(trickler.url, limits=Limits(timeout=10, budget=0.5))
    error, _took = timed(client.get, trickler.url + path)
    assert isinstance(error, BudgetExceeded) and 0.5 <= time.monotonic() - started < 1.5
    assert error.message == (
        "the harvest ran past the source's time budget of 0.5 s (setting harvest_budget_seconds); "
        "the records harvested before are kept"
    )
    again, took = timed(client.get, trickler.url + "/body")
    assert again is error and took < 0.1 and trickler.requests == 1


def test_no_wait_for_a_retry_begins_that_the_budget_cannot_cover(server):
    url = server.serve("/busy", "", 503, Retry_After="30")
    client = HttpClient.for_source(server.url, limits=Limits(timeout=5, budget=10))
    waits: list[float] = []
    client.session.sleep = waits.append
    with pytest.raises(BudgetExceeded):
        client.get(url)
    assert waits == [] and len(server.requests) == 1


def test_a_harvester_that_reports_each_failed_fetch_and_goes_on_stops_at_the_budget(settings, store, server, trickler):
    """CKAN variable lists that cannot be read are reported one by one and the package kept; past
    the budget the run fails instead of meeting every dripping list in turn (3 x the deadline)."""
    packages = [
        {
            "id": f"p{i}",
            "name": f"pakke-{i}",
            "title": f"Pakke {i}",
            "metadata_modified": "2024-05-01T10:00:00.000000",
            "organization": {"name": "org", "title": "Org"},
            "resources": [{"id": f"r{i}", "name": "Variabelliste", "format": "CSV", "url": trickler.url + "/body"}],
        }
        for i in range(3)
    ]
    body = {"success": True, "result": {"count": 3, "results": packages}}
    server.serve("/ckan/api/action/package_search", json.dumps(body), Content_Type="application/json")
    settings.sources["nnrr"] = SourceConfig(
        "nnrr", "ckan", server.url + "/ckan/", options={"timeout": 0.5, "harvest_budget_seconds": 1.5}
    )
    started = time.monotonic()
    (result,) = harvest(settings, store, None)
    assert time.monotonic() - started < 1.5 + 1.0
    assert result.status == "failed"
    assert result.error.startswith("the harvest ran past the source's time budget of 1.5 s")


def test_catalog_harvest_of_sources_dripping_bytes_ends_within_the_budget(tmp_path, trickler, capsys):
    home = str(tmp_path / "home")
    for path in ("/headers", "/body", "/chunked"):
        url = trickler.url + path
        args = [
            "sources",
            "add",
            path[1:],
            "--kind",
            "dcat",
            "--url",
            url,
            "--options",
            '{"harvest_budget_seconds": 1}',
        ]
        assert main(["--home", home, *args]) == 0
    started = time.monotonic()
    assert main(["--home", home, "harvest", "--workers", "3"]) == 1
    assert time.monotonic() - started < 1 + 3.0  # the budget, plus starting three worker processes
    assert capsys.readouterr().out.count("FAILED: the harvest ran past the source's time budget of 1 s") == 3


@pytest.mark.parametrize("value", [0, -5, "soon", True])
def test_a_budget_must_be_a_positive_number_of_seconds(value):
    with pytest.raises(
        ConfigError, match="sources.x.options.harvest_budget_seconds: must be a positive number of seconds"
    ):
        SourceConfig("x", "dcat", "http://127.0.0.1/", options={"harvest_budget_seconds": value})


def test_the_budget_is_a_setting_a_source_may_override(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_HARVEST_BUDGET_SECONDS", "120")
    settings = Settings.load(tmp_path)
    own = SourceConfig("own", "dcat", "http://127.0.0.1/", options={"harvest_budget_seconds": 30})
    plain = SourceConfig("plain", "dcat", "http://127.0.0.1/")
    assert (
        settings.for_source(own, "harvest_budget_seconds"),
        settings.for_source(plain, "harvest_budget_seconds"),
    ) == (30.0, 120.0)
