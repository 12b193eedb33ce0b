"""Serving in several processes (`web.server`): what an operator sees when a serving process fails."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.processes import answering, free_port, wait_for

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


ONE_THREAD = """
import sys, threading
from web.server import serve
def make_app():
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/fail":
            raise RuntimeError("a fault of this request alone")
        if path == "/large":  # more than waitress holds before a task waits for its output to drain
            start_response("200 OK", [("Content-Type", "application/octet-stream")])
            return (b"x" * (1 << 20) for _ in range(20))
        body = threading.current_thread().name.encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    return app
sys.exit(serve(make_app, "127.0.0.1", int(sys.argv[1]), threads=int(sys.argv[2]), workers=int(sys.argv[3])))
"""


@pytest.mark.parametrize(
    ("threads", "workers", "thread"), [(1, 1, "MainThread"), (1, 2, "MainThread"), (4, 1, "waitress-")]
)
def test_a_process_of_one_thread_answers_on_it_every_request_of_every_connection(
    threads: int, workers: int, thread: str
) -> None:
    """`--threads 1` serves each request on the process's own thread (`web.server.OneThread`), not
    one handed to another: 20 connections at once, each asking four times; two requests sent
    before reading (pipelined); a 20 MiB answer read late (a task that waited for its output to
    drain would wait for itself); a request that fails answers 500 and the next is served."""
    port = free_port()
    with subprocess.Popen([sys.executable, "-c", ONE_THREAD, str(port), str(threads), str(workers)]) as service:
        try:
            answering(f"http://127.0.0.1:{port}/")

            def client(_n: int) -> list[str]:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                names = []
                for _ in range(4):
                    connection.request("GET", "/")
                    names.append(connection.getresponse().read().decode())
                connection.close()
                return names

            with ThreadPoolExecutor(20) as pool:
                names = [name for names in pool.map(client, range(20)) for name in names]
            assert len(names) == 80 and all(name.startswith(thread) for name in names), Counter(names)
            with socket.create_connection(("127.0.0.1", port), timeout=30) as pipelined:
                pipelined.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
                received = b""
                while received.count(b"HTTP/1.1 200") < 2:
                    received += pipelined.recv(65536)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            connection.request("GET", "/large")
            time.sleep(1)  # read late: most of the answer waits in the server, not in the socket
            assert len(connection.getresponse().read()) == 20 << 20
            connection.request("GET", "/fail")
            assert connection.getresponse().status == 500
            connection.close()
            assert client(0)[0].startswith(thread)
        finally:
            service.terminate()
            service.wait(20)


BLOCKING = """
import os, sys, threading
from web.server import serve
def make_app():
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":  # held until the test writes a line: a read of a frozen store
            print("serving /slow", flush=True)
            sys.stdin.readline()
        body = threading.current_thread().name.encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    return app
sys.exit(serve(make_app, "127.0.0.1", int(sys.argv[1]), threads=1, workers=1))
"""


def test_healthz_answers_while_a_request_holds_the_only_thread_and_other_requests_wait_for_it() -> None:
    """In a process of one thread a request that waits (a slow search, a read of a frozen
    database until `store_timeout`) held the event loop, and a load balancer's `/healthz` waited
    behind it, the process then killed as unhealthy. Now it is answered while `/slow` is held (it
    is released only after), and the request that came beside it is served after `/slow`, on the
    loop's thread as ever. The test waits for nothing but answers: `/slow` is held until the
    test lets it go, so `/healthz` is answered during it or not at all (within 20 s)."""
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-c", BLOCKING, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as service:
        assert service.stdin is not None and service.stdout is not None
        try:
            answering(f"http://127.0.0.1:{port}/")
            held = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            held.request("GET", "/slow")
            assert service.stdout.readline() == "serving /slow\n"
            beside = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            beside.request("GET", "/other")
            for _ in range(3):  # a new connection each time, as a load balancer's probe
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                probe.request("GET", "/healthz")
                try:
                    answer = probe.getresponse()
                except TimeoutError:
                    pytest.fail("/healthz waited behind the request that holds the process's thread")
                assert answer.status == 200 and answer.read().decode() == "stand-in"
                probe.close()
            service.stdin.write("go on\n")
            service.stdin.flush()
            assert held.getresponse().read().decode() == "MainThread"
            assert beside.getresponse().read().decode() == "MainThread"  # not the stand-in's
            # nothing held: the loop answers itself (the stand-in only where it has not within half a
            # second, which a loaded moment may make happen once, as CI saw)
            wait_for(
                lambda: answering(f"http://127.0.0.1:{port}/healthz").text == "MainThread",
                10,
                "/healthz answered by the loop's own thread once nothing holds it",
            )
        finally:
            service.terminate()
            service.wait(20)
