"""The data quality and utility label (EHDS Art. 78), computed for every dataset from what the catalogue knows.

Art. 78(3) lists what a label tells: (a) documentation, (b) technical quality, (c) the maturity of
the holder's quality management, (d) coverage, (e) access and provision times, (f) enrichments.
The QUANTUM project's label (the reference for HealthData@EU) scores datasets on 12 dimensions
with weighted metrics, most of them assessed by the holder from the data itself (completeness,
accuracy). A catalogue holds metadata, not data, so this label scores what metadata and the
catalogue's own records can support, and says which metric rests on what (`METRICS`):

| element | metric | method (value 0..1) |
|---|---|---|
| documentation | minimumElements | share of the EHDS minimum elements that apply and are present (`catalog.minimum`) |
| documentation | metadataQuality | the MQA-like score of the published view, in percent / 100 (`catalog.quality`) |
| documentation | variablesDocumented | share of variables with a label and a description |
| documentation | descriptionConfirmed | the holder confirmed its descriptions within a year: 1, within two: 0.5, else 0 (Art. 60) |
| technical quality | conformance | the published view conforms to HealthDCAT-AP: 1, else 0 |
| technical quality | variableTypes | share of variables with a CSVW datatype |
| technical quality | timeliness | the description's dct:modified against its stated update frequency: within 1.5 periods 3, 3 periods 2, 6 periods 1, else 0 (no dct:modified stated: 0); / 3 |
| technical quality | harvestReliability | share of the source's last 10 finished harvests that succeeded |
| maturity | qualityManagement | the holder's QUANTUM maturity level as the access body assessed it (`options.maturity`, 1..5): (level - 1) / 4 |
| coverage | coverageDescribed | share of population, number of individuals, period, area and typical ages stated |
| coverage | timeSpan | years covered: under 1 0, 1-5 1, 5-20 2, 20 or more 3; / 3 |
| access and provision | accessPolicy | QUANTUM's access policy levels: none 0, basic 1 (access rights), comprehensive 2 (access rights, a legal basis or legislation, and where to apply); / 2 |
| access and provision | timeToData | QUANTUM's levels for the mean days from application to data in the data use register (to the permit where a use gives no release date): over 180 0, 90-180 1, 30-90 2, under 30 3; / 3 |
| enrichments | semanticLinks | share of variables linked to a code list, a coding system or a concept |
| enrichments | codedContent | coding systems stated (0.5) and code values stated (0.5) |

A metric that cannot be assessed (no variables listed, no maturity assessment, no register
dates) is left out, not scored 0; an element's score is the mean of its assessed metrics (QUANTUM
weighs the two access metrics 50/50 too), and the label's score the mean of the assessed
elements, in percent. Labels are assessed by writers (the pipeline after a harvest, `catalog
reindex`, `catalog uses import`, `catalog confirm`) and kept in the store; the EHDS feed publishes
each as a `dqv:QualityCertificate` with one `dqv:QualityMeasurement` per metric.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, SKOS, XSD

from catalog import minimum, profiles, quality
from catalog.config import Settings
from catalog.confirmations import PUBLISHER, SOURCE, confirmation_level, harvest_confirms, holder_key
from catalog.model import Dataset, Variable
from catalog.rdf import DQV, HK, TripleWriter
from catalog.readiness import publisher_identity
from catalog.store import StoredRecord, StoreReader, StoreWriter, sqlite_beside, store_at
from catalog.texts import in_ui_language
from catalog.uses import register
from catalog.validation import Report

OA = Namespace("http://www.w3.org/ns/oa#")
VERSION = "2"
"""Changes when a metric's method does: every label is assessed again."""


@dataclass(frozen=True)
class Metric:
    name: str
    element: str
    en: str
    nb: str
    nn: str
    method: str  # how the value is computed, in English (the README and the feed describe it)
    method_nb: str = ""  # and in bokmål and nynorsk, for the label's page
    method_nn: str = ""

    def name_in(self, lang: str) -> str:
        return in_ui_language(lang, self.nb, self.nn, self.en)

    def method_in(self, lang: str) -> str:
        return in_ui_language(lang, self.method_nb, self.method_nn, self.method)


