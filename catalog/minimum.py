"""The EHDS minimum metadata: which of the elements Implementing Regulation (EU) 2026/2098 lists a dataset lacks.

Article 77 of Regulation (EU) 2025/327 has the Commission set the minimum elements data holders
give for each dataset; Implementing Regulation (EU) 2026/2098 lists them in Part B of its Annex
(27 elements, each to be expressed as HealthDCAT-AP defines it). This module checks each live
dataset against that list, on the same view the EHDS feed publishes (`catalog.profiles`: the
source's statements completed by the operator), so an element the operator supplied counts.

It is a different question from readiness (`catalog.readiness`: does the published view conform
to HealthDCAT-AP's shapes, so that the feed may carry it?): an element can be present and still
break a shape (a health category outside the EU vocabulary), and a dataset can conform without
elements HealthDCAT-AP only recommends (code values, personal data, the generating activity).

An element counts as present when the view holds a value HealthDCAT-AP would read as that element:
an agent with a name and an e-mail address or web page (a contact point, a vCard, with either:
Release 8's `Kind_Shape` asks no name of it), a distribution with an access URL, a period
with a start or an end. Where the Annex says "where applicable", the catalogue asks for the
element unless it can tell that it does not apply (`Element.applies`): variables only for a dataset
with structured data; coding systems and code values not for a dataset whose listed variables use
no code list or coding system; the access body not for a PUBLIC dataset. README ("EHDS minimum
metadata") says where our reading of the Annex differs from the issue's list and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog import profiles
from catalog.config import Settings
from catalog.model import Agent, Dataset, text
from catalog.readiness import publisher_identity
from catalog.store import StoredRecord, StoreReader
from catalog.texts import Said, in_ui_language

PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


def _reachable(contact: Agent | None) -> bool:
    """A contact point as HealthDCAT-AP reads one: a vCard with an e-mail address or a web page."""
    return contact is not None and bool(contact.email or contact.url)


def _agent(agent: Agent | None) -> bool:
    """An agent: reachable, and with a name."""
    return agent is not None and _reachable(agent) and any(n.strip() for n in agent.name.values())


def _text(value: dict[str, str]) -> bool:
    return any(v.strip() for v in value.values())


def _structured(d: Dataset) -> bool:
    return d.has_structured_data is not False


def _coded(d: Dataset) -> bool:
    """Whether codes can apply: variables are not listed, or some use a code list or coding system."""
    return not d.variables or any(v.codelist or v.coding_system for v in d.variables)


@dataclass(frozen=True)
class Element:
    """One minimum element of Annex Part B and the HealthDCAT-AP property that expresses it."""

    curie: str
    en: str
    nb: str
    nn: str
    present: Callable[[Dataset], bool]
    applies: Callable[[Dataset], bool] = lambda d: True
    condition: Said = Said("", "")  # when it applies, for people: "Norsk | English", and in nynorsk

    def name_in(self, lang: str) -> str:
        return in_ui_language(lang, self.nb, self.nn, self.en)


ELEMENTS: tuple[Element, ...] = (
    Element("dct:accessRights", "Access rights", "Tilgangsnivå", "Tilgangsnivå", lambda d: bool(d.access_rights)),
    Element(
        "dcatap:applicableLegislation",
        "Applicable legislation",
        "Gjeldende regelverk",
        "Gjeldande regelverk",
        lambda d: bool(d.applicable_legislation),
    ),
    Element(
        "healthdcatap:hasCodeValues",
        "Code values",
        "Kodeverdier",
        "Kodeverdiar",
        lambda d: bool(d.code_values),
        _coded,
        Said("når variablene bruker koder | when the variables use codes", "når variablane brukar kodar"),
    ),
    Element(
        "healthdcatap:hasCodingSystem",
        "Coding system",
        "Kodeverk",
        "Kodeverk",
        lambda d: bool(d.coding_systems),
        _coded,
        Said("når variablene bruker koder | when the variables use codes", "når variablane brukar kodar"),
    ),
    Element("dcat:contactPoint", "Contact point", "Kontaktpunkt", "Kontaktpunkt", lambda d: _reachable(d.contact)),
    Element("dct:conformsTo", "Conforms to", "Følger standard", "Følgjer standard", lambda d: bool(d.conforms_to)),
    Element("geodcatap:custodian", "Custodian", "Dataansvarlig", "Dataansvarleg", lambda d: _agent(d.custodian)),
    Element("dct:description", "Description", "Beskrivelse", "Skildring", lambda d: _text(d.description)),
    Element(
        "dcat:distribution",
        "Distribution",
        "Distribusjon",
        "Distribusjon",
        lambda d: any(x.access_url for x in d.distributions),
    ),
    Element(
        "dct:spatial", "Geographical coverage", "Geografisk dekning", "Geografisk dekning", lambda d: bool(d.spatial)
    ),
    Element(
        "dpv:hasPersonalData",
        "Has personal data",
        "Personopplysninger",
        "Personopplysningar",
        lambda d: bool(d.has_personal_data),
    ),
    Element(
        "healthdcatap:hdab",
        "Health data access body",
        "Helsedatatilgangsorgan",
        "Helsedatatilgangsorgan",
        lambda d: _agent(d.hdab),
        lambda d: d.access_rights != PUBLIC,
        Said("for data som ikke er åpne | for data that are not public", "for data som ikkje er opne"),
    ),
    Element(
        "healthdcatap:healthCategory",
        "Health category",
        "Helsedatakategori",
        "Helsedatakategori",
        lambda d: bool(d.health_categories),
    ),
    Element("healthdcatap:healthTheme", "Health theme", "Helsetema", "Helsetema", lambda d: bool(d.health_themes)),
    Element("dct:identifier", "Identifier", "Identifikator", "Identifikator", lambda d: bool(d.identifier.strip())),
    Element(
        "healthdcatap:hasStructuredData",
        "Is structured",
        "Strukturerte data",
        "Strukturerte data",
        lambda d: d.has_structured_data is not None,
    ),
    Element("dcat:keyword", "Keyword", "Emneord", "Emneord", lambda d: any(words for words in d.keywords.values())),
    Element("dct:language", "Language", "Språk", "Språk", lambda d: bool(d.languages)),
    Element(
        "healthdcatap:numberOfRecords",
        "Number of records",
        "Antall poster",
        "Tal på postar",
        lambda d: d.number_of_records is not None,
    ),
    Element(
        "healthdcatap:numberOfUniqueIndividuals",
        "Number of unique individuals",
        "Antall unike individer",
        "Tal på unike individ",
        lambda d: d.number_of_unique_individuals is not None,
    ),
    Element("dct:provenance", "Provenance", "Opphav", "Opphav", lambda d: _text(d.provenance)),
    Element("dct:publisher", "Publisher", "Utgiver", "Utgivar", lambda d: _agent(d.publisher)),
    Element(
        "dct:temporal",
        "Temporal coverage",
        "Tidsperiode",
        "Tidsperiode",
        lambda d: bool(d.temporal_start or d.temporal_end),
    ),
    Element("dct:title", "Title", "Tittel", "Tittel", lambda d: _text(d.title)),
    Element("dct:type", "Type", "Type", "Type", lambda d: bool(d.dataset_type)),
    Element(
        "healthdcatap:hasVariables",
        "Variables",
        "Variabler",
        "Variablar",
        lambda d: bool(d.variables),
        _structured,
        Said(
            "når datasettet har strukturerte data | when the dataset has structured data",
            "når datasettet har strukturerte data",
        ),
    ),
    Element("prov:wasGeneratedBy", "Was generated by", "Generert av", "Laga av", lambda d: bool(d.generated_by)),
)
"""The 27 elements of Annex Part B, in its order."""

BY_CURIE = {e.curie: e for e in ELEMENTS}


def missing(view: Dataset) -> list[str]:
    """The CURIEs of the elements that apply to the (published) dataset and that it lacks, in Annex order."""
    return [e.curie for e in ELEMENTS if e.applies(view) and not e.present(view)]


@dataclass
class DatasetCheck:
    """One dataset's minimum elements: what it lacks, and where it sits (source, publisher)."""

    uri: str
    key: str
    title: str
    source: str
    publisher: str
    publisher_key: str
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        """The exchange form: `{"dataset": URI, "missing": [CURIE, ...]}`."""
        return {"dataset": self.uri, "missing": list(self.missing)}


