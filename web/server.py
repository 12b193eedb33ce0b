"""Serving the app with waitress, in one process or several sharing one listening socket.

One waitress process runs the Python of every request (routing, templates, query building) under
one GIL, so it uses one core however many threads it has; the search engine's own work runs
outside the GIL. Several processes use every core, as gunicorn's workers would, without another
dependency: the parent binds the socket, forks the workers, and each new connection goes to a
worker holding no more connections than any other (`balanced`). Each worker opens its own store
and index after the fork (SQLite connections and index readers must not cross a fork); the index
files are memory-mapped, so the processes share them in the page cache.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.sharedctypes import RawArray
from typing import Any

from waitress import serve as waitress_serve
from waitress import wasyncore
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

log = logging.getLogger(__name__)
WORKER_POLL_SECONDS = 0.5
BALANCE_SECONDS = 0.05
"""How long a worker that left new connections to the others may take to see it should take
them again (its event loop's longest wait; waitress's default is a second)."""


def listen(host: str, port: int) -> socket.socket:
    """The listening socket; a refusal names the address (`catalog serve` said only "Address
    already in use")."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, exc.strerror, f"{host}:{port}") from exc
    sock.listen(1024)
    return sock


FORWARDED = {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}


def serve(
    make_app: Callable[[], Any],
    host: str,
    port: int,
    threads: int = 8,
    workers: int = 1,
    ident: str = "helsekatalog",
    beside: Callable[[], None] | None = None,
    trusted_proxy: str = "",
) -> int:
    """Serve until interrupted; with `workers` > 1, in that many forked processes.

    `beside` starts background work (the harvest scheduler) once, in the serving process or, with
    several workers, in the parent after the fork, so no worker inherits its threads.
    `trusted_proxy`: the reverse proxy's address; its X-Forwarded-* headers then give the scheme,
    host and client that links (feed paging, Location) and logs use. From anyone else they are
    dropped, so a client cannot make the feeds link elsewhere."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a busy queue is not news under load
    options: dict[str, Any] = {"threads": threads, "ident": ident, "connection_limit": 200}
    if trusted_proxy:
        options.update(trusted_proxy=trusted_proxy, trusted_proxy_count=1, trusted_proxy_headers=FORWARDED)
    if threads == 1:
        options.update(outbuf_high_watermark=OneThread.NEVER_FULL)
    sock = listen(host, port)
    log.info(
        "serving the catalogue on http://%s:%s/ (%s process%s of %s thread%s)",
        host,
        sock.getsockname()[1],
        workers,
        "es" if workers > 1 else "",
        threads,
        "s" if threads > 1 else "",
    )
    if workers <= 1:
        app = settled(make_app())
        if beside:
            beside()
        if threads == 1:
            OneThread.serve(create_server(app, sockets=[sock], _dispatcher=OneThread(), **options))
        else:
            waitress_serve(app, sockets=[sock], **options)
        return 0
    children = []
    parent = os.getpid()
    held = RawArray("i", workers)  # each worker's open connections, shared across the fork
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover (runs in the child; tests see it through HTTP)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _die_with_parent(parent)
            try:
                one = OneThread() if threads == 1 else None
                server = create_server(settled(make_app()), sockets=[sock], _dispatcher=one, **options)
                balanced(server, held, index)
                if one is not None:
                    OneThread.serve(server)
                else:
                    server.run()
            except Exception:  # said here: os._exit leaves no traceback, and the parent sees a status only
                log.exception("serving process %s could not go on", os.getpid())
            finally:
                os._exit(1)
        children.append(pid)
    sock.close()

    def stop(*_: Any) -> None:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    if beside:
        beside()
    try:
        pid, status = _first_to_exit(children)
    except KeyboardInterrupt:
        stop()
    # A worker that dies takes the service down visibly rather than half of it silently.
    log.error("serving process %s stopped (status %s); stopping the others", pid, status)
    children.remove(pid)
    try:
        stop()
    except SystemExit:
        pass
    return 1


GC_THRESHOLDS = (20_000, 20, 20)
"""Allocations between collections of the youngest generation (CPython's default 700: a result
page allocates enough for one collection every two pages), and how many of each between
collections of the next."""


def settled(app: Any) -> Any:
    """The app, with everything it built at start (settings, vocabularies, templates, taxonomy)
    moved out of the garbage collector's sight (`gc.freeze`: it lives as long as the process) and
    the youngest generation collected less often: 1,000 all-different searches at a million
    variables took 5.8 ms of CPU a page against 6.0-6.2 (`gc` counted 17 collections instead of
    554)."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return app


