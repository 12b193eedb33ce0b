"""The Flask explorer, JSON API and DCAT feeds (app factory, as in Flask's tutorial).

The app opens the store and the search backend named by the configuration; each request uses
them read-only. Blueprints: `explorer` (search, variable, dataset and code list pages), `sources`
(/sources), `basket` (/basket), `api` (JSON under /api), `feeds` (DCAT feeds and dereferenceable
URIs, with `changes` (/changes) and `sparql` (/sparql) inside it) and `admin` (/admin, off without
a token). The UI speaks bokmål and English (web/i18n.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from catalog.config import Settings
from catalog.model import key_for
from web.searchcache import SearchCache

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    from catalog.search import open_backend
    from catalog.store import SQLiteStore

    app = Flask(__name__)
    settings = settings or Settings.load()
    app.config.update(SETTINGS=settings, JSON_SORT_KEYS=False)
    if test_config:
        app.config.update(test_config)
    app.extensions["store"] = SQLiteStore(settings.db_path)
    app.extensions["search"] = open_backend(settings)
    ttl = float(app.config.get("SEARCH_CACHE_SECONDS", 60))
    app.extensions["facet_cache"] = SearchCache(ttl=ttl, size=4096)
    app.extensions["hits_cache"] = SearchCache(ttl=ttl, size=1024)  # ~20 kB a page: ~20 MB per process

    from web import admin, api, basket, display, explorer, feeds, i18n, marketplace, readiness, sources

    i18n.init(app, settings.home / "cache" / "translations")
    for blueprint in (explorer.bp, sources.bp, readiness.bp, basket.bp, api.bp, feeds.bp, admin.bp, marketplace.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(
        safe_url=display.safe_url,
        pick=display.pick,
        by_language=display.by_language,
        bilingual=display.bilingual,
        period=display.period,
        last_segment=display.last_segment,
        lang_names=display.LANG_NAMES,
        basket_count=lambda: len(basket.basket_keys()),
        source_title=explorer.source_title,
        key_for=key_for,
        offer_url=marketplace.offer_url,
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
