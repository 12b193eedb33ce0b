"""/sparql: the read-only SPARQL 1.1 protocol endpoint (GET ?query=, POST form or sparql-query body)."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.exceptions import ServiceUnavailable

from catalog.sparql import SparqlEndpoint, SparqlError
from web import store

bp = Blueprint("sparql", __name__)
_lock = threading.Lock()


def endpoint() -> SparqlEndpoint:
    """One per app, made on first use, bounded by the settings (sparql_*)."""
    with _lock:
        if "sparql" not in current_app.extensions:
            current_app.extensions["sparql"] = SparqlEndpoint(current_app.config["SETTINGS"], store())
        return current_app.extensions["sparql"]


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        query = request.get_data(as_text=True)
    elif request.method == "POST" and "update" in request.form:
        abort(403, "This endpoint is read-only: SPARQL updates are not accepted.")
    else:
        query = (request.form if request.method == "POST" else request.args).get("query", "")
    accept = [media for media, _q in request.accept_mimetypes]
    try:
        answer = endpoint().query(query, accept)
    except SparqlError as exc:
        if exc.retry_after is not None:
            raise ServiceUnavailable(str(exc), retry_after=exc.retry_after) from None
        abort(exc.status, str(exc))
    response = Response(answer.body, mimetype=answer.media_type)
    response.headers["Vary"] = "Accept"
    return response
