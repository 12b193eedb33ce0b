"""The data use register (EHDS Art. 58): a CSV of issued permits imported all or nothing, public on the web, in the feed and in search."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import PROV
from rdflib.term import Node

from catalog.cli import main
from catalog.duties import import_register
from catalog.label import label_of
from catalog.model import key_for
from catalog.rdf import DPV
from catalog.uses import Problem, RegisterError, import_uses, parse, register
from tests.factories import mfr_dataset, numbered
from tests.published import build, graph

A, B = mfr_dataset().uri, numbered(1).uri
HEADER = "project_title,organisation,datasets,permit_date,legal_basis,summary"
GOOD = f"""permit_id,{HEADER},application_date,data_release_date,funding
HDS-1,Fødselsvekt og hjerte,Universitetet i Bergen,{A} {B},2025-03-14,EHDS art. 53(1)(e),Kohortstudie.,2024-11-02,2025-04-01,NFR
HDS-2,"Røyking, BMI og svangerskap",NTNU,{A},2026-01-20,EHDS art. 53(1)(e),Registerstudie.,2025-12-01,,
""".encode()


@pytest.fixture
def index(settings):
    from catalog.search.tantivy_backend import TantivyBackend

    return TantivyBackend(settings.index_dir)


@pytest.fixture
def catalogue(settings, store, server):
    build(settings, store, server, [mfr_dataset(), numbered(1), numbered(2)])
    return settings, store


def test_a_register_file_is_read_with_its_extra_columns_and_each_use_knows_its_time_to_data() -> None:
    uses = parse(GOOD, {A, B})
    assert [(u.key, u.project_title, u.datasets) for u in uses] == [
        ("permit:HDS-1", "Fødselsvekt og hjerte", sorted([A, B])),
        ("permit:HDS-2", "Røyking, BMI og svangerskap", [A]),
    ]
    assert uses[0].extra == {"funding": "NFR"} and uses[1].extra == {}
    assert (uses[0].days_to_data, uses[1].days_to_data) == (150, 50), "to the release, else to the permit"


def test_spreadsheets_semicolons_and_a_byte_order_mark_are_read_too() -> None:
    text = "\ufeff" + HEADER.replace(",", ";") + f"\nStudie;FHI;{A};2025-01-01;Lov;Kort\n"
    [use] = parse(text.encode("utf-8"), {A})
    assert (use.organisation, use.key.startswith("use:")) == ("FHI", True)


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_imported(catalogue) -> None:
    settings, store = catalogue
    import_uses(store, GOOD)
    before = register(store)
    bad = f"""permit_id,{HEADER},application_date
