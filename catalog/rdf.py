"""The model <-> DCAT-AP 3 / HealthDCAT-AP RDF, both directions, kept symmetric.

`to_graph` writes a record as RDF (used by validation, feeds and export); `from_graph` reads the
datasets and code lists of any DCAT-AP(-NO)/HealthDCAT-AP graph into records (used by the `dcat`
harvester). A term supported in one direction is supported in the other, and the round trip
`from_graph(to_graph(r)) == r` is a tested property. Variables are csvw:Column under
healthdcatap:hasVariables -> csvw:TableGroup -> csvw:Table, as in HealthDCAT-AP Release 8.

Terms without a standard home (a variable's unit, question text, code list link) use the small
`HK` vocabulary below, declared in the README.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import fields
from functools import lru_cache
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rdflib_namespaces
from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import Identifier, Node, _is_valid_langtag

from catalog.config import EU_AUTHORITY
from catalog.lru import remember
from catalog.markup import without_markup
from catalog.model import (
    Agent,
    CodeList,
    Concept,
    DataProduct,
    DataService,
    Dataset,
    Distribution,
    LangText,
    Record,
    Variable,
)

TERMS: dict[Node, Node] = {}
"""The terms the writers write, as the very objects they write: the validator compiles its shapes
onto them (`catalog.shacl.CompiledShapes`), so its lookups match by identity. A kept namespace's
term joins it when first looked up; a term the shapes name first joins it then (the shapes are
compiled with this dict), and the namespace keeps that object."""


def _kept(term: URIRef) -> URIRef:
    kept = TERMS.setdefault(term, term)
    assert isinstance(kept, URIRef)
    return kept


class KeptNamespace(Namespace):
    """An rdflib `Namespace` whose terms are kept once made: rdflib's makes and checks a new
    URIRef at every attribute access (~1 us), and writing a dataset looks up some seventy terms."""

    def __getattr__(self, name: str) -> URIRef:
        term = _kept(super().__getattr__(name))
        self.__dict__[name] = term  # found as the instance's own attribute from now on
        return term


class KeptTerms:
    """One of rdflib's closed namespaces (DCTERMS, DCAT, RDF ...) whose terms are kept once looked
    up: rdflib's checks every attribute access in Python (`DefinedNamespaceMeta.__getattr__`)."""

    def __init__(self, namespace: type[DefinedNamespace]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term: URIRef = _kept(getattr(self._namespace, name))
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self._namespace[name]


DCT = KeptTerms(rdflib_namespaces.DCTERMS)
DCAT = KeptTerms(rdflib_namespaces.DCAT)
FOAF = KeptTerms(rdflib_namespaces.FOAF)
OWL = KeptTerms(rdflib_namespaces.OWL)
PROV = KeptTerms(rdflib_namespaces.PROV)
RDF = KeptTerms(rdflib_namespaces.RDF)
SKOS = KeptTerms(rdflib_namespaces.SKOS)
XSD = KeptTerms(rdflib_namespaces.XSD)
DCATAP = KeptNamespace("http://data.europa.eu/r5r/")
HEALTH = KeptNamespace("http://healthdataportal.eu/ns/health#")
CSVW = KeptNamespace("http://www.w3.org/ns/csvw#")
VCARD = KeptNamespace("http://www.w3.org/2006/vcard/ns#")
CV = KeptNamespace("http://data.europa.eu/m8g/")
DPV = KeptNamespace("https://w3id.org/dpv#")
GEODCATAP = KeptNamespace("http://data.europa.eu/930/")
ADMS = KeptNamespace("http://www.w3.org/ns/adms#")
HYDRA = KeptNamespace("http://www.w3.org/ns/hydra/core#")
DQV = KeptNamespace("http://www.w3.org/ns/dqv#")
SCHEMA = KeptNamespace("https://schema.org/")
SCHEMA_HTTP = KeptNamespace("http://schema.org/")
"""schema.org as DCAT-AP 1 and 2 and DCAT-AP-NO 1.1 write it: Difi's catalogue on data.norge.no
gives its periods as http://schema.org/startDate (read, never written)."""
ELI = KeptNamespace("http://data.europa.eu/eli/ontology#")
HK = KeptNamespace("https://w3id.org/helsekatalog#")
PUBLISHED_WITH = HK.publishedWith
PUBLISHER_KIT = HK.PublisherKit
"""The publisher kit (`catalog publish`) says on its feed's dcat:Catalog that it wrote it
(`hk:publishedWith hk:PublisherKit`): the catalogue that harvests the feed then names, beside a
hint's DCAT term, the `metadata.toml` key or the variable list's heading the registry edits
(`catalog.readiness.format_hint`), where it told a registry "Add dcat:contactPoint"."""
DPROD = KeptNamespace("https://ekgf.github.io/dprod/")
"""OMG's Data Product Ontology (DPROD), a DCAT profile for data products."""
SERVICE_TYPE = "https://w3id.org/helsekatalog/service-type/"
PRODUCT_TYPE = "https://w3id.org/helsekatalog/product-type/"
PRICE_MODEL = "https://w3id.org/helsekatalog/price-model/"
CONCEPT_LABELS = {
    PRICE_MODEL + "free": {"nb": "gratis", "nn": "gratis", "en": "free"},
    PRICE_MODEL + "cost-recovery": {"nb": "selvkost", "nn": "sjølvkost", "en": "cost recovery"},
    PRICE_MODEL + "commercial": {"nb": "kommersiell", "nn": "kommersiell", "en": "commercial"},
    SERVICE_TYPE + "platform": {"nb": "analyseplattform", "nn": "analyseplattform", "en": "analysis platform"},
    SERVICE_TYPE + "analysis": {"nb": "analysetjeneste", "nn": "analyseteneste", "en": "analysis service"},
    PRODUCT_TYPE + "extract": {"nb": "ferdig uttrekk", "nn": "ferdig uttrekk", "en": "prepared extract"},
    PRODUCT_TYPE + "cohort": {"nb": "kohort", "nn": "kohort", "en": "cohort"},
    PRODUCT_TYPE + "indicator": {"nb": "indikatorer", "nn": "indikatorar", "en": "indicators"},
    PRODUCT_TYPE + "other": {"nb": "annet", "nn": "anna", "en": "other"},
}
"""Labels of the catalogue's own small vocabularies (DCAT-AP asks a skos:Concept for its skos:prefLabel)."""
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # missing from rdflib's closed DCAT namespace
XSD_INTEGER = XSD.integer
# Terms written per variable and per code, looked up once (rdflib's closed namespaces check
# every attribute access)
RDF_TYPE, DCT_DESCRIPTION, DCAT_KEYWORD = RDF.type, DCT.description, DCAT.keyword
CSVW_COLUMN, CSVW_NAME, CSVW_TITLE, CSVW_DATATYPE, CSVW_PROPERTY_URL = (
    CSVW.Column,
    CSVW.name,
    CSVW.title,
    CSVW.datatype,
    CSVW.propertyUrl,
)
SCHEMA_POSITION, SCHEMA_VALID_FROM, SCHEMA_VALID_THROUGH = SCHEMA.position, SCHEMA.validFrom, SCHEMA.validThrough
HK_UNIT, HK_CODE_LIST, HK_CODING_SYSTEM, HK_QUESTION = HK.unit, HK.codeList, HK.codingSystem, HK.question
CSVW_COLUMN_OF = CSVW.column
SKOS_CONCEPT, SKOS_IN_SCHEME, SKOS_NOTATION, SKOS_PREF_LABEL, SKOS_DEFINITION, SKOS_BROADER = (
    SKOS.Concept,
    SKOS.inScheme,
    SKOS.notation,
    SKOS.prefLabel,
    SKOS.definition,
    SKOS.broader,
)

_RARE_VARIABLE_TERMS = (
    HK_UNIT,
    HK_CODE_LIST,
    HK_CODING_SYSTEM,
    CSVW_PROPERTY_URL,
    HK_QUESTION,
    SCHEMA_VALID_FROM,
    SCHEMA_VALID_THROUGH,
    DCAT_KEYWORD,
)
"""What a variable may state besides its name, titles, description, datatype and position: the
reader looks them up together and reads them only when stated; `variables_ntriples` writes them
in this order."""

READ_TERMS = (
    RDF_TYPE,
    DCT_DESCRIPTION,
    DCAT_KEYWORD,
    CSVW_COLUMN,
    CSVW_NAME,
    CSVW_TITLE,
    CSVW_DATATYPE,
    CSVW_PROPERTY_URL,
    SCHEMA_POSITION,
    SCHEMA_VALID_FROM,
    SCHEMA_VALID_THROUGH,
    HK_UNIT,
    HK_CODE_LIST,
    HK_CODING_SYSTEM,
    HK_QUESTION,
    CSVW_COLUMN_OF,
)
"""Terms the reader looks variables up by: a parsed page uses these very objects
(`catalog.rdfparse`), so a lookup finds its key by identity, not by rdflib's Python `__eq__`."""

PREFIXES = {
    "dcat": rdflib_namespaces.DCAT,
    "dct": rdflib_namespaces.DCTERMS,
    "foaf": rdflib_namespaces.FOAF,
    "skos": rdflib_namespaces.SKOS,
    "xsd": rdflib_namespaces.XSD,
    "prov": rdflib_namespaces.PROV,
    "owl": rdflib_namespaces.OWL,
    "dcatap": DCATAP,
    "healthdcatap": HEALTH,
    "csvw": CSVW,
    "vcard": VCARD,
    "cv": CV,
    "dpv": DPV,
    "geodcatap": GEODCATAP,
    "adms": ADMS,
    "hydra": HYDRA,
    "dqv": DQV,
    "schema": SCHEMA,
    "eli": ELI,
    "hk": HK,
    "dprod": DPROD,
}

PREFIX_IRIS = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
"""PREFIXES as plain strings, for serialisers other than rdflib's."""

EU = EU_AUTHORITY


Triple = tuple[Node, Node, Node]


class TripleWriter(Protocol):
    """What the writers below need of their target: an rdflib `Graph`, a `TripleSink` (feeds) or
    the validator's `catalog.shacl.Index` (each record is validated without building a Graph)."""

    def add(self, triple: Triple, /) -> object: ...


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, replace=True)
    return g


