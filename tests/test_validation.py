"""Validation as registries and the pipeline meet it: profiles, access levels, bilingual messages
with fix hints, reading feeds from files and URLs safely, and the text/JSON report."""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from catalog import rdf, validation
from catalog.cli import main
from catalog.model import Dataset, Variable
from catalog.validation import Unreadable, format_report, validate_location, validate_records
from tests.factories import apgar_codes
from tests.health_records import EU, mfr_dataset


def paths_of(report: validation.Report, severity: str = "Violation") -> list[tuple[str, str | None]]:
    return sorted(
        (f.focus.rsplit("/", 1)[-1], f.path and f.path.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
        for f in report.findings
        if f.severity == severity
    )


def test_shape_sets_are_the_catalogue_model_each_profile_and_each_access_level_and_healthdcat_is_the_default() -> None:
    assert sorted(validation.PROFILES) == [
        "catalog",
        "dcat-ap-3",
        "dcat-ap-no",
        "healthdcat-ap",
        "healthdcat-ap/non-public",
        "healthdcat-ap/public",
        "healthdcat-ap/restricted",
    ]
    assert validation.DEFAULT_PROFILE == "healthdcat-ap"


def test_an_unknown_profile_is_refused_with_the_known_ones_named() -> None:
    with pytest.raises(validation.UnknownProfile, match="dcat-ap-3"):
        validation.validate_records([mfr_dataset()], "dcat-ap-4")


def test_a_dataset_without_title_gets_a_bilingual_violation_with_a_fix_hint() -> None:
    report = validate_records([mfr_dataset(title={})], "dcat-ap-3")[0]
    assert not report.conforms
    (finding,) = report.violations
    assert (finding.focus, finding.path, finding.value, finding.component) == (
        "https://data.fhi.no/mfr/dataset/fodsler",
        "http://purl.org/dc/terms/title",
        None,
        "MinCountConstraintComponent",
    )
    assert finding.message == "Datasettet mangler tittel | The dataset has no title"
    assert finding.hint.startswith("Legg til dct:title") and " | Add dct:title" in finding.hint


@pytest.mark.parametrize("profile,checked", [("healthdcat-ap", True), ("dcat-ap-3", True), ("dcat-ap-no", False)])
def test_a_code_list_needs_a_title_and_each_code_a_label_as_dcat_ap_3_asks(profile: str, checked: bool) -> None:
    """The access body's drill: no profile checked a code list against anything. DCAT-AP 3.0.1 asks
    a title of a concept scheme and a preferred label of each concept (CategoryScheme_Shape,
    Category_Shape) and nothing more; HealthDCAT-AP adds nothing, DCAT-AP-NO 2.0 has them
    commented out."""
    assert validate_records([apgar_codes()], profile)[0].conforms
    untitled = validate_records([dataclasses.replace(apgar_codes(), title={})], profile)[0]
    written = rdf.to_graph([apgar_codes()])
    code = URIRef(rdf.concept_uri(apgar_codes().uri, "3"))
    written.remove((code, SKOS.prefLabel, None))  # as a registry's own feed may write it
    unlabelled = validation.validate_graph(written, profile)
    if not checked:
        assert untitled.conforms and unlabelled.conforms
        return
    assert paths_of(untitled) == [("apgar", "title")] and paths_of(unlabelled) == [("3", "prefLabel")]
    assert (
        untitled.violations[0].message
        == "Kodelisten mangler tittel (dct:title) | The code list has no title (dct:title)"
    )
    assert (
        unlabelled.violations[0].message
        == "Koden mangler etikett (skos:prefLabel) | The code has no label (skos:prefLabel)"
    )


def test_every_message_and_hint_of_our_shapes_is_in_bokmaal_and_english_and_nynorsk() -> None:
    """Each is one untagged "bokmål | English" text, as reports carry it, and one tagged @nn, which a
    nynorsk page shows: a nynorsk page said "Ikke-offentlige datasett må ha datasett-type"."""
    from rdflib.namespace import SH

    for name in validation.PROFILES:
        g = validation.shapes_graph(name)
        for predicate in (SH.message, validation.HK_FIX):
            for shape in set(g.subjects(predicate, None)):
                texts = sorted(
                    ((t.language or "") if isinstance(t, Literal) else "", str(t)) for t in g.objects(shape, predicate)
                )
                assert [lang for lang, _t in texts] == ["", "nn"], (
                    f"{name}: {texts} is not 'Norsk | English' and nynorsk"
                )
                (_, both), (_, nn) = texts
                nb, sep, en = both.partition(" | ")
                assert sep and nb.strip() and en.strip() and " | " not in en, (
                    f"{name}: {both!r} is not 'Norsk | English'"
                )
                assert nn.strip() and " | " not in nn, f"{name}: {nn!r} is not one text in nynorsk"
        for shape in g.subjects(SH.path, None):
            if (None, SH.property, shape) in g and g.value(shape, SH.message) is not None:
                assert g.value(shape, validation.HK_FIX) is not None, f"{name}: a shape with a message has no fix hint"


@pytest.mark.parametrize(
    "access,expected",
    [
        ("NON_PUBLIC", [("fodsler", "contactPoint"), ("fodsler", "provenance"), ("fodsler", "type")]),
        ("RESTRICTED", []),
        ("PUBLIC", []),
    ],
)
def test_the_access_level_rules_follow_the_datasets_access_rights(access: str, expected: list) -> None:
    d = mfr_dataset(access_rights=EU + f"access-right/{access}", contact=None, provenance={}, dataset_type=None)
    report = validate_records([d])[0]
    assert paths_of(report) == expected
    restricted_hint = any(f.message.startswith("Datasett med begrenset tilgang") for f in report.warnings)
    assert restricted_hint == (access == "RESTRICTED")


def test_a_dataset_without_access_level_violates_healthdcat_but_not_dcat_ap() -> None:
    d = mfr_dataset(access_rights=None)
    assert paths_of(validate_records([d])[0]) == [("fodsler", "accessRights")]
    assert validate_records([d], "dcat-ap-3")[0].conforms


def test_structured_data_without_variables_is_a_violation_of_the_dataset() -> None:
    d = mfr_dataset()
    d.variables = []
    (finding,) = validate_records([d])[0].violations
    assert (finding.path, finding.component) == (None, "OrConstraintComponent")
    assert finding.message.startswith("Datasettet sier at det har strukturerte data")
    d.has_structured_data = False
    assert validate_records([d])[0].conforms


@pytest.mark.parametrize("profile", sorted(set(validation.PROFILES) - {"catalog"}))  # the standards' profiles
@pytest.mark.parametrize(
    ("start", "end", "warned"),
    [
        ("2031-01-01", "2024-12-31", True),  # the publisher simulator's KPR, before it was mended
        ("2010", "2024-12-31", True),  # a year against a date: not comparable
        ("1967-01-01", "2024-12-31", False),
        ("1967-01-01", None, False),
        ("2020", "2010", True),  # years (DDI's): rdflib gives them no value to order
        ("1984", "1986", False),
        ("2011-03", "2011-03", False),
    ],
)
def test_a_period_that_ends_before_it_begins_is_a_warning(
    profile: str, start: str, end: str | None, warned: bool, recwarn: pytest.WarningsRecorder
) -> None:
    d = mfr_dataset()
    d.temporal_start, d.temporal_end = start, end
    report = validate_records([d], profile)[0]
    found = [f for f in report.warnings if f.component == "LessThanOrEqualsConstraintComponent"]
    assert bool(found) == warned
    if warned:
        assert found[0].message.startswith("Perioden slutter før den begynner") and "YYYY-MM-DD" in found[0].hint
    d.temporal_start, d.temporal_end = "1967-01-01", "2024-12-31"
    assert report.conforms == validate_records([d], profile)[0].conforms  # a warning: conformance as before
    assert not [w for w in recwarn if "NotImplemented" in str(w.message)]  # rdflib's order not taken as it is


def test_a_dataset_silent_on_structured_data_is_told_to_say_so_not_that_it_says_it_has_them() -> None:
    """As the official R8 shapes: the hasVariables rule holds when hasStructuredData is absent
    (its own minCount reports the gap); a publisher was told both "must say whether" and "says
    it has structured data", a statement its feed never made."""
    d = mfr_dataset()
    d.variables = []
    d.has_structured_data = None
    (finding,) = validate_records([d])[0].violations
    assert finding.path and finding.path.endswith("hasStructuredData")
    assert "sier at det har strukturerte data" not in finding.message


CSVW_NS = "http://www.w3.org/ns/csvw#"


@pytest.mark.parametrize(
    "change,expected",
    [
        ({"title": {}}, [("Violation", CSVW_NS + "title")]),
        ({"datatype": "heltall"}, [("Violation", CSVW_NS + "datatype")]),
        # HealthDCAT-AP requires it; our variable model's recommending it is not said again
        ({"description": {}}, [("Violation", "http://purl.org/dc/terms/description")]),
        ({"valid_from": None}, [("Warning", "https://schema.org/validFrom")]),
        ({"unit": None}, [("Warning", None)]),
        ({"valid_from": "i fjor"}, [("Violation", "https://schema.org/validFrom")]),
    ],
)
def test_variable_rules(change: dict, expected: list) -> None:
    d = mfr_dataset()
    vekt = d.variables[0]
    for key, value in change.items():
        setattr(vekt, key, value)
    report = validate_records([d])[0]
    assert [(f.severity, f.path) for f in report.findings] == expected
    assert {f.focus for f in report.findings} == {vekt.uri}


def test_validate_records_returns_one_report_per_record_in_order_also_in_parallel() -> None:
    records = [
        mfr_dataset(uri=f"https://data.fhi.no/mfr/dataset/{i}", title={} if i % 3 == 0 else {"nb": "T"})
        for i in range(12)
    ]
    serial = validate_records(records, "dcat-ap-3")
    assert [r.conforms for r in serial] == [i % 3 != 0 for i in range(12)]
    assert [r.to_dict() for r in validate_records(records, "dcat-ap-3", workers=2)] == [r.to_dict() for r in serial]


# --- reading feeds ------------------------------------------------------------------------------

TURTLE = rdf.to_graph([mfr_dataset()]).serialize(format="turtle")


@pytest.mark.parametrize("suffix,fmt", [(".ttl", "turtle"), (".rdf", "xml"), (".jsonld", "json-ld"), (".nt", "nt")])
def test_a_valid_feed_file_conforms_in_every_syntax(tmp_path: Path, suffix: str, fmt: str) -> None:
    path = tmp_path / f"feed{suffix}"
    path.write_text(rdf.to_graph([mfr_dataset()]).serialize(format=fmt), encoding="utf-8")
    report = validate_location(str(path), "healthdcat-ap")
    assert report.conforms and report.findings == []


def test_a_missing_file_is_unreadable_and_named(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match=r"nope\.ttl: could not be read"):
        validate_location(str(tmp_path / "nope.ttl"), "healthdcat-ap")


def test_a_turtle_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix dct: <http://purl.org/dc/terms/> .\n\n<a> dct:title "x" ;\n   dct:oops [ .\n')
    with pytest.raises(Unreadable, match=r"broken\.ttl: not valid Turtle at line 4"):
        validate_location(str(path), "healthdcat-ap")


def test_a_turtle_syntax_error_says_what_is_wrong_and_shows_where(tmp_path: Path, capsys) -> None:
    """rdflib says the cause on the lines after "at line 4 of <>:", and only that first line was
    kept: "not valid Turtle at line 435: at line 435 of <>:", and nothing after it."""
    path = tmp_path / "feed.ttl"
    path.write_text(
        '@prefix dct: <http://purl.org/dc/terms/> .\n\n<http://example.org/d> dct:title "Hjerte"@nb ;\n'
        '    dct:description , "Om hjertet"@nb .\n'
    )
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {path}: not valid Turtle at line 4, column 20: objectList expected: "
        'dct:description^ , "Om hjertet"@nb .\n'
    )


