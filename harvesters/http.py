"""The one way harvesters reach the network: polite, bounded and fenced in.

Every request goes through `GuardedSession`, which
- fetches only http(s) URLs on hosts allowed for the source (its own host plus
  `options.allowed_hosts`), and checks every redirect hop against the same rule (SSRF);
- follows at most `max_redirects` redirects and refuses loops;
- bounds each response: connect/read timeout, a wall-clock deadline for the whole response
  (headers and body), and a byte limit (oversized bodies);
- bounds the whole harvest of the source by its time budget (`Limits.budget`): no request starts,
  and no wait begins, that the budget cannot cover, and a response still arriving when the budget
  ends is cut off;
- retries connection errors, 5xx and 429 with exponential backoff, honouring Retry-After up to
  `max_retry_after` seconds; a response that ran past its deadline is not retried (a server that
  drips bytes would only drip them again);
- sends a clear User-Agent and, when given validators, conditional GET headers;
- limits concurrent requests per source.

The deadlines are kept by a watchdog, not by checking the clock between reads: a read blocks until
its buffer is full or the connection closes, so a server sending a byte a second without a
Content-Length would otherwise hold a harvest for hours. When a deadline passes, the watchdog
shuts the request's socket down, which ends any blocked read at once.

It is a `requests.Session`, so clients such as `ckanapi.RemoteCKAN(session=...)` get the same
guarantees. Failures raise `FetchError` with a message a publisher can act on; the end of the
budget raises `BudgetExceeded`, which harvesters do not catch as a failure of one record.
"""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ReadTimeoutError

from catalog import __version__

USER_AGENT = f"helsekatalog-harvester/{__version__} (+https://catalog.example.org/about/harvester)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A request failed for good; `url` is the URL that failed, `status` the HTTP status if any."""

    def __init__(self, message: str, url: str, status: int | None = None):
        super().__init__(f"{message} ({url})")
        self.message = message
        self.url = url
        self.status = status


class BudgetExceeded(Exception):
    """The source's harvest used up its time budget; the run fails, whatever a harvester catches.

    Not a `FetchError`: harvesters that report one unreadable record and go on must not go on past
    the budget, request after request."""

    def __init__(self, budget: float, url: str):
        self.message = (
            f"the harvest ran past the source's time budget of {budget:g} s (setting harvest_budget_seconds); "
            "the records harvested before are kept"
        )
        super().__init__(f"{self.message} ({url})")
        self.url = url


