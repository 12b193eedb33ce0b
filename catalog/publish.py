"""The publisher kit: a registry's variable list (CSV/XLSX) + a small TOML file -> a static DCAT feed.

Many registries have only a spreadsheet. `catalog publish` turns each spreadsheet into one
dataset with its variables (Norwegian column headings, see `COLUMNS`), takes the dataset
metadata from `metadata.toml` (title, publisher, contact, legal basis, health categories...),
validates the result against HealthDCAT-AP (which includes DCAT-AP-NO's demands on identifiers
and publishers) and writes Turtle and JSON-LD pages, Hydra-linked when large, that any web
server can host and the `dcat` harvester reads. What to fix is reported in plain words with the
file, row and column it comes from.

The feed a registry serves is its word: the catalogue's next harvest deletes every variable the
feed no longer holds. So the kit publishes nothing when a list was not read in full (an error,
see `Problem`), and writes a feed only whole (`write_feed`): what was served before stays served.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, RDF
from rdflib.namespace import DCTERMS as DCT

from catalog import messages as msg
from catalog import minimum, profiles
from catalog.config import (
    DEFAULT_FIELDS,
    EU_AUTHORITY,
    VOCABULARY_OF,
    ConfigError,
    _default,
    _email,
    _iri,
    _text,
    publisher_type,
)
from catalog.model import Agent, CodeList, Dataset, Distribution, Record, Variable
from catalog.published import ACCESS_TITLE
from catalog.rdf import (
    FILE_TYPES,
    HK,
    LICENCE_NAMES,
    PUBLISHED_WITH,
    PUBLISHER_KIT,
    TripleSink,
    TripleWriter,
    _agent,
    _date,
    _iris,
    _licence_key,
    add_records,
    to_graph,
)
from catalog.readiness import field_of, node_fields
from harvesters.varlist import DEFAULT_HEADINGS, LAYOUT_OPTIONS, LOST_NOTHING, VarlistError, read_varlist

if TYPE_CHECKING:
    from catalog.validation import Finding, Report

COLUMNS = {
    "Variabelnavn": (
        "variabelens kortnavn slik det står i dataene (påkrevd)",
        "kortnamnet til variabelen slik det står i dataa (påkravd)",
        "the variable's short name as in the data (required)",
    ),
    "Variabeletikett": ("en etikett folk forstår", "ei etikett folk forstår", "a label people understand"),
    "Beskrivelse": (
        "hva variabelen inneholder og hvordan den måles",
        "kva variabelen inneheld og korleis han blir målt",
        "what the variable holds, how it is measured",
    ),
    "Datatype": (
        "heltall, desimaltall, tekst, dato, dato og tid, boolsk (eller et CSVW-navn)",
        "heltal, desimaltal, tekst, dato, dato og tid, boolsk (eller eit CSVW-namn)",
        "heltall, desimaltall, tekst, dato, dato og tid, boolsk (or a CSVW name)",
    ),
    "Enhet": ("måleenhet, f.eks. gram, år", "måleeining, t.d. gram, år", "unit of measure, e.g. gram, år"),
    "Kodeverk": (
        "en kodeliste: adressen (URI), eller kodene skrevet inn som 1=Ja; 2=Nei (eller 1 = Ja, 2 = Nei), "
        "eller navnet på et kodeverk (ICD-10)",
        "ei kodeliste: adressa (URI), eller kodane skrivne inn som 1=Ja; 2=Nei (eller 1 = Ja, 2 = Nei), "
        "eller namnet på eit kodeverk (ICD-10)",
        "a code list: its URI, or the codes inline as 1=Ja; 2=Nei (or 1 = Ja, 2 = Nei), "
        "or a coding system name (ICD-10)",
    ),
    "Gyldig fra": (
        "første dato variabelen gjelder (ÅÅÅÅ-MM-DD)",
        "første dato variabelen gjeld (ÅÅÅÅ-MM-DD)",
        "first date the variable is valid (YYYY-MM-DD)",
    ),
    "Gyldig til": (
        "siste dato variabelen gjelder (ÅÅÅÅ-MM-DD)",
        "siste dato variabelen gjeld (ÅÅÅÅ-MM-DD)",
        "last date the variable is valid (YYYY-MM-DD)",
    ),
    "Tabell": (
        "tabellen variabelen hører til, om registeret har flere",
        "tabellen variabelen høyrer til, om registeret har fleire",
        "the table the variable belongs to, if the register has several",
    ),
    "Spørsmål": (
        "spørsmålet som ble stilt, for variabler fra spørreskjema",
        "spørsmålet som vart stilt, for variablar frå spørjeskjema",
        "the question asked, for survey variables",
    ),
    "Nøkkelord": ("nøkkelord, skilt med komma", "nøkkelord, skilde med komma", "keywords, separated by commas"),
}
"""The template's headings -> what each holds in bokmål, nynorsk and English, as its "Veiledning"
sheet tells it: the sheet said it in English alone, under a Norwegian heading, to a registry
working in Norwegian (a registry's drill, 2026-12-07)."""
METADATA_FILE = "metadata.toml"
METADATA_TEMPLATE = """\
# What the publisher kit needs besides the variable lists (`catalog publish FOLDER --out DIR`).
# Every spreadsheet in the folder becomes one dataset described by the values here; a table
# [datasets.<file name without .csv/.xlsx>] overrides them for that file (see the end).
# Texts are a string (bokmål) or a table of language -> text. Replace every example value.

base_url = "https://registry.example.no/dcat/"   # where the feed will be hosted (required: the pages link there)
title = { nb = "Eksempelregisteret", en = "The Example Registry" }
description = { nb = "Hva registeret inneholder, hvem det gjelder og hvordan data samles inn." }
keywords = ["helse", "register"]
health_categories = ["PHDR"]     # EHDS health categories (codes of the EU list, or full IRIs)
themes = ["HEAL"]                # EU data themes
access_rights = "NON_PUBLIC"     # PUBLIC, RESTRICTED or NON_PUBLIC
applicable_legislation = ["http://data.europa.eu/eli/reg/2025/327/oj"]
legal_basis = "Forskrift om Eksempelregisteret."
purpose = "Hva registeret skal brukes til."
provenance = "Hvor dataene kommer fra, f.eks. meldinger fra helseforetakene."
population_coverage = "Hvem registeret omfatter."
dataset_type = "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"
temporal_start = "2008-01-01"
access_url = "https://helsedata.no/no/soknad/"  # where a researcher applies for access
# What is given out there (nb | nn | en):
#   access_description: hva som utleveres, og hvordan | kva som blir utlevert, og korleis | what is given out, and how
#   access_format: filformatet dataene utleveres i: en kode fra EUs file-type-liste (CSV, XLSX, SAS, SPSS,
#     STATA, PARQUET, ...), eller en medietype (text/csv) | filformatet dataa blir utleverte i: ei kode frå
#     file-type-lista til EU, eller ein medietype | the file format the data are given out in: a code of the
#     EU file-type list, or a media type
#   access_license: lisensen eller vilkårene dataene utleveres under, som IRI, eller NLOD 2.0, CC BY 4.0, CC0
#     for åpne data | lisensen eller vilkåra dataa blir utleverte under, som IRI, eller NLOD 2.0, CC BY 4.0,
#     CC0 for opne data | the licence or terms the data are given out under, as an IRI, or NLOD 2.0,
#     CC BY 4.0, CC0 for open data
access_description = { nb = "Data fra registeret, utlevert etter søknad til Helsedataservice.", nn = "Data frå registeret, utleverte etter søknad til Helsedataservice.", en = "The registry's data, given out on application to the Health Data Service." }
access_format = "CSV"
# access_license = "https://registry.example.no/vilkar-for-utlevering"
# Also what the EHDS minimum asks for, where known (codes of the EU lists or full IRIs; counts as
# whole numbers; the kit's report says which are still missing):
# spatial = ["NOR"]
# frequency = "CONT"
# coding_systems = ["https://www.ehelse.no/kodeverk/icd-10"]
# code_values = ["I21", "I22"]                 # the codes of those systems the data are about
# number_of_records = 1000000
# number_of_unique_individuals = 250000
# conforms_to = ["https://www.ehelse.no/standardisering/standarder/..."]
# has_personal_data = ["https://w3id.org/dpv/dpv-pd#HealthRecord"]
# generated_by = ["https://hdeu-dcat.data.health.europa.eu/resource/authority/health-activity/HEALTH_REGISTRIES"]
# health_themes = ["http://www.wikidata.org/entity/Q12152"]
# custodian = { name = "Helseforetaket", uri = "https://data.brreg.no/enhetsregisteret/api/enheter/...", email = "post@example.no" }
# Agents: name, uri, orgnr, email, url (web addresses in full, https://...) and type, from an EU
# publisher-type list: its code or its name in nb, nn or en, any case. The EHDS feed (HealthDCAT-AP
# Release 8) asks a dataset's publisher for a type of HealthDCAT-AP's own list, whose codes so far are
# public-health-registry ("Offentlig helseregister") and non-gov-org ("Ikke-statlig organisasjon");
# ADMS's (NationalAuthority, RegionalAuthority, Company, ...) are DCAT-AP's, and break that rule there.
publisher = { name = "Helsedirektoratet", type = "public-health-registry", uri = "https://data.brreg.no/enhetsregisteret/api/enheter/983544622", orgnr = "983544622", email = "post@example.no" }
contact = { name = "Eksempelregisteret", email = "register@example.no", url = "https://registry.example.no/" }
# hdab, the health data access body: Helsedataservice is part of Helsedirektoratet, a national authority,
# ADMS's NationalAuthority (nb "Nasjonal myndighet", nn "Nasjonal styresmakt"). HealthDCAT-AP's own list has
# no type for a public body, and Release 8 asks its list of a dataset's publisher alone, not of the hdab.
hdab = { name = "Helsedataservice", type = "NationalAuthority", uri = "https://helsedata.no/", email = "helsedata@example.no" }

# The catalogue's own title and description, where they are not the datasets' (texts as above):
# catalog_title = { nb = "Eksempelregisterets variabellister", en = "The Example Registry's variable lists" }
# catalog_description = { nb = "Variabellistene til Eksempelregisteret." }
# (its language and modification date are those of the texts, and the day it is published)

# Lists with headings of their own (the Norwegian ones of the template are known): name each
# heading's field (name, title, description, datatype, unit, codes, valid_from, ...), e.g.
# columns = { shortname = "name", name = "title", content = "description" }

# [datasets.mal]                 # the values for mal.xlsx alone
# title = { nb = "Eksempelregisteret: fødsler" }
"""
"""An example `metadata.toml` naming every key the kit reads; `catalog publish --template` writes
it beside the template spreadsheet, so that the template and it publish a conforming feed."""
EXAMPLE_BASE = "https://registry.example.no/dcat/"
"""The example's `base_url`: a feed published with it links its pages to a host that is not
there, and the harvest then failed with "refused to fetch from host 'registry.example.no'"."""
MINIMUM_KEYS = {
    "dct:accessRights": "access_rights",
    "dcatap:applicableLegislation": "applicable_legislation",
    "healthdcatap:hasCodeValues": "code_values",
    "healthdcatap:hasCodingSystem": "coding_systems",
    "dcat:contactPoint": "contact",
    "dct:conformsTo": "conforms_to",
    "geodcatap:custodian": "custodian",
    "dct:description": "description",
    "dcat:distribution": "access_url",
    "dct:spatial": "spatial",
    "dpv:hasPersonalData": "has_personal_data",
    "healthdcatap:hdab": "hdab",
    "healthdcatap:healthCategory": "health_categories",
    "healthdcatap:healthTheme": "health_themes",
    "dct:identifier": "identifier",
    "healthdcatap:hasStructuredData": "has_structured_data",
    "dcat:keyword": "keywords",
    "dct:language": "languages",
    "healthdcatap:numberOfRecords": "number_of_records",
    "healthdcatap:numberOfUniqueIndividuals": "number_of_unique_individuals",
    "dct:provenance": "provenance",
    "dct:publisher": "publisher",
    "dct:temporal": "temporal_start",
    "dct:title": "title",
    "dct:type": "dataset_type",
    "healthdcatap:hasVariables": "",
    "prov:wasGeneratedBy": "generated_by",
}
"""Each element of the EHDS minimum (`catalog.minimum.ELEMENTS`) -> the `metadata.toml` key that
states it ("": the list's rows, its variables). The kit's report names the key of each one missing."""


class PublishError(Exception):
    """Input the kit cannot use at all (no spreadsheet, unreadable metadata); the message says what to do."""


ERROR = "error"
WARNING = "warning"
NOTE = "note"
"""What was passed over that is no mistake (a workbook's sheet of prose): said, not to fix."""


@dataclass
class Problem:
    """Something found in a list, `where` naming its file, row and column.

    An `ERROR` stops the kit: nothing is written over the feed already served. It is raised when
    the feed would not say all the list says: the file cannot be read (no header row), it holds no
    variable, a row was skipped (no variable name, a variable listed twice, a line that is not
    CSV) or a cell was not read (a data type or date the kit does not know, codes it cannot
    split). Published anyway, the loss is the registry's word: a misspelt heading (`Varibelnavn`)
    published its dataset without variables, and the catalogue's next harvest deleted all of them
    with "0 errors". A registry would rather be told than lose a variable; `publish(partial=True)`
    (`--partial`) publishes what was read, each loss then a warning, but never a file it could not
    read. A `WARNING` is published: all was read, and should be checked (a file that is not UTF-8,
    read as Windows-1252). A `NOTE` is neither: what was passed over that is no mistake."""

    where: str  # file, row, column
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Result:
    """What `publish` built and wrote: `published` is False when the kit refused (an error in
    the lists), and then `files` is empty and the output folder as it was."""

    records: list[Record]
    files: list[Path]
    problems: list[Problem] = field(default_factory=list)
    report: str = ""
    conforms: bool = True
    published: bool = True
    minimum: dict[str, list[str]] = field(default_factory=dict)  # dataset URI -> EHDS minimum elements it lacks
    summary: str = ""  # the report cut for the terminal, saying where the full one is

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


# --- reading ----------------------------------------------------------------------------------


def _lang_text(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v}
    return {"nb": str(value)} if value else {}


def _agent_from(meta: Any) -> Agent | None:
    if not isinstance(meta, dict):
        return None
    return Agent(
        name=_lang_text(meta.get("name")),
        uri=meta.get("uri"),
        identifier=meta.get("orgnr"),
        type=meta.get("type"),
        email=meta.get("email"),
        url=meta.get("url"),
    )


AGENT_FIELDS = {"publisher", "contact", "custodian", "hdab"}
AGENT_KEYS = ("name", "uri", "orgnr", "type", "email", "url")


TEXT_KEYS = ("title", "description", "identifier", "catalog_title", "catalog_description")
"""Keys whose value is a text, or a table of language -> text; `catalog_*` are the catalogue's own
(`catalog_node`), else it takes the datasets' title and description."""
ACCESS_KEYS = ("access_license", "access_format", "access_description")
"""What the kit states of the distribution it writes for `access_url` (dct:license; dct:format and
dcat:mediaType; dct:description): no key gave them, so the report's warnings about a distribution's
licence, format and description were ones a registry could not clear (a registry's drill, 2026-12-07)."""
KIT_KEYS = {"base_url", "datasets", *TEXT_KEYS, *ACCESS_KEYS, *AGENT_FIELDS, *LAYOUT_OPTIONS}
"""What `metadata.toml` may say: these, and every dataset field an operator may complete
(`config.DEFAULT_FIELDS`: spatial, coding systems, counts, frequency, ...), read as they are."""
KIT_DEFAULTS = {"themes": ["HEAL"], "access_rights": "NON_PUBLIC", "languages": ["NOB"]}


def load_metadata(path: Path) -> dict[str, Any]:
    """`metadata.toml`, checked: a key the kit does not know, a value of the wrong kind (a text
    where a list is asked, a code no list has) is an error naming the key, never dropped or
    split into letters; dates may be TOML dates; a byte-order mark is read past."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        meta = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise PublishError(f"{path}: " + msg.NOT_UTF8(byte=f"{exc.object[exc.start]:#04x}", at=exc.start)) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PublishError(f"{path}: " + msg.METADATA_UNREADABLE(cause=exc)) from exc
    try:
        _iri(meta.get("base_url"), "base_url")
    except ConfigError:
        raise PublishError(f"{path}: " + msg.NO_BASE_URL()) from None
    datasets = meta.get("datasets", {})
    if not isinstance(datasets, dict) or not all(isinstance(v, dict) for v in datasets.values()):
        raise PublishError(f"{path}: " + msg.DATASETS_NOT_TABLES())
    checked = _checked(meta, f"{path}: ", text)
    checked["datasets"] = {
        name: _checked(values, f"{path}: datasets.{name}.", text, f"datasets.{name}")
        for name, values in datasets.items()
    }
    return checked


def _agent_checked(value: Any, where: str, text: str = "") -> dict[str, Any]:
    """An agent's table with each value in the form the feed states it: an e-mail address without
    `mailto:`, a publisher type's code or name as its IRI, a web address or IRI with its scheme. A
    value that cannot be stated is an error naming the key and its line in `text`, the metadata
    file: written as it was, `type = "NationalAuthority"` and `url = "www.stolav.no/..."` stopped
    the kit with a traceback from the serialiser. A web address without a scheme is refused, not
    completed with https://: the kit publishes the registry's word, a site may answer only on
    http://, and the error shows the line to write."""
    if not isinstance(value, dict) or set(value) - set(AGENT_KEYS):
        raise PublishError(f"{where}: " + msg.KIT_AGENT_NOT_TABLE(keys=", ".join(AGENT_KEYS), value=value))
    out: dict[str, Any] = {}
    try:
        for key, said in value.items():
            at = f"{where}.{key}{_line(text, key, said)}"
            if key == "name":
                out[key] = {lang or "nb": words for lang, words in _text(said, at).items()}
            elif key == "email":
                out[key] = _email(said, at)
            elif key == "orgnr":
                if isinstance(said, bool) or not isinstance(said, str | int) or not str(said).strip():
                    raise ConfigError(f"{at}: " + msg.NOT_ORG_NUMBER(value=said))
                out[key] = str(said).strip()
            elif key == "type":
                out[key] = publisher_type(said, at)
            else:
                out[key] = _web_address(said, at)
    except ConfigError as exc:
        raise PublishError(str(exc)) from None
    return out


def _line(text: str, key: str, value: Any, table: str | None = None) -> str:
    """Where in the metadata file `text` `key` is given `value`, " (line N)", as a list's problem
    names its row; "" when the file does not say it so (a text with escapes). A text or a number is
    found where it is written (in an agent's table too); any other value (a table of language ->
    text, a list, a date) by the line its key begins, in the table `table` (`[datasets.<file>]`,
    else the file's top): `purpose = { nb = "" }` and `spatial = ["Norge"]` were errors without
    their line, where an agent's were given theirs. A boolean is found where it is written too, as
    TOML writes it: `orgnr = true` in an agent's table (which begins no line) was an error without
    its line, where the agent's other keys were given theirs."""
    if isinstance(value, str):
        said = rf"(?:\"{re.escape(value)}\"|'{re.escape(value)}')"
    elif isinstance(value, bool):
        said = rf"{str(value).lower()}\b"
    elif isinstance(value, int):
        said = rf"{value}\b"
    else:
        begins = re.compile(rf"\s*{re.escape(key)}\s*=")
        lines = [str(n) for n, line, at in _lines_in_tables(text) if at == table and begins.match(line)]
        return f" ({'line' if len(lines) == 1 else 'lines'} {', '.join(lines)})" if lines else ""
    given = re.compile(rf"(?:^|[{{,\s]){re.escape(key)}\s*=\s*{said}")
    lines = [str(n) for n, line in enumerate(text.splitlines(), start=1) if given.search(line)]
    return f" ({'line' if len(lines) == 1 else 'lines'} {', '.join(lines)})" if lines else ""


TABLE_HEADER = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _lines_in_tables(text: str) -> Iterator[tuple[int, str, str | None]]:
    """Each line of the metadata file with its number and the table it is in (`datasets.mal`, None
    at the top)."""
    table: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = TABLE_HEADER.match(line)
        if header:
            table = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
            continue
        yield number, line, table


SCHEMELESS = re.compile(r"[\w.-]+\.[a-z]{2,}(/\S*)?", re.I)
"""A web address written without its scheme (`www.stolav.no/...`)."""


def _web_address(value: Any, where: str) -> str:
    if isinstance(value, str) and SCHEMELESS.fullmatch(value.strip()):
        raise ConfigError(f"{where}: " + msg.NO_SCHEME(value=value, address=value.strip()))
    return _iri(value, where)


def _checked(meta: dict[str, Any], where: str, text: str = "", table: str | None = None) -> dict[str, Any]:
    """The keys of `meta` parsed as the catalogue parses an operator's defaults (`config._default`);
    agents by `_agent_checked`. Each error names its key and its line in `text`, the metadata file
    (`table`: the `[datasets.<file>]` table `meta` is, else its top)."""
    known = KIT_KEYS | set(DEFAULT_FIELDS)

    def at(key: str) -> str:
        return f"{where}{key}{_line(text, key, meta[key], table)}"

    for key in meta:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            if close:
                raise PublishError(f"{at(key)}: " + msg.UNKNOWN_KEY_CLOSE(close=close[0]))
            raise PublishError(f"{at(key)}: " + msg.UNKNOWN_KEY(keys=", ".join(sorted(known))))
    out = dict(meta)
    for key in sorted(AGENT_FIELDS & set(meta)):
        out[key] = _agent_checked(meta[key], f"{where}{key}", text)
    for key in (set(DEFAULT_FIELDS) - AGENT_FIELDS) & set(meta):
        value = meta[key]
        if isinstance(value, date):  # a TOML date (temporal_start = 2005-01-01): as the text it is
            value = value.isoformat()
        try:
            out[key] = _default(DEFAULT_FIELDS[key], value, f"{where}{key}", VOCABULARY_OF.get(key))
        except ConfigError as exc:  # its line after the key and the item it names: "spatial[1] (line 6): ..."
            named = re.match(rf"{re.escape(where + key)}(?:\[\d+\])?", str(exc))
            if named is None:
                raise PublishError(str(exc)) from None
            line = _line(text, key, meta[key], table)
            raise PublishError(str(exc)[: named.end()] + line + str(exc)[named.end() :]) from None
    for key in TEXT_KEYS:
        if key in meta and not isinstance(meta[key], str | dict):
            raise PublishError(f"{at(key)}: " + msg.NOT_KIT_TEXT(value=meta[key]))
    try:
        for key in sorted(set(TEXT_KEYS) & set(meta)):  # an empty one is refused, as an empty `purpose` is
            if key == "identifier":  # one text, no languages; without the key, the list's file name
                out[key] = _default("string", meta[key], at(key))
            else:
                out[key] = {lang or "nb": words for lang, words in _text(meta[key], at(key)).items()}
        said_at = {key: at(key) for key in set(ACCESS_KEYS) & set(meta)}
        if "access_license" in said_at:
            out["access_license"] = _licence(meta["access_license"], said_at["access_license"])
        if "access_format" in said_at:
            out["access_format"] = _file_format(meta["access_format"], said_at["access_format"])
        if "access_description" in said_at:
            said = _text(meta["access_description"], said_at["access_description"])
            out["access_description"] = {lang or "nb": words for lang, words in said.items()}
    except ConfigError as exc:
        raise PublishError(str(exc)) from None
    return out


LICENCE_EXAMPLES = ("NLOD 2.0", "CC BY 4.0", "CC0")
"""Licences the kit takes by name (`catalog.rdf.LICENCE_NAMES`, as the harvester reads them), as
its errors name them."""


def _licence(value: Any, where: str) -> str:
    """`access_license` as the IRI dct:license states: an http(s) IRI, or the name of a licence of the
    EU list the harvester knows by name ("NLOD 2.0", "CC BY 4.0"). Any other text is refused: DCAT
    asks for a licence document's IRI, and a name the catalogue cannot resolve says nothing to it."""
    if isinstance(value, str) and not value.strip().lower().startswith(("http://", "https://")):
        named = LICENCE_NAMES.get(_licence_key(value))
        if named:
            return named
        if not SCHEMELESS.fullmatch(value.strip()):
            raise ConfigError(f"{where}: " + msg.NOT_LICENCE(value=value, names=", ".join(LICENCE_EXAMPLES)))
    return _web_address(value, where)


FILE_TYPE_LIST = EU_AUTHORITY + "file-type"
MEDIA_TYPE_OF = {code: media for media, code in reversed(list(FILE_TYPES.items()))}
"""A file type's IRI -> its IANA media type (the first `catalog.rdf.FILE_TYPES` names for it)."""


@cache
def file_types() -> dict[str, str]:
    """The codes of the EU file-type list our vocabulary file holds (shapes/vocabularies/eu.ttl), as
    the shapes check a format: case-folded code -> IRI."""
    from rdflib.namespace import SKOS

    from catalog.validation import vocabulary_graph

    g = vocabulary_graph()
    return {
        str(g.value(concept, SKOS.notation)).casefold(): str(concept)
        for concept in g.subjects(SKOS.inScheme, URIRef(FILE_TYPE_LIST))
        if g.value(concept, SKOS.notation) is not None
    }


def _file_format(value: Any, where: str) -> dict[str, str | None]:
    """`access_format` as dct:format (the EU file-type list's IRI) and dcat:mediaType (an IANA media
    type, where one stands for it): a code of the list ("CSV", any case), its IRI, or a media type
    ("text/csv"). Another is refused with the codes: the shapes take no format outside that list."""
    said = value.strip() if isinstance(value, str) else value
    types = file_types()
    found: str | None = None
    if isinstance(said, str):
        found = (
            types.get(said.casefold())
            or FILE_TYPES.get(said.lower())
            or next((iri for iri in types.values() if iri == said), None)
        )
    if found is None or found not in types.values():
        codes = ", ".join(sorted(code.upper() for code in types))
        raise ConfigError(f"{where}: " + msg.NOT_FILE_TYPE(value=value, list=FILE_TYPE_LIST, codes=codes))
    media = said.lower() if isinstance(said, str) and said.lower() in FILE_TYPES else MEDIA_TYPE_OF.get(found)
    return {"format": found, "media_type": media}


class Builder:
    """Maps one spreadsheet plus the metadata into a dataset (and the code lists given inline)."""

    def __init__(self, meta: dict[str, Any], partial: bool = False):
        self.meta = meta
        self.partial = partial
        self.base = meta["base_url"].rstrip("/") + "/"
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []  # `NOTE`s
        self.codelists: list[CodeList] = []
        self.lists: list[_Listed] = []  # where each dataset's variables were read, for `fix_in`

    def dataset(self, path: Path) -> Dataset:
        meta = {
            **{k: v for k, v in self.meta.items() if k != "datasets"},
            **self.meta.get("datasets", {}).get(path.stem, {}),
        }
        identifier = str(meta.get("identifier") or path.stem)
        uri = f"{self.base}dataset/{quote(identifier, safe='')}"
        d = Dataset(
            uri=uri,
            identifier=identifier,
            title=_lang_text(meta.get("title")),
            description=_lang_text(meta.get("description")),
            publisher=_agent_from(meta.get("publisher")),
            contact=_agent_from(meta.get("contact")),
            custodian=_agent_from(meta.get("custodian")),
            hdab=_agent_from(meta.get("hdab")),
        )
        for name, value in {**KIT_DEFAULTS, **meta}.items():
            if name in DEFAULT_FIELDS and name not in AGENT_FIELDS and name != "access_url":
                if DEFAULT_FIELDS[name] in ("text", "keywords"):  # a text without a language is bokmål here
                    value = {lang or "nb": said for lang, said in value.items()}
                elif name in KIT_DEFAULTS and name not in meta:
                    value = _default(DEFAULT_FIELDS[name], value, name, VOCABULARY_OF.get(name))
                setattr(d, name, value)
        if meta.get("access_url"):
            said = meta.get("access_format") or {}
            d.distributions = [
                Distribution(
                    uri=f"{uri}/tilgang",
                    access_url=meta["access_url"],
                    title=dict(ACCESS_TITLE),
                    description=dict(meta.get("access_description") or {}),
                    license=meta.get("access_license"),
                    format=said.get("format"),
                    media_type=said.get("media_type"),
                )
            ]
        else:
            stated = [key for key in ACCESS_KEYS if key in meta]
            if stated:  # nothing to state them of: dropped, they were the registry's word lost
                raise PublishError(
                    f"{METADATA_FILE}: {stated[0]}: " + msg.ACCESS_WITHOUT_URL(file=path.name, stem=path.stem)
                )
        d.variables = self.variables(path, d, {k: meta[k] for k in LAYOUT_OPTIONS if k in meta})
        d.has_structured_data = bool(d.variables)
        return d

    def variables(self, path: Path, dataset: Dataset, layout: dict[str, Any]) -> list[Variable]:
        """The spreadsheet read as the `spreadsheet` harvester reads it (harvesters/varlist.py: the
        common Norwegian headings, inline codes, hostile-file checks); URIs under the dataset's.
        `layout`: the metadata's `columns`, `sheet`, `header_row`, ... as a source's options: a
        list with headings of its own (the Datahotel's `shortname,name,content`) could not be
        published, and the error named a source's options, which the kit has none of."""

        def mint(kind: str, _dataset_id: str, name: str) -> str:
            uri = f"{dataset.uri}/variabel/{quote(name, safe='')}"
            return uri + "/kodeverk" if kind == "codelist" else uri

        try:
            found = read_varlist(
                path.read_bytes(),
                url=path.name,
                dataset_id=dataset.identifier,
                mint=mint,
                options=layout,
                publisher=dataset.publisher,
            )
        except VarlistError as exc:
            # how to map a list's own headings, as this kit's metadata file writes it, not a source's settings
            cause = exc.said.but(how=msg.MAP_IN_METADATA.of(stem=path.stem)) if exc.said else str(exc)
            self.problems.append(Problem(path.name, msg.UNREADABLE_LIST(cause=cause, headings=", ".join(COLUMNS))))
            return []
        headings = dict(TEMPLATE_HEADINGS)
        headings |= {str(f): str(h) for h, f in (layout.get("columns") or {}).items()}  # the list's own
        self.lists.append(_Listed(dataset, path, found.rows, headings))
        for p in found.problems:
            where = f"{path.name} {p.record_id}" + (f", {headings.get(p.field, p.field)}" if p.field else "")
            said = p.said or p.message.removeprefix(f"{p.record_id}: ")  # in bokmål and English
            message = str(said)
            if p.lost == LOST_NOTHING:
                self.problems.append(Problem(where, message, WARNING))
            elif self.partial:
                self.problems.append(Problem(where, msg.PUBLISHED_WITHOUT(problem=said), WARNING))
            else:
                self.problems.append(Problem(where, message))
        if not found.variables:  # published, the harvest would delete every variable served before
            self.problems.append(Problem(path.name, msg.NO_VARIABLES()))
        self.notes += [Problem(path.name, note, NOTE) for note in found.notes]
        self.codelists += found.codelists
        return found.variables

    def fix_in(self, finding: Finding) -> str | None:
        """Where the registry fixes a validation finding, in its own terms: the list's file, row and
        heading for a variable, the `metadata.toml` key for the dataset and its agents.
        The report named only the feed's node and a DCAT term ("http://.../variabel/KJONN:
        (csvw:title) Add a readable label"), which a registry had to translate back to its row
        (a registry's drill, 2026-12-07). None where the finding is on no node of a dataset."""
        said = {"focus": finding.focus, "path": finding.path}
        for listed in self.lists:
            d = listed.dataset
            name = field_of(said, node_fields(d))
            if name == "?":
                continue
            top, _, sub = name.partition(".")
            if top == "variables" and sub:
                variable, _, part = sub.partition(".")
                if variable not in listed.rows:
                    return None
                where = f"{listed.path.name} {listed.rows[variable]} ({variable})"
                heading = variable_heading(part, listed.headings)
                return f"{where}, {heading}" if heading else where
            if top in ("variables", "has_structured_data"):
                return f"{listed.path.name}: listens variabler | the list's variables"
            key = metadata_key(name)
            if key is None:
                if top.startswith("distributions"):
                    return (
                        f"ingen nøkkel i {METADATA_FILE} gir den; kitet skriver søknadsadressen (access_url) med "
                        f"{', '.join(ACCESS_KEYS)} | no key of {METADATA_FILE} states it; the kit writes the access "
                        f"address (access_url) with {', '.join(ACCESS_KEYS)}"
                    )
                return None
            table = (
                f"[datasets.{listed.path.stem}] "
                if key.partition(".")[0] in self.meta.get("datasets", {}).get(listed.path.stem, {})
                else ""
            )
            return f"{METADATA_FILE}: {table}{key}"
        return None


def metadata_key(name: str) -> str | None:
    """The `metadata.toml` key that states the dataset field `name` (as `readiness.field_of` names a
    finding's field: "description", "contact.email", "distributions[0].license", "title.en"), an
    agent's with its part ("contact.email"); None where no key states it (a variable's field, what
    the kit writes of the distribution besides its keys). The kit's report (`Builder.fix_in`) and
    the catalogue's hints for a kit's feed (`catalog.readiness.format_hint`) both name it so."""
    top, _, sub = name.partition(".")
    if top.startswith("distributions"):
        return DISTRIBUTION_KEYS.get(sub)
    key = {"temporal": "temporal_start"}.get(top, top)
    if top == "variables" or key not in KIT_KEYS | set(DEFAULT_FIELDS):
        return None
    return key + (f".{sub}" if sub and top in AGENT_FIELDS else "")


TEMPLATE_HEADINGS = {DEFAULT_HEADINGS[h.lower()]: h for h in COLUMNS}
"""A variable's field -> the template's heading that states it ("title" -> "Variabeletikett")."""


def variable_heading(part: str, headings: dict[str, str] | None = None) -> str | None:
    """The heading of a variable list that states a variable's field `part` ("title", "codelist"):
    the list's own (`headings`, as read), else the template's."""
    return (TEMPLATE_HEADINGS if headings is None else headings).get(VARIABLE_COLUMN.get(part, part))


@dataclass
class _Listed:
    """One dataset and where its variables were read: the file, each variable's row, each field's heading."""

    dataset: Dataset
    path: Path
    rows: dict[str, str]
    headings: dict[str, str]


DISTRIBUTION_KEYS = {
    "access_url": "access_url",
    "license": "access_license",
    "format": "access_format",
    "media_type": "access_format",
    "description": "access_description",
    "http://data.europa.eu/r5r/applicableLegislation": "applicable_legislation",  # the dataset's, on each distribution
}
"""A field of the distribution the kit writes -> the `metadata.toml` key that states it."""
VARIABLE_COLUMN = {"codelist": "codes", "coding_system": "codes"}
"""A variable's model field -> the list's field whose heading states it, where the two names differ."""


# --- writing ----------------------------------------------------------------------------------


CATALOG_LANGUAGES = {
    "nb": "NOB",
    "nn": "NNO",
    "no": "NOR",
    "se": "SME",
    "en": "ENG",
    "sv": "SWE",
    "da": "DAN",
    "fi": "FIN",
    "de": "DEU",
    "fr": "FRA",
}
"""A text's language tag -> its code in the EU language list, for the catalogue's dct:language."""


def catalog_node(g: TripleWriter, meta: dict[str, Any], base: str) -> URIRef:
    """The registry's own dcat:Catalog (what DCAT-AP-NO and HealthDCAT-AP ask of a catalogue).

    Its dct:modified is the day it is published, as the kit writes the whole feed anew each time,
    and its dct:language the languages its texts and its datasets' titles and descriptions are
    written in: both are known, where a key for them would be one more place to keep in step
    with the texts (the report asked for them, and no key gave them)."""
    cat = URIRef(base + "catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCT.identifier, Literal(str(cat))))
    g.add((cat, DCT.modified, _date(date.today().isoformat())))
    g.add((cat, PUBLISHED_WITH, PUBLISHER_KIT))  # the harvesting catalogue's hints then name the kit's keys
    said = [meta, *meta.get("datasets", {}).values()]
    keys = ("title", "description", "catalog_title", "catalog_description")
    tags = {tag.split("-")[0].lower() for m in said for key in keys for tag in _lang_text(m.get(key))}
    codes = sorted(CATALOG_LANGUAGES[tag] for tag in tags & set(CATALOG_LANGUAGES))
    _iris(g, cat, DCT.language, [VOCABULARY_OF["languages"] + code for code in codes], DCT.LinguisticSystem)
    for lang, text in (_lang_text(meta.get("catalog_title")) or _lang_text(meta.get("title"))).items():
        g.add((cat, DCT.title, Literal(text, lang=lang or None)))
    for lang, text in (_lang_text(meta.get("catalog_description")) or _lang_text(meta.get("description"))).items():
        g.add((cat, DCT.description, Literal(text, lang=lang or None)))
    publisher = _agent_from(meta.get("publisher"))
    if publisher:
        g.add((cat, DCT.publisher, _agent(g, publisher, (cat, DCT.publisher), health=True)))
    for law in meta.get("applicable_legislation", []):
        g.add((cat, URIRef("http://data.europa.eu/r5r/applicableLegislation"), URIRef(law)))
    return cat


STAGING = ".catalog-publish-"
"""The prefix of the folder inside `--out` a feed is written to before it is moved into place."""
PAGE_NAME = re.compile(r"catalog(-[1-9][0-9]*)?\.(ttl|jsonld)")


def write_feed(records: list[Record], meta: dict[str, Any], out: Path, page_size: int) -> list[Path]:
    """catalog.ttl / catalog.jsonld (first page), catalog-2.ttl ... linked with hydra:next.

    Whole or not at all: the pages are written to a folder inside `out` (the same file system, so
    a rename moves them) and renamed into place when all are written, the first page last; then
    the pages the new feed no longer has are removed. A kit stopped while writing (a full disk, a
    kill) leaves the feed served before as it was: written in place, half a new feed was served
    beside half the old. The kit touches only its own pages in `out`, which may be a web root.

    Written as the catalogue's own feeds are (`TripleSink`, serialised by pyoxigraph through
    `catalog.feeds.render`): with rdflib's serialisers a registry's list of 20,000 variables took
    the kit 45 s of its 49 (2,000 code lists, 41 pages of 50 records in two formats)."""
    out.mkdir(parents=True, exist_ok=True)
    for left in out.glob(STAGING + "*"):  # of a run that was stopped
        shutil.rmtree(left, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=out))
    try:
        written = _write_pages(records, meta, staging, page_size)
        for path in reversed(written):  # the first page, where a harvester starts, last
            os.replace(path, out / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    names = {path.name for path in written}
    for old in out.iterdir():
        if PAGE_NAME.fullmatch(old.name) and old.name not in names:
            old.unlink()
    return [out / path.name for path in written]


def _write_pages(records: list[Record], meta: dict[str, Any], out: Path, page_size: int) -> list[Path]:
    from catalog.feeds import add_view, render

    base = meta["base_url"].rstrip("/") + "/"
    pages = [records[i : i + page_size] for i in range(0, len(records), page_size)] or [[]]
    files = []
    for number, page in enumerate(pages, start=1):
        for suffix, fmt in (("ttl", "turtle"), ("jsonld", "jsonld")):
            g = TripleSink()
            cat = catalog_node(g, meta, base)
            add_records(g, page)
            for r in page:
                g.add((cat, DCAT.dataset if isinstance(r, Dataset) else HK.codeList, URIRef(r.uri)))
            if len(pages) > 1:

                def link(n: int, suffix: str = suffix) -> str:
                    return f"{base}{page_name(n, suffix)}"

                add_view(g, cat, number, len(pages), len(records), link)
            path = out / page_name(number, suffix)
            path.write_bytes(render(g.turtle(), fmt))
            files.append(path)
    return files


def page_name(number: int, suffix: str) -> str:
    return f"catalog.{suffix}" if number == 1 else f"catalog-{number}.{suffix}"


def inputs(location: Path, metadata: Path | None) -> tuple[list[Path], Path]:
    if location.is_dir():
        sheets = sorted(
            p
            for p in location.iterdir()
            if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(("~$", "."))
        )
        meta = metadata or location / METADATA_FILE
    elif location.suffix.lower() in (".csv", ".xlsx") and location.exists():
        sheets = [location]
        meta = metadata or next(
            (p for p in (location.with_suffix(".toml"), location.parent / METADATA_FILE) if p.exists()),
            location.parent / METADATA_FILE,
        )
    else:
        raise PublishError(f"{location}: " + msg.NOT_A_LIST_FILE())
    if not sheets:
        raise PublishError(f"{location}: " + msg.NO_LIST_FILES())
    if not meta.exists():
        raise PublishError(f"{meta}: " + msg.NO_METADATA(file=METADATA_FILE))
    return sheets, meta


REPORT_FILES = ("rapport.txt", "rapport.json")
SHOW = 20
"""How many of each kind of finding (errors, warnings, nodes with findings, incomplete datasets)
the terminal shows by default: the report of a list of 100,000 variables was 77 MB on stdout."""


def publish(
    location: Path,
    out: Path,
    metadata: Path | None = None,
    page_size: int = 50,
    partial: bool = False,
    report_dir: Path | None = None,
    show: int = SHOW,
) -> Result:
    """Build, validate and write the feed; the result says what to fix.

    An error in a list (`Problem`) publishes nothing: `out` stays as it was. Violations of
    HealthDCAT-AP are published: the feed then says all the lists say, the catalogue harvests it
    and shows what to fix, and the dataset stays out of the EHDS feed until it conforms (refused,
    a registry could not publish its corrected variables until every description was written).

    The full report (`REPORT_FILES`) goes to `report_dir`, by default the folder of the lists and
    `metadata.toml`, not to `out`: `out` is served to the world and harvested, the report is the
    registry's work list (a list of 100,000 variables gave 77 + 117 MB of report in the served
    folder). Reports an earlier kit left in `out` are removed. `Result.summary` is the report cut
    to `show` findings of each kind (0: all), for the terminal."""
    from catalog.validation import validate_graph

    sheets, meta_path = inputs(location, metadata)
    builder = Builder(load_metadata(meta_path), partial)
    datasets: list[Record] = [builder.dataset(p) for p in sheets]
    records = datasets + list(builder.codelists)
    g = to_graph(records)
    catalog_node(g, builder.meta, builder.base)
    report = validate_graph(g, profiles.EHDS)
    gaps = {d.uri: minimum.missing(d) for d in datasets if isinstance(d, Dataset)}
    errors = [p for p in builder.problems if p.severity == ERROR]
    files = [] if errors else write_feed(records, builder.meta, out, page_size)
    reports = report_dir or (location if location.is_dir() else location.parent)
    reports.mkdir(parents=True, exist_ok=True)
    text = _report_text(builder, report, gaps, out, 0)
    (reports / REPORT_FILES[0]).write_text(text, encoding="utf-8")
    (reports / REPORT_FILES[1]).write_text(
        json.dumps(
            {
                "published": not errors,
                "problems": [p.__dict__ for p in builder.problems],
                "notes": [p.__dict__ for p in builder.notes],
                "validation": {  # each finding with where the registry fixes it (`Builder.fix_in`)
                    **report.to_dict(),
                    "findings": [{**vars(f), "fix_in": builder.fix_in(f)} for f in report.findings],
                },
                "minimum": [{"dataset": uri, "missing": missing} for uri, missing in gaps.items()],
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    if files and out.resolve() != reports.resolve():
        for name in REPORT_FILES:
            (out / name).unlink(missing_ok=True)
    summary = text if not show else _report_text(builder, report, gaps, out, show)
    summary += f"\nHele rapporten | The full report: {reports / REPORT_FILES[0]} ({REPORT_FILES[1]} beside it)\n"
    conforms = report.conforms and not builder.problems
    return Result(records, files, builder.problems, text, conforms, not errors, gaps, summary)


def _report_text(builder: Builder, report: Report, gaps: dict[str, list[str]], out: Path, show: int) -> str:
    """The report as text, with the first `show` findings of each kind (0: all)."""
    from catalog.validation import format_report

    errors = [p for p in builder.problems if p.severity == ERROR]
    refused = (
        "Ikke publisert: listene har feil (over) | Not published: the lists have errors (above)" if errors else None
    )
    text = format_report(report, show=show, verdict=refused, fix_in=builder.fix_in) + "\n" + format_minimum(gaps, show)
    if urlsplit(builder.base).hostname == urlsplit(EXAMPLE_BASE).hostname:
        text = (
            f"Merk | Note: base_url is still the example's ({builder.base}): the feed's pages link to each other "
            "there, and a harvester follows those links, so say where you will host it\n\n" + text
        )
    text = "".join(f"Merk | Note: {note}\n\n" for note in builder.notes) + text
    if builder.problems:
        text = "Rader som må rettes | Rows to fix:\n" + _problem_lines(builder.problems, show) + "\n\n" + text
    if errors:
        text = (
            f"IKKE PUBLISERT | NOT PUBLISHED: {len(errors)} error(s) in the lists; nothing was written to {out}, "
            "so the feed served from there stays as it was. Fix the rows below and run again "
            "(--partial publishes what was read, without them).\n\n" + text
        )
    return text


def _problem_lines(problems: list[Problem], show: int) -> str:
    lines = []
    for severity, label in ((ERROR, "Feil | Error"), (WARNING, "Advarsel | Warning")):
        found = [p for p in problems if p.severity == severity]
        lines += [f"  [{label}] {p}" for p in found[: show or None]]
        if show and len(found) > show:
            lines.append(f"  ... {len(found) - show} more ({label}): all in the full report, or --show 0")
    return "\n".join(lines)


def format_minimum(gaps: dict[str, list[str]], show: int = 0) -> str:
    """The EHDS minimum per dataset, as `catalog ehds-check` will find it after the harvest, each
    element missing with the metadata key that states it. Warnings, and published: the minimum
    is what a registry must reach, not what a feed must hold to be harvested; before, the kit's
    report never named conformsTo, hasPersonalData, wasGeneratedBy or hasCodeValues, and a
    registry learnt of them from ehds-check after its feed was harvested."""
    lines = [
        "EHDS-minimum (gjennomføringsforordning (EU) 2026/2098) | EHDS minimum metadata "
        "(Implementing Regulation (EU) 2026/2098):"
    ]
    shown = 0
    for uri, missing in gaps.items():
        if not missing:
            lines.append(f"  {uri}: komplett | complete")
            continue
        shown += 1
        if show and shown > show:
            continue
        lines.append(f"  {uri}: mangler {len(missing)} | lacks {len(missing)}")
        for curie in missing:
            e = minimum.BY_CURIE[curie]
            key = MINIMUM_KEYS[curie]
            said = f"{METADATA_FILE}: {key}" if key else "the list: its variables"
            lines.append(f"    [Advarsel | Warning] {curie} {e.nb} | {e.en}: {said}")
    if show and shown > show:
        lines.append(f"  ... {shown - show} more datasets lacking elements: all in the full report, or --show 0")
    return "\n".join(lines) + "\n"


def write_template(path: Path) -> list[Path]:
    """An .xlsx with the Norwegian headings, one example row and a sheet explaining each column,
    and beside it an example `metadata.toml` unless one is there (never overwritten): the files
    written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "Variabler"
    sheet.append(list(COLUMNS))
    sheet.append(
        [
            "VEKT",
            "Fødselsvekt",
            "Barnets vekt ved fødsel.",
            "heltall",
            "gram",
            "",
            "1967-01-01",
            "",
            "",
            "",
            "fødsel, vekt",
        ]
    )
    sheet.append(
        [
            "KJONN",
            "Barnets kjønn",
            "Kjønn registrert ved fødsel.",
            "kode",
            "",
            "1=Gutt; 2=Jente; 9=Ukjent",
            "1967-01-01",
            "",
            "",
            "",
            "",
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    help_sheet = book.create_sheet("Veiledning")
    help_sheet.append(["Kolonne", "Hva den skal inneholde", "Kva han skal innehalde", "What it holds"])
    for name, meanings in COLUMNS.items():
        help_sheet.append([name, *meanings])
    book.save(path)
    metadata = path.parent / METADATA_FILE
    if metadata.exists():
        return [path]
    metadata.write_text(METADATA_TEMPLATE, encoding="utf-8")
    return [path, metadata]
