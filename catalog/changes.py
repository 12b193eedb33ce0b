"""What changed in the catalogue since a moment: datasets, code lists, variables, services, products.

Read from the store's history (records), its records touched (their published statements changed
without them: a use, a label, another EHDS view) and variable history (variables inside datasets); the
web serves it as JSON (`/changes`) and Atom (`/changes.atom`) for people and programs that
follow the catalogue without harvesting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from catalog.model import Dataset, key_for, text
from catalog.store import StoreReader

CHANGES = {"new": "new", "restored": "new", "changed": "changed", "deleted": "deleted"}
"""Store history change -> what a follower is told (a restored record is new again to it)."""


@dataclass
class Change:
    at: str
    change: str  # new | changed | deleted
    type: str  # dataset | codelist | variable | service | product
    uri: str
    key: str
    title: str
    source: str
    dataset: str | None = None  # the dataset URI, for variables

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class Titles:
    """Titles of records and variables, each record read once per listing."""

    def __init__(self, store: StoreReader):
        self.store = store
        self.cache: dict[str, Any] = {}

    def record(self, uri: str) -> Any:
        if uri not in self.cache:
            self.cache[uri] = self.store.get(uri)
        return self.cache[uri]

    def of(self, uri: str, dataset: str | None = None) -> tuple[str, str]:
        """(title, source) of a record, or of a variable of `dataset`."""
        stored = self.record(dataset or uri)
        if stored is None:
            return uri, ""
        if dataset and isinstance(stored.record, Dataset):
            variable = next((v for v in stored.record.variables if v.uri == uri), None)
            return (f"{variable.name} – {text(variable.title)}" if variable else uri.rsplit("/", 1)[-1]), stored.source
        return text(stored.record.title) or uri, stored.source


def _changes(
    titles: Titles,
    records: list[dict[str, Any]],
    variables: list[dict[str, Any]],
    touched: Sequence[dict[str, Any]] = (),
) -> list[Change]:
    """The rows of both histories and of the records touched as changes, oldest first (at one
    moment, records first); a record touched that the same answer lists as changed (a harvest
    labels what it stores, after) is said once."""
    out: list[Change] = []
    listed = {row["uri"] for row in records}
    for row in [*records, *(row for row in touched if row["uri"] not in listed)]:
        title, source = titles.of(row["uri"])
        kind = CHANGES.get(row["change"], row["change"])
        out.append(Change(row["at"], kind, row["kind"], row["uri"], key_for(row["uri"]), title, source))
    for row in variables:
        title, source = titles.of(row["uri"], row["dataset_uri"])
        uri, dataset = row["uri"], row["dataset_uri"]
        out.append(Change(row["at"], row["change"], "variable", uri, key_for(uri), title, source, dataset))
    out.sort(key=lambda c: (c.at, c.type == "variable", c.uri))
    return out


def _collect(store: StoreReader, since: str, n: int) -> tuple[list[Change], list[str | None]]:
    """The first `n + 1` changes of each history (and of the records touched, `touched_since`),
    merged; and where each answer stopped (the `at` of its last row when it may have more, None
    when it was exhausted)."""
    records = store.changes_since(since, n + 1)
    touched = store.touched_since(since, n + 1)
    variables = store.variable_changes_since(since, n + 1)
    ends = [rows[-1]["at"] if len(rows) > n else None for rows in (records, touched, variables)]
    return _changes(Titles(store), records, variables, touched), ends


def changes_since(store: StoreReader, since: str, limit: int = 500) -> tuple[list[Change], bool]:
    """About `limit` changes after `since`, oldest first, never splitting one moment across answers,
    and whether more follow them.

    A follower continues from the last change's `at`, so all changes written at one moment come
    in the same answer (even when there are more than `limit` of them), and none is skipped. An
    answer cut before a moment may hold fewer than `limit` (a dataset's variables share its
    moment), so whether more follow is said, not left to the answer's length: a follower of the
    demo stopped after 465 of 4,865 changes."""
    n = limit
    while True:
        out, ends = _collect(store, since, n)
        more = any(end is not None for end in ends)
        if len(out) <= limit:
            return out, more
        cut = out[limit - 1].at
        if out[limit].at != cut:
            return out[:limit], True
        earlier = [c for c in out if c.at < cut]
        if earlier:
            return earlier, True
        if all(end is None or end > cut for end in ends):
            moment = [c for c in out if c.at == cut]
            return moment, more or len(moment) < len(out)
        n *= 4


def latest(store: StoreReader, since: str, limit: int = 500) -> list[Change]:
    """The last `limit` changes after `since`, newest first (an Atom feed's window): the oldest of
    them listed the first 500 of the last 30 days, and a change made after those never showed."""
    records = store.changes_since(since, limit, newest=True)
    touched = store.touched_since(since, limit, newest=True)
    variables = store.variable_changes_since(since, limit, newest=True)
    return list(reversed(_changes(Titles(store), records, variables, touched)))[:limit]
