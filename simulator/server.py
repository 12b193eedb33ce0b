"""The simulator as an HTTP server: routing, per-source faults, conditional GET, start/stop."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Hashable
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from catalog.config import SourceConfig
from catalog.lru import SizedLRU
from simulator import faults as F
from simulator.nation import GEN0_END, Nation, generation_time
from simulator.wire import BadRequest, Context, Fault, Reply, json_reply

Handler = Callable[..., Reply]


def _body_length(reply: Reply) -> int:
    return len(reply.body) if isinstance(reply.body, bytes) else 0  # `put` keeps no streamed body


class ReplyCache(SizedLRU[Reply]):
    """The last replies built, up to `limit` bytes of bodies (least recently used go first).

    Off by default. A registry that serves a large feed usually sits behind a cache (or serves
    files); with one, the simulator costs what such a source costs when asked again for unchanged
    pages, instead of rebuilding every page from the nation. Only whole bodies of successful GETs
    are kept, none over a quarter of the limit, keyed by everything a reply depends on:
    generation, faults, URL and negotiation.
    """

    def __init__(self, limit: int):
        super().__init__(limit, weigh=_body_length, max_item=limit // 4)

    def put(self, key: Hashable, reply: Reply) -> None:
        if isinstance(reply.body, bytes):  # a streamed body is not kept
            super().put(key, reply)


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: harvest runs make thousands of requests."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _handlers() -> tuple[list[Rule], dict[str, Handler]]:
    from simulator import ckan, dcat, oai, spreadsheets, ssb

    rules: list[Rule] = [Rule("/_manifest", endpoint="manifest"), Rule("/", endpoint="index")]
    endpoints: dict[str, Handler] = {}
    for module in (dcat, ckan, spreadsheets, oai, ssb):
        for rule, handler in module.ROUTES:
            rules.append(Rule(rule, endpoint=handler.__name__ + "@" + module.__name__, methods=["GET", "POST", "HEAD"]))
            endpoints[handler.__name__ + "@" + module.__name__] = handler
    return rules, endpoints


class Simulator:
    """Norway's health-data publishers on one loopback HTTP server (see the package docstring)."""

    def __init__(self, seed: int = 0, scale: float = 1.0, generation: int = 0, cache_bytes: int = 0):
        self.seed = seed
        self.scale = scale
        self._nation = Nation(seed, scale, generation)
        self.conditional_get = False
        self._faults: dict[str, Fault] = {}
        self._faults_changed = 0
        self._cache = ReplyCache(cache_bytes) if cache_bytes > 0 else None
        self._lock = threading.Lock()
        rules, self._endpoints = _handlers()
        self._map = Map(rules, strict_slashes=False)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url: str | None = None

    # --- state ---------------------------------------------------------------------------------

    @property
    def nation(self) -> Nation:
        return self._nation

    @property
    def generation(self) -> int:
        return self._nation.generation

    @generation.setter
    def generation(self, value: int) -> None:
        self._nation = Nation(self.seed, self.scale, value)

    def set_fault(self, source_name: str, fault: str | None, **params: Any) -> None:
        """Switch a fault on (or off with None) for one source; see `simulator.faults`."""
        self._nation.source(source_name)
        with self._lock:
            self._faults_changed += 1
            if fault is None:
                self._faults.pop(source_name, None)
                return
            if fault not in F.FAULTS:
                raise ValueError(f"unknown fault {fault!r}; known: {', '.join(F.FAULTS)}")
            self._faults[source_name] = Fault(fault, params)

    def fault(self, source_name: str) -> Fault | None:
        return self._faults.get(source_name)

    def source_configs(self, base_url: str | None = None) -> list[SourceConfig]:
        base = (base_url or self.url or "").rstrip("/")
        return [
            SourceConfig(
                name=s.name,
                kind=s.kind,
                url=base + s.path,
                category=s.category,
                title=s.title,
                options={k: base + v if k.endswith("_url") else v for k, v in s.options.items()},
            )
            for s in self._nation.sources
        ]

    def manifest(self) -> dict[str, Any]:
        return self._nation.manifest(self.url or "")

    # --- serving -------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._server is not None:
            raise RuntimeError(f"the simulator is already serving on {self.url}")
        self._server = make_server(host, port, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="publisher-simulator", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def respond(self, request: Request) -> Response:
        nation = self._nation  # one generation for the whole request
        ctx = Context(nation, request.host_url.rstrip("/"), self.fault)
        try:
            endpoint, values = self._map.bind_to_environ(request.environ).match()
            if endpoint == "manifest":
                return F.plain(json_reply(nation.manifest(ctx.base), None))
            if endpoint == "index":
                return F.plain(json_reply({s.name: ctx.base + s.path for s in nation.sources}, None))
            key = (
                nation.generation,
                self._faults_changed,
                ctx.base,
                request.full_path,
                request.headers.get("Accept", ""),
                request.headers.get("Accept-Language", ""),
            )
            cache = self._cache if request.method == "GET" else None
            reply = cache.get(key) if cache is not None else None
            if reply is None:
                reply = self._endpoints[endpoint](ctx, request, **values)
                if cache is not None and reply.status == 200 and not (reply.source and self._faults.get(reply.source)):
                    cache.put(key, reply)
        except NotFound:
            return Response("Not Found", 404, content_type="text/plain; charset=utf-8")
        except HTTPException as exc:
            return exc.get_response()
        except BadRequest as exc:
            return Response(str(exc), 400, content_type="text/plain; charset=utf-8")
        except KeyError as exc:
            return Response(str(exc.args[0] if exc.args else exc), 404, content_type="text/plain; charset=utf-8")
        fault = self._faults.get(reply.source) if reply.source else None
        if fault is None and self.conditional_get and request.method == "GET" and reply.status == 200:
            return self._conditional(request, reply, nation)
        return F.apply(reply, fault, request.url)

    def _conditional(self, request: Request, reply: Reply, nation: Nation) -> Response:
        """ETag and Last-Modified from what determines the bytes, so no body is built for a 304."""
        key = json.dumps(
            [
                self.seed,
                self.scale,
                nation.generation,
                request.full_path,
                request.headers.get("Accept", ""),
                request.headers.get("Accept-Language", ""),
            ]
        )
        etag = '"' + hashlib.sha1(key.encode()).hexdigest()[:20] + '"'
        changed = generation_time(nation.generation) if nation.generation else GEN0_END
        not_modified = etag in request.headers.get("If-None-Match", "")
        since = request.headers.get("If-Modified-Since")
        if since and "If-None-Match" not in request.headers:
            try:
                not_modified = parsedate_to_datetime(since) >= changed.replace(microsecond=0)
            except (TypeError, ValueError):
                not_modified = False
        headers = {"ETag": etag, "Last-Modified": format_datetime(changed, usegmt=True)}
        if not_modified:
            return Response(status=304, headers=headers)
        response = F.plain(reply)
        response.headers.update(headers)
        return response


def serve(host: str, port: int, seed: int = 0, scale: float = 1.0, generation: int = 0, cache_bytes: int = 0) -> None:
    """`catalog simulator`: serve until interrupted, printing the base URL and the sources."""
    sim = Simulator(seed=seed, scale=scale, generation=generation, cache_bytes=cache_bytes)
    base = sim.start(host, port)
    print(f"Publisher simulator on {base} (seed {seed}, scale {scale}, generation {generation})", flush=True)
    for src in sim.source_configs(base):
        print(f"  {src.name:28} {src.kind:12} {src.url}", flush=True)
    print(f"Ground truth: {base}/_manifest", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
