"""The MQA-like quality score: data.europa.eu's / data.norge.no's metrics and weights, adapted
to non-public health data, extended with variable completeness, stored as DQV."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef, Variable
from rdflib.namespace import XSD

from catalog import quality, validation
from catalog.model import Distribution
from catalog.quality import score_dataset, score_publisher, to_dqv
from tests.conftest import shared_path
from tests.health_records import EU, mfr_dataset

MQA_FILE = "standards/dcat-ap-no/mqa/dcatno-mqa-vocabulary-default-score-values.ttl"
MQA = Namespace("https://data.norge.no/vocabulary/dcatno-mqa#")


def test_our_weights_are_the_published_dcatno_mqa_scores() -> None:
    g = Graph().parse(shared_path(MQA_FILE), format="turtle")
    published = {str(s).removeprefix(str(MQA)): int(str(o)) for s, o in g.subject_objects(MQA.trueScore)}
    assert quality.MQA_WEIGHTS == published


def test_every_metric_is_in_exactly_one_dimension_and_the_maxima_are_the_mqa_ones() -> None:
    listed = [m for names in quality.DIMENSIONS.values() for m in names]
    assert sorted(listed) == sorted([*quality.MQA_WEIGHTS, *quality.VARIABLE_WEIGHTS])
    maxima = {
        name: sum(quality.MQA_WEIGHTS.get(m) or quality.VARIABLE_WEIGHTS[m] for m in names)
        for name, names in quality.DIMENSIONS.items()
    }
    assert maxima == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 140,
        "reusability": 75,
        "contextuality": 20,
        "variables": 40,
    }


def conforming_report() -> validation.Report:
    return validation.validate_records([mfr_dataset()])[0]


def test_the_birth_registry_scores_excellent_with_access_through_the_access_body() -> None:
    score = score_dataset(mfr_dataset(), conforming_report())
    assert score.dimensions == {
        "findability": (100.0, 100.0),
        "accessibility": (100.0, 100.0),
        "interoperability": (115.0, 140.0),
        "reusability": (75.0, 75.0),
        "contextuality": (20.0, 20.0),
        "variables": (38.3, 40.0),
    }
    assert (score.total, score.max, score.percent, score.rating) == (448.3, 475.0, 94.4, "excellent")
    assert score.fixes == [
        "La format og medietype stemme overens | Make format and media type agree",
        "Oppgi medietype på distribusjonen | State the distribution's media type",
        "Knytt variablene til kodeliste, kodeverk eller enhet | "
        "Link the variables to a code list, coding system or unit",
    ]


def test_a_non_public_dataset_without_access_body_loses_the_download_points() -> None:
    score = score_dataset(mfr_dataset(hdab=None), None)
    assert score.dimensions["accessibility"] == (50.0, 100.0)
    assert score.dimensions["interoperability"] == (85.0, 140.0)  # not validated: no compliance points
    assert score.fixes[:2] == [quality.FIXES["dcatApCompliance"].text, quality.FIXES["downloadUrlStatusCode"].text]


@pytest.mark.parametrize(
    "download,licence,accessibility,reusability",
    [
        (None, None, (50.0, 100.0), (45.0, 75.0)),
        ("https://data.fhi.no/mfr/aggregert.csv", EU + "licence/CC_BY_4_0", (100.0, 100.0), (75.0, 75.0)),
        ("https://data.fhi.no/mfr/aggregert.csv", "https://example.org/our-terms", (100.0, 100.0), (65.0, 75.0)),
    ],
)
def test_a_public_dataset_is_scored_on_download_url_and_licence_as_in_the_mqa(
    download: str | None, licence: str | None, accessibility: tuple, reusability: tuple
) -> None:
    d = mfr_dataset(
        access_rights=EU + "access-right/PUBLIC",
        distributions=[
            Distribution(
                uri="https://data.fhi.no/mfr/d",
                access_url="https://data.fhi.no/mfr",
                download_url=download,
                license=licence,
                format=EU + "file-type/CSV",
                media_type="text/csv",
            )
        ],
    )
    score = score_dataset(d, None)
    assert (score.dimensions["accessibility"], score.dimensions["reusability"]) == (accessibility, reusability)


def test_a_dataset_without_structured_data_has_no_variables_dimension() -> None:
    d = mfr_dataset(has_structured_data=False)
    d.variables = []
    assert score_dataset(d, None).dimensions["variables"] == (0.0, 0.0)


def test_variable_completeness_counts_the_share_of_variables() -> None:
    d = mfr_dataset()
    for v in d.variables[:3]:
        v.title, v.description = {}, {}
    score = score_dataset(d, None)
    assert score.metrics["variableLabels"] == score.metrics["variableDescriptions"] == 0.5
    assert score.dimensions["variables"] == (28.3, 40.0)


@pytest.mark.parametrize(
    "percent,band",
    [
        (100, "excellent"),
        (86.7, "excellent"),
        (86.0, "good"),
        (54.6, "good"),
        (54.0, "sufficient"),
        (29.9, "sufficient"),
        (29.0, "bad"),
        (0, "bad"),
    ],
)
def test_rating_bands_are_the_data_europa_eu_ones_as_shares(percent: float, band: str) -> None:
    assert quality.rating(percent) == band


def test_the_publisher_score_is_the_mean_and_its_fixes_what_most_datasets_miss() -> None:
    good = score_dataset(mfr_dataset(), conforming_report())
    weak = score_dataset(mfr_dataset(keywords={}, themes=[], hdab=None), None)
    publisher = score_publisher([good, weak])
    assert publisher.dimensions["findability"] == (70.0, 100.0)
    assert publisher.dimensions["accessibility"] == (75.0, 100.0)
    assert publisher.total == round((good.total + weak.total) / 2, 1)
    # points missed summed over datasets: five ties at 30 (formatMatch by both datasets, 15 each)
    assert publisher.fixes == [
        quality.FIXES[m].text
        for m in (
            "categoryAvailability",
            "dcatApCompliance",
            "downloadUrlStatusCode",
            "formatMatch",
            "keywordAvailability",
        )
    ]
    assert score_publisher([]).total == 0.0


def test_the_score_is_stored_as_dqv_quality_measurements() -> None:
    uri = "https://data.fhi.no/mfr/dataset/fodsler"
    score = score_dataset(mfr_dataset(), conforming_report())
    g = to_dqv(uri, score)
    answer = g.query(
        "SELECT ?metric ?value WHERE { ?d dqv:hasQualityMeasurement ?x . ?x a dqv:QualityMeasurement ; "
        "dqv:computedOn ?d ; dqv:isMeasurementOf ?metric ; dqv:value ?value }",
        initBindings={"d": URIRef(uri)},
    )
    rows = {(str(row[Variable("metric")]), row[Variable("value")]) for row in answer.bindings}
    assert len(rows) == len(quality.MQA_WEIGHTS) + len(quality.VARIABLE_WEIGHTS) + len(quality.DIMENSIONS) + 2
    assert (str(MQA.keywordAvailability), Literal(True)) in rows
    assert (str(MQA.formatMatch), Literal(False)) in rows
    assert ("https://w3id.org/helsekatalog#variableCodes", Literal("0.833", datatype=XSD.decimal)) in rows
    assert ("https://w3id.org/helsekatalog#score", Literal("448.3", datatype=XSD.decimal)) in rows
