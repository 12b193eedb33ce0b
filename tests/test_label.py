"""The data quality and utility label (EHDS Art. 78): its figures on known inputs, how it is kept, and how it is published.

The EHDS feed carries it as HealthDCAT-AP does (a dqv:QualityCertificate and one
dqv:QualityMeasurement per metric of ours, described in the feed); the official Release 8 shapes
still pass with it (tests/test_conformance.py, tests/test_real_samples.py).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from rdflib import RDF, Graph, Literal, URIRef

import catalog.label as label_module
from catalog.label import BY_NAME, ELEMENTS, METRICS, OA, Inputs, Label, assess, label_of, relabel
from catalog.model import key_for
from catalog.pipeline import harvest
from catalog.rdf import DQV, HK
from tests.factories import EU
from tests.published import build, graph
from tests.test_roundtrip import complete_dataset

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KNOWN = Inputs(
    conforms=True,
    mqa_percent=80.0,
    last_update="2025-03-01",
    harvests=("ok", "ok", "failed", "ok"),
    confirmed="2025-06-01T10:00:00+00:00",
    maturity=3,
    days_to_data=(20, 100),
    now=NOW,
)


def known_dataset():
    d = complete_dataset(1)
    d.spatial = []  # one coverage element and one minimum element missing
    d.frequency = EU + "frequency/ANNUAL"
    d.variables[1].property_url = None  # V1: no code list, no coding system, no concept
    return d


def test_the_label_of_a_dataset_on_known_inputs_metric_by_metric() -> None:
    label = assess(known_dataset(), KNOWN)
    assert {name: (m.value, m.note) for name, m in label.metrics.items()} == {
        "minimumElements": (0.963, "26 of 27"),
        "metadataQuality": (0.8, "80.0 %"),
        "variablesDocumented": (1.0, "3 of 3"),
        "descriptionConfirmed": (0.5, "confirmed 2025-06-01"),
        "conformance": (1.0, "conforms"),
        "variableTypes": (1.0, "3 of 3"),
        "timeliness": (0.667, "level 2 of 3 (updated 2025-03-01, every 365 days)"),
        "harvestReliability": (0.75, "3 of 4"),
        "qualityManagement": (0.5, "level 2 of 4 (maturity level 3)"),
        "coverageDescribed": (0.8, "4 of 5"),
        "timeSpan": (0.667, "level 2 of 3 (17 years)"),
        "accessPolicy": (1.0, "level 2 of 2"),
        "timeToData": (0.667, "level 2 of 3 (60 days on average over 2 permits)"),
        "semanticLinks": (0.667, "2 of 3"),
        "codedContent": (1.0, "coding systems stated, code values stated"),
    }
    assert {k: round(v, 4) for k, v in label.elements.items() if v is not None} == {
        "documentation": round((0.963 + 0.8 + 1.0 + 0.5) / 4, 4),
        "technicalQuality": round((1.0 + 1.0 + 0.667 + 0.75) / 4, 4),
        "maturity": 0.5,
        "coverage": round((0.8 + 0.667) / 2, 4),
        "access": round((1.0 + 0.667) / 2, 4),
        "enrichments": round((0.667 + 1.0) / 2, 4),
    }
    assert label.score == 76.2


def test_what_cannot_be_assessed_is_left_out_not_scored_zero() -> None:
    d = known_dataset()
    d.variables, d.has_structured_data = [], False
    label = assess(d, Inputs(conforms=False, mqa_percent=50.0, last_update="2026-11-01", now=NOW))
    assert {n for n, m in label.metrics.items() if m.value is None} == {
        "variablesDocumented",
        "variableTypes",
        "harvestReliability",
        "qualityManagement",
        "timeToData",
        "semanticLinks",
    }
    assert label.elements["maturity"] is None
    assert label.elements["enrichments"] == 1.0, "coded content alone: codes apply when variables are not listed"
    assessed = [v for v in label.elements.values() if v is not None]
    assert label.score == round(100 * sum(assessed) / len(assessed), 1)


def test_a_dataset_that_states_no_modification_date_scores_zero_for_timeliness_not_as_freshly_updated() -> None:
    """An access body's drill: the 76 datasets with no dct:modified scored 1.0, "updated" the day
    the catalogue first harvested them (a 2017 file "Kept up to date"), the 144 that state a date
    0-0.667. Left out instead, a dataset that says nothing would still rank above one that
    honestly states an old date; so it scores 0 and says why, as a policy not stated does."""
    d = known_dataset()
    d.modified = None
    undated = assess(d, Inputs(True, 80.0, last_update=None, now=NOW)).metrics["timeliness"]
    assert (undated.value, undated.note) == (0.0, "level 0 of 3 (no modification date stated)")
    stated_long_ago = assess(d, Inputs(True, 80.0, last_update="2017-03-01", now=NOW)).metrics["timeliness"]
    assert stated_long_ago.value == 0.0
    assert "no modification date stated: 0" in BY_NAME["timeliness"].method
    assert "uten oppgitt endringsdato: 0" in BY_NAME["timeliness"].method_nb


def test_a_harvested_dataset_without_a_modified_date_is_not_dated_by_its_first_harvest(
    settings, store, server, client
) -> None:
    """What the catalogue first held it is no update by its holder: the stored label, its page in
    either language, its JSON and the EHDS feed's measurement all say the date is not stated."""
    d = complete_dataset(1)
    d.modified = None
    build(settings, store, server, [d])
    key = key_for(d.uri)
    stored = label_of(store, d.uri)
    assert stored is not None
    timeliness = stored.metrics["timeliness"]
    assert (timeliness.value, timeliness.note) == (0.0, "level 0 of 3 (no modification date stated)")
    assert client.get(f"/datasets/{key}/label.json").get_json()["metrics"]["timeliness"] == {
        "value": 0.0,
        "note": "level 0 of 3 (no modification date stated)",
    }
    today = datetime.now(UTC).date().isoformat()
    english = client.get(f"/datasets/{key}/label?lang=en").get_data(as_text=True)
    assert "no modification date stated" in english and f"updated {today}" not in english
    assert "ingen endringsdato oppgitt" in client.get(f"/datasets/{key}/label?lang=nb").get_data(as_text=True)
    g = graph(client.get("/catalog.ttl?page_size=100"))
    measured = {
        g.value(m, DQV.isMeasurementOf): float(str(g.value(m, DQV.value)))
        for m in g.objects(URIRef(d.uri), DQV.hasQualityMeasurement)
    }
    assert measured[HK.timeliness] == 0.0


