"""Errors answered as JSON problem details or a friendly HTML page, as the client asked."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from catalog.search import BadQuery


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/admin/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/problem+json"])
    return best in ("application/json", "application/problem+json")


Problem = tuple[Response, int] | tuple[str, int]
"""An error as JSON problem details or an HTML page, with its status."""


def problem(status: int, title: str, detail: str) -> Problem:
    if wants_json():
        response = jsonify(
            {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": request.path}
        )
        response.mimetype = "application/problem+json"
        return response, status
    return render_template("error.html", status=status, title=title, detail=detail), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """The problem, with the headers the error carries (Retry-After, Allow, WWW-Authenticate)."""
        response = app.make_response(problem(exc.code or 500, exc.name, exc.description or ""))
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(BadQuery)
    def bad_query(exc: BadQuery) -> Problem:
        return problem(400, "Bad Request", str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Problem:
        app.logger.exception("unhandled error")
        return problem(500, InternalServerError().name, "Something went wrong on our side; it has been logged.")
