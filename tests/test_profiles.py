"""The profiles' contract: one interface, one registry, every profile and access level held to it.

Every feed profile is run through the same checks (what it carries, the view it publishes, what
it adds to the catalogue, its shapes); the HealthDCAT-AP release is checked for what a release
must bring (its access levels, each with the release's rules and its own), and a release
declared here in the test proves that a new release is one class plus its shapes.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS as DCT

import shapes
from catalog import profiles, validation
from catalog.model import Dataset
from catalog.profiles import AccessLevel, DcatAp3, HealthDcatAp, HealthDcatApR8, Profile
from catalog.rdf import DCATAP, HEALTH, TripleSink
from catalog.store import StoredRecord
from tests.factories import EU, apgar_codes, mfr_dataset

ROOT = Path(__file__).resolve().parent.parent
FEEDS = list(profiles.FEEDS.values())
EVERY = FEEDS + [level for p in FEEDS for level in p.levels()]


def stored(kind: str, conforms: bool | None, deleted: bool = False) -> StoredRecord:
    return StoredRecord("u", "k", kind, "mfr", "{}", "h", "t", "t", "t" if deleted else None, 1, None, conforms, None)


def test_the_registry_names_three_feeds_the_ehds_feed_first_and_refuses_an_unknown_name_listing_them() -> None:
    assert profiles.names() == ["healthdcat-ap", "dcat-ap-no", "dcat-ap-3"]
    assert profiles.EHDS == "healthdcat-ap" and profiles.ehds() is profiles.get("healthdcat-ap")
    with pytest.raises(profiles.UnknownProfile, match="healthdcat-ap, dcat-ap-no, dcat-ap-3"):
        profiles.get("dcat-ap-4")


def test_the_profiles_chain_as_the_standards_build_on_each_other() -> None:
    ehds = profiles.ehds()
    assert type(ehds) is profiles.RELEASES[-1]
    assert HealthDcatAp in type(ehds).__mro__ and DcatAp3 in type(ehds).__mro__
    assert isinstance(profiles.get("dcat-ap-no"), DcatAp3)
    for level in ehds.levels():
        assert {AccessLevel, type(ehds)} <= set(type(level).__mro__)


@pytest.mark.parametrize("profile", EVERY, ids=lambda p: p.name)
def test_every_profile_and_level_names_its_standard_and_existing_shapes_that_compile(profile: Profile) -> None:
    assert profile.name and profile.title
    assert profile.shapes and all(shapes.path(name).is_file() for name in profile.shapes)
    assert validation.PROFILES[profile.name] == list(profile.shapes)
    assert validation.get_profile(profile.name).compiled is not None


@pytest.mark.parametrize("profile", FEEDS, ids=lambda p: p.name)
def test_no_feed_carries_a_deleted_record_and_only_the_ehds_feed_asks_datasets_to_conform(profile: Profile) -> None:
    ehds = profile is profiles.ehds()
    assert not profile.includes(stored("dataset", True, deleted=True))
    assert profile.includes(stored("dataset", True))
    assert profile.includes(stored("dataset", False)) is not ehds
    assert profile.includes(stored("dataset", None)) is not ehds
    used = dataclasses.replace(stored("codelist", True), referenced=True)
    assert profile.includes(used)
    assert profile.includes(dataclasses.replace(used, conforms=False)) is not ehds, "the EHDS feed: only conforming"
    assert profile.includes(dataclasses.replace(used, referenced=False)) is not ehds, "the EHDS feed: only those used"
    assert profile.includes(stored("codelist", True)) is not ehds, "the EHDS feed: only when the store said"
    assert profile.checked_kinds == (("dataset", "service", "product", "codelist") if ehds else ())


@pytest.mark.parametrize("profile", FEEDS, ids=lambda p: p.name)
def test_only_the_ehds_feed_publishes_a_completed_view(profile: Profile, settings) -> None:
    d = mfr_dataset(hdab=None)
    view = profile.published(d, settings).record
    assert isinstance(view, Dataset)
    if profile is profiles.ehds():
        assert view.hdab is not None and view.hdab.name["nb"] == settings.hdab_name
        assert profile.view_digest(settings, "mfr")
    else:
        assert view is d and profile.view_digest(settings, "mfr") is None
    assert profile.published(apgar_codes(), settings).record == apgar_codes()


@pytest.mark.parametrize("profile", FEEDS, ids=lambda p: p.name)
def test_what_each_profile_says_of_the_catalogue(profile: Profile, settings) -> None:
    g = TripleSink()
    cat = profile.add_catalog(g, settings, "2026-12-04T00:00:00+00:00")
    said = {p for s, p, _o in g if s == cat}
    assert {DCT.title, DCT.description, DCT.publisher, DCT.modified} <= said
    assert (DCATAP.applicableLegislation in said) is (profile is profiles.ehds())
    assert (DCT.identifier in said) is (profile.name == "dcat-ap-no")


@pytest.mark.parametrize("profile", FEEDS, ids=lambda p: p.name)
def test_every_profile_writes_a_dataset_and_a_code_list_under_their_own_iris(profile: Profile, settings) -> None:
    for record in (mfr_dataset(), apgar_codes()):
        g = TripleSink()
        assert profile.add_body(g, record, settings, "mfr") == URIRef(record.uri)
    g = TripleSink()
    profile.add_body(g, mfr_dataset(hdab=None), settings, "mfr")
    assert any(p == HEALTH.hdab for _s, p, _o in g) is (profile is profiles.ehds())


@pytest.mark.parametrize("code", ["PUBLIC", "RESTRICTED", "NON_PUBLIC"])
def test_a_dataset_is_checked_by_the_rules_of_its_own_access_level(code: str) -> None:
    ehds = profiles.ehds()
    d = mfr_dataset(access_rights=EU + f"access-right/{code}", contact=None, provenance={}, dataset_type=None)
    level = ehds.level_of(d)
    assert level is not None and level.access_right == EU + f"access-right/{code}"
    assert level.official == code.lower().replace("_", "-")
    assert level.shapes == ehds.base_shapes + (ehds.level_shapes[code],)
    # the level's own shape set finds what the release's whole set finds for this dataset
    assert validation.validate_records([d], level.name)[0].to_dict() | {"profile": ""} == validation.validate_records(
        [d], ehds.name
    )[0].to_dict() | {"profile": ""}
    assert ehds.level_of(mfr_dataset(access_rights=None)) is None


def test_a_new_release_is_one_class_naming_its_shapes_and_gets_its_access_levels(tmp_path: Path) -> None:
    class HealthDcatApR9(HealthDcatApR8):
        title = "HealthDCAT-AP Release 9"
        release = "9"
        official_release = "release-9"
        level_shapes = {**HealthDcatApR8.level_shapes, "NON_PUBLIC": "healthdcat-ap-non-public-r9.ttl"}

    r9 = HealthDcatApR9()
    assert r9.shapes[-1] == "healthdcat-ap-non-public-r9.ttl"
    assert [level.name for level in r9.levels()] == [level.name for level in profiles.ehds().levels()]
    non_public = r9.levels()[-1]
    assert non_public.title == "HealthDCAT-AP Release 9, NON_PUBLIC" and isinstance(non_public, HealthDcatApR9)
    assert non_public.shapes == HealthDcatApR8.base_shapes + ("healthdcat-ap-non-public-r9.ttl",)
    assert r9.carries("dataset", False) is False, "what every release asks is inherited"


PROFILE_TESTS = re.compile(r"""profile\s*[!=]=\s*["']|["'](healthdcat-ap|dcat-ap-no|dcat-ap-3)["']""")


def test_outside_the_profiles_no_module_tests_a_profiles_name() -> None:
    """Profile differences live in the profile classes; the rest of the program asks the registry."""
    offenders = []
    for folder in ("catalog", "web", "harvesters"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "profiles" in path.relative_to(ROOT).parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PROFILE_TESTS.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []
