"""Operator completion: per-source defaults and the organisation register complete the published view,
field by field, never overwriting a source; a wrong setting is an error naming it, not a crashed harvest."""

from __future__ import annotations

import pytest

from catalog.config import ConfigError, Settings, SourceConfig, parse_organisations
from catalog.model import Agent, Dataset
from catalog.pipeline import harvest
from catalog.published import HEALTH_THEME, Published, hdab
from catalog.published import published_view as published
from catalog.rdf import to_graph
from tests.conftest import StaticServer
from tests.factories import mfr_dataset

SKATT = "https://data.brreg.no/enhetsregisteret/api/enheter/974761076"
REGISTER = {
    SKATT: {
        "name": "Skatteetaten",
        "org_number": "974761076",
        "email": "post@skatteetaten.example",
        "url": "https://skatt.example/",
    },
    "https://www.fsd.tuni.fi/": {
        "name": "Finnish Social Science Data Archive",
        "aliases": ["FSD"],
        "url": "https://fsd.example/",
    },
}


class View(Published):
    """A dataset's published view, typed as a dataset for the assertions."""

    record: Dataset


def published_view(record: Dataset, settings: Settings, src: SourceConfig | None = None) -> View:
    view = published(record, settings, src)
    assert isinstance(view.record, Dataset)
    return View(view.record, view.completed, view.added)


def source(defaults: dict) -> SourceConfig:
    return SourceConfig(name="src", kind="dcat", url="http://127.0.0.1/feed.ttl", options={"defaults": defaults})


def with_register(settings: Settings, register: dict = REGISTER) -> Settings:
    settings.organisations = parse_organisations(register)
    return settings


@pytest.mark.parametrize(
    "publisher",
    [
        Agent(uri=SKATT),  # by IRI
        Agent(uri="http://data.brreg.no/enhetsregisteret/enhet/974761076.json"),  # by the number in a Brreg IRI
        Agent(identifier="974761076", name={"nb": "SKATTEETATEN"}),  # by dct:identifier
    ],
    ids=["iri", "brreg-iri", "org-number"],
)
def test_the_register_completes_a_publisher_found_by_iri_or_organisation_number(settings, publisher):
    view = published_view(mfr_dataset(publisher=publisher), with_register(settings))
    completed = view.record.publisher
    assert completed.email == "post@skatteetaten.example" and completed.url == "https://skatt.example/"
    assert completed.name == (publisher.name or {"": "Skatteetaten"})  # a name the source states stays
    assert completed.uri == (publisher.uri or SKATT)
    assert view.origin("publisher.email").setting == f'organisations."{SKATT}".email'


PUBLIC_HEALTH_REGISTRY = (
    "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type/public-health-registry"
)


@pytest.mark.parametrize("said", ["public-health-registry", "Offentlig helseregister", "PUBLIC HEALTH REGISTRY"])
def test_the_register_gives_a_publisher_without_a_type_the_entrys_type_named_by_its_code_or_label(settings, said):
    register = {SKATT: {"name": "Skatteetaten", "type": said}}
    view = published_view(mfr_dataset(publisher=Agent(uri=SKATT)), with_register(settings, register))
    assert view.record.publisher.type == PUBLIC_HEALTH_REGISTRY
    assert view.origin("publisher.type").setting == f'organisations."{SKATT}".type'


def test_the_registers_type_leaves_the_type_a_publisher_states(settings):
    national = "http://purl.org/adms/publishertype/NationalAuthority"
    register = {SKATT: {"name": "Skatteetaten", "type": "public-health-registry"}}
    view = published_view(mfr_dataset(publisher=Agent(uri=SKATT, type=national)), with_register(settings, register))
    assert view.record.publisher.type == national
    assert view.origin("publisher.type") is None


def test_the_register_completes_custodian_and_creator_found_by_name_or_alias(settings):
    d = mfr_dataset(
        custodian=Agent(name={"en": "FSD"}), creator=Agent(name={"en": "Finnish Social Science Data Archive"})
    )
    view = published_view(d, with_register(settings))
    assert view.record.custodian.url == view.record.creator.url == "https://fsd.example/"
    assert view.record.custodian.uri == "https://www.fsd.tuni.fi/"


