"""Every harvester kind as the harvester contract sees it (`tests/test_harvester_contract.py`).

A `Kind` names a simulated source of that kind, says what the source publishes (from the
simulator's ground truth) and reads what the store holds in the same shape, one entry per stored
record, so that the contract can compare them and derive every count a run must report. It also
lists, for every fault the simulator injects, the exact sentence the run must fail with, or
`HARMLESS` when the harvest must go on undisturbed. Adding a fault to the simulator, or a kind to
`harvesters/`, fails the contract until it is listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from catalog.model import CodeList, Dataset
from catalog.store import StoredRecord
from simulator import Simulator
from simulator.ssb import data_structure, vardef_definition
from tests.simulated import inline_codes

Expected = str | None | Callable[[bytes], str]
"""A fault's outcome: the exact error ({url} and {sim} filled in), HARMLESS, or the error worked
out from the body served with the fault on (where it quotes a line or byte of that body)."""

HARMLESS = None
"""The fault leaves this kind's harvest complete and correct (e.g. XXE in a JSON API)."""

NO_WIRE = {
    "configured": "maps the operator's own catalog.toml tables and fetches nothing, so there is no wire to "
    "fault and no simulated source; tests/test_configured.py holds it to the rest of the contract "
    "(a full harvest, an unchanged one, changes and deletions, a bad entry)"
}
"""Kinds that fetch nothing, with the reason they stand outside this contract."""

Records = Iterable[StoredRecord]


def _datasets(records: Records) -> list[Dataset]:
    return [r.record for r in records if isinstance(r.record, Dataset)]


def _lists(records: Records) -> dict[str, CodeList]:
    return {r.uri: r.record for r in records if isinstance(r.record, CodeList)}


def codes(cl: CodeList) -> list[tuple[str, str]]:
    return [(c.code, c.label["nb"]) for c in cl.concepts]


# --- ground truth shared by several kinds ---------------------------------------------------------


def instant(text: str | None) -> datetime | None:
    """A timestamp as an instant: sources write UTC as Z or +00:00."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def manifest_datasets(sim: Simulator, source: str, modified: bool = True) -> dict[str, Any]:
    """identifier -> (nb title, modified, variable names), as the manifest lists them."""
    return {
        k: (t["title_nb"], instant(t["modified"]) if modified else None, t["variables"])
        for k, t in sim.manifest()[source]["datasets"].items()
    }


def held_datasets(records: Records) -> dict[str, Any]:
    return {
        d.identifier: (d.title["nb"], instant(d.modified), [v.name for v in d.variables]) for d in _datasets(records)
    }


def linked_codes(
    records: Records, key: Callable[[Dataset, Any], str] | None = None, content: Callable[[CodeList], Any] = codes
) -> dict[str, Any]:
    """Each variable's code list, followed from the variable: `key(dataset, variable)` names it
    (with a space: a record with no identity of its own in the truth), `content` shows it."""
    records = list(records)
    lists = _lists(records)
    key = key or (lambda d, v: f"{d.identifier} {v.name}")
    return {
        key(d, v): content(lists[v.codelist]) for d in _datasets(records) for v in d.variables if v.codelist in lists
    }


# --- one function pair per kind -------------------------------------------------------------------


def dcat_truth(sim: Simulator, source: str) -> dict[str, Any]:
    src = sim.nation.source(source)
    lists = {cl.uri: (cl.title["nb"], codes(cl)) for cl in sim.nation.codelists(src)}
    return {**manifest_datasets(sim, source), **lists}


def dcat_held(records: Records) -> dict[str, Any]:
    records = list(records)
    return {**held_datasets(records), **{uri: (cl.title["nb"], codes(cl)) for uri, cl in _lists(records).items()}}


def inline_truth(sim: Simulator, source: str, modified: bool = True) -> dict[str, Any]:
    """Datasets with one code list per variable that lists its codes inline (CKAN, spreadsheets)."""
    lists = {f"{ident} {var}": pairs for (ident, var), pairs in inline_codes(sim, source).items()}
    return {**manifest_datasets(sim, source, modified), **lists}


def inline_held(records: Records, modified: bool = True) -> dict[str, Any]:
    records = list(records)
    held = held_datasets(records)
    if not modified:
        held = {k: (title, None, names) for k, (title, _modified, names) in held.items()}
    return {**held, **linked_codes(records)}


def ddi_truth(sim: Simulator, source: str) -> dict[str, Any]:
    """Studies, and each study's code lists: one per variable (DDI-Codebook), or one per category
    scheme the study shares between its variables (DDI-Lifecycle), named by the scheme's title."""
    nation = sim.nation
    src = nation.source(source)
    shared = src.options.get("metadata_prefix") == "oai_ddi32"
    out: dict[str, Any] = {k.rsplit(":", 1)[1]: v for k, v in manifest_datasets(sim, source).items()}
    for i in nation.dataset_indices(src):
        study = nation.study_id(src, i)
        for v in nation.dataset(src, i).variables:
            if v.codelist:
                spec = nation.codelist_spec(v.codelist.rsplit("/", 1)[-1])
                title = spec.title_nb if shared else v.title["nb"]  # DDI-C: the categories carry the variable's label
                codes = [(c, nb, c in spec.missing) for c, nb, _en in spec.codes]
                out[f"{study} {spec.title_nb if shared else v.name}"] = (title, codes)
    return out


