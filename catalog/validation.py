"""Validation of records and feeds against our SHACL shapes (shapes/), explained in plain words.

`validate_records` is what the pipeline calls on every harvested record; `validate_graph` what
the web and feeds call on a graph; `validate_location` + `format_report` what `catalog validate`
calls on a registry's feed before it publishes. Reports are plain data (`Report.to_dict`)
stored with each record.

Validation runs on the compiled engine in `catalog.shacl` (exact to pyshacl, about a hundred
times faster); a profile whose shapes the engine cannot compile falls back to pyshacl. The EU
controlled vocabularies (shapes/vocabularies/) are part of every data graph, so vocabulary
checks work offline. Every finding carries the shape's message and fix hint, each written
"Norsk | English" (bokmål); the shape holds each in nynorsk too, tagged @nn, which a nynorsk page
shows (`catalog.texts`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

import shapes
from catalog import profiles, rdf
from catalog.lru import remember
from catalog.model import Dataset, Record
from catalog.shacl import CompiledShapes, Index, Result, Unsupported, path_text, pyshacl_results
from catalog.texts import Said

PROFILES: dict[str, list[str]] = {
    "catalog": ["catalog.ttl"],
    **{name: list(files) for name, files in profiles.shape_sets().items()},
}
"""Shape set name -> our shapes files that make it up: the catalogue's own record model, and each
profile and access level of `catalog.profiles`."""

VOCABULARIES = ["vocabularies/eu.ttl", "vocabularies/health.ttl"]
"""Controlled vocabularies loaded into every data graph (never fetched)."""

DEFAULT_PROFILE = profiles.EHDS
HK_FIX = URIRef("https://w3id.org/helsekatalog#fix")
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


class UnknownProfile(ValueError):
    pass


class Unreadable(Exception):
    """A feed could not be read or parsed; the message names the location (and line)."""


@dataclass
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str | None
    value: str | None
    message: str  # Norsk | English
    shape: str | None = None
    component: str | None = None  # SHACL constraint component, e.g. MinCountConstraintComponent
    hint: str = ""  # how to fix it, Norsk | English


@dataclass
class Report:
    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    profile: str = DEFAULT_PROFILE

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    def counts(self) -> dict[str, int]:
        return _counts(f.severity for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "profile": self.profile,
            "counts": self.counts(),
            # a finding's fields are plain text: its own dict is what `asdict` would copy deeply (a
            # dataset's report has ~20 findings, and asdict took longer than validating them)
            "findings": [dict(vars(f)) for f in self.findings],
        }

    def to_json(self, **extra: Any) -> str:
        """`json.dumps({**self.to_dict(), **extra}, ensure_ascii=False)`, the same text, made faster.

        A dataset of 100 variables has ~160 findings that share a few messages and hints: all of a
        finding but its focus node and value is encoded once (`_finding_parts`), and only those two
        each time (with the encoder json.dumps itself uses)."""
        known = _FINDING_PARTS
        texts = []
        for f in self.findings:
            kind = (f.severity, f.path, f.message, f.shape, f.component, f.hint)
            texts.append(_finding_json(known.get(kind) or _finding_parts(kind), f.focus, f.value))
        return _report_json(self.conforms, self.profile, self.counts(), texts, extra)


def _counts(severities: Iterable[str]) -> dict[str, int]:
    """`Report.counts` of findings of these severities."""
    out = {"Violation": 0, "Warning": 0, "Info": 0}
    for severity in severities:
        out[severity] = out.get(severity, 0) + 1
    return out


def _report_json(
    conforms: bool, profile: str, counts: dict[str, int], findings: list[str], extra: dict[str, Any]
) -> str:
    """`Report.to_json`'s text from its parts: each finding's JSON in order, and the extra fields."""
    head = json.dumps({"conforms": conforms, "profile": profile, "counts": counts}, ensure_ascii=False)
    parts = [head[:-1], ', "findings": [', ", ".join(findings), "]"]
    for key, value in extra.items():
        if key in ("conforms", "profile", "counts", "findings"):
            raise ValueError(f"{key!r} is a report's own field")
        parts.append(f", {_encode_string(key)}: {json.dumps(value, ensure_ascii=False)}")
    parts.append("}")
    return "".join(parts)


_encode_string: Callable[[str], str] = json.encoder.encode_basestring
"""What json.dumps(..., ensure_ascii=False) writes a string as."""


def _finding_json(parts: tuple[str, str, str], focus: str, value: str | None) -> str:
    """A finding's JSON from what surrounds its focus node and value (`_finding_parts`) and those two."""
    return f"{parts[0]}{_encode_string(focus)}{parts[1]}{'null' if value is None else _encode_string(value)}{parts[2]}"