@pytest.mark.parametrize(
    "days,level", [((10,), 3), ((29, 31), 2), ((89,), 2), ((120, 150), 1), ((180,), 1), ((181,), 0)]
)
def test_time_to_data_follows_quantums_levels(days: tuple[int, ...], level: int) -> None:
    label = assess(known_dataset(), Inputs(True, 80.0, "2026-01-01", days_to_data=days, now=NOW))
    assert label.metrics["timeToData"].value == round(level / 3, 3)


def test_every_metric_belongs_to_an_element_of_article_78_and_says_how_it_is_computed() -> None:
    assert [e.article for e in ELEMENTS] == ["a", "b", "c", "d", "e", "f"]
    assert {m.element for m in METRICS} == {e.name for e in ELEMENTS}
    assert all(m.method.endswith(".") and m.en and m.nb for m in METRICS)
    assert set(assess(known_dataset(), KNOWN).metrics) == {m.name for m in METRICS}


def test_a_label_survives_the_store_as_it_was_assessed() -> None:
    label = assess(known_dataset(), KNOWN)
    again = Label.from_json(label.to_json())
    assert again == label and again.digest == label.digest and again.score == label.score


def test_the_ehds_feed_publishes_each_label_as_a_quality_certificate_with_described_metrics(
    settings, store, server, client
) -> None:
    build(settings, store, server, [complete_dataset(i) for i in range(3)])
    g = graph(client.get("/catalog.ttl?page_size=100"))
    for i in range(3):
        dataset = URIRef(complete_dataset(i).uri)
        cert = g.value(dataset, DQV.hasQualityAnnotation)
        assert (cert, RDF.type, DQV.QualityCertificate) in g
        assert (cert, OA.hasTarget, dataset) in g and (cert, OA.motivatedBy, DQV.qualityAssessment) in g
        body = g.value(cert, OA.hasBody)
        assert str(body) == f"{settings.base_uri.rstrip('/')}/datasets/{key_for(dataset)}/label"
        stored = label_of(store, str(dataset))
        assert stored is not None
        measured = {
            g.value(m, DQV.isMeasurementOf): g.value(m, DQV.value)
            for m in g.objects(dataset, DQV.hasQualityMeasurement)
        }
        expected = {HK[n]: m.value for n, m in stored.metrics.items() if m.value is not None}
        expected[HK.labelScore] = stored.score / 100
        assert {k: round(float(str(v)), 3) for k, v in measured.items()} == {
            k: round(v, 3) for k, v in expected.items()
        }
        assert all(g.value(m, DQV.computedOn) == dataset for m in g.objects(dataset, DQV.hasQualityMeasurement))
    for metric in {*(HK[m.name] for m in METRICS), HK.labelScore}:
        assert (metric, RDF.type, DQV.Metric) in g, f"{metric} is described in the feed"
        assert g.value(metric, URIRef("http://www.w3.org/2004/02/skos/core#definition")) is not None
    plain = graph(client.get("/catalog.ttl?profile=dcat-ap-3&page_size=100"))
    assert not list(plain.subjects(RDF.type, DQV.QualityCertificate)), "the label is the EHDS feed's"


