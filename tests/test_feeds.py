"""/catalog as a harvestable feed: syntaxes, profiles, Hydra pages, validators, increments, dump."""

from __future__ import annotations

import dataclasses
import html
import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, FOAF, RDF, SKOS
from rdflib.namespace import DCTERMS as DCT
from werkzeug.serving import make_server

from catalog.export import catalog_graph
from catalog.model import CodeList, Dataset, content_hash, key_for
from catalog.rdf import ADMS, CSVW, HEALTH, HYDRA
from catalog.validation import stored_by_rule
from tests.factories import BASE, apgar_codes, mfr_dataset, numbered
from tests.published import build, graph

FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


@pytest.mark.parametrize("media_type", FORMATS)
def test_the_catalogue_is_served_in_the_syntax_the_client_accepts(settings, store, server, client, media_type):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    response = client.get("/catalog", headers={"Accept": media_type})
    assert response.mimetype == media_type and response.headers["Vary"] == "Accept"
    g = graph(response, FORMATS[media_type])
    assert (URIRef(mfr_dataset().uri), RDF.type, DCAT.Dataset) in g
    assert len(set(g.subjects(RDF.type, CSVW.Column))) == 4


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [("application/json", "application/ld+json"), ("application/xml", "application/rdf+xml"), ("*/*", "text/turtle")],
)
def test_a_client_asking_plain_json_or_xml_gets_the_rdf_syntax_of_that_kind(
    settings, store, server, client, accept, media_type
):
    """A script asking `application/json` was answered Turtle, which it could not read."""
    build(settings, store, server, [mfr_dataset()])
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.mimetype == media_type
    assert (URIRef(mfr_dataset().uri), RDF.type, DCAT.Dataset) in graph(response, FORMATS[media_type])


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
    ],
)
def test_a_suffix_chooses_the_syntax_whatever_the_accept_header(settings, store, server, client, suffix, media_type):
    build(settings, store, server, [mfr_dataset()])
    response = client.get(f"/catalog.{suffix}", headers={"Accept": "text/html"})
    assert response.mimetype == media_type
    assert (URIRef(mfr_dataset().uri), RDF.type, DCAT.Dataset) in graph(response, FORMATS[media_type])


@pytest.fixture
def served(app) -> Iterator[str]:
    """The app on a loopback port: content negotiation as a harvester or browser meets it, over HTTP."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def fetched(at: str, path: str, accept: str | None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET, redirects not followed."""
    conn = http.client.HTTPConnection(at, timeout=30)
    conn.request("GET", path, headers={"Accept": accept} if accept is not None else {})
    answer = conn.getresponse()
    found = (answer.status, dict(answer.getheaders()), answer.read())
    conn.close()
    return found


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", ["text/html", BROWSER])
def test_a_browser_asking_the_feed_url_is_sent_to_the_catalogue_page(settings, store, server, served, accept):
    """It was answered Turtle, which a browser offers to download instead of showing."""
    build(settings, store, server, [mfr_dataset()])
    for path in ("/catalog", "/catalog?profile=dcat-ap-no"):
        status, headers, _ = fetched(served, path, accept)
        assert (status, headers["Location"]) == (303, "/"), path
        assert "Accept" in headers["Vary"].split(", ")
    status, headers, body = fetched(served, "/", accept)
    assert status == 200 and headers["Content-Type"].startswith("text/html")


def test_the_pages_links_to_the_feeds_give_a_browser_the_feed(settings, store, server, served):
    """The footer's "DCAT feed" and the EHDS page's "The EHDS feed" are what a person clicks to
    see the feed: sent to the home page as a browser asking the catalogue's address is, they led
    nowhere."""
    build(settings, store, server, [mfr_dataset()])
    for page in ("/", "/ehds/"):
        _, _, body = fetched(served, page, BROWSER)
        links = re.findall(r'href="(/catalog[^"]*)"', body.decode())
        assert links, page
        for link in links:
            status, headers, feed = fetched(served, html.unescape(link), BROWSER)
            assert status == 200 and headers["Content-Type"].startswith("text/turtle"), (page, link, status)
            assert (URIRef(mfr_dataset().uri), RDF.type, DCAT.Dataset) in Graph().parse(data=feed, format="turtle")


