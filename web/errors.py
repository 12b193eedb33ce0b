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


def problem(status: int, title: str, detail: str) -> tuple[Response, int] | tuple[str, int]:
    if wants_json():
        response = jsonify(
            {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": request.path}
        )
        response.mimetype = "application/problem+json"
        return response, status
    return render_template("error.html", status=status, title=title, detail=detail), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return problem(exc.code or 500, exc.name, exc.description or "")

    @app.errorhandler(BadQuery)
    def bad_query(exc: BadQuery):  # type: ignore[no-untyped-def]
        return problem(400, "Bad Request", str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        return problem(500, InternalServerError.name, "Something went wrong on our side; it has been logged.")
