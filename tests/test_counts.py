"""Counts harvested from every kind of source that publishes them, and only their published view out.

Sources: the real FORS Nesstar DDI 1.2.2 codebook (573 variables, 3,888 category counts, 374 of
them below 5) over OAI-PMH on loopback; the simulated surveys (DDI-C catStat/sumStat), a
registry's frequency file beside its variable list, and CKAN frequency resources.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lxml import etree

from catalog import disclosure
from catalog.config import SourceConfig
from catalog.disclosure import DatasetCounts, Policy, published_tables
from catalog.pipeline import harvest
from harvesters.oai_ddi import OaiDdiHarvester
from simulator.counts import population, variable_counts
from tests.conftest import shared_path
from tests.simulated import configure, datasets, run
from tests.test_disclosure import attack

ROOT = Path(__file__).resolve().parents[1]
FORS = "oai-ddi/getrecord/fors-nesstar-ddi122.xml"


def oai_list_records(getrecord: Path) -> tuple[bytes, bytes]:
    """(Identify, ListRecords) answers serving the record of a saved GetRecord answer as it is."""
    root = etree.parse(str(getrecord)).getroot()
    record = etree.tostring(next(root.iter("{http://www.openarchives.org/OAI/2.0/}record")))
    head = b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    head += b"<responseDate>2018-05-10T13:24:46Z</responseDate>"
    identify = head + (
        b"<request verb='Identify'>http://fors-getdata.unil.ch/</request><Identify><repositoryName>FORS</repositoryName>"
        b"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>"
    )
    listing = head + b"<request verb='ListRecords'/><ListRecords>" + record + b"</ListRecords></OAI-PMH>"
    return identify, listing


@pytest.fixture
def fors(settings, server):
    identify, listing = oai_list_records(shared_path("real-world/" + FORS))
    server.serve("/fors?verb=Identify", identify, content_type="text/xml")
    url = server.serve("/fors?verb=ListRecords&metadataPrefix=oai_ddi", listing, content_type="text/xml")
    settings.sources["fors"] = SourceConfig(
        "fors", "oai-ddi", url.split("?")[0], category="survey", options={"metadata_prefix": "oai_ddi"}
    )
    return settings


def fors_counts(settings) -> DatasetCounts:
    """The raw counts of the FORS codebook, mapped by the harvester itself (the test's ground truth)."""
    root = etree.parse(str(shared_path("real-world/" + FORS))).getroot()
    harvester = OaiDdiHarvester(settings.sources["fors"], None, base_uri=settings.base_uri)
    return harvester.study(next(root.iter("{*}codeBook")), "fors", None).counts


def test_the_real_nesstar_codebooks_counts_are_harvested_and_only_safe_ones_published(fors, store):
    settings = fors
    [result] = harvest(settings, store, None)
    assert result.ok, result.errors
    [d] = datasets(store, "fors").values()
    published = published_tables(store.published_counts(d.uri))
    raw = fors_counts(settings)
    assert len(published) == len(raw.tables) == len(d.variables) == 573
    small = [(t.variable, c.code) for t in raw.tables for c in t.counts if 0 < c.count < 5]
    assert len(small) == 374
    for variable, code in small:
        [cell] = [c for c in published[variable].counts if c.code == code]
        assert cell.count is None
    every = [c.count for t in published.values() for c in t.counts if c.count is not None]
    assert every and all(n == 0 or (n >= 5 and n % 5 == 0) for n in every), "published counts are rounded to 5"
    # every table shares the study's 2,141 cases, which the codebook states (caseQnty): no total is hidden
    assert {t.total for t in published.values()} == {2140}
    tvtot = published[next(v.uri for v in d.variables if v.name == "tvtot")]
    assert [(c.code, c.count) for c in tvtot.counts][:3] == [("0", None), ("1", 250), ("2", 435)]


def test_no_suppressed_count_of_the_real_codebook_can_be_recovered(fors, store):
    settings = fors
    raw = fors_counts(settings)
    counts = DatasetCounts(raw.dataset, raw.tables, frozenset({2141}))
    published = disclosure.protect(counts, Policy(5, 1))
    withheld = [d.withheld for d in disclosure.decide(counts, Policy(5, 1))]
    found = attack(counts, published, withheld)
    hidden = 0
    for i, (table, view) in enumerate(zip(counts.tables, published, strict=True)):
        for k, cell in enumerate(view.counts):
            if cell.count is None:
                hidden += 1
                values = found[(i, k)]
                assert len(values) >= 2 and table.counts[k].count in values
                if table.counts[k].count < 5:
                    assert max(values) >= 5
    assert hidden >= 374


def test_a_stricter_threshold_set_by_the_operator_is_applied_by_reindex(fors, store):
    settings = fors
    harvest(settings, store, None)
    [d] = datasets(store, "fors").values()
    tvtot = next(v.uri for v in d.variables if v.name == "tvtot")
    before = published_tables(store.published_counts(d.uri))[tvtot]
    assert [c.count for c in before.counts][-1] is None  # 88 "Ne sait pas": 2 answers
    settings.sources["fors"].options["disclosure"] = {"threshold": 200, "rounding": 1}
    assert disclosure.refresh(store, settings.policies()) == 1
    after = published_tables(store.published_counts(d.uri))[tvtot]
    assert after.threshold == 200 and all(c.count is None or c.count >= 200 for c in after.counts)
    assert disclosure.refresh(store, settings.policies()) == 0, "already published under this policy"


def test_a_policy_below_five_is_refused_naming_the_source():
    from catalog.config import ConfigError

    with pytest.raises(ConfigError, match=r"sources.fors.options.disclosure.*at least 5"):
        SourceConfig("fors", "oai-ddi", "http://x", options={"disclosure": {"threshold": 3}})


# --- simulated sources ----------------------------------------------------------------------------


def truth(simulator, source_name: str) -> dict[tuple[str, str], list[tuple[str | None, int]]]:
    """(dataset title, variable) -> [(code, count)] as the simulator publishes them."""
    nation = simulator.nation
    src = nation.source(source_name)
    out = {}
    for i in nation.dataset_indices(src):
        d = nation.dataset(src, i)
        for v in d.variables:
            counts = variable_counts(nation, src, d, v)
            if counts is not None and counts.frequencies:
                out[d.title["nb"], v.name] = [(code, n) for code, n, _m in counts.frequencies]
                assert sum(n for _c, n, _m in counts.frequencies) == population(d)
    return out


@pytest.mark.parametrize("source", ["hunt", "hkr-varliste"], ids=["DDI-C catStat", "frequency file beside a list"])
def test_simulated_counts_arrive_in_the_store_and_go_out_protected(settings, store, sim, source):
    configure(settings, sim, source)
    result = run(settings, store)[source]
    assert result.ok, result.errors
    raw = {uri: DatasetCounts.from_json(data) for uri, src, data, _stamp in store.raw_counts() if src == source}
    got = {}
    for d in datasets(store, source).values():
        names = {v.uri: v.name for v in d.variables}
        for table in raw[d.uri].tables:
            coded = [(c.code, c.count) for c in table.counts if c.code is not None]
            if coded:
                got[d.title["nb"], names[table.variable]] = coded
        for view in published_tables(store.published_counts(d.uri)).values():
            assert all(c.count is None or c.count == 0 or c.count >= 5 for c in view.counts)
    assert got == truth(sim, source)


def test_ckan_frequency_resources_become_counts_and_never_distributions(settings, store, sim):
    configure(settings, sim, "hjerneslag")
    result = run(settings, store)["hjerneslag"]
    assert result.ok, result.errors
    with_counts = {uri for uri, src, *_ in store.raw_counts() if src == "hjerneslag"}
    stored = datasets(store, "hjerneslag")
    assert 0 < len(with_counts) < len(stored)
    for d in stored.values():
        assert all("Frekvenser" not in dist.title.get("nb", "") for dist in d.distributions)


def test_a_dataset_whose_counts_stay_the_same_is_not_published_again(settings, store, sim):
    configure(settings, sim, "hunt")
    run(settings, store)
    stamps = {uri: raw for uri, _s, raw, _stamp in store.raw_counts()}
    second = run(settings, store)["hunt"]
    assert second.counts["changed"] == 0
    assert {uri: raw for uri, _s, raw, _stamp in store.raw_counts()} == stamps


# --- raw counts stay inside the store -----------------------------------------------------------------


def calls_of(name: str, owner: str | None = None) -> set[str]:
    """Modules of the program that call a method named `name` (of a class named `owner`, when given:
    `Label.from_json` is not `DatasetCounts.from_json`)."""
    found = set()
    for package in ("catalog", "web", "harvesters", "simulator", "shapes"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == name:
                    held = node.value
                    if owner is None or (isinstance(held, ast.Name | ast.Attribute) and owner in ast.unparse(held)):
                        found.add(str(path.relative_to(ROOT)))
    return found


def test_catalog_disclosure_is_the_only_reader_of_raw_counts():
    assert calls_of("raw_counts") == {"catalog/disclosure.py"}
    assert calls_of("from_json", owner="DatasetCounts") == {"catalog/disclosure.py"}
    store_source = (ROOT / "catalog/store.py").read_text(encoding="utf-8")
    assert store_source.count("SELECT dataset_uri, source, raw") == 1, "one query reads the raw column"


def test_records_cannot_carry_counts():
    """Counts are not part of the model, so no rendering, index document, feed or export built from
    records can contain them."""
    from dataclasses import fields

    from catalog.model import CodeList, Concept, Dataset, Variable

    names = {f.name for cls in (Dataset, Variable, CodeList, Concept) for f in fields(cls)}
    assert not names & {"counts", "frequencies", "count", "statistics", "total", "sum_stat", "cat_stat"}


PLAUSIBLE_MEANS = {  # (variable, unit) -> the range a real registry's or survey's mean lies in
    ("BMI_MOR", "kg/m2"): (20, 30),  # MFR: the mother's BMI before pregnancy
    ("BMI", "kg/m2"): (20, 30),  # HUNT, MoBa
    ("MORS_ALDER", "år"): (25, 35),
    ("FARS_ALDER", "år"): (27, 38),
    ("SVLEN_DG", "dager"): (260, 290),  # gestational age in days
    ("LENGDE", "cm"): (45, 55),  # birth length
    ("HODE", "cm"): (32, 38),  # head circumference at birth
    ("HOYDE", "cm"): (150, 190),
    ("ALDER_VAKS", "måneder"): (0, 120),
}


CODED_WITHOUT_A_LIST = ("UTDANNING", "ANGST", "ALKO_FREKV", "BISTANDSBEHOV", "BASIS", "DIAGNOSENS_SIKKERHET")
"""Answers and codes the simulator states as whole numbers without their code list: categories."""


def test_the_simulated_nations_means_are_plausible_for_what_each_variable_measures() -> None:
    """An epidemiologist's drill: MoBa's BMI had "Gjennomsnitt 97,391 kg/m2" (no range for kg/m2:
    any mean from 2 to 120), MFR's mother's age 44 years and gestational age 4 days (the ranges of
    "år" and "dager" in general), and an education question, coded, a mean of 37,091."""
    from simulator.counts import variable_counts
    from simulator.nation import Nation

    nation = Nation(seed=0)
    seen: dict[tuple[str, str], list[float]] = {}
    coded_with_a_mean = []
    for source in nation.sources:
        if source.kind not in ("dcat", "ckan", "oai-ddi", "spreadsheet"):
            continue
        for i in list(nation.dataset_indices(source))[:4]:
            d = nation.dataset(source, i)
            for v in d.variables:
                counts = variable_counts(nation, source, d, v)
                mean = counts.summary.mean if counts else None
                if mean is None:
                    continue
                if v.name.endswith("_KAT") or v.name.startswith(CODED_WITHOUT_A_LIST):
                    coded_with_a_mean.append(v.name)
                for (name, unit), _range in PLAUSIBLE_MEANS.items():
                    if v.unit == unit and (v.name == name or v.name.startswith(name + "_")):
                        seen.setdefault((name, unit), []).append(mean)
    assert coded_with_a_mean == []
    assert set(seen) == set(PLAUSIBLE_MEANS)
    for key, means in seen.items():
        low, high = PLAUSIBLE_MEANS[key]
        assert all(low <= m <= high for m in means), (key, means)