def ddi_held(records: Records) -> dict[str, Any]:
    records = list(records)
    lists = _lists(records)

    def key(d: Dataset, v: Any) -> str:
        cl = lists[v.codelist]
        return f"{d.identifier} {v.name if cl.identifier == f'{d.identifier}/{v.name}' else cl.title['nb']}"

    def content(cl: CodeList) -> Any:
        return cl.title["nb"], [(c.code, c.label["nb"], c.missing) for c in cl.concepts]

    return {**held_datasets(records), **linked_codes(records, key, content)}


def klass_truth(sim: Simulator, source: str) -> dict[str, Any]:
    src = sim.nation.source(source)
    return {cl.identifier: (cl.title["nb"], cl.valid_from, codes(cl)) for cl in sim.nation.codelists(src)}


def klass_held(records: Records) -> dict[str, Any]:
    return {cl.identifier: (cl.title["nb"], cl.valid_from, codes(cl)) for cl in _lists(records).values()}


def vardef_truth(sim: Simulator, source: str) -> dict[str, Any]:
    """One dataset per subject field ("shelf"), holding its definitions: (id, nb name, definition,
    valid from, valid until), with the newest change as the dataset's modified."""
    nation = sim.nation
    src = nation.source(source)
    shelves: dict[str, tuple[str, list[tuple[str, ...]]]] = {}
    for i in nation.dataset_indices(src):
        d = vardef_definition(nation, src, i, "nb")
        code = d["subject_fields"][0]["code"]
        newest, rows = shelves.get(code, ("", []))
        row = (d["id"], d["name"], d["definition"], d["valid_from"], d["valid_until"])
        shelves[code] = (max(newest, d["last_updated_at"]), [*rows, row])
    return {f"{source}/{code}": (newest, rows) for code, (newest, rows) in shelves.items()}


def vardef_held(records: Records) -> dict[str, Any]:
    return {
        d.identifier: (
            d.modified,
            [
                (v.uri.rsplit("/", 1)[1], v.title["nb"], v.description.get("nb"), v.valid_from, v.valid_to)
                for v in d.variables
            ],
        )
        for d in _datasets(records)
    }