# --- writing ---------------------------------------------------------------------------------

_VALID_TAGS: dict[str, bool] = {}


def text(value: str, lang: str | None = None) -> Literal:
    """The term `Literal(value, lang=lang)`, made without rdflib's per-call work.

    A record of 100 variables has ~500 literals, and Literal.__new__ (parsing the lexical form,
    normalising, checking the tag) was a third of validating one. For a plain or language-tagged
    string rdflib stores the string as its own value and no datatype; this does the same, so the
    term is equal to, hashes like and serialises like rdflib's (tests/test_rdf.py checks it).
    A tag is checked once; a tag rdflib refuses goes through rdflib, which raises as before."""
    if lang:
        valid = _VALID_TAGS.get(lang)
        if valid is None:
            valid = _is_valid_langtag(lang)
            if len(_VALID_TAGS) < 10_000:
                _VALID_TAGS[lang] = valid
        if not valid:
            return Literal(value, lang=lang)
    term = str.__new__(Literal, value)
    term._language = lang or None
    term._datatype = None
    term._value = value
    term._ill_typed = None
    return term


_NOT_IN_IRI = re.compile(r'[<>" {}|\\^`]')  # what rdflib's URIRef warns of (rdflib.term._invalid_uri_chars)


def iri(value: str) -> URIRef:
    """The term `URIRef(value)`, made without rdflib's Python-level check of each character when
    there is nothing to warn of (a record has an IRI a variable)."""
    if _NOT_IN_IRI.search(value) is None:
        return str.__new__(URIRef, value)
    return URIRef(value)


def _iris_of(values: list[str]) -> list[URIRef]:
    """`iri` of each of `values`, with one look for a character to warn of in all of them at once (a
    dataset's columns have an IRI each)."""
    try:
        plain = _NOT_IN_IRI.search("".join(values)) is None
    except TypeError:  # a value that is not text: `iri` refuses it as before
        plain = False
    if plain:
        new = str.__new__
        return [new(URIRef, value) for value in values]
    return [iri(value) for value in values]


def _iri(value: str) -> URIRef:
    """`URIRef(value)` for the writers below: `iri` for a string (what a record holds)."""
    return iri(value) if type(value) is str else URIRef(value)


def _plain(value: str, lang: str | None = None) -> Literal:
    """`Literal(value, lang=lang)` for the writers below: `text` for a string (what a record holds)."""
    return text(value, lang) if type(value) is str else Literal(value, lang=lang)


def integer(value: int) -> Literal:
    """The term `Literal(value)` for an int (xsd:integer), without rdflib's per-call work."""
    term = str.__new__(Literal, str(value))
    term._language = None
    term._datatype = XSD_INTEGER
    term._value = value
    term._ill_typed = None
    return term


def _lang(g: TripleWriter, s: Node, p: URIRef, value: LangText) -> None:
    for lang, txt in value.items():
        if txt:
            g.add((s, p, text(txt, lang or None)))


@lru_cache(maxsize=4096)
def _date(value: str) -> Literal:
    """The date's literal, typed by its form; one term for each date (a feed repeats a few)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?", value):
        return Literal(value, datatype=XSD.dateTime)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)  # DDI's partial dates ("2016-03"), as DCAT allows
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    return Literal(value)


def _iris(g: TripleWriter, s: Node, p: URIRef, values: Iterable[str], rdf_type: URIRef | None = None) -> None:
    for v in values:
        g.add((s, p, _iri(v)))
        if rdf_type is not None:
            g.add((_iri(v), RDF.type, rdf_type))


def stable_bnode(*about: object) -> BNode:
    """A blank node named after what it hangs from (subject, property): the same record always
    writes the same document, so feed pages keep their bytes (and their hashes, for harvesters
    that skip unchanged pages) from one rendering to the next."""
    return BNode("b" + hashlib.sha1(" ".join(map(str, about)).encode()).hexdigest()[:20])


def _agent(g: TripleWriter, agent: Agent, at: tuple[Node, URIRef], health: bool = False) -> Node:
    """The agent `at` (subject, property) points to: its IRI, or a blank node named after `at`."""
    node: Node = _iri(agent.uri) if agent.uri else stable_bnode(*at)
    g.add((node, RDF.type, FOAF.Agent))
    _lang(g, node, FOAF.name, agent.name)
    if agent.identifier:
        g.add((node, DCT.identifier, _plain(agent.identifier)))
    if agent.type:
        g.add((node, DCT.type, _iri(agent.type)))
        g.add((_iri(agent.type), RDF.type, SKOS.Concept))
    if agent.url:
        g.add((node, FOAF.homepage, _iri(agent.url)))
        g.add((_iri(agent.url), RDF.type, FOAF.Document))
    if health and (agent.email or agent.url):
        # one contact point per agent IRI, so an agent that is both publisher and custodian keeps
        # exactly one cv:contactPoint (HealthDCAT-AP's HealthAgent_Shape)
        cp = _iri(f"{agent.uri}#contactPoint") if agent.uri else stable_bnode(node, CV.contactPoint)
        g.add((node, CV.contactPoint, cp))
        g.add((cp, RDF.type, CV.ContactPoint))
        if agent.email:
            g.add((cp, CV.email, _plain(agent.email)))
        if agent.url:
            g.add((cp, CV.contactPage, _iri(agent.url)))
    elif agent.email:
        g.add((node, FOAF.mbox, _iri(f"mailto:{agent.email}")))
    return node


def _contact(g: TripleWriter, agent: Agent, at: tuple[Node, URIRef]) -> Node:
    node: Node = _iri(agent.uri) if agent.uri else stable_bnode(*at)
    g.add((node, RDF.type, VCARD.Kind))
    _lang(g, node, VCARD.fn, agent.name)
    if agent.email:
        g.add((node, VCARD.hasEmail, _iri(f"mailto:{agent.email}")))
    if agent.url:
        g.add((node, VCARD.hasURL, _iri(agent.url)))
    return node


def _described(g: TripleWriter, s: Node, p: URIRef, cls: URIRef, value: LangText) -> None:
    """A property whose value is a node carrying a description (dct:provenance, dpv:hasPurpose ...)."""
    if value:
        node = stable_bnode(s, p)
        g.add((s, p, node))
        g.add((node, RDF.type, cls))
        _lang(g, node, DCT.description, value)


def concept_uri(codelist_uri: str, code: str) -> str:
    return f"{codelist_uri.rstrip('/')}/code/{quote(code, safe='')}"


def _head(g: TripleWriter, s: URIRef, r: Dataset | DataService | DataProduct) -> None:
    """Identifier, title, description, publisher (with its contact point) and contact point."""
    g.add((s, DCT.identifier, _plain(r.identifier)))
    _lang(g, s, DCT.title, r.title)
    _lang(g, s, DCT.description, r.description)
    if r.publisher:
        g.add((s, DCT.publisher, _agent(g, r.publisher, (s, DCT.publisher), health=True)))
    if r.contact:
        g.add((s, DCAT.contactPoint, _contact(g, r.contact, at=(s, DCAT.contactPoint))))


def add_dataset(g: TripleWriter, d: Dataset, variables: bool = True) -> URIRef:
    """The dataset; its variables last, unless `variables` is false (see catalog.renderings)."""
    s = _iri(d.uri)
    g.add((s, RDF.type, DCAT.Dataset))
    _head(g, s, d)
    if d.hdab:
        g.add((s, HEALTH.hdab, _agent(g, d.hdab, (s, HEALTH.hdab), health=True)))
    if d.custodian:
        g.add((s, GEODCATAP.custodian, _agent(g, d.custodian, (s, GEODCATAP.custodian), health=True)))
    if d.creator:
        g.add((s, DCT.creator, _agent(g, d.creator, (s, DCT.creator))))
    for lang, words in d.keywords.items():
        for w in words:
            g.add((s, DCAT.keyword, _plain(w, lang or None)))
    _iris(g, s, DCAT.theme, d.themes, SKOS.Concept)
    _iris(g, s, HEALTH.healthCategory, d.health_categories, SKOS.Concept)
    _iris(g, s, HEALTH.healthTheme, d.health_themes, SKOS.Concept)
    if d.access_rights:
        g.add((s, DCT.accessRights, _iri(d.access_rights)))
        g.add((_iri(d.access_rights), RDF.type, DCT.RightsStatement))
    _iris(g, s, DCATAP.applicableLegislation, d.applicable_legislation, ELI.LegalResource)
    _described(g, s, DPV.hasLegalBasis, DPV.LegalBasis, d.legal_basis)
    _described(g, s, DPV.hasPurpose, DPV.Purpose, d.purpose)
    _described(g, s, DCT.provenance, DCT.ProvenanceStatement, d.provenance)
    _lang(g, s, HEALTH.populationCoverage, d.population_coverage)
    if d.temporal_start or d.temporal_end:
        period = stable_bnode(s, DCT.temporal)
        g.add((s, DCT.temporal, period))
        g.add((period, RDF.type, DCT.PeriodOfTime))
        if d.temporal_start:
            g.add((period, DCAT.startDate, _date(d.temporal_start)))
        if d.temporal_end:
            g.add((period, DCAT.endDate, _date(d.temporal_end)))
    _iris(g, s, DCT.spatial, d.spatial, DCT.Location)
    if d.issued:
        g.add((s, DCT.issued, _date(d.issued)))
    if d.modified:
        g.add((s, DCT.modified, _date(d.modified)))
    _iris(g, s, DCT.language, d.languages, DCT.LinguisticSystem)
    if d.landing_page:
        g.add((s, DCAT.landingPage, _iri(d.landing_page)))
        g.add((_iri(d.landing_page), RDF.type, FOAF.Document))
    if d.frequency:
        g.add((s, DCT.accrualPeriodicity, _iri(d.frequency)))
        g.add((_iri(d.frequency), RDF.type, DCT.Frequency))
    if d.dataset_type:
        g.add((s, DCT.type, _iri(d.dataset_type)))
        g.add((_iri(d.dataset_type), RDF.type, SKOS.Concept))
    _iris(g, s, DCT.conformsTo, d.conforms_to, DCT.Standard)
    _iris(g, s, DCT.relation, d.relations)
    _iris(g, s, HEALTH.hasCodingSystem, d.coding_systems, DCT.Standard)
    for code in d.code_values:
        g.add((s, HEALTH.hasCodeValues, _plain(code)))
    _iris(g, s, DPV.hasPersonalData, d.has_personal_data, DPV.PersonalData)
    for activity in d.generated_by:  # the activity, typed by HealthDCAT-AP's health-activity vocabulary
        node = _iri(f"{d.uri}#generated-by-{quote(activity.rstrip('/').rsplit('/', 1)[-1], safe='')}")
        g.add((s, PROV.wasGeneratedBy, node))
        g.add((node, RDF.type, PROV.Activity))
        g.add((node, DCT.type, _iri(activity)))
        g.add((_iri(activity), RDF.type, SKOS.Concept))
    for prop, value in (
        (HEALTH.numberOfRecords, d.number_of_records),
        (HEALTH.numberOfUniqueIndividuals, d.number_of_unique_individuals),
        (HEALTH.minTypicalAge, d.min_typical_age),
        (HEALTH.maxTypicalAge, d.max_typical_age),
    ):
        if value is not None:
            g.add((s, prop, Literal(value, datatype=XSD.nonNegativeInteger)))
    if d.has_structured_data is not None:
        g.add((s, HEALTH.hasStructuredData, Literal(d.has_structured_data)))
    if d.version:
        g.add((s, DCAT_VERSION, _plain(d.version)))
    for dist in d.distributions:
        node = add_distribution(g, dist)
        g.add((s, DCAT.distribution, node))
        # HealthDCAT-AP requires the legislation on each distribution too; it is the dataset's
        _iris(g, node, DCATAP.applicableLegislation, d.applicable_legislation)
    if variables and d.variables:
        add_variables(g, s, d)
    return s


def add_distribution(g: TripleWriter, dist: Distribution) -> URIRef:
    s = _iri(dist.uri)
    g.add((s, RDF.type, DCAT.Distribution))
    g.add((s, DCAT.accessURL, _iri(dist.access_url)))
    _lang(g, s, DCT.title, dist.title)
    _lang(g, s, DCT.description, dist.description)
    if dist.download_url:
        g.add((s, DCAT.downloadURL, _iri(dist.download_url)))
    if dist.media_type:
        media = _iri(f"http://www.iana.org/assignments/media-types/{dist.media_type}")
        g.add((s, DCAT.mediaType, media))
        g.add((media, RDF.type, DCT.MediaType))  # the class DCAT-AP's range shape asks for
    if dist.format:
        g.add((s, DCT.format, _iri(dist.format)))
        g.add((_iri(dist.format), RDF.type, DCT.MediaTypeOrExtent))
    if dist.license:
        g.add((s, DCT.license, _iri(dist.license)))
        g.add((_iri(dist.license), RDF.type, DCT.LicenseDocument))
    if dist.byte_size is not None:
        g.add((s, DCAT.byteSize, Literal(dist.byte_size, datatype=XSD.nonNegativeInteger)))
    _iris(g, s, DCT.conformsTo, dist.conforms_to, DCT.Standard)
    return s


def _table_uri(dataset_uri: str, table: str | None) -> URIRef:
    return _iri(f"{dataset_uri}#table" + (f"-{quote(table, safe='')}" if table else ""))


def add_variables(g: TripleWriter, s: URIRef, d: Dataset) -> None:
    group = _iri(f"{d.uri}#variables")
    g.add((s, HEALTH.hasVariables, group))
    g.add((group, RDF.type, CSVW.TableGroup))
    _lang(
        g,
        group,
        DCT.title,
        {lang: f"Variabler i {t}" if lang != "en" else f"Variables of {t}" for lang, t in d.title.items()}
        or {"": d.identifier},
    )
    tables: dict[str | None, URIRef] = {}
    add_nodes = getattr(g, "add_nodes", None)
    if add_nodes is not None:  # the validator's Index: every column's statements, and each table's columns, at once
        nodes: list[tuple[URIRef, dict[URIRef, tuple[Node, ...]]]] = []
        columns: dict[URIRef, list[URIRef]] = {}
        variables = d.variables
        iris, positions = _iris_of([v.uri for v in variables]), _positions(len(variables))
        for v, column, at in zip(variables, iris, positions, strict=True):
            t = tables.get(v.table)
            if t is None:
                t = tables[v.table] = _table(g, group, d, v.table)
                columns[t] = []
            statements = variable_statements(v)
            statements[SCHEMA_POSITION] = at
            nodes.append((column, statements))
            columns[t].append(column)
        add_nodes(nodes)
        for t, of_table in columns.items():
            g.add_objects(t, CSVW_COLUMN_OF, of_table)  # type: ignore[attr-defined]
        return
    for position, v in enumerate(d.variables):
        t = tables.get(v.table)
        if t is None:
            t = tables[v.table] = _table(g, group, d, v.table)
        column = add_variable(g, v)
        g.add((t, CSVW_COLUMN_OF, column))
        g.add((column, SCHEMA_POSITION, integer(position)))  # the source's order; RDF has none


def _table(g: TripleWriter, group: URIRef, d: Dataset, table: str | None) -> URIRef:
    """A table's statements (`add_variables`, as its first column comes); its term."""
    t = _table_uri(d.uri, table)
    g.add((group, CSVW.table, t))
    g.add((t, RDF.type, CSVW.Table))
    g.add((t, DCT.title, _plain(table or d.identifier)))
    return t