@dataclass
class Summary:
    """How many datasets have every element, and which elements are lacking most often."""

    datasets: int = 0
    complete: int = 0
    gaps: Counter[str] = field(default_factory=Counter)

    def add(self, d: DatasetCheck) -> None:
        self.datasets += 1
        self.complete += d.complete
        self.gaps.update(d.missing)

    @property
    def percent(self) -> float:
        return 100.0 * self.complete / self.datasets if self.datasets else 100.0

    def frequent(self, top: int | None = None) -> list[tuple[str, int]]:
        """(CURIE, datasets lacking it), the most frequent first, then in Annex order."""
        order = {e.curie: i for i, e in enumerate(ELEMENTS)}
        return sorted(self.gaps.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99)))[:top]

    def to_dict(self) -> dict[str, Any]:
        return {
            "datasets": self.datasets,
            "complete": self.complete,
            "gaps": [{"element": curie, "datasets": n} for curie, n in self.frequent()],
        }


@dataclass
class Check:
    """Every dataset in scope, with summaries for the catalogue, per source and per publisher."""

    datasets: list[DatasetCheck] = field(default_factory=list)

    def summary(self, datasets: Iterable[DatasetCheck] | None = None) -> Summary:
        out = Summary()
        for d in self.datasets if datasets is None else datasets:
            out.add(d)
        return out

    def by_source(self) -> dict[str, Summary]:
        groups: dict[str, list[DatasetCheck]] = {}
        for d in self.datasets:
            groups.setdefault(d.source, []).append(d)
        return {name: self.summary(ds) for name, ds in sorted(groups.items())}

    def by_publisher(self) -> dict[str, tuple[str, Summary]]:
        """publisher key -> (name, summary), the publishers with most incomplete datasets first."""
        groups: dict[str, list[DatasetCheck]] = {}
        names: dict[str, str] = {}
        for d in self.datasets:
            groups.setdefault(d.publisher_key, []).append(d)
            names.setdefault(d.publisher_key, d.publisher)
        out = {key: (names[key], self.summary(ds)) for key, ds in groups.items()}
        return dict(sorted(out.items(), key=lambda kv: (kv[1][1].complete - kv[1][1].datasets, kv[1][0].casefold())))

    def of_source(self, name: str) -> list[DatasetCheck]:
        return [d for d in self.datasets if d.source == name]

    def of_publisher(self, key: str) -> list[DatasetCheck]:
        return [d for d in self.datasets if d.publisher_key == key]

    def to_list(self, datasets: Iterable[DatasetCheck] | None = None) -> list[dict[str, Any]]:
        return [d.to_dict() for d in (self.datasets if datasets is None else datasets)]


