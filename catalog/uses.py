"""The data use register (EHDS Art. 58): the data permits the access body issued, made public.

The access body keeps its permits elsewhere (its case handling); the catalogue publishes them. An
export of issued permits is imported as CSV (`catalog uses import FILE.csv`, or the admin API) with
the columns

    project_title, organisation, datasets, permit_date, legal_basis, summary

where `datasets` holds the dataset URIs the permit covers, separated by spaces. More columns are
allowed and kept as they are; four have a meaning: `permit_id` (the permit's number: a permit
imported again replaces its earlier row instead of adding one), `application_date` and
`data_release_date`, from which the quality and utility label measures the time from application
to data (`catalog.label`), and `language`, the language tag (nb, nn, en) of the row's texts. Dates are ISO 8601 (2026-03-01). A comma or semicolon separates columns
(spreadsheets in Norway write semicolons).

An import is all or nothing: every problem is reported by line and column (`RegisterError`) and
nothing is written unless every row is good. Rows are matched to the catalogue's datasets by URI;
a URI the catalogue does not hold is a problem, so the register never points at nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, PROV, RDF, RDFS, XSD

from catalog.config import LANGUAGE_TAG, Settings
from catalog.rdf import DPV, HK, TripleWriter, new_graph, stable_bnode
from catalog.store import StoreReader, StoreWriter

REQUIRED = ("project_title", "organisation", "datasets", "permit_date", "legal_basis", "summary")
"""The columns every register file must have."""
OPTIONAL = ("permit_id", "application_date", "data_release_date", "language")
"""Further columns with a meaning (any other column is kept as it is)."""
MAX_BYTES = 20 * 2**20
MAX_ROWS = 100_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a register file, where it is."""

    line: int  # 1 is the header
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class RegisterError(ValueError):
    """A register file that cannot be imported; `problems` lists every problem found (nothing was written)."""

    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = list(problems)
        shown = "; ".join(map(str, self.problems[:5]))
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{source}: {len(self.problems)} problem(s), nothing imported: {shown}{more}")


@dataclass
class DataUse:
    """One issued data permit, as the register publishes it."""

    key: str
    project_title: str
    organisation: str
    datasets: list[str]
    permit_date: str
    legal_basis: str
    summary: str
    permit_id: str = ""
    application_date: str = ""
    data_release_date: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    language: str = ""
    """The language tag of its texts (title, summary, legal basis) as its row gave it; "" when the
    file had no `language` for it: then they are in `uses_language` (`written_in`)."""

    def written_in(self, settings: Settings) -> str:
        """The language its texts are written in: its row's, else the operator's `uses_language`.
        Feeds and pages tag them with it; untagged, a HealthDCAT-AP consumer could not tell a
        Norwegian summary from an English one, and a screen reader read it in the page's language."""
        return self.language or settings.uses_language

    @property
    def days_to_data(self) -> int | None:
        """Days from the application to the data's release (or, without a release date, to the permit)."""
        if not self.application_date:
            return None
        end = self.data_release_date or self.permit_date
        return (date.fromisoformat(end) - date.fromisoformat(self.application_date)).days

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """What the store keeps (without `datasets`, which the store keeps as links)."""
        data = self.to_dict()
        data.pop("datasets")
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_stored(cls, data: str, datasets: list[str]) -> DataUse:
        return cls(**{**json.loads(data), "datasets": datasets})

    def matches(self, text: str) -> bool:
        """Whether every word of `text` is in the title, organisation, summary or legal basis."""
        hay = " ".join((self.project_title, self.organisation, self.summary, self.legal_basis)).casefold()
        return all(word in hay for word in text.casefold().split())


def use_key(row: dict[str, str]) -> str:
    """The identity of a use: its permit id, else its title, organisation and permit date."""
    if row.get("permit_id"):
        return "permit:" + row["permit_id"].strip()
    about = "\x1f".join(row[k].strip().casefold() for k in ("project_title", "organisation", "permit_date"))
    return "use:" + hashlib.sha256(about.encode()).hexdigest()[:16]


def _decode(content: bytes, source: str) -> str:
    if len(content) > MAX_BYTES:
        raise RegisterError(source, [Problem(1, "file", f"larger than {MAX_BYTES // 2**20} MiB")])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise RegisterError(source, [Problem(line, "file", "not UTF-8 text (save the file as CSV UTF-8)")]) from None


