"""Feed statements rendered when a record is stored: pages read them, and are the same without them."""

from __future__ import annotations

import zlib

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF

from catalog import profiles
from catalog.model import Record
from catalog.renderings import (
    FRAGMENTS,
    Known,
    _adler32_combine,
    _compressed,
    _deflated,
    refresh,
    render,
    rendered_as,
    stamp,
    statements,
)
from tests.factories import apgar_codes, mfr_dataset, numbered
from tests.published import build
from web.feeds import PAGES

RECORDS: list[Record] = [*(numbered(i) for i in range(3)), mfr_dataset(), apgar_codes()]


def restart() -> None:
    """What a restarted server forgets: the fragments and pages it kept in memory."""
    FRAGMENTS.clear()
    PAGES.clear()


def forget(store) -> None:
    """Drop every stored rendering and what the process keeps in memory."""
    restart()
    with store.transaction() as db:
        db.execute("DELETE FROM renderings")


def uris(store) -> list[str]:
    return [r.uri for r in store.records()]


def test_the_pipeline_keeps_each_record_rendered_in_every_profile_it_belongs_to(settings, store, server):
    build(settings, store, server, RECORDS)
    for profile in profiles.FEEDS:
        kept = store.renderings(uris(store), profile)
        for stored in store.records():
            if profile == profiles.EHDS and stored.kind == "dataset" and not stored.conforms:
                assert stored.uri not in kept, "the EHDS feed never carries a non-conforming dataset"
                continue
            assert kept[stored.uri][0] == stamp(stored.hash, stored.source, settings, rendered_as(stored.kind, profile))
            assert f"<{stored.uri}>".encode() in zlib.decompress(kept[stored.uri][1])
        stamps_only = store.renderings(uris(store), profile, bodies=False)
        assert stamps_only == {uri: (kept_stamp, b"") for uri, (kept_stamp, _body) in kept.items()}
    kept_as = store.db.execute("SELECT profile FROM renderings WHERE uri=?", (apgar_codes().uri,)).fetchall()
    assert [row[0] for row in kept_as] == ["*"], "a code list reads the same in every profile: kept once"


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.uri.rsplit("/", 1)[-1])
def test_each_rendering_is_one_zlib_stream_of_the_profiles_statements(settings, record):
    """The variables' part is compressed once for every profile and joined to each profile's own
    lines: what `zlib.decompress` (old renderings and new alike) reads is the profile's statements."""
    source = "mfr"
    for kept_as, (_stamp, body) in render(record, "hash", source, True, settings).items():
        profile = kept_as if kept_as != "*" else next(iter(profiles.FEEDS))
        unpacked = zlib.decompressobj()
        assert unpacked.decompress(body) == statements(record, source, settings, profile)
        assert unpacked.eof and not unpacked.unused_data


def _dcat_ap_no_variants() -> list[tuple[Record, bool]]:
    """Datasets whose DCAT-AP-NO statements are DCAT-AP 3's (no legislation, byte size or standard)
    and ones DCAT-AP-NO fills in (a byte size as xsd:decimal, a legal resource's type, a standard's title)."""
    from dataclasses import replace

    from catalog.model import Distribution

    plain = replace(mfr_dataset(), applicable_legislation=[], conforms_to=[])
    sized = replace(
        plain, distributions=[Distribution(uri="https://example.org/d", access_url="https://x", byte_size=7)]
    )
    lawful = replace(plain, applicable_legislation=["http://data.europa.eu/eli/reg/2016/679/oj"])
    standard = replace(plain, conforms_to=["https://example.org/standard/one"])
    return [(plain, True), (replace(plain, variables=[]), True), (sized, False), (lawful, False), (standard, False)]


@pytest.mark.parametrize(
    ("record", "same"), _dcat_ap_no_variants(), ids=["same", "no-variables", "byte-size", "law", "standard"]
)
@pytest.mark.parametrize("conforms", [True, False])
def test_profiles_written_from_shared_statements_read_as_each_profile_alone(settings, record, same, conforms):
    """A rendering writes catalog.rdf's statements once per view and shares the text and stream of
    profiles whose triples are the same: each profile's rendering is still what `statements` (each
    profile on its own, nothing shared) writes, and DCAT-AP-NO shares DCAT-AP 3's only when equal."""
    rendered = render(record, "hash", "mfr", conforms, settings)
    for profile, (_stamp, body) in rendered.items():
        assert zlib.decompress(body) == statements(record, "mfr", settings, profile), profile
    alone = {p: statements(record, "mfr", settings, p) for p in ("dcat-ap-3", "dcat-ap-no")}
    shared = rendered["dcat-ap-3"][1] == rendered["dcat-ap-no"][1]
    assert shared == (alone["dcat-ap-3"] == alone["dcat-ap-no"]) == same


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.uri.rsplit("/", 1)[-1])
@pytest.mark.parametrize("defaults", [False, True])
def test_a_rendering_from_the_view_the_pipeline_validated_is_the_one_render_makes(settings, record, defaults):
    """The pipeline hands `render` the EHDS view it validated, its settings digest and the view's
    own statements it validated (`Known`): the renderings and their stamps are those `render`
    makes on its own."""
    from catalog.config import SourceConfig
    from catalog.model import Dataset
    from catalog.rdf import TripleSink, add_dataset

    source = settings.sources["mfr"] = SourceConfig("mfr", "dcat", "https://example.org/feed")
    if defaults:
        source.options["defaults"] = {"themes": ["http://publications.europa.eu/resource/authority/data-theme/HEAL"]}
    ehds = profiles.ehds()
    view = ehds.view(record, settings, "mfr")
    statements = {}
    if isinstance(view, Dataset):
        statements[ehds.name] = TripleSink()
        add_dataset(statements[ehds.name], view, variables=False)
    known = Known({ehds.name: view}, {ehds.name: ehds.view_digest(settings, "mfr")}, statements)
    assert render(record, "hash", "mfr", True, settings, known) == render(record, "hash", "mfr", True, settings)