_FINDING_HEAD = '{"severity": '
_SEVERITY_THEN = re.compile(r'"[A-Za-z]*", ')
_COUNTS = re.compile(r'"counts": (\{[^{}]*\})')


def findings_about(report: str, focus: str) -> list[dict[str, Any]]:
    """The findings of a report (its JSON text) about one focus node, in their order: what
    `[f for f in json.loads(report)["findings"] if f["focus"] == focus]` gives, without decoding
    the others. A variable's page read all of its dataset's: 100,000 findings of a registry's
    100,000 variables, 43 MB of JSON, 0.5 s to decode for the one or two of the variable.

    The report's text is searched for `"focus": <the focus as JSON>` (either way `json.dumps`
    writes it) and only the finding around each is decoded. That holds as long as every finding
    is written as `to_json` and `json.dumps` write them, `{"severity": "...", "focus": ...`: when
    the number of findings so begun is not the sum of the report's counts, or one about the focus
    is not so begun, the whole report is decoded instead (written otherwise, by another version)."""
    found = _findings_as_written(report, focus)
    if found is None:
        return [f for f in json.loads(report).get("findings", []) if f.get("focus") == focus]
    return found


def _findings_as_written(report: str, focus: str) -> list[dict[str, Any]] | None:
    """`findings_about` from the report's text; None when it is not written as this version writes it."""
    counts = _COUNTS.search(report, 0, 1000)
    try:
        total = sum(json.loads(counts.group(1)).values()) if counts else None
    except (ValueError, TypeError):
        return None
    if total is None or total != report.count(_FINDING_HEAD):
        return None
    decoder = json.JSONDecoder()
    found: dict[int, dict[str, Any]] = {}
    for needle in {f'"focus": {_encode_string(focus)}', f'"focus": {json.encoder.encode_basestring_ascii(focus)}'}:
        at = report.find(needle)
        while at >= 0:
            start = report.rfind(_FINDING_HEAD, 0, at)
            if start < 0 or not _SEVERITY_THEN.fullmatch(report, start + len(_FINDING_HEAD), at):
                return None
            try:
                finding, _end = decoder.raw_decode(report, start)
            except ValueError:
                return None
            if not isinstance(finding, dict) or finding.get("focus") != focus:
                return None
            found[start] = finding
            at = report.find(needle, at + len(needle))
    return [found[start] for start in sorted(found)]


_FINDING_PARTS: dict[tuple[str, str | None, str, str | None, str | None, str], tuple[str, str, str]] = {}


def _finding_parts(key: tuple[str, str | None, str, str | None, str | None, str]) -> tuple[str, str, str]:
    """A finding's JSON around its focus node and value, for its (severity, path, message, shape,
    component, hint): the same for every column a shape finds the same thing in."""
    severity, path, message, shape, component, hint = key
    tail = json.dumps({"message": message, "shape": shape, "component": component, "hint": hint}, ensure_ascii=False)
    parts = (
        f'{{"severity": {_encode_string(severity)}, "focus": ',
        f', "path": {"null" if path is None else _encode_string(path)}, "value": ',
        f", {tail[1:-1]}}}",
    )
    return remember(_FINDING_PARTS, key, parts, 4096)  # bounded: a long-running process sees many profiles' texts


# --- profiles -------------------------------------------------------------------------------

