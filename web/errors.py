"""Errors answered as JSON problem details or a friendly HTML page, as the client asked.

Pages say what happened in the UI language; the English detail of the JSON answer is shown on a
page only for a search that could not be understood (marked as English), since it names the part
of the query at fault.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from catalog.search import BadQuery, QueryTooComplex, SearchUnavailable, StaleIndex
from catalog.store import StoreUnavailable


def wants_json() -> bool:
    """Problem details for the API and for every client that does not take HTML: a harvester
    asking a feed for Turtle or JSON-LD (`Accept: text/turtle`) reads what went wrong as JSON,
    not as a bokmål page; a browser (text/html) and a client taking anything (*/*) get the page."""
    if request.path.startswith(("/api/", "/admin/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/problem+json"])
    return best != "text/html" if request.accept_mimetypes else False


Problem = tuple[Response, int] | tuple[str, int]
"""An error as JSON problem details or an HTML page, with its status."""


def problem(status: int, title: str, detail: str, explanation: str | None = None, query: str | None = None) -> Problem:
    """The problem as JSON, or as a page in the UI language: `explanation` instead of the
    status's own, and `query` kept in a search box to change (a search too long to run)."""
    if wants_json():
        response = jsonify(
            {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": request.path}
        )
        response.mimetype = "application/problem+json"
        return response, status
    shown = {
        400: (_("Bad request"), _("The address or the search could not be understood.")),
        403: (_("Not allowed"), _("This change is accepted only from this site.")),
        410: (_("Removed from the catalogue"), _("The record at this address has left the catalogue.")),
        404: (
            _("Not found"),
            _("There is nothing at this address. The record may have left the catalogue, or the link is cut short."),
        ),
        405: (_("Not allowed"), _("This address does not accept this kind of request.")),
        406: (_("Not in the format asked for"), _("This address cannot answer in any of the formats asked for.")),
        503: (
            _("Unavailable for a moment"),
            _("This part of the catalogue is unavailable for a moment; try again in a few minutes."),
        ),
    }
    heading, said = shown.get(
        status, (_("Something went wrong"), _("Something went wrong on our side; it has been logged."))
    )
    return render_template(
        "error.html",
        status=status,
        title=heading,
        explanation=explanation or said,
        detail=detail if status == 400 and explanation is None else "",
        query=query,
    ), status


class Removed(Exception):
    """A record the catalogue held and no longer does (its source stopped listing it, or the
    source was removed): its page answers 410 Gone and says when, rather than a bare 404 to a
    researcher following a link from an application or a feed."""

    def __init__(self, title: str, uri: str, removed: str, last_seen: str | None):
        super().__init__(f"{uri} left the catalogue on {removed}")
        self.title, self.uri, self.removed, self.last_seen = title, uri, removed, last_seen


RETRY_SECONDS = 30
"""Retry-After of a request answered 503 while the search cluster or the database cannot serve."""


OUTAGE_LOG_SECONDS = 10.0
"""A part that cannot serve (the search cluster, the database) is logged at most this often per
process: during an outage every request meets it, and a line each would be hundreds a second."""
_logged: dict[str, float] = {}
_logged_lock = threading.Lock()


def log_outage(part: str, exc: Exception) -> None:
    """Log that `part` ("search", "store") cannot serve, at most every `OUTAGE_LOG_SECONDS`."""
    now = time.monotonic()
    with _logged_lock:
        if now - _logged.get(part, -OUTAGE_LOG_SECONDS) < OUTAGE_LOG_SECONDS:
            return
        _logged[part] = now
    current_app.logger.warning("%s unavailable: %s", part, exc)


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """The problem, with the headers the error carries (Retry-After, Allow, WWW-Authenticate)."""
        response = app.make_response(problem(exc.code or 500, exc.name, exc.description or ""))
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Removed)
    def removed(exc: Removed) -> Problem:
        """What left, when, and when its source last had it; a search for its title to go on from."""
        from web.i18n import moment

        if exc.last_seen:
            said = _(
                "“%(title)s” left the catalogue on %(removed)s: its source no longer lists it. Its source last "
                "had it on %(seen)s. Search for it or for what replaced it:",
                title=exc.title,
                removed=moment(exc.removed),
                seen=moment(exc.last_seen),
            )
        else:
            said = _(
                "“%(title)s” left the catalogue on %(removed)s: its source no longer lists it. Search for it or "
                "for what replaced it:",
                title=exc.title,
                removed=moment(exc.removed),
            )
        return problem(410, "Gone", str(exc), explanation=said, query=exc.title)

    @app.errorhandler(QueryTooComplex)
    def too_complex(exc: QueryTooComplex) -> Problem:
        """A pasted paragraph: understood, but too long to run. Said in the reader's language (the
        English detail stays in the JSON), with the words kept in a search box to shorten."""
        return problem(
            400,
            "Bad Request",
            str(exc),
            explanation=_("The search has too many words to run. Use fewer or shorter words."),
            query=request.args.get("q", ""),
        )

    @app.errorhandler(BadQuery)
    def bad_query(exc: BadQuery) -> Problem:
        return problem(400, "Bad Request", str(exc))

    def unavailable(detail: str, retry_after: int) -> Response:
        """503, to retry after so many seconds: unavailable for a moment, not broken."""
        response = app.make_response(problem(503, "Service Unavailable", detail))
        response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(StaleIndex)
    def stale_index(exc: StaleIndex) -> Response:
        """An index an earlier version wrote (after an upgrade, until `catalog reindex`): the
        service is unavailable for searching, not broken; /readyz says not ready meanwhile."""
        app.logger.error("%s", exc)
        return unavailable("The search index is being rebuilt after an upgrade; try again in a few minutes.", 300)

    @app.errorhandler(SearchUnavailable)
    def search_unavailable(exc: SearchUnavailable) -> Response:
        """The search cluster is down, starting or refusing us: the pages that need no search
        still answer, and /readyz says why. The reason names internal addresses and settings:
        logged, not shown."""
        log_outage("search", exc)
        return unavailable("Search is unavailable for a moment; try again in a minute.", RETRY_SECONDS)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(exc: StoreUnavailable) -> Response:
        """The database cannot be reached (restarting, failing over); the reason, naming its
        address, only in the log."""
        log_outage("store", exc)
        return unavailable("The catalogue is unavailable for a moment; try again in a minute.", RETRY_SECONDS)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Problem:
        app.logger.exception("unhandled error")
        return problem(500, InternalServerError().name, "Something went wrong on our side; it has been logged.")