def parse(content: bytes, known: Iterable[str], source: str = "register", today: date | None = None) -> list[DataUse]:
    """The uses in a register file, or `RegisterError` with every problem (by line and column).

    `known` is the dataset URIs the catalogue holds; a row naming another is a problem."""
    text = _decode(content, source)
    today = today or date.today()
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise RegisterError(source, [Problem(1, "file", "empty: the first line must name the columns")]) from None
    problems = [Problem(1, name, "the column is missing") for name in REQUIRED if name not in header]
    problems += [Problem(1, name, "the column appears twice") for name in sorted(set(header)) if header.count(name) > 1]
    if problems:
        raise RegisterError(source, problems)
    known = set(known)
    uses: list[DataUse] = []
    seen: dict[str, int] = {}
    try:
        for row_values in reader:
            line = reader.line_num
            if not any(v.strip() for v in row_values):
                continue
            if len(uses) + len(problems) >= MAX_ROWS:
                problems.append(Problem(line, "file", f"more than {MAX_ROWS:,} rows"))
                break
            if len(row_values) != len(header):
                problems.append(Problem(line, "row", f"{len(row_values)} values for {len(header)} columns"))
                continue
            row = {name: value.strip() for name, value in zip(header, row_values, strict=True)}
            found = _check(row, line, known, today)
            key = use_key(row)
            if key in seen:
                found.append(Problem(line, "permit_id" if row.get("permit_id") else "row", f"repeats line {seen[key]}"))
            seen.setdefault(key, line)
            if found:
                problems += found
                continue
            uses.append(_use(key, row))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, "file", f"not valid CSV: {exc}"))
    if problems:
        raise RegisterError(source, problems)
    return uses


def _check(row: dict[str, str], line: int, known: set[str], today: date) -> list[Problem]:
    problems = [Problem(line, name, "is empty") for name in REQUIRED if not row[name]]
    dates: dict[str, date] = {}
    for name in ("permit_date", "application_date", "data_release_date"):
        value = row.get(name, "")
        if not value:
            continue
        try:
            if not _DATE.match(value):
                raise ValueError
            dates[name] = date.fromisoformat(value)
        except ValueError:
            problems.append(Problem(line, name, f"{value!r} is not a date as 2026-03-01"))
            continue
        if dates[name] > today:
            problems.append(Problem(line, name, f"{value} is in the future"))
    language = row.get("language", "")
    if language and not LANGUAGE_TAG.fullmatch(language):
        problems.append(Problem(line, "language", f"{language!r} is not a language tag as nb, nn or en"))
    if "application_date" in dates and "permit_date" in dates and dates["application_date"] > dates["permit_date"]:
        problems.append(Problem(line, "application_date", "is after the permit date"))
    if "data_release_date" in dates and "permit_date" in dates and dates["data_release_date"] < dates["permit_date"]:
        problems.append(Problem(line, "data_release_date", "is before the permit date"))
    for uri in row["datasets"].split():
        if not re.match(r"^https?://\S+$", uri):
            problems.append(Problem(line, "datasets", f"{uri!r} is not an http(s) URI"))
        elif uri not in known:
            problems.append(Problem(line, "datasets", f"{uri} is not a dataset in the catalogue"))
    return problems


def _use(key: str, row: dict[str, str]) -> DataUse:
    named = set(REQUIRED) | set(OPTIONAL)
    return DataUse(
        key=key,
        project_title=row["project_title"],
        organisation=row["organisation"],
        datasets=sorted(set(row["datasets"].split())),
        permit_date=row["permit_date"],
        legal_basis=row["legal_basis"],
        summary=row["summary"],
        permit_id=row.get("permit_id", ""),
        application_date=row.get("application_date", ""),
        data_release_date=row.get("data_release_date", ""),
        extra={k: v for k, v in row.items() if k not in named and v},
        language=row.get("language", ""),
    )


@dataclass
class Imported:
    """What an import did."""

    uses: int
    new: int
    replaced: int
    removed: int
    datasets: list[str]  # the datasets whose uses changed


def import_uses(store: StoreWriter, content: bytes, source: str = "register", replace: bool = False) -> Imported:
    """Check a register file and, when every row is good, write it in one transaction (see the
    module docstring); `replace` makes the register exactly the file. The datasets whose uses
    changed count as changed for the feeds (their statements name their uses)."""
    known = {r.uri for r in store.records(kind="dataset", include_deleted=True)}
    uses = parse(content, known, source)
    before = {key: (data, tuple(datasets)) for key, data, datasets in store.uses()}
    after = {u.key: (u.to_json(), tuple(u.datasets)) for u in uses}
    kept = {} if replace else {k: v for k, v in before.items() if k not in after}
    changed: set[str] = set()
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key) or kept.get(key)
        if old != new:
            changed |= set(old[1] if old else ()) | set(new[1] if new else ())
    with store.transaction():
        store.save_uses(((u.key, u.to_json(), u.permit_date, u.datasets) for u in uses), replace=replace)
        store.touch(sorted(changed))
    return Imported(
        uses=len(uses),
        new=sum(1 for key in after if key not in before),
        replaced=sum(1 for key in after if key in before),
        removed=len(set(before) - set(after)) if replace else 0,
        datasets=sorted(changed),
    )