METHODS_NB = {
    "minimumElements": "Andelen av minimumselementene i gjennomføringsforordning (EU) 2026/2098 som gjelder "
    "datasettet og er på plass.",
    "metadataQuality": "Den MQA-lignende poengsummen for metadatakvaliteten til den publiserte beskrivelsen, i "
    "prosent av det høyeste mulige, delt på 100.",
    "variablesDocumented": "Andelen av de oppførte variablene med etikett og beskrivelse.",
    "descriptionConfirmed": "1 når eieren har bekreftet beskrivelsene sine siste år (EHDS art. 60), 0,5 siste to "
    "år, ellers 0.",
    "conformance": "1 når den publiserte beskrivelsen følger HealthDCAT-AP, ellers 0.",
    "variableTypes": "Andelen av de oppførte variablene med en CSVW-datatype.",
    "timeliness": "Siste oppdatering mot oppgitt oppdateringsfrekvens: innen 1,5 perioder 3, innen 3 perioder 2, "
    "innen 6 perioder 1, ellers 0; delt på 3 (uten oppgitt frekvens: ett år; uten oppgitt endringsdato: 0).",
    "harvestReliability": "Andelen av kildens siste 10 fullførte innhøstinger som lyktes.",
    "qualityManagement": "Eierens modenhetsnivå i QUANTUMs modenhetsmodell slik tilgangsorganet har vurdert det "
    "(1 innledende til 5 optimalisert): (nivå − 1) / 4.",
    "coverageDescribed": "Andelen av populasjon, antall unike individer, tidsdekning, geografisk dekning og "
    "typiske aldre som er oppgitt.",
    "timeSpan": "År dataene dekker (til i dag når perioden er åpen): under 1 0, 1 til 5 1, 5 til 20 2, 20 eller "
    "flere 3; delt på 3.",
    "accessPolicy": "QUANTUMs nivåer: ingen vilkår 0, grunnleggende 1 (tilgangsnivå oppgitt), utfyllende 2 "
    "(tilgangsnivå, rettslig grunnlag eller gjeldende regelverk, og hvor man søker); delt på 2.",
    "timeToData": "QUANTUMs nivåer for gjennomsnittlig antall dager fra søknad til utlevering i registeret over "
    "databruk (til vedtaket der en bruk ikke oppgir utleveringsdato): over 180 0, 90 til 180 1, 30 til 90 2, "
    "under 30 3; delt på 3.",
    "semanticLinks": "Andelen av de oppførte variablene knyttet til en kodeliste, et kodeverk eller et begrep.",
    "codedContent": "0,5 for oppgitte kodeverk og 0,5 for oppgitte kodeverdier.",
}
"""`Metric.method` in bokmål, by metric."""

METHODS_NN = {
    "minimumElements": "Delen av minimumselementa i gjennomføringsforordninga (EU) 2026/2098 som gjeld datasettet "
    "og er på plass.",
    "metadataQuality": "Den MQA-liknande poengsummen for metadatakvaliteten til den publiserte skildringa, i "
    "prosent av det høgaste moglege, delt på 100.",
    "variablesDocumented": "Delen av dei oppførte variablane med etikett og skildring.",
    "descriptionConfirmed": "1 når eigaren har stadfesta skildringane sine siste år (EHDS art. 60), 0,5 siste to "
    "år, elles 0.",
    "conformance": "1 når den publiserte skildringa følgjer HealthDCAT-AP, elles 0.",
    "variableTypes": "Delen av dei oppførte variablane med ein CSVW-datatype.",
    "timeliness": "Siste oppdatering mot oppgitt oppdateringsfrekvens: innan 1,5 periodar 3, innan 3 periodar 2, "
    "innan 6 periodar 1, elles 0; delt på 3 (utan oppgitt frekvens: eitt år; utan oppgitt endringsdato: 0).",
    "harvestReliability": "Delen av dei siste 10 fullførte innhaustingane frå kjelda som lukkast.",
    "qualityManagement": "Modningsnivået til eigaren i modningsmodellen til QUANTUM slik tilgangsorganet har "
    "vurdert det (1 innleiande til 5 optimalisert): (nivå − 1) / 4.",
    "coverageDescribed": "Delen av populasjon, tal på unike individ, tidsdekning, geografisk dekning og typiske "
    "aldrar som er oppgitt.",
    "timeSpan": "År dataa dekkjer (til i dag når perioden er open): under 1 0, 1 til 5 1, 5 til 20 2, 20 eller "
    "fleire 3; delt på 3.",
    "accessPolicy": "Nivåa til QUANTUM: ingen vilkår 0, grunnleggjande 1 (tilgangsnivå oppgitt), utfyllande 2 "
    "(tilgangsnivå, rettsleg grunnlag eller gjeldande regelverk, og kvar ein søkjer); delt på 2.",
    "timeToData": "Nivåa til QUANTUM for gjennomsnittleg tal på dagar frå søknad til utlevering i registeret over "
    "databruk (til vedtaket der ein bruk ikkje oppgir utleveringsdato): over 180 0, 90 til 180 1, 30 til 90 2, "
    "under 30 3; delt på 3.",
    "semanticLinks": "Delen av dei oppførte variablane som er knytte til ei kodeliste, eit kodeverk eller eit omgrep.",
    "codedContent": "0,5 for oppgitte kodeverk og 0,5 for oppgitte kodeverdiar.",
}
"""`Metric.method` in nynorsk, by metric."""


@dataclass(frozen=True)
class Element:
    name: str
    article: str  # the point of Art. 78(3)
    en: str
    nb: str
    nn: str

    def name_in(self, lang: str) -> str:
        return in_ui_language(lang, self.nb, self.nn, self.en)


ELEMENTS: tuple[Element, ...] = (
    Element("documentation", "a", "Documentation", "Dokumentasjon", "Dokumentasjon"),
    Element("technicalQuality", "b", "Technical quality", "Teknisk kvalitet", "Teknisk kvalitet"),
    Element("maturity", "c", "Quality management", "Kvalitetsarbeid", "Kvalitetsarbeid"),
    Element("coverage", "d", "Coverage", "Dekning", "Dekning"),
    Element("access", "e", "Access and provision", "Tilgang og utlevering", "Tilgang og utlevering"),
    Element("enrichments", "f", "Enrichments", "Berikelser", "Berikingar"),
)