class OneThread(ThreadedTaskDispatcher):
    """A waitress task dispatcher that runs each request on the thread of the server's event loop,
    after the loop has read it: what a serving process of one thread (`--threads 1`) does.

    Waitress hands each request from its event loop's thread to a thread of its pool, which hands
    the answer back (two wake-ups a request), and the search engine counted facets on a thread of
    its own; with every core busy serving, each thread waited for the GIL another held. At a
    million variables and a paced 200 all-different searches a second on 2 cores, three such
    processes on one thread each answered sooner in six runs of six against the threads (p50
    14.4-24.4 against 25.9-66.4 ms; 122.8 against 152.5 in a slow hour), with less server CPU a
    request in each, and met the p95 target in four (`bench.bench_web --against`, 2026-12-06:
    docs/benchmarks.md).

    Requests are run after the loop's poll, not while a connection reads (waitress calls
    `add_task` holding that connection's lock, which answering takes too); an answer is written
    on the loop's next round (nothing need wake it: `pull_trigger` is for other threads). A task
    never waits for its output to drain (`NEVER_FULL`: the loop that drains it is this thread;
    waitress moves a large answer to a temporary file as ever).

    A request that runs long (a slow search, a read waiting for a frozen database up to
    `store_timeout`) held the loop, and with it every other connection: a load balancer's
    `/healthz` waited behind it and the process could be killed as unhealthy. A stand-in thread
    looks every `STAND_IN_SECONDS`; when one request has run since its last look, it polls in the
    loop's place until the loop's thread is free again, as waitress's own loop thread does beside
    its task threads: it reads what arrives and answers health checks (`HEALTH_CHECKS`) itself,
    with the app as ever; every other request still waits for the loop's thread. It costs a
    sleeping thread's wake-up four times a second, nothing a request."""

    NEVER_FULL = 1 << 62
    """`outbuf_high_watermark`: a task thread waits above it until the loop has sent some."""
    STAND_IN_SECONDS = 0.25
    """How often the stand-in looks whether the loop's thread is held by one request, and how
    long it waits in a poll of its own before it looks whether that request ended."""
    HEALTH_CHECKS = frozenset({"/healthz"})
    """Paths answered by the stand-in while a request holds the loop's thread: what touches
    nothing (`/readyz` asks the store, which may be what the request waits for)."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: deque[Any] = deque()
        self.urgent: deque[Any] = deque()  # health checks: answered by whichever thread polls next
        self.turn = threading.Lock()  # held by the thread that polls: the loop's, or the stand-in
        self.begun = 0  # requests begun on the loop's thread
        self.running = False  # the loop's thread is serving one
        self.standing_in = False
        self.wake: Callable[[], None] = lambda: None  # ends the stand-in's poll at once

    def set_thread_count(self, count: int) -> None:
        """No threads: the loop's thread runs the requests."""

    def add_task(self, task: Any) -> None:
        (self.urgent if self._health_check(task) else self.pending).append(task)

    def _health_check(self, channel: Any) -> bool:
        requests = getattr(channel, "requests", None) or ()
        return bool(requests) and all(
            r.command in ("GET", "HEAD") and r.path in self.HEALTH_CHECKS and not r.error for r in requests
        )

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        self.pending.clear()
        self.urgent.clear()
        return True

    def run_pending(self) -> None:
        while self.urgent or self.pending:
            try:
                task = self.urgent.popleft() if self.urgent else self.pending.popleft()
            except IndexError:  # the stand-in answered that health check
                continue
            self.begun += 1
            self.running = True
            try:
                task.service()
            except Exception:  # as waitress's own threads: logged, and the loop goes on
                log.exception("could not serve %r", task)
            finally:
                self.running = False
                if self.standing_in:
                    self.wake()

    def answer_urgent(self) -> None:
        while True:
            try:
                task = self.urgent.popleft()
            except IndexError:
                return
            try:
                task.service()
            except Exception:
                log.exception("could not serve %r", task)

    def stand_in(self, poll: Callable[[float, Any], None], sockets: Any) -> None:
        """The stand-in's thread: polls in the loop's place while one request holds it."""
        seen = -1
        while sockets:
            time.sleep(self.STAND_IN_SECONDS)
            if not self.running or self.begun != seen:
                seen = self.begun if self.running else -1
                continue
            with self.turn:
                self.standing_in = True
                try:
                    while self.running or self.pending:
                        poll(self.STAND_IN_SECONDS, sockets)
                        self.answer_urgent()
                finally:
                    self.standing_in = False
            seen = -1

    @staticmethod
    def serve(server: Any) -> None:
        """Run `server`'s event loop, its requests in this thread (its dispatcher a `OneThread`)."""
        one: OneThread = server.task_dispatcher
        server.pull_trigger = lambda: None
        one.wake = server.trigger.pull_trigger
        poll = wasyncore.poll2 if server.adj.asyncore_use_poll else wasyncore.poll
        sockets, wait = server._map, server.adj.asyncore_loop_timeout
        threading.Thread(target=one.stand_in, args=(poll, sockets), name="stand-in", daemon=True).start()
        try:
            while sockets:
                with one.turn:
                    poll(0.0 if one.pending or one.urgent else wait, sockets)
                one.run_pending()
        except (SystemExit, KeyboardInterrupt):
            server.close()


def balanced(server: Any, held: Any, index: int) -> None:
    """Make a waitress server accept new connections only while no other worker holds fewer.

    Kept-alive connections stay with the worker that accepted them, and left to the kernel a burst
    of them went to whichever worker woke first: 16, 4 and 0 of 20 clients' connections among
    three workers, the first then the bottleneck while the third stood idle (at a paced 200
    searches a second, p95 from 0.1 to 1.7 s from one run to the next). Each worker writes how many
    connections it holds into `held` (shared memory, one number each) every time round its event
    loop, and listens only while it holds no more than the least of them."""
    listening = server.readable
    server.adj.asyncore_loop_timeout = BALANCE_SECONDS  # set here: waitress's own setting takes whole seconds

    def readable() -> bool:
        here = len(server.active_channels)
        held[index] = here
        return bool(listening()) and here <= min(held)

    server.readable = readable


def _first_to_exit(children: list[int]) -> tuple[int, int]:
    """Wait until one of `children` exits: its pid and status. Only these are reaped: the
    scheduler (`serve --schedule`) forks harvest workers from this process too, and
    `os.wait()` would take their exits from the pool that owns them."""
    while True:
        for pid in children:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return done, status
        time.sleep(WORKER_POLL_SECONDS)


def _die_with_parent(parent: int) -> None:
    """A serving process gets SIGTERM when the parent is gone, even killed with SIGKILL, so no
    orphan keeps the port (Linux PR_SET_PDEATHSIG; elsewhere nothing)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it went before the line above
        os._exit(1)