@pytest.mark.parametrize("accept", ["application/trig", "text/plain", "application/trig, text/n3;q=0.5"])
def test_a_client_naming_only_formats_the_feed_cannot_write_is_told_which_it_can(
    settings, store, server, served, accept
):
    """`Accept: application/trig` was answered Turtle, which a TriG reader takes for its own
    syntax and a strict client cannot tell from what it asked."""
    build(settings, store, server, [mfr_dataset()])
    for path in ("/catalog", "/resource?" + urlencode({"uri": mfr_dataset().uri})):
        status, headers, body = fetched(served, path, accept)
        assert status == 406, path
        assert headers["Content-Type"] == "application/problem+json"
        detail = json.loads(body)["detail"]
        for media_type in FORMATS:
            assert media_type in detail, (path, detail)


@pytest.mark.parametrize("accept", [None, "*/*", "application/trig, */*;q=0.1"])
def test_a_client_taking_anything_still_gets_turtle_from_the_feed_url(settings, store, server, served, accept):
    build(settings, store, server, [mfr_dataset()])
    status, headers, body = fetched(served, "/catalog", accept)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert (URIRef(mfr_dataset().uri), RDF.type, DCAT.Dataset) in Graph().parse(data=body, format="turtle")


def test_code_lists_are_in_the_feed_as_concept_schemes_with_their_concepts(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    g = graph(client.get("/catalog"))
    scheme = URIRef(apgar_codes().uri)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    assert sorted(str(g.value(c, SKOS.notation)) for c in g.subjects(SKOS.inScheme, scheme)) == sorted(
        str(i) for i in range(11)
    )


def test_the_ehds_feed_holds_conforming_datasets_with_the_access_body_and_catalogue_records(
    settings, store, server, client
):
    build(settings, store, server, [mfr_dataset(), numbered(1, description={})])  # the second has a violation
    g = graph(client.get("/catalog"))
    assert set(g.subjects(RDF.type, DCAT.Dataset)) == {URIRef(mfr_dataset().uri)}
    hdab = g.value(URIRef(mfr_dataset().uri), HEALTH.hdab)
    assert str(g.value(hdab, FOAF.name)) == settings.hdab_name
    record = g.value(predicate=FOAF.primaryTopic, object=URIRef(mfr_dataset().uri))
    assert (record, RDF.type, DCAT.CatalogRecord) in g and g.value(record, DCT.modified) is not None
    everything = graph(client.get("/catalog?profile=dcat-ap-3"))
    assert len(set(everything.subjects(RDF.type, DCAT.Dataset))) == 2
    no = graph(client.get("/catalog?profile=dcat-ap-no"))
    assert no.value(URIRef(settings.base_uri.rstrip("/") + "/catalog"), DCT.identifier) is not None


def test_the_catalogue_node_says_its_languages_home_page_and_theme_vocabulary(settings, store, server, client):
    """DCAT-AP's recommended properties of a catalogue that the catalogue itself knows: the EU
    platform's checks and `catalog validate` warned that the node had none of them."""
    build(settings, store, server, [mfr_dataset()])
    for profile in ("healthdcat-ap", "dcat-ap-3", "dcat-ap-no"):
        g = graph(client.get(f"/catalog?profile={profile}"))
        cat = URIRef(settings.base_uri.rstrip("/") + "/catalog")
        languages = {str(o).rsplit("/", 1)[-1] for o in g.objects(cat, DCT.language)}
        assert languages == {"NOB", "NNO", "ENG"}, profile
        assert g.value(cat, FOAF.homepage) == URIRef(settings.base_uri)
        assert g.value(cat, DCAT.themeTaxonomy) == URIRef("http://publications.europa.eu/resource/authority/data-theme")


def view_links(g: Graph) -> dict[str, str]:
    view = g.value(predicate=RDF.type, object=HYDRA.PartialCollectionView)
    return {str(p).split("#")[1]: str(o) for p, o in g.predicate_objects(view) if p != RDF.type}


def test_pages_link_to_first_previous_next_and_last_as_iris(settings, store, server, client):
    build(settings, store, server, [numbered(i) for i in range(5)])
    g = graph(client.get("/catalog?page_size=2&page=2"))
    base = "http://localhost/catalog"
    assert view_links(g) == {
        "first": f"{base}?page_size=2&page=1",
        "previous": f"{base}?page_size=2&page=1",
        "next": f"{base}?page_size=2&page=3",
        "last": f"{base}?page_size=2&page=3",
    }
    assert [int(str(n)) for n in g.objects(None, HYDRA.totalItems)] == [5]
    assert sorted(str(s) for s in g.subjects(RDF.type, DCAT.Dataset)) == [f"{BASE}/dataset/002", f"{BASE}/dataset/003"]
    assert all(isinstance(o, URIRef) for o in g.objects(None, HYDRA.next))
    last = graph(client.get("/catalog?page_size=2&page=3"))
    assert "next" not in view_links(last) and len(set(last.subjects(RDF.type, DCAT.Dataset))) == 1


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("page_size=5000", 400, "maximum 1000"),
        ("page=0", 400, "page='0'"),
        ("page=9", 404, "page 9 does not exist"),
        ("profile=dcat-ap-9", 400, "unknown profile"),
        ("modified_since=yesterday", 400, "ISO 8601"),
    ],
)
def test_bad_feed_parameters_are_refused_with_a_reason(settings, store, server, client, query, status, says):
    build(settings, store, server, [mfr_dataset()])
    response = client.get(f"/catalog?{query}", headers={"Accept": "application/json"})
    assert response.status_code == status and says in response.get_json()["detail"]