@pytest.mark.parametrize("suffix, fmt", [("rdf", "xml"), ("jsonld", "json-ld"), ("nt", "nt")])
def test_the_ehds_feed_with_labels_reads_alike_in_every_syntax(settings, store, server, client, suffix, fmt) -> None:
    """A measurement's blank node was named after its dataset's key, which is hex: RDF/XML's
    rdf:nodeID must be an XML name, which cannot begin with a digit, so every EHDS page in RDF/XML
    with such a dataset (most pages) was not XML any parser would read."""
    datasets = [complete_dataset(i) for i in (3, 4)]
    assert all(key_for(d.uri)[0].isdigit() for d in datasets), "the keys this test is about"
    build(settings, store, server, datasets)

    def measured(g: Graph) -> set[tuple[object, ...]]:
        return {
            (d, g.value(m, DQV.isMeasurementOf), float(str(g.value(m, DQV.value))))
            for d, m in g.subject_objects(DQV.hasQualityMeasurement)
        }

    turtle = measured(graph(client.get("/catalog.ttl?page_size=100")))
    assert len(turtle) > 4
    assert measured(graph(client.get(f"/catalog.{suffix}?page_size=100"), fmt)) == turtle


def test_labels_are_assessed_once_per_change_and_an_unchanged_harvest_moves_nothing(settings, store, server) -> None:
    build(settings, store, server, [complete_dataset(1)])
    uri = complete_dataset(1).uri
    first = label_of(store, uri)
    assert first is not None
    before = store.get(uri).last_changed
    build(settings, store, server, [complete_dataset(1)])  # unchanged
    assert store.get(uri).last_changed == before and label_of(store, uri) == first
    assert relabel(settings, store) == 0, "nothing it rests on changed"
    settings.sources["mfr"].options["maturity"] = 5
    assert relabel(settings, store) == 1, "the operator's assessment of the holder changed"
    assert label_of(store, uri).metrics["qualityManagement"].value == 1.0
    assert store.get(uri).last_changed > before, "the EHDS feed shows the new label: harvesters see it change"


