"""The Flask explorer, JSON API and DCAT feeds (app factory, as in Flask's tutorial).

The app opens the store's read side (`store()`, typed `StoreReader`, on read-only connections)
and the search backend named by the configuration; each request uses them read-only. Blueprints:
`topics` (the landing page, browsing by topic), `explorer` (search, variable, dataset and code
list pages), `compare` (/compare), `sources` (/sources), `basket` (/basket), `api` (JSON under
/api), `feeds` (DCAT feeds and dereferenceable URIs, with `changes` (/changes) and `sparql`
(/sparql) inside it), `admin` (/admin, off without a token: requests the scheduler carries out),
`health` (/healthz, /readyz), `metrics` (/metrics) and `marketplace` (/marketplace: platforms,
services and data products), and the access body's registers (`uses`, `label`, `minimum`,
`confirmations`). The UI speaks bokmål, nynorsk and English (web/i18n.py).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, Response, current_app, request

from catalog import texts
from catalog.admin_queue import AdminQueue
from catalog.config import ConfigError, Settings
from catalog.model import key_for
from catalog.rdf import LICENCE_LABELS
from catalog.store import StoreReader, StoreUnavailable
from catalog.topics import taxonomy
from web import metrics, rendering
from web.searchcache import SearchCache

log = logging.getLogger(__name__)
SOURCES_RECHECK_SECONDS = 1.0

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


STORE_RETRY_SECONDS = 1.0
"""How often requests try again to open a store that could not be opened (`store`)."""
_opening = threading.Lock()


def store() -> StoreReader:
    """The store as every request sees it: its read side, on read-only connections (the web never
    writes). An explorer that starts while its database cannot be reached (`StoreUnavailable`:
    restarted, failing over, not up yet) starts anyway, not ready; requests try to open the store
    again at most every `STORE_RETRY_SECONDS`, and until then are answered 503 (`web.errors`)."""
    return store_of(current_app.extensions, current_app.config["SETTINGS"])


def store_of(extensions: dict[str, Any], settings: Settings) -> StoreReader:
    """The app's store (`store`, for the readiness check and the metrics' scrape, which run outside
    a request's context), opened now if it could not be before (at most every
    `STORE_RETRY_SECONDS`)."""
    opened: StoreReader | None = extensions["store"]
    if opened is not None:  # every request: nothing more
        return opened
    from catalog.store import open_reader

    with _opening:
        reader: StoreReader | None = extensions["store"]
        if reader is not None:
            return reader
        if time.monotonic() < extensions["store_retry_at"]:
            raise StoreUnavailable(extensions["store_error"])
        try:
            reader = extensions["store"] = open_reader(settings)
        except StoreUnavailable as exc:
            extensions.update(store_error=str(exc), store_retry_at=time.monotonic() + STORE_RETRY_SECONDS)
            raise
        log.info("the store is open: %s", reader.location)
        return reader


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    from catalog.search import open_backend
    from catalog.store import open_reader

    app = Flask(__name__)
    app.jinja_environment = rendering.Environment
    settings = settings or Settings.load()
    app.config.update(SETTINGS=settings, JSON_SORT_KEYS=False)
    if test_config:
        app.config.update(test_config)
    try:
        app.extensions["store"] = open_reader(settings)  # the read side, on read-only connections
    except StoreUnavailable as exc:  # tried again by the requests (`store`); /readyz says why meanwhile
        log.warning("%s; tried again at the next request", exc)
        app.extensions.update(store=None, store_error=str(exc), store_retry_at=0.0)
    app.extensions["search"] = metrics.TimedSearch(open_backend(settings, reading=True))
    app.extensions["admin_queue"] = AdminQueue(settings.home)
    ttl = float(app.config.get("SEARCH_CACHE_SECONDS", 60))
    app.extensions["facet_cache"] = SearchCache(ttl=ttl, size=4096, name="search_facets")
    # ~20 kB a page: ~20 MB per process
    app.extensions["hits_cache"] = SearchCache(ttl=ttl, size=1024, name="search_hits")

    from web import (
        admin,
        api,
        basket,
        compare,
        confirmations,
        display,
        explorer,
        feeds,
        health,
        i18n,
        label,
        labels,
        marketplace,
        minimum,
        readiness,
        sources,
        topics,
        uses,
    )

    i18n.init(app, settings.home / "cache" / "translations")
    blueprints = (
        topics.bp,
        explorer.bp,
        compare.bp,
        sources.bp,
        readiness.bp,
        minimum.bp,
        uses.bp,
        label.bp,
        confirmations.bp,
        basket.bp,
        api.bp,
        feeds.bp,
        admin.bp,
        health.bp,
        metrics.bp,
        marketplace.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    metrics.instrument(app)
    follow_sources(app, settings)
    app.jinja_env.globals.update(
        safe_url=display.safe_url,
        command=display.command,
        pick=display.pick,
        shown=lambda value, limit=None, noted=True: display.shown(value, i18n.current(), limit, noted),
        language_note=lambda lang: display.language_note(lang, i18n.current()),
        labels_note=lambda values: display.labels_note(values, i18n.current()),
        in_language=lambda text, lang: display.in_language(text, lang, i18n.current()),
        use_text=lambda text, use: display.in_language(text, use.written_in(settings), i18n.current()),
        hit_label=lambda doc, highlights: display.hit_label(doc, highlights, i18n.current()),
        hit_description=lambda doc, highlights: display.hit_description(doc, highlights, i18n.current()),
        dataset_title=lambda doc, noted=True: display.dataset_title(doc, i18n.current(), noted),
        unlisted_system=lambda hit: display.unlisted_system(
            hit.doc, hit.may_hold_in or "", hit.may_hold_list, i18n.current()
        ),
        coded=lambda field, value: labels.label_html(field, value, i18n.current()),
        code_label=lambda field, value: labels.label(field, value, i18n.current()).text,
        concept_label=lambda iri: labels.known_label(iri, i18n.current()),
        licence_name=LICENCE_LABELS.get,
        unit=lambda value: texts.unit(value, i18n.current()),
        topic_names=lambda ids: [t.name(i18n.current()) for t in map(taxonomy().by_id.get, ids or ()) if t],
        route_of=basket.route_of,
        period_said=basket.period_said,
        readable=display.readable,
        by_language=lambda value: display.by_language(value, i18n.current()),
        linked=display.linked,
        bilingual=lambda value, locale: display.in_language(*display.bilingual(value, locale), locale),
        period=display.period,
        last_segment=display.last_segment,
        language_name=display.language_name,
        basket_count=lambda: len(basket.basket_keys()),
        source_title=explorer.source_title,
        key_for=key_for,
        offer_url=marketplace.offer_url,
        url_for=rendering.template_url_for,
    )

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    from web.errors import register

    register(app)
    app.jinja_env.globals["request"] = request
    return app


def follow_sources(app: Flask, settings: Settings) -> None:
    """Read the source list again, at most once a second, when `catalog.toml` changed: the
    scheduler edits it for admin requests and operators with `catalog sources`, and every explorer
    process must show (and stamp feed pages with) the same sources without a restart."""
    checked = [time.monotonic()]
    lock = threading.Lock()

    @app.before_request
    def _follow() -> None:
        if time.monotonic() - checked[0] < SOURCES_RECHECK_SECONDS or not lock.acquire(blocking=False):
            return
        try:
            checked[0] = time.monotonic()
            settings.reload_sources()
        except ConfigError as exc:  # a bad edit: keep serving the last good list, and say so
            log.error("the source list could not be read again, the last good one is kept: %s", exc)
        finally:
            lock.release()
