"""Real public metadata, harvested over loopback HTTP by every harvester kind, into the EHDS feed.

The samples in ../shared/real-world were written by Digdir, CKAN and HDX, CESSDA's archives,
IPUMS, SSB and the Datahotel, not by us (origins in its SOURCES.md); `simulator.samples` serves
them byte for byte in each service's URL layout. These tests pin what the harvesters make of
them, and that with the operator's register and defaults (`simulator.samples.OPERATOR_TOML`)
every dataset whose source states its mandatory content reaches the HealthDCAT-AP feed and
conforms to the official Release 8 shapes, while the rest are named with what only their
publisher can add.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, SKOS, XSD
from rdflib.namespace import DCTERMS as DCT
from rdflib.term import Node

from catalog import profiles
from catalog.config import Settings
from catalog.export import catalog_graph
from catalog.model import CodeList, Dataset
from catalog.pipeline import SourceResult, harvest
from catalog.rdf import to_graph
from catalog.readiness import OPERATOR, PUBLISHER, Coverage, coverage
from catalog.store import SQLiteStore
from simulator.samples import SampleServer, configure, operator_settings
from tests.conftest import shared_path

EU = "http://publications.europa.eu/resource/authority/"
SAMPLES = {
    # source: (datasets, code lists, variables)
    "fdk-skatteetaten": (42, 0, 0),
    "fdk-difi": (33, 0, 0),
    "ckan-demo": (3, 0, 0),
    "hdx": (1, 0, 0),
    "cessda-oai": (9, 590, 627),  # 573 variables of FORS, 54 of five IPUMS extracts
    "ssb-klass": (0, 5, 0),
    "ssb-vardef": (22, 0, 36),
    "microdata": (2, 1, 8),
    "datahotell-nav-yrke": (1, 0, 8),
    "datahotell-fhi-atc": (1, 0, 2),
}
"""What each real sample holds: its datasets, code lists and variables (SOURCES.md describes them)."""
LEFT_OUT = {
    # identifier: the fields only the publisher can supply (variables: how many lack a description)
    "ch.sidos.ddi.468.7773": ("variables", 573),
    **{
        f"ddi2-{stem}-cps_{n}.dat-cps.ipums.org": ("description", 0)
        for stem, n in (
            ("27c79f70-8e14-11e5-8c97-b82a72e0b782", "00097"),
            ("ef0cf890-f532-0138-e5de-0242ac1d0007", "00157"),
            ("ef0cf890-f532-0138-e5de-0242ac1d0007", "00158"),
            ("ef0cf890-f532-0138-e5de-0242ac1d0007", "00159"),
            ("ef0cf890-f532-0138-e5de-0242ac1d0007", "00160"),
        )
    },
    "datahotell-nav-yrke": ("description", 1),
    "datahotell-fhi-atc": ("description", 2),
}
"""The real datasets no operator may complete: no description of their own (IPUMS extracts, the
Datahotel's lists), or variables without one (FORS's 573, the Datahotel's)."""


@pytest.fixture(scope="module")
def samples() -> Iterator[SampleServer]:
    with SampleServer(shared_path("real-world")) as server:
        yield server


def _harvest(home: Path, samples: SampleServer, operator: bool) -> tuple[Settings, SQLiteStore, list[SourceResult]]:
    settings = Settings.load(home)
    configure(settings, samples.source_configs(), operator=operator)
    store = SQLiteStore(settings.db_path)
    return settings, store, harvest(settings, store, None, workers=1)


@pytest.fixture(scope="module")
def completed(samples: SampleServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, SQLiteStore]:
    """The real samples harvested with the operator's register and defaults."""
    settings, store, results = _harvest(tmp_path_factory.mktemp("completed"), samples, operator=True)
    assert [r.source for r in results if not r.ok] == []
    return settings, store


@pytest.fixture(scope="module")
def bare(samples: SampleServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, SQLiteStore, Coverage]:
    """The same samples with no operator settings at all."""
    settings, store, _ = _harvest(tmp_path_factory.mktemp("bare"), samples, operator=False)
    return settings, store, coverage(store, settings)


def _datasets(store: SQLiteStore, source: str) -> dict[str, Dataset]:
    return {s.record.identifier: s.record for s in store.records(source, kind="dataset")}  # type: ignore[misc]


@pytest.mark.parametrize("source", SAMPLES)
def test_every_real_sample_is_harvested_whole_over_loopback_without_errors(completed, source):
    settings, store = completed
    run = store.last_run(source)
    assert run is not None and run.status == "ok" and store.errors(run.id) == []
    datasets = list(store.records(source, kind="dataset"))
    codelists = list(store.records(source, kind="codelist"))
    variables = sum(len(d.record.variables) for d in datasets)
    assert (len(datasets), len(codelists), variables) == SAMPLES[source]


def test_with_the_operators_settings_every_real_dataset_stating_its_content_reaches_the_ehds_feed(completed):
    settings, store = completed
    found = coverage(store, settings)
    assert (found.total.datasets, found.total.in_feed) == (114, 106)
    assert {d.identifier for d in found.left_out()} == set(LEFT_OUT)
    for d in found.left_out():
        assert d.by(OPERATOR) == [], (d.identifier, d.by(OPERATOR))  # nothing an operator may add is missing
        field, variables = LEFT_OUT[d.identifier]
        missing = {g.field for g in d.by(PUBLISHER)}
        assert len([f for f in missing if f.startswith("variables.")]) == variables
        assert field == "variables" or field in missing
    assert found.total.stale == 0


def test_the_ehds_feed_of_the_real_samples_conforms_to_the_official_release_8_shapes(completed):
    from tests.test_conformance import ACCESS_LEVELS, healthdcat_shapes, structured_datasets_have_variables, violations

    settings, store = completed
    feed = catalog_graph(settings, store, "healthdcat-ap")
    datasets = set(feed.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 106
    certificates = set(feed.subjects(RDF.type, URIRef("http://www.w3.org/ns/dqv#QualityCertificate")))
    assert len(certificates) == 106, "each dataset's quality and utility label is checked with it"
    categories = set(feed.objects(None, URIRef("http://healthdataportal.eu/ns/health#healthCategory")))
    assert categories == {URIRef("https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/DIOH")}
    checked = 0
    for level in ACCESS_LEVELS:  # each dataset against the shapes of its own access level
        chosen = {d for d in datasets if feed.value(d, DCT.accessRights) == URIRef(f"{EU}access-right/{level}")}
        part = Graph()
        for d in chosen:
            for triple in _described(feed, d, datasets - {d}):
                part.add(triple)
        assert violations(part, healthdcat_shapes(level)) == [], level
        assert structured_datasets_have_variables(part) == []
        checked += len(chosen)
    assert checked == 106
    # the codes of the sources' own lists (an EU vocabulary's concepts are labelled by the vocabulary)
    vocabularies = (EU, "https://hdeu-dcat.data.health.europa.eu/resource/authority/")
    concepts = {c for c in feed.subjects(RDF.type, SKOS.Concept) if not str(c).startswith(vocabularies)}
    unlabelled = [c for c in concepts if feed.value(c, SKOS.prefLabel) is None]
    assert concepts and unlabelled == [], "DCAT-AP 3's Category_Shape: the ESS codebook's 830 codes had none"


def _described(g: Graph, start: Node, others: set[Node]) -> Iterator[tuple[Node, Node, Node]]:
    """Every statement reachable from `start`, not entering the other datasets."""
    todo: list[Node] = [start]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in g.predicate_objects(node):
            yield node, p, o
            if not isinstance(o, Literal) and o not in others:
                todo.append(o)


def test_without_operator_settings_no_real_dataset_reaches_the_feed_and_the_report_names_each_setting(bare):
    settings, store, found = bare
    assert (found.total.datasets, found.total.in_feed) == (114, 0)
    assert found.total.operator_can_complete == 106
    folkeregister = next(d for d in found.datasets if d.identifier == "55")
    missing = {g.field: g.setting for g in folkeregister.by(OPERATOR)}
    assert (
        missing["publisher.email"] == 'organisations."http://data.brreg.no/enhetsregisteret/enhet/974761076.json".email'
    )
    assert missing["applicable_legislation"] == "sources.fdk-skatteetaten.options.defaults.applicable_legislation"
    assert missing["contact.email"] == "sources.fdk-skatteetaten.options.defaults.contact.email"
    # the value too: an operator following the report set it true, which no dataset without
    # variables may say, and all 42 stayed out (now for their publisher to fix)
    assert missing["has_structured_data"] == "sources.fdk-skatteetaten.options.defaults.has_structured_data = false"
    assert folkeregister.by(PUBLISHER) == []


def test_the_organisation_register_completes_publishers_by_iri_org_number_or_name(completed, bare):
    settings, store = completed
    organisations, _ = operator_settings()
    dataset = next(iter(_datasets(store, "fdk-skatteetaten").values()))
    assert dataset.publisher is not None and dataset.publisher.email is None  # the store keeps what the source said
    from catalog.readiness import assess

    stored = next(store.records("fdk-skatteetaten", kind="dataset"))
    found = assess(stored, settings)
    by_register = [c for c in found.completed if c.setting.startswith("organisations.")]
    assert {c.field for c in by_register} >= {"publisher.url"}
    assert all('"https://data.brreg.no/enhetsregisteret/api/enheter/974761076"' in c.setting for c in by_register)
    ipums = next(s for s in store.records("cessda-oai", kind="dataset") if "ipums" in s.uri)
    assert any(
        c.setting.startswith('organisations."https://www.ipums.org/"') for c in assess(ipums, settings).completed
    )


def test_dcat_ap_no_1_1_terms_are_mapped(completed):
    _, store = completed
    skatt = _datasets(store, "fdk-skatteetaten")
    with_law = next(d for d in skatt.values() if d.legal_basis)
    assert "lovdata.no" in with_law.legal_basis["nb"]
    assert any(d.purpose.get("nb", "").startswith("Opplysningene") for d in skatt.values())  # dcatno:objective
    assert skatt["55"].provenance == {"nb": "Vedtak"}  # the Brreg provenance vocabulary
    assert skatt["55"].contact is not None and skatt["55"].contact.name == {
        "": "Skatteetaten – Regionavdelingen - Folkeregister"  # a contact naming only its vcard:organization-unit
    }
    assert skatt["55"].publisher is not None and skatt["55"].publisher.identifier == "974761076"
    # formats as DCAT-AP-NO 1.1 text ("application/xml, application/json"): lost, now the first
    formats = sorted((x.media_type or "", x.format or "") for d in skatt.values() for x in d.distributions)
    assert formats.count(("application/xml", f"{EU}file-type/XML")) == 4
    assert formats.count(("text/json", f"{EU}file-type/JSON")) == 2


def test_data_norge_no_codes_become_eu_vocabulary_iris(completed):
    _, store = completed
    difi = _datasets(store, "fdk-difi")
    assert {lang for d in difi.values() for lang in d.languages} <= {f"{EU}language/NOR", f"{EU}language/ENG"}
    assert {s for d in difi.values() for s in d.spatial} == {f"{EU}country/NOR"}
    assert {d.frequency for d in difi.values() if d.frequency} <= {
        f"{EU}frequency/{c}" for c in ("CONT", "DAILY", "IRREG")
    }
    formats = {x.format for d in difi.values() for x in d.distributions if x.media_type == "text/csv"}
    assert formats == {f"{EU}file-type/CSV"}  # an IANA media type given as dct:format
    # periods as DCAT-AP-NO 1.1 gives them (http://schema.org/startDate): all ten were lost, each
    # dataset warned that it "should state its time period"
    periods = {key: (d.temporal_start, d.temporal_end) for key, d in difi.items() if d.temporal_start}
    assert len(periods) == 10 and periods["http://data.norge.no/node/183"] == ("2009-01-01", "2013-12-31")


def test_descriptions_written_as_html_are_read_as_their_text(completed):
    """Difi writes 32 of its 33 descriptions as HTML: a researcher read "<p>" on the page and the
    EHDS feed carried the tags on."""
    _, store = completed
    difi = _datasets(store, "fdk-difi")
    assert not any("<" in t for d in difi.values() for t in d.description.values())
    oep = difi["http://data.norge.no/node/95"].description["no"]
    assert oep.startswith("Offentlig elektronisk postjournal (OEP) ble lansert 18. mai 2010")
    assert oep.endswith(
        "fordelt på statlige virksomhetene hver måned.\n\nDatasettet vil oppdateres hver måned framover."
    )


def test_links_written_as_text_or_as_blank_nodes_are_kept(completed):
    """Links as the FDK samples write them, all lost before: Skatteetaten's standards are blank
    nodes naming a file format's PDF as dct:source; Difi's distributions give their API's WADL
    as text; Difi's related resources are plain IRIs (dct:relation, not read at all)."""
    _, store = completed
    skatt, difi = _datasets(store, "fdk-skatteetaten"), _datasets(store, "fdk-difi")
    standards = [u for d in skatt.values() for u in d.conforms_to]
    assert len(standards) == 18 and all(u.startswith(("http://", "https://")) for u in standards)
    assert skatt["89"].conforms_to == [
        "http://www.skatteetaten.no/globalassets/likningsoppgaver/mag/fagforeningskontingent/v1_0_2/"
        "filformat-for-fagforeningskontingent-v1_0_2_20161104.pdf"
    ]  # two more name a note of their mapper as a file:// address: not a link, left
    assert sum(len(d.relations) for d in difi.values()) == 25
    assert "http://www.oep.no/" in {u for d in difi.values() for u in d.relations}
    apis = [u for d in difi.values() for x in d.distributions for u in x.conforms_to]
    assert (
        sorted(apis)
        == ["http://hotell.difi.no/application.wadl"] * 24 + ["https://hotell.difi.no/application.wadl"] * 2
    )


def test_ddi_partial_dates_contacts_and_nesstar_quirks(completed):
    _, store = completed
    studies = {d.uri.rsplit("/", 1)[-1]: d for d in _datasets(store, "cessda-oai").values()}
    ipums = next(d for name, d in studies.items() if name.endswith("cps_00097.dat-cps.ipums.org"))
    assert (ipums.temporal_start, ipums.temporal_end) == ("2011-03", "2011-03")
    period = to_graph([ipums]).value(URIRef(ipums.uri), DCT.temporal)
    start = to_graph([ipums]).value(period, DCAT.startDate)
    assert isinstance(start, Literal) and start.datatype == XSD.gYearMonth
    assert ipums.contact is not None and ipums.contact.url == "https://ipums.org"  # distStmt/contact
    ukds = studies["6684"]
    assert ukds.contact is not None and ukds.contact.url == "http://www.ukdataservice.ac.uk/help/get-in-touch.aspx"
    assert ukds.access_rights == f"{EU}access-right/RESTRICTED"  # OpenAIRE's restrictedAccess
    assert "Face-to-face interview" in ukds.provenance[""]
    # the abstract is escaped HTML ("&lt;p&gt;Abstract copyright UK Data Service ...&lt;/p&gt;The ...")
    (abstract,) = ukds.description.values()
    assert abstract.startswith("Abstract copyright UK Data Service and data collection copyright owner.\n\nThe ")
    assert "<" not in abstract
    fsd = studies["2305"]
    assert "academic achievement" in fsd.keywords["en"]  # keywords named only by ID
    fors = studies["ch.sidos.ddi.468.7773"]
    assert fors.modified == "2015-05-04T22:55:30Z"
    assert not any("|" in t for v in fors.variables for t in v.title.values())  # "A3|Radio: ..." -> "Radio: ..."
    assert fors.access_rights is None  # "Aucune": no restriction stated


def test_a_ddi_study_naming_no_agent_of_its_own_is_published_by_its_codebooks_producer(completed):
    """FSD's 2305 names no producer or distributor of the study, only the archive that produced its
    codebook (docDscr/citation/prodStmt/producer), CESSDA's Data Catalogue's publisher fallback: it
    was the one real dataset in the EHDS feed with no publisher."""
    _, store = completed
    studies = _datasets(store, "cessda-oai")
    fsd = studies["2305"].publisher
    assert fsd is not None
    assert fsd.name == {"en": "Finnish Social Science Data Archive", "fi": "Yhteiskuntatieteellinen tietoarkisto"}
    assert [name for name, d in studies.items() if d.publisher is None] == []
    ukds = studies["6684"].publisher  # the study's own distributor still comes first
    assert ukds is not None and ukds.name == {"": "UK Data Service"}


def test_a_title_in_no_stated_language_is_warned_of_as_untagged_not_as_not_english(completed):
    """UK Data Service's and IPUMS's DDI carry no xml:lang: their English titles were reported to
    the registry as "The dataset has no English title", which it would answer is wrong."""
    settings, store = completed
    warned = {
        d.identifier: {w.field: (w.message, w.hint) for w in d.warnings} for d in coverage(store, settings).datasets
    }
    title, hint = warned["6684"]["title.en"]  # "Childcare and Early Years Provision: Parents' Survey, 2009"
    assert title == "Datasettets tittel har ikke språkmerke | The dataset's title has no language tag"
    assert hint.endswith(  # in DDI's own terms (`readiness.FORMAT_HINTS`)
        "| Tag the titl (stdyDscr/citation/titlStmt) with the language it is written in, with xml:lang "
        "(English: en), or the whole codeBook"
    )
    assert warned["6684"]["description.en"][0].endswith("| The dataset's description has no language tag")
    assert warned["ch.sidos.ddi.468.7773"]["title.en"][0] == title
    ipums = "ddi2-27c79f70-8e14-11e5-8c97-b82a72e0b782-cps_00097.dat-cps.ipums.org"
    assert warned[ipums]["title.en"][0] == title
    assert warned["FSD3187"] == {}  # tagged en and fi
    # microdata.no's "Inntekt" is tagged nb: not English, as before
    assert warned["TEST_PERSON_INCOME"]["title.en"][0].endswith("| The dataset has no English title")


def test_the_fix_hints_of_the_real_datasets_left_out_name_what_their_format_writes(completed):
    """A DDI archive (IPUMS, FORS) and the Datahotel were told "Add dct:description", which neither
    format has: each is now told the element or column its harvester reads."""
    settings, store = completed
    left_out = coverage(store, settings).left_out()
    hints = {(d.source, g.field, g.hint) for d in left_out for g in d.grouped(PUBLISHER)}
    by = {(source, field): hint for source, field, hint in hints}
    assert by[("cessda-oai", "description")].endswith(  # IPUMS's extracts
        "| Add an abstract of the study in stdyDscr/stdyInfo/abstract (DDI-Lifecycle: StudyUnit/Abstract)"
    )
    assert by[("cessda-oai", "variables.*.description")].endswith(  # FORS's ESS Switzerland 2004
        "| Add a var/txt explaining what the variable measures (DDI-Lifecycle: Variable/Description)"
    )
    assert by[("datahotell-nav-yrke", "variables.*.description")].endswith(
        '| Fill in the column "content" of the variable list with what the variable measures'
    )
    assert "sources.datahotell-nav-yrke.options.description" in by[("datahotell-nav-yrke", "description")]
    assert [hint for _source, _field, hint in hints if "dct:" in hint] == []


def test_microdata_ckan_and_vardef_are_told_in_their_own_fields(completed):
    """microdata.no's data structures were told "Add a dct:title in English", a term its JSON does
    not have: the title is its measure variable's label, in the one language the service gives."""
    settings, store = completed
    found = coverage(store, settings).datasets
    warned = {d.identifier: {w.field: w.hint for w in d.warnings} for d in found if d.source == "microdata"}
    assert warned["TEST_PERSON_INCOME"]["title.en"].endswith(
        "| microdata.no gives measureVariable.label in one language (languageCode), which the catalogue reads: "
        "an English title cannot come from the source"
    )
    assert "representedVariables[].description" in warned["TEST_PERSON_PETS"]["description.en"]
    sources = ("ckan-demo", "hdx", "microdata", "ssb-vardef")
    hints = [g.hint for d in found if d.source in sources for g in (*d.gaps, *d.warnings) if g.fixer == PUBLISHER]
    assert len(hints) == 4 and [h for h in hints if "dct:" in h] == []


def test_the_findings_of_ckan_microdata_and_vardef_datasets_name_their_own_fields(completed):
    """A dataset page's findings table told HDX "Add healthdcatap:populationCoverage" and SSB's
    vardef "Add dct:spatial": each finding is now told as its source's gaps are."""
    from catalog.readiness import findings_in_format

    settings, store = completed

    def hints(source: str) -> dict[str, str]:
        out = {}
        for stored in store.records(source, kind="dataset"):
            published = profiles.ehds().published(stored.record, settings, settings.sources[source]).record
            found = (stored.validation or {}).get("findings") or []
            for f in findings_in_format(found, published, settings.sources[source]):  # type: ignore[arg-type]
                out[str(f.get("path", "")).rsplit("/", 1)[-1].rsplit("#", 1)[-1]] = f["hint"]
        return out

    hdx, demo, vardef, microdata = hints("hdx"), hints("ckan-demo"), hints("ssb-vardef"), hints("microdata")
    assert hdx["populationCoverage"].endswith(
        "| Give the population in the package's field population_coverage (extras or ckanext-scheming)"
    )
    assert "temporal_start and temporal_end" in demo["temporal"]
    assert vardef["spatial"].endswith(
        "| The vardef harvester reads no such field from the source: the operator states it in catalog.toml, "
        "sources.ssb-vardef.options.defaults.spatial"
    )
    assert vardef["validFrom"].endswith("| Give the variable definition's valid_from")
    assert "sources.microdata.options.defaults.legal_basis" in microdata["hasLegalBasis"]
    assert "dct:" not in vardef["temporal"] and "dct:" not in microdata["spatial"]


def test_hdx_and_ckan_layouts_are_mapped(completed):
    _, store = completed
    [zimbabwe] = _datasets(store, "hdx").values()
    assert (zimbabwe.temporal_start, zimbabwe.temporal_end) == ("1970-01-01", "2019-12-31")
    assert zimbabwe.frequency == f"{EU}frequency/QUARTERLY"
    assert zimbabwe.spatial == [f"{EU}country/ZWE"]
    assert zimbabwe.contact is None  # HDX's maintainer is a user id, not a name
    assert zimbabwe.provenance == {"en": "UNESCO Institute for Statistics (UIS); Registry"}
    assert {x.license for x in zimbabwe.distributions} == {"http://creativecommons.org/licenses/by/3.0/igo/legalcode"}


def test_klass_summaries_without_ids_and_vardef_rendered_from_vardok(completed):
    _, store = completed
    assert {s.record.identifier for s in store.records("ssb-klass")} == {"91", "303", "618", "685", "702"}
    assert sum(len(s.record.concepts) for s in store.records("ssb-klass") if isinstance(s.record, CodeList)) == 511
    variables = {v.name: v for d in _datasets(store, "ssb-vardef").values() for v in d.variables}
    assert variables["landbak"].codelist == "https://www.ssb.no/klass/klassifikasjoner/91"
    shelves = [d.title for d in _datasets(store, "ssb-vardef").values()]
    assert not any("without subject field" in t.get("en", "") for t in shelves)


@pytest.mark.parametrize(
    ("source", "given", "reads"),
    [
        ("fdk-skatteetaten", "oai-ddi", "dcat"),  # Turtle
        ("fdk-skatteetaten", "vardef", "dcat"),
        ("fdk-difi", "oai-ddi", "dcat"),  # JSON-LD
        ("fdk-difi", "vardef", "dcat"),
        ("cessda-oai", "dcat", "oai-ddi"),
        ("cessda-oai", "vardef", "oai-ddi"),
        ("ssb-vardef", "dcat", "vardef"),
        ("ssb-vardef", "oai-ddi", "vardef"),
        ("datahotell-nav-yrke", "dcat", "spreadsheet"),
        ("fdk-skatteetaten", "spreadsheet", "dcat"),
    ],
)
def test_a_source_given_the_wrong_kind_names_the_kind_that_reads_its_answer(samples, tmp_path, source, given, reads):
    """An operator who gave a feed's address to a source of another kind was told only that the
    answer "is not well-formed XML" or "not valid xml RDF"; the record it had stays either way."""
    settings = Settings.load(tmp_path / "home")
    real = next(c for c in samples.source_configs() if c.name == source)
    settings.sources[source] = replace(real, kind=given, options={})
    store = SQLiteStore(settings.db_path)
    [result] = harvest(settings, store, None)
    store.close()
    assert result.status == "failed"
    assert f'which a source of kind "{reads}" reads: is the source\'s kind right?' in result.error


def test_a_ddi_studys_nations_are_its_spatial_coverage_as_eu_countries(completed):
    """DDI says where a study's data are from in `nation` (`abbr="FI"`, `abbr="us"`); the mapping
    dropped it, so no DDI dataset had `dct:spatial`, which DCAT-AP recommends and the EU's
    catalogue filters by. A nation that is no country (UK Data Service's "England") is left out
    rather than guessed."""
    _, store = completed
    studies = _datasets(store, "cessda-oai")
    country = f"{EU}country/"
    assert studies["FSD3187"].spatial == [f"{country}FIN"]  # abbr="FI", in English and Finnish
    ipums = "ddi2-27c79f70-8e14-11e5-8c97-b82a72e0b782-cps_00097.dat-cps.ipums.org"
    assert studies[ipums].spatial == [f"{country}USA"]  # abbr="us"
    assert studies["ch.sidos.ddi.468.7773"].spatial == [f"{country}CHE"]  # FORS: abbr="CH", no name
    assert studies["6684"].spatial == []  # <nation>England</nation>