def test_many_datasets_are_assessed_in_two_processes_to_the_same_labels(settings, store, server, monkeypatch) -> None:
    datasets = [complete_dataset(i) for i in range(1, 6)]
    build(settings, store, server, datasets)
    alone = {d.uri: label_of(store, d.uri) for d in datasets}
    monkeypatch.setattr(label_module, "PARALLEL_LABELS", 2)  # two processes from two datasets on
    in_two = relabel(settings, store, force=True)
    assert in_two == 0, "the same labels, so nothing moves"
    assert {d.uri: label_of(store, d.uri) for d in datasets} == alone
    settings.sources["mfr"].options["maturity"] = 5
    assert relabel(settings, store) == len(datasets), "every dataset assessed again, half of them apart"
    assert all(label_of(store, d.uri).metrics["qualityManagement"].value == 1.0 for d in datasets)


def labels(store, datasets) -> dict[str, Label]:
    return {d.uri: label_of(store, d.uri) for d in datasets}


def test_a_harvest_in_processes_labels_as_a_relabel_from_scratch_would(settings, store, server) -> None:
    from tests.test_pipeline import configure, publish

    datasets = [complete_dataset(i) for i in range(1, 4)]
    configure(settings, "mfr", publish(server, datasets))
    assert harvest(settings, store, None, workers=2)[0].ok
    kept = labels(store, datasets)
    assert all(kept.values())
    assert relabel(settings, store, "mfr", force=True) == 0
    assert labels(store, datasets) == kept


def assessed_at_the_end(monkeypatch) -> list[str]:
    """The datasets whose label a run's end (`relabel`) assesses, in this process."""
    seen: list[str] = []
    of = label_module.Assessment.of

    def counted(self, stored):
        seen.append(stored.uri)
        return of(self, stored)

    monkeypatch.setattr(label_module.Assessment, "of", counted)
    return seen


@pytest.mark.parametrize("workers", [1, 2], ids=["in one process", "in processes"])
def test_a_harvest_labels_its_new_datasets_where_it_prepares_them_as_a_relabel_would(
    settings, store, server, monkeypatch, workers
) -> None:
    from tests.test_pipeline import configure, publish

    at_the_end = assessed_at_the_end(monkeypatch)
    datasets = [complete_dataset(i) for i in range(1, 4)]
    datasets[2].modified = None
    configure(settings, "mfr", publish(server, datasets))
    assert harvest(settings, store, None, workers=workers)[0].ok
    assert at_the_end == [], "assessed ahead, none left for the run's end"
    kept = labels(store, datasets)
    assert all(kept.values())
    assert relabel(settings, store, "mfr", force=True) == 0, "the values a relabel from scratch gives"
    assert labels(store, datasets) == kept


def test_a_changed_dataset_keeps_its_labels_assessment_time_when_the_values_stay(settings, store, server) -> None:
    from catalog.duties import confirm

    d = complete_dataset(1)
    build(settings, store, server, [d])
    confirm(settings, store, "source", "mfr", "cli")  # as the change will: the first harvest confirmed nothing
    first = label_of(store, d.uri)
    d.title = {"nb": "Et nytt navn", "en": "A new name"}
    build(settings, store, server, [d])
    again = label_of(store, d.uri)
    assert store.get(d.uri).record.title["nb"] == "Et nytt navn"
    assert again.digest == first.digest and again.assessed == first.assessed, "published as when first found"
    assert again.metrics["harvestReliability"].note == "2 of 2", "what it rests on is told as it is now"


def test_a_changed_dataset_without_a_modified_date_is_labelled_where_it_is_prepared(
    settings, store, server, monkeypatch
) -> None:
    """Its label rests on nothing only the store knows (its timeliness once counted from when the
    catalogue first held it), so it is assessed ahead as a dated one is."""
    d = complete_dataset(1)
    d.modified = None
    build(settings, store, server, [d])
    at_the_end = assessed_at_the_end(monkeypatch)
    d.title = {"nb": "Et nytt navn", "en": "A new name"}
    build(settings, store, server, [d])
    assert at_the_end == []
    kept = label_of(store, d.uri)
    assert relabel(settings, store, "mfr", force=True) == 0 and label_of(store, d.uri) == kept