METRICS: tuple[Metric, ...] = (
    Metric(
        "minimumElements",
        "documentation",
        "EHDS minimum elements present",
        "EHDS-minimumselementer på plass",
        "EHDS-minimumselement på plass",
        "Share of the minimum elements of Implementing Regulation (EU) 2026/2098 that apply to the dataset and are present.",
    ),
    Metric(
        "metadataQuality",
        "documentation",
        "Metadata quality (MQA)",
        "Metadatakvalitet (MQA)",
        "Metadatakvalitet (MQA)",
        "The MQA-like metadata quality score of the published description, in percent of its maximum, divided by 100.",
    ),
    Metric(
        "variablesDocumented",
        "documentation",
        "Variables documented",
        "Variabler dokumentert",
        "Variablar dokumenterte",
        "Share of the listed variables with a label and a description.",
    ),
    Metric(
        "descriptionConfirmed",
        "documentation",
        "Description confirmed",
        "Beskrivelsen bekreftet",
        "Skildringa stadfesta",
        "1 when the holder confirmed its descriptions within a year (EHDS Art. 60), 0.5 within two years, else 0.",
    ),
    Metric(
        "conformance",
        "technicalQuality",
        "Conforms to HealthDCAT-AP",
        "Følger HealthDCAT-AP",
        "Følgjer HealthDCAT-AP",
        "1 when the published description conforms to HealthDCAT-AP, else 0.",
    ),
    Metric(
        "variableTypes",
        "technicalQuality",
        "Variables typed",
        "Variabler med datatype",
        "Variablar med datatype",
        "Share of the listed variables with a CSVW datatype.",
    ),
    Metric(
        "timeliness",
        "technicalQuality",
        "Kept up to date",
        "Holdes oppdatert",
        "Blir halde oppdatert",
        "The last update against the stated update frequency: within 1.5 periods 3, within 3 periods 2, "
        "within 6 periods 1, else 0; divided by 3 (no frequency stated: a year; no modification date stated: 0).",
    ),
    Metric(
        "harvestReliability",
        "technicalQuality",
        "Harvests succeed",
        "Innhøstinger lykkes",
        "Innhaustingar lukkast",
        "Share of the source's last 10 finished harvests that succeeded.",
    ),
    Metric(
        "qualityManagement",
        "maturity",
        "Quality management maturity",
        "Modenhet i kvalitetsarbeidet",
        "Modning i kvalitetsarbeidet",
        "The holder's maturity level in QUANTUM's maturity model as the access body assessed it "
        "(1 initial to 5 optimised): (level - 1) / 4.",
    ),
    Metric(
        "coverageDescribed",
        "coverage",
        "Coverage described",
        "Dekning beskrevet",
        "Dekning skildra",
        "Share of population coverage, number of unique individuals, temporal coverage, geographical "
        "coverage and typical ages that are stated.",
    ),
    Metric(
        "timeSpan",
        "coverage",
        "Years covered",
        "År dekket",
        "År som er dekte",
        "Years the data cover (to today when open-ended): under 1 0, 1 to 5 1, 5 to 20 2, 20 or more 3; divided by 3.",
    ),
    Metric(
        "accessPolicy",
        "access",
        "Access and usage policy",
        "Tilgangs- og bruksvilkår",
        "Tilgangs- og bruksvilkår",
        "QUANTUM's levels: no policy 0, basic 1 (access rights stated), comprehensive 2 (access rights, "
        "a legal basis or applicable legislation, and where to apply); divided by 2.",
    ),
    Metric(
        "timeToData",
        "access",
        "Time from application to data",
        "Tid fra søknad til data",
        "Tid frå søknad til data",
        "QUANTUM's levels for the mean days from application to data release in the data use register "
        "(to the permit where a use gives no release date): over 180 0, 90 to 180 1, 30 to 90 2, under "
        "30 3; divided by 3.",
    ),
    Metric(
        "semanticLinks",
        "enrichments",
        "Variables linked to standards",
        "Variabler knyttet til standarder",
        "Variablar knytte til standardar",
        "Share of the listed variables linked to a code list, a coding system or a concept.",
    ),
    Metric(
        "codedContent",
        "enrichments",
        "Codes stated",
        "Koder oppgitt",
        "Kodar oppgitte",
        "0.5 for the coding systems stated and 0.5 for the code values stated.",
    ),
)
METRICS = tuple(replace(m, method_nb=METHODS_NB[m.name], method_nn=METHODS_NN[m.name]) for m in METRICS)
BY_NAME = {m.name: m for m in METRICS}
ELEMENT_NAMES = {e.name: e for e in ELEMENTS}
PERIOD_DAYS = {
    "CONT": 30,
    "DAILY": 30,
    "WEEKLY": 30,
    "MONTHLY": 31,
    "QUARTERLY": 92,
    "BIANNUAL": 183,
    "ANNUAL": 365,
    "BIENNIAL": 730,
    "TRIENNIAL": 1095,
}
"""Update frequency (EU frequency code) -> its period in days; anything shorter than a month counts as a month."""


@dataclass
class Measurement:
    value: float | None  # 0..1; None: not assessed
    note: str = ""  # what it rests on: "23 of 27", "level 2 of 3", "not assessed: no variables listed"


