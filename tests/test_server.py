"""Serving in several processes (`web.server`): what an operator sees when a serving process fails."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from collections import Counter

from tests.processes import answering, free_port

FAILING = """
import logging, sys
from web.server import serve
logging.basicConfig(level=logging.INFO)
def make_app():
    raise RuntimeError("the store cannot be opened: /nowhere/catalog.db")
sys.exit(serve(make_app, "127.0.0.1", int(sys.argv[1]), workers=2))
"""


def test_a_serving_process_that_cannot_start_says_why_and_the_service_stops() -> None:
    done = subprocess.run([sys.executable, "-c", FAILING, str(free_port())], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "could not go on" in done.stderr and "the store cannot be opened: /nowhere/catalog.db" in done.stderr
    assert "stopping the others" in done.stderr


WHO = """
import os, sys
from web.server import serve
def make_app():
    def app(environ, start_response):
        body = str(os.getpid()).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    return app
sys.exit(serve(make_app, "127.0.0.1", int(sys.argv[1]), threads=1, workers=3))
"""


def test_kept_alive_connections_are_shared_evenly_among_the_serving_processes() -> None:
    """Twelve connections opened at once, as a proxy or a load generator opens them: each
    process answers four (give or take one), not whichever woke first most of them."""
    port = free_port()
    with subprocess.Popen([sys.executable, "-c", WHO, str(port)]) as service:
        try:
            answering(f"http://127.0.0.1:{port}/")
            connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(12)]
            for connection in connections:
                connection.connect()
            time.sleep(0.5)  # every connection accepted
            served: Counter[str] = Counter()
            for _ in range(2):  # each connection stays with its process
                for connection in connections:
                    connection.request("GET", "/")
                    served[connection.getresponse().read().decode()] += 1
            assert len(served) == 3 and max(served.values()) - min(served.values()) <= 2 * 2, served
            for connection in connections:
                connection.close()
        finally:
            service.terminate()
            service.wait(20)