def test_labels_assessed_ahead_on_inputs_the_run_did_not_end_with_are_all_assessed_again(
    settings, store, server, monkeypatch
) -> None:
    """A run that passes midnight (or whose source a holder confirms meanwhile, or that fails)
    ends on other inputs than its labels were assessed ahead on: they are all assessed again."""
    import catalog.pipeline as pipeline_module

    yesterday = datetime.now(UTC) - timedelta(days=1)
    monkeypatch.setattr(
        pipeline_module, "ahead", lambda settings, store, source: label_module.ahead(settings, store, source, yesterday)
    )
    at_the_end = assessed_at_the_end(monkeypatch)
    datasets = [complete_dataset(i) for i in range(1, 3)]
    build(settings, store, server, datasets)
    assert sorted(at_the_end) == sorted(d.uri for d in datasets)
    kept = labels(store, datasets)
    assert relabel(settings, store, "mfr", force=True) == 0 and labels(store, datasets) == kept


def test_labels_assessed_ahead_hold_only_if_the_run_ends_on_the_inputs_expected(settings, store, server) -> None:
    from catalog.confirmations import record_harvest

    build(settings, store, server, [complete_dataset(1)])

    def run_ending(status: str) -> None:
        run = store.start_run("mfr")
        store.finish_run(run, status, {})

    expected = label_module.ahead(settings, store, "mfr")
    run_ending("ok")
    record_harvest(store, "mfr", 1, False)  # a second run that found a change confirms the source
    assert expected.basis.holds(settings, store, "mfr")

    expected = label_module.ahead(settings, store, "mfr")
    run_ending("failed")
    assert not expected.basis.holds(settings, store, "mfr"), "a failed run counts against the source"

    expected = label_module.ahead(settings, store, "mfr")
    run_ending("ok")
    store.confirm("publisher:someone", "holder")
    assert not expected.basis.holds(settings, store, "mfr"), "a holder confirmed meanwhile"


def test_labels_are_not_assessed_in_a_forked_process_beside_a_thread_that_uses_sqlite(
    settings, store, server, monkeypatch
) -> None:
    """As a harvest's workers (`tests.test_pipeline`): a fork beside such a thread may hang."""
    import os
    import threading

    from catalog.store import store_at

    datasets = [complete_dataset(i) for i in range(1, 4)]
    build(settings, store, server, datasets)
    monkeypatch.setattr(label_module, "PARALLEL_LABELS", 2)
    forks: list[int] = []
    os.register_at_fork(before=lambda: forks.append(os.getpid()))
    reader, stop, opened = store_at(store.url, readonly=True), threading.Event(), threading.Event()

    def read() -> None:
        reader.count()
        opened.set()
        stop.wait()

    beside = threading.Thread(target=read)
    beside.start()
    try:
        opened.wait(5)
        assert relabel(settings, store, force=True) == 0
        assert forks == []
    finally:
        stop.set()
        beside.join()


def test_the_label_page_chart_and_api_show_the_stored_label(settings, store, server, client) -> None:
    build(settings, store, server, [complete_dataset(1)])
    key = key_for(complete_dataset(1).uri)
    stored = label_of(store, complete_dataset(1).uri)
    assert client.get(f"/datasets/{key}/label.json").get_json()["score"] == stored.score
    page = client.get(f"/datasets/{key}/label?lang=en").get_data(as_text=True)
    assert "hk:timeToData" in page and "Time from application to data" in page and "not assessed" in page
    dataset_page = client.get(f"/datasets/{key}").get_data(as_text=True)
    assert 'aria-labelledby="h-label"' in dataset_page and '<svg class="chart ' in dataset_page
    assert client.get(f"/api/datasets/{key}").get_json()["label"]["score"] == stored.score
    rdf = Graph().parse(data=client.get(f"/datasets/{key}/label.ttl").get_data(), format="turtle")
    assert (None, DQV.isMeasurementOf, URIRef("https://data.norge.no/vocabulary/dcatno-mqa#keywordAvailability")) in rdf
    assert (None, DQV.value, Literal(True)) in rdf, "the MQA metrics are published as DQV too"
    assert client.get("/datasets/0000000000000000/label").status_code == 404


