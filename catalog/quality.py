"""An MQA-like metadata quality score per dataset and per publisher, stored as DQV.

The metrics and their points are those of data.europa.eu's Metadata Quality Assessment as
Norway's data.norge.no uses them (the dcatno-mqa default score values: findability,
accessibility, interoperability, reusability, contextuality). The MQA is built for open data,
so a NON_PUBLIC health registry would lose most accessibility and reusability points by
design. We keep every metric and its weight, and change what some of them look at when the
dataset is not PUBLIC (dct:accessRights RESTRICTED or NON_PUBLIC, or none given):

- downloadUrlAvailability (20): the dataset names its health data access body (healthdcatap:hdab)
  instead of an open download URL -- access goes through the body, not a download;
- downloadUrlStatusCode (30): the access body can be reached (it has an e-mail or web page);
- licenceAvailability (20): the dataset names its applicable legislation (the data permit under
  it replaces a licence); knownLicence (10): that legislation is an ELI or Lovdata IRI;
- byteSizeAvailability (5): the number of records is given instead of a download size.

Whatever the access level, URL status codes are scored on presence (accessUrlStatusCode: every
distribution has an access URL), since scoring must not go to the network; link checking is
the harvester's job. rightsAvailability scores a described legal basis (dpv:hasLegalBasis),
which is where health metadata states its rights. syntaxValid is awarded to any record the
catalogue could read; dcatApCompliance to a record whose validation report has no violations.

We add a sixth dimension, variables: the share of variables with a label, a description, a
known CSVW datatype, and a code list, coding system or unit, 10 points each (not applicable,
max 0, when the dataset declares it has no structured data).

Rating bands are data.europa.eu's (Excellent >= 351 of 405, Good >= 221, Sufficient >= 121),
applied as the same shares of our maximum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from catalog import rdf
from catalog.config import EU_AUTHORITY as EU
from catalog.model import Dataset, Variable
from catalog.store import StoredRecord
from catalog.texts import Said
from catalog.validation import Report

MQA = Namespace("https://data.norge.no/vocabulary/dcatno-mqa#")
HK = rdf.HK
DQV = rdf.DQV

MQA_WEIGHTS: dict[str, int] = {
    "keywordAvailability": 30,
    "categoryAvailability": 30,
    "spatialAvailability": 20,
    "temporalAvailability": 20,
    "accessUrlStatusCode": 50,
    "downloadUrlAvailability": 20,
    "downloadUrlStatusCode": 30,
    "formatAvailability": 20,
    "mediaTypeAvailability": 10,
    "formatMediaTypeVocabularyAlignment": 10,
    "formatMediaTypeNonProprietary": 20,
    "formatMediaTypeMachineInterpretable": 20,
    "dcatApCompliance": 30,
    "formatMatch": 15,
    "syntaxValid": 15,
    "licenceAvailability": 20,
    "knownLicence": 10,
    "accessRightsAvailability": 10,
    "accessRightsVocabularyAlignment": 5,
    "contactPointAvailability": 20,
    "publisherAvailability": 10,
    "rightsAvailability": 5,
    "byteSizeAvailability": 5,
    "dateIssuedAvailability": 5,
    "dateModifiedAvailability": 5,
}
"""dcatno-mqa metric -> points (tests/test_quality.py checks them against the published file)."""

VARIABLE_WEIGHTS: dict[str, int] = {
    "variableLabels": 10,
    "variableDescriptions": 10,
    "variableTypes": 10,
    "variableCodes": 10,
}
"""Our variable-level metrics (IRIs in the hk: namespace) -> points."""

DIMENSIONS: dict[str, list[str]] = {
    "findability": ["keywordAvailability", "categoryAvailability", "spatialAvailability", "temporalAvailability"],
    "accessibility": ["accessUrlStatusCode", "downloadUrlAvailability", "downloadUrlStatusCode"],
    "interoperability": [
        "formatAvailability",
        "mediaTypeAvailability",
        "formatMediaTypeVocabularyAlignment",
        "formatMediaTypeNonProprietary",
        "formatMediaTypeMachineInterpretable",
        "dcatApCompliance",
        "formatMatch",
        "syntaxValid",
    ],
    "reusability": [
        "licenceAvailability",
        "knownLicence",
        "accessRightsAvailability",
        "accessRightsVocabularyAlignment",
        "contactPointAvailability",
        "publisherAvailability",
    ],
    "contextuality": [
        "rightsAvailability",
        "byteSizeAvailability",
        "dateIssuedAvailability",
        "dateModifiedAvailability",
    ],
    "variables": list(VARIABLE_WEIGHTS),
}

BANDS = [("excellent", 351 / 405), ("good", 221 / 405), ("sufficient", 121 / 405), ("bad", 0.0)]

FILE_TYPES = {
    "CSV",
    "TSV",
    "JSON",
    "JSON_LD",
    "XML",
    "RDF_TURTLE",
    "RDF_XML",
    "RDF_N_TRIPLES",
    "XLSX",
    "XLS",
    "ODS",
    "PDF",
    "HTML",
    "TXT",
    "ZIP",
    "PARQUET",
    "SHP",
    "SAS",
    "SPSS",
    "STATA",
    "DOCX",
}
NON_PROPRIETARY = {
    "CSV",
    "TSV",
    "JSON",
    "JSON_LD",
    "XML",
    "RDF_TURTLE",
    "RDF_XML",
    "RDF_N_TRIPLES",
    "ODS",
    "HTML",
    "TXT",
    "PARQUET",
    "PDF",
}
MACHINE_READABLE = {
    "CSV",
    "TSV",
    "JSON",
    "JSON_LD",
    "XML",
    "RDF_TURTLE",
    "RDF_XML",
    "RDF_N_TRIPLES",
    "XLSX",
    "XLS",
    "ODS",
    "PARQUET",
    "SAS",
    "SPSS",
    "STATA",
}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "JSON": "application/json",
    "JSON_LD": "application/ld+json",
    "XML": "application/xml",
    "RDF_TURTLE": "text/turtle",
    "RDF_XML": "application/rdf+xml",
    "RDF_N_TRIPLES": "application/n-triples",
    "PDF": "application/pdf",
    "HTML": "text/html",
    "ZIP": "application/zip",
    "TXT": "text/plain",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSVW_DATATYPES = {
    "string",
    "integer",
    "decimal",
    "double",
    "float",
    "number",
    "boolean",
    "date",
    "dateTime",
    "time",
    "gYear",
    "gYearMonth",
    "duration",
    "long",
    "int",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "anyURI",
    "normalizedString",
    "token",
    "language",
    "json",
    "xml",
    "html",
    "binary",
    "hexBinary",
    "base64Binary",
    "anyAtomicType",
    "dateTimeStamp",
}
ACCESS_RIGHTS = {
    EU + "access-right/" + c for c in ("PUBLIC", "RESTRICTED", "NON_PUBLIC", "CONFIDENTIAL", "SENSITIVE", "NORMAL")
}
KNOWN_LICENCES = (
    EU + "licence/",
    "https://data.norge.no/nlod/",
    "http://data.norge.no/nlod/",
    "https://creativecommons.org/",
    "http://creativecommons.org/",
)
KNOWN_LEGISLATION = (
    "http://data.europa.eu/eli/",
    "https://data.europa.eu/eli/",
    "https://lovdata.no/",
    "http://lovdata.no/",
)

FIXES: dict[str, Said] = {
    "keywordAvailability": Said("Legg til emneord | Add keywords", "Legg til emneord"),
    "categoryAvailability": Said("Legg til tema (dcat:theme) | Add a theme (dcat:theme)", "Legg til tema (dcat:theme)"),
    "spatialAvailability": Said("Oppgi geografisk dekning | State the geographic coverage", "Oppgi geografisk dekning"),
    "temporalAvailability": Said(
        "Oppgi tidsperioden dataene dekker | State the time period the data covers", "Oppgi tidsperioden dataa dekkjer"
    ),
    "accessUrlStatusCode": Said(
        "Gi hver distribusjon en tilgangslenke | Give every distribution an access URL",
        "Gi kvar distribusjon ei tilgangslenke",
    ),
    "downloadUrlAvailability": Said(
        "Oppgi nedlastingslenke, eller tilgangsorganet for ikke-åpne data | "
        "Give a download URL, or the access body for non-open data",
        "Oppgi nedlastingslenke, eller tilgangsorganet for data som ikkje er opne",
    ),
    "downloadUrlStatusCode": Said(
        "Sørg for at tilgangsorganet eller nedlastingen kan nås | "
        "Make sure the access body or the download can be reached",
        "Syt for at ein kan nå tilgangsorganet eller nedlastinga",
    ),
    "formatAvailability": Said(
        "Oppgi format på distribusjonen | State the distribution's format", "Oppgi format på distribusjonen"
    ),
    "mediaTypeAvailability": Said(
        "Oppgi medietype på distribusjonen | State the distribution's media type", "Oppgi medietype på distribusjonen"
    ),
    "formatMediaTypeVocabularyAlignment": Said(
        "Bruk format fra EUs file-type-vokabular | Use a format from the EU file-type vocabulary",
        "Bruk format frå file-type-vokabularet til EU",
    ),
    "formatMediaTypeNonProprietary": Said(
        "Tilby et åpent format (f.eks. CSV) | Offer an open format (e.g. CSV)", "Tilby eit ope format (t.d. CSV)"
    ),
    "formatMediaTypeMachineInterpretable": Said(
        "Tilby et maskinlesbart format | Offer a machine-readable format", "Tilby eit maskinlesbart format"
    ),
    "dcatApCompliance": Said(
        "Rett bruddene i valideringsrapporten | Fix the violations in the validation report",
        "Rett brota i valideringsrapporten",
    ),
    "formatMatch": Said(
        "La format og medietype stemme overens | Make format and media type agree",
        "Sjå til at format og medietype samsvarar",
    ),
    "syntaxValid": Said("Publiser gyldig RDF | Publish valid RDF", "Publiser gyldig RDF"),
    "licenceAvailability": Said(
        "Oppgi lisens, eller lovgrunnlaget for ikke-åpne data | "
        "Give a licence, or the applicable legislation for non-open data",
        "Oppgi lisens, eller lovgrunnlaget for data som ikkje er opne",
    ),
    "knownLicence": Said(
        "Bruk en kjent lisens eller en ELI-/Lovdata-lenke | Use a known licence or an ELI/Lovdata link",
        "Bruk ein kjend lisens eller ei ELI-/Lovdata-lenke",
    ),
    "accessRightsAvailability": Said("Oppgi tilgangsnivå | State the access level", "Oppgi tilgangsnivå"),
    "accessRightsVocabularyAlignment": Said(
        "Bruk EUs access-right-vokabular | Use the EU access-right vocabulary", "Bruk access-right-vokabularet til EU"
    ),
    "contactPointAvailability": Said("Legg til kontaktpunkt | Add a contact point", "Legg til kontaktpunkt"),
    "publisherAvailability": Said("Oppgi utgiver | Name the publisher", "Oppgi utgivar"),
    "rightsAvailability": Said(
        "Beskriv rettslig grunnlag | Describe the legal basis", "Gjer greie for rettsleg grunnlag"
    ),
    "byteSizeAvailability": Said(
        "Oppgi størrelse (antall poster) | State the size (number of records)", "Oppgi storleik (talet på postar)"
    ),
    "dateIssuedAvailability": Said("Oppgi utgivelsesdato | Give the issue date", "Oppgi utgivingsdato"),
    "dateModifiedAvailability": Said("Oppgi endringsdato | Give the modification date", "Oppgi endringsdato"),
    "variableLabels": Said(
        "Gi alle variabler en etikett | Give every variable a label", "Gi alle variablane ein etikett"
    ),
    "variableDescriptions": Said("Beskriv alle variabler | Describe every variable", "Gi alle variablane ei skildring"),
    "variableTypes": Said(
        "Gi alle variabler en CSVW-datatype | Give every variable a CSVW datatype",
        "Gi alle variablane ein CSVW-datatype",
    ),
    "variableCodes": Said(
        "Knytt variablene til kodeliste, kodeverk eller enhet | "
        "Link the variables to a code list, coding system or unit",
        "Knyt variablane til kodeliste, kodeverk eller eining",
    ),
}
"""Per metric, what would raise it: as a score carries it ("bokmål | English"), and in nynorsk."""


@dataclass
class QualityScore:
    dimensions: dict[str, tuple[float, float]]  # dimension -> (points, max)
    total: float
    max: float
    percent: float
    rating: str  # excellent | good | sufficient | bad
    fixes: list[str] = field(default_factory=list)  # the top things to fix, "Norsk | English", most points first
    metrics: dict[str, float] = field(default_factory=dict)  # metric -> share met, 0..1


def stored_verdict(stored: StoredRecord) -> Report | None:
    """What a score reads of a record's stored validation: whether it conforms, as a report without
    its findings (None when it was never validated). A dataset of 100 variables has some 150
    warnings, and reading them back was a fifth of labelling it."""
    if not stored.validation_json:
        return None
    return Report(conforms=bool(stored.conforms))


def _weight(metric: str) -> int:
    return MQA_WEIGHTS.get(metric) or VARIABLE_WEIGHTS[metric]


def _code(iri: str | None, vocabulary: str) -> str | None:
    prefix = f"{EU}{vocabulary}/"
    return iri[len(prefix) :] if iri and iri.startswith(prefix) else None


def measure(d: Dataset, report: Report | None) -> dict[str, float]:
    """Each metric's share met (0..1) for one dataset; variables metrics absent when not applicable."""
    dists = d.distributions
    public = d.access_rights == EU + "access-right/PUBLIC"
    formats = [_code(x.format, "file-type") for x in dists]
    hdab = d.hdab
    m: dict[str, float] = {
        "keywordAvailability": float(any(d.keywords.values())),
        "categoryAvailability": float(bool(d.themes)),
        "spatialAvailability": float(bool(d.spatial)),
        "temporalAvailability": float(bool(d.temporal_start or d.temporal_end)),
        "accessUrlStatusCode": float(bool(dists) and all(x.access_url for x in dists)),
        "downloadUrlAvailability": float(any(x.download_url for x in dists) if public else hdab is not None),
        "downloadUrlStatusCode": float(
            any(x.download_url for x in dists) if public else bool(hdab and (hdab.email or hdab.url))
        ),
        "formatAvailability": float(any(x.format for x in dists)),
        "mediaTypeAvailability": float(any(x.media_type for x in dists)),
        "formatMediaTypeVocabularyAlignment": float(any(f in FILE_TYPES for f in formats)),
        "formatMediaTypeNonProprietary": float(any(f in NON_PROPRIETARY for f in formats)),
        "formatMediaTypeMachineInterpretable": float(any(f in MACHINE_READABLE for f in formats)),
        "dcatApCompliance": float(report is not None and report.conforms),
        "formatMatch": float(
            any(MEDIA_TYPES.get(f or "") == x.media_type for f, x in zip(formats, dists, strict=True))
        ),
        "syntaxValid": 1.0,
        "licenceAvailability": float(any(x.license for x in dists) if public else bool(d.applicable_legislation)),
        "knownLicence": float(
            any((x.license or "").startswith(KNOWN_LICENCES) for x in dists)
            if public
            else any(x.startswith(KNOWN_LEGISLATION) for x in d.applicable_legislation)
        ),
        "accessRightsAvailability": float(bool(d.access_rights)),
        "accessRightsVocabularyAlignment": float(d.access_rights in ACCESS_RIGHTS),
        "contactPointAvailability": float(d.contact is not None),
        "publisherAvailability": float(d.publisher is not None),
        "rightsAvailability": float(bool(d.legal_basis)),
        "byteSizeAvailability": float(
            any(x.byte_size is not None for x in dists) if public else d.number_of_records is not None
        ),
        "dateIssuedAvailability": float(bool(d.issued)),
        "dateModifiedAvailability": float(bool(d.modified)),
    }
    if d.has_structured_data is not False:
        m.update(_variable_shares(d.variables))
    return m