def test_a_default_agent_fills_what_the_source_left_out_and_keeps_what_it_said(settings):
    d = mfr_dataset(publisher=Agent(name={"nb": "Folkehelseinstituttet"}), contact=Agent(name={"nb": "MFR"}))
    src = source(
        {
            "publisher": {"name": "Folkehelseinstituttet", "email": "fhi@example.org", "uri": "https://fhi.example/"},
            "contact": {"name": "Overwritten?", "url": "https://fhi.example/kontakt"},
        }
    )
    view = published_view(d, settings, src)
    assert view.record.publisher == Agent(
        name={"nb": "Folkehelseinstituttet"}, uri="https://fhi.example/", email="fhi@example.org"
    )
    assert view.record.contact == Agent(name={"nb": "MFR"}, url="https://fhi.example/kontakt")
    assert {c.field for c in view.completed} >= {"publisher.email", "publisher.uri", "contact.url"}
    assert view.origin("contact.url").setting == "sources.src.options.defaults.contact.url"


def test_a_default_publisher_leaves_another_party_alone(settings):
    src = source({"publisher": {"name": "Skatteetaten", "email": "skatt@example.org"}})
    view = published_view(mfr_dataset(publisher=Agent(name={"nb": "UNESCO"})), settings, src)
    assert view.record.publisher == Agent(name={"nb": "UNESCO"})  # someone else: not given Skatteetaten's e-mail
    nobody = published_view(mfr_dataset(publisher=None), settings, src)
    assert nobody.record.publisher == Agent(name={"": "Skatteetaten"}, email="skatt@example.org")


def test_field_defaults_fill_only_empty_fields_and_the_store_keeps_what_the_source_said(settings):
    d = mfr_dataset(themes=[], provenance={})
    src = source(
        {"themes": ["http://publications.europa.eu/resource/authority/data-theme/SOCI"], "provenance": "Fra X."}
    )
    view = published_view(d, settings, src)
    assert view.record.themes == ["http://publications.europa.eu/resource/authority/data-theme/SOCI", HEALTH_THEME]
    assert view.record.provenance == {"": "Fra X."}
    assert d.themes == [] and view.origin("themes").setting == "sources.src.options.defaults.themes"
    kept = published_view(mfr_dataset(), settings, src).record
    assert kept.themes == mfr_dataset().themes  # stated by the source: never replaced


def test_a_default_may_name_a_code_of_its_fields_eu_list(settings):
    """An operator completing the real Difi catalogue wrote `health_categories = ["PHDR"]`, as the
    publisher kit's metadata takes it, and was told only that "PHDR" is not an IRI."""
    src = source({"health_categories": ["PHDR"], "access_rights": "NON_PUBLIC", "spatial": "NOR"})
    record = published_view(mfr_dataset(health_categories=[], access_rights=None, spatial=[]), settings, src).record
    assert record.health_categories == [
        "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/PHDR"
    ]
    assert record.access_rights == "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"
    assert record.spatial == ["http://publications.europa.eu/resource/authority/country/NOR"]
    with pytest.raises(ConfigError, match="neither an http.s. IRI nor a code of https://hdeu-dcat"):
        source({"health_categories": ["PH DR"]})


def test_the_catalogue_adds_its_access_body_and_says_so(settings):
    view = published_view(mfr_dataset(hdab=None), settings)
    assert view.record.hdab.name["nb"] == settings.hdab_name
    assert view.origin("hdab").by == "catalogue"