HDS-3,Ny studie,UiO,{A},2025-13-01,Lov,Kort,
HDS-4,,UiO,https://example.org/not-held,2025-01-01,Lov,Kort,
HDS-5,Studie,UiO,{A} ftp://x,2099-01-01,Lov,,2025-02-01
HDS-3,Studie igjen,UiO,{A},2025-01-01,Lov,Kort,
HDS-6,Studie,UiO,{A},2025-01-01,Lov,Kort,2025-02-01
too,few,values
""".encode()
    with pytest.raises(RegisterError) as caught:
        import_uses(store, bad, "permits.csv")
    assert caught.value.problems == [
        Problem(2, "permit_date", "'2025-13-01' is not a date as 2026-03-01"),
        Problem(3, "project_title", "is empty"),
        Problem(3, "datasets", "https://example.org/not-held is not a dataset in the catalogue"),
        Problem(4, "summary", "is empty"),
        Problem(4, "permit_date", "2099-01-01 is in the future"),
        Problem(4, "datasets", "'ftp://x' is not an http(s) URI"),
        Problem(5, "permit_id", "repeats line 2"),
        Problem(6, "application_date", "is after the permit date"),
        Problem(7, "row", "3 values for 8 columns"),
    ]
    assert str(caught.value).startswith("permits.csv: 9 problem(s), nothing imported: line 2, permit_date")
    assert register(store) == before, "a bad file changes nothing"


def test_a_file_without_a_required_column_names_each_missing_one() -> None:
    with pytest.raises(RegisterError) as caught:
        parse(b"project_title,datasets,summary\nx,y,z\n", set())
    assert caught.value.problems == [
        Problem(1, "organisation", "the column is missing"),
        Problem(1, "permit_date", "the column is missing"),
        Problem(1, "legal_basis", "the column is missing"),
    ]


def test_importing_again_replaces_a_permit_by_its_id_and_replace_makes_the_register_the_file(catalogue) -> None:
    _settings, store = catalogue
    first = import_uses(store, GOOD)
    assert (first.uses, first.new, first.replaced, first.datasets) == (2, 2, 0, sorted([A, B]))
    again = import_uses(store, GOOD)
    assert (again.new, again.replaced, again.datasets) == (0, 2, []), "the same file changes no dataset"
    only_one = f"permit_id,{HEADER}\nHDS-2,Røyking,NTNU,{A},2026-01-20,Lov,Ny tekst.\n".encode()
    done = import_uses(store, only_one, replace=True)
    assert (done.uses, done.removed, done.datasets) == (1, 1, sorted([A, B]))
    assert [u.summary for u in register(store)] == ["Ny tekst."]


def test_a_dataset_with_permits_lists_its_projects_and_its_label_measures_the_time_to_data(catalogue, client) -> None:
    settings, store = catalogue
    before = store.get(A).last_changed
    import_register(settings, store, None, GOOD)
    assert store.get(A).last_changed > before, "its statements in the EHDS feed changed"
    assert label_of(store, A).metrics["timeToData"].note == "level 1 of 3 (100 days on average over 2 permits)"
    page = client.get(f"/datasets/{key_for(A)}").get_data(as_text=True)
    assert "Fødselsvekt og hjerte" in page and "Røyking, BMI og svangerskap" in page and "(2)" in page
    api = client.get(f"/api/datasets/{key_for(A)}").get_json()
    assert [u["permit_id"] for u in api["uses"]] == ["HDS-2", "HDS-1"], "the latest permit first"
    assert client.get(f"/api/datasets/{key_for(numbered(2).uri)}").get_json()["uses"] == []


@pytest.mark.parametrize(
    "query,permits",
    [
        ("", ["HDS-2", "HDS-1"]),
        ("?organisation=NTNU", ["HDS-2"]),
        ("?year=2025", ["HDS-1"]),
        ("?q=hjerte+fødselsvekt", ["HDS-1"]),
        (f"?dataset={B}", ["HDS-1"]),
        ("?q=ingenting", []),
    ],
)
def test_the_register_is_public_and_filterable_as_a_page_and_as_json(catalogue, client, query, permits) -> None:
    settings, store = catalogue
    import_register(settings, store, None, GOOD)
    found = client.get(f"/api/uses{query}").get_json()
    assert found["total"] == 2 and [u["permit_id"] for u in found["uses"]] == permits
    page = client.get(f"/uses{query}").get_data(as_text=True)
    assert f"{len(permits)} of 2" in page.replace("av", "of")
    assert all(f"<code>{p}</code>" in page for p in permits)


@pytest.mark.parametrize(
    ("lang", "title"),
    [("nb", "Medisinsk fødselsregister – fødsler"), ("en", "Medical Birth Registry of Norway – births")],
)
def test_the_register_names_each_dataset_in_the_pages_language(catalogue, client, lang, title) -> None:
    """The English pages named the datasets in bokmål; the API keeps one title, the catalogue's usual."""
    settings, store = catalogue
    import_register(settings, store, None, GOOD)
    for path in ("/uses", "/uses/permit:HDS-2"):
        page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        assert f'{key_for(A)}">{title}</a>' in page, path
    [held] = client.get("/api/uses?organisation=NTNU").get_json()["uses"][0]["datasets"]
    assert held["title"] == "Medisinsk fødselsregister – fødsler"


def test_the_ehds_feed_refers_each_dataset_to_its_permits_and_uses_ttl_holds_the_register(catalogue, client) -> None:
    settings, store = catalogue
    import_register(settings, store, None, GOOD)
    g = graph(client.get("/catalog.ttl?page_size=100"))
    uses = set(g.objects(URIRef(A), DCT.isReferencedBy))
    assert len(uses) == 2
    for use in uses:
        assert (use, RDF.type, PROV.Activity) in g and (use, PROV.used, URIRef(A)) in g
        assert g.value(use, DCT.title) is not None and g.value(use, PROV.wasAssociatedWith) is not None
        # each permit the feed names resolves to its description, as RDF clients ask, not to the page
        path = "/" + str(use).removeprefix(settings.base_uri)
        described = graph(client.get(path, headers={"Accept": "text/turtle"}))
        assert (use, RDF.type, PROV.Activity) in described and (use, PROV.used, URIRef(A)) in described
    whole = Graph().parse(data=client.get("/uses.ttl").get_data(), format="turtle")
    assert len(set(whole.subjects(RDF.type, PROV.Activity))) == 2


MIXED = f"""permit_id,{HEADER},language
HDS-1,Fødselsvekt og hjerte,Universitetet i Bergen,{A},2025-03-14,EHDS art. 53(1)(e),Kohortstudie.,
HDS-E,Birth weight and heart disease,University of Bergen,{A},2025-04-01,EHDS Art. 53(1)(e),A cohort study.,en
""".encode()


