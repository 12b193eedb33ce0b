"""Admin actions over HTTP, recorded as requests that the scheduler carries out.

Off unless `CATALOG_ADMIN_TOKEN` is set; every request must then carry it as
`Authorization: Bearer <token>` (compared in constant time). Admin routes answer JSON only and
are exempt from nothing else: the same security headers apply.

The web never writes (the pipeline is the only writer): an action is checked here, so a bad one
is refused at once with the reason, then left in the spool (`catalog.admin_queue`) and answered
`202 Accepted` with where to follow it (`/admin/requests/<id>`). `catalog scheduler` (or
`serve --schedule`) carries it out within a second or, while a harvest is going on, after it.

- `POST /admin/sources` (JSON: name, kind, url, category, title, interval_minutes, options; a
  name in use is 409 unless `"replace": true`, which keeps the source's options unless some are sent)
- `DELETE /admin/sources/<name>`
- `POST /admin/harvest/<name>` and `POST /admin/harvest` (every enabled source); `?full=1` as
  `catalog harvest --full`
- `PUT /admin/synonyms` (the new list as UTF-8 text)
- `POST /admin/reindex`
- `POST /admin/confirmations` (JSON: `source` or `publisher` (its key), `note`): a holder confirmed
  its descriptions (EHDS Art. 60)
- `POST /admin/uses` (the register as CSV, `?replace=1` to make it exactly the file): import issued
  data permits (EHDS Art. 58); a bad file is refused at once with every problem by line and column
- `GET /admin/requests` (the latest 50) and `GET /admin/requests/<id>`
"""

from __future__ import annotations

import hmac
import re
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from catalog import admin_queue
from catalog.admin_queue import AdminQueue, AdminRequest, RequestError
from catalog.config import Settings
from web import store

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _settings() -> Settings:
    settings: Settings = current_app.config["SETTINGS"]
    return settings


def _queue() -> AdminQueue:
    queue: AdminQueue = current_app.extensions["admin_queue"]
    return queue