XXE = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="http://example.org/d"><dct:title>&secret;</dct:title></rdf:Description>
</rdf:RDF>"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [ <!ENTITY lol "lol"> <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""


@pytest.mark.parametrize("body", [XXE, BOMB], ids=["xxe", "entity-bomb"])
def test_rdf_xml_with_doctype_or_entities_is_refused_before_parsing(tmp_path: Path, body: str) -> None:
    path = tmp_path / "hostile.rdf"
    path.write_text(body)
    with pytest.raises(Unreadable, match="DOCTYPE or ENTITY declarations is refused"):
        validate_location(str(path), "dcat-ap-3")


def test_json_ld_with_a_remote_context_is_refused_not_fetched(tmp_path: Path) -> None:
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": "https://example.org/context.jsonld", "@id": "http://example.org/d"}))
    with pytest.raises(Unreadable, match="remote @context is refused"):
        validate_location(str(path), "dcat-ap-3")


HYDRA_NEXT = """
<{page}#view> a <http://www.w3.org/ns/hydra/core#PartialCollectionView> ;
    <http://www.w3.org/ns/hydra/core#next> <{next}> .
"""


class _Feeds(http.server.BaseHTTPRequestHandler):
    routes = {
        "/feed": ("text/turtle", TURTLE.encode()),
        "/feed.rdf": ("application/rdf+xml", XXE.encode()),
        "/by-type": ("application/n-triples", rdf.to_graph([mfr_dataset()]).serialize(format="nt").encode()),
        "/paged": ("text/turtle", (TURTLE + HYDRA_NEXT.format(page="paged", next="paged-2")).encode()),
        "/paged-2": ("text/turtle", b"<http://example.org/bad> a <http://www.w3.org/ns/dcat#Dataset> ."),
    }

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path not in self.routes:
            self.send_error(404)
            return
        content_type, body = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path", ["/feed", "/by-type"])
