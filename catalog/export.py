"""The catalogue as DCAT, in a chosen profile, with provenance of every record.

Profiles:
- `healthdcat-ap` (default, for the EHDS): only records that conform to our HealthDCAT-AP shapes;
  every dataset carries the access body as healthdcatap:hdab; the catalogue names the EHDS
  regulation as its applicable legislation.
- `dcat-ap-no`: every live record, with the dct:identifier DCAT-AP-NO requires on the catalogue.
- `dcat-ap-3`: every live record.
Records deleted at their source are never exported (an incremental feed announces them as
tombstones, see `add_tombstone`). Each record gets a dcat:CatalogRecord (hk:CodeListRecord for a
code list, since DCAT-AP allows catalogue records only of DCAT resources) with dct:issued (first
seen), dct:modified (last changed), prov:wasDerivedFrom (where it was read: the upstream
catalogue record when the source had one, else the document) and prov:wasGeneratedBy (the run).

`catalog_graph` builds everything in memory (the CLI export); the web feeds page through the
store with `catalog.feeds` and write the same triples with `add_catalog`, `add_body` (a record's
own statements, rendered when it is stored: `catalog.renderings`) and `add_catalog_record`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, FOAF, PROV, RDF, SKOS, XSD
from rdflib.namespace import DCTERMS as DCT
from rdflib.term import Node

from catalog.config import Settings, SourceConfig
from catalog.model import Dataset, Record
from catalog.published import hdab, published_view
from catalog.rdf import (
    ADMS,
    DCATAP,
    ELI,
    HK,
    TripleSink,
    TripleWriter,
    _agent,
    add_codelist,
    add_dataset,
    add_variables,
    new_graph,
)
from catalog.rdf import EU as EU_AUTHORITY
from catalog.store import StoredRecord, StoreReader

PROFILES = ("healthdcat-ap", "dcat-ap-no", "dcat-ap-3")
SERIALIZERS = {"turtle": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
    "nt": "application/n-triples",
}
EHDS_REGULATION = "http://data.europa.eu/eli/reg/2025/327/oj"
"""Regulation (EU) 2025/327 on the European Health Data Space: the catalogue's applicable legislation."""
DELETED = URIRef("http://purl.org/adms/changetype/deleted")
"""ADMS change type a tombstone catalogue record carries (adms:status), as DCAT-AP suggests."""