def test_the_feed_names_one_access_body_where_a_source_names_the_catalogues_own(settings):
    """The central registries name Helsedataservice themselves, under another IRI; the EHDS feed
    named it so for them and by the catalogue's address for every other dataset: two bodies for
    one. With the body in the organisation register, the same body (by IRI, e-mail or name) is
    named as the register has it; another stays, and so does any without the register's entry."""
    settings.values.update(hdab_name="Helsedataservice", hdab_email="helsedata@helsedir.no")
    same = Agent(name={"nb": "HDS"}, uri="https://helsedata.no/om/", email="Helsedata@helsedir.no")
    other = Agent(name={"nb": "Regionalt tilgangsorgan"}, uri="https://tilgang.example/", email="post@tilgang.example")
    assert published_view(mfr_dataset(hdab=same), settings).record.hdab == same  # no entry: as the source says
    registered = with_register(settings, {"https://helsedata.no/no/om-helsedataservice/": {"name": "Helsedataservice"}})
    assert published_view(mfr_dataset(hdab=same), registered).record.hdab == hdab(registered)
    assert hdab(registered).uri == "https://helsedata.no/no/om-helsedataservice/"
    assert published_view(mfr_dataset(hdab=other), registered).record.hdab == other


def test_the_access_body_is_named_as_the_organisation_register_has_it(settings):
    """Registered, the body is its entry's IRI, names and number: the catalogue's own address for
    it answered 404, and its English name was the Norwegian one."""
    iri = "https://helsedata.no/no/om-helsedataservice/"
    entry = {"name": {"nb": "Helsedataservice", "en": "Health Data Service"}, "org_number": "983544622"}
    settings = with_register(settings, {iri: entry})
    settings.values.update(hdab_name="Helsedataservice", hdab_email="helsedata@helsedir.no")
    body = published_view(mfr_dataset(hdab=None), settings).record.hdab
    assert body.uri == iri and body.name == {"nb": "Helsedataservice", "en": "Health Data Service"}
    assert body.identifier == "983544622" and body.email == "helsedata@helsedir.no"


def test_every_dataset_of_the_ehds_feed_has_the_eu_data_theme_heal_as_release_8_requires(settings):
    """Release 8's vocabulary shapes require dcat:theme HEAL of every dataset; the real Difi and
    Skatteetaten datasets state GOVE, ECON, REGI or TRAN, and a default fills only empty fields."""
    gove = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
    stored = mfr_dataset(themes=[gove])
    view = published_view(stored, settings)
    assert view.record.themes == [gove, HEALTH_THEME] and view.origin("themes").by == "catalogue"
    assert stored.themes == [gove], "the store keeps what the source said"
    stated = published_view(mfr_dataset(themes=[HEALTH_THEME, gove]), settings)
    assert stated.record.themes == [HEALTH_THEME, gove] and stated.origin("themes") is None


def test_a_creator_nobody_can_name_is_left_out_of_the_published_view(settings):
    assert published_view(mfr_dataset(creator=Agent(uri="https://x.example/a")), settings).record.creator is None


@pytest.mark.parametrize(
    "defaults, setting",
    [
        ({"contact": {"email": "not an address"}}, "sources.src.options.defaults.contact.email"),
        ({"contact": {"uri": "https://x.example/"}}, "sources.src.options.defaults.contact"),
        ({"publisher": "Skatteetaten"}, "sources.src.options.defaults.publisher"),
        ({"publisher": {"url": "ftp://x"}}, "sources.src.options.defaults.publisher.url"),
        ({"access_rights": "not public"}, "sources.src.options.defaults.access_rights"),
        ({"themes": ["HEAL", "data-theme/HEAL"]}, "sources.src.options.defaults.themes[1]"),
        ({"themes": ["HEAL", "helse"]}, "sources.src.options.defaults.themes[1]"),  # no code of the list
        ({"health_categories": ["PHDX"]}, "sources.src.options.defaults.health_categories[0]"),
        ({"landing_page": "HEAL"}, "sources.src.options.defaults.landing_page"),  # no list: an IRI
        ({"has_structured_data": "yes"}, "sources.src.options.defaults.has_structured_data"),
        ({"number_of_records": -1}, "sources.src.options.defaults.number_of_records"),
        ({"temporal_start": "last year"}, "sources.src.options.defaults.temporal_start"),
        ({"description": "Made up"}, "sources.src.options.defaults.description"),
        ({"colour": "red"}, "sources.src.options.defaults"),
    ],
)
def test_a_wrong_default_is_an_error_naming_the_setting(defaults, setting):
    with pytest.raises(ConfigError) as raised:
        source(defaults)
    assert str(raised.value).startswith(setting + ":")


