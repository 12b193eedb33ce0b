"""Validation of records and feeds against SHACL shapes (shapes/), explained in plain words.

`validate_records` is what the pipeline calls on every harvested record; `validate_graph` is what
`catalog validate` calls on a registry's feed. Reports are plain data (`Report.to_dict`) stored
with each record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

import shapes
from catalog import rdf
from catalog.model import Record

PROFILES = {
    "catalog": ["catalog.ttl"],
    "dcat-ap-3": ["catalog.ttl"],
    "healthdcat-ap": ["catalog.ttl"],
    "dcat-ap-no": ["catalog.ttl"],
}
"""Profile name -> our shapes files that make it up."""

DEFAULT_PROFILE = "healthdcat-ap"


class UnknownProfile(ValueError):
    pass


@dataclass
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str | None
    value: str | None
    message: str  # Norwegian | English
    shape: str | None = None


@dataclass
class Report:
    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    profile: str = DEFAULT_PROFILE

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    def to_dict(self) -> dict[str, Any]:
        return {"conforms": self.conforms, "profile": self.profile, "findings": [asdict(f) for f in self.findings]}


@lru_cache(maxsize=None)
def shapes_graph(profile: str) -> Graph:
    if profile not in PROFILES:
        raise UnknownProfile(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    g = Graph()
    for name in PROFILES[profile]:
        g.parse(shapes.path(name), format="turtle")
    return g


def _report(results: Graph, profile: str) -> Report:
    findings = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        def one(p: Any) -> str | None:
            o = results.value(r, p)
            return None if o is None else str(o)
        severity = (one(SH.resultSeverity) or str(SH.Violation)).rsplit("#", 1)[-1]
        findings.append(Finding(severity=severity, focus=one(SH.focusNode) or "", path=one(SH.resultPath),
                                value=one(SH.value), message=one(SH.resultMessage) or "",
                                shape=one(SH.sourceShape) if not isinstance(results.value(r, SH.sourceShape), Literal)
                                else None))
    findings.sort(key=lambda f: (f.severity != "Violation", f.focus, f.path or "", f.message))
    return Report(conforms=not any(f.severity == "Violation" for f in findings), findings=findings, profile=profile)


def validate_graph(data: Graph, profile: str = DEFAULT_PROFILE) -> Report:
    import pyshacl

    _conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes_graph(profile), advanced=True,
                                                 allow_warnings=True)
    return _report(results, profile)


def validate_records(records: Iterable[Record], profile: str = DEFAULT_PROFILE) -> list[Report]:
    """One report per record, in order."""
    return [validate_graph(rdf.to_graph([r]), profile) for r in records]