def texts_of(g: Graph, use: Node) -> set[tuple[str, str | None]]:
    """The permit's title, summary and legal basis in `g`, each with its language tag."""
    basis = g.value(use, DPV.hasLegalBasis)
    found = [*g.objects(use, DCT.title), *g.objects(use, DCT.description), *g.objects(basis, DCT.description)]
    return {(str(t), t.language) for t in found if isinstance(t, Literal)}


def test_the_registers_texts_are_tagged_with_the_language_they_are_written_in(catalogue, client) -> None:
    """The feeds gave a permit's title, summary and legal basis with no language tag, and the pages
    marked each as bokmål whatever it was written in: a HealthDCAT-AP consumer could not tell a
    Norwegian summary from an English one, and a screen reader read an English title as bokmål.
    A row's `language` says it; a row without one is in the operator's `uses_language` (nb)."""
    settings, store = catalogue
    import_register(settings, store, None, MIXED)
    norwegian = {("Fødselsvekt og hjerte", "nb"), ("Kohortstudie.", "nb"), ("EHDS art. 53(1)(e)", "nb")}
    english = {("Birth weight and heart disease", "en"), ("A cohort study.", "en"), ("EHDS Art. 53(1)(e)", "en")}
    feed = graph(client.get("/catalog.ttl?page_size=100"))
    whole = graph(client.get("/uses.ttl"))
    for g in (feed, whole):
        by_id = {str(g.value(u, DCT.identifier)): u for u in g.subjects(RDF.type, PROV.Activity)}
        assert texts_of(g, by_id["HDS-1"]) == norwegian and texts_of(g, by_id["HDS-E"]) == english
    one = graph(client.get("/uses/permit:HDS-E", headers={"Accept": "text/turtle"}))
    [use] = one.subjects(RDF.type, PROV.Activity)
    assert texts_of(one, use) == english
    api = client.get("/api/uses").get_json()["uses"]
    assert {u["permit_id"]: u["language"] for u in api} == {"HDS-1": "nb", "HDS-E": "en"}
    bokmal_page = client.get("/uses?lang=nb").get_data(as_text=True)
    assert '<span lang="en">Birth weight and heart disease</span>' in bokmal_page
    assert '<span lang="en">A cohort study.</span>' in bokmal_page and 'lang="nb"' not in bokmal_page.split("<main")[1]
    english_page = client.get("/uses/permit:HDS-E?lang=en").get_data(as_text=True)
    assert "<h1>Birth weight and heart disease</h1>" in english_page and '<span lang="en">' not in english_page
    assert '<span lang="nb">Fødselsvekt og hjerte</span>' in client.get(f"/datasets/{key_for(A)}?lang=en").get_data(
        as_text=True
    )


def test_a_register_written_in_nynorsk_says_so_by_the_setting_and_a_bad_language_tag_is_refused(
    catalogue, tmp_path
) -> None:
    from web import create_app

    settings, store = catalogue
    import_register(settings, store, None, MIXED)
    settings.values["uses_language"] = "nn"
    client = create_app(settings, {"TESTING": True}).test_client()
    g = graph(client.get("/uses.ttl"))
    titles = {(str(t), t.language) for t in g.objects(None, DCT.title) if isinstance(t, Literal)}
    assert {("Fødselsvekt og hjerte", "nn"), ("Birth weight and heart disease", "en")} <= titles
    bad = MIXED.replace(b",en\n", b",engelsk!\n")
    with pytest.raises(RegisterError) as refused:
        parse(bad, {A})
    assert refused.value.problems == [Problem(3, "language", "'engelsk!' is not a language tag as nb, nn or en")]
    (tmp_path / "catalog.toml").write_text('[settings]\nuses_language = "norsk"\n')
    assert main(["--home", str(tmp_path), "uses", "list"]) == 2


def test_search_counts_the_uses_of_a_dataset_and_its_variables(catalogue, index) -> None:
    from catalog.search import SearchQuery

    settings, store = catalogue
    from catalog.pipeline import reindex

    reindex(settings, store, index)
    import_register(settings, store, index, GOOD)
    hits = index.search(SearchQuery(text="fødsler", type="dataset", limit=20)).hits
    counts = {h.doc["uri"]: h.doc["uses"] for h in hits}
    assert counts[A] == 2 and counts.get(numbered(2).uri, 0) == 0
    variables = index.search(SearchQuery(text="fødselsvekt", limit=5)).hits
    assert variables and variables[0].doc["uses"] == 2