_POSITIONS: list[tuple[Literal]] = []
"""`(integer(i),)` for the positions 0, 1, ... seen so far: every dataset numbers its columns from 0."""
_POSITIONS_LOCK = threading.Lock()  # harvests may run in threads of one process


def _position(i: int) -> tuple[Literal]:
    if i < len(_POSITIONS):
        return _POSITIONS[i]
    with _POSITIONS_LOCK:
        while len(_POSITIONS) <= i:
            _POSITIONS.append((integer(len(_POSITIONS)),))
    return _POSITIONS[i]


def _positions(n: int) -> list[tuple[Literal]]:
    """`_position(i)` for i in range(n)."""
    if n:
        _position(n - 1)
    return _POSITIONS[:n]


def add_variable(g: TripleWriter, v: Variable) -> URIRef:
    c = iri(v.uri)
    statements = variable_statements(v)
    add_node = getattr(g, "add_node", None)  # the validator's Index takes a node's statements at once
    if add_node is not None:
        add_node(c, statements)
    else:
        for p, objects in statements.items():
            for o in objects:
                g.add((c, p, o))
    return c


def _texts(value: LangText) -> tuple[Literal, ...]:
    if len(value) == 1:  # most variables' texts are in one language
        ((lang, txt),) = value.items()
        return (text(txt, lang or None),) if txt else ()
    return tuple([text(txt, lang or None) for lang, txt in value.items() if txt])


@lru_cache(maxsize=256)
def _datatype_name(name: str) -> tuple[Literal]:
    """`(text(name),)`, one for each of the few datatype names a feed uses."""
    return (text(name),)


_COLUMN_TYPE = (CSVW_COLUMN,)


def variable_statements(v: Variable) -> dict[URIRef, tuple[Node, ...]]:
    """What a variable's column states: property -> objects, in the order written (a property
    without objects is left out; `keywords` may repeat one)."""
    out: dict[URIRef, tuple[Node, ...]] = {RDF_TYPE: _COLUMN_TYPE, CSVW_NAME: (text(v.name),)}
    title, description = v.title, v.description
    if len(title) == 1:  # most variables' texts are in one language: `_texts` written out
        ((lang, txt),) = title.items()
        if txt:
            out[CSVW_TITLE] = (text(txt, lang or None),)
    elif title and (titles := _texts(title)):
        out[CSVW_TITLE] = titles
    if len(description) == 1:
        ((lang, txt),) = description.items()
        if txt:
            out[DCT_DESCRIPTION] = (text(txt, lang or None),)
    elif description and (descriptions := _texts(description)):
        out[DCT_DESCRIPTION] = descriptions
    out[CSVW_DATATYPE] = _datatype_name(v.datatype)
    if v.unit:
        out[HK_UNIT] = (text(v.unit),)
    if v.codelist:
        out[HK_CODE_LIST] = (URIRef(v.codelist),)
    if v.coding_system:
        out[HK_CODING_SYSTEM] = (text(v.coding_system),)
    if v.property_url:
        out[CSVW_PROPERTY_URL] = (URIRef(v.property_url),)
    if v.question and (questions := _texts(v.question)):
        out[HK_QUESTION] = questions
    if v.valid_from:
        out[SCHEMA_VALID_FROM] = (_date(v.valid_from),)
    if v.valid_to:
        out[SCHEMA_VALID_THROUGH] = (_date(v.valid_to),)
    if v.keywords:
        out[DCAT_KEYWORD] = tuple([text(w) for w in v.keywords])
    return out


def variables_ntriples(s: URIRef, d: Dataset) -> bytes:
    """What `add_variables(sink, s, d)` writes, as `TripleSink.turtle` writes it, made straight from
    the model: a dataset's variables are most of its statements, and making a term for each value
    and then writing it took half of rendering a dataset in three profiles. Values the plain path
    would write otherwise (an IRI or language tag that needs rdflib's checks, dates) go through it;
    tests/test_rdf.py holds the two to the same bytes.

    Most datasets' variables need no escape and no check beyond one look at all their IRIs and
    all their texts at once (`_plain_variables`); the others are written value by value."""
    plain = _plain_variables(s, d)
    return plain if plain is not None else _variables_written(s, d)