def test_an_unchanged_page_is_answered_304_by_etag_and_by_date(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    first = client.get("/catalog")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/catalog", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/catalog", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/catalog.nt", headers={"If-None-Match": etag}).status_code == 200  # another representation
    build(settings, store, server, [mfr_dataset(title={"nb": "Endret"})])
    again = client.get("/catalog", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_the_whole_catalogue_and_other_rdf_answer_a_conditional_request(settings, store, server, client):
    """The access body's drill: /catalog/dump.nt (15.6 MB for the demo), /uses.ttl and a
    resource's description had no validators, so every poll downloaded them again."""
    build(settings, store, server, [mfr_dataset()])
    key = key_for(mfr_dataset().uri)
    for url in ("/catalog/dump.nt", "/uses.ttl", f"/datasets/{key}.ttl"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"], url
        unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.headers.get("Vary") == first.headers.get("Vary"), url
    dumped = client.get("/catalog/dump.nt")
    assert (
        client.get("/catalog/dump.nt", headers={"If-Modified-Since": dumped.headers["Last-Modified"]}).status_code
        == 304
    )
    build(settings, store, server, [mfr_dataset(title={"nb": "Endret"})])
    again = client.get("/catalog/dump.nt", headers={"If-None-Match": dumped.headers["ETag"]})
    assert again.status_code == 200 and "Endret" in again.get_data(as_text=True)


def test_an_edit_of_the_operators_settings_moves_last_modified_as_it_moves_the_etag(settings, store, server, client):
    """The feed writes statements with the settings of the moment, and its ETag followed them, but
    Last-Modified followed only the store: a harvester asking If-Modified-Since alone was answered
    304 for a page whose publisher and themes had changed."""
    build(settings, store, server, [mfr_dataset(themes=[])])
    settings.put_sources(settings.sources["mfr"])
    first = client.get("/catalog")
    modified = first.headers["Last-Modified"]
    assert client.get("/catalog", headers={"If-Modified-Since": modified}).status_code == 304
    time.sleep(1.1)  # Last-Modified counts whole seconds
    edited = dataclasses.replace(settings.sources["mfr"], options={"defaults": {"themes": ["SOCI"]}})
    settings.put_sources(edited)
    settings.reload_sources()  # what each process does when the file changed (at most every few seconds)
    again = client.get("/catalog", headers={"If-Modified-Since": modified})
    assert again.status_code == 200 and b"data-theme/SOCI" in again.get_data()
    assert "Last-Modified" not in again.headers  # no writer has seen these settings yet
    from catalog.renderings import note_output

    note_output(settings, store)  # what the scheduler's next tick does
    again = client.get("/catalog", headers={"If-Modified-Since": modified})
    assert again.status_code == 200 and b"data-theme/SOCI" in again.get_data()
    assert parsedate_to_datetime(again.headers["Last-Modified"]) > parsedate_to_datetime(modified)
    assert client.get("/catalog", headers={"If-Modified-Since": again.headers["Last-Modified"]}).status_code == 304


def test_an_unchanged_re_harvest_leaves_the_feed_and_its_etag_as_they_were(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    first = client.get("/catalog")
    build(settings, store, server, [mfr_dataset()])  # the same content: the catalogue did not change
    again = client.get("/catalog", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304, "a harvester downstream would fetch an unchanged catalogue again"
    assert client.get("/catalog").get_data() == first.get_data()


def test_modified_since_gives_what_changed_and_tombstones_for_what_left(settings, store, server, client):
    from catalog.duties import confirm

    build(settings, store, server, [numbered(i) for i in range(4)])
    # confirmed already: the next harvest's confirmation moves no dataset's label (a first harvest confirms nothing)
    confirm(settings, store, "source", "mfr", "cli")
    cursor = str(graph(client.get("/catalog")).value(URIRef(settings.base_uri.rstrip("/") + "/catalog"), DCT.modified))
    build(settings, store, server, [numbered(0, title={"nb": "Ny"}), numbered(1), numbered(2), numbered(7)])
    g = graph(client.get("/catalog", query_string={"modified_since": cursor}))
    assert sorted(str(s) for s in g.subjects(RDF.type, DCAT.Dataset)) == [f"{BASE}/dataset/000", f"{BASE}/dataset/007"]
    gone = [str(g.value(r, FOAF.primaryTopic)) for r in g.subjects(ADMS.status, None)]
    assert gone == [f"{BASE}/dataset/003"]


def code_list(name: str) -> CodeList:
    return dataclasses.replace(apgar_codes(), uri=f"{BASE}/kodeverk/{name}", identifier=name)


def coded(n: int, codes: CodeList, **changes: object) -> Dataset:
    """The n-th small dataset, with one variable coded by `codes`."""
    apgar = mfr_dataset().variables[-1]
    variable = dataclasses.replace(apgar, uri=f"{BASE}/dataset/{n:03d}/variabel/KODE", codelist=codes.uri)
    return numbered(n, variables=[variable], has_structured_data=True, **changes)


def schemes(g: Graph) -> set[str]:
    return {str(s) for s in g.subjects(RDF.type, SKOS.ConceptScheme)}


def tombstones(g: Graph) -> set[str]:
    return {str(g.value(r, FOAF.primaryTopic)) for r in g.subjects(ADMS.status, None)}


def cursor(settings, g: Graph) -> str:
    return str(g.value(URIRef(settings.base_uri.rstrip("/") + "/catalog"), DCT.modified))


def test_the_ehds_feed_carries_only_the_code_lists_of_the_datasets_it_carries(settings, store, server, client):
    """The access body's drill: the EHDS feed carried every code list of the catalogue, those of
    datasets it leaves out (below the profile's minimum) and those no variable names. A feed
    exchanged with the EU carries what its datasets use, on its pages, in its dump and in an export;
    the other feeds carry every live record."""
    left_out = coded(1, code_list("paritet"), description={})  # no description: not in the EHDS feed
    build(settings, store, server, [mfr_dataset(), apgar_codes(), left_out, code_list("paritet"), code_list("ubrukt")])
    used = {apgar_codes().uri}
    every = used | {code_list("paritet").uri, code_list("ubrukt").uri}
    for profile, carried in (("healthdcat-ap", used), ("dcat-ap-3", every), ("dcat-ap-no", every)):
        first = graph(client.get("/catalog", query_string={"profile": profile, "page_size": 1}))
        pages = int(str(next(first.objects(None, HYDRA.totalItems))))
        paged = set().union(
            *(
                schemes(graph(client.get("/catalog", query_string={"profile": profile, "page_size": 1, "page": n})))
                for n in range(1, pages + 1)
            )
        )
        dumped = schemes(graph(client.get("/catalog/dump.nt", query_string={"profile": profile}), "nt"))
        assert paged == dumped == schemes(catalog_graph(settings, store, profile)) == carried, profile
        assert pages == len(carried) + (1 if profile == "healthdcat-ap" else 2), (
            "hydra:totalItems counts what is carried"
        )


def test_a_code_list_enters_and_leaves_the_ehds_feed_with_the_datasets_that_use_it(settings, store, server, client):
    """Its own record unchanged, a code list leaves the EHDS feed when the last dataset there using it
    leaves or stops using it, and comes back with one: a harvester asking `modified_since` is told
    (a tombstone, its statements), and a page's ETag moves."""
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    first = client.get("/catalog")
    since = cursor(settings, graph(first))
    build(settings, store, server, [mfr_dataset(description={}), apgar_codes()])  # a violation: the dataset leaves
    assert client.get("/catalog", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    left = graph(client.get("/catalog", query_string={"modified_since": since}))
    assert tombstones(left) == {mfr_dataset().uri, apgar_codes().uri} and schemes(left) == set()
    since = cursor(settings, left)
    build(settings, store, server, [mfr_dataset(), apgar_codes()])  # mended: both come back
    back = graph(client.get("/catalog", query_string={"modified_since": since}))
    assert schemes(back) == {apgar_codes().uri} and tombstones(back) == set()
    since = cursor(settings, back)
    uncoded = mfr_dataset(variables=mfr_dataset().variables[:-1])
    build(settings, store, server, [uncoded, apgar_codes()])  # it no longer uses the code list
    dropped = graph(client.get("/catalog", query_string={"modified_since": since}))
    assert tombstones(dropped) == {apgar_codes().uri} and schemes(graph(client.get("/catalog"))) == set()


def test_a_code_list_that_breaks_the_profile_stays_out_of_the_ehds_feed_with_its_reason(
    settings, store, server, client
):
    """The access body's drill: a code list in the EHDS feed was never checked against any shape.
    One without a title (DCAT-AP 3 asks one) is stored and shown, and left out of the EHDS feed
    with its reason where a dataset's are given: the run's line, `catalog report`'s findings by
    rule and its page. The dataset using it conforms and stays; the other feeds carry both."""
    untitled = dataclasses.replace(apgar_codes(), title={})
    result = build(settings, store, server, [mfr_dataset(), untitled])
    assert result.line().endswith("; 1 of 2 live records do not conform (`catalog report mfr`)")
    reason = "Kodelisten mangler tittel (dct:title) | The code list has no title (dct:title)"
    violations = [rule for rule in stored_by_rule(store.validations("mfr")) if rule[0] == "Violation"]
    assert violations == [("Violation", "title", reason, 1)]
    ehds = graph(client.get("/catalog"))
    assert schemes(ehds) == schemes(graph(client.get("/catalog/dump.nt"), "nt")) == set()
    assert set(ehds.subjects(RDF.type, DCAT.Dataset)) == {URIRef(mfr_dataset().uri)}
    assert schemes(graph(client.get("/catalog?profile=dcat-ap-3"))) == {untitled.uri}
    page = client.get(f"/codelists/{key_for(untitled.uri)}?lang=en").get_data(as_text=True)
    assert "The EHDS feed leaves this code list out: it has violations of HealthDCAT-AP." in page
    assert "The code list has no title (dct:title)" in page
    build(settings, store, server, [mfr_dataset(), apgar_codes()])  # given its title: in the feed
    assert schemes(graph(client.get("/catalog"))) == {apgar_codes().uri}
    page = client.get(f"/codelists/{key_for(untitled.uri)}?lang=en").get_data(as_text=True)
    assert "The EHDS feed carries this code list." in page


def test_the_whole_catalogue_streams_as_ntriples(settings, store, server, client):
    build(settings, store, server, [numbered(i) for i in range(2)] + [mfr_dataset(), apgar_codes()])
    for url in ("/catalog/dump.nt", "/catalog?page=all"):
        response = client.get(url, headers={"Accept": "application/n-triples"})
        assert response.is_streamed and response.mimetype == "application/n-triples"
        g = graph(response, "nt")
        assert (
            len(set(g.subjects(RDF.type, DCAT.Dataset))) == 3
            and (URIRef(apgar_codes().uri), RDF.type, SKOS.ConceptScheme) in g
        )
    assert client.get("/catalog.jsonld?page=all").status_code == 406


def test_content_hash_of_each_record_is_in_its_catalogue_record(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    g = graph(client.get("/catalog"))
    record = g.value(predicate=FOAF.primaryTopic, object=URIRef(mfr_dataset().uri))
    assert g.value(record, URIRef("https://w3id.org/helsekatalog#contentHash")) == Literal(content_hash(mfr_dataset()))


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@examples(max_examples=300, deadline=None)
@given(
    value=_TEXT,
    lang=st.sampled_from([None, "nb", "en-GB"]),
    iri=st.sampled_from(["https://a.example/x", "https://a.example/x y", "https://a.example/æ?q=1#f", "urn:uuid:1"]),
)
def test_feed_statements_read_back_as_the_very_terms_rdflib_would_write(value, lang, iri):
    import pyoxigraph as ox
    from rdflib.namespace import XSD

    from catalog.rdf import TripleSink

    sink = TripleSink()
    subject, prop = URIRef("https://a.example/s"), URIRef("https://a.example/p")
    for o in (Literal(value, lang=lang), Literal(value, datatype=XSD.date), Literal(7), Literal(True)):
        sink.add((subject, prop, o))
    try:
        URIRef(iri).n3()
        sink.add((subject, prop, URIRef(iri)))
    except Exception:  # noqa: BLE001 - rdflib refuses it (with a bare Exception); so must we
        with pytest.raises(Exception, match="does not look like a valid URI"):
            TripleSink([(subject, prop, URIRef(iri))]).turtle()
    expected = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in sink).encode()
    parse = lambda data: set(ox.parse(data, format=ox.RdfFormat.TURTLE))  # noqa: E731
    assert parse(sink.turtle()) == parse(expected)


@pytest.mark.parametrize(
    "lang, said", [("en", "Not in the format asked for"), ("nb", "Ikke i formatet"), ("nn", "Ikkje i formatet")]
)
def test_a_browser_refused_a_format_is_told_so_not_that_something_broke(settings, store, server, client, lang, said):
    build(settings, store, server, [mfr_dataset()])
    response = client.get(f"/catalog.jsonld?page=all&lang={lang}", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.status_code == 406 and said in page and "logged" not in page and "logget" not in page


def restarted(settings, monkeypatch, **env: str):
    """The explorer started again over the same home with these environment variables set."""
    from catalog.config import Settings
    from web import create_app

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app(Settings.load(settings.home), {"TESTING": True}).test_client()


@pytest.mark.parametrize(
    ("variable", "value", "shows"),
    [
        ("CATALOG_USES_LANGUAGE", "en", b'og hjerte"@en'),
        ("CATALOG_HDAB_TYPE", "public-health-registry", b"publisher-type/public-health-registry"),
    ],
)
def test_a_setting_of_the_environment_that_changes_the_feed_changes_its_etag(
    settings, store, server, client, monkeypatch, variable, value, shows
):
    """The access body's drill: `uses_language` set by its environment variable changed the feed's
    statements but not its ETag (edited in catalog.toml it moved Last-Modified), so a harvester
    polling with If-None-Match was told 304 and kept the permits tagged as bokmål."""
    from catalog.duties import import_register

    build(settings, store, server, [mfr_dataset()])
    settings.put_sources(settings.sources["mfr"])  # in catalog.toml, as a restarted explorer reads it
    header = "project_title,organisation,datasets,permit_date,legal_basis,summary"
    register = f"{header}\nFødselsvekt og hjerte,UiB,{mfr_dataset().uri},2025-03-14,EHDS art. 53,Kohortstudie.\n"
    import_register(settings, store, None, register.encode())
    pages = {url: client.get(url) for url in ("/catalog.nt", "/catalog/dump.nt")}
    unchanged = restarted(settings, monkeypatch)
    for url, first in pages.items():
        assert unchanged.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304, url
    changed = restarted(settings, monkeypatch, **{variable: value})
    for url, first in pages.items():
        assert shows not in first.get_data(), url
        again = changed.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200 and shows in again.get_data(), url
        assert changed.get(url, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304, url


@contextmanager
def serving(settings, monkeypatch, **env: str) -> Iterator[str]:
    """An explorer started again over the same home with these environment variables set, on a
    loopback port (`host:port`)."""
    from catalog.config import Settings
    from web import create_app

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    httpd = make_server("127.0.0.1", 0, create_app(Settings.load(settings.home)), threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def asked(at: str, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET with these request headers (`If_Modified_Since=`)."""
    conn = http.client.HTTPConnection(at, timeout=30)
    conn.request("GET", path, headers={name.replace("_", "-"): value for name, value in headers.items()})
    answer = conn.getresponse()
    found = (answer.status, dict(answer.getheaders()), answer.read())
    conn.close()
    return found


def test_a_setting_of_the_environment_that_changes_the_feed_moves_its_last_modified_once_a_writer_saw_it(
    settings, store, server, monkeypatch
):
    """The ETag followed `CATALOG_HDAB_TYPE` after a restart, but Last-Modified stayed the records'
    latest change: a harvester asking If-Modified-Since alone (no If-None-Match) was answered 304
    and kept the old access body's type. Until a writer (the scheduler) has seen the new settings
    the feed says no Last-Modified and answers If-Modified-Since with the page; once it has, the
    date is when it saw them. If-None-Match decides when both are asked (RFC 9110, 13.1.3)."""
    from catalog.config import Settings
    from catalog.scheduler import Scheduler

    build(settings, store, server, [mfr_dataset()])
    settings.put_sources(settings.sources["mfr"])  # in catalog.toml, as a restarted process reads it
    shows = b"publisher-type/public-health-registry"
    with serving(settings, monkeypatch) as at:
        before = {url: asked(at, url) for url in ("/catalog.nt", "/catalog/dump.nt")}
        for url, (status, headers, body) in before.items():
            assert status == 200 and shows not in body and headers["Last-Modified"], url
            assert asked(at, url, If_Modified_Since=headers["Last-Modified"])[0] == 304, url
    time.sleep(1.1)  # Last-Modified counts whole seconds
    with serving(settings, monkeypatch, CATALOG_HDAB_TYPE="public-health-registry") as at:
        for url, (_, held, _) in before.items():
            status, headers, body = asked(at, url, If_Modified_Since=held["Last-Modified"])
            assert status == 200 and shows in body, url
            assert "Last-Modified" not in headers, url  # no date a client could ask again with
            etag = headers["ETag"]
            assert asked(at, url, If_None_Match=etag, If_Modified_Since=held["Last-Modified"])[0] == 304, url
            assert asked(at, url, If_None_Match=held["ETag"], If_Modified_Since=held["Last-Modified"])[0] == 200, url
        writer = Scheduler(Settings.load(settings.home), store, None)
        writer.tick()  # the scheduler's first tick after its restart with the same environment
        for url, (_, held, _) in before.items():
            status, headers, body = asked(at, url, If_Modified_Since=held["Last-Modified"])
            assert status == 200 and shows in body, url
            modified = headers["Last-Modified"]
            assert parsedate_to_datetime(modified) > parsedate_to_datetime(held["Last-Modified"]), url
            assert asked(at, url, If_Modified_Since=modified)[0] == 304, url
    monkeypatch.delenv("CATALOG_HDAB_TYPE")
    with serving(settings, monkeypatch) as at:  # an explorer not restarted with it, beside the scheduler
        for url, (_, held, _) in before.items():
            status, headers, body = asked(at, url, If_Modified_Since=held["Last-Modified"])
            assert status == 200 and shows not in body and "Last-Modified" not in headers, url
            assert asked(at, url, If_None_Match=headers["ETag"])[0] == 304, url  # its own ETag still answers


def test_every_setting_a_feed_reads_is_part_of_its_etag(settings, store, server) -> None:
    """Which settings a feed's bytes depend on is what rendering it reads: each of them must be in
    `output_digest` (`FEED_SETTINGS`), or changing it leaves harvesters with what they had."""
    from catalog import profiles
    from catalog.config import SETTINGS, Settings
    from catalog.feeds import FeedRequest, dump, feed_page
    from catalog.renderings import FEED_SETTINGS

    build(settings, store, server, [mfr_dataset()])
    read: set[str] = set()
    spied = Settings.__getattr__

    def spy(self: Settings, name: str) -> object:
        read.add(name)
        return spied(self, name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Settings, "__getattr__", spy)
        for profile in profiles.FEEDS:
            feed_page(settings, store, FeedRequest(profile=profile), "http://127.0.0.1/catalog")
            b"".join(dump(settings, store, profile))
    assert read and read <= set(SETTINGS)
    assert read <= set(FEED_SETTINGS), f"read by a feed but not in its ETag: {sorted(read - set(FEED_SETTINGS))}"
