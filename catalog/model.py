"""The domain model every harvester maps into and every later stage reads.

A record is a `Dataset` (with its distributions and variables), a `CodeList` (with its
concepts), a `DataService` (an analysis platform or service) or a `DataProduct` (the marketplace). The model is deliberately close to DCAT-AP 3 / HealthDCAT-AP: each field names the RDF
term it stands for, and `catalog.rdf` maps it both ways. The store keeps records as canonical
JSON of this model (fast to hash, diff, index and render); RDF is derived from it on demand.

Multilingual text is a `dict` from language tag to text (`""` for an untagged literal), so
labels keep their language tags from source to feed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

import orjson

LangText = dict[str, str]
"""Language tag -> text. `""` is an untagged literal."""


def text(value: LangText | None, *prefer: str) -> str:
    """Pick the best text for display: the preferred languages first, then nb, nn, en, any."""
    if not value:
        return ""
    for lang in (*prefer, "nb", "no", "nn", "en", ""):
        if value.get(lang):
            return value[lang]
    return next(iter(value.values()))


@dataclass
class Agent:
    """foaf:Agent / vcard contact: a publisher, custodian, access body or contact point."""

    name: LangText = field(default_factory=dict)  # foaf:name / vcard:fn
    uri: str | None = None
    identifier: str | None = None  # dct:identifier (Norwegian organisation number)
    type: str | None = None  # dct:type (publisher-type IRI)
    email: str | None = None  # vcard:hasEmail / cv:email (without mailto:)
    url: str | None = None  # vcard:hasURL / cv:contactPage / foaf:homepage


@dataclass
class Concept:
    """skos:Concept: one code of a code list."""

    code: str  # skos:notation
    label: LangText = field(default_factory=dict)  # skos:prefLabel
    uri: str | None = None
    parent: str | None = None  # code of the broader concept
    definition: LangText = field(default_factory=dict)  # skos:definition / scopeNote
    valid_from: str | None = None
    valid_to: str | None = None
    missing: bool = False  # a sentinel / missing-value code


@dataclass
class CodeList:
    """skos:ConceptScheme: a classification or code list that variables point to."""

    uri: str
    identifier: str
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    publisher: Agent | None = None
    version: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    modified: str | None = None
    landing_page: str | None = None
    concepts: list[Concept] = field(default_factory=list)

    kind = "codelist"


@dataclass
class Variable:
    """csvw:Column under healthdcatap:hasVariables: one variable of a dataset."""

    uri: str
    name: str  # csvw:name, the short name as in the source (e.g. MORS_ALDER)
    title: LangText = field(default_factory=dict)  # csvw:title
    description: LangText = field(default_factory=dict)  # dct:description
    datatype: str = "string"  # csvw:datatype, CSVW built-in datatype name
    unit: str | None = None  # unit of measure (free text, e.g. "gram", "uker")
    codelist: str | None = None  # URI of the CodeList record it uses
    coding_system: str | None = None  # e.g. ICD-10, ATC, NCMP (label or IRI)
    property_url: str | None = None  # csvw:propertyUrl: the concept it measures
    question: LangText = field(default_factory=dict)  # question text for survey variables
    valid_from: str | None = None
    valid_to: str | None = None
    keywords: list[str] = field(default_factory=list)
    table: str | None = None  # csvw:Table title when the source groups variables in tables


@dataclass
class Distribution:
    """dcat:Distribution."""

    uri: str
    access_url: str
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    download_url: str | None = None
    media_type: str | None = None
    format: str | None = None  # file-type IRI
    license: str | None = None
    byte_size: int | None = None
    conforms_to: list[str] = field(default_factory=list)  # dct:conformsTo: the schema or API it follows


@dataclass
class Dataset:
    """dcat:Dataset with the HealthDCAT-AP additions."""

    uri: str
    identifier: str  # dct:identifier
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    publisher: Agent | None = None
    contact: Agent | None = None  # dcat:contactPoint
    hdab: Agent | None = None  # healthdcatap:hdab, the health data access body
    custodian: Agent | None = None  # geodcatap:custodian
    creator: Agent | None = None  # dct:creator (one; DDI's first author, AuthEnty)
    keywords: dict[str, list[str]] = field(default_factory=dict)  # lang -> keywords
    themes: list[str] = field(default_factory=list)  # dcat:theme IRIs
    health_categories: list[str] = field(default_factory=list)  # healthdcatap:healthCategory
    health_themes: list[str] = field(default_factory=list)  # healthdcatap:healthTheme
    access_rights: str | None = None  # access-right IRI
    applicable_legislation: list[str] = field(default_factory=list)  # dcatap:applicableLegislation
    legal_basis: LangText = field(default_factory=dict)  # dpv:hasLegalBasis (description)
    purpose: LangText = field(default_factory=dict)  # dpv:hasPurpose (description)
    provenance: LangText = field(default_factory=dict)  # dct:provenance
    population_coverage: LangText = field(default_factory=dict)
    temporal_start: str | None = None  # dct:temporal / dcat:startDate (xsd:date)
    temporal_end: str | None = None
    spatial: list[str] = field(default_factory=list)
    issued: str | None = None
    modified: str | None = None
    languages: list[str] = field(default_factory=list)  # language IRIs
    landing_page: str | None = None
    frequency: str | None = None  # dct:accrualPeriodicity IRI
    dataset_type: str | None = None  # dct:type IRI
    conforms_to: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)  # dct:relation: related resources
    coding_systems: list[str] = field(default_factory=list)  # healthdcatap:hasCodingSystem
    code_values: list[str] = field(default_factory=list)  # healthdcatap:hasCodeValues: codes of the data, as text
    has_personal_data: list[str] = field(default_factory=list)  # dpv:hasPersonalData: DPV personal-data IRIs
    generated_by: list[str] = field(default_factory=list)  # prov:wasGeneratedBy: the health activities' type IRIs
    number_of_records: int | None = None
    number_of_unique_individuals: int | None = None
    min_typical_age: int | None = None
    max_typical_age: int | None = None
    has_structured_data: bool | None = None
    version: str | None = None
    distributions: list[Distribution] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)

    kind = "dataset"


PRICE_MODELS = ("free", "cost-recovery", "commercial")
"""What using a service or product costs, machine-readably (`price_model`); `price` says it in words."""


@dataclass
class DataService:
    """dcat:DataService: an analysis platform where datasets can be analysed (TSD, HUNT Cloud, the
    health analysis platform, microdata.no), or an analysis service a provider offers (the marketplace).

    `serves_datasets` is dcat:servesDataset; `serves_sources` (an operator's configuration only, no
    RDF term) serves every dataset of the named sources. How to apply (or order) and what it costs
    are the catalogue's `hk:` terms."""

    uri: str
    identifier: str
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    service_type: str = "platform"  # platform | analysis (SERVICE_TYPES)
    publisher: Agent | None = None  # the provider
    contact: Agent | None = None
    endpoint_url: str | None = None  # dcat:endpointURL: where the service is
    endpoint_description: str | None = None
    landing_page: str | None = None
    serves_datasets: list[str] = field(default_factory=list)
    serves_sources: list[str] = field(default_factory=list)
    access_rights: str | None = None
    license: str | None = None
    conforms_to: list[str] = field(default_factory=list)
    applicable_legislation: list[str] = field(default_factory=list)  # dcatap:applicableLegislation
    keywords: dict[str, list[str]] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    how_to_order: LangText = field(default_factory=dict)  # how to apply for access (platforms) or order
    order_url: str | None = None  # where to apply or order
    price_model: str | None = None  # one of PRICE_MODELS
    price: LangText = field(default_factory=dict)
    terms: LangText = field(default_factory=dict)

    kind = "service"

    @property
    def facet_name(self) -> str:
        """What the search's `platform` facet holds of it: its title as `text` picks it (bokmål
        first), else its identifier; pages show its title in their language instead."""
        return text(self.title) or self.identifier


