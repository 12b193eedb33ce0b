"""The access body's duties a writer carries out: what one action changes, done in one place.

The CLI commands (`catalog uses import`, `catalog confirm`) and the admin actions call these, so
an action does the same whoever asks for it: the register or the confirmation is written, the
labels it changes are assessed again (EHDS Art. 78), and the search documents that count the
uses of a dataset follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog import confirmations, label, minimum, uses
from catalog.config import Settings
from catalog.search import IndexWriter
from catalog.store import StoreWriter


class UnknownHolder(LookupError):
    """A source or publisher the catalogue does not hold; the message says where to find the known ones."""


def import_register(
    settings: Settings,
    store: StoreWriter,
    index: IndexWriter | None,
    content: bytes,
    source: str = "register",
    replace: bool = False,
) -> uses.Imported:
    """Import a data use register file (`catalog.uses.import_uses`: all or nothing), then assess
    again the labels of the datasets whose uses changed and update their search documents."""
    imported = uses.import_uses(store, content, source, replace)
    if imported.datasets:
        label.relabel(settings, store, uris=imported.datasets)
        if index is not None:
            from catalog.pipeline import refresh_documents

            refresh_documents(settings, store, index, imported.datasets)
    return imported


@dataclass
class Confirmed:
    holder: str
    name: str
    at: str
    relabelled: int


def confirm(settings: Settings, store: StoreWriter, kind: str, ident: str, by: str, note: str = "") -> Confirmed:
    """Record that a source or publisher confirmed its descriptions (Art. 60); its datasets' labels
    count it. `UnknownHolder` when the catalogue holds no such source or publisher."""
    if kind == confirmations.SOURCE:
        if ident not in settings.sources and not any(True for _ in store.records(ident, kind="dataset")):
            known = ", ".join(sorted(settings.sources)) or "none"
            raise UnknownHolder(f"no source named {ident!r}; known: {known}")
        name = settings.sources[ident].title if ident in settings.sources else ident
        uris = [r.uri for r in store.records(ident, kind="dataset")]
    elif kind == confirmations.PUBLISHER:
        found = minimum.check(store, settings)
        publishers = found.by_publisher()
        if ident not in publishers:
            raise UnknownHolder(f"no publisher with the key {ident!r}; `catalog confirmations` lists them")
        name = publishers[ident][0]
        uris = [d.uri for d in found.of_publisher(ident)]
    else:
        raise ValueError(f"a holder is a {confirmations.SOURCE} or a {confirmations.PUBLISHER}, not {kind!r}")
    at = confirmations.record(store, confirmations.holder_key(kind, ident), by, note)
    return Confirmed(
        confirmations.holder_key(kind, ident), name or ident, at, label.relabel(settings, store, uris=uris)
    )
