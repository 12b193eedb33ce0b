"""What one URI in the catalogue says: the RDF to answer when someone dereferences it.

Every dataset, variable, code list, code, catalogue record and agent in our feeds has a URI; a
client that follows one gets its description (the triples about it, with the blank nodes it
owns) and a browser gets the HTML page. This is the lookup behind `/id/...`, `/resource?uri=`
and `/datasets/<key>.ttl`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import FOAF

from catalog import profiles
from catalog.config import Settings
from catalog.export import add_record, record_uri
from catalog.model import CodeList, Dataset, key_for, text
from catalog.profiles import catalog_uri
from catalog.rdf import add_variable, concept_uri, new_graph
from catalog.store import StoredRecord, StoreReader

PROFILE = profiles.get(profiles.BASE)
"""Dereferencing shows what we hold, whatever the feed profiles filter."""


@dataclass
class Resource:
    uri: str
    graph: Graph
    html: str
    """Path of the page for people (absolute path on this server)."""


def page_of(stored: StoredRecord) -> str:
    return f"/{'datasets' if stored.kind == 'dataset' else 'codelists'}/{stored.key}"


def description(g: Graph, node: URIRef) -> Graph:
    """The triples about `node` and, recursively, about the blank nodes it points to."""
    out = new_graph()
    todo: list[URIRef | BNode] = [node]
    seen: set[URIRef | BNode] = set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for triple in g.triples((s, None, None)):
            out.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    return out


def record_graph(settings: Settings, stored: StoredRecord) -> Graph:
    g = new_graph()
    add_record(g, catalog_uri(settings), stored, settings, PROFILE)
    return g


def describe(settings: Settings, store: StoreReader, uri: str) -> Resource | None:
    """The description of `uri`, or None when the catalogue holds nothing about it."""
    node = URIRef(uri)
    records_base = str(record_uri(settings, ""))
    if uri.startswith(records_base):
        stored = store.get_by_key(uri[len(records_base) :])
        if stored is None or stored.deleted_at:
            return None
        return Resource(uri, description(record_graph(settings, stored), node), page_of(stored))
    stored = store.get(uri)
    if stored is not None and not stored.deleted_at:
        g = record_graph(settings, stored)
        g.remove((catalog_uri(settings), None, None))
        return Resource(uri, g, page_of(stored))
    holder = store.dataset_of_variable(key_for(uri))
    if holder is not None and not holder.deleted_at and isinstance(holder.record, Dataset):
        variable = next(v for v in holder.record.variables if v.uri == uri)
        g = new_graph()
        add_variable(g, variable)
        return Resource(uri, g, f"/variables/{key_for(uri)}")
    if "/code/" in uri:
        found = _concept(settings, store, uri)
        if found is not None:
            return found
    mentioned = store.mentioning(uri)
    if mentioned is not None:
        g = description(record_graph(settings, mentioned), node)
        if len(g):
            name = text({"": str(g.value(node, FOAF.name) or "")}) or uri
            return Resource(uri, g, "/search?" + urlencode({"type": "dataset", "q": name}))
    return None


def _concept(settings: Settings, store: StoreReader, uri: str) -> Resource | None:
    scheme = store.get(uri.rsplit("/code/", 1)[0])
    if scheme is None or scheme.deleted_at or not isinstance(scheme.record, CodeList):
        return None
    codes = {c.uri or concept_uri(scheme.uri, c.code) for c in scheme.record.concepts}
    if uri not in codes:
        return None
    return Resource(uri, description(record_graph(settings, scheme), URIRef(uri)), page_of(scheme))
