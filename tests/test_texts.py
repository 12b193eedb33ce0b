"""The catalogue's own texts: every table of them holds bokmål, nynorsk and English for every entry,
its nynorsk is nynorsk, and a nynorsk page finds it for the "bokmål | English" text a report carries.

A researcher's drill found the label's metrics, the minimum elements, the quality fixes and the
validation messages in bokmål on nynorsk pages: their tables held bokmål and English only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from catalog import label, minimum, quality, readiness, texts, validation
from catalog.texts import Said

Entry = tuple[str, str, str, str]  # (what, bokmål, nynorsk, English)


def _split(what: str, said: Said) -> Entry:
    nb, sep, en = said.text.partition(" | ")
    assert sep and " | " not in en, f"{what}: {said.text!r} is not 'Norsk | English'"
    return what, nb, said.nn, en


def label_texts() -> Iterator[Entry]:
    for e in label.ELEMENTS:
        yield f"label element {e.name}", e.nb, e.nn, e.en
    for m in label.METRICS:
        yield f"label metric {m.name}", m.nb, m.nn, m.en
        yield f"label metric {m.name}: method", m.method_nb, m.method_nn, m.method
    name, _element, en, nb, nn, _method = label.SCORE
    yield f"label metric {name}", nb, nn, en


def minimum_texts() -> Iterator[Entry]:
    for e in minimum.ELEMENTS:
        yield f"minimum element {e.curie}", e.nb, e.nn, e.en
        if e.condition.text:
            yield _split(f"minimum element {e.curie}: condition", e.condition)


def quality_texts() -> Iterator[Entry]:
    for metric, fix in quality.FIXES.items():
        yield _split(f"quality fix {metric}", fix)


def validation_texts() -> Iterator[Entry]:
    for said in validation.generic_texts():
        yield _split("generic validation text", said)


def readiness_texts() -> Iterator[Entry]:
    for role, (nb, nn, en) in readiness.ROLE_NAMES.items():
        yield f"readiness role {role}", nb, nn, en
    for said in (readiness.MISSING_AGENT, readiness.MISSING_NAME, readiness.MISSING_CONTACT):
        yield _split("readiness agent message", said)
    for field, (message, hint) in readiness.NO_ENGLISH.items():
        yield _split(f"readiness warning {field}", message)
        yield _split(f"readiness warning {field}: hint", hint)


def shape_texts() -> Iterator[Entry]:
    for by_lang in texts.shape_literals():
        both, nn = by_lang.get("", []), by_lang.get("nn", [])
        assert len(both) == 1 and len(nn) == 1, f"a shape's text is not one 'Norsk | English' and one @nn: {by_lang}"
        yield _split("shape text", Said(both[0], nn[0]))


TABLES = [label_texts, minimum_texts, quality_texts, validation_texts, readiness_texts, shape_texts]

BOKMAAL_ONLY = re.compile(
    r"(?<![\w-])(ikke|mangler|hva|hvor|hvordan|hvilke|hver|hvert|fra|noen|navn|kilden|variabler|variablene|beskrivelse|"
    r"beskrevet|bekreftet|holdes|følger|være|ble|uten|ellers|innen|dataene|eier|eieren|sier|åpne|selvkost|"
    r"antall|enhet|gjelder|dekker|f\.eks|et|en)\b",
    re.IGNORECASE,
)
"""Words a nynorsk text would not use (bokmål's forms of ikkje, manglar, kva, frå, namn, ...)."""


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.__name__)
def test_every_entry_of_every_table_of_the_catalogues_own_texts_is_in_bokmaal_nynorsk_and_english(table) -> None:
    entries = list(table())
    assert entries
    for what, nb, nn, en in entries:
        assert nb.strip() and nn.strip() and en.strip(), f"{what}: {(nb, nn, en)}"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.__name__)
def test_the_nynorsk_of_every_entry_is_nynorsk_not_bokmaal(table) -> None:
    for what, _nb, nn, _en in table():
        found = BOKMAAL_ONLY.search(nn)
        assert found is None, f"{what}: {nn!r} says {found.group(0)!r}, which is bokmål"


def test_a_nynorsk_page_finds_the_nynorsk_of_every_text_a_report_or_score_carries() -> None:
    for what, nb, nn, en in (*quality_texts(), *shape_texts()):
        assert texts.nynorsk(f"{nb} | {en}") == nn, what
    assert texts.nynorsk("Utgiveren mangler navn | The publisher has no name") == "Utgivaren manglar namn"
    assert texts.nynorsk("Tilgangsorganet mangler | The access body is missing") == "Tilgangsorganet manglar"
    for message, hint in readiness.NO_ENGLISH.values():
        assert texts.nynorsk(message.text) == message.nn and texts.nynorsk(hint.text) == hint.nn
    assert (
        texts.nynorsk(
            "Verdien av dct:type er ikke en av de tillatte | The value of dct:type is not one of the allowed values"
        )
        == "Verdien av dct:type er ikkje ein av dei tillatne"
    )
    assert texts.nynorsk("Mangler påkrevd verdi for dct:title | A required value is missing for dct:title") == (
        "Manglar påkravd verdi for dct:title"
    )
    assert texts.nynorsk("Tittel mangler | Title missing") is None, "not one of the catalogue's texts"
