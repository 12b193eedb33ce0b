"""The one way harvesters reach the network: polite, bounded and fenced in.

Every request goes through `GuardedSession`, which
- fetches only http(s) URLs on hosts allowed for the source (its own host plus
  `options.allowed_hosts`), and checks every redirect hop against the same rule (SSRF);
- follows at most `max_redirects` redirects and refuses loops;
- bounds each response: connect/read timeout, a wall-clock deadline for the whole body (slow
  drip), and a byte limit (oversized bodies);
- retries connection errors, 5xx and 429 with exponential backoff, honouring Retry-After up to
  `max_retry_after` seconds;
- sends a clear User-Agent and, when given validators, conditional GET headers;
- limits concurrent requests per source.

It is a `requests.Session`, so clients such as `ckanapi.RemoteCKAN(session=...)` get the same
guarantees. Failures raise `FetchError` with a message a publisher can act on.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

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


@dataclass
class Limits:
    timeout: float = 30.0  # connect and per-read timeout, seconds
    deadline: float | None = None  # whole response, seconds; default 4 x timeout
    max_bytes: int = 200 * 1024 * 1024
    retries: int = 3
    backoff: float = 0.5  # first retry delay, doubled each time
    max_retry_after: float = 60.0
    max_redirects: int = 5
    concurrency: int = 4


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class GuardedSession(requests.Session):
    def __init__(self, allowed_hosts: set[str], limits: Limits | None = None, user_agent: str = USER_AGENT):
        super().__init__()
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.limits = limits or Limits()
        self.headers["User-Agent"] = user_agent
        self._slots = threading.BoundedSemaphore(self.limits.concurrency)
        self.sleep: Callable[[float], None] = time.sleep  # replaced in tests that count waits

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
        kwargs.setdefault("timeout", limits.timeout)
        kwargs["stream"] = True
        kwargs["allow_redirects"] = False
        attempt = 0
        while True:
            try:
                with self._slots:
                    response = self._follow(method, url, kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= limits.retries:
                    kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
                    raise FetchError(f"the server {kind} after {attempt + 1} attempts", url) from exc
                self.sleep(limits.backoff * 2**attempt)
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
                self.sleep(delay if delay is not None else limits.backoff * 2**attempt)
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
            response = super().request(method, url, **kwargs)
            if not response.is_redirect:
                self._read_body(response, url)
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

    def _read_body(self, response: requests.Response, url: str) -> None:
        limits = self.limits
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            response.close()
            raise FetchError(f"the response is {int(declared):,} bytes, over the limit of {limits.max_bytes:,}", url)
        deadline = time.monotonic() + (limits.deadline or 4 * limits.timeout)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchError(f"the response grew past the limit of {limits.max_bytes:,} bytes", url)
                if time.monotonic() > deadline:
                    raise FetchError("the server sent the response too slowly (deadline exceeded)", url)
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise FetchError(f"the response was cut off ({type(exc).__name__})", url) from exc
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
