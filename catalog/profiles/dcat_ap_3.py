"""DCAT-AP 3.0.1: every live record, as its source said it."""

from __future__ import annotations

from typing import ClassVar

from catalog.profiles.base import Profile


class DcatAp3(Profile):
    """The base of the others: `Profile`'s defaults are DCAT-AP 3's."""

    name = "dcat-ap-3"
    title = "DCAT-AP 3.0.1"
    shapes: ClassVar[tuple[str, ...]] = ("common.ttl", "dcat-ap-3.ttl", "marketplace.ttl")