_GENERIC: dict[str, tuple[Said, Said]] = {
    "MinCountConstraintComponent": (
        Said(
            "Mangler påkrevd verdi for {path} | A required value is missing for {path}",
            "Manglar påkravd verdi for {path}",
        ),
        Said("Legg til {path} | Add {path}", "Legg til {path}"),
    ),
    "MaxCountConstraintComponent": (
        Said("For mange verdier for {path} | Too many values for {path}", "For mange verdiar for {path}"),
        Said(
            "Behold bare det tillatte antallet {path} | Keep only the allowed number of {path}",
            "Behald berre det tillatne talet på {path}",
        ),
    ),
    "ClassConstraintComponent": (
        Said(
            "Verdien av {path} har feil type | The value of {path} has the wrong type",
            "Verdien av {path} har feil type",
        ),
        Said("Gi verdien riktig rdf:type | Give the value the right rdf:type", "Gi verdien rett rdf:type"),
    ),
    "DatatypeConstraintComponent": (
        Said(
            "Verdien av {path} har feil datatype | The value of {path} has the wrong datatype",
            "Verdien av {path} har feil datatype",
        ),
        Said(
            "Skriv verdien med riktig datatype | Write the value with the right datatype",
            "Skriv verdien med rett datatype",
        ),
    ),
    "NodeKindConstraintComponent": (
        Said(
            "Verdien av {path} er feil slags node (lenke/tekst) | The value of {path} is the wrong kind of node (link/text)",
            "Verdien av {path} er feil slags node (lenke/tekst)",
        ),
        Said(
            "Bruk lenke der det kreves lenke og tekst der det kreves tekst | Use a link where a link is required and text where text is required",
            "Bruk lenke der det krevst lenke, og tekst der det krevst tekst",
        ),
    ),
    "HasValueConstraintComponent": (
        Said(
            "{path} mangler den påkrevde verdien | {path} lacks the required value",
            "{path} manglar den påkravde verdien",
        ),
        Said(
            "Sett {path} til verdien profilen krever | Set {path} to the value the profile requires",
            "Set {path} til verdien profilen krev",
        ),
    ),
    "InConstraintComponent": (
        Said(
            "Verdien av {path} er ikke en av de tillatte | The value of {path} is not one of the allowed values",
            "Verdien av {path} er ikkje ein av dei tillatne",
        ),
        Said("Velg en tillatt verdi | Choose an allowed value", "Vel ein tillaten verdi"),
    ),
    "PatternConstraintComponent": (
        Said(
            "Verdien av {path} har feil form | The value of {path} has the wrong form",
            "Verdien av {path} har feil form",
        ),
        Said("Rett skrivemåten | Correct the spelling", "Rett skrivemåten"),
    ),
}
_DEFAULT_GENERIC = (
    Said(
        "Verdien av {path} oppfyller ikke regelen | The value of {path} does not meet the rule",
        "Verdien av {path} oppfyller ikkje regelen",
    ),
    Said("Se regelen i profilen | See the rule in the profile", "Sjå regelen i profilen"),
)
"""A finding's message and fix hint where its shape gives none, by constraint component ({path}: the
property, as a CURIE); in nynorsk beside them, as the shapes give theirs (`catalog.texts`)."""


def generic_texts() -> list[Said]:
    """Every generic message and fix hint, with their placeholders."""
    return [said for pair in (*_GENERIC.values(), _DEFAULT_GENERIC) for said in pair]


