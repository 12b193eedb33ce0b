"""Which variables identify a person or unit: as the real sources and the registries label them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.model import Variable
from catalog.pseudonyms import is_identifier

MICRODATA = Path(__file__).parents[2] / "shared" / "real-world" / "microdata" / "metadata_all.json"
TYPES = {"Long": "integer", "Double": "double", "String": "string", "Instant": "date"}


def variable(name: str, label: str, datatype: str = "string", codelist: str | None = None) -> Variable:
    return Variable(uri=f"x/{name}", name=name, title={"nb": label}, datatype=datatype, codelist=codelist)


@pytest.mark.skipif(not MICRODATA.exists(), reason="the real-world samples are not beside the worktree")
def test_microdatas_identifier_variables_and_only_those_are_identifiers():
    """microdata.no is the one source that names a variable's role: every `Identifier` is found
    by its label or name, and no measure or attribute is."""
    structures = json.loads(MICRODATA.read_text(encoding="utf-8"))["dataStructures"]
    found: dict[str, set[bool]] = {"identifier": set(), "other": set()}
    for s in structures:
        roles = [("identifier", v) for v in s.get("identifierVariables") or []]
        roles += [("other", v) for v in [s.get("measureVariable"), *(s.get("attributeVariables") or [])] if v]
        for role, v in roles:
            mapped = variable(v["name"], v.get("label", ""), TYPES.get(v.get("dataType"), "string"))
            found[role].add(is_identifier(mapped))
    assert found == {"identifier": {True}, "other": {False}}


@pytest.mark.parametrize(
    "name,label,datatype",
    [
        ("LOPENR", "Løpenummer for person (pseudonym)", "string"),  # the registries' serial number
        ("PASIENT_ID", "Pasientens løpenummer (pseudonym)", "string"),
        ("FORSKRIVER_ID", "Forskriver (pseudonym)", "string"),  # NorPD's prescriber
        ("KRG_KREFTTILFELLEID_1", "Krefttilfelle-identifikator", "integer"),  # microdata.no
        ("FNR", "Fødselsnummer", "string"),
        ("SERIAL", "Household serial number", "integer"),  # IPUMS-CPS
        ("idno", "Identificateur du cas", "integer"),  # FORS' ESS Switzerland
        ("LOPENR", "", "string"),  # a source that gives no label
    ],
)
def test_a_serial_number_pseudonym_or_identity_number_is_an_identifier(name, label, datatype):
    assert is_identifier(variable(name, label, datatype))


@pytest.mark.parametrize(
    "name,label,datatype,codelist",
    [
        ("VEKT", "Fødselsvekt", "integer", None),
        ("DOSENR", "Dosenummer", "integer", None),
        ("FODT_DATO", "Fødselsdato for person (pseudonymisert)", "date", None),  # a date, however labelled
        ("IDTYPE", "Type identifikator", "string", "https://example.org/kodeverk/idtype"),  # a coded value
    ],
)
def test_a_measure_a_date_or_a_coded_value_is_not_an_identifier(name, label, datatype, codelist):
    assert not is_identifier(variable(name, label, datatype, codelist))
