"""The yearly confirmation of descriptions (EHDS Art. 60): recorded by harvests and the operator, overdue after a year."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from catalog.cli import main
from catalog.confirmations import holders, overdue, record_harvest
from catalog.duties import UnknownHolder, confirm
from catalog.label import label_of
from catalog.rdf import to_graph
from tests.factories import mfr_dataset, numbered
from tests.published import build

ATOM = "{http://www.w3.org/2005/Atom}"


def ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="microseconds")


def backdate(store, days: int) -> None:
    """As if the catalogue had held every record, and every confirmation, `days` longer."""
    with store.transaction() as db:
        db.execute("UPDATE records SET first_seen=?", (ago(days),))
        db.execute("UPDATE confirmations SET at=?", (ago(days),))


def holder(store, settings, key: str):
    return next(h for h in holders(store, settings) if h.key == key)


def test_a_first_harvest_confirms_nothing_though_all_its_records_are_new(settings, store, server, capsys) -> None:
    """An access body's drill: every source's first harvest was recorded as its holder confirming
    its descriptions ("the harvest found 42 new ..."), so a file last changed in 2017 scored
    descriptionConfirmed 1 the day it was first read. Its records were new to the catalogue, not
    touched by the holder: a change is seen between two harvests."""
    build(settings, store, server, [mfr_dataset()])
    assert store.confirmations("source:mfr") == []
    confirmed = label_of(store, mfr_dataset().uri).metrics["descriptionConfirmed"]
    assert (confirmed.value, confirmed.note) == (0.0, "never confirmed")
    capsys.readouterr()
    assert main(["--home", str(settings.home), "confirmations", "--format", "json"]) == 0
    mfr = next(h for h in json.loads(capsys.readouterr().out) if h["holder"] == "source:mfr")
    assert (mfr["last_confirmed"], mfr["confirmed_by"], mfr["overdue"]) == (None, None, False)


def test_a_first_harvest_confirms_nothing_even_where_the_publisher_confirms_by_its_feed(
    settings, store, server
) -> None:
    from catalog.config import SourceConfig
    from catalog.pipeline import harvest

    url = server.serve(
        "/own/catalog.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle"
    )
    settings.sources["own"] = SourceConfig("own", "dcat", url, options={"confirm_unchanged": True})
    assert harvest(settings, store, None, ["own"])[0].ok
    assert store.confirmations("source:own") == [], "its word is about a feed it keeps: the next harvest sees it"
    assert harvest(settings, store, None, ["own"])[0].ok
    [kept] = store.confirmations("source:own")
    assert kept["note"] == "the harvest found no change; the publisher confirms by its feed"


def test_a_later_harvest_that_finds_changes_confirms_its_source_and_an_unchanged_one_only_when_the_publisher_says_so(
    settings, store, server
) -> None:
    build(settings, store, server, [mfr_dataset()])
    changed = mfr_dataset()
    changed.title = {"nb": "Et nytt navn"}
    build(settings, store, server, [changed])
    [first] = store.confirmations("source:mfr")
    assert (first["by"], first["note"]) == ("harvest", "the harvest found 1 new, changed or deleted records")
    assert label_of(store, mfr_dataset().uri).metrics["descriptionConfirmed"].value == 1.0
    backdate(store, 30)
    build(settings, store, server, [changed])  # nothing changed
    assert len(store.confirmations("source:mfr")) == 1, "an unchanged feed may be one nobody looks at"
    settings.sources["mfr"].options["confirm_unchanged"] = True
    from catalog.pipeline import harvest

    harvest(settings, store, None, ["mfr"])
    latest = store.confirmations("source:mfr")[0]
    assert latest["note"] == "the harvest found no change; the publisher confirms by its feed"
    assert record_harvest(store, "mfr", 0, True) is None, "at most one a day from harvests"


def test_a_holder_is_due_a_year_after_its_last_confirmation_and_overdue_after(settings, store, server) -> None:
    build(settings, store, server, [mfr_dataset()])
    confirm(settings, store, "source", "mfr", "cli", "e-post")
    assert overdue(holders(store, settings)) == []
    backdate(store, 400)
    late = overdue(holders(store, settings))
    assert {h.key for h in late} >= {"source:mfr"}
    mfr = holder(store, settings, "source:mfr")
    assert mfr.to_dict()["overdue"] and mfr.to_dict()["last_confirmed"] == mfr.confirmed["at"]
    confirm(settings, store, "source", "mfr", "cli", "brev 2026-12-01")
    assert not holder(store, settings, "source:mfr").overdue()


def test_a_holder_that_never_confirmed_is_due_a_year_after_the_catalogue_first_held_its_descriptions(
    settings, store, server
) -> None:
    build(settings, store, server, [mfr_dataset()])
    assert not holder(store, settings, "source:mfr").overdue()
    backdate(store, 366)
    never = holder(store, settings, "source:mfr")
    assert never.confirmed is None and never.overdue()


def test_a_publisher_counts_the_confirmations_of_a_source_it_alone_publishes_in_but_not_of_an_aggregators(
    settings, store, server
) -> None:
    from catalog.model import Agent

    other = Agent(name={"nb": "Kreftregisteret"}, uri="https://data.example.no/org/krg", email="k@example.no")
    build(settings, store, server, [mfr_dataset()], name="own")
    build(settings, store, server, [numbered(1), numbered(2, publisher=other)], name="aggregator")
    backdate(store, 400)
    confirm(settings, store, "source", "own", "cli")
    confirm(settings, store, "source", "aggregator", "cli")
    found = {h.name: h for h in holders(store, settings) if h.kind == "publisher"}
    assert not found["Folkehelseinstituttet"].overdue(), "the registry's own source confirms for it"
    assert found["Kreftregisteret"].overdue(), "an aggregator's source confirms only itself"


def test_confirming_counts_in_the_label_and_an_unknown_holder_is_refused(settings, store, server) -> None:
    build(settings, store, server, [mfr_dataset()])
    backdate(store, 800)
    from catalog.label import relabel

    relabel(settings, store, force=True)
    assert label_of(store, mfr_dataset().uri).metrics["descriptionConfirmed"].value == 0.0
    done = confirm(settings, store, "source", "mfr", "cli")
    assert done.relabelled == 1
    assert label_of(store, mfr_dataset().uri).metrics["descriptionConfirmed"].value == 1.0
    with pytest.raises(UnknownHolder, match="no source named 'nope'"):
        confirm(settings, store, "source", "nope", "cli")
    with pytest.raises(UnknownHolder, match="no publisher with the key"):
        confirm(settings, store, "publisher", "0000", "cli")


def test_the_overdue_list_page_atom_feed_and_source_page(settings, store, server, client) -> None:
    build(settings, store, server, [mfr_dataset()])
    backdate(store, 400)
    page = client.get("/confirmations/?overdue=1&lang=en").get_data(as_text=True)
    assert 'id="source:mfr"' in page and "overdue" in page
    feed = ET.fromstring(client.get("/confirmations/overdue.atom").get_data())
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert "MFR (kilde | source)" in titles
    api = client.get("/api/confirmations?overdue=1").get_json()["holders"]
    assert "source:mfr" in {h["holder"] for h in api}
    assert "Overdue." in client.get("/sources/mfr?lang=en").get_data(as_text=True)
    confirm(settings, store, "source", "mfr", "cli")
    feed = ET.fromstring(client.get("/confirmations/overdue.atom").get_data())
    assert "MFR (kilde | source)" not in [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]


@pytest.mark.parametrize(
    "lang, says",
    [
        ("nb", "ved innhøsting: innhøstingen fant 1 ny, endret eller slettet post"),
        ("nn", "ved innhausting: innhaustinga fann 1 ny, endra eller sletta post"),
        ("en", "by a harvest: the harvest found 1 new, changed or deleted record"),
    ],
)
def test_a_harvests_note_is_in_the_readers_language(settings, store, server, client, lang, says) -> None:
    """The bokmål page said "ved innhøsting: the harvest found 37 new, changed or deleted records"."""
    d = mfr_dataset(variables=[])
    build(settings, store, server, [d])
    d.title = {"nb": "Et nytt navn"}
    build(settings, store, server, [d])  # a change: the first harvest confirms nothing
    page = client.get(f"/confirmations/?lang={lang}").get_data(as_text=True)
    assert says in page
    assert "(<code>catalog confirm</code>)" in page and "`" not in page  # a command as code, not in backticks


def test_catalog_confirm_and_confirmations(tmp_path, server, capsys) -> None:
    home = str(tmp_path / "home")
    url = server.serve(
        "/r/catalog.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle"
    )
    assert main(["--home", home, "sources", "add", "r", "--kind", "dcat", "--url", url, "--title", "Registeret"]) == 0
    assert main(["--home", home, "harvest"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "confirm", "--source", "r", "--note", "e-post"]) == 0
    assert "Registeret (source:r) confirmed its descriptions at" in capsys.readouterr().out
    assert main(["--home", home, "confirmations", "--format", "json"]) == 0
    found = {h["holder"]: h for h in json.loads(capsys.readouterr().out)}
    assert (found["source:r"]["confirmed_by"], found["source:r"]["note"]) == ("cli", "e-post")
    assert main(["--home", home, "confirm", "--source", "nope"]) == 2
    assert "no source named 'nope'" in capsys.readouterr().err


def test_an_admin_confirmation_is_a_request_the_scheduler_records(settings, store, server) -> None:
    from catalog.scheduler import Scheduler
    from web import create_app

    build(settings, store, server, [mfr_dataset()])
    backdate(store, 400)
    settings.values["admin_token"] = "t0ken"
    client = create_app(settings).test_client()
    auth = {"Authorization": "Bearer t0ken"}
    assert client.post("/admin/confirmations", json={"source": "nope"}, headers=auth).status_code == 404
    assert client.post("/admin/confirmations", json={"publisher": "x"}, headers=auth).status_code == 400
    assert client.post("/admin/confirmations", json={}, headers=auth).status_code == 400
    r = client.post("/admin/confirmations", json={"source": "mfr", "note": "møte 2026-12-03"}, headers=auth)
    assert r.status_code == 202 and r.json["holder"] == "source:mfr"
    assert holder(store, settings, "source:mfr").overdue(), "the web never writes"
    Scheduler(settings, store, None).carry_out_requests()
    confirmed = holder(store, settings, "source:mfr")
    assert not confirmed.overdue() and confirmed.confirmed["by"] == "admin"
    assert confirmed.confirmed["note"] == "møte 2026-12-03"