def _variable_head(add: Callable[[str], object], s: URIRef, d: Dataset) -> str:
    """The table group's statements (`add_variables`' first), as lines; its term as written."""
    dataset = nt_term(s)
    group = _nt_iri(f"{d.uri}#variables")
    add(f"{dataset} {_P_HAS_VARIABLES} {group} .\n")
    add(f"{group} {_P_TYPE} {_O_TABLE_GROUP} .\n")
    titles = {lang: f"Variabler i {t}" if lang != "en" else f"Variables of {t}" for lang, t in d.title.items()}
    _nt_texts(add, group, _P_TITLE, titles or {"": d.identifier})
    return group


def _nt_table(add: Callable[[str], object], group: str, d: Dataset, table: str | None) -> str:
    """A table's statements (`add_variables`' for each table, as its first column comes), as lines;
    its term as written."""
    t = nt_term(_table_uri(d.uri, table))
    add(f"{group} {_P_TABLE} {t} .\n")
    add(f"{t} {_P_TYPE} {_O_TABLE} .\n")
    add(f"{t} {_P_TITLE} {_nt_text(table or d.identifier)} .\n")
    return t


def _plain_variables(s: URIRef, d: Dataset) -> bytes | None:
    """`variables_ntriples` of a dataset whose variables' IRIs need no check and whose texts need no
    escape and carry only tags already known to be valid (None for any other dataset).

    Each value is written as it is, with no call per value: the IRIs are looked at once, joined,
    and the texts are gathered as they are written and looked at once at the end (a text that
    needs an escape, rare, sends the whole dataset to `_variables_written`)."""
    variables = d.variables
    try:
        if _IRI_UNSAFE.search("".join([v.uri for v in variables])) is not None:
            return None
    except TypeError:  # an IRI that is not text: refused there as before
        return None
    out: list[str] = []
    add = out.append
    texts: list[str] = []
    said = texts.append
    group = _variable_head(add, s, d)
    tables: dict[str | None, str] = {}
    for position, v in enumerate(variables):
        t = tables.get(v.table)
        if t is None:
            t = tables[v.table] = _nt_table(add, group, d, v.table)
        c = f"<{v.uri}>"
        name, datatype = v.name, v.datatype
        said(name)
        said(datatype)
        add(f'{c} {_P_TYPE} {_O_COLUMN} .\n{c} {_P_NAME} "{name}" .\n')
        if not (
            _plain_texts(add, said, c, _P_CSVW_TITLE, v.title)
            and _plain_texts(add, said, c, _P_DESCRIPTION, v.description)
        ):
            return None
        add(f'{c} {_P_DATATYPE} "{datatype}" .\n')
        if v.unit:
            said(v.unit)
            add(f'{c} {_P_UNIT} "{v.unit}" .\n')
        if v.codelist:
            add(f"{c} {_P_CODE_LIST} {_nt_iri(v.codelist)} .\n")
        if v.coding_system:
            said(v.coding_system)
            add(f'{c} {_P_CODING_SYSTEM} "{v.coding_system}" .\n')
        if v.property_url:
            add(f"{c} {_P_PROPERTY_URL} {_nt_iri(v.property_url)} .\n")
        if v.question and not _plain_texts(add, said, c, _P_QUESTION, v.question):
            return None
        if v.valid_from:
            add(f"{c} {_P_VALID_FROM} {nt_term(_date(v.valid_from))} .\n")
        if v.valid_to:
            add(f"{c} {_P_VALID_THROUGH} {nt_term(_date(v.valid_to))} .\n")
        for w in v.keywords:
            said(w)
            add(f'{c} {_P_KEYWORD} "{w}" .\n')
        add(f'{t} {_P_COLUMN} {c} .\n{c} {_P_POSITION} "{position}"^^{_XSD_INTEGER} .\n')
    try:
        probe = "".join(texts)
    except TypeError:  # a value that is not text: written (or refused) value by value
        return None
    if '"' in probe or "\\" in probe or "\n" in probe or "\r" in probe:
        return None
    return b"".join([chunk.encode() for chunk in out])  # chunks of IRIs alone (most) are copied as they are


def _plain_texts(add: Callable[[str], object], said: Callable[[str], object], c: str, p: str, value: LangText) -> bool:
    """`_plain_variables`' lines of a variable's texts in several languages; False for a tag not yet
    known to be valid (the dataset is then written value by value)."""
    for lang, txt in value.items() if value else ():
        if txt:
            said(txt)
            if not lang:
                add(f'{c} {p} "{txt}" .\n')
            elif _VALID_TAGS.get(lang):
                add(f'{c} {p} "{txt}"@{lang} .\n')
            else:
                return False
    return True


def _variables_written(s: URIRef, d: Dataset) -> bytes:
    """`variables_ntriples` value by value: each text escaped where it needs it, each IRI and tag checked."""
    out: list[str] = []
    add = out.append
    group = _variable_head(add, s, d)
    tables: dict[str | None, str] = {}
    for position, v in enumerate(d.variables):
        t = tables.get(v.table)
        if t is None:
            t = tables[v.table] = _nt_table(add, group, d, v.table)
        c = _nt_iri(v.uri)
        add(f'{c} {_P_TYPE} {_O_COLUMN} .\n{c} {_P_NAME} "{_escaped(v.name)}" .\n')
        if v.title:
            _nt_texts(add, c, _P_CSVW_TITLE, v.title)
        if v.description:
            _nt_texts(add, c, _P_DESCRIPTION, v.description)
        add(f'{c} {_P_DATATYPE} "{_escaped(v.datatype)}" .\n')
        if v.unit:
            add(f"{c} {_P_UNIT} {_nt_text(v.unit)} .\n")
        if v.codelist:
            add(f"{c} {_P_CODE_LIST} {_nt_iri(v.codelist)} .\n")
        if v.coding_system:
            add(f"{c} {_P_CODING_SYSTEM} {_nt_text(v.coding_system)} .\n")
        if v.property_url:
            add(f"{c} {_P_PROPERTY_URL} {_nt_iri(v.property_url)} .\n")
        if v.question:
            _nt_texts(add, c, _P_QUESTION, v.question)
        if v.valid_from:
            add(f"{c} {_P_VALID_FROM} {nt_term(_date(v.valid_from))} .\n")
        if v.valid_to:
            add(f"{c} {_P_VALID_THROUGH} {nt_term(_date(v.valid_to))} .\n")
        for w in v.keywords:
            add(f"{c} {_P_KEYWORD} {_nt_text(w)} .\n")
        add(f'{tables[v.table]} {_P_COLUMN} {c} .\n{c} {_P_POSITION} "{position}"^^{_XSD_INTEGER} .\n')
    return "".join(out).encode()


def _nt_iri(iri: str) -> str:
    return f"<{iri}>" if not _IRI_UNSAFE.search(iri) else nt_term(URIRef(iri))


def _nt_text(value: str, lang: str | None = None) -> str:
    """`nt_term(text(value, lang))`; a tag rdflib refuses raises as `text` does."""
    if lang and not _VALID_TAGS.get(lang):
        return nt_term(text(value, lang))
    body = '"' + _escaped(value) + '"'
    return f"{body}@{lang}" if lang else body


def _nt_texts(add: Callable[[str], object], s: str, p: str, value: LangText) -> None:
    """`_lang` as N-Triples lines (`_nt_text` unrolled: a variable has two or three of these)."""
    for lang, txt in value.items():
        if txt:
            if lang and _VALID_TAGS.get(lang):
                add(f'{s} {p} "{_escaped(txt)}"@{lang} .\n')
            else:
                add(f"{s} {p} {_nt_text(txt, lang or None)} .\n")


def add_codelist(g: TripleWriter, cl: CodeList) -> URIRef:
    s = URIRef(cl.uri)
    g.add((s, RDF.type, SKOS.ConceptScheme))
    g.add((s, DCT.identifier, Literal(cl.identifier)))
    _lang(g, s, DCT.title, cl.title)
    _lang(g, s, DCT.description, cl.description)
    if cl.publisher:
        g.add((s, DCT.publisher, _agent(g, cl.publisher, (s, DCT.publisher))))
    if cl.version:
        g.add((s, OWL.versionInfo, Literal(cl.version)))
    if cl.valid_from:
        g.add((s, SCHEMA.validFrom, _date(cl.valid_from)))
    if cl.valid_to:
        g.add((s, SCHEMA.validThrough, _date(cl.valid_to)))
    if cl.modified:
        g.add((s, DCT.modified, _date(cl.modified)))
    if cl.landing_page:
        g.add((s, DCAT.landingPage, URIRef(cl.landing_page)))
    for position, c in enumerate(cl.concepts):
        n = URIRef(c.uri or concept_uri(cl.uri, c.code))
        g.add((n, RDF_TYPE, SKOS_CONCEPT))
        g.add((n, SCHEMA_POSITION, integer(position)))
        g.add((n, SKOS_IN_SCHEME, s))
        g.add((n, SKOS_NOTATION, text(c.code)))
        if any(c.label.values()):
            _lang(g, n, SKOS_PREF_LABEL, c.label)
        else:  # DCAT-AP 3's Category_Shape asks a label of every concept: the code says itself
            g.add((n, SKOS_PREF_LABEL, text(c.code)))
        _lang(g, n, SKOS_DEFINITION, c.definition)
        if c.parent:
            g.add((n, SKOS_BROADER, URIRef(concept_uri(cl.uri, c.parent))))
        if c.valid_from:
            g.add((n, SCHEMA_VALID_FROM, _date(c.valid_from)))
        if c.valid_to:
            g.add((n, SCHEMA_VALID_THROUGH, _date(c.valid_to)))
        if c.missing:
            g.add((n, HK.missingValue, Literal(True)))
    return s