def test_the_label_page_says_what_each_value_rests_on_and_how_in_the_pages_language(
    settings, store, server, client
) -> None:
    """A Norwegian page said "43 of 43", "conforms", "confirmed 2026-12-07" and each method in
    English (a researcher's drill); the label itself is stated in English, as the feed publishes it."""
    build(settings, store, server, [complete_dataset(1)])
    key = key_for(complete_dataset(1).uri)
    found = label_of(store, complete_dataset(1).uri)
    page = client.get(f"/datasets/{key}/label").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S)
    assert len(rows) == len(found.metrics)
    assert 'lang="en"' not in "".join(rows), [r for r in rows if 'lang="en"' in r]
    assert "følger profilen" in page and " av " in page and "Andelen av de oppførte variablene" in page
    assert not re.search(r"\d of \d", page) and "conforms" not in page
    english = client.get(f"/datasets/{key}/label?lang=en").get_data(as_text=True)
    assert "Share of the listed variables" in english and re.search(r"\d+ of \d+", english)


def test_time_to_data_says_it_counts_to_the_permit_where_no_release_date_is_given() -> None:
    """The access body's drill: with no data_release_date the label's "Time from application to
    data" counted to the permit, and said nothing of it."""
    from catalog.label import BY_NAME

    metric = BY_NAME["timeToData"]
    assert "to the permit where a use gives no release date" in metric.method
    assert "til vedtaket der en bruk ikke oppgir utleveringsdato" in metric.method_nb


def test_the_label_page_in_nynorsk_names_and_explains_every_element_and_metric_in_nynorsk(
    settings, store, server, client
) -> None:
    """A researcher's drill: `?lang=nn` gave nynorsk headings but each element's and metric's name
    and method in bokmål ("Holdes oppdatert", "1 når eieren har bekreftet beskrivelsene sine …"),
    marked lang="nb"."""
    build(settings, store, server, [complete_dataset(1)])
    page = client.get(f"/datasets/{key_for(complete_dataset(1).uri)}/label?lang=nn").get_data(as_text=True)
    assert '<html lang="nn">' in page
    assert '<h2 id="h-enrichments">Berikingar <small>' in page
    assert '<th scope="row">Blir halde oppdatert <code>hk:timeliness</code></th>' in page
    assert '<th scope="row">Variablar dokumenterte <code>hk:variablesDocumented</code></th>' in page
    assert (
        "<td>1 når eigaren har stadfesta skildringane sine siste år (EHDS art. 60), 0,5 siste to år, elles 0.</td>"
        in page
    )
    for bokmaal in ("Berikelser", "Holdes oppdatert", "Variabler dokumentert", "eieren har bekreftet", "Andelen av"):
        assert bokmaal not in page, bokmaal
    headings = re.findall(r'<h2 id="h-(\w+)">(.*?) <small>', page)
    assert headings == [(e.name, e.nn) for e in ELEMENTS]
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?) <code>hk:(\w+)</code></th>.*?<td>([^<]*)</td>\s*</tr>', page, re.S)
    assert rows == [(m.nn, m.name, m.method_nn) for m in METRICS], "every metric, named and explained in nynorsk"
    assert not [m.method_nb for m in METRICS if m.method_nb in page]
    assert 'lang="nb"' not in page.split("<main")[1].split('class="chart"')[1], "no product text marked as bokmål"


