"""The standards the feeds speak, one class each, found by name in one registry.

As ckanext-dcat chains its profiles (`euro_dcat_ap_3` on `euro_dcat_ap_2`), ours build on each
other in the order the standards do:

    DcatAp3 (DCAT-AP 3.0.1)
     ├── HealthDcatAp (HealthDCAT-AP Release 8, the EHDS feed)
     │    └── one access level each: PUBLIC, RESTRICTED, NON_PUBLIC
     └── DcatApNo (DCAT-AP-NO 2.0)

A profile holds everything that differs between the feeds: its shapes (`shapes/`), which records
its feed carries (`carries`: the EHDS feed only conforming datasets), the view of a record it
publishes (`published`: the EHDS feed's operator completions), what it writes on the catalogue
(`add_catalog`) and on each record (`add_body`), and its hooks (see `Profile`). Every other module
asks the registry (`get`, `feeds`, `EHDS`) instead of testing a profile's name.

A new HealthDCAT-AP release is one subclass of the current release's class with its shapes, put
in `RELEASES` (CONTRIBUTING.md, "Adding a profile"); the README says which release we follow.
"""

from __future__ import annotations

from catalog.profiles.base import AccessLevel, Profile, UnknownProfile, catalog_uri
from catalog.profiles.dcat_ap_3 import DcatAp3
from catalog.profiles.dcat_ap_no import DcatApNo
from catalog.profiles.healthdcat_ap import HealthDcatAp, HealthDcatApR8

RELEASES: tuple[type[HealthDcatAp], ...] = (HealthDcatApR8,)
"""The HealthDCAT-AP releases we can write, oldest first; the last is what the EHDS feed speaks."""

FEEDS: dict[str, Profile] = {p.name: p for p in (RELEASES[-1](), DcatApNo(), DcatAp3())}
"""The feeds' profiles by name, the default (the EHDS feed) first."""

EHDS = next(iter(FEEDS))
"""The name of the EHDS feed's profile: the one whose published view the pipeline validates."""
BASE = DcatAp3.name
"""The profile every other builds on: every live record as its source said it (what dereferencing
a URI and SPARQL show, whatever the other feeds leave out)."""


def get(name: str) -> Profile:
    """The feed profile called `name`; `UnknownProfile` names the known ones."""
    try:
        return FEEDS[name]
    except KeyError:
        raise UnknownProfile(f"unknown profile {name!r}; choose one of {', '.join(FEEDS)}") from None


def ehds() -> HealthDcatAp:
    """The EHDS feed's profile (the current HealthDCAT-AP release)."""
    profile = FEEDS[EHDS]
    assert isinstance(profile, HealthDcatAp)
    return profile


def names() -> list[str]:
    return list(FEEDS)


def shape_sets() -> dict[str, tuple[str, ...]]:
    """Every profile and access level by name -> the shapes files that make it up (for validation)."""
    out: dict[str, tuple[str, ...]] = {}
    for profile in FEEDS.values():
        out[profile.name] = profile.shapes
        for level in profile.levels():
            out[level.name] = level.shapes
    return out


__all__ = [
    "AccessLevel",
    "BASE",
    "DcatAp3",
    "DcatApNo",
    "EHDS",
    "FEEDS",
    "HealthDcatAp",
    "HealthDcatApR8",
    "Profile",
    "RELEASES",
    "UnknownProfile",
    "catalog_uri",
    "ehds",
    "get",
    "names",
    "shape_sets",
]