def microdata_truth(sim: Simulator, source: str) -> dict[str, Any]:
    """Data structures with their variables, and the code list of each structure's measure."""
    nation = sim.nation
    src = nation.source(source)
    out: dict[str, Any] = {k: (t["title_nb"], t["variables"]) for k, t in sim.manifest()[source]["datasets"].items()}
    for i in nation.dataset_indices(src):
        s = data_structure(nation, src, i)
        domain = s["measureVariable"]["representedVariables"][-1]["valueDomain"]
        if domain.get("codeList"):
            out[f"{s['name']} {s['name']}"] = [(c["code"], c["category"]) for c in domain["codeList"]]
        out[s["name"]] = (*out[s["name"]], s["measureVariable"]["representedVariables"][-1]["description"])
    return out


def microdata_held(records: Records) -> dict[str, Any]:
    records = list(records)
    structures = {
        d.identifier: (d.title["nb"], [v.name for v in d.variables], d.variables[1].description.get("nb"))
        for d in _datasets(records)
    }
    return {**structures, **linked_codes(records)}


# --- the kinds ------------------------------------------------------------------------------------

TRANSPORT: dict[str, str | None] = {
    "slow": "the server sent the response too slowly (deadline exceeded) ({url})",
    "trickle": "the harvest ran past the source's time budget of 1 s (setting harvest_budget_seconds); "
    "the records harvested before are kept ({url})",
    "error500": "the server answered 500 INTERNAL SERVER ERROR ({url})",
    "error503": "the server answered 503 SERVICE UNAVAILABLE ({url})",
    "rate_limit": "the server asked us to wait 120 s (Retry-After), longer than the 60 s we wait ({url})",
    "truncated": "the response was cut off: the connection closed before its end ({url})",
    "redirect_loop": "redirect loop after 2 hops ({url})",
    "oversized": "the response grew past the limit of 2,000,000 bytes ({url})",
    "wrong_content_type": HARMLESS,
}
"""What every kind reports when its first request ({url}) meets a fault of the wire, whatever the
protocol; a kind's own entries take precedence ({sim} is the simulator's base URL)."""


@dataclass(frozen=True)
class Kind:
    """One harvester kind under the contract."""

    name: str  # the harvester kind, and the variant when one kind speaks two formats
    source: str  # the simulated source harvested
    url: str  # its first request, below the simulator's URL
    truth: Callable[[Simulator, str], dict[str, Any]]
    held: Callable[[Records], dict[str, Any]]
    own: Mapping[str, Expected]  # the faults its format meets: the exact error, or HARMLESS
    duplicate: Callable[[Simulator], tuple[str, str, str, str]]  # duplicate_ids: (url, record id, field, message)
    other: str = "hkr-varliste"  # a healthy source of another kind, harvested in the same runs

    def __str__(self) -> str:
        return self.name

    @property
    def faults(self) -> dict[str, Expected]:
        return {**TRANSPORT, **self.own}

    def outcome(self, fault: str, sim: Simulator) -> str | None:
        """The exact error `fault` must cause, or HARMLESS; with the fault on (an error that quotes
        a place in the body is worked out from the body served)."""
        expected = self.faults[fault]
        if callable(expected):
            expected = expected(requests.get(sim.url + self.url, timeout=30).content)
        return None if expected is None else expected.format(url=sim.url + self.url, sim=sim.url)


def _first_dataset(sim: Simulator, source: str) -> str:
    """The native id of the source's first dataset, the one `duplicate_ids` lists twice."""
    src = sim.nation.source(source)
    return sim.nation.native_id(src, sim.nation.dataset_indices(src)[0])


def _listed_twice(what: str, field: str, first: Callable[[Simulator], str], path: str) -> Callable[[Simulator], Any]:
    """The listing names one record twice: `path` (with {ident}) is where the second was read."""

    def duplicate(sim: Simulator) -> tuple[str, str, str, str]:
        ident = first(sim)
        url = sim.url + path.format(ident=ident)
        return url, ident, field, f"the {what} {ident} is listed more than once; the first was kept"

    return duplicate


