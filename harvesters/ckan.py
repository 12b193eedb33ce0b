"""CKAN portals through the Action API (ckanapi.RemoteCKAN), with variable lists from resources.

A run lists packages with `package_search` (optionally one organisation: `options.organization`),
paged by rows/start and sorted `metadata_modified asc` so paging is stable. The checkpoint keeps
the newest `metadata_modified` seen and which records each package produced; the next run asks
only for packages modified since then, then lists every package id (a light `package_search`
with `fl`) to report the others present and let the pipeline mark the missing ones deleted.

Every request goes through the source's guarded session, so timeouts, size limits, retries,
Retry-After and the host fence apply to the API and to resource downloads alike. Variable lists
attached as CSV/XLSX resources become the dataset's variables (`harvesters.varlist`); when a
list is attached in several formats, the first readable one is used. A resource that cannot be
read is reported and the package is harvested without it.

A resource named as a frequency table ("Frekvenser", "frequencies", ...: `options.frequencies_pattern`)
holds the package's counts as `variable, code, count` (`harvesters.frequencies`); they come with
the dataset and go to disclosure control, never into the record, and the resource does not become
a distribution (the catalogue does not hand out a link to raw counts either).

Packages map with ckanext-dcat's conventions: maintainer (else author) is the contact point, the
organisation completed by the publisher_* extras (name, email, url, uri, identifier) the
publisher, dcat_type the dataset type; provenance, legal_basis, theme, access_rights ... as named.
The organisation is named by its page on the portal, `<portal>/organization/<id>`, as ckanext-dcat
names it in the portal's own DCAT feed (`CkanHarvester.publisher_uri`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import ckanapi
from ckanapi.errors import CKANAPIError

from catalog.config import EU_AUTHORITY as EU
from catalog.disclosure import DatasetCounts
from catalog.model import Agent, Dataset, Distribution, Variable
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
    replayed,
    saved_problems,
)
from harvesters.frequencies import dataset_counts, read_frequencies
from harvesters.http import USER_AGENT, FetchError
from harvesters.sniff import kind_hint
from harvesters.varlist import VarlistError, read_varlist

log = logging.getLogger(__name__)
FILE_TYPES = {
    "csv": "CSV",
    "xlsx": "XLSX",
    "xls": "XLS",
    "json": "JSON",
    "xml": "XML",
    "pdf": "PDF",
    "html": "HTML",
    "zip": "ZIP",
    "rdf": "RDF_XML",
    "ttl": "RDF_TURTLE",
    "turtle": "RDF_TURTLE",
}
VARLIST_FORMATS = ("csv", "xlsx", "xls")
VARLIST_NAMES = r"variab|varliste|kodebok|codebook|data dictionary"
FREQUENCY_NAMES = r"frekvens|frequenc|fordeling|aggregat|opptelling"
"""A resource whose name, description or URL says this is a frequency table (not a variable list)."""
LIST_FIELDS = "id,name,metadata_modified"
MAX_PAGES = 100_000


USER_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
HDX_FREQUENCIES = {
    "0": "CONT",  # HDX "Live"
    "1": "DAILY",
    "7": "WEEKLY",
    "14": "BIWEEKLY",
    "30": "MONTHLY",
    "90": "QUARTERLY",
    "180": "ANNUAL_2",
    "365": "ANNUAL",
    "-1": "NEVER",
    "-2": "IRREG",  # HDX "As needed"
}
"""HDX's data_update_frequency (days) -> the EU frequency vocabulary."""