@bp.before_request
def require_token() -> None:
    token = _settings().admin_token
    if not token:
        abort(404, "Admin actions are off: set CATALOG_ADMIN_TOKEN to turn them on.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        abort(401, "A valid admin token is required (Authorization: Bearer <token>).")


def _accepted(submitted: AdminRequest, **what: Any) -> tuple[Response, int, dict[str, str]]:
    where = url_for("admin.show_request", request_id=submitted.id)
    body = {"request": submitted.id, "action": submitted.action, "state": submitted.state, "status": where, **what}
    return jsonify(body), 202, {"Location": where}


def _submit(action: str, params: dict[str, Any], **what: Any) -> tuple[Response, int, dict[str, str]]:
    try:
        submitted = _queue().submit(action, params)
    except OSError as exc:  # the spool cannot be written: say so, as the operator must fix it
        abort(503, f"The request could not be recorded ({exc.strerror or exc}); the requests folder must be writable.")
    return _accepted(submitted, **what)


def _known_source(name: str) -> None:
    settings = _settings()
    settings.reload_sources()
    if name not in settings.sources:
        abort(404, f"No source named {name!r}.")


@bp.post("/sources")
def add_source() -> tuple[Response, int, dict[str, str]]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send the source as a JSON object with name, kind and url.")
    try:
        src = admin_queue.source_from_params(body)
    except RequestError as exc:
        abort(400, str(exc))
    replace = body.get("replace") is True
    settings = _settings()
    settings.reload_sources()
    if src.name in settings.sources and not replace:
        before = settings.sources[src.name]
        abort(
            409,
            f'A source named {src.name!r} exists ({before.kind} {before.url}); send "replace": true to replace it '
            "(its options are kept unless you send some), or choose another name.",
        )
    params = {"name": src.name, **src.to_toml(), "replace": replace}
    params.pop("options", None)
    if "options" in body:  # none sent: a replaced source's are kept (`Settings.add_source`)
        params["options"] = src.options
    return _submit("add-source", params, source=src.name)


@bp.delete("/sources/<name>")
def remove_source(name: str) -> tuple[Response, int, dict[str, str]]:
    _known_source(name)
    return _submit("remove-source", {"name": name}, source=name)


@bp.post("/harvest")
@bp.post("/harvest/<name>")
def trigger_harvest(name: str | None = None) -> tuple[Response, int, dict[str, str]]:
    if name is not None:
        _known_source(name)
    full = request.args.get("full", "") in ("1", "true", "yes")
    what = {"source": name, "report": f"/sources/{name}"} if name else {}
    return _submit("harvest", {"sources": [name] if name else [], "full": full}, **what)


@bp.put("/synonyms")
def replace_synonyms() -> tuple[Response, int, dict[str, str]]:
    data = request.get_data(cache=False)
    if len(data) > admin_queue.MAX_SYNONYMS_BYTES:
        abort(413, f"The synonym list may be at most {admin_queue.MAX_SYNONYMS_BYTES:,} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, "The synonym list must be UTF-8 text: one group of comma-separated terms per line.")
    return _submit("replace-synonyms", {"text": text}, synonym_groups=admin_queue.synonym_groups(text))


@bp.post("/reindex")
def reindex() -> tuple[Response, int, dict[str, str]]:
    return _submit("reindex", {})


@bp.post("/confirmations")
def confirm() -> tuple[Response, int, dict[str, str]]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or len({"source", "publisher"} & set(body)) != 1:
        abort(400, "Send a JSON object naming either the source or the publisher (its key) that confirmed.")
    kind = "source" if "source" in body else "publisher"
    ident = str(body[kind])
    if kind == "source":
        _known_source(ident)
    elif not re.fullmatch(r"[0-9a-f]{16}", ident):
        abort(400, f"{ident!r} is not a publisher key; /confirmations/ lists them.")
    note = str(body.get("note", ""))[:500]
    return _submit("confirm", {"kind": kind, "id": ident, "note": note}, holder=f"{kind}:{ident}")


@bp.post("/uses")
def import_uses() -> tuple[Response, int, dict[str, str]]:
    from catalog.uses import MAX_BYTES, RegisterError, parse

    data = request.get_data(cache=False)
    if len(data) > MAX_BYTES:
        abort(413, f"A register file may be at most {MAX_BYTES // 2**20} MiB.")
    try:  # checked now, against the datasets the catalogue holds, so a bad file is refused at once
        found = parse(data, (r.uri for r in store().records(kind="dataset", include_deleted=True)), "the upload")
    except RegisterError as exc:
        problems = [{"line": p.line, "column": p.field, "problem": p.message} for p in exc.problems]
        response = jsonify(
            {
                "type": "about:blank",
                "title": "The register cannot be imported",
                "status": 400,
                "detail": str(exc),
                "instance": request.path,
                "problems": problems,  # RFC 9457 lets a problem carry members of its own
            }
        )
        response.status_code = 400
        response.mimetype = "application/problem+json"
        abort(response)
    replace = request.args.get("replace", "") in ("1", "true", "yes")
    return _submit("import-uses", {"text": data.decode("utf-8-sig"), "replace": replace}, uses=len(found))


@bp.get("/requests")
def list_requests() -> Response:
    return jsonify({"requests": [_public(r) for r in _queue().recent()]})


@bp.get("/requests/<request_id>")
def show_request(request_id: str) -> Response:
    found = _queue().get(request_id)
    if found is None:
        abort(404, f"No admin request {request_id!r} (the latest 1,000 finished ones are kept).")
    return jsonify(_public(found))


def _public(r: AdminRequest) -> dict[str, Any]:
    """A request as the API shows it: a synonym list's text is left out (it can be 1 MB)."""
    shown = asdict(r)
    if "text" in shown["params"]:
        shown["params"] = {**shown["params"], "text": f"({len(shown['params']['text'])} characters)"}
    return shown