def test_a_feed_url_is_fetched_and_its_syntax_taken_from_the_content_type(server: str, path: str) -> None:
    assert validate_location(server + path, "healthdcat-ap").conforms


def test_every_page_of_a_paged_feed_is_validated(server: str) -> None:
    """`catalog validate` of the catalogue's own feed checked its first page of ten."""
    from catalog.validation import read_feed

    graph, pages = read_feed(server + "/paged")
    assert pages == 2 and (URIRef("http://example.org/bad"), None, None) in graph
    assert validate_location(server + "/feed", "healthdcat-ap").conforms
    assert not validate_location(server + "/paged", "healthdcat-ap").conforms


def test_a_feed_url_answering_404_is_unreadable(server: str) -> None:
    with pytest.raises(Unreadable, match=r"/missing: could not be fetched: the server answered 404"):
        validate_location(server + "/missing", "healthdcat-ap")


def test_hostile_rdf_xml_from_a_url_is_refused(server: str) -> None:
    with pytest.raises(Unreadable, match="DOCTYPE"):
        validate_location(server + "/feed.rdf", "healthdcat-ap")


# --- the report, as text and JSON ------------------------------------------------------------------


def test_the_text_report_groups_findings_by_focus_node_with_message_and_hint() -> None:
    d = mfr_dataset(title={}, variables=1)
    d.variables[0].title = {}
    text = format_report(validate_records([d])[0], "text")
    assert text.splitlines()[:3] == [
        "Profil | Profile: healthdcat-ap",
        "Oppfyller ikke profilen | Does not conform",
        "Brudd | Violations: 2   Advarsler | Warnings: 0",
    ]
    blocks = text.split("\n\n")[2:-1]  # after the verdict and the summary by rule, before the last line
    assert [b.splitlines()[0] for b in blocks] == [
        "https://data.fhi.no/mfr/dataset/fodsler",
        "https://data.fhi.no/mfr/variabel/VEKT",
    ]
    assert blocks[0].splitlines()[1:] == [
        "  [Brudd | Violation] (dct:title) Datasettet mangler tittel | The dataset has no title",
        "      slik retter du det | how to fix: Legg til dct:title, helst på norsk og engelsk | "
        "Add dct:title, preferably in Norwegian and English",
    ]


