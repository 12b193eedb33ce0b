"""The yearly confirmation of descriptions (EHDS Art. 60): who confirmed when, and who is overdue.

Art. 60(3) has every data holder check, at least once a year, that its dataset descriptions in the
national catalogue are accurate and up to date. The holders here are the catalogue's sources and
the publishers of its datasets. A confirmation is recorded (in the store, by writers only):

- by the operator, for a holder that confirmed by letter, e-mail or in a meeting:
  `catalog confirm --source NAME` or `--publisher KEY` (and the admin API);
- by a harvest that found the source's descriptions changed (the holder maintains them), not by
  its first harvest: its records are all new because the catalogue had none, not because the holder
  touched them (a drill found a file last changed in 2017 confirmed the day it was first read);
- by a harvest that found nothing changed, only when the publisher has said that its published
  feed is its confirmation (`options.confirm_unchanged = true` on the source): an unchanged feed
  may as well be one nobody looks at.

A publisher counts as confirmed by its own confirmations and by those of the sources it alone
publishes in (a registry's own feed); an aggregator's source confirms nobody but itself. A holder
is due a year after its last confirmation, or a year after the catalogue first held its
descriptions when it never confirmed; past that it is overdue (`/confirmations/`, the Atom feed
`/confirmations/overdue.atom`, `catalog confirmations --overdue`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog import profiles
from catalog.config import Settings
from catalog.model import Dataset
from catalog.readiness import publisher_identity
from catalog.store import StoreReader, StoreWriter

YEAR = timedelta(days=365)
HARVEST_EVERY = timedelta(hours=23)
"""A harvest records a confirmation at most this often (sources harvested hourly need one a day)."""
SOURCE, PUBLISHER = "source", "publisher"


def holder_key(kind: str, ident: str) -> str:
    """How the store names a holder: "source:<name>" or "publisher:<key>"."""
    return f"{kind}:{ident}"


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Holder:
    """A source or publisher, with its latest confirmation and when the next is due."""

    kind: str  # SOURCE | PUBLISHER
    ident: str  # the source's name, the publisher's key
    name: str
    since: str  # when the catalogue first held its descriptions
    datasets: int
    confirmed: dict[str, Any] | None = None  # {holder, at, by, note} of the latest confirmation that counts

    @property
    def key(self) -> str:
        return holder_key(self.kind, self.ident)

    @property
    def due(self) -> datetime:
        return parse_time(self.confirmed["at"] if self.confirmed else self.since) + YEAR

    def overdue(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) > self.due

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        return {
            "holder": self.key,
            "kind": self.kind,
            "id": self.ident,
            "name": self.name,
            "datasets": self.datasets,
            "in_catalogue_since": self.since,
            "last_confirmed": self.confirmed["at"] if self.confirmed else None,
            "confirmed_by": self.confirmed["by"] if self.confirmed else None,
            "note": self.confirmed["note"] if self.confirmed else None,
            "due": self.due.isoformat(timespec="seconds"),
            "overdue": self.overdue(now),
        }


def _latest(*found: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [f for f in found if f]
    return max(present, key=lambda f: f["at"]) if present else None


def holders(store: StoreReader, settings: Settings) -> list[Holder]:
    """Every source and every publisher of a live dataset, the soonest due first."""
    last = store.last_confirmations()
    sources: dict[str, Holder] = {}
    publishers: dict[str, Holder] = {}
    publishers_of: dict[str, set[str]] = {}
    ehds = profiles.ehds()
    for stored in store.records(kind="dataset"):
        name = stored.source
        if name not in sources:
            title = settings.sources[name].title if name in settings.sources else name
            sources[name] = Holder(
                SOURCE, name, title or name, stored.first_seen, 0, last.get(holder_key(SOURCE, name))
            )
        src = sources[name]
        src.datasets += 1
        src.since = min(src.since, stored.first_seen)
        view = ehds.published(stored.record, settings, settings.sources.get(name)).record
        assert isinstance(view, Dataset)
        key, title = publisher_identity(view.publisher)
        if not key:
            continue
        publishers_of.setdefault(name, set()).add(key)
        if key not in publishers:
            publishers[key] = Holder(PUBLISHER, key, title, stored.first_seen, 0, last.get(holder_key(PUBLISHER, key)))
        pub = publishers[key]
        pub.datasets += 1
        pub.since = min(pub.since, stored.first_seen)
    for name, keys in publishers_of.items():
        if len(keys) == 1:  # a source only one publisher publishes in confirms for it
            pub = publishers[next(iter(keys))]
            pub.confirmed = _latest(pub.confirmed, sources[name].confirmed)
    return sorted([*sources.values(), *publishers.values()], key=lambda h: (h.due, h.kind, h.name.casefold()))


def source_holder(
    store: StoreReader, settings: Settings, name: str, seen: Iterable[str] | None = None
) -> Holder | None:
    """One source as a holder, without decoding its datasets (None: it holds none). `seen`: when the
    catalogue first held each of its datasets, where the caller has read them already (the source
    page reads them for more, and a registry's dataset of 100,000 variables is 17 MB a read)."""
    seen = [r.first_seen for r in store.records(name, kind="dataset")] if seen is None else list(seen)
    if not seen:
        return None
    last = store.confirmations(holder_key(SOURCE, name), limit=1)
    title = settings.sources[name].title if name in settings.sources else name
    return Holder(SOURCE, name, title or name, min(seen), len(seen), last[0] if last else None)


def overdue(found: Iterable[Holder], now: datetime | None = None) -> list[Holder]:
    return [h for h in found if h.overdue(now)]


def record(store: StoreWriter, holder: str, by: str, note: str = "") -> str:
    """Record a confirmation by `holder` ("source:<name>" or "publisher:<key>"); returns when."""
    return store.confirm(holder, by, note)


HARVEST_FOUND = "the harvest found {num} new, changed or deleted records"
HARVEST_UNCHANGED = "the harvest found no change; the publisher confirms by its feed"
"""A harvest's notes, kept in English as written; the web says them in the reader's language
(`web.confirmations.harvest_note`)."""


def record_harvest(
    store: StoreWriter, source: str, changed: int, confirm_unchanged: bool, first: bool = False
) -> str | None:
    """What a successful harvest confirms: the source, when its descriptions changed, or when the
    publisher said an unchanged feed confirms them; at most once per `HARVEST_EVERY`. A `first`
    harvest (the catalogue held none of the source's records before it) confirms nothing: a change
    is seen between two harvests, and the publisher's word that its feed confirms is about a feed
    it keeps, which the next harvest sees."""
    if first or (not changed and not confirm_unchanged):
        return None
    if not harvest_confirms(store, source, datetime.now(UTC)):
        return None
    key = holder_key(SOURCE, source)
    note = HARVEST_FOUND.format(num=changed) if changed else HARVEST_UNCHANGED
    return store.confirm(key, "harvest", note)


def harvest_confirms(store: StoreReader, source: str, now: datetime) -> bool:
    """Whether a successful harvest that changed something confirms the source at `now`: the
    last confirmation by a harvest is not from within `HARVEST_EVERY`."""
    previous = store.confirmations(holder_key(SOURCE, source), limit=1)
    return not (previous and previous[0]["by"] == "harvest" and now - parse_time(previous[0]["at"]) < HARVEST_EVERY)


def confirmation_level(at: str | None, now: datetime) -> float:
    """How current a confirmation is, for the quality label: 1 within a year, 0.5 within two, else 0."""
    if at is None:
        return 0.0
    age = now - parse_time(at)
    return 1.0 if age <= YEAR else 0.5 if age <= 2 * YEAR else 0.0
