"""Admin actions over HTTP: add a source, trigger a harvest, replace the synonym list.

Off unless `CATALOG_ADMIN_TOKEN` is set; every request must then carry it as
`Authorization: Bearer <token>` (compared in constant time). Admin routes answer JSON only and
are exempt from nothing else: the same security headers apply.
"""

from __future__ import annotations

import hmac
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request

from catalog.config import ConfigError, SourceConfig, check_source_url

bp = Blueprint("admin", __name__, url_prefix="/admin")
MAX_SYNONYMS_BYTES = 1_000_000


@bp.before_request
def require_token() -> None:
    token = current_app.config["SETTINGS"].admin_token
    if not token:
        abort(404, "Admin actions are off: set CATALOG_ADMIN_TOKEN to turn them on.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        abort(401, "A valid admin token is required (Authorization: Bearer <token>).")


@bp.post("/sources")
def add_source() -> tuple[Response, int]:
    from harvesters import UnknownKind, harvester_class

    body: dict[str, Any] = request.get_json(silent=True) or {}
    settings = current_app.config["SETTINGS"]
    try:
        name, kind, url = str(body["name"]), str(body["kind"]), str(body["url"])
        harvester_class(kind)
        check_source_url(url)
        src = SourceConfig(
            name=name,
            kind=kind,
            url=url,
            category=str(body.get("category", "central-registry")),
            title=str(body.get("title", name)),
            options=dict(body.get("options") or {}),
        )
    except KeyError as exc:
        abort(400, f"Missing field {exc.args[0]!r}; a source needs name, kind and url.")
    except (UnknownKind, ConfigError, TypeError, ValueError) as exc:
        abort(400, str(exc))
    settings.put_sources(src)
    return jsonify({"added": name, "kind": kind, "url": url}), 201


@bp.post("/harvest/<name>")
def trigger_harvest(name: str) -> tuple[Response, int]:
    from catalog.pipeline import harvest

    settings = current_app.config["SETTINGS"]
    if name not in settings.sources:
        abort(404, f"No source named {name!r}.")
    store, index = current_app.extensions["store"], current_app.extensions["search"]
    threading.Thread(target=harvest, args=(settings, store, index, [name]), daemon=True).start()
    return jsonify({"harvesting": name, "report": f"/sources/{name}"}), 202


@bp.put("/synonyms")
def replace_synonyms() -> Response:
    from catalog.search.analysis import Synonyms

    data = request.get_data(cache=False)
    if len(data) > MAX_SYNONYMS_BYTES:
        abort(413, f"The synonym list may be at most {MAX_SYNONYMS_BYTES:,} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, "The synonym list must be UTF-8 text: one group of comma-separated terms per line.")
    path = Path(current_app.config["SETTINGS"].home) / "synonyms.txt"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    backend = current_app.extensions["search"]
    backend.synonyms = Synonyms(path, backend.synonyms.code_names.list.path)  # the code names stay
    groups = sum(1 for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return jsonify({"synonym_groups": groups, "file": str(path)})
