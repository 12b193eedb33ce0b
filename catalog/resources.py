"""What one URI in the catalogue says: the RDF to answer when someone dereferences it.

Every dataset, variable, code list, code, catalogue record and agent in our feeds has a URI; a
client that follows one gets its description (the triples about it, with the blank nodes it
owns) and a browser gets the HTML page. This is the lookup behind `/id/...`, `/resource?uri=`
and `/datasets/<key>.ttl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV, RDF, RDFS, XSD

from catalog import profiles
from catalog.config import Settings
from catalog.export import add_record, record_uri
from catalog.model import CodeList, Dataset, key_for, text
from catalog.profiles import catalog_uri
from catalog.published import hdab
from catalog.rdf import _agent, add_variable, concept_uri, new_graph
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
    own = _own(settings, store, uri)
    if own is not None:
        return own
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
    holder = store.dataset_with_variable(key_for(uri))  # its dataset's other variables unread
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


RUN_PATH = re.compile(r"/harvest/([^/]+)/run/(\d+)")
"""A harvest run's URI after `base_uri` (`export.add_catalog_record`: `prov:wasGeneratedBy`)."""


def _own(settings: Settings, store: StoreReader, uri: str) -> Resource | None:
    """What the catalogue's feeds name at its own address and no record holds: its access body
    (`published.hdab`, every EHDS dataset's `healthdcatap:hdab` and the catalogue's publisher) and
    a harvest run (each catalogue record's `prov:wasGeneratedBy`). Both answered 404 (the access
    body's drill): the EU platform, following them, found nothing."""
    body = hdab(settings)
    if uri == body.uri:
        g = new_graph()
        _agent(g, body, (URIRef(uri), FOAF.name), health=True)
        return Resource(uri, g, "/ehds/")
    base = settings.base_uri.rstrip("/")
    found = RUN_PATH.fullmatch(uri[len(base) :]) if uri.startswith(base) else None
    run = store.run(int(found.group(2))) if found else None
    if found is None or run is None or run.source != found.group(1):
        return None
    g = new_graph()
    node = URIRef(uri)
    g.add((node, RDF.type, PROV.Activity))
    g.add((node, PROV.startedAtTime, Literal(run.started, datatype=XSD.dateTime)))
    if run.finished:
        g.add((node, PROV.endedAtTime, Literal(run.finished, datatype=XSD.dateTime)))
    g.add((node, RDFS.label, Literal(f"harvest of {run.source}, run {run.id}: {run.status}", lang="en")))
    return Resource(uri, g, f"/sources/{run.source}")


def _concept(settings: Settings, store: StoreReader, uri: str) -> Resource | None:
    scheme = store.get(uri.rsplit("/code/", 1)[0])
    if scheme is None or scheme.deleted_at or not isinstance(scheme.record, CodeList):
        return None
    codes = {c.uri or concept_uri(scheme.uri, c.code) for c in scheme.record.concepts}
    if uri not in codes:
        return None
    return Resource(uri, description(record_graph(settings, scheme), URIRef(uri)), page_of(scheme))