def _dcat_duplicate(sim: Simulator) -> tuple[str, str, str, str]:
    """The simulator repeats the first dataset under another URI (`-kopi`), with the same dct:identifier."""
    src = sim.nation.source("mfr")
    twin = sim.nation.dataset(src, sim.nation.dataset_indices(src)[0])
    return (
        sim.url + "/dcat/mfr/catalog",
        twin.identifier,
        "identifier",
        f"the dataset {twin.identifier} is listed more than once (as {twin.uri} and {twin.uri}-kopi); the first was kept",
    )


def _spreadsheet_duplicate(sim: Simulator) -> tuple[str, str, str, str]:
    """The simulator repeats the list's first variable as its last row."""
    source = "kreft-elvis-varliste"
    names = sim.manifest()[source]["datasets"][source]["variables"]
    header = sim.nation.source(source).options["header_row"]
    row = header + len(names) + 1
    return (
        sim.url + "/files/kreft-elvis/variabelliste.xlsx",
        f"row {row} ({names[0]})",
        "name",
        f"row {row} ({names[0]}): the variable {names[0]} was already listed in row {header + 1}; this row was skipped",
    )


def _malformed_json(api: str) -> str:
    return f"the {api} answered with malformed JSON, not JSON (Expecting property name enclosed in double quotes) at {{url}} line 1"


def _bad_utf8(position: int) -> str:
    return (
        f"the body is not valid utf-8 as declared ('utf-8' codec can't decode byte 0xf8 in position {position}: "
        "invalid start byte) ({url})"
    )


def _bad_utf8_served(body: bytes) -> str:
    """`_bad_utf8` at the first byte of the served (Latin-1) body that is not ASCII."""
    return _bad_utf8(next(i for i, byte in enumerate(body) if byte > 127))


def _broken_turtle(body: bytes) -> str:
    """The error for the line the simulator's `malform` put into a Turtle body (an unterminated
    string literal, 70 characters long), wherever in the body it went."""
    line = body[: body.index(b'"unterminated ;;')].count(b"\n") + 1
    return (
        f"the feed is not valid turtle RDF (Parser error at line {line} column 71: Line jumps are not "
        f"allowed in string literals, use \\n) at {{url}} line {line}"
    )


JSON_IGNORES_XML = {"xxe": HARMLESS, "entity_expansion": HARMLESS}
"""A DOCTYPE can only be put into XML; the simulator serves JSON unchanged."""
XML_REFUSED = "refused XML with a DOCTYPE or entity declaration (possible XXE or entity expansion attack) at {url}"
RDFXML_REFUSED = (
    "refused RDF/XML with a DOCTYPE or entity declaration (possible XXE or entity expansion attack) at {url}"
)


def _oai(source: str, prefix: str, malformed: str) -> dict[str, str | None]:
    return {
        # Identify is short enough to arrive in time; the first page of records is not
        "slow": "the server sent the response too slowly (deadline exceeded) "
        f"({{sim}}/oai/{source}?verb=ListRecords&metadataPrefix={prefix})",
        "malformed": f"the response is not well-formed XML ({malformed}) at {{url}} line 2",
        "xxe": XML_REFUSED,
        "entity_expansion": XML_REFUSED,
        "latin1": "the response is not valid UTF-8 although it declares UTF-8 (perhaps it is ISO-8859-1) at {url} line 2",
    }