def register(store: StoreReader, dataset: str | None = None) -> list[DataUse]:
    """The register's uses (of one dataset), the latest permit first."""
    return [DataUse.from_stored(data, datasets) for _key, data, datasets in store.uses(dataset)]


def select(
    uses: Iterable[DataUse], text: str = "", organisation: str = "", year: str = "", dataset: str = ""
) -> list[DataUse]:
    """The uses matching every filter given (words, organisation, permit year, a dataset URI)."""
    return [
        u
        for u in uses
        if (not text or u.matches(text))
        and (not organisation or u.organisation.casefold() == organisation.casefold())
        and (not year or u.permit_date.startswith(year))
        and (not dataset or dataset in u.datasets)
    ]


def of_datasets(store: StoreReader, uris: Iterable[str]) -> dict[str, list[DataUse]]:
    """Dataset URI -> the uses that name it (datasets named by none are left out)."""
    wanted = set(uris)
    counts = store.use_counts(wanted)
    if not counts:
        return {}
    out: dict[str, list[DataUse]] = {}
    for use in register(store):
        for uri in use.datasets:
            if uri in counts:
                out.setdefault(uri, []).append(use)
    return out


# --- the register in RDF (the EHDS feed, /uses.ttl) ----------------------------------------------------


def register_uri(settings: Settings) -> URIRef:
    return URIRef(settings.base_uri.rstrip("/") + "/uses")


def use_uri(settings: Settings, key: str) -> URIRef:
    return URIRef(f"{settings.base_uri.rstrip('/')}/uses/{quote(key, safe=':')}")


def add_register(g: TripleWriter, cat: URIRef, settings: Settings) -> URIRef:
    """The catalogue's data use register: where to read it whole (`/uses`, `/api/uses`, `/uses.ttl`)."""
    reg = register_uri(settings)
    g.add((cat, HK.dataUseRegister, reg))
    g.add((reg, RDF.type, HK.DataUseRegister))
    g.add((reg, DCT.title, Literal("Register over datatillatelser (EHDS art. 58)", lang="nb")))
    g.add((reg, DCT.title, Literal("Register over dataløyve (EHDS art. 58)", lang="nn")))
    g.add((reg, DCT.title, Literal("Register of data permits issued (EHDS Art. 58)", lang="en")))
    base = settings.base_uri.rstrip("/")
    for page in (f"{base}/api/uses", f"{base}/uses.ttl"):
        g.add((reg, RDFS.seeAlso, URIRef(page)))
    return reg


def add_use(g: TripleWriter, dataset: URIRef | None, use: DataUse, settings: Settings) -> URIRef:
    """One permit as a prov:Activity that used its datasets (`dataset`, when given, refers to it)."""
    node = use_uri(settings, use.key)
    if dataset is not None:
        g.add((dataset, DCT.isReferencedBy, node))
    g.add((node, RDF.type, PROV.Activity))
    g.add((node, HK.inRegister, register_uri(settings)))
    lang = use.written_in(settings)
    g.add((node, DCT.title, Literal(use.project_title, lang=lang)))
    g.add((node, DCT.description, Literal(use.summary, lang=lang)))
    g.add((node, DCT.issued, Literal(use.permit_date, datatype=XSD.date)))
    if use.permit_id:
        g.add((node, DCT.identifier, Literal(use.permit_id)))
    for uri in use.datasets:
        g.add((node, PROV.used, URIRef(uri)))
    agent = stable_bnode(node, PROV.wasAssociatedWith)
    g.add((node, PROV.wasAssociatedWith, agent))
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(use.organisation)))
    basis = stable_bnode(node, DPV.hasLegalBasis)
    g.add((node, DPV.hasLegalBasis, basis))
    g.add((basis, RDF.type, DPV.LegalBasis))
    g.add((basis, DCT.description, Literal(use.legal_basis, lang=lang)))
    return node


def register_graph(store: StoreReader, settings: Settings) -> Graph:
    """The whole register as RDF (`/uses.ttl`)."""
    g = new_graph()
    add_register(g, URIRef(settings.base_uri.rstrip("/") + "/catalog"), settings)
    for use in register(store):
        add_use(g, None, use, settings)
    return g