def _variable_shares(vs: list[Variable]) -> dict[str, float]:
    """The variables metrics, counted in one pass (a dataset's variables are read by the hundred
    when a source's labels are assessed)."""
    labelled = described = typed = coded = 0
    for v in vs:
        if any(v.title.values()):
            labelled += 1
        if any(v.description.values()):
            described += 1
        if v.datatype in CSVW_DATATYPES:
            typed += 1
        if v.codelist or v.coding_system or v.unit:
            coded += 1
    n = len(vs)
    return {
        "variableLabels": labelled / n if n else 0.0,
        "variableDescriptions": described / n if n else 0.0,
        "variableTypes": typed / n if n else 0.0,
        "variableCodes": coded / n if n else 0.0,
    }


def rating(percent: float) -> str:
    """The data.europa.eu rating band of a score in percent of its maximum."""
    return next(name for name, share in BANDS if percent / 100 >= share - 1e-9)


def _score(dimensions: dict[str, tuple[float, float]], metrics: dict[str, float], fixes: list[str]) -> QualityScore:
    total = sum(p for p, _m in dimensions.values())
    maximum = sum(m for _p, m in dimensions.values())
    percent = round(100 * total / maximum, 1) if maximum else 0.0
    return QualityScore(
        dimensions=dimensions,
        total=round(total, 1),
        max=maximum,
        percent=percent,
        rating=rating(percent),
        fixes=fixes,
        metrics=metrics,
    )


