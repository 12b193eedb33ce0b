"""Countries as the EU's country authority table names them, for `dct:spatial`.

A source that says where its data are from by a country's ISO 3166-1 code or English name (DDI's
`<nation abbr="FI">Finland</nation>`) is mapped to the table's IRI, which is what DCAT-AP
recommends and the EU's catalogue filters by. The table is ISO 3166-1 (`countries.tsv`); a place
that is not a country there ("England") is not one, so it is left out, not guessed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from catalog.config import EU_AUTHORITY

COUNTRIES_FILE = Path(__file__).with_name("countries.tsv")
COUNTRY = EU_AUTHORITY + "country/"


@cache
def _codes() -> dict[str, str]:
    """Alpha-2, alpha-3 and English name, case-folded -> alpha-3."""
    table: dict[str, str] = {}
    for line in COUNTRIES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            alpha2, alpha3, name = line.split("\t")
            table.update({alpha2.casefold(): alpha3, alpha3.casefold(): alpha3, name.casefold(): alpha3})
    return table


def country_iri(value: str) -> str | None:
    """The EU country IRI of an ISO 3166-1 code (two or three letters, any case) or English name;
    None for anything else."""
    code = _codes().get(value.strip().casefold())
    return COUNTRY + code if code else None