UNSUPPORTED = {
    "classes": {
        "http://www.w3.org/ns/dcat#Catalog": "the source's own catalogue: we publish ours, naming where each record came from",
        "http://www.w3.org/ns/dcat#CatalogRecord": "the source's records: ours point at them with prov:wasDerivedFrom",
        "http://www.w3.org/ns/dcat#DataService": "data services are not catalogued (datasets and variables are)",
        "http://www.w3.org/ns/dcat#DatasetSeries": "series are not modelled; their member datasets are",
        "http://www.w3.org/ns/dcat#Relationship": "qualified relations are not modelled",
        "http://www.w3.org/ns/dqv#QualityCertificate": "quality annotations are not modelled",
        "http://www.w3.org/ns/adms#Identifier": "secondary identifiers (adms:identifier) are not modelled",
        "http://spdx.org/rdf/terms#Checksum": "checksums are not modelled",
        "http://www.w3.org/ns/odrl/2/Policy": "ODRL policies are not modelled",
    },
    "properties": {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "only the classes the profiles require are written",
        "http://purl.org/dc/terms/creator": "one creator per dataset is kept (the first by IRI); further creators are dropped",
        "http://purl.org/dc/terms/rights": "free-text rights statements are not modelled",
        "http://purl.org/dc/terms/isReferencedBy": "not modelled",
        "http://purl.org/dc/terms/relation": "not modelled",
        "http://purl.org/dc/terms/source": "not modelled on datasets",
        "http://purl.org/dc/terms/hasVersion": "not modelled",
        "http://purl.org/dc/terms/isVersionOf": "not modelled",
        "http://purl.org/dc/terms/alternative": "not modelled",
        "http://purl.org/dc/terms/temporal": "one period per dataset (start and end dates); others are dropped",
        "http://purl.org/dc/terms/spatial": "kept as IRIs; geometries of blank-node locations are dropped",
        "http://purl.org/dc/terms/rightsHolder": "not modelled",
        "http://purl.org/dc/terms/accessRights": "kept as an IRI; descriptions of it are dropped",
        "http://purl.org/dc/terms/conformsTo": "kept as IRIs; titles of the standards are dropped",
        "http://purl.org/dc/terms/license": "kept as an IRI; descriptions of it are dropped",
        "http://purl.org/dc/terms/format": "kept as an IRI; descriptions of it are dropped",
        "http://purl.org/dc/terms/type": "kept as an IRI on datasets and agents; labels of the type are dropped",
        "http://www.w3.org/ns/dcat#landingPage": "one landing page per dataset; descriptions of the page are dropped",
        "http://www.w3.org/ns/dcat#qualifiedRelation": "not modelled",
        "http://www.w3.org/ns/dcat#spatialResolutionInMeters": "not modelled",
        "http://www.w3.org/ns/dcat#temporalResolution": "not modelled",
        "http://www.w3.org/ns/dcat#inSeries": "series are not modelled",
        "http://www.w3.org/ns/dcat#accessService": "data services are not modelled",
        "http://www.w3.org/ns/dcat#compressFormat": "not modelled",
        "http://www.w3.org/ns/dcat#packageFormat": "not modelled",
        "http://www.w3.org/ns/dcat#bbox": "geometries are not modelled",
        "http://www.w3.org/ns/dcat#centroid": "geometries are not modelled",
        "http://www.w3.org/ns/adms#identifier": "secondary identifiers are not modelled",
        "http://www.w3.org/ns/adms#sample": "not modelled",
        "http://www.w3.org/ns/adms#status": "not modelled on distributions",
        "http://www.w3.org/ns/adms#versionNotes": "not modelled",
        "http://xmlns.com/foaf/0.1/page": "documentation pages are not modelled",
        "http://spdx.org/rdf/terms#checksum": "checksums are not modelled",
        "http://data.europa.eu/r5r/availability": "not modelled",
        "http://data.europa.eu/r5r/hvdCategory": "high-value-dataset categories are not modelled",
        "http://www.w3.org/ns/prov#qualifiedAttribution": "not modelled",
        "http://www.w3.org/ns/prov#wasGeneratedBy": "not modelled on datasets",
        "http://www.w3.org/ns/odrl/2/hasPolicy": "ODRL policies are not modelled",
        "http://www.w3.org/ns/dqv#hasQualityAnnotation": "quality annotations are not modelled",
        "https://www.w3.org/TR/vocab-dqv/#dqv:hasQualityAnnotation": "not a DQV term (a typo in an example)",
        "https://www.w3.org/TR/vocab-dqv/#dqv:hasQualityMeasurement": "not a DQV term (a typo in an example)",
        "http://www.w3.org/ns/dcat#language": "not a DCAT term (a typo in an example; dct:language is kept)",
        "https://w3id.org/dpv#hasPersonalData": "not modelled",
        "http://healthdataportal.eu/ns/health#hdabCoordinator": "not modelled",
        "http://healthdataportal.eu/ns/health#analytics": "not modelled",
        "http://healthdataportal.eu/ns/health#hasCodeValues": "free-text code values are not modelled (code lists are)",
        "http://healthdataportal.eu/ns/health#retentionPeriod": "not modelled",
        "http://data.europa.eu/m8g/telephone": "telephone numbers are not modelled",
        "http://data.europa.eu/m8g/openingHours": "not modelled",
        "http://www.w3.org/2006/vcard/ns#hasTelephone": "telephone numbers are not modelled",
        "http://www.w3.org/2006/vcard/ns#hasAddress": "addresses are not modelled",
        "http://www.w3.org/2006/vcard/ns#organization-name": "read as the contact's name, written as vcard:fn",
        "http://www.w3.org/2006/vcard/ns#hasOrganizationName": "read as the contact's name, written as vcard:fn",
        "http://www.w3.org/ns/csvw#url": "not modelled",
        "http://www.w3.org/2004/02/skos/core#prefLabel": "labels of referenced vocabulary terms are not kept (code lists keep theirs)",
        "http://www.w3.org/2000/01/rdf-schema#label": "labels of referenced terms are not kept",
        "http://purl.org/dc/terms/subject": "subjects (e.g. concept-catalogue links in DCAT-AP-NO) are not modelled",
        "http://purl.org/dc/terms/description": "not kept on agents (HealthDCAT-AP's publisher note)",
        "http://www.w3.org/ns/dcat#prev": "series order is not modelled",
        "http://purl.org/dc/terms/language": "kept on datasets, not on distributions",
        "http://purl.org/dc/terms/modified": "kept on datasets and code lists, not on distributions",
        "http://www.w3.org/2006/vcard/ns#organization-unit": "read as the contact's name when it has no other, "
        "written as vcard:fn",
        "http://data.europa.eu/m8g/contactPoint": "kept as e-mail and contact page; its IRI becomes <agent>#contactPoint",
        "http://healthdataportal.eu/ns/health#hasVariables": "variables keep their IRIs; the table group's and tables' "
        "IRIs are minted from the dataset's",
        "https://w3id.org/dpv#hasPurpose": "kept as its description; an IRI of the purpose node is not kept",
        "https://w3id.org/dpv#hasLegalBasis": "kept as its description; an IRI of the legal-basis node is not kept",
        "http://purl.org/dc/terms/provenance": "kept as its description; an IRI of the statement node is not kept",
    },
}
"""What a DCAT-AP / HealthDCAT-AP / DCAT-AP-NO feed may say that a harvest and re-export loses.

Everything else in a feed survives `harvest -> store -> export` (tested with every official
example in ../shared/standards/). Literals keep their text and language; their datatype is
normalised (dates by their form, counts as xsd:nonNegativeInteger); media types are written as
http://www.iana.org/assignments/media-types/ IRIs. Terms used in the examples that are not DCAT
terms at all (dcat:language, dqv IRIs with a '#dqv:' fragment) are listed too.
"""