def test_catalog_label_speaks_bokmaal_nynorsk_or_english_as_asked(settings, store, server, capsys) -> None:
    """`catalog label` printed English alone: each element's and metric's name, and what each
    value rests on ("27 of 27", "conforms"), though the catalogue has them in nb, nn and en."""
    from catalog.cli import main

    build(settings, store, server, [complete_dataset(1)])
    settings.save_sources()
    key = key_for(complete_dataset(1).uri)
    found = label_of(store, complete_dataset(1).uri)
    home = str(settings.home)
    said = {}
    for lang in ("nb", "nn", "en"):
        assert main(["--home", home, "label", key, "--lang", lang]) == 0
        said[lang] = capsys.readouterr().out
    assert main(["--home", home, "label", key]) == 0
    assert capsys.readouterr().out == said["en"], "English unless asked"
    assert said["en"].startswith(f"{complete_dataset(1).uri}: {found.score:.1f} % (assessed ")
    for lang in ("nb", "nn", "en"):
        for e in ELEMENTS:
            assert f"\n  {getattr(e, lang)}: " in said[lang], (lang, e.name)
        for m in METRICS:
            assert f"\n    {getattr(m, lang):36} " in said[lang], (lang, m.name)
    assert "følger profilen" in said["nb"] and "følgjer profilen" in said["nn"] and "  conforms" in said["en"]
    assert f"{found.score:.1f} %".replace(".", ",") in said["nn"] and "(vurdert " in said["nn"]
    for norwegian in (said["nb"], said["nn"]):
        assert re.search(r"\d+ av \d+", norwegian) and not re.search(r"\d+ of \d+", norwegian)
    assert "ikkje vurdert" in said["nn"] and "ikke vurdert" in said["nb"], "an element nothing assesses"
    assert main(["--home", home, "label", key, "--lang", "nn", "--format", "json"]) == 0
    assert '"score"' in capsys.readouterr().out, "JSON is as stored, in any language"
    with pytest.raises(SystemExit) as refused:
        main(["--home", home, "label", key, "--lang", "se"])
    assert refused.value.code == 2


# --- the summary for the access body's report --------------------------------------------------------


def test_the_summary_counts_labels_per_level_and_per_source_from_the_stored_labels(settings, store, server) -> None:
    """The access body reports the labels it gave (EHDS Art. 59): it could read them only one
    dataset at a time."""
    from catalog.label import LEVELS, level_of, summary

    poor = complete_dataset(2)
    poor.variables, poor.has_structured_data, poor.spatial, poor.temporal_start = [], False, [], None
    poor.description, poor.access_rights, poor.modified, poor.number_of_unique_individuals = {}, None, None, None
    poor.population_coverage, poor.min_typical_age, poor.max_typical_age = {}, None, None
    poor.coding_systems, poor.code_values, poor.keywords = [], [], {}
    build(settings, store, server, [complete_dataset(1), poor], name="mfr")
    build(settings, store, server, [complete_dataset(3)], name="npr")
    found = summary(store)
    scores = {uri: label_of(store, uri).score for uri in (complete_dataset(1).uri, poor.uri, complete_dataset(3).uri)}
    assert len({level_of(s) for s in scores.values()}) == 2, scores
    expected: dict[str, int] = dict.fromkeys(LEVELS, 0)
    for score in scores.values():
        expected[level_of(score)] += 1
    assert found.total.levels == expected and found.total.labelled == found.total.datasets == 3
    assert found.total.mean_score == round(sum(scores.values()) / 3, 1)
    mfr = found.sources["mfr"]
    assert (mfr.datasets, sum(mfr.levels.values())) == (2, 2)
    assert mfr.mean_score == round((scores[complete_dataset(1).uri] + scores[poor.uri]) / 2, 1)
    assert found.sources["npr"].levels[level_of(scores[complete_dataset(3).uri])] == 1
    assert set(found.to_dict()["total"]["elements"]) == {e.name for e in ELEMENTS}