@pytest.mark.parametrize(
    ("head", "part"),
    [(b"", b"x"), (b"a", b"b" * 70_000), (bytes(range(256)) * 300, b"\xff" * 65_521 * 2 + b"z"), (b"h" * 5, b"")],
)
def test_a_stream_joined_from_two_parts_is_zlibs_stream_of_both(head, part):
    assert _adler32_combine(zlib.adler32(head), zlib.adler32(part), len(part)) == zlib.adler32(head + part)
    assert zlib.decompress(_compressed(head, _deflated(part))) == head + part


@pytest.mark.parametrize("profile", profiles.FEEDS)
@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld", "rdf"])
def test_a_page_from_stored_renderings_is_the_page_written_on_request(settings, store, server, client, profile, suffix):
    build(settings, store, server, RECORDS)
    restart()
    url = f"/catalog.{suffix}?profile={profile}&page_size=3&page=2"
    from_store = client.get(url)
    assert from_store.status_code == 200
    forget(store)
    assert client.get(url).get_data() == from_store.get_data()
    dump = client.get(f"/catalog/dump.nt?profile={profile}").get_data()
    build(settings, store, server, RECORDS + [numbered(9)])  # renders again: only the new record
    restart()
    assert client.get(f"/catalog/dump.nt?profile={profile}").get_data().count(b"\n") > dump.count(b"\n")


def test_a_page_serves_the_stored_rendering_while_its_stamp_is_current(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    restart()
    kept_stamp, body = store.renderings([mfr_dataset().uri], "dcat-ap-3")[mfr_dataset().uri]
    marker = f"<{mfr_dataset().uri}> <http://xmlns.com/foaf/0.1/page> <https://marker.example/> .\n".encode()
    store.save_renderings(mfr_dataset().uri, {"dcat-ap-3": (kept_stamp, zlib.compress(zlib.decompress(body) + marker))})
    g = Graph().parse(data=client.get("/catalog?profile=dcat-ap-3").get_data(), format="turtle")
    assert (URIRef(mfr_dataset().uri), FOAF.page, URIRef("https://marker.example/")) in g


def test_a_stale_rendering_is_never_served_and_a_reindex_renders_it_again(settings, store, server, client):
    build(settings, store, server, RECORDS)
    before = client.get("/catalog?profile=healthdcat-ap")
    settings.values["hdab_name"] = "Nytt tilgangsorgan"  # the EHDS feed names the access body on every dataset
    after = client.get("/catalog?profile=healthdcat-ap", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200, "a harvester holding the old ETag must get the changed page, not a 304"
    page = after.get_data().decode()
    assert "Nytt tilgangsorgan" in page and "Helsedataservice" not in page
    assert refresh(settings, store) == len(RECORDS), "every record's renderings were stale"
    assert refresh(settings, store) == 0, "a second pass finds nothing to do"
    restart()
    assert client.get("/catalog?profile=healthdcat-ap").get_data().decode() == page


def test_a_page_asked_again_is_answered_from_memory_until_the_store_changes(settings, store, server, client):
    build(settings, store, server, [numbered(1)])
    uri = numbered(1).uri
    first = client.get("/catalog?profile=dcat-ap-3").get_data()
    # what the page would be written from changes behind the store's back (its version stays), so
    # a page written again would differ
    FRAGMENTS.clear()
    kept_stamp, body = store.renderings([uri], "dcat-ap-3")[uri]
    marker = f"<{uri}> <http://xmlns.com/foaf/0.1/page> <https://marker.example/> .\n".encode()
    store.save_renderings(uri, {"dcat-ap-3": (kept_stamp, zlib.compress(zlib.decompress(body) + marker))})
    assert client.get("/catalog?profile=dcat-ap-3").get_data() == first
    build(settings, store, server, [numbered(1, title={"nb": "Endret tittel"})])
    assert "Endret tittel" in client.get("/catalog?profile=dcat-ap-3").get_data().decode()


def test_the_byte_cache_keeps_to_its_size_dropping_the_least_recently_used():
    from catalog.lru import SizedLRU

    cache = SizedLRU[bytes](max_bytes=10, weigh=len)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # a is now the most recently used
    cache.put("c", b"1234")
    assert cache.get("b") is None and cache.get("a") == b"1234" and cache.get("c") == b"1234"
    assert cache.size == 8
    cache.put("a", b"12")
    assert cache.size == 6
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None and len(cache) == 2
