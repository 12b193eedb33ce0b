"""The yearly confirmations on the web (EHDS Art. 60): when each holder last confirmed, and who is overdue.

`/confirmations/` lists every source and publisher with its last confirmation and when the next
is due, overdue ones first (`?overdue=1` for those only); `/confirmations/overdue.atom` is an Atom
feed with an entry per overdue holder, for the access body's reminders; `/api/confirmations` the
same as JSON. Confirmations are recorded by the writers (`catalog confirm`, a harvest); the web
reads them. `confirmation_of` gives the source and publisher pages their line.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext, ngettext

from catalog.confirmations import HARVEST_FOUND, HARVEST_UNCHANGED, SOURCE, Holder, holders, overdue, source_holder
from web import atom, store

bp = Blueprint("confirmations", __name__, url_prefix="/confirmations")


def current() -> list[Holder]:
    return holders(store(), current_app.config["SETTINGS"])


def holder_page(h: Holder) -> str:
    if h.kind == SOURCE:
        return url_for("sources.source", name=h.ident)
    return url_for("minimum.publisher", key=h.ident)


@bp.app_template_global()
def confirmation_of(kind: str, ident: str) -> Holder | None:
    """A source or publisher as the confirmations list has it (the line on its page)."""
    if kind == SOURCE:
        return source_holder(store(), current_app.config["SETTINGS"], ident)
    return next((h for h in current() if h.kind == kind and h.ident == ident), None)


_FOUND = re.compile(re.escape(HARVEST_FOUND).replace(r"\{num\}", r"(\d+)") + "$")


@bp.app_template_global()
def harvest_note(note: str) -> str | None:
    """A harvest's note in the reader's language (the Norwegian page said "ved innhøsting: the
    harvest found 37 new, changed or deleted records"); None for a note of another form."""
    found = _FOUND.match(note)
    if found:
        num = int(found.group(1))
        return ngettext(
            "the harvest found %(num)s new, changed or deleted record",
            "the harvest found %(num)s new, changed or deleted records",
            num,
        )
    if note == HARVEST_UNCHANGED:
        return gettext("the harvest found no change; the publisher confirms by its feed")
    return None


@bp.get("/")
def index() -> str:
    found = current()
    now = datetime.now(UTC)
    late = overdue(found, now)
    shown = late if request.args.get("overdue") else found
    return render_template(
        "confirmations.html", holders=shown, overdue=len(late), total=len(found), now=now, page=holder_page
    )


def confirmations_json() -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    found = current()
    return [h.to_dict(now) for h in (overdue(found, now) if request.args.get("overdue") else found)]


@bp.get("/overdue.atom")
def overdue_atom() -> Response:
    now = datetime.now(UTC)
    late = sorted(overdue(current(), now), key=lambda h: h.due, reverse=True)
    base = current_app.config["SETTINGS"].base_uri.rstrip("/")
    root = atom.feed(
        f"{base}/confirmations/overdue",
        "Forfalte årlige bekreftelser (EHDS art. 60) | Overdue yearly confirmations",
        (late[0].due if late else now).isoformat(timespec="seconds"),
        request.url,
        current_app.config["SETTINGS"].hdab_name,
    )
    sub = atom.sub
    sub(root, "link", rel="alternate", href=url_for("confirmations.index", overdue=1, _external=True))
    for h in late:
        entry = sub(root, "entry")
        sub(entry, "id", f"{base}/confirmations/{h.key}/{h.due:%Y-%m-%d}")
        kind = "kilde | source" if h.kind == SOURCE else "utgiver | publisher"
        sub(entry, "title", f"{h.name} ({kind})")
        sub(entry, "updated", h.due.isoformat(timespec="seconds"))
        sub(entry, "category", term=h.kind)
        sub(entry, "link", rel="alternate", href=url_for("confirmations.index", _external=True) + f"#{h.key}")
        last = h.confirmed["at"][:10] if h.confirmed else "aldri | never"
        sub(
            entry,
            "summary",
            f"Sist bekreftet | last confirmed: {last}; forfalt | due: {h.due:%Y-%m-%d}; "
            f"{h.datasets} datasett | datasets",
        )
    return atom.response(root)