class UnknownProfile(ValueError):
    pass


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise UnknownProfile(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return profile


def catalog_uri(settings: Settings) -> URIRef:
    return URIRef(settings.base_uri.rstrip("/") + "/catalog")


def record_uri(settings: Settings, key: str) -> URIRef:
    """The dcat:CatalogRecord IRI of a stored record; the web app resolves it."""
    return URIRef(f"{settings.base_uri.rstrip('/')}/record/{key}")


def as_published(record: Record, settings: Settings, source: SourceConfig | None = None) -> Record:
    """The record as the EHDS feed publishes it: what the source said, completed by the operator's
    organisation register and the source's `options.defaults`, plus the catalogue's access body
    (`catalog.published.published_view`, the one place this view is computed).

    The pipeline validates this view, so a record's `conforms` flag says whether the EHDS feed
    may carry it.
    """
    return published_view(record, settings, source).record


def include(stored: StoredRecord, profile: str) -> bool:
    check_profile(profile)
    if stored.deleted_at:
        return False
    return profile != "healthdcat-ap" or stored.kind != "dataset" or bool(stored.conforms)


def add_catalog(g: TripleWriter, settings: Settings, profile: str, modified: str | None = None) -> URIRef:
    """The catalogue node; `modified` (the store's latest change) is the cursor incremental harvesters keep."""
    cat = catalog_uri(settings)
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCT.title, Literal("Nasjonal katalog over helsedata", lang="nb")))
    g.add((cat, DCT.title, Literal("National catalogue of health data", lang="en")))
    g.add(
        (
            cat,
            DCT.description,
            Literal(
                "Datasett og variabler fra helseregistre, kvalitetsregistre, helseundersøkelser og SSB.", lang="nb"
            ),
        )
    )
    g.add(
        (
            cat,
            DCT.description,
            Literal(
                "Datasets and variables from Norwegian health registries, quality "
                "registries, health surveys and Statistics Norway.",
                lang="en",
            ),
        )
    )
    g.add((cat, DCT.publisher, _agent(g, hdab(settings), (cat, DCT.publisher), health=True)))
    if modified:
        g.add((cat, DCT.modified, Literal(modified, datatype=XSD.dateTime)))
    if profile == "dcat-ap-no":
        g.add((cat, DCT.identifier, Literal(str(cat))))
    if profile == "healthdcat-ap":
        g.add((cat, DCATAP.applicableLegislation, URIRef(EHDS_REGULATION)))
        g.add((URIRef(EHDS_REGULATION), RDF.type, ELI.LegalResource))
    return cat


