"""Admin actions are off by default and need the token when on."""

import time

import pytest

from catalog.config import Settings
from catalog.rdf import to_graph
from tests.factories import mfr_dataset
from web import create_app

TOKEN = "s3cret-admin-token"


def app_client(settings, token=""):
    settings.values["admin_token"] = token
    return create_app(settings).test_client()


@pytest.mark.parametrize(
    "method,path", [("post", "/admin/sources"), ("post", "/admin/harvest/mfr"), ("put", "/admin/synonyms")]
)
def test_admin_actions_are_off_unless_a_token_is_configured(settings, method, path):
    r = getattr(app_client(settings), method)(path, headers={"Authorization": "Bearer anything"})
    assert r.status_code == 404 and "CATALOG_ADMIN_TOKEN" in r.json["detail"]


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}x", "Bearer "])
def test_a_missing_or_wrong_token_is_refused(settings, header):
    headers = {"Authorization": header} if header else {}
    r = app_client(settings, TOKEN).post("/admin/sources", json={}, headers=headers)
    assert r.status_code == 401


def test_with_the_token_a_source_is_added_and_harvested(settings, server):
    url = server.serve("/mfr.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle")
    client = app_client(settings, TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = client.post("/admin/sources", json={"name": "mfr", "kind": "dcat", "url": url}, headers=auth)
    assert r.status_code == 201
    assert Settings.load(settings.home).sources["mfr"].url == url
    assert (
        client.post(
            "/admin/sources", json={"name": "x", "kind": "dcat", "url": "file:///etc/passwd"}, headers=auth
        ).status_code
        == 400
    )
    assert client.post("/admin/harvest/mfr", headers=auth).status_code == 202
    for _ in range(100):
        if client.get("/api/search?q=fødselsvekt").json["total"] == 1:
            break
        time.sleep(0.1)
    assert client.get("/api/search?q=fødselsvekt").json["total"] == 1


def test_synonyms_are_replaced_without_reindexing(settings, server):
    url = server.serve("/mfr.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle")
    client = app_client(settings, TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    client.post("/admin/sources", json={"name": "mfr", "kind": "dcat", "url": url}, headers=auth)
    from catalog.pipeline import harvest

    harvest(settings, client.application.extensions["store"], client.application.extensions["search"])
    assert client.get("/api/search?q=babyvekt").json["total"] == 0
    r = client.put("/admin/synonyms", data="babyvekt, fødselsvekt\n".encode(), headers=auth)
    assert r.status_code == 200 and r.json["synonym_groups"] == 1
    assert client.get("/api/search?q=babyvekt").json["hits"][0]["name"] == "VEKT"