def test_catalog_uses_import_prints_each_problem_as_file_line_column_and_exits_2(tmp_path, server, capsys) -> None:
    home = str(tmp_path / "home")
    from catalog.rdf import to_graph

    url = server.serve(
        "/r/catalog.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle"
    )
    assert main(["--home", home, "sources", "add", "r", "--kind", "dcat", "--url", url]) == 0
    assert main(["--home", home, "harvest"]) == 0
    bad = tmp_path / "permits.csv"
    bad.write_text(f"{HEADER}\nStudie,UiO,{A},2025-02-30,Lov,Kort\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", home, "uses", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: permit_date: '2025-02-30' is not a date as 2026-03-01" in err and "nothing was imported" in err
    good = tmp_path / "ok.csv"
    good.write_text(f"{HEADER}\nStudie,UiO,{A},2025-02-03,Lov,Kort\n", encoding="utf-8")
    assert main(["--home", home, "uses", "import", str(good)]) == 0
    assert "imported 1 uses (1 new, 0 replaced); the uses of 1 datasets changed" in capsys.readouterr().out
    assert main(["--home", home, "uses", "list", "--format", "json"]) == 0
    assert [u["project_title"] for u in json.loads(capsys.readouterr().out)] == ["Studie"]


def test_catalog_uses_import_says_each_problem_on_a_line_of_its_own_after_one_that_says_nothing_was_imported(
    tmp_path, server, capsys, monkeypatch
) -> None:
    """An access body's drill: two bad rows came as one line ("... nothing was imported
    permits_bad.csv:3: ... :4: ..."), where a line per problem is what an editor or grep can jump
    to; plain and as JSON log lines alike."""
    from catalog.rdf import to_graph

    home = str(tmp_path / "home")
    url = server.serve(
        "/r/catalog.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle"
    )
    assert main(["--home", home, "sources", "add", "r", "--kind", "dcat", "--url", url]) == 0
    assert main(["--home", home, "harvest"]) == 0
    bad = tmp_path / "permits_bad.csv"
    bad.write_text(
        f"{HEADER}\nGod,UiO,{A},2026-06-01,Lov,Kort\nUkjent,UiO,http://example.org/nope,2026-06-01,Lov,x\n"
        f"Fremtid,UiO,{A},2099-01-01,Lov,x\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["--home", home, "uses", "import", str(bad)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {bad}: 2 problem(s); nothing was imported",
        f"{bad}:3: datasets: http://example.org/nope is not a dataset in the catalogue",
        f"{bad}:4: permit_date: 2099-01-01 is in the future",
    ]
    monkeypatch.setenv("CATALOG_LOG_FORMAT", "json")
    assert main(["--home", home, "uses", "import", str(bad)]) == 2
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(entry["level"], entry["event"]) for entry in logged] == [
        ("error", f"error: {bad}: 2 problem(s); nothing was imported"),
        ("error", f"{bad}:3: datasets: http://example.org/nope is not a dataset in the catalogue"),
        ("error", f"{bad}:4: permit_date: 2099-01-01 is in the future"),
    ]


def test_the_admin_api_refuses_a_bad_register_at_once_and_leaves_a_good_one_for_the_scheduler(catalogue) -> None:
    from catalog.scheduler import Scheduler
    from web import create_app

    settings, store = catalogue
    settings.values["admin_token"] = "t0ken"
    client = create_app(settings).test_client()
    auth = {"Authorization": "Bearer t0ken", "Content-Type": "text/csv"}
    bad = f"{HEADER}\nStudie,UiO,https://example.org/not-held,2025-01-01,Lov,Kort\n".encode()
    refused = client.post("/admin/uses", data=bad, headers=auth)
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert (refused.json["status"], refused.json["instance"]) == (400, "/admin/uses")  # as every other refusal
    assert refused.json["problems"] == [
        {"line": 2, "column": "datasets", "problem": "https://example.org/not-held is not a dataset in the catalogue"}
    ]
    accepted = client.post("/admin/uses?replace=1", data=GOOD, headers=auth)
    assert accepted.status_code == 202 and accepted.json["action"] == "import-uses"
    assert register(store) == [], "the web never writes: the scheduler imports it"
    Scheduler(settings, store, None).carry_out_requests()
    assert [u.permit_id for u in register(store)] == ["HDS-2", "HDS-1"]
    done = client.get(accepted.json["status"], headers=auth).json
    assert done["state"] == "done" and done["outcome"].startswith("imported 2 uses (2 new, 0 replaced, 0 removed)")
    assert done["params"]["text"].startswith("("), "the file's text is not echoed back"