@dataclass
class Limits:
    timeout: float = 30.0  # connect and per-read timeout, seconds
    deadline: float | None = None  # whole response (headers and body), seconds; default 4 x timeout
    budget: float | None = None  # the whole harvest of the source, seconds, from the client's creation
    max_bytes: int = 200 * 1024 * 1024
    retries: int = 3
    backoff: float = 0.5  # first retry delay, doubled each time
    max_retry_after: float = 60.0
    max_redirects: int = 5
    concurrency: int = 4


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class _Watch:
    """One request's watchdog: at `ends` it shuts the request's socket down, ending any blocked read.

    The connection in use hands its socket over from the requesting thread (`_WatchedConnection`),
    when it connects or, kept alive, when it is used again. The socket, not the connection, is
    kept: http.client lets go of the connection's socket when a response is read to the close.
    Until there is a socket (while connecting) the watchdog looks again every 50 ms; the connect
    timeout, never longer than what is left, bounds that wait."""

    _current = threading.local()

    def __init__(self, ends: float):
        self.ends = ends
        self.sock: socket.socket | None = None
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="http-deadline", daemon=True)

    def _watch(self) -> None:
        if self._done.wait(max(0.0, self.ends - time.monotonic())):
            return
        self.fired = True
        while not self._done.is_set():
            if self.sock is not None:
                try:  # the plain socket's shutdown, under TLS too: the TLS layer is left to the reader
                    socket.socket.shutdown(self.sock, socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            self._done.wait(0.05)

    @classmethod
    @contextmanager
    def until(cls, ends: float) -> Iterator[_Watch]:
        watch = cls(ends)
        cls._current.watch = watch
        watch._thread.start()
        try:
            yield watch
        finally:
            watch._done.set()
            cls._current.watch = None

    @classmethod
    def hand_over(cls, sock: socket.socket | None) -> None:
        watch = getattr(cls._current, "watch", None)
        if watch is not None and sock is not None:
            watch.sock = sock


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _Watch.hand_over(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _Watch.hand_over(self.sock)  # a kept-alive connection does not connect again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _Watch.hand_over(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _Watch.hand_over(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections let the watchdog find their socket (proxied ones too)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


class GuardedSession(requests.Session):
    def __init__(self, allowed_hosts: set[str], limits: Limits | None = None, user_agent: str = USER_AGENT):
        super().__init__()
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.limits = limits or Limits()
        self.headers["User-Agent"] = user_agent
        self._slots = threading.BoundedSemaphore(self.limits.concurrency)
        self.sleep: Callable[[float], None] = time.sleep  # replaced in tests that count waits
        self.budget_ends = time.monotonic() + self.limits.budget if self.limits.budget is not None else None
        self.overrun: BudgetExceeded | None = None  # set once the budget ran out, for the pipeline to see
        for scheme in ("http://", "https://"):
            self.mount(scheme, _WatchedAdapter())

    def check_budget(self, url: str, needed: float = 0.0) -> None:
        """Raise `BudgetExceeded` if the budget is spent, or will be before `needed` more seconds pass."""
        if self.budget_ends is None:
            return
        if self.overrun is None and time.monotonic() + needed < self.budget_ends:
            return
        self.overrun = self.overrun or BudgetExceeded(self.limits.budget or 0.0, url)
        raise self.overrun

    def _pause(self, seconds: float, url: str) -> None:
        """Wait before a retry, unless the wait would outlast the budget (then fail at once)."""
        self.check_budget(url, seconds)
        self.sleep(seconds)

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(
                f"refused to fetch a {parts.scheme or 'relative'}: URL; only http and https are allowed", url
            )
        if _host(url) not in self.allowed_hosts:
            raise FetchError(f"refused to fetch from host {_host(url)!r}, which is not allowed for this source", url)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]  # keywords only
        limits = self.limits
        kwargs["stream"] = True
        kwargs["allow_redirects"] = False
        attempt = 0
        while True:
            self.check_budget(url)
            try:
                with self._slots:
                    response = self._follow(method, url, kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= limits.retries:
                    kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
                    raise FetchError(f"the server {kind} after {attempt + 1} attempts", url) from exc
                self._pause(limits.backoff * 2**attempt, url)
                attempt += 1
                continue
            if response.status_code in RETRY_STATUSES and attempt < limits.retries:
                delay = self._retry_after(response) if response.status_code in (429, 503) else None
                if delay is not None and delay > limits.max_retry_after:
                    raise FetchError(
                        f"the server asked us to wait {delay:.0f} s (Retry-After), longer than the "
                        f"{limits.max_retry_after:.0f} s we wait",
                        url,
                        response.status_code,
                    )
                self._pause(delay if delay is not None else limits.backoff * 2**attempt, url)
                attempt += 1
                continue
            return response

    @staticmethod
    def _retry_after(response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        if value.strip().isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())

    def _follow(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        seen = [url]
        while True:
            self.check_url(url)
            response = self._exchange(method, url, kwargs)
            if not response.is_redirect:
                return response
            response.close()
            location = response.headers.get("Location", "")
            url = urljoin(url, location)
            if url in seen:
                raise FetchError(f"redirect loop after {len(seen)} hops", seen[0], response.status_code)
            if len(seen) > self.limits.max_redirects:
                raise FetchError(f"more than {self.limits.max_redirects} redirects", seen[0], response.status_code)
            seen.append(url)
            if response.status_code == 303:
                method = "GET"
                kwargs = {k: v for k, v in kwargs.items() if k not in ("data", "json", "files")}

    def _exchange(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        """One request and its whole response (a redirect's too), within the response's deadline
        and what is left of the budget, whichever ends first."""
        limits = self.limits
        started = time.monotonic()
        ends = started + (limits.deadline or 4 * limits.timeout)
        by_budget = self.budget_ends is not None and self.budget_ends < ends
        if by_budget:
            ends = self.budget_ends  # type: ignore[assignment]
        connect = max(0.01, min(limits.timeout, ends - started))
        request_kwargs = {**kwargs, "timeout": kwargs.get("timeout") or (connect, limits.timeout)}
        with _Watch.until(ends) as watch:
            try:
                response = super().request(method, url, **request_kwargs)
                if not response.is_redirect:
                    self._read_body(response, url)
                else:
                    response.close()
            except (requests.RequestException, FetchError, OSError):
                if not watch.fired:
                    raise
                response = None  # the watchdog cut the exchange off: that, not what broke, is the cause
        if watch.fired:
            if by_budget:
                self.overrun = BudgetExceeded(limits.budget or 0.0, url)
                raise self.overrun
            raise FetchError("the server sent the response too slowly (deadline exceeded)", url)
        assert response is not None
        return response

    def _read_body(self, response: requests.Response, url: str) -> None:
        limits = self.limits
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            response.close()
            raise FetchError(f"the response is {int(declared):,} bytes, over the limit of {limits.max_bytes:,}", url)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchError(f"the response grew past the limit of {limits.max_bytes:,} bytes", url)
                chunks.append(chunk)
        except requests.RequestException as exc:
            if isinstance(exc.args[0] if exc.args else None, ReadTimeoutError):
                raise FetchError(
                    f"the server stopped sending the response for more than {limits.timeout:g} s", url
                ) from exc
            raise FetchError("the response was cut off: the connection closed before its end", url) from exc
        finally:
            response.close()
        response._content = b"".join(chunks)  # noqa: SLF001 - requests' own cache of the body


@dataclass
class Fetched:
    """A successful response with the body in memory, or `not_modified` for a 304."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return None

    def text(self) -> str:
        """The body decoded as the server declared (UTF-8 by default); bad bytes are an error."""
        encoding = self.charset or "utf-8"
        try:
            return self.content.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise FetchError(f"the body is not valid {encoding} as declared ({exc})", self.url) from exc


class HttpClient:
    """What a harvester holds: a guarded session plus convenience for GET with validators."""

    def __init__(self, allowed_hosts: set[str], limits: Limits | None = None):
        self.session = GuardedSession(allowed_hosts, limits)

    @classmethod
    def for_source(cls, url: str, options: dict[str, Any] | None = None, limits: Limits | None = None) -> HttpClient:
        hosts = {_host(url), *(options or {}).get("allowed_hosts", [])}
        return cls(hosts, limits)

    def get(
        self,
        url: str,
        *,
        accept: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Fetched:
        """GET with optional validators; `headers` adds request headers (e.g. Accept-Language)."""
        headers = dict(headers or {})
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if params:  # the query in the URL itself, so redirect-loop checks and error messages see the whole URL
            url = requests.Request("GET", url, params=params).prepare().url or url
        response = self.session.get(url, headers=headers)
        if response.status_code >= 400:
            raise FetchError(
                f"the server answered {response.status_code} {response.reason}", response.url, response.status_code
            )
        return Fetched(
            response.url, response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
        )