def hdx_fields(package: dict[str, Any]) -> dict[str, Any]:
    """What the Humanitarian Data Exchange's CKAN schema states in its own fields: the period
    (`dataset_date` "[start TO end]"), the update frequency in days, where the data come from
    (`dataset_source`, `methodology`) and the countries (its groups, named by ISO 3166 alpha-3)."""
    out: dict[str, Any] = {}
    period = re.fullmatch(r"\[(\S+) TO (\S+)\]", str(package.get("dataset_date") or ""))
    if period:
        out["start"], out["end"] = (None if p == "*" else p.split("T", 1)[0] for p in period.groups())
    frequency = HDX_FREQUENCIES.get(str(package.get("data_update_frequency") or ""))
    if frequency:
        out["frequency"] = EU + "frequency/" + frequency
    source = "; ".join(str(package[k]).strip() for k in ("dataset_source", "methodology") if package.get(k))
    if source:
        out["provenance"] = source
    if "dataset_source" in package or "data_update_frequency" in package:  # HDX: groups are countries
        out["countries"] = sorted(
            EU + "country/" + str(g["name"]).upper()
            for g in package.get("groups") or []
            if isinstance(g, dict) and re.fullmatch(r"[a-z]{3}", str(g.get("name") or ""))
        )
    return out


class Portal(ckanapi.RemoteCKAN):
    """RemoteCKAN whose replies are checked before ckanapi parses them.

    ckanapi turns any non-CKAN reply into `CKANAPIError(repr([url, status, whole body]))`; here a
    failed status, bytes that are not the declared encoding and malformed JSON each become one
    plain sentence naming the URL instead.
    """

    def _request_fn(
        self, url: str, data: Any, headers: dict[str, str], files: Any, requests_kwargs: dict[str, Any]
    ) -> tuple[int, str]:
        response = self.session.post(url, data=data, headers=headers, files=files, **requests_kwargs)
        return response.status_code, checked_text(response, url)

    def _request_fn_get(
        self, url: str, data_dict: Any, headers: dict[str, str], requests_kwargs: dict[str, Any]
    ) -> tuple[int, str]:
        response = self.session.get(url, params=data_dict, headers=headers, **requests_kwargs)
        return response.status_code, checked_text(response, url)


def checked_text(response: Any, url: str) -> str:
    encoding = (
        response.encoding if response.encoding and "charset" in response.headers.get("content-type", "") else "utf-8"
    )
    try:
        text = response.content.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FetchError(
            f"the API answer is not valid {encoding} as declared ({exc.__class__.__name__} "
            f"at byte {getattr(exc, 'start', '?')})",
            url,
            response.status_code,
        ) from exc
    try:
        body = json.loads(text)
    except ValueError as exc:
        if response.status_code >= 400:
            raise FetchError(
                f"the server answered {response.status_code} {response.reason}", url, response.status_code
            ) from exc
        line = getattr(exc, "lineno", None)
        raise SourceError(
            f"the CKAN API answered with malformed JSON ({getattr(exc, 'msg', exc)})",
            url,
            line,
            kind_hint(text, "ckan"),
        ) from exc
    if not isinstance(body, dict) or "success" not in body:
        raise SourceError(
            f"the answer (status {response.status_code}) is not a CKAN API reply: it has no 'success' field",
            url,
            hint=kind_hint(kind="ckan", value=body),
        )
    return text


def ckan_time(value: str | None) -> str | None:
    """CKAN's naive UTC timestamps as xsd:dateTime (whole seconds when the fraction is zero)."""
    if not value:
        return None
    value = re.sub(r"\.0+$", "", value)
    return value if re.search(r"(Z|[+-]\d{2}:?\d{2})$", value) else value + "Z"


def _texts(value: Any, lang: str) -> dict[str, str]:
    """A CKAN string, or a scheming `*_translated` dict, as language-tagged text."""
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if v}
    return {lang: str(value)} if value else {}


