"""microdata.no metadata: each data structure of the newest released version as a dataset.

The source URL is the metadata root (`.../metadata`). A run reads `/data-store` for the versions,
picks the newest, and reads `/all?version=...` for its data structures. A data structure becomes
a `Dataset` (identifier: its name) with its identifier, measure and attribute variables; a
measure's code list becomes a `CodeList` the variable links to, with `missingValues` marked as
missing codes. Dates in microdata are days since 1970-01-01 and are written as dates.

`modified` is the release time of the newest version whose `dataStructureUpdates` name the
structure, which is when microdata.no last changed it. `sensitivityLevel` maps to the EU access
right: PUBLIC to PUBLIC, everything else to NON_PUBLIC. microdata.no tags its texts "no"; they
are Bokmål, so they are kept as "nb" (`options.language` overrides).

Incremental: the checkpoint keeps the version harvested and the records of each structure; when
the newest version is still that one, nothing else is downloaded and every record is reported
present.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from catalog.model import CodeList, Concept, Dataset, Variable
from harvesters.base import (
    Checkpoint,
    Complete,
    Event,
    Failed,
    Harvested,
    Harvester,
    Present,
    SourceError,
    keep_last_good,
)
from harvesters.jsonapi import expect, get_json

API = "the microdata.no metadata API"
EU = "http://publications.europa.eu/resource/authority/access-right/"
EPOCH = date(1970, 1, 1)
DATATYPES = {"String": "string", "Long": "integer", "Double": "decimal", "Instant": "date"}
NOT_STATED = {"", "N/A"}


def epoch_day(value: Any) -> str | None:
    """Days since 1970-01-01 as an ISO date (None for anything that is not a whole number)."""
    return (EPOCH + timedelta(days=value)).isoformat() if isinstance(value, int) else None


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return ()


class MicrodataHarvester(Harvester):
    kind = "microdata"

    @property
    def root(self) -> str:
        return self.source.url.rstrip("/")

    @property
    def lang(self) -> str:
        return str(self.source.options.get("language", "nb"))

    def harvest(self) -> Iterator[Event]:
        store_url, data_store = get_json(self.http, f"{self.root}/data-store", API)
        versions = [
            v
            for v in expect(
                expect(data_store, dict, API, store_url, self.kind).get("versions") or [], list, API, store_url
            )
            if isinstance(v, dict) and _version_key(str(v.get("version", "")))
        ]
        if not versions:
            raise SourceError("the data store lists no released version", store_url)
        versions.sort(key=lambda v: _version_key(str(v["version"])))
        latest = str(versions[-1]["version"])
        previous: dict[str, list[str]] = json.loads(self.state.get("records", "{}"))
        if self.state.get("version") == latest and previous:
            yield from (Present(uri) for uris in previous.values() for uri in uris)
            yield Complete()
            yield Checkpoint(dict(self.state))
            return
        changed_at = {
            str(u.get("name")): datetime.fromtimestamp(v["releaseTime"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            for v in versions
            if isinstance(v.get("releaseTime"), int)
            for u in v.get("dataStructureUpdates") or []
            if isinstance(u, dict)
        }
        url, body = get_json(self.http, f"{self.root}/all", API, {"version": latest})
        structures = expect(expect(body, dict, API, url, self.kind).get("dataStructures") or [], list, API, url)
        records: dict[str, list[str]] = {}
        for structure in structures:
            name = str(structure.get("name") or "") if isinstance(structure, dict) else ""
            if not name:
                yield Failed("a data structure has no name, so it was skipped", url, None, "name")
                continue
            if name in records:
                yield Failed(
                    f"the data structure {name} is listed more than once; the first was kept", url, name, "name"
                )
                continue
            try:
                dataset, codelists = self.structure(structure, changed_at.get(name))
                # what the data store says its data are (e.g. "synthetic register data") is where they come from
                dataset.provenance = self._text(data_store.get("description"))
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                records[name] = previous.get(name, [])
                yield from keep_last_good(f"the data structure {name}", url, name, exc, records[name])
                continue
            records[name] = [dataset.uri, *(cl.uri for cl in codelists)]
            yield Harvested(dataset, url)
            yield from (Harvested(cl, url) for cl in codelists)
        yield Complete()
        yield Checkpoint({"version": latest, "records": json.dumps(records, sort_keys=True)})

    # --- mapping ----------------------------------------------------------------------------

    def _text(self, value: Any) -> dict[str, str]:
        return {self.lang: str(value)} if value not in (None, "") else {}

    def structure(self, s: dict[str, Any], modified: str | None) -> tuple[Dataset, list[CodeList]]:
        name = str(s["name"])
        measure = s.get("measureVariable") or {}
        coverage = s.get("temporalCoverage") or {}
        level = str(s.get("sensitivityLevel") or "")
        dataset = Dataset(
            uri=self.mint("dataset", name),
            identifier=name,
            title=self._text(measure.get("label") or name),
            description=self._text(self._represented(measure).get("description")),
            keywords={self.lang: [str(k) for k in s.get("subjectFields") or []]} if s.get("subjectFields") else {},
            population_coverage=self._text(s.get("populationDescription")),
            temporal_start=epoch_day(coverage.get("start")),
            temporal_end=epoch_day(coverage.get("stop")),
            access_rights=EU + ("PUBLIC" if level == "PUBLIC" else "NON_PUBLIC") if level else None,
            modified=modified,
            has_structured_data=True,
        )
        codelists: list[CodeList] = []
        variables = [*(s.get("identifierVariables") or []), measure, *(s.get("attributeVariables") or [])]
        for v in variables:
            if isinstance(v, dict) and v.get("name"):
                variable, codelist = self.variable(name, v)
                dataset.variables.append(variable)
                codelists.extend([codelist] if codelist else [])
        return dataset, codelists

    @staticmethod
    def _represented(v: dict[str, Any]) -> dict[str, Any]:
        """The newest represented variable (they are listed oldest first)."""
        represented = [r for r in v.get("representedVariables") or [] if isinstance(r, dict)]
        return represented[-1] if represented else {}

    def variable(self, structure: str, v: dict[str, Any]) -> tuple[Variable, CodeList | None]:
        name = str(v["name"])
        represented = self._represented(v)
        domain = represented.get("valueDomain") or {}
        unit = str(domain.get("unitOfMeasure") or "")
        key = v.get("keyType") or {}
        variable = Variable(
            uri=self.mint("variable", structure, name),
            name=name,
            title=self._text(v.get("label")),
            description=self._text(represented.get("description")),
            datatype=DATATYPES.get(str(v.get("dataType")), "string"),
            unit=None if unit in NOT_STATED else unit,
            valid_from=epoch_day((represented.get("validPeriod") or {}).get("start")),
            valid_to=epoch_day((represented.get("validPeriod") or {}).get("stop")),
            keywords=[str(key["name"])] if key.get("name") else [],
        )
        codes = [c for c in domain.get("codeList") or [] if isinstance(c, dict) and c.get("code") not in (None, "")]
        if not codes:
            return variable, None
        missing = {str(m) for m in domain.get("missingValues") or []}
        codelist = CodeList(
            uri=self.mint("codelist", structure, name),
            identifier=f"{structure}/{name}",
            title=variable.title,
            concepts=[
                Concept(code=str(c["code"]), label=self._text(c.get("category")), missing=str(c["code"]) in missing)
                for c in codes
            ],
        )
        variable.codelist = codelist.uri
        return variable, codelist