def test_the_text_report_counts_the_findings_by_rule_first_and_lists_the_first_nodes() -> None:
    """`catalog validate` of a real feed printed 400 findings and no summary."""
    records = [mfr_dataset(uri=f"https://data.fhi.no/mfr/dataset/{i}", title={}, variables=0) for i in range(3)]
    report = validation.Report(False, [f for r in validate_records(records) for f in r.findings])
    text = format_report(report, "text", show=2)
    assert text.split("\n\n")[1].splitlines()[:2] == [
        "Funn per regel | Findings by rule:",
        "      3  [Brudd | Violation] (dct:title) Datasettet mangler tittel | The dataset has no title",
    ]
    assert [line for line in text.splitlines() if line.startswith("https://")] == [
        "https://data.fhi.no/mfr/dataset/0",
        "https://data.fhi.no/mfr/dataset/1",
    ]
    assert "... 1 more nodes with findings (--show 0 lists all)" in text
    assert text.endswith(f"findings of {len(validation.by_rule(report))} rules at 3 nodes, by rule at the top\n")
    assert "https://data.fhi.no/mfr/dataset/2" in format_report(report, "text")


def test_the_json_report_is_the_report_dict_with_the_findings_by_rule() -> None:
    report = validate_records([mfr_dataset(title={})], "dcat-ap-3")[0]
    data = json.loads(format_report(report, "json"))
    assert data.pop("by_rule") == [
        {
            "severity": "Violation",
            "path": "http://purl.org/dc/terms/title",
            "message": "Datasettet mangler tittel | The dataset has no title",
            "findings": 1,
            "focus_nodes": 1,
        }
    ]
    assert data == report.to_dict()
    assert data["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    assert set(data["findings"][0]) == {"severity", "focus", "path", "value", "message", "shape", "component", "hint"}


def test_an_unknown_report_format_is_refused() -> None:
    with pytest.raises(ValueError, match="text or json"):
        format_report(validation.Report(conforms=True), "html")


def test_a_graph_with_a_variable_model_error_reports_the_value() -> None:
    g = rdf.to_graph([mfr_dataset()])
    report = validation.validate_graph(g)
    assert report.conforms
    v = Variable(
        uri="https://data.fhi.no/mfr/variabel/X",
        name="X",
        title={"nb": "X"},
        description={"nb": "x"},
        datatype="tall",
        unit="g",
        valid_from="2000-01-01",
    )
    rdf.add_variable(g, v)
    (finding,) = validation.validate_graph(g).violations
    assert (finding.focus, finding.value, finding.component) == (v.uri, "tall", "InConstraintComponent")
    assert isinstance(g, Graph)


def test_a_reports_json_is_the_text_json_dumps_writes_of_it() -> None:
    """The store keeps `Report.to_json`, made without a dict a finding: it must be json.dumps' text."""
    d = mfr_dataset(title={}, hdab=None)
    d.variables[0].datatype = 'hel"tall\\ \n\u2028 æøå'
    d.variables[1].description = {}
    d.variables[2].valid_from = None  # a warning
    report = validate_records([d])[0]
    report.findings.append(validation.Finding("Info", "_:b1", None, None, "Melding | Message", None, None, ""))
    assert report.violations and report.warnings
    expected = json.dumps({**report.to_dict(), "view": "ab12", "added": None}, ensure_ascii=False)
    assert report.to_json(view="ab12", added=None) == expected
    assert validation.Report(conforms=True).to_json() == json.dumps(validation.Report(conforms=True).to_dict())
    with pytest.raises(ValueError, match="own field"):
        report.to_json(findings=[])


@pytest.mark.parametrize("profile", sorted(validation.PROFILES))
def test_a_records_stored_validation_is_its_reports_conformance_and_json(profile: str) -> None:
    """The pipeline stores `validate_record_json` (made without the report's findings): it must be
    the report's `conforms` and `to_json`, for records with violations, warnings, escapes and none."""
    broken = mfr_dataset(title={}, hdab=None)
    broken.variables[0].datatype = 'hel"tall\\ \n\u2028 æøå'
    broken.variables[1].description = {}
    broken.variables[2].valid_from = "not a date"
    for record in (mfr_dataset(), broken):
        for written in (None, *rdf_written(record)):
            report = validation.validate_record(record, profile, written)
            expected = (report.conforms, report.to_json(view="ab12", added={"x": "æ"}))
            assert validation.validate_record_json(record, profile, written, view="ab12", added={"x": "æ"}) == expected
    assert not validation.validate_record_json(broken, validation.DEFAULT_PROFILE)[0]


def rdf_written(record: Dataset) -> list[rdf.TripleSink]:
    """What the pipeline writes of a dataset for its validation and rendering (`own_statements`)."""
    sink = rdf.TripleSink()
    rdf.add_dataset(sink, record, variables=False)
    return [sink]


def test_a_variables_findings_are_read_from_its_datasets_report_alone_however_the_report_was_written():
    """A variable's page decoded its dataset's whole report (100,000 findings of a registry's
    100,000 variables) for its own few: `findings_about` decodes only those, and gives what
    decoding the whole gives, for a report written as this version writes it or any other way."""
    odd = Variable(uri='https://data.fhi.no/mfr/variabel/«æ» \\ "x", "focus": "y"', name="ODD")
    from tests.factories import mfr_dataset as dataset

    d = dataset(variables=[Variable(uri=f"{EU}v/V{i}", name=f"V{i}") for i in range(4)] + [odd])
    report = validation.validate_record(d)
    whole = report.to_dict()
    foci = [d.uri, odd.uri, *(v.uri for v in d.variables), f"{EU}v/V", f"{EU}v/V1x", "nothing"]
    assert {f["focus"] for f in whole["findings"]} >= {d.uri, odd.uri, f"{EU}v/V0"}
    as_jsonb = {
        **whole,
        "findings": [dict(sorted(f.items(), key=lambda kv: (len(kv[0]), kv[0]))) for f in whole["findings"]],
    }
    reversed_counts = {"findings": whole["findings"], "counts": whole["counts"], "conforms": False}
    texts = {
        "to_json": report.to_json(),
        "to_json with extras": report.to_json(focus={"severity": "x", "focus": odd.uri}),
        "json.dumps": json.dumps(whole, ensure_ascii=False),
        "ascii": json.dumps(whole),
        "compact": json.dumps(whole, separators=(",", ":")),
        "jsonb's order": json.dumps(as_jsonb, ensure_ascii=False),
        "counts after findings": json.dumps(reversed_counts),
        "wrong counts": json.dumps({**whole, "counts": {"Violation": 1}}),
        "no counts": json.dumps({"findings": whole["findings"]}),
        "no findings": json.dumps({"conforms": True, "counts": {}}),
    }
    for how, text in texts.items():
        for focus in foci:
            expected = [f for f in json.loads(text).get("findings", []) if f["focus"] == focus]
            assert validation.findings_about(text, focus) == expected, (how, focus)
    assert len(validation.findings_about(texts["to_json"], odd.uri)) >= 1
    for how in ("to_json", "json.dumps", "ascii"):  # read as written
        assert validation._findings_as_written(texts[how], odd.uri) is not None, how
    for how in (
        "to_json with extras",
        "compact",
        "jsonb's order",
        "counts after findings",
        "wrong counts",
        "no counts",
    ):
        assert validation._findings_as_written(texts[how], odd.uri) is None, how