def _concept(g: TripleWriter, s: URIRef, p: URIRef, iri: str) -> None:
    """A value from one of our vocabularies, typed and labelled as DCAT-AP asks of a skos:Concept."""
    node = URIRef(iri)
    g.add((s, p, node))
    g.add((node, RDF.type, SKOS.Concept))
    code = iri.rsplit("/", 1)[-1]
    for lang, label in CONCEPT_LABELS.get(iri, {"nb": code, "nn": code, "en": code}).items():
        g.add((node, SKOS.prefLabel, Literal(label, lang=lang)))


def _offer(g: TripleWriter, s: URIRef, r: DataService | DataProduct) -> None:
    """What every marketplace entry says: provider, contact, how to order or apply, price and terms."""
    _head(g, s, r)
    if r.landing_page:
        g.add((s, DCAT.landingPage, URIRef(r.landing_page)))
        g.add((URIRef(r.landing_page), RDF.type, FOAF.Document))
    if r.license:
        g.add((s, DCT.license, URIRef(r.license)))
        g.add((URIRef(r.license), RDF.type, DCT.LicenseDocument))
    for lang, words in r.keywords.items():
        for w in words:
            g.add((s, DCAT.keyword, Literal(w, lang=lang or None)))
    _iris(g, s, DCAT.theme, r.themes, SKOS.Concept)
    _lang(g, s, HK.howToOrder, r.how_to_order)
    if r.order_url:
        g.add((s, HK.orderPage, URIRef(r.order_url)))
    if r.price_model:
        _concept(g, s, HK.priceModel, PRICE_MODEL + r.price_model)
    _lang(g, s, HK.price, r.price)
    _lang(g, s, HK.terms, r.terms)


def add_service(g: TripleWriter, service: DataService, links: bool = True) -> URIRef:
    """A dcat:DataService; its dcat:servesDataset links unless `links` is false (the feeds write
    those per request, to the datasets each feed carries: `catalog.profiles.Profile.add_live`)."""
    s = URIRef(service.uri)
    g.add((s, RDF.type, DCAT.DataService))
    _offer(g, s, service)
    _concept(g, s, DCT.type, SERVICE_TYPE + service.service_type)
    if service.endpoint_url:
        g.add((s, DCAT.endpointURL, URIRef(service.endpoint_url)))
    if service.endpoint_description:
        g.add((s, DCAT.endpointDescription, URIRef(service.endpoint_description)))
    if service.access_rights:
        g.add((s, DCT.accessRights, URIRef(service.access_rights)))
        g.add((URIRef(service.access_rights), RDF.type, DCT.RightsStatement))
    _iris(g, s, DCT.conformsTo, service.conforms_to, DCT.Standard)
    _iris(g, s, DCATAP.applicableLegislation, service.applicable_legislation, ELI.LegalResource)
    if links:
        _iris(g, s, DCAT.servesDataset, service.serves_datasets)
    return s


def add_product(g: TripleWriter, product: DataProduct) -> URIRef:
    """A data product as DPROD's dprod:DataProduct, made from its datasets (prov:wasDerivedFrom)."""
    s = URIRef(product.uri)
    g.add((s, RDF.type, DPROD.DataProduct))
    _offer(g, s, product)
    _concept(g, s, DCT.type, PRODUCT_TYPE + product.product_type)
    _iris(g, s, PROV.wasDerivedFrom, product.derived_from)
    return s


for _term in tuple(globals().values()):  # the terms above made without a kept namespace (DCAT_VERSION)
    if type(_term) is URIRef:
        TERMS.setdefault(_term, _term)

WRITERS: dict[str, Callable[[TripleWriter, Any], URIRef]] = {
    "dataset": add_dataset,
    "codelist": add_codelist,
    "service": add_service,
    "product": add_product,
}


def add_records(g: TripleWriter, records: Iterable[Record]) -> None:
    for r in records:
        WRITERS[r.kind](g, r)


def to_graph(records: Iterable[Record], graph: Graph | None = None) -> Graph:
    g = graph if graph is not None else new_graph()
    add_records(g, records)
    return g


class TripleSink(list[Triple]):
    """Triples in the order written, with Graph's `add`, for the writers above.

    Writing a page of 100 datasets into an rdflib Graph and serialising it with rdflib takes most of
    a second; collecting the triples here and letting pyoxigraph (Rust) serialise takes a fraction
    (catalog.feeds.render). A repeated triple is kept (`render` drops repeated lines): checking
    for repeats here meant hashing every literal with rdflib's Python-level hash.
    """

    add = list.append

    def turtle(self) -> bytes:
        """The triples as Turtle statements, one a line (also N-Triples: no prefixes, no nesting).

        `nt_term` inlined for an IRI already written (most terms: every predicate and most
        subjects), which is looked up by its text without a call."""
        written = _IRIS
        lines: list[str] = []
        add = lines.append
        last: object = _NO_TERM
        subject = ""
        for s, p, o in self:
            if s is not last:  # a node's statements come one after another: its term written once for them
                last = s
                subject = (written.get(str(s)) or nt_term(s)) if type(s) is URIRef else nt_term(s)
            predicate = (written.get(str(p)) or nt_term(p)) if type(p) is URIRef else nt_term(p)
            value = (written.get(str(o)) or nt_term(o)) if type(o) is URIRef else nt_term(o)
            add(f"{subject} {predicate} {value} .\n")
        return "".join(lines).encode()


_NO_TERM = object()  # what no statement's subject is
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_IRIS: dict[str, str] = {}  # IRIs recur: predicates in every statement, a variable's in eight


def _escaped(value: str) -> str:
    """`value` as the text of an N-Triples string. Most texts need no escape, and looking for the
    four characters that do is a fifteenth of what `str.translate` takes to copy a text."""
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def nt_term(term: Any) -> str:
    """A term in Turtle, as rdflib's n3() would write it but without its per-term work (a page
    has ~20,000 terms): the common cases here, anything unusual through rdflib."""
    kind = type(term)
    if kind is URIRef:
        # looked up by its text: the writers make a new URIRef for each statement, and a key equal
        # but not identical is compared by rdflib's Python `__eq__`
        key = str(term)
        written = _IRIS.get(key)
        if written is None:
            written = remember(_IRIS, key, term.n3() if _IRI_UNSAFE.search(term) else f"<{term}>", 100_000)
        return written
    if kind is Literal:  # its fields read as they are kept (rdflib's `language` and `datatype` are Python properties)
        body = '"' + _escaped(term) + '"'
        language = term._language
        if language:
            return f"{body}@{language}"
        datatype = term._datatype
        return f"{body}^^<{datatype}>" if datatype else body
    return term.n3()


(
    _P_HAS_VARIABLES,
    _P_TYPE,
    _O_TABLE_GROUP,
    _P_TITLE,
    _P_TABLE,
    _O_TABLE,
    _O_COLUMN,
    _P_NAME,
    _P_CSVW_TITLE,
    _P_DESCRIPTION,
    _P_DATATYPE,
    _P_UNIT,
    _P_CODE_LIST,
    _P_CODING_SYSTEM,
    _P_PROPERTY_URL,
    _P_QUESTION,
    _P_VALID_FROM,
    _P_VALID_THROUGH,
    _P_KEYWORD,
    _P_COLUMN,
    _P_POSITION,
    _XSD_INTEGER,
) = (
    f"<{iri}>"
    for iri in (
        HEALTH.hasVariables,
        RDF.type,
        CSVW.TableGroup,
        DCT.title,
        CSVW.table,
        CSVW.Table,
        CSVW_COLUMN,
        CSVW_NAME,
        CSVW_TITLE,
        DCT_DESCRIPTION,
        CSVW_DATATYPE,
        *_RARE_VARIABLE_TERMS,
        CSVW_COLUMN_OF,
        SCHEMA_POSITION,
        XSD_INTEGER,
    )
)
"""The terms `variables_ntriples` writes, as written."""


# --- reading ---------------------------------------------------------------------------------


class TripleReader(Protocol):
    """What `Reader` needs of a graph: an rdflib `Graph` or the lighter `catalog.rdfparse.LightGraph`."""

    def objects(self, subject: Node | None, predicate: Node, /) -> Iterator[Node]: ...

    def subjects(self, predicate: Node, obj: Node, /) -> Iterator[Node]: ...


def _properties(g: TripleReader) -> Callable[[Node], Mapping[Node, Collection[Any]]]:
    """What gives the predicate -> objects of a subject: LightGraph's own index (objects as it
    keeps them: plain strings as `str`, tagged ones as (text, tag), `catalog.rdfparse.stored`),
    else a gathering from an rdflib Graph (which has no `properties`)."""
    own = getattr(g, "properties", None)
    if own is not None:
        return own

    def gathered(s: Node) -> Mapping[Node, Collection[Any]]:
        out: dict[Node, list[Node]] = {}
        for p, o in g.predicate_objects(s):  # type: ignore[attr-defined]
            out.setdefault(p, []).append(o)
        return out

    return gathered


def _values(g: TripleReader) -> Callable[[Node, Node], Collection[Any] | None]:
    """What gives the objects of a subject for a predicate, None for none: LightGraph's, as it
    keeps them (as `_properties` gives them), else an rdflib Graph's terms."""
    own = getattr(g, "values", None)
    if own is not None:
        return own

    def listed(s: Node, p: Node) -> Collection[Any] | None:
        return list(g.objects(s, p)) or None

    return listed


def _string_key(value: str | tuple[str, str]) -> tuple[str, str]:
    """The order rdflib gives plain and language-tagged strings (kept as `str` and (text, tag)):
    untagged first, then by tag, then by text (`Literal.__gt__`, without its Python for each pair)."""
    return ("", value) if type(value) is str else (value[1], value[0])