def view(record: Record, settings: Settings, profile: str, source: str) -> Record:
    """The record as `profile` publishes it (the EHDS feed's additions, see `as_published`)."""
    if profile == "healthdcat-ap" and isinstance(record, Dataset):
        return as_published(record, settings, settings.sources.get(source))
    return record


def add_body(
    g: TripleWriter, record: Record, settings: Settings, profile: str, source: str, variables: bool = True
) -> URIRef:
    """The record's own statements in `profile`, from `source`: what `catalog.renderings` keeps per
    record, since they change only when the record, the settings or this code do. Without
    `variables`, a dataset's variables are left out: they read the same in every profile."""
    record = view(record, settings, profile, source)
    if isinstance(record, Dataset):
        if profile == "dcat-ap-no":
            part = TripleSink()
            subject = add_dataset(part, record, variables=False)
            for triple in for_dcat_ap_no(part):
                g.add(triple)
            if variables and record.variables:
                add_variables(g, subject, record)
            return subject
        return add_dataset(g, record, variables)
    return add_codelist(g, record)


def add_catalog_record(g: TripleWriter, cat: URIRef, stored: StoredRecord, settings: Settings) -> URIRef:
    """The catalogue's link to the record and its dcat:CatalogRecord: when we first saw it, when it
    last changed, where it was read and by which run (written per request: it changes with the store)."""
    subject = URIRef(stored.uri)
    cr = record_uri(settings, stored.key)
    if stored.kind == "dataset":
        g.add((cat, DCAT.dataset, subject))
        g.add((cat, DCAT.record, cr))
        g.add((cr, RDF.type, DCAT.CatalogRecord))
    else:  # DCAT-AP keeps dcat:CatalogRecord for datasets, services and catalogues: same data, our class
        g.add((cat, HK.codeList, subject))
        g.add((cat, HK.record, cr))
        g.add((cr, RDF.type, HK.CodeListRecord))
    g.add((cr, FOAF.primaryTopic, subject))
    g.add((cr, DCT.issued, Literal(stored.first_seen, datatype=XSD.dateTime)))
    g.add((cr, DCT.modified, Literal(stored.last_changed, datatype=XSD.dateTime)))
    if stored.fetch_url:
        g.add((cr, PROV.wasDerivedFrom, URIRef(stored.fetch_url)))
    run = URIRef(f"{settings.base_uri.rstrip('/')}/harvest/{stored.source}/run/{stored.run_id}")
    g.add((cr, PROV.wasGeneratedBy, run))
    g.add((run, RDF.type, PROV.Activity))
    g.add((cr, HK.contentHash, Literal(stored.hash)))
    g.add((cr, HK.conforms, Literal(bool(stored.conforms))))
    return cr


def add_record(g: TripleWriter, cat: URIRef, stored: StoredRecord, settings: Settings, profile: str) -> URIRef:
    """The record and its catalogue record; returns the catalogue record's IRI."""
    add_body(g, stored.record, settings, profile, stored.source)
    return add_catalog_record(g, cat, stored, settings)


ELI_TYPES = {"/eli/reg/": "REG", "/eli/dir/": "DIR", "/eli/dec/": "DEC"}
Triple = tuple[Any, Any, Any]
_BYTE_SIZE, _TYPE, _DCT_TYPE, _DCT_TITLE = DCAT.byteSize, RDF.type, DCT.type, DCT.title
_LEGAL_RESOURCE, _STANDARD = ELI.LegalResource, DCT.Standard
_WATCHED = {_BYTE_SIZE, _TYPE, _DCT_TYPE, _DCT_TITLE}