@dataclass(frozen=True)
class _Template:
    """The fields of a finding that its shape, component, severity and path decide, and their sort keys."""

    severity: str
    path: str | None
    message: str
    shape: str | None
    component: str
    hint: str
    rank: int = field(init=False)  # the severity's place in a report
    # the sort key's fields before and after the value: (path, component), (message, hint, shape)
    path_component: tuple[str, str] = field(init=False)
    message_hint_shape: tuple[str, str, str] = field(init=False)
    # a finding's JSON around its focus and value (`_finding_parts`)
    json_parts: tuple[str, str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rank", SEVERITY_ORDER.get(self.severity, 3))
        object.__setattr__(self, "path_component", (self.path or "", self.component))
        object.__setattr__(self, "message_hint_shape", (self.message, self.hint, self.shape or ""))
        kind = (self.severity, self.path, self.message, self.shape, self.component, self.hint)
        object.__setattr__(self, "json_parts", _finding_parts(kind))


class Profile:
    """A profile's shapes, compiled once, with the vocabularies as the shared base graph."""

    def __init__(self, name: str):
        if name not in PROFILES:
            raise UnknownProfile(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
        self.name = name
        self.graph = Graph()
        for file in PROFILES[name]:
            self.graph.parse(shapes.path(file), format="turtle")
        self.vocabularies = vocabulary_graph()
        try:
            self.compiled: CompiledShapes | None = CompiledShapes(self.graph, rdf.TERMS)
        except Unsupported:
            self.compiled = None
        # the vocabularies' predicates and classes as the very objects the shapes and writers use
        # (`rdf.TERMS`, which the compiled shapes have just joined), so lookups match by identity
        terms = rdf.TERMS
        self.base = Index.of((s, terms.get(p, p), terms.get(o, o)) for s, p, o in self.vocabularies)
        self._texts: dict[tuple[Node, URIRef], tuple[str, str]] = {}
        self._templates: dict[tuple[Node, URIRef, URIRef, Node | None], _Template] = {}

    def results(self, data: Graph) -> list[Result]:
        if self.compiled is None:
            return self.oracle(data)
        return self.compiled.validate(Index.of(data, self.base))

    def oracle(self, data: Graph) -> list[Result]:
        """pyshacl's results on the same data (data + vocabularies)."""
        merged = Graph()
        for triple in data:
            merged.add(triple)
        for triple in self.vocabularies:
            merged.add(triple)
        return pyshacl_results(merged, self.graph)

    def texts(self, shape: Node, component: URIRef) -> tuple[str, str]:
        """(message, fix hint) for a result of `shape`: the shape's own words, else generic."""
        key = (shape, component)
        if key not in self._texts:
            g = self.graph
            path = path_text(g, g.value(shape, SH.path)) or ""
            short = _short(path)
            generic = _GENERIC.get(str(component).rsplit("#", 1)[-1], _DEFAULT_GENERIC)
            message = _pick(g.objects(shape, SH.message)) or generic[0].text.format(path=short)
            hint = _pick(g.objects(shape, HK_FIX)) or generic[1].text.format(path=short)
            self._texts[key] = (message, hint)
        return self._texts[key]

    def report(self, results: Iterable[Result]) -> Report:
        keyed = self._keyed(results)
        findings = [
            Finding(t.severity, key[1], t.path, value, t.message, t.shape, t.component, t.hint)
            for key, t, value in keyed
        ]
        return Report(
            conforms=not any(t.severity == "Violation" for _k, t, _v in keyed), findings=findings, profile=self.name
        )

    def report_json(self, results: Iterable[Result], **extra: Any) -> tuple[bool, str]:
        """`report(results)`'s `conforms` and `to_json(**extra)`, made without the report: what the
        pipeline stores of a record's validation. A dataset of 100 variables has ~160 findings, and
        making each one's `Finding`, then finding its JSON parts again by its six fields, was a
        fifth of validating it; here each finding's text comes from its template."""
        keyed = self._keyed(results)
        texts = [_finding_json(t.json_parts, key[1], value) for key, t, value in keyed]
        conforms = not any(t.severity == "Violation" for _k, t, _v in keyed)
        return conforms, _report_json(conforms, self.name, _counts(t.severity for _k, t, _v in keyed), texts, extra)

    def _keyed(
        self, results: Iterable[Result]
    ) -> list[tuple[tuple[int, str, tuple[str, str], str, tuple[str, str, str]], _Template, str | None]]:
        """Each result's sort key, template and value (as text), in the report's order."""
        templates = self._templates
        keyed: list[tuple[tuple[int, str, tuple[str, str], str, tuple[str, str, str]], _Template, str | None]] = []
        append = keyed.append
        for r in results:
            focus_node, path, value_node, severity, shape, component = r
            t = templates.get((shape, component, severity, path)) or self._template(r)
            focus = str(focus_node)
            value = None if value_node is None else str(value_node)
            # a total order on every field, so equal result sets give equal reports whatever the engine's order
            append(((t.rank, focus, t.path_component, value or "", t.message_hint_shape), t, value))
        keyed.sort(key=itemgetter(0))
        return _unrepeated(keyed)

    def _template(self, r: Result) -> _Template:
        """What every finding of `r`'s shape, component, severity and path says: the same for the
        hundred variables of a dataset, so made once."""
        key = (r.shape, r.component, r.severity, r.path)
        found = self._templates.get(key)
        if found is None:
            message, hint = self.texts(r.shape, r.component)
            severity = str(r.severity).rsplit("#", 1)[-1]
            path = path_text(self.graph, r.path)
            shape = str(r.shape) if isinstance(r.shape, URIRef) else None
            component = str(r.component).rsplit("#", 1)[-1]
            found = self._templates[key] = _Template(severity, path, message, shape, component, hint)
        return found


def _unrepeated(keyed: list[Any]) -> list[Any]:
    """`Profile._keyed`'s findings without a missing property's milder repeats: a variable with no
    description was told "has no description (required by HealthDCAT-AP)" and "should have a
    description" (a recommending shape of the same profile), twice in a registry's report for
    one thing to fix. A property missing (`MinCount`) is said once, at its strictest severity; the
    findings come sorted most severe first."""
    strictest: dict[tuple[str, str | None], int] = {}
    out = []
    for item in keyed:
        key, t, _value = item
        if t.component == "MinCountConstraintComponent":
            missing = (key[1], t.path)
            if strictest.setdefault(missing, t.rank) < t.rank:
                continue
        out.append(item)
    return out


def _pick(literals: Iterable[Node]) -> str:
    """One message: untagged (our "Norsk | English" form) first, then nb, en, any."""
    by_lang = {(lit.language or "") if isinstance(lit, Literal) else "": str(lit) for lit in literals}
    for lang in ("", "nb", "no", "en"):
        if lang in by_lang:
            return by_lang[lang]
    return next(iter(by_lang.values()), "")


_SHORT = {str(ns): prefix for prefix, ns in rdf.PREFIXES.items()}


def _short(iri: str) -> str:
    for ns, prefix in _SHORT.items():
        if iri.startswith(ns) and ns:
            return prefix + ":" + iri[len(ns) :]
    return iri


@cache
def vocabulary_graph() -> Graph:
    g = Graph()
    for name in VOCABULARIES:
        g.parse(shapes.path(name), format="turtle")
    return g


@cache
def rules(profile: str = DEFAULT_PROFILE) -> str:
    """A digest of what a record of `profile` is validated by: its shapes files and the
    vocabularies. Kept with each record's stored report, so that records a release with other
    rules validated are validated again (`catalog.pipeline.revalidate`, by `catalog reindex`):
    a verdict stays as it was made until then."""
    files = [*PROFILES[profile], *VOCABULARIES]
    return hashlib.sha256(b"".join(shapes.path(name).read_bytes() for name in files)).hexdigest()[:16]


@cache
def get_profile(name: str) -> Profile:
    """The compiled profile (built once per process)."""
    return Profile(name)


def shapes_graph(profile: str) -> Graph:
    """The shapes graph of a profile (parsed once)."""
    return get_profile(profile).graph


# --- validating -----------------------------------------------------------------------------


def validate_graph(data: Graph, profile: str = DEFAULT_PROFILE) -> Report:
    p = get_profile(profile)
    return p.report(p.results(data))


def reference_report(data: Graph, profile: str = DEFAULT_PROFILE) -> Report:
    """The same report computed by pyshacl: the oracle for tests and the benchmark baseline."""
    p = get_profile(profile)
    return p.report(p.oracle(data))


def validate_record(
    record: Record, profile: str = DEFAULT_PROFILE, written: Sequence[rdf.Triple] | None = None
) -> Report:
    """One record's report. (The pipeline skips records whose content hash is unchanged.)

    `written`: what `catalog.rdf.add_dataset(sink, record, variables=False)` wrote of this very
    dataset, when the caller has it (the pipeline renders the same statements for the EHDS feed):
    the index takes those triples as they are, and the variables from the record."""
    p = get_profile(profile)
    if p.compiled is None:
        return p.report(p.oracle(rdf.to_graph([record])))
    return p.report(p.compiled.validate(_record_index(p, record, written)))


def _record_index(p: Profile, record: Record, written: Sequence[rdf.Triple] | None) -> Index:
    """A record's triples indexed for the compiled shapes (`validate_record`)."""
    index = Index(p.base)
    if written is not None and isinstance(record, Dataset):
        add = index.add
        for triple in written:
            add(triple)
        if record.variables:
            rdf.add_variables(index, rdf.iri(record.uri), record)
    else:
        rdf.add_records(index, [record])
    return index


def validate_record_json(
    record: Record, profile: str = DEFAULT_PROFILE, written: Sequence[rdf.Triple] | None = None, **extra: Any
) -> tuple[bool, str]:
    """`validate_record`'s report as (its `conforms`, its `to_json(**extra)`): what the pipeline
    stores, made without the report's `Finding`s (`Profile.report_json`)."""
    p = get_profile(profile)
    if p.compiled is None:
        report = validate_record(record, profile, written)
        return report.conforms, report.to_json(**extra)
    return p.report_json(p.compiled.validate(_record_index(p, record, written)), **extra)


def _validate_chunk(args: tuple[list[Record], str]) -> list[Report]:
    records, profile_name = args
    return [validate_record(r, profile_name) for r in records]


def validate_records(records: Iterable[Record], profile: str = DEFAULT_PROFILE, workers: int = 1) -> list[Report]:
    """One report per record, in order. `workers` > 1 validates in that many processes."""
    records = list(records)
    if workers <= 1 or len(records) < 2 * workers:
        return [validate_record(r, profile) for r in records]
    import multiprocessing

    size = -(-len(records) // (workers * 4))
    chunks = [(records[i : i + size], profile) for i in range(0, len(records), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return [report for part in pool.map(_validate_chunk, chunks) for report in part]


# --- reading a feed -------------------------------------------------------------------------

_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
    ".ntriples": "nt",
    ".n3": "n3",
}
_CONTENT_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    "text/n3": "n3",
    "text/plain": "nt",
}
_NAMES = {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples", "n3": "N3"}
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7"


def _guess_format(location: str, content_type: str | None, content: bytes) -> str:
    suffix = Path(location.split("?", 1)[0].split("#", 1)[0]).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if content_type and content_type in _CONTENT_TYPES:
        return _CONTENT_TYPES[content_type]
    head = content.lstrip()[:200]
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF"):
        return "xml"
    if head[:1] in (b"{", b"["):
        return "json-ld"
    return "turtle"


def _read(location: str) -> tuple[bytes, str | None]:
    if re.match(r"https?://", location, re.I):
        from harvesters.http import FetchError, HttpClient

        try:
            fetched = HttpClient.for_source(location).get(location, accept=ACCEPT)
        except FetchError as exc:
            raise Unreadable(f"{location}: could not be fetched: {exc.message}") from exc
        return fetched.content, fetched.content_type
    try:
        return Path(location).read_bytes(), None
    except OSError as exc:
        raise Unreadable(f"{location}: could not be read: {exc.strerror or exc}") from exc


def _refuse_hostile(location: str, fmt: str, content: bytes) -> None:
    """No XXE or entity expansion in RDF/XML, no remote contexts fetched for JSON-LD."""
    if fmt == "xml" and re.search(rb"<!\s*(DOCTYPE|ENTITY)", content, re.I):
        raise Unreadable(
            f"{location}: RDF/XML with DOCTYPE or ENTITY declarations is refused "
            "(they can read local files or expand without bound); remove them"
        )
    if fmt == "json-ld":
        try:
            data = json.loads(content)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise Unreadable(
                f"{location}: not valid JSON-LD" + (f" (line {line})" if line else "") + f": {exc}"
            ) from exc
        if _remote_context(data):
            raise Unreadable(
                f"{location}: JSON-LD with a remote @context is refused (it would be fetched); inline the context"
            )


def _remote_context(data: Any) -> bool:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("@context", "@import"):
                values = value if isinstance(value, list) else [value]
                if any(isinstance(v, str) for v in values):
                    return True
            if _remote_context(value):
                return True
    elif isinstance(data, list):
        return any(_remote_context(v) for v in data)
    return False


def _line_of(exc: Exception) -> int | None:
    for attr in ("lines", "lineno"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value + (1 if attr == "lines" else 0)
    get_line = getattr(exc, "getLineNumber", None)
    if callable(get_line):
        return get_line()
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def _cause(exc: Exception) -> str:
    """What the parser found wrong, on one line. rdflib's Turtle parser puts it on the lines after
    "at line N of <>:" (`BadSyntax`: the reason, then the text around the place with a caret), and
    only that first line was kept: "not valid Turtle at line 435: at line 435 of <>:" said nothing
    of the cause, where the harvester's parser said "column 49: , is not a valid RDF object"."""
    if isinstance(exc, BadSyntax):
        text = exc._str.decode("utf-8", "replace")
        start = text.rfind("\n", 0, exc._i) + 1
        end = text.find("\n", exc._i)
        line = text[start : end if end >= 0 else len(text)]
        before, after = line[: exc._i - start], line[exc._i - start :]
        return f"column {exc._i - start + 1}: {exc._why}: {before.lstrip()[-80:]}^{after.rstrip()[:80]}"
    said = " ".join(str(exc).split())
    return re.sub(r"^at line \d+ of <[^>]*>:\s*", "", said)[:500] or type(exc).__name__


def read_location(location: str) -> Graph:
    """The RDF graph at a file path or http(s) URL, parsed safely; `Unreadable` if it cannot be."""
    content, content_type = _read(location)
    fmt = _guess_format(location, content_type, content)
    _refuse_hostile(location, fmt, content)
    graph = Graph()
    try:
        graph.parse(data=content, format=fmt, publicID=location if "://" in location else None)
    except Exception as exc:  # rdflib's parsers raise many types; all mean "not valid"
        line = _line_of(exc)
        where = f" at line {line}" if line else ""
        said = _cause(exc)
        raise Unreadable(
            f"{location}: not valid {_NAMES[fmt]}{where}{',' if said.startswith('column') else ':'} {said}"
        ) from exc
    return graph


MAX_PAGES = 10_000
"""Most pages of a feed `read_feed` follows."""


def read_feed(location: str) -> tuple[Graph, int]:
    """The feed at a file path or URL, every page of it a URL's Hydra paging links to (`hydra:next`),
    and how many pages it read: `catalog validate` of the catalogue's own feed checked its first
    page of ten (7 of 147 datasets) and said "Conforms", while registries are told to run it before
    they publish."""
    graph = page = read_location(location)
    url, seen = location, {location}
    while "://" in location and len(seen) < MAX_PAGES:
        url = rdf.next_page(page, url) or ""
        if not url or url in seen:
            break
        seen.add(url)
        page = read_location(url)
        graph += page
    return graph, len(seen)


def validate_location(location: str, profile: str = DEFAULT_PROFILE) -> Report:
    """Validate the feed at a file path or URL, all its pages (`catalog validate`)."""
    return validate_graph(read_feed(location)[0], profile)


# --- explaining -----------------------------------------------------------------------------

_SEVERITY_WORDS = {"Violation": "Brudd | Violation", "Warning": "Advarsel | Warning", "Info": "Info | Info"}


def stored_by_rule(reports: Iterable[dict[str, Any]], most: int = 50) -> list[tuple[str, str, str, int]]:
    """A source's stored validation reports (`StoreReader.validations`) counted by rule: (severity,
    the path's last name, message, findings), the most frequent first: what its publisher fixes
    (the source page, `/api/sources/<name>` and `catalog report` show the same)."""
    counted: Counter[tuple[str, str, str]] = Counter(
        rule_of(f) for report in reports for f in report.get("findings", [])
    )
    return [(sev, path, msg, n) for (sev, path, msg), n in counted.most_common(most)]


def rule_of(finding: dict[str, Any]) -> tuple[str, str, str]:
    """A stored finding's rule as `stored_by_rule` counts it: severity, the path's last name, message."""
    path = (finding.get("path") or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return finding.get("severity") or "", path, finding.get("message") or ""


def by_rule(report: Report) -> list[tuple[str, str, str, int, int]]:
    """The findings counted by rule: (severity, path, message, findings, focus nodes), violations
    first, then the most frequent. A real feed's 600 findings are a dozen rules broken again and
    again; the publisher fixes rules, not nodes."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for f in report.findings:
        found.setdefault((f.severity, f.path or "", f.message), []).append(f.focus)
    rules = [(sev, path, msg, len(foci), len(set(foci))) for (sev, path, msg), foci in found.items()]
    return sorted(rules, key=lambda r: (SEVERITY_ORDER.get(r[0], 3), -r[3], r[2], r[1]))


def format_report(
    report: Report,
    fmt: str = "text",
    show: int = 0,
    verdict: str | None = None,
    fix_in: Callable[[Finding], str | None] | None = None,
) -> str:
    """The report as JSON (the report's dict, and `by_rule`), or as text: the verdict, the findings
    counted by rule, then the findings grouped by focus node with message and fix hint (the first
    `show` nodes, 0 for all), as `catalog ehds-check` gives its datasets and its summary.

    `verdict` says instead of "Conforms" what a caller knows better (the publisher kit: nothing was
    published, since the lists were not read in full). `fix_in` says where its writer fixes a
    finding, in the writer's own terms (the publisher kit: a list's row and heading, a key of
    `metadata.toml`), under its hint."""
    rules = by_rule(report)
    if fmt == "json":
        keys = ("severity", "path", "message", "findings", "focus_nodes")
        return json.dumps(
            {**report.to_dict(), "by_rule": [dict(zip(keys, r, strict=True)) for r in rules]},
            ensure_ascii=False,
            indent=2,
        )
    if fmt != "text":
        raise ValueError(f"unknown report format {fmt!r}; choose text or json")
    counts = report.counts()
    verdict = verdict or (
        "Oppfyller profilen | Conforms" if report.conforms else "Oppfyller ikke profilen | Does not conform"
    )
    lines = [
        f"Profil | Profile: {report.profile}",
        verdict,
        f"Brudd | Violations: {counts['Violation']}   Advarsler | Warnings: {counts['Warning']}",
    ]
    if rules:
        lines += ["", "Funn per regel | Findings by rule:"]
        for sev, path, message, n, _nodes in rules:
            where = f" ({_short(path)})" if path else ""
            lines.append(f"  {n:5}  [{_SEVERITY_WORDS.get(sev, sev)}]{where} {message}")
    by_focus: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_focus.setdefault(f.focus, []).append(f)
    ordered = sorted(by_focus, key=lambda k: (min(SEVERITY_ORDER.get(f.severity, 3) for f in by_focus[k]), k))
    for focus in ordered[: show or None]:
        lines += ["", f"{focus}"]
        for f in by_focus[focus]:
            where = f" ({_short(f.path)})" if f.path else ""
            lines.append(f"  [{_SEVERITY_WORDS.get(f.severity, f.severity)}]{where} {f.message}")
            if f.value is not None:
                lines.append(f"      verdi | value: {f.value}")
            if f.hint:
                lines.append(f"      slik retter du det | how to fix: {f.hint}")
            if fix_in is not None and (place := fix_in(f)):
                lines.append(f"      rett i | fix in: {place}")
    if show and len(ordered) > show:
        lines += ["", f"... {len(ordered) - show} more nodes with findings (--show 0 lists all)"]
    if rules:  # the end is what a terminal shows: say where the summary is
        lines += [
            "",
            f"{len(report.findings)} funn av {len(rules)} regler ved {len(ordered)} noder, per regel øverst | "
            f"{len(report.findings)} findings of {len(rules)} rules at {len(ordered)} nodes, by rule at the top",
        ]
    return "\n".join(lines) + "\n"