def _strings(values: Collection[Any]) -> bool:
    """Whether all values are strings as LightGraph keeps them, to be ordered by `_string_key`, their
    tags in lower case: pyoxigraph gives them so, but rdflib's JSON-LD parser keeps a tag's case,
    and rdflib's order of texts whose tags differ in case alone is no one order (its equality
    ignores the case, its order does not): those are ordered by rdflib, as before."""
    return all(type(v) is str or (type(v) is tuple and v[1].islower()) for v in values)


def _ordered(nodes: Iterable[Node]) -> list[Identifier]:
    """Nodes in rdflib's order of terms (a graph's terms are all Identifiers, which order). IRIs
    alone (a table's columns) order as their text, compared without rdflib's Python `__lt__`
    (and told apart by their type: `isinstance` of rdflib's abstract Node runs Python code)."""
    found = list(nodes)
    if all(type(n) is URIRef for n in found):
        return sorted(found, key=str)  # type: ignore[arg-type]
    return sorted(n for n in found if isinstance(n, Identifier))


def as_term(value: Any) -> Any:
    """A value as `catalog.rdfparse.LightGraph` keeps it (`stored`: a plain string as `str`, a
    tagged one as (text, tag), anything else as its term), and as `_properties` gives it, as its
    rdflib term (`text` makes the very term rdflib's parser makes)."""
    kind = type(value)
    if kind is str:
        return text(value)
    if kind is tuple:
        return text(*value)
    return value


def _first(values: Collection[Any] | None) -> Any:
    """`Reader._one` of a property's values (as `_properties` gives them)."""
    if not values:
        return None
    if len(values) == 1:
        return next(iter(values))
    if _strings(values):
        return min(values, key=_string_key)
    return min(_ordered(map(as_term, values)))


def _text(value: Any) -> str:
    """The text of a value of `_properties`: a string's, an IRI's."""
    kind = type(value)
    if kind is str:
        return value
    if kind is tuple:
        return value[0]
    return str(value)


def _text_of(values: Collection[Any] | None) -> str | None:
    """`Reader._str` of a property's values (one value, the most common, read without a call)."""
    if not values:
        return None
    if len(values) == 1:
        (value,) = values
        kind = type(value)
        if kind is str:
            return value
        if kind is tuple:
            return value[0]
        return str(value)
    return _text(_first(values))


def _iri_of(values: Collection[Any] | None) -> str | None:
    """`Reader._iri` of a property's values."""
    if not values:
        return None
    o = _first(values)
    return str(o) if isinstance(o, URIRef) else None


def _position_of(values: Collection[Any] | None) -> int | None:
    """`Reader._position` of a property's values: the text of a literal if all decimal digits, as a
    number (a string as kept, plain or tagged, is a literal too)."""
    if not values:
        return None
    if len(values) == 1:
        (value,) = values
    else:
        value = as_term(_first(values))
    kind = type(value)
    if kind is str:
        txt = value
    elif kind is tuple:
        txt = value[0]
    elif kind is Literal or isinstance(value, Literal):  # the ABC check runs Python code
        txt = str(value)
    else:
        return None
    return int(txt) if txt.isdecimal() else None  # not isdigit: int("²") fails


def _lang_of(values: Collection[Any] | None) -> LangText:
    """`Reader._lang` of a property's values."""
    if not values:
        return {}
    if len(values) == 1:
        o = next(iter(values))
        kind = type(o)
        if kind is tuple:
            return {o[1]: o[0]}
        if kind is str:
            return {"": o}
        return {o.language or "": str(o)} if isinstance(o, Literal) else {}
    out: LangText = {}
    if _strings(values):  # several texts of one language map alike everywhere: the first in rdflib's order
        for lang, txt in sorted(map(_string_key, values)):
            out.setdefault(lang, txt)
        return out
    for o in _ordered(map(as_term, values)):
        if isinstance(o, Literal):
            out.setdefault(o.language or "", str(o))
    return out


_USUAL_VARIABLE_TERMS = frozenset((RDF_TYPE, CSVW_NAME, CSVW_TITLE, DCT_DESCRIPTION, CSVW_DATATYPE, SCHEMA_POSITION))
"""What most variables state, and all `Reader._variable` reads of one that states nothing else."""
assert [f.name for f in fields(Variable)][:5] == ["uri", "name", "title", "description", "datatype"], (
    "Reader._variable makes a Variable from these fields by position"
)


def _read_rare(variable: Variable, get: Callable[[Node], Collection[Any] | None]) -> None:
    """A variable's rarer properties (`_RARE_VARIABLE_TERMS`), those it states."""
    unit, codelist, coding_system, property_url, question, valid_from, valid_to, keywords = map(
        get, _RARE_VARIABLE_TERMS
    )
    if unit:
        variable.unit = _text_of(unit)
    if codelist:
        variable.codelist = _iri_of(codelist)
    if coding_system:
        variable.coding_system = _text_of(coding_system)
    if property_url:
        variable.property_url = _iri_of(property_url)
    if question:
        variable.question = _lang_of(question)
    if valid_from:
        variable.valid_from = _text_of(valid_from)
    if valid_to:
        variable.valid_to = _text_of(valid_to)
    if keywords:
        variable.keywords = sorted(map(_text, keywords))