@dataclass
class Label:
    """A dataset's label: each metric's measurement, each element's score and the total (percent)."""

    assessed: str
    metrics: dict[str, Measurement] = field(default_factory=dict)

    @property
    def elements(self) -> dict[str, float | None]:
        """Element -> mean of its assessed metrics (None when none is assessed)."""
        out: dict[str, float | None] = {}
        for element in ELEMENTS:
            values = [
                m.value
                for name, m in self.metrics.items()
                if BY_NAME[name].element == element.name and m.value is not None
            ]
            out[element.name] = sum(values) / len(values) if values else None
        return out

    @property
    def score(self) -> float:
        """The mean of the assessed elements, in percent (one decimal)."""
        values = [v for v in self.elements.values() if v is not None]
        return round(100 * sum(values) / len(values), 1) if values else 0.0

    @property
    def digest(self) -> str:
        """What the feed publishes of the label (its values, not their notes nor when they were
        assessed): equal digests, equal published label."""
        about = sorted((name, m.value) for name, m in self.metrics.items())
        return hashlib.sha256(repr((VERSION, about)).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessed": self.assessed,
            "score": self.score,
            "elements": {name: None if value is None else round(value, 3) for name, value in self.elements.items()},
            "metrics": self._metrics(),
        }

    def to_json(self) -> str:
        return json.dumps({"assessed": self.assessed, "metrics": self._metrics()})

    def _metrics(self) -> dict[str, dict[str, Any]]:
        # not dataclasses.asdict, which deep-copies each value: the same JSON, made faster
        return {name: {"value": m.value, "note": m.note} for name, m in self.metrics.items()}

    @classmethod
    def from_json(cls, data: str) -> Label:
        raw = json.loads(data)
        return cls(raw["assessed"], {name: Measurement(**m) for name, m in raw["metrics"].items()})


@dataclass
class Inputs:
    """What a dataset's label is assessed from, besides its published view."""

    conforms: bool
    mqa_percent: float
    last_update: str | None  # the description's dct:modified (None: it states none)
    harvests: Sequence[str] = ()  # statuses of the source's last finished harvests, newest first
    confirmed: str | None = None  # when the holder last confirmed its descriptions
    maturity: int | None = None
    days_to_data: Sequence[int] = ()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def _counted(n: int, of: int, what: str) -> Measurement:
    if not of:
        return Measurement(None, f"not assessed: no {what} listed")
    return Measurement(round(n / of, 3), f"{n} of {of}")


def _variable_shares(vs: Sequence[Variable]) -> tuple[Measurement, Measurement, Measurement]:
    """How many of the variables are documented (a title and a description), typed (a CSVW
    datatype) and linked (a code list, coding system or concept): one pass over a dataset's
    variables, read by the hundred when a source's labels are assessed."""
    documented = typed = linked = 0
    datatypes = quality.CSVW_DATATYPES
    for v in vs:
        if any(v.title.values()) and any(v.description.values()):
            documented += 1
        if v.datatype in datatypes:
            typed += 1
        if v.codelist or v.coding_system or v.property_url:
            linked += 1
    return (
        _counted(documented, len(vs), "variables"),
        _counted(typed, len(vs), "variables"),
        _counted(linked, len(vs), "variables"),
    )


def _level(level: int, top: int, note: str = "") -> Measurement:
    return Measurement(round(level / top, 3), f"level {level} of {top}" + (f" ({note})" if note else ""))


def _timeliness(d: Dataset, inputs: Inputs) -> Measurement:
    """Level 0 when the description states no dct:modified: nothing shows it is kept up to date,
    and left out (as a metric that cannot be assessed is) it would rank a dataset that says nothing
    above one that honestly states an old date. An access body's drill found the 76 undated
    datasets scored 1.0, counted from the day the catalogue first harvested them, against 0-0.667
    for the 144 that state a date. As `_access_policy` scores a policy not stated: what the holder
    should state and does not counts 0; what only the access body can supply is left out."""
    if not inputs.last_update:
        return _level(0, 3, NO_MODIFIED)
    code = (d.frequency or "").rstrip("/").rsplit("/", 1)[-1]
    period = PERIOD_DAYS.get(code, 365)
    try:
        updated = date.fromisoformat(inputs.last_update[:10])
    except ValueError:
        return Measurement(None, f"not assessed: {inputs.last_update!r} is not a date")
    periods = (inputs.now.date() - updated).days / period
    level = 3 if periods <= 1.5 else 2 if periods <= 3 else 1 if periods <= 6 else 0
    return _level(level, 3, f"updated {updated.isoformat()}, every {period} days")


NO_MODIFIED = "no modification date stated"


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def _time_span(d: Dataset, now: datetime) -> Measurement:
    """Whole years from the start's year to the end's (or today's): periods are often stated as years."""
    start = _year(d.temporal_start)
    if start is None:
        return Measurement(None, "not assessed: no start of the period stated")
    end = min(now.year, _year(d.temporal_end) or now.year)
    years = end - start + 1
    level = 0 if years < 1 else 1 if years < 5 else 2 if years < 20 else 3
    return _level(level, 3, f"{years} years")


def _access_policy(d: Dataset) -> Measurement:
    if not d.access_rights:
        return _level(0, 2, "no access rights stated")
    comprehensive = bool(d.legal_basis or d.applicable_legislation) and any(x.access_url for x in d.distributions)
    return _level(2 if comprehensive else 1, 2)


def _time_to_data(days: Sequence[int]) -> Measurement:
    if not days:
        return Measurement(None, "not assessed: the data use register records no application dates")
    mean = sum(days) / len(days)
    level = 3 if mean < 30 else 2 if mean < 90 else 1 if mean <= 180 else 0
    return _level(level, 3, f"{mean:.0f} days on average over {len(days)} permits")


