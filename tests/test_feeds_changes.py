"""The change feed tells followers what was added, changed and deleted, datasets and variables alike."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from catalog.model import key_for
from tests.factories import apgar_codes, mfr_dataset
from tests.published import build
from tests.test_marketplace import cohort, platform

ATOM = "{http://www.w3.org/2005/Atom}"


def changes(client, since, **params):
    response = client.get("/changes", query_string={"since": since, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_changes_since_a_moment_list_datasets_and_variables_added_changed_and_deleted(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    since = max(c["at"] for c in changes(client, "2000-01-01")["changes"])
    changed = mfr_dataset()
    changed.variables = [v for v in changed.variables if v.name != "SVLEN"]
    changed.variables[0].title = {"nb": "Fødselsvekt i gram"}
    build(settings, store, server, [changed])
    found = [(c["type"], c["change"], c["uri"].rsplit("/", 1)[-1]) for c in changes(client, since)["changes"]]
    assert sorted(found) == [
        ("codelist", "deleted", "apgar"),
        ("dataset", "changed", "fodsler"),
        ("variable", "changed", "VEKT"),
        ("variable", "deleted", "SVLEN"),
    ]


def test_a_new_dataset_brings_each_of_its_variables_with_its_page(settings, store, server, client):
    build(settings, store, server, [mfr_dataset()])
    found = changes(client, "2000-01-01")["changes"]
    assert [(c["type"], c["change"]) for c in found] == [("dataset", "new")] + [("variable", "new")] * 4
    vekt = next(c for c in found if c["uri"].endswith("VEKT"))
    assert vekt["page"] == f"http://localhost/variables/{key_for(vekt['uri'])}"
    assert vekt["dataset"] == mfr_dataset().uri and vekt["title"] == "VEKT – Fødselsvekt"


def test_a_long_answer_says_where_to_continue_and_continuing_misses_nothing(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(), apgar_codes()])
    first = changes(client, "2000-01-01", limit=2)
    assert [c["type"] for c in first["changes"]] == ["dataset"] + ["variable"] * 4  # one moment, never split
    assert "next" in first
    seen = list(first["changes"])
    url = first["next"]
    while url:
        page = client.get(url).get_json()
        seen += page["changes"]
        url = page.get("next")
    assert seen == changes(client, "2000-01-01")["changes"] and len(seen) == 6


def test_an_answer_cut_before_a_moment_says_where_to_continue_though_shorter_than_asked(
    settings, store, server, client
):
    """A follower of the demo stopped after 465 of 4,865 changes: the answer ended before the
    moment of a dataset and its variables, held fewer than `limit`, and so carried no `next`."""
    build(settings, store, server, [apgar_codes()])
    build(settings, store, server, [apgar_codes(), mfr_dataset()])
    first = changes(client, "2000-01-01", limit=3)
    assert [c["type"] for c in first["changes"]] == ["codelist"] and "next" in first
    second = client.get(first["next"]).get_json()
    assert [c["type"] for c in second["changes"]] == ["dataset"] + ["variable"] * 4 and "next" in second
    third = client.get(second["next"]).get_json()  # the code list entered the EHDS feed with the dataset using it
    assert [(c["type"], c["change"]) for c in third["changes"]] == [("codelist", "changed")] and "next" not in third


def test_a_permit_in_the_use_register_is_a_change_of_its_dataset(settings, store, server, client):
    """The access body's drill: a permit imported for a dataset showed in the EHDS feed's
    modified_since (its dct:isReferencedBy) but not in /changes, which read the records' history."""
    build(settings, store, server, [mfr_dataset()])
    since = max(c["at"] for c in changes(client, "2000-01-01")["changes"])
    with store.transaction():  # as `catalog uses import` does
        store.save_uses([("permit-1", "{}", "2026-01-01", [mfr_dataset().uri])])
        store.touch([mfr_dataset().uri])
    found = changes(client, since)["changes"]
    assert [(c["type"], c["change"], c["uri"]) for c in found] == [("dataset", "changed", mfr_dataset().uri)]
    assert [c["change"] for c in changes(client, "2000-01-01")["changes"] if c["type"] == "dataset"] == ["new"]


def test_the_atom_feed_holds_the_newest_changes(settings, store, server, client):
    """It held the oldest `limit` of the last 30 days: once there were more, no new change showed."""
    build(settings, store, server, [apgar_codes()])
    build(settings, store, server, [apgar_codes(), mfr_dataset()])
    newest = max(c["at"] for c in changes(client, "2000-01-01")["changes"])
    feed = ET.fromstring(client.get("/changes.atom?since=2000-01-01&limit=2").data)
    entries = feed.findall(f"{ATOM}entry")
    kinds = [[c.get("term") for c in e.findall(f"{ATOM}category")][1] for e in entries]
    assert kinds == ["variable", "variable"]  # of the dataset harvested last, not the code list before it
    assert feed.find(f"{ATOM}updated").text == newest == entries[0].find(f"{ATOM}updated").text


def test_the_atom_feed_lists_changes_newest_first_with_escaped_titles(settings, store, server, client):
    build(settings, store, server, [mfr_dataset(title={"nb": "<script>alert(1)</script> & co"}, variables=[])])
    response = client.get("/changes.atom?since=2000-01-01")
    assert response.mimetype == "application/atom+xml"
    assert b"<script>" not in response.data
    feed = ET.fromstring(response.data)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Nytt datasett: <script>alert(1)</script> & co"
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/datasets/{key_for(mfr_dataset().uri)}")


def test_analysis_platforms_and_data_products_are_changes_with_their_pages_too(settings, store, server, client):
    """A registry publishing a platform or a data product beside its datasets (the demo's do) made
    both feeds answer 500: they knew the pages of datasets, code lists and variables only."""
    dataset = mfr_dataset(variables=[])
    build(settings, store, server, [dataset, platform([dataset.uri]), cohort([dataset.uri])])
    found = {c["type"]: c for c in changes(client, "2000-01-01")["changes"]}
    assert set(found) == {"dataset", "service", "product"}
    assert found["service"]["page"] == f"http://localhost/services/{key_for(found['service']['uri'])}"
    assert found["product"]["page"] == f"http://localhost/products/{key_for(found['product']['uri'])}"
    response = client.get("/changes.atom?since=2000-01-01")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    titles = sorted(e.find(f"{ATOM}title").text for e in ET.fromstring(response.data).findall(f"{ATOM}entry"))
    assert titles == [
        "Ny analysetjeneste: Helseanalyseplattformen",
        "Nytt dataprodukt: Diabeteskohorten",
        "Nytt datasett: Medisinsk fødselsregister – fødsler",
    ]


def test_a_bad_since_is_refused_with_the_parameter_named(settings, client):
    response = client.get("/changes?since=last-tuesday", headers={"Accept": "application/json"})
    assert response.status_code == 400 and "since='last-tuesday'" in response.get_json()["detail"]