class Reader:
    """Reads records out of one graph; `errors` collects what could not be mapped, per record."""

    def __init__(self, g: TripleReader):
        self.g = g
        self.errors: list[tuple[str, str, str]] = []  # (record uri, field, message)
        self._properties = _properties(g)
        self._values = _values(g)

    # The readers of one property below take its values as LightGraph keeps them (`_values`):
    # strings are made terms only where one is given out, and several strings are ordered
    # without rdflib's Python comparisons (`_string_key`); a dataset reads some forty properties.

    def _one(self, s: Node, p: URIRef) -> Node | None:
        """The value of a property the model holds once. A source may state several (a distribution
        with two dct:format); the first in the order of terms is taken, so the same document maps
        to the same record in every process (a graph's iteration order follows the hash seed)."""
        return as_term(_first(self._values(s, p)))

    def _str(self, s: Node, p: URIRef) -> str | None:
        return _text_of(self._values(s, p))

    def _iri(self, s: Node, p: URIRef) -> str | None:
        return _iri_of(self._values(s, p))

    def _iris(self, s: Node, p: URIRef) -> list[str]:
        return sorted(str(o) for o in self._values(s, p) or () if isinstance(o, URIRef))

    def _links(self, s: Node, p: URIRef) -> list[str]:
        """What a property links to, as publishers write links: IRIs; web addresses written as
        text (Difi's distributions give their API's WADL as dct:conformsTo so); and a blank node
        by the web address it names as its dct:source (Skatteetaten's standards: a file format's
        PDF, the node otherwise empty). A value that is none of these is not a link and is left."""
        found: set[str] = set()
        for o in self._values(s, p) or ():
            for link in (self._values(o, DCT.source) or ()) if isinstance(o, BNode) else (o,):
                if isinstance(link, URIRef):
                    found.add(str(link))
                elif not isinstance(link, BNode) and WEB_ADDRESS.fullmatch(address := _text(link).strip()):
                    found.add(address)
        return sorted(found)

    def _lang(self, s: Node, p: URIRef) -> LangText:
        return _lang_of(self._values(s, p))

    def _description(self, s: Node) -> LangText:
        """dct:description, as its text where a publisher wrote HTML (`catalog.markup`)."""
        return without_markup(self._lang(s, DCT.description))

    def _int(self, uri: str, s: Node, p: URIRef, name: str) -> int | None:
        o = self._one(s, p)
        if o is None:
            return None
        try:
            return int(str(o))
        except ValueError:
            self.errors.append((uri, name, f"{str(o)!r} is not a whole number"))
            return None

    def _licence(self, uri: str, s: Node) -> str | None:
        """dct:license as an IRI: one given as its web address or its common name in text ("CC BY
        4.0", "NLOD") is taken for the licence it names (`LICENCE_NAMES`), any other text is
        reported for the record and left out; a publisher wrote "CC BY 4.0" and its data went
        out with no licence, without a word."""
        o = self._one(s, DCT.license)
        if o is None or isinstance(o, URIRef):
            return None if o is None else str(o)
        if isinstance(o, BNode):
            return None
        written = _text(o).strip()
        if WEB_ADDRESS.fullmatch(written):
            return written
        named = LICENCE_NAMES.get(_licence_key(written))
        if named is None:
            self.errors.append(
                (
                    uri,
                    "dct:license",
                    f"{written!r} is no licence's address (an IRI, as {EU}licence/CC_BY_4_0); left out",
                )
            )
        return named

    def _position(self, s: Node) -> int | None:
        return _position_of(self._values(s, SCHEMA_POSITION))

    def _described(self, s: Node, p: URIRef) -> LangText:
        o = self._one(s, p)
        if o is None:
            return {}
        if isinstance(o, Literal):
            return {o.language or "": str(o)}
        return self._lang(o, DCT.description) or self._lang(o, RDFS_LABEL) or _vocabulary_label(o)

    def _dcatno_legal_basis(self, s: Node) -> LangText:
        """DCAT-AP-NO's dcatno:legalBasisFor{Restriction,Processing,Access}: each a labelled statement
        with the law it cites (dct:source), joined into one description per language."""
        parts: dict[str, list[str]] = {}
        for ns in DCATNO:
            for term in ("legalBasisForRestriction", "legalBasisForProcessing", "legalBasisForAccess"):
                for node in sorted(self.g.objects(s, ns[term]), key=str):
                    law = self._str(node, DCT.source) or (str(node) if isinstance(node, URIRef) else "")
                    labels = self._lang(node, SKOS.prefLabel) or self._lang(node, DCT.description) or {"": ""}
                    for lang, label in labels.items():
                        parts.setdefault(lang, []).append(" ".join(x for x in (label, f"({law})" if law else "") if x))
        return {lang: "; ".join(texts) for lang, texts in parts.items() if any(texts)}

    def _code_values(self, s: Node) -> list[str]:
        """healthdcatap:hasCodeValues as text (Release 8); a skos:Concept of earlier releases by its notation."""
        out = set()
        for o in self.g.objects(s, HEALTH.hasCodeValues):
            if isinstance(o, Literal):
                out.add(str(o))
            else:
                code = self._str(o, SKOS.notation) or self._str(o, DCT.identifier)
                if code:
                    out.add(code)
        return sorted(out)

    def _activities(self, s: Node) -> list[str]:
        """prov:wasGeneratedBy as the activities' types (HealthDCAT-AP's health-activity IRIs), or the
        activity's own IRI when it states no type."""
        out = set()
        for o in self.g.objects(s, PROV.wasGeneratedBy):
            types = self._iris(o, DCT.type)
            out.update(types or ([str(o)] if isinstance(o, URIRef) else []))
        return sorted(out)

    def _dcatno_objective(self, s: Node) -> LangText:
        return next((found for ns in DCATNO if (found := self._lang(s, ns.objective))), {})

    def _agent(self, node: Node | None) -> Agent | None:
        if node is None:
            return None
        if isinstance(node, Literal):  # an agent given by name only (dct:creator "Name")
            return Agent(name={node.language or "": str(node)}) if str(node).strip() else None
        a = Agent(
            uri=str(node) if isinstance(node, URIRef) else None,
            name=self._lang(node, FOAF.name)
            or self._lang(node, VCARD.fn)
            or self._lang(node, VCARD["organization-name"])
            or self._lang(node, VCARD.hasOrganizationName)
            or self._lang(node, VCARD["organization-unit"]),  # DCAT-AP-NO 1.1/2.0 contacts name only their unit
            identifier=self._str(node, DCT.identifier),
            type=self._iri(node, DCT.type),
            url=self._iri(node, FOAF.homepage) or self._iri(node, VCARD.hasURL),
        )
        mbox = self._iri(node, FOAF.mbox) or self._iri(node, VCARD.hasEmail) or self._str(node, VCARD.hasEmail)
        cp = self._one(node, CV.contactPoint)
        if cp is not None:
            mbox = mbox or self._str(cp, CV.email)
            a.url = a.url or self._iri(cp, CV.contactPage)
        if mbox:
            a.email = mbox.removeprefix("mailto:")
        return a

    def dataset(self, s: URIRef) -> Dataset:
        uri = str(s)
        g = self.g
        d = Dataset(
            uri=uri,
            identifier=self._str(s, DCT.identifier) or uri,
            title=self._lang(s, DCT.title),
            description=self._description(s),
        )
        d.publisher = self._agent(self._one(s, DCT.publisher))
        d.contact = self._agent(self._one(s, DCAT.contactPoint))
        d.hdab = self._agent(self._one(s, HEALTH.hdab))
        d.custodian = self._agent(self._one(s, GEODCATAP.custodian))
        d.creator = self._agent(min(self.g.objects(s, DCT.creator), key=str, default=None))
        for o in g.objects(s, DCAT.keyword):
            d.keywords.setdefault(getattr(o, "language", None) or "", []).append(str(o))
        for words in d.keywords.values():
            words.sort()
        d.themes = self._iris(s, DCAT.theme)
        d.health_categories = self._iris(s, HEALTH.healthCategory)
        d.health_themes = self._iris(s, HEALTH.healthTheme)
        d.access_rights = self._iri(s, DCT.accessRights)
        d.applicable_legislation = self._iris(s, DCATAP.applicableLegislation)
        d.legal_basis = self._described(s, DPV.hasLegalBasis) or self._dcatno_legal_basis(s)
        d.purpose = self._described(s, DPV.hasPurpose) or self._dcatno_objective(s)
        d.provenance = self._described(s, DCT.provenance)
        d.population_coverage = self._lang(s, HEALTH.populationCoverage)
        period = self._one(s, DCT.temporal)
        if period is not None:
            d.temporal_start = (
                self._str(period, DCAT.startDate)
                or self._str(period, SCHEMA.startDate)
                or self._str(period, SCHEMA_HTTP.startDate)
            )
            d.temporal_end = (
                self._str(period, DCAT.endDate)
                or self._str(period, SCHEMA.endDate)
                or self._str(period, SCHEMA_HTTP.endDate)
            )
        d.spatial = self._iris(s, DCT.spatial)
        d.issued = self._str(s, DCT.issued)
        d.modified = self._str(s, DCT.modified)
        d.languages = self._iris(s, DCT.language)
        d.landing_page = self._iri(s, DCAT.landingPage)
        d.frequency = self._iri(s, DCT.accrualPeriodicity)
        d.dataset_type = self._iri(s, DCT.type)
        d.conforms_to = self._links(s, DCT.conformsTo)
        d.relations = self._links(s, DCT.relation)
        d.coding_systems = self._iris(s, HEALTH.hasCodingSystem)
        d.code_values = self._code_values(s)
        d.has_personal_data = self._iris(s, DPV.hasPersonalData)
        d.generated_by = self._activities(s)
        d.number_of_records = self._int(uri, s, HEALTH.numberOfRecords, "numberOfRecords")
        d.number_of_unique_individuals = self._int(
            uri, s, HEALTH.numberOfUniqueIndividuals, "numberOfUniqueIndividuals"
        )
        d.min_typical_age = self._int(uri, s, HEALTH.minTypicalAge, "minTypicalAge")
        d.max_typical_age = self._int(uri, s, HEALTH.maxTypicalAge, "maxTypicalAge")
        hsd = self._one(s, HEALTH.hasStructuredData)
        if hsd is not None:
            d.has_structured_data = str(hsd).lower() in ("true", "1")
        d.version = self._str(s, DCAT_VERSION)
        d.distributions = [
            self.distribution(o) for o in _ordered(g.objects(s, DCAT.distribution)) if isinstance(o, URIRef)
        ]
        d.variables = self.variables(uri, s)
        return d

    def distribution(self, s: URIRef) -> Distribution:
        media = self._iri(s, DCAT.mediaType) or self._str(s, DCAT.mediaType)
        size = self._int(str(s), s, DCAT.byteSize, "byteSize")
        fmt = self._iri(s, DCT.format)
        if fmt is None and (listed := MEDIA_TYPE.match(self._str(s, DCT.format) or "")):
            fmt = listed.group(0)  # DCAT-AP-NO 1.1 as text: "application/xml, application/json", the first
        if fmt and (IANA.match(fmt) or MEDIA_TYPE.fullmatch(fmt)):  # DCAT-AP-NO 1.1: a media type as dct:format
            media = media or fmt
            fmt = FILE_TYPES.get(IANA.sub("", fmt))
        return Distribution(
            uri=str(s),
            access_url=self._iri(s, DCAT.accessURL) or "",
            title=self._lang(s, DCT.title),
            description=self._description(s),
            download_url=self._iri(s, DCAT.downloadURL),
            media_type=IANA.sub("", media) if media else None,
            format=fmt,
            license=self._licence(str(s), s),
            byte_size=size,
            conforms_to=self._links(s, DCT.conformsTo),
        )

    def variables(self, dataset_uri: str, s: URIRef) -> list[Variable]:
        """In the source's order (schema:position) where given, else by URI (`_in_order`'s order,
        its keys made in the loop and sorted as tuples: a call a variable to make a key was a
        tenth of mapping one)."""
        rows: list[tuple[bool, int, str, Variable]] = []
        seen: set[str] = set()
        for group in self.g.objects(s, HEALTH.hasVariables):
            for table in _ordered(self.g.objects(group, CSVW.table)):
                title = self._str(table, DCT.title)
                table_name = None if table == _table_uri(dataset_uri, None) else title
                for uri, col in self._columns(dataset_uri, table):
                    if uri in seen:
                        continue
                    seen.add(uri)
                    position, variable = self._variable(col, table_name, uri)
                    rows.append((position is None, position or 0, uri, variable))
        rows.sort()  # no two rows share a URI, so no two Variables are compared
        return [row[3] for row in rows]

    def _columns(self, dataset_uri: str, table: Node) -> list[tuple[str, URIRef]]:
        """(URI, term) of a table's columns in the order of terms (`_ordered`); a column without a
        URI is reported and skipped. Columns are IRIs (all in a feed of ours): sorted as their
        text, made once, without a call a column (`as_term`) to make them terms."""
        columns = self._properties(table).get(CSVW_COLUMN_OF, ())
        if all(type(col) is URIRef for col in columns):
            return sorted([(str(col), col) for col in columns])
        out = []
        for col in _ordered(map(as_term, columns)):
            if isinstance(col, URIRef):
                out.append((str(col), col))
            else:
                self.errors.append((dataset_uri, "csvw:column", "a variable has no URI (blank node); skipped"))
        return out

    def variable(self, c: URIRef, table: str | None) -> Variable:
        return self._variable(c, table, str(c))[1]

    def _variable(self, c: URIRef, table: str | None, uri: str) -> tuple[int | None, Variable]:
        """(schema:position, the variable): a dataset's variables are most of a feed's statements,
        so each is read from its own properties, one dictionary read a property, and the rarer
        properties (`_RARE_VARIABLE_TERMS`) looked for only when the variable states more than
        the usual ones (most do not). The variable is made from its first fields by position
        (keyword arguments took half the time of making it) and given the others when stated."""
        properties = self._properties(c)
        get = properties.get
        name = _text_of(get(CSVW_NAME))
        if not name:
            self.errors.append((uri, "csvw:name", "the variable has no name"))
        variable = Variable(
            uri,
            name or uri.rsplit("/", 1)[-1],
            _lang_of(get(CSVW_TITLE)),
            _lang_of(get(DCT_DESCRIPTION)),
            _text_of(get(CSVW_DATATYPE)) or "string",
        )
        if table is not None:
            variable.table = table
        if not properties.keys() <= _USUAL_VARIABLE_TERMS:
            _read_rare(variable, get)
        return _position_of(get(SCHEMA_POSITION)), variable

    def codelist(self, s: URIRef) -> CodeList:
        uri = str(s)
        cl = CodeList(
            uri=uri,
            identifier=self._str(s, DCT.identifier) or uri,
            title=self._lang(s, DCT.title) or self._lang(s, SKOS.prefLabel),
            description=self._description(s),
            publisher=self._agent(self._one(s, DCT.publisher)),
            version=self._str(s, OWL.versionInfo),
            valid_from=self._str(s, SCHEMA.validFrom),
            valid_to=self._str(s, SCHEMA.validThrough),
            modified=self._str(s, DCT.modified),
            landing_page=self._iri(s, DCAT.landingPage),
        )
        concepts: list[tuple[int | None, Concept]] = []
        for n in self.g.subjects(SKOS.inScheme, s):
            code = self._str(n, SKOS.notation) or str(n).rsplit("/", 1)[-1]
            broader = self._iri(n, SKOS.broader)
            parent = None
            if broader:
                parent = self._str(URIRef(broader), SKOS.notation) or broader.rsplit("/", 1)[-1]
            label = self._lang(n, SKOS.prefLabel)
            concepts.append(
                (
                    self._position(n),
                    Concept(
                        code=code,
                        label={} if label == {"": code} else label,  # written for a concept with none
                        uri=None if str(n) == concept_uri(uri, code) else str(n),
                        parent=parent,
                        definition=self._lang(n, SKOS.definition),
                        valid_from=self._str(n, SCHEMA.validFrom),
                        valid_to=self._str(n, SCHEMA.validThrough),
                        missing=self._one(n, HK.missingValue) is not None,
                    ),
                )
            )
        cl.concepts = _in_order(concepts, lambda c: c.code)
        return cl

    def _offer(self, s: URIRef, cls: type[DataService] | type[DataProduct]) -> Any:
        uri = str(s)
        price = self._iri(s, HK.priceModel)
        r = cls(
            uri=uri,
            identifier=self._str(s, DCT.identifier) or uri,
            title=self._lang(s, DCT.title),
            description=self._description(s),
            publisher=self._agent(self._one(s, DCT.publisher)),
            contact=self._agent(self._one(s, DCAT.contactPoint)),
            landing_page=self._iri(s, DCAT.landingPage),
            license=self._licence(uri, s),
            themes=self._iris(s, DCAT.theme),
            how_to_order=self._lang(s, HK.howToOrder),
            order_url=self._iri(s, HK.orderPage),
            price_model=price.removeprefix(PRICE_MODEL) if price and price.startswith(PRICE_MODEL) else None,
            price=self._lang(s, HK.price),
            terms=self._lang(s, HK.terms),
        )
        for o in self.g.objects(s, DCAT.keyword):
            r.keywords.setdefault(getattr(o, "language", None) or "", []).append(str(o))
        for words in r.keywords.values():
            words.sort()
        return r

    def service(self, s: URIRef) -> DataService:
        service: DataService = self._offer(s, DataService)
        kind = self._iri(s, DCT.type) or ""
        service.service_type = kind.removeprefix(SERVICE_TYPE) if kind.startswith(SERVICE_TYPE) else "platform"
        service.endpoint_url = self._iri(s, DCAT.endpointURL) or self._str(s, DCAT.endpointURL)
        service.endpoint_description = self._iri(s, DCAT.endpointDescription)
        service.access_rights = self._iri(s, DCT.accessRights)
        service.conforms_to = self._links(s, DCT.conformsTo)
        service.applicable_legislation = self._iris(s, DCATAP.applicableLegislation)
        service.serves_datasets = self._iris(s, DCAT.servesDataset)
        return service

    def product(self, s: URIRef) -> DataProduct:
        product: DataProduct = self._offer(s, DataProduct)
        kind = self._iri(s, DCT.type) or ""
        product.product_type = kind.removeprefix(PRODUCT_TYPE) if kind.startswith(PRODUCT_TYPE) else "other"
        product.derived_from = self._iris(s, PROV.wasDerivedFrom)
        return product

    def records(self) -> Iterator[Record]:
        for s in _ordered(set(self.g.subjects(RDF.type, DCAT.Dataset))):
            if isinstance(s, URIRef):
                yield self.dataset(s)
            else:
                self.errors.append(("(blank node)", "dcat:Dataset", "a dataset has no URI (blank node); skipped"))
        for s in _ordered(set(self.g.subjects(RDF.type, SKOS.ConceptScheme))):
            if isinstance(s, URIRef):
                yield self.codelist(s)
        for cls, read, name in (
            (DCAT.DataService, self.service, "service"),
            (DPROD.DataProduct, self.product, "product"),
        ):
            for s in _ordered(set(self.g.subjects(RDF.type, cls))):
                if isinstance(s, URIRef):
                    yield read(s)
                else:
                    self.errors.append(("(blank node)", str(cls), f"a data {name} has no URI (blank node); skipped"))


RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
IANA = re.compile(r"^https?://www\.iana\.org/assignments/media-types/")
MEDIA_TYPE = re.compile(r"[a-z]+/[\w.+-]+")
"""A media type written out (`text/csv`), as DCAT-AP-NO 1.1 feeds give dct:format as text."""
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def _licence_key(name: str) -> str:
    """A licence's name without case, punctuation or the words "licence" and "international"
    ("CC-BY 4.0 International" and "cc by 4.0" are "ccby40")."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    for word in ("international", "licence", "license", "lisens", "version"):
        key = key.replace(word, "")
    return key


LICENCES = {
    "CC_BY_4_0": ("CC BY 4.0", "CC BY", "Creative Commons Attribution 4.0", "Creative Commons Navngivelse 4.0"),
    "CC_BYSA_4_0": ("CC BY-SA 4.0", "Creative Commons Attribution-ShareAlike 4.0"),
    "CC_BYNC_4_0": ("CC BY-NC 4.0", "Creative Commons Attribution-NonCommercial 4.0"),
    "CC0": ("CC0", "CC0 1.0", "CC0 1.0 Universal", "Public domain (CC0)"),
    "NLOD_2_0": ("NLOD 2.0", "NLOD", "Norsk lisens for offentlige data", "Norwegian Licence for Open Government Data"),
}
"""A code of the EU's licence list -> the names it is known by, the one a page shows first."""
LICENCE_NAMES = {_licence_key(name): f"{EU}licence/{code}" for code, names in LICENCES.items() for name in names}
"""A licence's common names (`_licence_key`) -> its IRI in the EU's licence list."""
LICENCE_LABELS = {f"{EU}licence/{code}": names[0] for code, names in LICENCES.items()}
"""A licence's IRI in the EU's list -> the name a page shows for it ("NLOD 2.0" is the IRI a kit's
`access_license = "NLOD 2.0"` was published as)."""
"""A web address written as text, where a link was meant: no character an IRI may not hold."""
FILE_TYPES = {
    media: f"{EU}file-type/{code}"
    for media, code in {
        "text/csv": "CSV",
        "text/tab-separated-values": "TSV",
        "application/json": "JSON",
        "text/json": "JSON",  # not registered, but written (Skatteetaten's catalogue on data.norge.no)
        "application/ld+json": "JSON_LD",
        "application/xml": "XML",
        "text/xml": "XML",
        "text/html": "HTML",
        "text/plain": "TXT",
        "application/pdf": "PDF",
        "application/zip": "ZIP",
        "application/rdf+xml": "RDF_XML",
        "text/turtle": "RDF_TURTLE",
        "application/n-triples": "RDF_N_TRIPLES",
        "application/vnd.ms-excel": "XLS",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
        "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    }.items()
}
"""IANA media types -> the EU file-type vocabulary, for feeds that give a media type where the format goes."""
DCATNO = (KeptNamespace("http://difi.no/dcatno#"), KeptNamespace("https://data.norge.no/vocabulary/dcatno#"))
"""DCAT-AP-NO 1.1's and 2.0's own terms (objective, legal bases)."""
_PROVENANCE_VOCABULARIES = (
    re.compile(r"https?://data\.brreg\.no/datakatalog/provinens/(\w+)$"),  # DCAT-AP-NO 1.1 (Brreg)
    re.compile(r"https?://data\.norge\.no/vocabulary/provenance#(\w+)$"),  # DCAT-AP-NO 2.0
)


def _vocabulary_label(node: Node) -> LangText:
    """A DCAT-AP-NO provenance concept given by IRI alone, as the text of its code ("vedtak" -> "Vedtak")."""
    for pattern in _PROVENANCE_VOCABULARIES:
        found = pattern.match(str(node)) if isinstance(node, URIRef) else None
        if found:
            return {"nb": found.group(1).capitalize()}
    return {}


T = TypeVar("T")


def _in_order(items: list[tuple[int | None, T]], tiebreak: Callable[[T], str]) -> list[T]:
    """Items in the source's order (schema:position) where given, the rest after, by `tiebreak`."""
    return [item for _pos, item in sorted(items, key=lambda pi: (pi[0] is None, pi[0] or 0, tiebreak(pi[1])))]


def next_page(g: Any, url: str) -> str | None:
    """The page after `url` of a Hydra-paged feed (a `LightGraph` or an rdflib `Graph`), or None."""
    for view in (*g.subjects(RDF.type, HYDRA.PartialCollectionView), *g.subjects(RDF.type, HYDRA.PagedCollection)):
        for prop in (HYDRA.next, HYDRA.nextPage):
            target = g.value(view, prop)
            if target is not None and str(target) != url:
                return str(target)
    return None


def from_graph(g: TripleReader) -> tuple[list[Record], list[tuple[str, str, str]]]:
    """All datasets, code lists, data services and data products in `g`, and the (record, field,
    message) problems met."""
    reader = Reader(g)
    records = list(reader.records())
    return records, reader.errors