KINDS = [
    Kind(
        "dcat",
        "mfr",
        "/dcat/mfr/catalog",
        dcat_truth,
        dcat_held,
        {
            "malformed": _broken_turtle,
            "xxe": RDFXML_REFUSED,  # the simulator switches the feed to RDF/XML for these two
            "entity_expansion": RDFXML_REFUSED,
            "latin1": _bad_utf8_served,
        },
        _dcat_duplicate,
    ),
    Kind(
        "ckan",
        "hjerneslag",
        "/ckan/api/action/package_search",
        inline_truth,
        inline_held,
        {
            "malformed": "the CKAN API answered with malformed JSON (Expecting value) at {url} line 1",
            "latin1": "the API answer is not valid utf-8 as declared (UnicodeDecodeError at byte 1513) ({url})",
            **JSON_IGNORES_XML,
        },
        _listed_twice("package", "id", lambda sim: _first_dataset(sim, "hjerneslag"), "/ckan/dataset/{ident}"),
    ),
    Kind(
        "oai-ddi (DDI-Codebook)",
        "hunt",
        "/oai/hunt?verb=Identify",
        ddi_truth,
        ddi_held,
        _oai(
            "hunt",
            "oai_ddi25",
            "Opening and ending tag mismatch: protocolVersion line 2 and not-opened, line 2, column 490 (<string>, "
            "line 2)",
        ),
        _listed_twice(
            "record",
            "identifier",
            lambda sim: _first_dataset(sim, "hunt"),
            "/oai/hunt?verb=ListRecords&metadataPrefix=oai_ddi25",
        ),
    ),
    Kind(
        "oai-ddi (DDI-Lifecycle)",
        "sikt",
        "/oai/sikt?verb=Identify",
        ddi_truth,
        ddi_held,
        _oai(
            "sikt",
            "oai_ddi32",
            "Opening and ending tag mismatch: Identify line 2 and not-opened, line 2, column 512 (<string>, line 2)",
        ),
        _listed_twice(
            "record",
            "identifier",
            lambda sim: _first_dataset(sim, "sikt"),
            "/oai/sikt?verb=ListRecords&metadataPrefix=oai_ddi32",
        ),
    ),
    Kind(
        "klass",
        "ssb-klass",
        "/api/klass/v1/classifications?includeCodelists=true&size=20&page=0",
        klass_truth,
        klass_held,
        {
            "malformed": "the KLASS API answered with malformed JSON, not JSON (Expecting value) at {url} line 1",
            "latin1": _bad_utf8(521),
            **JSON_IGNORES_XML,
        },
        _listed_twice(
            "classification",
            "id",
            lambda sim: next(iter(klass_truth(sim, "ssb-klass"))),
            "/api/klass/v1/classifications?includeCodelists=true&size=20&page=0",
        ),
    ),
    Kind(
        "vardef",
        "ssb-vardef",
        "/public/variable-definitions",
        vardef_truth,
        vardef_held,
        {"malformed": _malformed_json("vardef API"), "latin1": _bad_utf8(45), **JSON_IGNORES_XML},
        _listed_twice(
            "variable definition",
            "id",
            lambda sim: next(iter(vardef_truth(sim, "ssb-vardef").values()))[1][0][0],
            "/public/variable-definitions",
        ),
    ),
    Kind(
        "microdata",
        "microdata",
        "/metadata/data-store",
        microdata_truth,
        microdata_held,
        {
            "malformed": _malformed_json("microdata.no metadata API"),
            # only the data structures hold non-ASCII text: the first request is fine, the structures are not
            "latin1": "the body is not valid utf-8 as declared ('utf-8' codec can't decode byte 0xc5 in position 4735: "
            "invalid continuation byte) ({sim}/metadata/all?version=1.0.0.0)",
            **JSON_IGNORES_XML,
        },
        _listed_twice(
            "data structure",
            "name",
            lambda sim: next(iter(microdata_truth(sim, "microdata"))),
            "/metadata/all?version=1.0.0.0",
        ),
    ),
    Kind(
        "spreadsheet",
        "kreft-elvis-varliste",
        "/files/kreft-elvis/variabelliste.xlsx",
        lambda sim, source: inline_truth(sim, source, modified=False),
        lambda records: inline_held(records, modified=False),
        {
            "malformed": "the variable list cannot be read: the XLSX file is damaged: part docProps/app.xml cannot be "
            "read (negative seek value -54) at {url}",
            "latin1": HARMLESS,  # XLSX is a zip: no text to mislabel (the CSV's case: test_harvest_spreadsheet)
            **JSON_IGNORES_XML,  # the zip's bytes are served unchanged
        },
        _spreadsheet_duplicate,
        other="hunt",
    ),
]
