"""JSON APIs (KLASS, vardef, microdata.no): one GET, one parsed answer, or one plain sentence why not.

The content type is not trusted either way: a JSON body labelled text/html still parses, and an
HTML error page labelled JSON is reported as "not JSON" with the line, not as a stack trace.
"""

from __future__ import annotations

import json
from typing import Any

from harvesters.base import SourceError
from harvesters.http import HttpClient
from harvesters.sniff import kind_hint, looks_like

ACCEPT = "application/json"


def get_json(
    http: HttpClient, url: str, what: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[str, Any]:
    """(final URL, parsed body) of a JSON GET; `what` names the API in messages ("the KLASS API")."""
    fetched = http.get(url, accept=ACCEPT, params=params, headers=headers)
    text = fetched.text()
    try:
        return fetched.url, json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip()[:1] != "<":
            got = "malformed JSON"
        else:  # XML or HTML: what it plainly is (an OAI-PMH answer, RDF/XML), else a page
            seen = looks_like(text)
            got = seen[0] if seen and seen[1] else "an HTML page"
        raise SourceError(
            f"{what} answered with {got}, not JSON ({exc.msg})", fetched.url, exc.lineno, kind_hint(text)
        ) from exc


def expect(value: Any, kind: type, what: str, url: str, own: str = "") -> Any:
    """`value` if it has the JSON type the API documents, else a SourceError saying what came
    instead, and which kind of source reads it where that is plain (`own`: the source's kind)."""
    if not isinstance(value, kind):
        names: dict[type, str] = {dict: "an object", list: "an array"}
        raise SourceError(
            f"{what} answered with {names.get(type(value), type(value).__name__)} where "
            f"{names.get(kind, kind.__name__)} was expected",
            url,
            hint=kind_hint(kind=own, value=value),
        )
    return value
