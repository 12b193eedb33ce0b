"""Variables that identify a person or another unit: a serial number, a pseudonym, an identity
number. Their values are keys, not measures: a registry makes its serial numbers (MFR's LOPENR,
a quality registry's PASIENT_ID) for each delivery, so two sources' "Løpenummer for person
(pseudonym)" share a label and nothing else, and the data are linked by those who release them,
not by matching the two columns. MFR's LOPENR listed 105 variables "in other sources" as the same
variable (the epidemiologist's drill).

No source says a variable's role in words the model keeps (microdata.no's `variableRole` is
the only one, and its identifiers are also labelled "Personidentifikator"), so an identifier is
recognised by what the sources call it: its label or short name. As the sources write them:
microdata.no's "Personidentifikator" and "Krefttilfelle-identifikator" (PERSON_ID_1), the
registries' "Løpenummer for person (pseudonym)" (LOPENR) and "Forskriver (pseudonym)", SSB's
FNR "Fødselsnummer", IPUMS' "Household serial number" (SERIAL), FORS' Swiss ESS "Identificateur
du cas" (idno). IPUMS' CPSID ("CPSID, household record") says it in neither and is not found. A
variable with a code list, or holding dates, amounts or yes/no, is not one, whatever its label says.
"""

from __future__ import annotations

import re

from catalog.model import Variable

SAID = re.compile(
    r"pseudonym|identifikator|identifier|identificateur|identification number|serial number|"
    r"\bl[øo]pe(?:nummer|nr)\b|f[øo]dselsnummer|personnummer|\bd-nummer\b",
    re.IGNORECASE,
)
"""Words in a label that say the variable identifies someone or something."""

NAMES = re.compile(r"^(?:LOPENR|LOEPENR|FNR|FNR_HASH|PID|IDNO|PERSON_?ID(?:_\d+)?)$|_(?:LOPENR|PSEUDONYM)$", re.I)
"""Short names that say it where the label does not (a source may give no label)."""

NOT_KEYS = frozenset({"date", "dateTime", "gYear", "gYearMonth", "time", "decimal", "double", "float", "boolean"})


def is_identifier(v: Variable) -> bool:
    """Whether the variable identifies a person or unit (a serial number, a pseudonym, an
    identity number) rather than measuring something."""
    if v.codelist or v.datatype in NOT_KEYS:
        return False
    return bool(NAMES.search(v.name.strip())) or any(SAID.search(label) for label in v.title.values() if label)
