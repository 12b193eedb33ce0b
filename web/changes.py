"""The change feed: /changes?since=ISO as JSON, /changes.atom as Atom (RFC 4287).

Without `since`, the last 30 days. A JSON answer that had to stop early carries `next`, the URL
that continues where it stopped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from catalog.changes import Change, changes_since, latest
from catalog.feeds import BadFeedRequest, parse_since
from web import atom, store

bp = Blueprint("changes", __name__)
MAX_LIMIT = 1000
PAGES = {
    "dataset": "explorer.dataset",
    "codelist": "explorer.codelist",
    "variable": "explorer.variable",
    "service": "marketplace.service",
    "product": "marketplace.product",
}
"""Each kind of record the store holds (`catalog.model.Record`, and variables) -> its page."""
KINDS = {
    "dataset": ("datasett", "Nytt"),
    "codelist": ("kodeliste", "Ny"),
    "variable": ("variabel", "Ny"),
    "service": ("analysetjeneste", "Ny"),
    "product": ("dataprodukt", "Nytt"),
}
"""Each kind in the Atom titles' Norwegian, with "new" as its gender wants it (et datasett: nytt)."""
WORDS = {"changed": "Endret", "deleted": "Slettet"}


def _query() -> tuple[str, int]:
    try:
        since = (
            parse_since(request.args["since"])
            if request.args.get("since")
            else ((datetime.now(UTC) - timedelta(days=30)).isoformat(timespec="microseconds"))
        )
    except BadFeedRequest as exc:
        abort(400, str(exc).replace("modified_since", "since"))
    raw = request.args.get("limit", "500")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        abort(400, f"limit={raw!r} must be a whole number from 1 to {MAX_LIMIT}")
    return since, int(raw)


def _page(c: Change) -> str:
    return url_for(PAGES[c.type], key=c.key, _external=True)


@bp.get("/changes")
def changes_json() -> Response:
    since, limit = _query()
    found, more = changes_since(store(), since, limit)
    body: dict[str, Any] = {"since": since, "changes": [{**c.to_dict(), "page": _page(c)} for c in found]}
    if more and found:
        body["next"] = url_for(".changes_json", since=found[-1].at, limit=limit, _external=True)
    return jsonify(body)


@bp.get("/changes.atom")
def changes_atom() -> Response:
    since, limit = _query()
    found = latest(store(), since, limit)  # newest first
    root = atom.feed(
        request.url,
        "Endringer i helsedatakatalogen",
        found[0].at if found else since,
        request.url,
        current_app.config["SETTINGS"].hdab_name,
    )
    sub = atom.sub
    for c in found:
        entry = sub(root, "entry")
        sub(entry, "id", f"{c.uri}#{c.change}-{c.at}")
        noun, new = KINDS[c.type]
        sub(entry, "title", f"{new if c.change == 'new' else WORDS.get(c.change, c.change)} {noun}: {c.title}")
        sub(entry, "updated", c.at)
        sub(entry, "category", term=c.change)
        sub(entry, "category", term=c.type)
        if c.change != "deleted":
            sub(entry, "link", rel="alternate", href=_page(c))
        sub(entry, "summary", f"{c.uri} ({c.source})" + (f" i datasettet {c.dataset}" if c.dataset else ""))
    return atom.response(root)