def check_dataset(stored: StoredRecord, settings: Settings) -> DatasetCheck:
    """One stored dataset, on the view the EHDS feed publishes."""
    view = profiles.ehds().published(stored.record, settings, settings.sources.get(stored.source)).record
    assert isinstance(view, Dataset)
    key, name = publisher_identity(view.publisher)
    return DatasetCheck(
        uri=stored.uri,
        key=stored.key,
        title=text(view.title) or view.identifier,
        source=stored.source,
        publisher=name,
        publisher_key=key,
        missing=missing(view),
    )


def check(store: StoreReader, settings: Settings, source: str | None = None) -> Check:
    """Every live dataset (of `source`, else all), in URI order."""
    return Check([check_dataset(stored, settings) for stored in store.records(source, kind="dataset")])


def format_text(found: Check, show: int = 0) -> str:
    """The check for people: each incomplete dataset (at most `show`, 0 for all) with what it lacks,
    then the summary: complete datasets, per source, and the most frequent gaps."""
    lines: list[str] = []
    incomplete = [d for d in found.datasets if not d.complete]
    for d in incomplete[: show or None]:
        lines.append(f"{d.uri}  ({d.source}) {d.title}")
        lines.append("  mangler | lacks: " + ", ".join(d.missing))
    if show and len(incomplete) > show:
        lines.append(f"... {len(incomplete) - show} more (--show 0 lists all)")
    total = found.summary()
    if not total.datasets:  # "0 of 0 (100 %)" read as if all were well
        return "Ingen datasett å sjekke | No datasets to check (nothing harvested yet from what was asked for)\n"
    lines += [
        "",
        f"Komplette datasett | Complete datasets: {total.complete} of {total.datasets} ({total.percent:.0f} %)",
    ]
    for name, s in found.by_source().items():
        lines.append(f"  {name}: {s.complete} of {s.datasets} complete")
    if total.gaps:
        lines.append("Hyppigste mangler | Most frequent gaps:")
        for curie, n in total.frequent(10):
            e = BY_CURIE[curie]
            lines.append(f"  {curie:40} {e.en:30} {n} datasets")
    return "\n".join(lines) + "\n"