def score_dataset(dataset: Dataset, report: Report | None, top: int = 5) -> QualityScore:
    """The dataset's score; `report` is its validation report (None: not validated, no compliance points)."""
    metrics = measure(dataset, report)
    dimensions = {}
    for name, names in DIMENSIONS.items():
        present = [m for m in names if m in metrics]
        dimensions[name] = (
            round(sum(_weight(m) * metrics[m] for m in present), 1),
            float(sum(_weight(m) for m in present)),
        )
    missed = sorted((m for m in metrics if metrics[m] < 1), key=lambda m: (-_weight(m) * (1 - metrics[m]), m))
    return _score(dimensions, metrics, [FIXES[m].text for m in missed[:top]])


def score_publisher(scores: Iterable[QualityScore], top: int = 5) -> QualityScore:
    """A publisher's score: the mean of its datasets' points per dimension; fixes by how many datasets miss them."""
    scores = list(scores)
    if not scores:
        return _score({name: (0.0, 0.0) for name in DIMENSIONS}, {}, [])
    n = len(scores)
    dimensions = {
        name: (
            round(sum(s.dimensions[name][0] for s in scores) / n, 1),
            round(sum(s.dimensions[name][1] for s in scores) / n, 1),
        )
        for name in DIMENSIONS
    }
    names = {m for s in scores for m in s.metrics}
    metrics = {m: sum(s.metrics.get(m, 0.0) for s in scores) / n for m in names}
    missing = Counter(m for s in scores for m, v in s.metrics.items() if v < 1)
    ranked = sorted(missing, key=lambda m: (-missing[m] * _weight(m), m))
    return _score(dimensions, metrics, [FIXES[m].text for m in ranked[:top]])


