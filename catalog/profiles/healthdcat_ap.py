"""HealthDCAT-AP, the EHDS feed: conforming datasets only, completed by the operator, with the access body.

What every release shares is `HealthDcatAp`; what one release says is its subclass (its title,
its shapes files, its access levels' files). The EHDS feed speaks the newest release in
`catalog.profiles.RELEASES`. Moving to the next release (they come every few months):

1. copy the release's changes into our shapes (`shapes/healthdcat-ap*.ttl`, new files for
   rules that differ from the current release's, so both can be loaded);
2. add `class HealthDcatApR9(HealthDcatApR8)` naming them (and overriding what it writes
   differently, e.g. `write_dataset` for a renamed term), and append it to `RELEASES`;
3. point the conformance tests at the release's official shapes (`official_release` below).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rdflib import URIRef
from rdflib.namespace import RDF

from catalog.config import Settings, SourceConfig
from catalog.model import Dataset, Record

if TYPE_CHECKING:
    from catalog.store import StoredRecord, StoreReader
from catalog.profiles.base import AccessLevel
from catalog.profiles.dcat_ap_3 import DcatAp3
from catalog.published import Published, published_view, view_digest
from catalog.rdf import DCATAP, ELI, EU, TripleWriter

EHDS_REGULATION = "http://data.europa.eu/eli/reg/2025/327/oj"
"""Regulation (EU) 2025/327 on the European Health Data Space: the catalogue's applicable legislation."""
ACCESS_RIGHT = EU + "access-right/"
LEVELS: dict[str, str] = {"PUBLIC": "public", "RESTRICTED": "restricted", "NON_PUBLIC": "non-public"}
"""HealthDCAT-AP's access levels: the EU access-right code -> the name of its shape set."""


class HealthDcatAp(DcatAp3):
    """What every HealthDCAT-AP release asks: a dataset reaches the feed only when its published
    view (the source's statements completed by the operator, `catalog.published`) conforms, and
    a code list only when it conforms (DCAT-AP 3's rules of a concept scheme and its concepts,
    `shapes/dcat-ap-3.ttl`) and a dataset there uses it (the feed exchanged with the EU holds
    what its datasets need and nothing else); the catalogue names the EHDS regulation as its
    applicable legislation."""

    name = "healthdcat-ap"
    checked_kinds = ("dataset", "service", "product", "codelist")
    referenced_kinds = ("codelist",)
    release: ClassVar[str] = ""
    official_release: ClassVar[str] = ""
    """The folder of the release's official files under ../shared/standards/healthdcat-ap."""
    base_shapes: ClassVar[tuple[str, ...]] = ()
    """Our shapes every dataset of the release is checked with, whatever its access level."""
    level_shapes: ClassVar[dict[str, str]] = {}
    """Access-right code -> our shapes file with the rules of that level only."""
    level_classes: ClassVar[tuple[type[AccessLevel], ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        """A release's access levels: one class each, its shapes the release's plus the level's file."""
        super().__init_subclass__(**kwargs)
        if issubclass(cls, AccessLevel) or not cls.release:
            return
        cls.shapes = cls.base_shapes + tuple(cls.level_shapes[code] for code in LEVELS)
        cls.level_classes = tuple(
            type(
                f"{cls.__name__}{official.title().replace('-', '')}",
                (AccessLevel, cls),
                {
                    "name": f"{cls.name}/{official}",
                    "title": f"{cls.title}, {code}",
                    "shapes": cls.base_shapes + (cls.level_shapes[code],),
                    "access_right": ACCESS_RIGHT + code,
                    "official": official,
                    "__doc__": f"{cls.title} for datasets whose access rights are {code}.",
                },
            )
            for code, official in LEVELS.items()
        )

    def levels(self) -> Sequence[AccessLevel]:
        return [level() for level in self.level_classes]

    def level_of(self, dataset: Dataset) -> AccessLevel | None:
        """The access level whose rules the dataset is checked by (None: it states none we know)."""
        return next((level for level in self.levels() if level.describes(dataset)), None)

    def published(self, record: Record, settings: Settings, source: SourceConfig | None = None) -> Published:
        return published_view(record, settings, source)

    def view_digest(self, settings: Settings, source: str) -> str | None:
        return view_digest(settings, source)

    def add_dataset_extras(self, g: TripleWriter, subject: URIRef, dataset: Dataset, settings: Settings) -> None:
        """The catalogue's synthetic sample of each dataset with variables (`adms:sample`)."""
        from catalog.synthetic import add_sample

        add_sample(g, dataset, settings.base_uri)

    def add_catalog(self, g: TripleWriter, settings: Settings, modified: str | None = None) -> URIRef:
        """The EHDS regulation as the catalogue's legislation, the metrics of the quality and utility
        label its datasets carry, and the data use register (EHDS Art. 58)."""
        from catalog import label, uses

        cat = super().add_catalog(g, settings, modified)
        g.add((cat, DCATAP.applicableLegislation, URIRef(EHDS_REGULATION)))
        g.add((URIRef(EHDS_REGULATION), RDF.type, ELI.LegalResource))
        label.add_metrics(g)
        uses.add_register(g, cat, settings)
        return cat

    def gather(self, store: StoreReader, rows: Sequence[StoredRecord]) -> Mapping[str, dict[str, Any]]:
        """Besides a service's datasets: each dataset's label and the data permits that name it."""
        from catalog import label, uses

        facts = {uri: dict(found) for uri, found in super().gather(store, rows).items()}
        datasets = [r.uri for r in rows if r.kind == "dataset"]
        if datasets:
            labels = store.labels(datasets)
            permits = uses.of_datasets(store, datasets)
            for uri in datasets:
                facts[uri] = {
                    "label": label.Label.from_json(labels[uri][1]) if uri in labels else None,
                    "uses": permits.get(uri, []),
                }
        return facts

    def add_live(self, g: TripleWriter, stored: StoredRecord, facts: dict[str, Any] | None, settings: Settings) -> None:
        from catalog import label, uses

        super().add_live(g, stored, facts, settings)
        if not facts:
            return
        subject = URIRef(stored.uri)
        if facts.get("label") is not None:
            label.add_label(g, subject, stored.key, facts["label"], settings)
        for use in facts.get("uses", ()):
            uses.add_use(g, subject, use, settings)


class HealthDcatApR8(HealthDcatAp):
    """Release 8 (September 2026): its shapes per access level, `hdabCoordinator`, titled table groups."""

    title = "HealthDCAT-AP Release 8"
    release = "8"
    official_release = "release-8"
    base_shapes = ("common.ttl", "dcat-ap-3.ttl", "healthdcat-ap.ttl", "variables.ttl", "marketplace.ttl")
    level_shapes = {
        "PUBLIC": "healthdcat-ap-public.ttl",
        "RESTRICTED": "healthdcat-ap-restricted.ttl",
        "NON_PUBLIC": "healthdcat-ap-non-public.ttl",
    }
