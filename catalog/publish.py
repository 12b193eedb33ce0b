"""The publisher kit: a registry's variable list (CSV/XLSX) + a small TOML file -> a static DCAT feed.

Many registries have only a spreadsheet. `catalog publish` turns each spreadsheet into one
dataset with its variables (Norwegian column headings, see `COLUMNS`), takes the dataset
metadata from `metadata.toml` (title, publisher, contact, legal basis, health categories...),
validates the result against HealthDCAT-AP (which includes DCAT-AP-NO's demands on identifiers
and publishers) and writes Turtle and JSON-LD pages, Hydra-linked when large, that any web
server can host and the `dcat` harvester reads. What to fix is reported in plain words with the
file, row and column it comes from.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, RDF
from rdflib.namespace import DCTERMS as DCT

from catalog import profiles
from catalog.config import DEFAULT_FIELDS, VOCABULARY_OF, ConfigError, _default
from catalog.model import Agent, CodeList, Dataset, Distribution, Record, Variable
from catalog.rdf import HK, TripleSink, TripleWriter, _agent, _date, _iris, add_records, to_graph
from harvesters.varlist import DEFAULT_HEADINGS, LAYOUT_OPTIONS, MAP_HEADINGS, VarlistError, read_varlist

COLUMNS = {
    "Variabelnavn": "the variable's short name as in the data (required)",
    "Variabeletikett": "a label people understand",
    "Beskrivelse": "what the variable holds, how it is measured",
    "Datatype": "heltall, desimaltall, tekst, dato, dato og tid, boolsk (or a CSVW name)",
    "Enhet": "unit of measure, e.g. gram, år",
    "Kodeverk": "a code list: its URI, or the codes inline as 1=Ja; 2=Nei, or a coding system name (ICD-10)",
    "Gyldig fra": "first date the variable is valid (YYYY-MM-DD)",
    "Gyldig til": "last date the variable is valid (YYYY-MM-DD)",
    "Tabell": "the table the variable belongs to, if the register has several",
    "Spørsmål": "the question asked, for survey variables",
    "Nøkkelord": "keywords, separated by commas",
}
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
# Also, where known (codes of the EU lists or full IRIs; counts as whole numbers):
# spatial = ["NOR"]
# frequency = "CONT"
# coding_systems = ["https://www.ehelse.no/kodeverk/icd-10"]
# number_of_records = 1000000
# number_of_unique_individuals = 250000
publisher = { name = "Helsedirektoratet", uri = "https://data.brreg.no/enhetsregisteret/api/enheter/983544622", orgnr = "983544622", email = "post@example.no" }
contact = { name = "Eksempelregisteret", email = "register@example.no" }
hdab = { name = "Helsedataservice", uri = "https://helsedata.no/", email = "helsedata@example.no" }

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
MAP_IN_METADATA = 'map your own headings in metadata.toml, e.g. columns = { shortname = "name", name = "title" }'
"""How the kit says to map a list's own headings (`harvesters.varlist.MAP_HEADINGS` for a source)."""


class PublishError(Exception):
    """Input the kit cannot use at all (no spreadsheet, unreadable metadata); the message says what to do."""


@dataclass
class Problem:
    where: str  # file, row, column
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Result:
    records: list[Record]
    files: list[Path]
    problems: list[Problem] = field(default_factory=list)
    report: str = ""
    conforms: bool = True


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
KIT_KEYS = {"base_url", "datasets", *TEXT_KEYS, *AGENT_FIELDS, *LAYOUT_OPTIONS}
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
        raise PublishError(
            f"{path}: is not UTF-8 (byte {exc.object[exc.start]:#04x} at {exc.start}): save it as UTF-8"
        ) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PublishError(f"{path}: cannot read the metadata file ({exc})") from exc
    if not str(meta.get("base_url", "")).startswith(("http://", "https://")):
        raise PublishError(
            f"{path}: base_url must say where the feed will be hosted, e.g. "
            'base_url = "https://registry.example.no/dcat/"'
        )
    datasets = meta.get("datasets", {})
    if not isinstance(datasets, dict) or not all(isinstance(v, dict) for v in datasets.values()):
        raise PublishError(f"{path}: datasets must be tables, [datasets.<file name without .csv/.xlsx>]")
    checked = _checked(meta, f"{path}: ")
    checked["datasets"] = {name: _checked(values, f"{path}: datasets.{name}.") for name, values in datasets.items()}
    return checked