@pytest.mark.parametrize(
    "entry, setting",
    [
        ({"org_number": "974761077"}, ".org_number"),  # fails the modulus-11 check
        ({"email": "nobody"}, ".email"),
        ({"url": "www.example.org"}, ".url"),
        ({"phone": "123"}, ""),
        ({"aliases": "FSD"}, ".aliases"),
        ({"type": "public-health-registr"}, ".type"),
    ],
)
def test_a_wrong_register_entry_is_an_error_naming_it(entry, setting):
    with pytest.raises(ConfigError) as raised:
        parse_organisations({SKATT: {"name": "Skatteetaten", **entry}})
    assert str(raised.value).startswith(f'organisations."{SKATT}"{setting}:')


def test_a_misspelt_register_type_names_the_closest_publisher_types():
    with pytest.raises(ConfigError) as raised:
        parse_organisations({SKATT: {"name": "Skatteetaten", "type": "Offentleg helseregistre"}})
    assert str(raised.value).startswith(
        f"organisations.\"{SKATT}\".type: 'Offentleg helseregistre' er ikke en utgivertype"
    )
    assert " | 'Offentleg helseregistre' is not a publisher type" in str(raised.value)
    assert "the closest: 'Offentleg helseregister'" in str(raised.value)


def test_an_entrys_type_is_kept_when_the_register_is_written_back(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.toml").write_text(
        f'[organisations."{SKATT}"]\nname = "Skatteetaten"\ntype = "Offentlig helseregister"\n'
    )
    settings = Settings.load(home)
    settings.save_organisations()
    assert Settings.load(home).organisations[SKATT].type == PUBLIC_HEALTH_REGISTRY


def test_two_entries_with_one_organisation_number_are_refused():
    with pytest.raises(ConfigError, match="also the number of"):
        parse_organisations({SKATT: {"org_number": "974761076"}, "https://x.example/": {"org_number": "974761076"}})


def test_the_register_is_read_from_catalog_toml_and_a_bad_one_stops_the_start(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "catalog.toml").write_text(f'[organisations."{SKATT}"]\nname = "Skatteetaten"\norg_number = "974761076"\n')
    assert Settings.load(home).organisations[SKATT].org_number == "974761076"
    (home / "catalog.toml").write_text(f'[organisations."{SKATT}"]\nemail = "x"\n')
    with pytest.raises(ConfigError, match=r'catalog.toml: organisations."https://data.brreg.no/.*".email'):
        Settings.load(home)


def feed(settings: Settings, server: StaticServer, records: list, defaults: dict) -> None:
    """A registry's feed on loopback, configured as the source "mfr" with these defaults."""
    url = server.serve("/mfr/catalog.ttl", to_graph(records).serialize(format="turtle"), Content_Type="text/turtle")
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=url)
    settings.sources["mfr"].options["defaults"] = defaults  # set after construction, as code may


def test_an_agent_valued_default_completes_the_harvest_instead_of_crashing_it(settings, store, server):
    bare = mfr_dataset(contact=None, publisher=Agent(name={"nb": "Folkehelseinstituttet"}))
    feed(settings, server, [bare], {"contact": {"name": "MFR", "email": "mfr@example.org"}})
    [result] = harvest(settings, store, None)
    assert result.ok and result.counts["errors"] == 0
    stored = store.get(bare.uri)
    assert stored.record.contact is None  # the store keeps what the source said
    assert published_view(stored.record, settings, settings.sources["mfr"]).record.contact.email == "mfr@example.org"


def test_a_bad_default_set_in_code_stops_the_harvest_before_any_run(settings, store, server):
    feed(settings, server, [mfr_dataset()], {"contact": {"email": "nope"}})
    with pytest.raises(ConfigError, match="sources.mfr.options.defaults.contact.email"):
        harvest(settings, store, None)
    assert store.last_run("mfr") is None
