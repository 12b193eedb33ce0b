"""DCAT-AP-NO 2.0 (Norway's profile, built on DCAT-AP 2): every live record, with what it asks beyond DCAT-AP 3."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, RDF, SKOS, XSD
from rdflib.namespace import DCTERMS as DCT
from rdflib.term import Node

from catalog.config import Settings
from catalog.model import Dataset
from catalog.profiles.dcat_ap_3 import DcatAp3
from catalog.rdf import ELI, EU, TripleSink, TripleWriter, add_dataset, add_variables, iri


class DcatApNo(DcatAp3):
    name = "dcat-ap-no"
    title = "DCAT-AP-NO 2.0"
    shapes = ("common.ttl", "dcat-ap-no.ttl", "marketplace.ttl")

    def add_catalog(self, g: TripleWriter, settings: Settings, modified: str | None = None) -> URIRef:
        cat = super().add_catalog(g, settings, modified)
        g.add((cat, DCT.identifier, Literal(str(cat))))  # DCAT-AP-NO requires the catalogue's identifier
        return cat

    def write_dataset(
        self, g: TripleWriter, dataset: Dataset, variables: bool, written: Sequence[Triple] | None = None
    ) -> URIRef:
        if written is None:
            part = TripleSink()
            add_dataset(part, dataset, variables=False)
            written = part
        subject = iri(dataset.uri)
        for triple in for_dcat_ap_no(written):
            g.add(triple)
        if variables and dataset.variables:
            add_variables(g, subject, dataset)  # variables read the same as in DCAT-AP 3
        return subject


ELI_TYPES = {"/eli/reg/": "REG", "/eli/dir/": "DIR", "/eli/dec/": "DEC"}
Triple = tuple[Any, Any, Any]
_BYTE_SIZE, _TYPE, _DCT_TYPE, _DCT_TITLE = DCAT.byteSize, RDF.type, DCT.type, DCT.title
_LEGAL_RESOURCE, _STANDARD = ELI.LegalResource, DCT.Standard
_START, _END = DCAT.startDate, DCAT.endDate
_WATCHED = {_BYTE_SIZE, _TYPE, _DCT_TYPE, _DCT_TITLE, _START, _END}
_PARTIAL = {XSD.gYear, XSD.gYearMonth}


def as_date(value: Literal, end: bool) -> Literal:
    """A year or a month as the day it begins (a start) or ends (an end): DCAT-AP-NO 2.0 takes a
    period's bounds as xsd:date or xsd:dateTime only, where DCAT-AP 3 also takes gYear and gYearMonth."""
    year, _, month = str(value).partition("-")
    first, last = (int(month), int(month)) if month else (1, 12)
    day = calendar.monthrange(int(year), last)[1] if end else 1
    return Literal(f"{int(year):04d}-{last if end else first:02d}-{day:02d}", datatype=XSD.date)


def for_dcat_ap_no(triples: Iterable[Triple]) -> list[Triple]:
    """What DCAT-AP-NO 2.0 (built on DCAT-AP 2) asks beyond DCAT-AP 3, filled in from what we know.

    - dcat:byteSize is xsd:decimal there (xsd:nonNegativeInteger in DCAT-AP 3);
    - an eli:LegalResource needs its dct:type: the EU resource type its ELI names (regulation,
      directive, decision);
    - a dct:Standard needs a dct:title: its label in our controlled vocabularies, else its notation;
    - a period's dcat:startDate and endDate are dates: a year or a month is its first or last day.

    One pass over one record's triples (an rdflib Graph per record cost three times the record's
    writing, and feeds write every record in this profile).
    """
    out: list[Triple] = []
    laws: dict[Any, None] = {}
    standards: dict[Any, None] = {}
    typed, titled = set(), set()
    for triple in triples:
        s, p, o = triple
        if p in _WATCHED:  # a set lookup first: rdflib's term equality is Python code
            if p == _BYTE_SIZE:
                triple = (s, p, Literal(str(o), datatype=XSD.decimal))
            elif p == _TYPE and o == _LEGAL_RESOURCE:
                laws[s] = None
            elif p == _TYPE and o == _STANDARD:
                standards[s] = None
            elif p == _DCT_TYPE:
                typed.add(s)
            elif p == _DCT_TITLE:
                titled.add(s)
            elif isinstance(o, Literal) and o.datatype in _PARTIAL:  # a period's start or end
                triple = (s, p, as_date(o, end=p == _END))
        out.append(triple)  # the very triple when it is kept (`catalog.renderings` compares by identity)
    for law in laws:
        kind = next((code for part, code in ELI_TYPES.items() if part in str(law)), None)
        if kind and law not in typed:
            out.append((law, DCT.type, URIRef(EU + "resource-type/" + kind)))
    for standard in standards:
        if standard not in titled:
            out.extend((standard, DCT.title, label) for label in standard_titles(standard))
    return out


@lru_cache(maxsize=4096)
def standard_titles(standard: URIRef) -> tuple[Node, ...]:
    """A standard's labels in our controlled vocabularies, else its notation or the IRI's last part."""
    from catalog.validation import vocabulary_graph

    vocabularies = vocabulary_graph()
    labels = tuple(vocabularies.objects(standard, SKOS.prefLabel))
    return labels or (
        Literal(str(vocabularies.value(standard, SKOS.notation) or str(standard).rstrip("/").rsplit("/", 1)[-1])),
    )