def _checked(meta: dict[str, Any], where: str) -> dict[str, Any]:
    """The keys of `meta` parsed as the catalogue parses an operator's defaults (`config._default`)."""
    known = KIT_KEYS | set(DEFAULT_FIELDS)
    for key in meta:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; the keys are {', '.join(sorted(known))}"
            raise PublishError(f"{where}{key}: unknown key{hint}")
    out = dict(meta)
    for key in AGENT_FIELDS & set(meta):
        value = meta[key]
        if not isinstance(value, dict) or set(value) - set(AGENT_KEYS):
            raise PublishError(f"{where}{key}: must be a table of {', '.join(AGENT_KEYS)} (got {value!r})")
    for key in (set(DEFAULT_FIELDS) - AGENT_FIELDS) & set(meta):
        value = meta[key]
        if isinstance(value, date):  # a TOML date (temporal_start = 2005-01-01): as the text it is
            value = value.isoformat()
        try:
            out[key] = _default(DEFAULT_FIELDS[key], value, f"{where}{key}", VOCABULARY_OF.get(key))
        except ConfigError as exc:
            raise PublishError(str(exc)) from None
    for key in TEXT_KEYS:
        if key in meta and not isinstance(meta[key], str | dict):
            raise PublishError(f"{where}{key}: must be a text or a table of language -> text (got {meta[key]!r})")
    return out


class Builder:
    """Maps one spreadsheet plus the metadata into a dataset (and the code lists given inline)."""

    def __init__(self, meta: dict[str, Any]):
        self.meta = meta
        self.base = meta["base_url"].rstrip("/") + "/"
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        """What was passed over that is no mistake (a workbook's sheet of prose): said, not to fix."""
        self.codelists: list[CodeList] = []

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
            d.distributions = [
                Distribution(
                    uri=f"{uri}/tilgang",
                    access_url=meta["access_url"],
                    title={"nb": "Søk om tilgang", "en": "Apply for access"},
                )
            ]
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
            said = str(exc).replace(MAP_HEADINGS, f"{MAP_IN_METADATA} (or under [datasets.{path.stem}])")
            self.problems.append(Problem(path.name, f"{said}; the headings are " + ", ".join(COLUMNS)))
            return []
        headings = {DEFAULT_HEADINGS[h.lower()]: h for h in COLUMNS}
        for p in found.problems:
            where = f"{path.name} {p.record_id}" + (f", {headings.get(p.field, p.field)}" if p.field else "")
            self.problems.append(Problem(where, p.message.removeprefix(f"{p.record_id}: ")))
        self.notes += [Problem(path.name, note) for note in found.notes]
        self.codelists += found.codelists
        return found.variables


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


def write_feed(records: list[Record], meta: dict[str, Any], out: Path, page_size: int) -> list[Path]:
    """catalog.ttl / catalog.jsonld (first page), catalog-2.ttl ... linked with hydra:next.

    Written as the catalogue's own feeds are (`TripleSink`, serialised by pyoxigraph through
    `catalog.feeds.render`): with rdflib's serialisers a registry's list of 20,000 variables took
    the kit 45 s of its 49 (2,000 code lists, 41 pages of 50 records in two formats)."""
    from catalog.feeds import add_view, render

    base = meta["base_url"].rstrip("/") + "/"
    out.mkdir(parents=True, exist_ok=True)
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
        raise PublishError(f"{location}: give a .csv or .xlsx variable list, or a folder of them")
    if not sheets:
        raise PublishError(f"{location}: no .csv or .xlsx variable lists found")
    if not meta.exists():
        raise PublishError(
            f"{meta}: metadata file missing; write one with title, publisher, contact, legal basis "
            "and health categories (`catalog publish --template liste.xlsx` writes an example "
            f"{METADATA_FILE} beside the template)"
        )
    return sheets, meta


def publish(location: Path, out: Path, metadata: Path | None = None, page_size: int = 50) -> Result:
    """Build, validate and write the feed; the result says what to fix."""
    from catalog.validation import format_report, validate_graph

    sheets, meta_path = inputs(location, metadata)
    builder = Builder(load_metadata(meta_path))
    datasets: list[Record] = [builder.dataset(p) for p in sheets]
    records = datasets + list(builder.codelists)
    g = to_graph(records)
    catalog_node(g, builder.meta, builder.base)
    report = validate_graph(g, profiles.EHDS)
    files = write_feed(records, builder.meta, out, page_size)
    text = format_report(report)
    if urlsplit(builder.base).hostname == urlsplit(EXAMPLE_BASE).hostname:
        text = (
            f"Merk | Note: base_url is still the example's ({builder.base}): the feed's pages link to each other "
            "there, and a harvester follows those links, so say where you will host it\n\n" + text
        )
    text = "".join(f"Merk | Note: {note}\n\n" for note in builder.notes) + text
    if builder.problems:
        text = "Rader som må rettes | Rows to fix:\n" + "\n".join(f"  {p}" for p in builder.problems) + "\n\n" + text
    (out / "rapport.txt").write_text(text, encoding="utf-8")
    (out / "rapport.json").write_text(
        json.dumps(
            {"problems": [p.__dict__ for p in builder.problems], "validation": report.to_dict()},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    return Result(records, files, builder.problems, text, report.conforms and not builder.problems)


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
    help_sheet.append(["Kolonne", "Hva den skal inneholde"])
    for name, meaning in COLUMNS.items():
        help_sheet.append([name, meaning])
    book.save(path)
    metadata = path.parent / METADATA_FILE
    if metadata.exists():
        return [path]
    metadata.write_text(METADATA_TEMPLATE, encoding="utf-8")
    return [path, metadata]
