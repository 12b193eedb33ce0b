"""Each fault the simulator injects produces its wire behaviour, per source, switchable at run time."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Iterator

import defusedxml.ElementTree
import openpyxl
import pytest
import requests
from defusedxml import DTDForbidden, EntitiesForbidden
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from simulator import FAULTS, Simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(seed=0) as s:
        yield s


def url(sim: Simulator, source: str) -> str:
    return next(c.url for c in sim.source_configs() if c.name == source)


DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")  # rdflib's DCAT namespace upsets pytest's collector
OAI_LIST = "?verb=ListRecords&metadataPrefix=oai_ddi25"


def test_faults_are_per_source_and_switch_off(sim: Simulator) -> None:
    sim.set_fault("mfr", "error500")
    assert requests.get(url(sim, "mfr"), timeout=10).status_code == 500
    assert requests.get(url(sim, "npr"), timeout=10).status_code == 200
    sim.set_fault("mfr", None)
    assert requests.get(url(sim, "mfr"), timeout=10).status_code == 200


def test_unknown_faults_and_sources_are_refused(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="unknown fault 'gremlins'"):
        sim.set_fault("mfr", "gremlins")
    with pytest.raises(KeyError, match="no simulated source named 'atlantis'"):
        sim.set_fault("atlantis", "slow")
    assert len(FAULTS) == 14


def test_error503_says_when_to_come_back(sim: Simulator) -> None:
    sim.set_fault("hunt", "error503", seconds=7)
    r = requests.get(url(sim, "hunt") + "?verb=Identify", timeout=10)
    assert (r.status_code, r.headers["Retry-After"]) == (503, "7")


def test_rate_limit_answers_429_then_serves(sim: Simulator) -> None:
    sim.set_fault("ssb-klass", "rate_limit", count=2, seconds=3)
    target = url(sim, "ssb-klass") + "/classifications"
    answers = [requests.get(target, timeout=10) for _ in range(3)]
    assert [r.status_code for r in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"


def test_slow_drips_the_same_body(sim: Simulator) -> None:
    normal = requests.get(url(sim, "ssb-vardef"), timeout=10).content
    sim.set_fault("ssb-vardef", "slow", delay=0.05, chunk=len(normal) // 4 + 1)
    started = time.perf_counter()
    dripped = requests.get(url(sim, "ssb-vardef"), timeout=10).content
    assert dripped == normal
    assert time.perf_counter() - started >= 0.2


def test_trickle_drips_a_byte_at_a_time_without_end(sim: Simulator) -> None:
    sim.set_fault("mfr", "trickle", delay=0.05)
    started = time.perf_counter()
    with requests.get(url(sim, "mfr"), stream=True, timeout=10) as r:
        assert r.status_code == 200 and "Content-Length" not in r.headers
        received = [r.raw.read(1) for _ in range(6)]
    assert received == [b" "] * 6 and time.perf_counter() - started >= 0.25


def test_truncated_body_breaks_off_before_its_declared_length(sim: Simulator) -> None:
    sim.set_fault("mfr", "truncated")
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        requests.get(url(sim, "mfr"), timeout=10)


def _parse_turtle(body: bytes) -> object:
    return Graph().parse(data=body, format="turtle")


def _parse_csv(body: bytes) -> object:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";", strict=True))


def _parse_xlsx(body: bytes) -> object:
    return openpyxl.load_workbook(io.BytesIO(body))


@pytest.mark.parametrize(
    ("source", "suffix", "parse", "error"),
    [
        ("mfr", "", _parse_turtle, Exception),
        ("hunt", OAI_LIST, etree.fromstring, etree.XMLSyntaxError),
        ("ssb-vardef", "", json.loads, json.JSONDecodeError),
        ("hkr-varliste", "", _parse_xlsx, zipfile.BadZipFile),
    ],
)
def test_malformed_bodies_fail_their_own_parser(sim: Simulator, source: str, suffix: str, parse, error) -> None:
    target = url(sim, source) + suffix
    parse(requests.get(target, timeout=10).content)
    sim.set_fault(source, "malformed")
    with pytest.raises(error):
        parse(requests.get(target, timeout=10).content)


def test_malformed_csv_has_an_unterminated_quote(sim: Simulator) -> None:
    target = url(sim, "hkr-varliste").replace(".xlsx", ".csv")
    sim.set_fault("hkr-varliste", "malformed")
    with pytest.raises(csv.Error, match="expected after"):
        _parse_csv(requests.get(target, timeout=10).content)


def test_wrong_content_type_keeps_the_body(sim: Simulator) -> None:
    normal = requests.get(url(sim, "npr"), timeout=10)
    sim.set_fault("npr", "wrong_content_type")
    r = requests.get(url(sim, "npr"), timeout=10)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8" and r.content == normal.content


def test_redirect_loop_never_ends(sim: Simulator) -> None:
    sim.set_fault("hjerneslag", "redirect_loop")
    api = url(sim, "hjerneslag") + "api/3/action/package_search?fq=organization%3Ahjerneslag"
    first = requests.get(api, allow_redirects=False, timeout=10)
    second = requests.get(first.headers["Location"], allow_redirects=False, timeout=10)
    assert first.status_code == second.status_code == 302 and second.headers["Location"] == api
    with pytest.raises(requests.TooManyRedirects):
        requests.get(api, timeout=10)


def test_oversized_body_goes_on_past_any_sane_limit(sim: Simulator) -> None:
    sim.set_fault("dar", "oversized")
    with requests.get(url(sim, "dar"), stream=True, timeout=10) as r:
        assert "Content-Length" not in r.headers
        received = 0
        for chunk in r.iter_content(1 << 16):
            received += len(chunk)
            if received > 20 * 1024 * 1024:
                break
    assert received > 20 * 1024 * 1024


@pytest.mark.parametrize(("source", "suffix"), [("mfr", ""), ("moba", OAI_LIST)])
def test_xxe_payload_points_at_etc_passwd(sim: Simulator, source: str, suffix: str) -> None:
    sim.set_fault(source, "xxe")
    r = requests.get(url(sim, source) + suffix, timeout=10)
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in r.content and b"&xxe;" in r.content
    assert "xml" in r.headers["Content-Type"]
    with pytest.raises((EntitiesForbidden, DTDForbidden)):
        defusedxml.ElementTree.fromstring(r.content, forbid_dtd=True)


def test_entity_expansion_is_a_billion_laughs(sim: Simulator) -> None:
    sim.set_fault("ssb-klass", "entity_expansion")
    r = requests.get(url(sim, "ssb-klass") + "/classifications", timeout=10)
    assert b'<!ENTITY lol9 "&lol8;&lol8;' in r.content and b"&lol9;" in r.content
    with pytest.raises(EntitiesForbidden):
        defusedxml.ElementTree.fromstring(r.content)


def test_latin1_bytes_under_a_utf8_label(sim: Simulator) -> None:
    sim.set_fault("mfr", "latin1")
    r = requests.get(url(sim, "mfr"), timeout=10)
    assert r.headers["Content-Type"] == "text/turtle; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    assert "Medisinsk fødselsregister" in r.content.decode("latin-1")


def test_duplicate_ids_in_ckan_oai_vardef_and_spreadsheets(sim: Simulator) -> None:
    for source in ("hoftebrudd", "tromso", "ssb-vardef", "iplos-varliste", "npr", "microdata"):
        sim.set_fault(source, "duplicate_ids")
    packages = requests.get(
        url(sim, "hoftebrudd") + "api/3/action/package_search",
        params={"fq": "organization:hoftebrudd", "rows": "100"},
        timeout=10,
    ).json()["result"]
    names = [p["name"] for p in packages["results"]]
    assert len(names) == len(set(names)) + 1 == packages["count"]

    root = etree.fromstring(
        requests.get(url(sim, "tromso") + OAI_LIST.replace("Records", "Identifiers"), timeout=10).content
    )
    ids = [e.text for e in root.iter("{http://www.openarchives.org/OAI/2.0/}identifier")]
    assert len(ids) == len(set(ids)) + 1

    defs = requests.get(url(sim, "ssb-vardef"), timeout=10).json()
    assert len(defs) == len({d["id"] for d in defs}) + 1

    rows = list(
        csv.reader(
            io.StringIO(
                requests.get(url(sim, "iplos-varliste").replace(".xlsx", ".csv"), timeout=10).content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )[1:]
    assert len(rows) == len({r[0] for r in rows}) + 1

    g = Graph().parse(data=requests.get(url(sim, "npr"), timeout=10).content, format="turtle")
    idents = [str(g.value(d, DCTERMS.identifier)) for d in g.subjects(RDF.type, DCAT_DATASET)]
    assert len(idents) == len(set(idents)) + 1

    structures = requests.get(url(sim, "microdata") + "/all?version=1.0.0.0", timeout=10).json()["dataStructures"]
    assert len(structures) == len({s["name"] for s in structures}) + 1