def assess(d: Dataset, inputs: Inputs) -> Label:
    """The label of a published dataset (see the module docstring for each metric)."""
    vs = d.variables if d.has_structured_data is not False else []
    applicable = [e for e in minimum.ELEMENTS if e.applies(d)]
    present = sum(1 for e in applicable if e.present(d))
    coverage = [
        bool(d.population_coverage),
        d.number_of_unique_individuals is not None,
        bool(d.temporal_start or d.temporal_end),
        bool(d.spatial),
        d.min_typical_age is not None or d.max_typical_age is not None,
    ]
    finished = list(inputs.harvests)[:10]
    documented, typed, linked = _variable_shares(vs)
    m = {
        "minimumElements": Measurement(round(present / len(applicable), 3), f"{present} of {len(applicable)}"),
        "metadataQuality": Measurement(round(inputs.mqa_percent / 100, 3), f"{inputs.mqa_percent:.1f} %"),
        "variablesDocumented": documented,
        "descriptionConfirmed": Measurement(
            confirmation_level(inputs.confirmed, inputs.now),
            f"confirmed {inputs.confirmed[:10]}" if inputs.confirmed else "never confirmed",
        ),
        "conformance": Measurement(1.0 if inputs.conforms else 0.0, "conforms" if inputs.conforms else "violations"),
        "variableTypes": typed,
        "timeliness": _timeliness(d, inputs),
        "harvestReliability": Measurement(
            round(finished.count("ok") / len(finished), 3), f"{finished.count('ok')} of {len(finished)}"
        )
        if finished
        else Measurement(None, "not assessed: no finished harvest"),
        "qualityManagement": _level(inputs.maturity - 1, 4, f"maturity level {inputs.maturity}")
        if inputs.maturity
        else Measurement(None, "not assessed: the access body has not assessed the holder's maturity"),
        "coverageDescribed": Measurement(
            round(sum(coverage) / len(coverage), 3), f"{sum(coverage)} of {len(coverage)}"
        ),
        "timeSpan": _time_span(d, inputs.now),
        "accessPolicy": _access_policy(d),
        "timeToData": _time_to_data(inputs.days_to_data),
        "semanticLinks": linked,
        "codedContent": Measurement(
            (0.5 if d.coding_systems else 0.0) + (0.5 if d.code_values else 0.0),
            f"coding systems {'stated' if d.coding_systems else 'not stated'}, "
            f"code values {'stated' if d.code_values else 'not stated'}",
        )
        if minimum.BY_CURIE["healthdcatap:hasCodingSystem"].applies(d)
        else Measurement(None, "not assessed: the listed variables use no codes"),
    }
    return Label(inputs.now.isoformat(timespec="seconds"), m)


# --- assessing the catalogue's datasets (writers only) --------------------------------------------------


def source_inputs(settings: Settings, store: StoreReader, source: str, now: datetime) -> tuple[Any, ...]:
    """What every label of a source's datasets depends on besides the dataset itself; a change
    (a harvest failed, a month passed, the operator's settings changed) assesses them again."""
    return _about(settings, source, now, finished_runs(store, source), store.last_confirmations())


def _about(
    settings: Settings, source: str, now: datetime, runs: Sequence[str], confirmed: dict[str, dict[str, Any]]
) -> tuple[Any, ...]:
    src = settings.sources.get(source)
    return (
        VERSION,
        now.strftime("%Y-%m"),
        round(runs.count("ok") / len(runs), 3) if runs else None,  # a share: one more good run changes nothing
        src.maturity if src is not None else None,
        profiles.ehds().view_digest(settings, source),
        confirmed.get(holder_key(SOURCE, source), {}).get("at", "")[:7],
    )


def finished_runs(store: StoreReader, source: str) -> list[str]:
    """The statuses of the source's last ten finished harvests, newest first."""
    return [r.status for r in store.runs(source, 30) if r.status in ("ok", "failed")][:10]


def days_to_data(store: StoreReader) -> dict[str, list[int]]:
    """Dataset URI -> the days from application to data of its uses in the register."""
    days: dict[str, list[int]] = {}
    for use in register(store):
        if use.days_to_data is not None:
            for uri in use.datasets:
                days.setdefault(uri, []).append(use.days_to_data)
    return days


def inputs_digest(about: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(about).encode()).hexdigest()[:16]