SERVICE_TYPES = ("platform", "analysis")
"""A secure analysis platform (where a dataset can be analysed) or an analysis service offered."""
PRODUCT_TYPES = ("extract", "cohort", "indicator", "other")


@dataclass
class DataProduct:
    """A data product of the marketplace (DPROD's dprod:DataProduct): a prepared extract, a cohort or a
    set of indicators, made from catalogued datasets (prov:wasDerivedFrom) by a public or private
    provider, with its terms, price model and how to order it."""

    uri: str
    identifier: str
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    product_type: str = "other"  # one of PRODUCT_TYPES
    publisher: Agent | None = None  # the provider
    contact: Agent | None = None
    derived_from: list[str] = field(default_factory=list)  # dataset URIs
    landing_page: str | None = None
    license: str | None = None
    keywords: dict[str, list[str]] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    how_to_order: LangText = field(default_factory=dict)
    order_url: str | None = None
    price_model: str | None = None  # one of PRICE_MODELS
    price: LangText = field(default_factory=dict)
    terms: LangText = field(default_factory=dict)

    kind = "product"


Record = Dataset | CodeList | DataService | DataProduct
RECORD_TYPES: dict[str, type] = {
    "dataset": Dataset,
    "codelist": CodeList,
    "service": DataService,
    "product": DataProduct,
}