def for_dcat_ap_no(triples: Iterable[Triple]) -> list[Triple]:
    """What DCAT-AP-NO 2.0 (built on DCAT-AP 2) asks beyond DCAT-AP 3, filled in from what we know.

    - dcat:byteSize is xsd:decimal there (xsd:nonNegativeInteger in DCAT-AP 3);
    - an eli:LegalResource needs its dct:type: the EU resource type its ELI names (regulation,
      directive, decision);
    - a dct:Standard needs a dct:title: its label in our controlled vocabularies, else its notation.

    One pass over one record's triples (an rdflib Graph per record cost three times the record's
    writing, and feeds write every record in this profile).
    """
    out: list[Triple] = []
    laws: dict[Any, None] = {}
    standards: dict[Any, None] = {}
    typed, titled = set(), set()
    for s, p, o in triples:
        if p in _WATCHED:  # a set lookup first: rdflib's term equality is Python code
            if p == _BYTE_SIZE:
                o = Literal(str(o), datatype=XSD.decimal)
            elif p == _TYPE and o == _LEGAL_RESOURCE:
                laws[s] = None
            elif p == _TYPE and o == _STANDARD:
                standards[s] = None
            elif p == _DCT_TYPE:
                typed.add(s)
            elif p == _DCT_TITLE:
                titled.add(s)
        out.append((s, p, o))
    for law in laws:
        kind = next((code for part, code in ELI_TYPES.items() if part in str(law)), None)
        if kind and law not in typed:
            out.append((law, DCT.type, URIRef(EU_AUTHORITY + "resource-type/" + kind)))
    for standard in standards:
        if standard not in titled:
            out.extend((standard, DCT.title, label) for label in standard_titles(standard))
    return out


@lru_cache(maxsize=4096)
def standard_titles(standard: URIRef) -> tuple[Node, ...]:
    """A standard's labels in our controlled vocabularies, else its notation or the IRI's last part."""
    from catalog.validation import vocabulary_graph

    vocabularies = vocabulary_graph()
    labels = tuple(vocabularies.objects(standard, SKOS.prefLabel))
    return labels or (
        Literal(str(vocabularies.value(standard, SKOS.notation) or str(standard).rstrip("/").rsplit("/", 1)[-1])),
    )


def add_tombstone(g: TripleWriter, cat: URIRef, stored: StoredRecord, settings: Settings) -> URIRef:
    """A catalogue record saying the record left this feed (deleted, or no longer in the profile)."""
    cr = record_uri(settings, stored.key)
    g.add((cat, DCAT.record, cr))
    g.add((cr, RDF.type, DCAT.CatalogRecord))
    g.add((cr, FOAF.primaryTopic, URIRef(stored.uri)))
    g.add((cr, DCT.modified, Literal(stored.last_changed, datatype=XSD.dateTime)))
    g.add((cr, ADMS.status, DELETED))
    return cr


def catalog_graph(
    settings: Settings,
    store: StoreReader,
    profile: str = "healthdcat-ap",
    progress: Callable[[int], None] | None = None,
) -> Graph:
    """The whole catalogue in memory (for `catalog export`; the web serves it paged or streamed).

    `progress` is told of each record read."""
    check_profile(profile)
    g = new_graph()
    cat = add_catalog(g, settings, profile, store.version())
    for stored in store.records():
        if include(stored, profile):
            add_record(g, cat, stored, settings, profile)
        if progress is not None:
            progress(1)
    return g


def serialize(g: Graph, fmt: str) -> bytes:
    if fmt not in SERIALIZERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(SERIALIZERS)}")
    data = g.serialize(format=SERIALIZERS[fmt], encoding="utf-8")
    if fmt == "nt":  # one statement a line, in hash order: sorted, the same catalogue is the same bytes
        return b"".join(sorted(data.splitlines(keepends=True)))
    return data


__all__ = ["catalog_graph", "serialize", "PROFILES", "SERIALIZERS", "MEDIA_TYPES", "UNSUPPORTED"]