def _iris(value: Any) -> list[str]:
    """IRIs from a scheming list, a JSON-encoded list in an extra, or a comma-separated extra."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else value.split(",")
        except ValueError:
            value = value.split(",")
    items = value if isinstance(value, list) else []
    return [str(v).strip() for v in items if re.match(r"https?://", str(v).strip())]


def _format(resource: dict[str, Any]) -> str:
    return str(resource.get("format") or "").lower() or str(resource.get("url", "")).rsplit(".", 1)[-1].lower()


def _label(resource: dict[str, Any]) -> str:
    return f"{resource.get('name') or ''} {resource.get('description') or ''} {resource.get('url') or ''}"


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


class CkanHarvester(Harvester):
    kind = "ckan"

    # --- the API ---------------------------------------------------------------------------

    def portal(self) -> Portal:
        return Portal(
            self.source.url.rstrip("/"),
            session=self.http.session,
            user_agent=USER_AGENT,
            get_only=bool(self.source.options.get("get_only", False)),
        )

    def call(self, portal: Portal, action: str, **data: Any) -> Any:
        try:
            return portal.call_action(action, data, requests_kwargs={"timeout": self.http.session.limits.timeout})
        except CKANAPIError as exc:
            detail = exc.args[0] if exc.args else exc
            raise SourceError(
                f"the CKAN API refused {action} ({type(exc).__name__}: {str(detail)[:300]})",
                f"{portal.address}/api/action/{action}",
            ) from exc

    def search(self, portal: Portal, fq: str, fields: str | None = None) -> Iterator[dict[str, Any]]:
        """Every package matching `fq`, page by page, oldest change first."""
        rows = min(int(self.source.options.get("rows", 100)), 1000)
        start = 0
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {
                "q": "*:*",
                "fq": fq,
                "rows": rows,
                "start": start,
                "sort": "metadata_modified asc",
            }
            if fields:
                params["fl"] = fields
            page = self.call(portal, "package_search", **params)
            results = page.get("results") or []
            yield from results
            start += len(results)
            if not results or start >= int(page.get("count", 0)):
                return
        raise SourceError(f"package_search did not end after {MAX_PAGES} pages", self.source.url)

    # --- a run ------------------------------------------------------------------------------

    def harvest(self) -> Iterator[Event]:
        portal = self.portal()
        org = self.source.options.get("organization")
        scope = f"organization:{org}" if org else ""
        since = self.state.get("modified_since")
        previous: dict[str, list[str]] = json.loads(self.state.get("records", "{}"))
        noted: dict[str, list[list[str | None]]] = json.loads(self.state.get("problems", "{}"))
        records: dict[str, list[str]] = {}
        problems: dict[str, list[list[str | None]]] = {}

        def unchanged(pid: str) -> Iterator[Event]:
            """A package as the last run saw it: its records present, its problems reported again."""
            records[pid] = previous[pid]
            if noted.get(pid):
                problems[pid] = noted[pid]
                yield from replayed(noted[pid])
            yield from (Present(uri) for uri in previous[pid])

        newest = since or ""
        changed_fq = " AND ".join(
            filter(None, [scope, f"metadata_modified:[{ckan_time(since)} TO *]" if since else ""])
        )
        for package in self.search(portal, changed_fq):
            modified = str(package.get("metadata_modified") or "")
            newest = max(newest, modified)
            pid = str(package.get("id") or package.get("name") or "")
            if since and modified == since and pid in previous and pid not in records:
                # the range is inclusive (a package changed in the same instant as the cursor must not
                # be missed), so the packages last seen at the cursor come back every run: unchanged
                yield from unchanged(pid)
                continue
            yield from self._package(package, records, previous, problems)
        if since:
            for listed in self.search(portal, scope, LIST_FIELDS):
                pid = str(listed.get("id") or listed.get("name"))
                if pid in records:
                    continue
                if pid in previous:
                    yield from unchanged(pid)
                else:  # listed but never seen: changed before the cursor yet new to us (e.g. made public)
                    yield from self._package(self.call(portal, "package_show", id=pid), records, previous, problems)
        yield Complete()
        yield Checkpoint(
            {
                "modified_since": newest,
                "records": json.dumps(records, sort_keys=True),
                "problems": json.dumps(problems, sort_keys=True),
            }
            if newest
            else {}
        )

    def _package(
        self,
        package: dict[str, Any],
        records: dict[str, list[str]],
        previous: dict[str, list[str]],
        problems: dict[str, list[list[str | None]]],
    ) -> Iterator[Event]:
        pid = str(package.get("id") or package.get("name") or "")
        name = str(package.get("name") or pid)
        url = f"{self.source.url.rstrip('/')}/dataset/{name}"
        if not pid:
            yield Failed("a package has neither id nor name, so it was skipped", url, None, "id")
            return
        if pid in records:
            yield Failed(f"the package {name} is listed more than once; the first was kept", url, name, "id")
            return
        try:
            dataset = self.dataset(package)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            records[pid] = previous.get(pid, [])
            events = list(keep_last_good(f"the package {name}", url, name, exc, records[pid]))
            problems[pid] = saved_problems(e for e in events if isinstance(e, Failed))
            yield from events
            return
        codelists, failed = [], []
        for event in self.variables(package, dataset):
            if isinstance(event, Harvested):
                codelists.append(event)
            else:
                if isinstance(event, Failed):
                    failed.append(event)
                yield event
        counts: DatasetCounts | None = DatasetCounts(dataset.uri, ())
        for found in self.counts(package, dataset, [h.record for h in codelists]):
            if isinstance(found, Failed):
                failed.append(found)
                yield found
            else:
                counts = found
        records[pid] = [dataset.uri, *(h.record.uri for h in codelists)]
        if failed:
            problems[pid] = saved_problems(failed)
        yield Harvested(dataset, url, counts)
        yield from codelists

    # --- mapping ----------------------------------------------------------------------------

    def dataset(self, package: dict[str, Any]) -> Dataset:
        lang = self.source.options.get("language", "nb")
        extras = {str(e.get("key")): e.get("value") for e in package.get("extras") or [] if isinstance(e, dict)}
        fields = {**extras, **{k: v for k, v in package.items() if v not in (None, "", [], {})}}
        pid = str(package.get("id") or package["name"])
        uri = next(
            (str(fields[k]) for k in ("uri", "dcat_uri", "dct_uri") if re.match(r"https?://", str(fields.get(k, "")))),
            None,
        ) or self.mint("dataset", pid)
        org = package.get("organization") or {}
        temporal = (
            (fields.get("temporal_coverage") or [{}])[0] if isinstance(fields.get("temporal_coverage"), list) else {}
        )
        hdx = hdx_fields(package)
        licence = next(iter(_iris([package.get("license_url")])), None)
        d = Dataset(
            uri=uri,
            identifier=str(fields.get("identifier") or package.get("name") or pid),
            title=_texts(fields.get("title_translated") or package.get("title") or package.get("name"), lang),
            description=_texts(fields.get("notes_translated") or package.get("notes"), lang),
            publisher=self._publisher(org, fields, lang),
            contact=self._contact(package, lang),
            keywords={lang: [t["name"] for t in package.get("tags") or [] if t.get("name")]}
            if package.get("tags")
            else {},
            themes=_iris(fields.get("theme"))
            + [g["uri"] for g in package.get("groups") or [] if re.match(r"https?://", str(g.get("uri", "")))],
            health_categories=_iris(fields.get("health_category") or fields.get("healthcategory")),
            health_themes=_iris(fields.get("health_theme")),
            access_rights=next(iter(_iris([fields.get("access_rights")])), None),
            applicable_legislation=_iris(fields.get("applicable_legislation")),
            legal_basis=_texts(fields.get("legal_basis"), lang),
            purpose=_texts(fields.get("purpose"), lang),
            provenance=_texts(fields.get("provenance") or hdx.get("provenance"), lang),
            population_coverage=_texts(fields.get("population_coverage"), lang),
            temporal_start=fields.get("temporal_start") or temporal.get("start") or hdx.get("start") or None,
            temporal_end=fields.get("temporal_end") or temporal.get("end") or hdx.get("end") or None,
            spatial=_iris(fields.get("spatial_uri") or fields.get("spatial_coverage")) or hdx.get("countries", []),
            issued=ckan_time(fields.get("issued") or package.get("metadata_created")),
            modified=ckan_time(fields.get("modified") or package.get("metadata_modified")),
            languages=_iris(fields.get("language")),
            landing_page=package.get("url") if re.match(r"https?://", str(package.get("url") or "")) else None,
            frequency=next(iter(_iris([fields.get("frequency")])), None) or hdx.get("frequency"),
            dataset_type=next(iter(_iris([fields.get("dcat_type")])), None),
            conforms_to=_iris(fields.get("conforms_to")),
            coding_systems=_iris(fields.get("coding_system")),
            number_of_records=_int(fields.get("number_of_records")),
            number_of_unique_individuals=_int(fields.get("number_of_unique_individuals")),
            min_typical_age=_int(fields.get("min_typical_age")),
            max_typical_age=_int(fields.get("max_typical_age")),
            version=str(package["version"]) if package.get("version") else None,
            distributions=[
                self._distribution(pid, r, lang, licence)
                for r in package.get("resources") or []
                if isinstance(r, dict) and r.get("url") and not self._frequency_pattern().search(_label(r))
            ],
        )
        return d

    def _publisher(self, org: dict[str, Any], fields: dict[str, Any], lang: str) -> Agent | None:
        """The organisation, completed by ckanext-dcat's publisher_* fields (which win where both speak)."""
        extra = {
            k: str(fields[f"publisher_{k}"]).strip()
            for k in ("name", "email", "url", "uri", "identifier")
            if str(fields.get(f"publisher_{k}") or "").strip()
        }
        if not org and not extra:
            return None
        url = extra.get("url")
        return Agent(
            name=_texts(extra.get("name") or org.get("title") or org.get("name"), lang),
            uri=extra.get("uri") or org.get("uri") or (None if "name" in extra else self.publisher_uri(org)),
            identifier=extra.get("identifier") or org.get("identifier") or None,
            email=extra.get("email", "").removeprefix("mailto:") or None,
            url=url if url and re.match(r"https?://", url) else None,
        )

    def publisher_uri(self, org: dict[str, Any]) -> str | None:
        """The organisation's IRI: its page on the portal, `<portal>/organization/<id>` (by name
        without an id), as ckanext-dcat names a publisher in the portal's own DCAT feed, so the
        portal harvested by either harvester names one agent; the id, not the name, as a renamed
        organisation keeps it. Without it, each dataset's publisher was a blank node of its own:
        the 12 simulated quality registries were 40 unnamed agents in the EHDS feed. A package's
        publisher_name without a publisher_uri may name another agent than the organisation, and
        has no IRI (as in ckanext-dcat)."""
        ident = str(org.get("id") or org.get("name") or "").strip()
        return f"{self.source.url.rstrip('/')}/organization/{quote(ident, safe='')}" if ident else None

    @staticmethod
    def _contact(package: dict[str, Any], lang: str) -> Agent | None:
        for role in ("maintainer", "author"):
            name, email = package.get(role), package.get(f"{role}_email")
            if name and USER_ID.fullmatch(str(name)):
                name = None  # HDX's maintainer is a user id, not a name
            if name or email:
                return Agent(name=_texts(name, lang), email=email or None)
        return None

    def _distribution(self, pid: str, resource: dict[str, Any], lang: str, licence: str | None) -> Distribution:
        fmt = str(resource.get("format") or "").strip().lower()
        return Distribution(
            uri=resource.get("uri") or self.mint("distribution", pid, str(resource.get("id") or resource["url"])),
            access_url=resource["url"],
            download_url=resource["url"],
            title=_texts(resource.get("name"), lang),
            description=_texts(resource.get("description"), lang),
            media_type=resource.get("mimetype") or None,
            format=EU + "file-type/" + FILE_TYPES[fmt] if fmt in FILE_TYPES else None,
            byte_size=_int(resource.get("size")),
            license=licence,
        )

    # --- frequency tables -------------------------------------------------------------------

    def frequency_resources(self, package: dict[str, Any]) -> list[dict[str, Any]]:
        """CSV/XLSX resources named as frequency tables (`options.frequencies_pattern`), preferred format first."""
        pattern = self._frequency_pattern()
        found = [r for r in package.get("resources") or [] if self._is_file(r) and pattern.search(_label(r))]
        return sorted(found, key=lambda r: 0 if _format(r) == "csv" else 1)

    def counts(
        self, package: dict[str, Any], dataset: Dataset, codelists: list[Any]
    ) -> Iterator[Failed | DatasetCounts | None]:
        """The package's counts from its first readable frequency table (yielded last), and its problems.

        None when a table is attached but none could be read: the counts stored before are kept."""
        resources = self.frequency_resources(package)
        if not resources:
            yield DatasetCounts(dataset.uri, ())
            return
        name = dataset.identifier
        for resource in resources:
            url = str(resource["url"])
            try:
                fetched = self.http.get(url)
                found = read_frequencies(
                    fetched.content,
                    url=url,
                    options=self.source.options,
                    content_type=fetched.content_type,
                    charset=fetched.charset,
                )
            except (FetchError, VarlistError) as exc:
                message = exc.message if isinstance(exc, FetchError) else str(exc)
                yield Failed(
                    f"package {name}: the frequency table {url} could not be read: {message}", url, name, "resource"
                )
                continue
            counts, unmatched = dataset_counts(dataset.uri, found, dataset.variables, codelists)
            for problem in [*found.problems, *unmatched]:
                yield Failed(
                    f"package {name}: frequency table: {problem.message}",
                    url,
                    f"{name} {problem.record_id}",
                    problem.field,
                )
            yield counts
            return
        yield None

    def _frequency_pattern(self) -> re.Pattern[str]:
        return re.compile(self.source.options.get("frequencies_pattern", FREQUENCY_NAMES), re.I)

    @staticmethod
    def _is_file(resource: dict[str, Any]) -> bool:
        return bool(resource.get("url")) and _format(resource) in VARLIST_FORMATS

    # --- variable lists ---------------------------------------------------------------------

    def varlist_groups(self, package: dict[str, Any]) -> list[list[dict[str, Any]]]:
        """Variable-list resources, one group per list, each group in the preferred format order."""
        pattern = re.compile(self.source.options.get("varlist_pattern", VARLIST_NAMES), re.I)
        frequencies = self._frequency_pattern()
        prefer = [f.lower() for f in self.source.options.get("varlist_prefer", ["csv", "xlsx", "xls"])]
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in package.get("resources") or []:
            fmt = _format(r)
            label = _label(r)
            if self._is_file(r) and pattern.search(label) and not frequencies.search(label):
                key = re.sub(r"\(?\b(csv|xlsx|xls|excel)\b\)?", "", str(r.get("name") or r["url"]).lower()).strip()
                groups.setdefault(key, []).append({**r, "_fmt": fmt})
        rank = {f: n for n, f in enumerate(prefer)}
        return [sorted(g, key=lambda r: rank.get(r["_fmt"], len(rank))) for g in groups.values()]

    def variables(self, package: dict[str, Any], dataset: Dataset) -> Iterator[Event]:
        """Fill `dataset.variables`; yield the code lists and every problem as events."""
        name = dataset.identifier
        pid = str(package.get("id") or name)
        seen: set[str] = set()
        for group in self.varlist_groups(package):
            for resource in group:
                url = str(resource["url"])
                try:
                    fetched = self.http.get(url)
                    found = read_varlist(
                        fetched.content,
                        url=url,
                        dataset_id=pid,
                        mint=self.mint,
                        options=self.source.options,
                        content_type=fetched.content_type,
                        charset=fetched.charset,
                        publisher=dataset.publisher,
                    )
                except (FetchError, VarlistError) as exc:
                    message = exc.message if isinstance(exc, FetchError) else str(exc)
                    yield Failed(
                        f"package {name}: the variable list {url} could not be read: {message}", url, name, "resource"
                    )
                    continue
                for note in found.notes:
                    log.info("package %s: %s: %s", name, url, note)
                for problem in found.problems:
                    yield Failed(
                        f"package {name}: {problem.message}", url, f"{name} {problem.record_id}", problem.field
                    )
                fresh: list[Variable] = [v for v in found.variables if v.name not in seen]
                seen.update(v.name for v in fresh)
                dataset.variables.extend(fresh)
                used = {v.codelist for v in fresh}
                yield from (Harvested(cl, url) for cl in found.codelists if cl.uri in used)
                break