def _pickled_by_fields(cls: type) -> None:
    """Pickle `cls` as its constructor and field values. A harvest's records cross between processes
    (mapped and prepared in a pool, written by the run's process): by default pickle rebuilds a
    dataclass through `object.__new__` and its `__dict__`, which took longer to unpickle a
    dataset's variables than reading them from their JSON (6 against 3 us a variable); by the
    constructor, 3.7."""
    values = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]


for _cls in (Agent, Concept, CodeList, Variable, Distribution, Dataset, DataService, DataProduct):
    _pickled_by_fields(_cls)

# --- canonical JSON -------------------------------------------------------------------------


def _empty(value: Any, default: Any) -> bool:
    """Whether a field's value says nothing: None, empty text or collection, or the field's own
    default `False` (a flag left off). `False` and `0` are kept where they are statements
    (hasStructuredData false, a minimum typical age of 0): `0 == False` in Python, so they are
    tested by identity and type."""
    if value is None or (isinstance(value, str | list | dict) and not value):
        return True
    return value is False and default is False


_SCALARS = (str, int, float, bool, type(None))
_NOTHING: tuple[Any, ...] = (None, "", [], {})
_FLOATS = [0]
"""Floats met by `to_dict` so far: `dumps` leaves a record holding one to the json module (orjson
writes some floats otherwise: 1.5e-7 against json's 1.5e-07)."""


def to_dict(obj: Any) -> Any:
    """Plain JSON-able structure with empty values dropped, so equal records hash equal.

    Called for every record a harvest maps (and every one of its variables), so each class's
    fields are read by a function of its own (`_writer`)."""
    cls = type(obj)
    if cls in _SCALARS:
        if cls is float:
            _FLOATS[0] += 1
        return obj
    write = _WRITERS.get(cls)
    if write is None:
        if isinstance(obj, dict):
            return {k: to_dict(v) for k, v in obj.items() if v not in _NOTHING}
        if isinstance(obj, list):
            return [to_dict(v) for v in obj]
        if not dataclasses.is_dataclass(obj):
            return obj
        write = _WRITERS[cls] = _writer(cls)
    return write(obj.__dict__)


