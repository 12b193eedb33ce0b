"""The catalogue as one DCAT graph, in a chosen profile, with provenance of every record.

Profiles:
- `healthdcat-ap` (default, for the EHDS): only records that conform to our HealthDCAT-AP shapes;
  every dataset carries the access body as healthdcatap:hdab.
- `dcat-ap-no`: every live record, with the dct:identifier DCAT-AP-NO requires on the catalogue.
- `dcat-ap-3`: every live record.
Records deleted at their source are never exported. Each record gets a dcat:CatalogRecord with
dct:issued (first seen), dct:modified (last changed), dct:source (where it was fetched) and
prov:wasGeneratedBy (the harvest run).
"""

from __future__ import annotations

import dataclasses

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS as DCT, FOAF, PROV, RDF, XSD

from catalog.config import Settings, SourceConfig
from catalog.model import Agent, Dataset, Distribution, Record
from catalog.rdf import HK, add_codelist, add_dataset, new_graph
from catalog.store import SQLiteStore, StoredRecord

PROFILES = ("healthdcat-ap", "dcat-ap-no", "dcat-ap-3")
SERIALIZERS = {"turtle": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}
MEDIA_TYPES = {"turtle": "text/turtle", "jsonld": "application/ld+json", "xml": "application/rdf+xml",
               "nt": "application/n-triples"}


class UnknownProfile(ValueError):
    pass


def catalog_uri(settings: Settings) -> URIRef:
    return URIRef(settings.base_uri.rstrip("/") + "/catalog")


def hdab(settings: Settings) -> Agent:
    return Agent(name={"nb": settings.hdab_name, "en": settings.hdab_name}, uri=settings.base_uri.rstrip("/") + "/hdab",
                 email=settings.hdab_email, url=settings.base_uri)


def as_published(record: Record, settings: Settings, source: SourceConfig | None = None) -> Record:
    """The record as the EHDS feed publishes it, from what the source said plus the catalogue's
    own knowledge, never overwriting the source:

    - the catalogue's access body fills a missing healthdcatap:hdab;
    - the source's configured `options.defaults` fill empty dataset fields (e.g. the legal basis
      or health category a registry's spreadsheet cannot state);
    - `options.defaults.access_url` gives a dataset without distributions one: where to apply
      for access (for non-public health data, the access body's application form);
    - healthdcatap:hasStructuredData is true when the source lists variables.

    The pipeline validates this view, so a record's `conforms` flag says whether the EHDS feed
    may carry it.
    """
    if not isinstance(record, Dataset):
        return record
    changes: dict[str, object] = {}
    defaults = dict((source.options.get("defaults") or {}) if source else {})
    access_url = defaults.pop("access_url", None)
    for name, value in defaults.items():
        if getattr(record, name) in (None, "", [], {}):
            changes[name] = value
    if access_url and not record.distributions:
        changes["distributions"] = [Distribution(uri=f"{record.uri}#tilgang", access_url=access_url,
                                                 title={"nb": "Søk om tilgang", "en": "Apply for access"})]
    if record.hdab is None:
        changes["hdab"] = hdab(settings)
    if record.has_structured_data is None and record.variables:
        changes["has_structured_data"] = True
    return dataclasses.replace(record, **changes) if changes else record


def include(stored: StoredRecord, profile: str) -> bool:
    if profile not in PROFILES:
        raise UnknownProfile(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    if stored.deleted_at:
        return False
    return profile != "healthdcat-ap" or stored.kind != "dataset" or bool(stored.conforms)


def add_catalog(g: Graph, settings: Settings, profile: str) -> URIRef:
    cat = catalog_uri(settings)
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCT.title, Literal("Nasjonal katalog over helsedata", lang="nb")))
    g.add((cat, DCT.title, Literal("National catalogue of health data", lang="en")))
    g.add((cat, DCT.description, Literal("Datasett og variabler fra helseregistre, kvalitetsregistre, "
                                         "helseundersøkelser og SSB.", lang="nb")))
    g.add((cat, DCT.description, Literal("Datasets and variables from Norwegian health registries, quality "
                                         "registries, health surveys and Statistics Norway.", lang="en")))
    publisher = URIRef(settings.base_uri.rstrip("/") + "/hdab")
    g.add((cat, DCT.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(settings.hdab_name)))
    if profile == "dcat-ap-no":
        g.add((cat, DCT.identifier, Literal(str(cat))))
    return cat


def add_record(g: Graph, cat: URIRef, stored: StoredRecord, settings: Settings, profile: str) -> None:
    record = stored.record
    if isinstance(record, Dataset):
        if profile == "healthdcat-ap":
            record = as_published(record, settings, settings.sources.get(stored.source))
        subject = add_dataset(g, record)
        g.add((cat, DCAT.dataset, subject))
    else:
        subject = add_codelist(g, record)
        g.add((cat, HK.codeList, subject))
    cr = URIRef(f"{settings.base_uri.rstrip('/')}/record/{stored.key}")
    g.add((cat, DCAT.record, cr))
    g.add((cr, RDF.type, DCAT.CatalogRecord))
    g.add((cr, FOAF.primaryTopic, subject))
    g.add((cr, DCT.issued, Literal(stored.first_seen, datatype=XSD.dateTime)))
    g.add((cr, DCT.modified, Literal(stored.last_changed, datatype=XSD.dateTime)))
    if stored.fetch_url:
        g.add((cr, DCT.source, URIRef(stored.fetch_url)))
    run = URIRef(f"{settings.base_uri.rstrip('/')}/harvest/{stored.source}/run/{stored.run_id}")
    g.add((cr, PROV.wasGeneratedBy, run))
    g.add((run, RDF.type, PROV.Activity))
    g.add((cr, HK.contentHash, Literal(stored.hash)))
    g.add((cr, HK.conforms, Literal(bool(stored.conforms))))


def catalog_graph(settings: Settings, store: SQLiteStore, profile: str = "healthdcat-ap") -> Graph:
    if profile not in PROFILES:
        raise UnknownProfile(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    g = new_graph()
    cat = add_catalog(g, settings, profile)
    for stored in store.records():
        if include(stored, profile):
            add_record(g, cat, stored, settings, profile)
    return g


def serialize(g: Graph, fmt: str) -> bytes:
    if fmt not in SERIALIZERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(SERIALIZERS)}")
    return g.serialize(format=SERIALIZERS[fmt], encoding="utf-8")


__all__ = ["catalog_graph", "serialize", "PROFILES", "SERIALIZERS", "MEDIA_TYPES"]
