"""The Flask explorer, JSON API and DCAT feeds (app factory, as in Flask's tutorial).

The app opens the store and the search backend named by the configuration; each request uses
them read-only. Blueprints: `explorer` (HTML pages), `api` (JSON under /api), `feeds` (DCAT).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from catalog.config import Settings

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

    from web import admin, api, explorer, feeds

    app.register_blueprint(explorer.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(admin.bp)

    @app.after_request
    def secure(response):  # type: ignore[no-untyped-def]
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    from web.errors import register

    register(app)
    app.jinja_env.globals["request"] = request
    return app