_WRITERS: dict[type, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _writer(cls: type) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """`to_dict` of an instance of the dataclass `cls`, from its `__dict__`: one statement a field,
    the field's name and default written in (generated, as `dataclasses` makes `__init__`).

    A variable's fields are most of a record's, mostly empty (None, taken first) or text (taken as
    it is); a loop over the fields, unpacking each one's name and default and asking its value's
    type, took a fifth longer. Language maps and lists are written in for the fields declared so;
    any other value goes to `_field`, as every value did."""
    lines = ["def write(values):", "    out = {}"]
    namespace: dict[str, Any] = {"_field": _field, "_NOTHING": _NOTHING, "to_dict": to_dict}
    try:
        hints = _hints(cls)
    except (NameError, TypeError):  # a dataclass of another module whose annotations do not resolve here
        hints = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        namespace[f"default_{i}"] = f.default
        lines += [
            f"    value = values[{f.name!r}]",
            "    if value is None:",
            "        pass",
            "    elif type(value) is str:",
            "        if value:",
            f"            out[{f.name!r}] = value",
        ]
        if typing.get_origin(hints.get(f.name)) is dict:  # language maps: `_field`'s first case, written in
            lines += [
                "    elif type(value) is dict:",
                "        if value:",
                "            plain = {}",
                "            for key, item in value.items():",
                "                if type(item) is str:",
                "                    if item:",
                "                        plain[key] = item",
                "                elif item not in _NOTHING:",
                "                    plain[key] = to_dict(item)",
                "            if plain:",
                f"                out[{f.name!r}] = plain",
            ]
        elif typing.get_origin(hints.get(f.name)) is list:  # lists (of text, of variables ...), likewise
            lines += [
                "    elif type(value) is list:",
                "        if value:",
                f"            out[{f.name!r}] = [item if type(item) is str else to_dict(item) for item in value]",
            ]
        lines += ["    else:", f"        _field(out, {f.name!r}, value, default_{i})"]
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # noqa: S102 - code made here from the dataclass's own field names
    write: Callable[[dict[str, Any]], dict[str, Any]] = namespace["write"]
    return write


def _field(out: dict[str, Any], name: str, value: Any, default: Any) -> None:
    """A field's value other than None or text into `out` (`to_dict`'s rules)."""
    kind = type(value)
    if kind is dict:
        if value:
            plain = {}
            for key, item in value.items():
                if type(item) is str:
                    if item:
                        plain[key] = item
                elif item not in _NOTHING:
                    plain[key] = to_dict(item)
            if plain:
                out[name] = plain
    elif kind is list:
        if value:
            out[name] = [item if type(item) is str else to_dict(item) for item in value]
    elif kind is int:
        out[name] = value
    else:
        value = to_dict(value)
        if not _empty(value, default):
            out[name] = value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _converter(tp: Any) -> Callable[[Any], Any] | None:
    """How a JSON value of type `tp` becomes the model's value; None when it is the value itself.

    Worked out once per type: reading a page of records from the store builds thousands of
    objects, and asking `typing` about every value was most of the time it took."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        inner = _converter(next(a for a in typing.get_args(tp) if a is not type(None)))
        return None if inner is None else (lambda value: None if value is None else inner(value))
    if origin is list:
        item = _converter(typing.get_args(tp)[0])
        return None if item is None else (lambda value: list(map(item, value)))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _builder(tp)
    return None


def _builder(cls: type) -> Callable[[Any], Any]:
    """`from_dict` of `cls`, made once for the type: a dataset's variables are read by the
    hundred. A class whose every field is taken as it is (`Variable`, `Concept`) is made from its
    JSON at once, which refuses a key it does not know and a required text left out (empty):
    `from_dict` then does it field by field."""
    required, converters, plain = _plan(cls)
    if len(plain) < len(converters):
        return lambda value: from_dict(cls, value)

    def build(value: dict[str, Any]) -> Any:
        try:
            return cls(**value)
        except TypeError:
            return from_dict(cls, value)

    return build


_PLANS: dict[type, tuple[dict[str, Any], dict[str, Callable[[Any], Any] | None], frozenset[str]]] = {}


def _plan(cls: type) -> tuple[dict[str, Any], dict[str, Callable[[Any], Any] | None], frozenset[str]]:
    """(defaults for required text fields, a converter per field, the fields taken as they are) of a
    model dataclass."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = _hints(cls)
        required = {
            f.name: ""
            for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and hints[f.name] is str
        }
        converters = {name: _converter(tp) for name, tp in hints.items()}
        plain = frozenset(name for name, convert in converters.items() if convert is None)
        plan = _PLANS[cls] = (required, converters, plain)
    return plan


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Inverse of `to_dict` for one of the model's dataclasses.

    `to_dict` drops empty strings, so a required text field that was empty (e.g. a distribution
    without dcat:accessURL) comes back as "" instead of failing to load. Keys the model does not
    know (written by another version) are left out.
    """
    required, converters, plain = _plan(cls)
    if data.keys() <= plain and data.keys() >= required.keys():
        return cls(**data)  # most variables and concepts: every value as it is (a tenth of a record's load)
    values = dict(required)
    for key, value in data.items():
        if key in converters:
            convert = converters[key]
            values[key] = value if convert is None else convert(value)
    return cls(**values)


def dumps(record: Record | Variable) -> str:
    """Canonical JSON: sorted keys, no whitespace, empty values dropped.

    The bytes are the json module's (`json.dumps(..., ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))`), which every stored content hash was made from; orjson writes them
    several times faster and alike for everything but floats (`_FLOATS`) and what it refuses (a
    lone surrogate, an integer beyond 64 bits, a key not text), which go to the json module."""
    floats = _FLOATS[0]
    plain = to_dict(record)
    if _FLOATS[0] == floats:
        try:
            return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError:
            pass
    return json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(kind: str, data: str) -> Record:
    """A stored record (its canonical JSON) as the model. orjson reads it in half the time; the
    standard library reads what orjson refuses (NaN, which `dumps` can write)."""
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError:
        raw = json.loads(data)
    return from_dict(RECORD_TYPES[kind], raw)


def content_hash(record: Record) -> str:
    """What incremental harvesting compares: equal content, equal hash."""
    return digest(dumps(record))


def digest(canonical_json: str) -> str:
    """`content_hash` for a record already dumped (saves dumping twice)."""
    return hashlib.sha256(canonical_json.encode()).hexdigest()


def key_for(uri: str) -> str:
    """Short, URL-safe, stable key of a URI, used in web paths and as the index document id."""
    return hashlib.sha1(uri.encode()).hexdigest()[:16]