def relabel(
    settings: Settings,
    store: StoreWriter,
    source: str | None = None,
    uris: Iterable[str] | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> int:
    """Assess again the labels of the live datasets (of `source`, or `uris`, else all) whose record
    or whose source's inputs changed since (every one with `force`); keep those whose label says
    something new, moving their last change (the EHDS feed publishes the label). How many changed."""
    now = now or datetime.now(UTC)
    wanted = set(uris) if uris is not None else None
    confirmed = store.last_confirmations()
    days = days_to_data(store)
    changed = 0
    batch: list[tuple[str, str, str, str, str]] = []
    moved: list[str] = []

    def flush() -> None:
        store.save_labels(batch, moved)
        batch.clear()
        moved.clear()

    if wanted is not None:
        rows = [r for uri in sorted(wanted) if (r := store.get(uri)) is not None and r.kind == "dataset"]
        names = sorted({r.source for r in rows})
    else:
        rows = []
        names = [source] if source else sorted(store.source_stats())
    for name in names:
        runs = finished_runs(store, name)
        digest_in = inputs_digest(_about(settings, name, now, runs, confirmed))
        assessment = Assessment(settings, runs, confirmed, days, now)
        assessed: Iterable[tuple[str, str, Label]]
        if wanted is not None:
            chosen = [r for r in rows if r.source == name and not r.deleted_at]
            kept = store.label_states([r.uri for r in chosen])
            assessed = ((r.uri, r.hash, assessment.of(r)) for r in chosen)
        else:
            stale = (
                [r.uri for r in store.records(name, kind="dataset")] if force else store.stale_labels(name, digest_in)
            )
            kept = store.label_states(stale)
            assessed = assessment.many(store, stale)
        for uri, hash_, label in assessed:
            state = kept.get(uri)
            if state is None or state[2] != label.digest:
                moved.append(uri)
                changed += 1
            else:  # the same values: published as assessed when they were first found
                label.assessed = _kept_assessed(store, uri)
            batch.append((uri, hash_, digest_in, label.digest, label.to_json()))
            if len(batch) >= 200:
                flush()
    flush()
    return changed


PARALLEL_LABELS = 400
"""From this many datasets to assess on, the second half is assessed in a process of its own: a
large source's first harvest assesses them all at the very end of its run, when the other
processes are done and one core alone was busy (2,000 datasets of 100 variables: 1.5 s)."""


@dataclass(frozen=True)
class Assessment:
    """What the labels of one source's datasets are assessed with besides each dataset itself."""

    settings: Settings
    runs: Sequence[str]
    confirmed: dict[str, dict[str, Any]]
    days: dict[str, list[int]]
    now: datetime

    def of(self, stored: StoredRecord) -> Label:
        """A stored dataset's label, on the view the EHDS feed publishes."""
        src = self.settings.sources.get(stored.source)
        view = profiles.ehds().published(stored.record, self.settings, src).record
        assert isinstance(view, Dataset)
        verdict = quality.stored_verdict(stored)
        return self.of_view(stored.uri, stored.source, view, bool(stored.conforms), verdict)

    def of_view(self, uri: str, source: str, view: Dataset, conforms: bool, verdict: Report | None) -> Label:
        """The label of a dataset's published `view` (`verdict`: its validation, None if never validated)."""
        src = self.settings.sources.get(source)
        key, _name = publisher_identity(view.publisher)
        holder = max(
            (
                c["at"]
                for c in (
                    self.confirmed.get(holder_key(SOURCE, source)),
                    self.confirmed.get(holder_key(PUBLISHER, key)),
                )
                if c
            ),
            default=None,
        )
        inputs = Inputs(
            conforms=conforms,
            mqa_percent=quality.score_dataset(view, verdict).percent,
            last_update=view.modified,
            harvests=self.runs,
            confirmed=holder,
            maturity=src.maturity if src is not None else None,
            days_to_data=self.days.get(uri, []),
            now=self.now,
        )
        return assess(view, inputs)

    def each(self, store: StoreReader, uris: Iterable[str]) -> Iterator[tuple[str, str, Label]]:
        """(URI, hash, label) of each stored dataset of `uris`, in their order, read one at a time:
        a source's datasets and their variables held at once cost memory, and the collector's walks
        over them half the time (100,000 variables: 2.3 against 4.5 us each)."""
        for uri in uris:
            stored = store.get(uri)
            if stored is not None:
                yield stored.uri, stored.hash, self.of(stored)

    def many(self, store: StoreReader, uris: Sequence[str]) -> Iterator[tuple[str, str, Label]]:
        """`each`; when there are many (`PARALLEL_LABELS`), the second half in another process, unless
        another thread of this process uses SQLite (a scheduler's harvests in threads): a fork then
        may copy SQLite's mutexes locked (`sqlite_beside`)."""
        if len(uris) < PARALLEL_LABELS or (os.cpu_count() or 1) < 2 or sqlite_beside():
            yield from self.each(store, uris)
            return
        half = len(uris) // 2
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            later = pool.submit(self.apart, store.url, uris[half:])
            yield from self.each(store, uris[:half])
            yield from later.result()

    def apart(self, store_url: str, uris: Sequence[str]) -> list[tuple[str, str, Label]]:
        """`each` in a forked process, on a read-only store of its own (connections must not cross a fork)."""
        store = store_at(store_url, readonly=True, write_timeout=self.settings.store_write_timeout)  # the pipeline's
        try:
            return list(self.each(store, uris))
        finally:
            store.close()


def _kept_assessed(store: StoreReader, uri: str) -> str:
    """When a dataset's kept label was assessed: a label of the same values keeps it."""
    return str(json.loads(store.labels([uri])[uri][1])["assessed"])


@dataclass(frozen=True)
class Basis:
    """What the labels of a source's datasets rest on besides each dataset, as far as a label
    shows it: the day (dates and ages are told in days), the source's last finished harvests,
    the day of each holder's latest confirmation, the register's days to data, the inputs' digest."""

    day: str
    runs: tuple[str, ...]
    confirmed: tuple[tuple[str, str], ...]
    days: tuple[tuple[str, tuple[int, ...]], ...]
    inputs: str

    @classmethod
    def of(cls, settings: Settings, source: str, assessment: Assessment) -> Basis:
        a = assessment
        return cls(
            a.now.date().isoformat(),
            tuple(a.runs),
            tuple(sorted((holder, c["at"][:10]) for holder, c in a.confirmed.items())),
            tuple(sorted((uri, tuple(days)) for uri, days in a.days.items())),
            inputs_digest(_about(settings, source, a.now, a.runs, a.confirmed)),
        )

    def holds(self, settings: Settings, store: StoreReader, source: str) -> bool:
        """Whether labels assessed on this basis are those the source's inputs give now."""
        now = datetime.now(UTC)
        actual = Assessment(
            settings, finished_runs(store, source), store.last_confirmations(), days_to_data(store), now
        )
        return Basis.of(settings, source, actual) == self


@dataclass(frozen=True)
class Ahead:
    """Labels assessed ahead, where a run prepares its new datasets (`catalog.prepare`), on the
    inputs its end will have if it succeeds: its own harvest counted a good one, and its
    confirmation of the source (`catalog.confirmations.record_harvest`; none by a first harvest)
    made. A large source's
    first harvest otherwise read back and assessed every dataset at its very end, when the other
    processes were done (2,000 datasets of 100 variables: 0.8-1.2 s of a 14 s harvest).

    The labels are kept with their datasets, under the inputs' digest the run expects; when the
    run ends otherwise (it failed, a day or a month passed, a holder confirmed, the register
    changed: `holds`), its source's labels are all assessed again, as they were before."""

    assessment: Assessment
    basis: Basis

    def label(self, uri: str, source: str, view: Dataset, conforms: bool) -> AheadLabel:
        """The label of a dataset's published `view`."""
        label = self.assessment.of_view(uri, source, view, conforms, Report(conforms=conforms))
        return AheadLabel(self.basis.inputs, label.digest, label.to_json())


@dataclass(frozen=True)
class AheadLabel:
    """A label assessed ahead: its inputs' digest, its digest and JSON."""

    inputs: str
    digest: str
    data: str


def ahead(
    settings: Settings, store: StoreReader, source: str, now: datetime | None = None, first: bool = False
) -> Ahead:
    """The labels of `source`'s new datasets assessed as its run's end will if the run succeeds
    (`first`: the source's first harvest, which confirms nothing)."""
    now = now or datetime.now(UTC)
    confirmed = store.last_confirmations()
    if not first and harvest_confirms(store, source, now):
        at = now.isoformat(timespec="microseconds")
        confirmed = {**confirmed, holder_key(SOURCE, source): {"holder": holder_key(SOURCE, source), "at": at}}
    assessment = Assessment(settings, ["ok", *finished_runs(store, source)][:10], confirmed, days_to_data(store), now)
    return Ahead(assessment, Basis.of(settings, source, assessment))


def settled(store: StoreReader, labels: list[tuple[str, str, str, str, str]]) -> list[tuple[str, str, str, str, str]]:
    """Labels assessed ahead (uri, hash, inputs, digest, JSON) as `relabel` keeps them: one of the
    same values as the dataset's kept label keeps when that was assessed."""
    kept = store.label_states([uri for uri, *_rest in labels])
    out = []
    for uri, hash_, inputs, digest, data in labels:
        state = kept.get(uri)
        if state is not None and state[2] == digest:
            raw = json.loads(data)
            raw["assessed"] = _kept_assessed(store, uri)
            data = json.dumps(raw)
        out.append((uri, hash_, inputs, digest, data))
    return out


# --- the label in DQV -----------------------------------------------------------------------------------


def certificate_uri(settings: Settings, key: str) -> URIRef:
    return URIRef(f"{settings.base_uri.rstrip('/')}/datasets/{key}/label#certificate")


def page_uri(settings: Settings, key: str) -> URIRef:
    return URIRef(f"{settings.base_uri.rstrip('/')}/datasets/{key}/label")


_ANNOTATION, _MEASUREMENT, _CERTIFICATE = DQV.hasQualityAnnotation, DQV.hasQualityMeasurement, DQV.QualityCertificate
_MEASUREMENT_CLASS, _COMPUTED_ON, _MEASURE_OF, _VALUE = (
    DQV.QualityMeasurement,
    DQV.computedOn,
    DQV.isMeasurementOf,
    DQV.value,
)
_TYPE = RDF.type
_METRIC_IRIS = {name: HK[name] for name in [*(m.name for m in METRICS), "labelScore"]}


@lru_cache(maxsize=2048)
def _decimal(value: float) -> Literal:
    """A measurement's value (rounded to 3 decimals: a thousand values, made once each)."""
    return Literal(f"{value:.3f}", datatype=XSD.decimal)


def add_label(g: TripleWriter, dataset: URIRef, key: str, label: Label, settings: Settings) -> URIRef:
    """The label as HealthDCAT-AP carries one: a dqv:QualityCertificate annotating the dataset,
    whose body is the label's page, and one dqv:QualityMeasurement per assessed metric (of ours,
    `add_metrics`), with the label's score and the MQA score among them.

    Written for every dataset of every EHDS feed page that is not kept: its terms are made once
    (the predicates, the metrics' IRIs, the values), not per statement."""
    cert = certificate_uri(settings, key)
    g.add((dataset, _ANNOTATION, cert))
    g.add((cert, _TYPE, _CERTIFICATE))
    g.add((cert, OA.hasTarget, dataset))
    g.add((cert, OA.hasBody, page_uri(settings, key)))
    g.add((cert, OA.motivatedBy, DQV.qualityAssessment))
    assessed = Literal(label.assessed, datatype=XSD.dateTime)
    g.add((cert, DCT.issued, assessed))
    values = {name: m.value for name, m in label.metrics.items()}
    values["labelScore"] = label.score / 100
    for name, value in values.items():
        if value is None:
            continue
        # The dataset's key and the metric: stable, and unique per page; begun by a letter, as
        # RDF/XML's rdf:nodeID is an XML name (a hex key may begin with a digit).
        node = BNode(f"q{key}m{name}")
        g.add((dataset, _MEASUREMENT, node))
        g.add((node, _TYPE, _MEASUREMENT_CLASS))
        g.add((node, _COMPUTED_ON, dataset))
        g.add((node, _MEASURE_OF, _METRIC_IRIS.get(name) or HK[name]))
        g.add((node, _VALUE, _decimal(round(value, 3))))  # when: the certificate's dct:issued
    return cert


def add_metrics(g: TripleWriter) -> None:
    """Our metrics, as the feed describes them once: each a dqv:Metric in a dqv:Dimension (an
    element of Art. 78(3)) of the category 'quality and utility label'."""
    category = HK.qualityAndUtilityLabel
    g.add((category, RDF.type, DQV.Category))
    g.add((category, SKOS.prefLabel, Literal("Data quality and utility label (EHDS Art. 78)", lang="en")))
    g.add((category, SKOS.prefLabel, Literal("Kvalitets- og nytteverdimerke (EHDS art. 78)", lang="nb")))
    g.add((category, SKOS.prefLabel, Literal("Kvalitets- og nytteverdimerke (EHDS art. 78)", lang="nn")))
    for element in ELEMENTS:
        dimension = HK[element.name]
        g.add((dimension, RDF.type, DQV.Dimension))
        g.add((dimension, DQV.inCategory, category))
        g.add((dimension, SKOS.prefLabel, Literal(element.en, lang="en")))
        g.add((dimension, SKOS.prefLabel, Literal(element.nb, lang="nb")))
        g.add((dimension, SKOS.prefLabel, Literal(element.nn, lang="nn")))
        g.add((dimension, SKOS.definition, Literal(f"EHDS Art. 78(3)({element.article})", lang="en")))
    rows = [*((m.name, m.element, m.en, m.nb, m.nn, m.method) for m in METRICS), SCORE]
    for name, in_dimension, en, nb, nn, method in rows:
        metric = HK[name]
        g.add((metric, RDF.type, DQV.Metric))
        g.add((metric, SKOS.prefLabel, Literal(en, lang="en")))
        g.add((metric, SKOS.prefLabel, Literal(nb, lang="nb")))
        g.add((metric, SKOS.prefLabel, Literal(nn, lang="nn")))
        g.add((metric, SKOS.definition, Literal(method, lang="en")))
        g.add((metric, DQV.expectedDataType, XSD.decimal))
        g.add((metric, DQV.inDimension, HK[in_dimension] if in_dimension else category))


SCORE = (
    "labelScore",
    "",
    "Label score",
    "Samlet merke",
    "Samla merke",
    "The mean of the assessed elements' scores (each the mean of its assessed metrics), from 0 to 1.",
)


def display_name(metric: str, lang: str) -> str:
    m = BY_NAME.get(metric)
    return m.name_in(lang) if m else metric


def label_of(store: StoreReader, uri: str) -> Label | None:
    kept = store.labels([uri]).get(uri)
    return Label.from_json(kept[1]) if kept else None


# --- the summary for the access body's report ------------------------------------------------------

LEVELS = ("0-25", "25-50", "50-75", "75-100")
"""The levels the summary counts labels by: the quarter of 0-100 % their score falls in. Neither
Art. 78 nor QUANTUM's label (as far as could be read: its operational guidelines v1.0.0) grades a
dataset's total into named levels, so the summary names none; a quarter's range says what it is."""


def level_of(score: float) -> str:
    """The level of a label's score (percent): 25 % is the second quarter's, 100 % the top's."""
    return LEVELS[min(int(score // 25), len(LEVELS) - 1)]


@dataclass
class LabelTally:
    """The labels of a set of datasets: how many have one, per level, their mean score and each
    element's mean (over the labels that assess it)."""

    datasets: int = 0
    labelled: int = 0
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    _score_sum: float = 0.0
    _elements: dict[str, tuple[float, int]] = field(default_factory=dict)

    def add(self, label: Label | None) -> None:
        self.datasets += 1
        if label is None:
            return
        self.labelled += 1
        score = label.score
        self.levels[level_of(score)] += 1
        self._score_sum += score
        for name, value in label.elements.items():
            if value is not None:
                total, n = self._elements.get(name, (0.0, 0))
                self._elements[name] = (total + value, n + 1)

    @property
    def mean_score(self) -> float | None:
        return round(self._score_sum / self.labelled, 1) if self.labelled else None

    @property
    def elements(self) -> dict[str, float | None]:
        """Element -> the mean of its score over the labels that assess it, in percent (None: none does)."""
        out: dict[str, float | None] = {}
        for element in ELEMENTS:
            total, n = self._elements.get(element.name, (0.0, 0))
            out[element.name] = round(100 * total / n, 1) if n else None
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "datasets": self.datasets,
            "labelled": self.labelled,
            "mean_score": self.mean_score,
            "levels": dict(self.levels),
            "elements": self.elements,
        }


@dataclass
class LabelSummary:
    """Every live dataset's label, counted for the catalogue and per source."""

    total: LabelTally = field(default_factory=LabelTally)
    sources: dict[str, LabelTally] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "levels": list(LEVELS),
            "total": self.total.to_dict(),
            "sources": {name: t.to_dict() for name, t in sorted(self.sources.items())},
        }


def summary(store: StoreReader) -> LabelSummary:
    """The labels as the store keeps them (the writers assessed them): read, never assessed here.
    One pass over the live datasets' labels, ~20 µs a label; the web keeps the answer until the
    store changes (a label whose values change moves its dataset, and so the store's version)."""
    out = LabelSummary()
    for _uri, source, data in store.live_labels():
        found = Label.from_json(data) if data else None
        out.total.add(found)
        out.sources.setdefault(source, LabelTally()).add(found)
    return out
