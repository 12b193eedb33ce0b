"""The catalogue's own texts: every table of them holds bokmål, nynorsk and English for every entry,
its nynorsk is nynorsk, and a nynorsk page finds it for the "bokmål | English" text a report carries.

A researcher's drill found the label's metrics, the minimum elements, the quality fixes and the
validation messages in bokmål on nynorsk pages: their tables held bokmål and English only.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog import label, messages, minimum, quality, rdf, readiness, synthetic, texts, validation
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
    for table in (readiness.NO_ENGLISH, readiness.NO_LANGUAGE_TAG):
        for field, (message, hint) in table.items():
            yield _split(f"readiness warning {field}", message)
            yield _split(f"readiness warning {field}: hint", hint)
    for text, nn in readiness.publisher_texts().items():
        yield _split("readiness publisher type", Said(text, nn))
    for kind, hints in readiness.FORMAT_HINTS.items():
        for field, said in hints.items():
            yield _split(f"readiness hint of {kind} for {field}", said)
    yield _split("readiness hint of a field the format does not carry", readiness.NOT_READ)


def shape_texts() -> Iterator[Entry]:
    for by_lang in texts.shape_literals():
        both, nn = by_lang.get("", []), by_lang.get("nn", [])
        assert len(both) == 1 and len(nn) == 1, f"a shape's text is not one 'Norsk | English' and one @nn: {by_lang}"
        yield _split("shape text", Said(both[0], nn[0]))


def language_tables() -> Iterator[Entry]:
    """Texts kept as a table of language -> text: a synthetic sample's warning (its feed entry and
    the XLSX's first sheet), the labels of our own vocabularies (price models, kinds of service and
    of data product)."""
    yield "synthetic sample warning", synthetic.WARNING["nb"], synthetic.WARNING["nn"], synthetic.WARNING["en"]
    for iri, said in rdf.CONCEPT_LABELS.items():
        yield f"concept label {iri}", said["nb"], said["nn"], said["en"]
    for word, said in texts.UNITS.items():
        yield f"unit {word}", said["nb"], said["nn"], said["en"]


def message_texts() -> Iterator[Entry]:
    """The errors the publisher kit stops with, and the checks of values it shares with catalog.toml."""
    for name, said in messages.all_messages().items():
        yield f"error message {name}", said.nb, said.nn, said.en


TABLES = [
    label_texts,
    minimum_texts,
    quality_texts,
    validation_texts,
    readiness_texts,
    shape_texts,
    language_tables,
    message_texts,
]

BOKMAAL_ONLY = re.compile(
    r"(?<![\w«-])(ikke|mangler|hva|hvor|hvordan|hvilke|hver|hvert|fra|noen|navn|kilden|variabler|variablene|beskrivelse|"
    r"beskrevet|bekreftet|holdes|følger|være|ble|uten|ellers|innen|dataene|eier|eieren|sier|åpne|selvkost|"
    r"antall|enhet|gjelder|dekker|f\.eks|et|en)\b",
    re.IGNORECASE,
)
"""Words a nynorsk text would not use (bokmål's forms of ikkje, manglar, kva, frå, namn, ...); a
quoted code is none («en», the language tag a publisher is told to write)."""


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
    for message, hint in (*readiness.NO_ENGLISH.values(), *readiness.NO_LANGUAGE_TAG.values()):
        assert texts.nynorsk(message.text) == message.nn and texts.nynorsk(hint.text) == hint.nn
        assert all("en)" in said or "«en»" in said for said in (*hint.text.split(" | "), hint.nn)), hint
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


OWN_CODE = ("catalog", "web")
"""Where the catalogue's own texts are written; harvesters/ and simulator/ hold the sources' (a
publisher's title in nb and en is theirs to complete)."""


LANGUAGE_TAG = re.compile(r"[a-z]{2,3}")
"""A dict keyed by language tags alone is a text (`{"nb": ..., "en": ...}`); one with other keys
beside them is a table of something else (the search analyzers' `{"nb", "en", "plain"}`)."""


def _gaps_in(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            languages = all(isinstance(k, str) and LANGUAGE_TAG.fullmatch(k) for k in keys)
            if languages and {"nb", "en"} <= keys and "nn" not in keys:
                yield f"{path}:{node.lineno}: a text keyed nb and en"
        elif isinstance(node, ast.FunctionDef):
            langs = {
                kw.value.value
                for kw in ast.walk(node)
                if isinstance(kw, ast.keyword) and kw.arg == "lang" and isinstance(kw.value, ast.Constant)
            }
            if {"nb", "en"} <= langs and "nn" not in langs:
                yield f"{path}:{node.lineno}: {node.name} writes literals @nb and @en"


def test_no_text_of_the_catalogues_own_code_is_in_bokmaal_and_english_without_nynorsk() -> None:
    """A text written as {"nb": ..., "en": ...}, or a function writing Literal(..., lang="nb") and
    lang="en", with no nynorsk beside them: the way the feeds' titles, the samples' warnings and
    the demo's access body came to have none. Read from the source, so a text no test renders is
    caught too; a table of another form (a tuple of texts) needs its place in `TABLES` above."""
    root = Path(__file__).resolve().parent.parent
    gaps = [gap for folder in OWN_CODE for path in sorted((root / folder).rglob("*.py")) for gap in _gaps_in(path)]
    assert [gap.removeprefix(f"{root}/") for gap in gaps] == []