def metric_iri(metric: str) -> URIRef:
    return MQA[metric] if metric in MQA_WEIGHTS else HK[metric]


def to_dqv(dataset_uri: str, score: QualityScore) -> Graph:
    """The score as W3C DQV: one dqv:QualityMeasurement per metric, per dimension and for the total."""
    g = rdf.new_graph()
    g.bind("dcatno-mqa", MQA)
    dataset = URIRef(dataset_uri)

    def measurement(metric: URIRef, value: Literal) -> None:
        node = BNode()
        g.add((dataset, DQV.hasQualityMeasurement, node))
        g.add((node, RDF.type, DQV.QualityMeasurement))
        g.add((node, DQV.computedOn, dataset))
        g.add((node, DQV.isMeasurementOf, metric))
        g.add((node, DQV.value, value))

    for metric, share in sorted(score.metrics.items()):
        binary = metric in MQA_WEIGHTS
        measurement(
            metric_iri(metric), Literal(share == 1.0) if binary else Literal(f"{share:.3f}", datatype=XSD.decimal)
        )
    for name, (points, _maximum) in score.dimensions.items():
        measurement(HK[f"{name}Score"], Literal(f"{points:.1f}", datatype=XSD.decimal))
    measurement(HK.score, Literal(f"{score.total:.1f}", datatype=XSD.decimal))
    measurement(HK.scorePercent, Literal(f"{score.percent:.1f}", datatype=XSD.decimal))
    return g