@pytest.mark.parametrize(
    ("score", "level"), [(0.0, "0-25"), (24.9, "0-25"), (25.0, "25-50"), (74.9, "50-75"), (100.0, "75-100")]
)
def test_a_labels_level_is_the_quarter_its_score_falls_in(score: float, level: str) -> None:
    from catalog.label import level_of

    assert level_of(score) == level


def test_the_label_summary_is_a_page_under_ehds_and_json_made_once_per_change(
    settings, store, server, client, monkeypatch
) -> None:
    from catalog import label as labels

    build(settings, store, server, [complete_dataset(1)])
    made: list[str] = []
    real = labels.summary

    def counted(s):
        made.append(s.location)
        return real(s)

    monkeypatch.setattr(labels, "summary", counted)
    answer = client.get("/ehds/labels.json").get_json()
    assert answer == real(store).to_dict() and answer["total"]["labelled"] == 1
    page = client.get("/ehds/labels?lang=en").get_data(as_text=True)
    assert "Quality and utility labels" in page and "75-100 %" in page and "MFR" in page
    assert "Documentation" in page, "each element of Art. 78(3) by its name"
    assert "Dokumentasjon" in client.get("/ehds/labels?lang=nn").get_data(as_text=True)
    assert len(made) == 1, "the store has not changed: the summary is not made again"
    build(settings, store, server, [complete_dataset(1), complete_dataset(2)])
    assert client.get("/ehds/labels.json").get_json()["total"]["labelled"] == 2 and len(made) == 2


def test_the_label_summary_writes_its_scores_as_the_readiness_page_writes_shares(settings, store, server, client):
    """/ehds/labels said "65 %" beside "65.4 %", and /ehds/ "100,0 %": one decimal everywhere."""
    build(settings, store, server, [complete_dataset(1)])
    page = client.get("/ehds/labels?lang=nb").get_data(as_text=True)
    cells = re.findall(r'<td class="num">([^<]*) %</td>', page)
    assert cells and all(re.fullmatch(r"\d+,\d", c) for c in cells), cells


def test_catalog_label_summary_gives_the_pages_figures_as_text_and_its_json(settings, store, server, client, capsys):
    """The access body reports the labels (EHDS Art. 59) from scripts too: only `/ehds/labels` had
    the summary. The command reads the same `catalog.label.summary` and says it in the page's words."""
    import html

    from catalog.cli import main

    build(settings, store, server, [complete_dataset(1), complete_dataset(2)], name="mfr")
    build(settings, store, server, [complete_dataset(3)], name="npr")
    settings.save_sources()
    home = str(settings.home)
    assert main(["--home", home, "label", "--summary", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == client.get("/ehds/labels.json").get_json()

    from catalog.label import LEVELS, summary

    found = summary(store)
    for lang, total in (("en", "Total"), ("nb", "Totalt"), ("nn", "Totalt")):
        assert main(["--home", home, "label", "--summary", "--lang", lang]) == 0
        text = capsys.readouterr().out
        page = html.unescape(client.get(f"/ehds/labels?lang={lang}").get_data(as_text=True))
        sentence = text.splitlines()[0]
        assert sentence.startswith("3 ") and sentence in page, (lang, sentence)
        mean = f"{found.total.mean_score:.1f}"
        shown = mean if lang == "en" else mean.replace(".", ",")
        levels = [str(found.total.levels[x]) for x in LEVELS]
        assert re.search(rf"\n  {total} +3 +3 +{re.escape(shown)} % +" + " +".join(levels) + "\n", text), text
        assert re.search(r"\n  mfr +2 +2 ", text) and re.search(r"\n  npr +1 +1 ", text)
        assert "; ".join(f"{e.article}) {e.name_in(lang)}" for e in ELEMENTS) in text
    assert main(["--home", home, "label", "--summary"]) == 0
    assert "datasets have a quality and utility label" in capsys.readouterr().out, "English unless asked"
    assert main(["--home", home, "label"]) == 2
    assert main(["--home", home, "label", "--summary", key_for(complete_dataset(1).uri)]) == 2
