"""Quality registries through a CKAN action API, one portal with one organisation per registry.

`/ckan/api/action/<action>` and `/ckan/api/3/action/<action>`, GET with query parameters or POST
with a JSON body (what ckanapi.RemoteCKAN sends). Actions: package_search (q, fq, fq_list, rows
(default 10, max 1000), start, sort), package_show (id = package id or name), package_list,
organization_list (all_fields), organization_show, status_show. Envelope
{"help", "success", "result"}; errors {"success": false, "error": {"__type", "message"}} with
CKAN's statuses (404 Not Found Error, 409 Validation Error, 400 Search Query Error / unknown action).

fq understands `organization:<name>`, `name:<name>`, `metadata_modified:[<iso> TO <iso>|*|NOW]`,
joined by spaces or AND. q matches words of title, organisation and tags ("*:*" = all). sort:
`metadata_modified`, `name`, `title_string` with asc/desc; default `score desc, metadata_modified desc`.

Each source is one organisation (source option `organization`); a package's native id is its
`name`. Every package carries its variable list as two resources, CSV and XLSX, whose urls point
back at the simulator in the registry's layout (see `spreadsheets`). Packages follow ckanext-dcat's
conventions: the contact point as maintainer / maintainer_email, the publisher's contact in the
extras publisher_name / publisher_email / publisher_url, dct:type in dcat_type and dct:provenance
in provenance (absent on the deliberately incomplete packages, see `nation`).
"""

from __future__ import annotations

import json
import re
import uuid
import weakref
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request

from catalog.model import Dataset
from simulator import counts, spreadsheets
from simulator.nation import Nation, Source, moment
from simulator.wire import Context, Reply

MAX_ROWS = 1000
CLAUSE = re.compile(r"(?P<field>[\w.]+):(?:\[(?P<low>\S+) TO (?P<high>\S+)\]|\"(?P<quoted>[^\"]*)\"|(?P<word>\S+))")
SORTS = {"metadata_modified", "name", "title_string", "score"}


class ActionError(Exception):
    def __init__(self, status: int, kind: str, message: str | dict[str, Any]):
        super().__init__(str(message))
        self.status = status
        self.kind = kind
        self.message = message


def _ckan_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def has_frequencies(i: int) -> bool:
    """Every third package of a quality registry attaches a frequency table (`simulator.counts`)."""
    return i % 3 == 0


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ":".join(map(str, parts))))


def _sources(nation: Nation) -> list[Source]:
    return [s for s in nation.sources if s.kind == "ckan"]


def organization(nation: Nation, source: Source) -> dict[str, Any]:
    return {
        "id": _uuid(nation.seed, "org", source.name),
        "name": source.name,
        "title": source.title,
        "type": "organization",
        "description": source.spec.description_nb,
        "image_url": "",
        "created": "2019-01-01T00:00:00.000000",
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }


def package(ctx: Context, source: Source, i: int, d: Dataset | None = None) -> dict[str, Any]:
    """Package i of a registry as package_show returns it (with its two variable-list resources)."""
    nation = ctx.nation
    d = d or nation.dataset(source, i, with_variables=False)
    name = nation.native_id(source, i)
    pid = _uuid(nation.seed, "package", name)
    modified, created = moment(d.modified), moment(d.issued)
    resources = []
    files = [("CSV", "text/csv", "variabelliste"), ("XLSX", spreadsheets.XLSX, "variabelliste")]
    if has_frequencies(i):
        files.append(("CSV", "text/csv", "frekvenser"))
    for position, (fmt, mimetype, stem) in enumerate(files):
        rid = _uuid(pid, fmt, *([stem] if stem != "variabelliste" else []))
        resources.append(
            {
                "id": rid,
                "package_id": pid,
                "name": f"Variabelliste ({fmt})" if stem == "variabelliste" else "Frekvenser (CSV)",
                "format": fmt,
                "mimetype": mimetype,
                "description": f"Variabler i {d.title['nb']}, med etiketter, format og kodeverk."
                if stem == "variabelliste"
                else f"Antall per kode for hver kodet variabel i {d.title['nb']}.",
                "url": f"{ctx.base}/ckan/dataset/{pid}/resource/{rid}/download/{stem}.{fmt.lower()}",
                "url_type": "upload",
                "created": _ckan_time(created),
                "last_modified": _ckan_time(modified),
                "metadata_modified": _ckan_time(modified),
                "position": position,
                "state": "active",
                "size": None,
                "hash": "",
                "cache_url": None,
                "datastore_active": False,
            }
        )
    tags = [
        {"id": _uuid("tag", kw), "name": kw, "display_name": kw, "state": "active", "vocabulary_id": None}
        for kw in d.keywords.get("nb", [])
    ]
    org = organization(nation, source)
    return {
        "id": pid,
        "name": name,
        "title": d.title["nb"],
        "notes": d.description["nb"],
        "type": "dataset",
        "state": "active",
        "private": False,
        "owner_org": org["id"],
        "organization": org,
        "metadata_created": _ckan_time(created),
        "metadata_modified": _ckan_time(modified),
        "license_id": "other-closed",
        "license_title": "Andre (lukket)",
        "url": d.landing_page,
        "version": d.version,
        "author": source.title,
        "author_email": None,
        "maintainer": "Registersekretariatet",
        "maintainer_email": f"{source.name}@kvalitetsregistre.no",
        "isopen": False,
        "tags": tags,
        "num_tags": len(tags),
        "groups": [{"name": "helse", "title": "Helse"}],
        "resources": resources,
        "num_resources": len(resources),
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "extras": [
            {"key": "access_rights", "value": d.access_rights},
            {"key": "temporal_start", "value": d.temporal_start},
            {"key": "temporal_end", "value": d.temporal_end or ""},
            {"key": "spatial_uri", "value": d.spatial[0]},
            {"key": "theme", "value": d.themes[0]},
            {"key": "legal_basis", "value": d.legal_basis.get("nb", "")},
            {"key": "population_coverage", "value": d.population_coverage.get("nb", "")},
            {"key": "number_of_records", "value": str(d.number_of_records)},
            # ckanext-dcat's publisher extras: how to reach the organisation that publishes
            {"key": "publisher_email", "value": d.publisher.email if d.publisher else None},
            {"key": "publisher_url", "value": d.publisher.url if d.publisher else None},
            *([{"key": "dcat_type", "value": d.dataset_type}] if d.dataset_type else []),
            *([{"key": "provenance", "value": d.provenance["nb"]}] if d.provenance else []),
        ],
    }


# --- search -----------------------------------------------------------------------------------


def _parse_fq(fq: str) -> list[tuple[str, str, str]]:
    """Clauses of a filter query as (field, low, high); equality clauses have low == high."""
    rest = re.sub(r"\bAND\b", " ", fq).strip()
    clauses = []
    pos = 0
    for m in CLAUSE.finditer(rest):
        if rest[pos : m.start()].strip():
            raise ActionError(400, "Search Query Error", f"Search Query is invalid: could not parse fq {fq!r}")
        value = m.group("quoted") if m.group("quoted") is not None else m.group("word")
        clauses.append((m.group("field"), m.group("low") or value, m.group("high") or value))
        pos = m.end()
    if rest[pos:].strip():
        raise ActionError(400, "Search Query Error", f"Search Query is invalid: could not parse fq {fq!r}")
    return clauses


def _bound(text: str, high: bool) -> datetime | None:
    if text in ("*", "NOW") or text.startswith("NOW"):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ActionError(400, "Search Query Error", f"Search Query is invalid: bad date {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _int_param(data: dict[str, Any], name: str, default: int) -> int:
    raw = data.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ActionError(409, "Validation Error", {name: ["Invalid integer"]}) from None
    if value < 0:
        raise ActionError(409, "Validation Error", {name: ["Must be a natural number"]})
    return value


def package_search(ctx: Context, data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    nation = ctx.nation
    rows = _int_param(data, "rows", 10)
    start = _int_param(data, "start", 0)
    if rows > MAX_ROWS:
        raise ActionError(409, "Validation Error", {"rows": [f"Must be less than or equal to {MAX_ROWS}"]})
    fq_list = data.get("fq_list") or []
    if isinstance(fq_list, str):
        fq_list = [fq_list]
    clauses = [c for fq in [data.get("fq", ""), *fq_list] if fq for c in _parse_fq(fq)]
    sources = _sources(nation)
    attributed: str | None = None
    low = high = None
    names: set[str] | None = None
    for field, lo, hi in clauses:
        if field in ("organization", "owner_org"):
            sources = [s for s in sources if s.name == lo.strip('"') or organization(nation, s)["id"] == lo]
            attributed = sources[0].name if len(sources) == 1 else None
        elif field == "metadata_modified":
            low, high = _bound(lo, False), _bound(hi, True)
        elif field == "name":
            names = {lo}
        else:
            raise ActionError(400, "Search Query Error", f"Search Query is invalid: unknown field {field!r} in fq")
    words = [w.lower() for w in str(data.get("q", "") or "").split() if w not in ("*:*", "*")]
    hits: list[tuple[Source, int, bool]] = []
    for source in sources:
        for i in nation.dataset_indices(source):
            modified = nation.modified(source, i)
            if (low and modified < low) or (high and modified > high):
                continue
            if names is not None and nation.native_id(source, i) not in names:
                continue
            if words:
                text = (
                    f"{nation.dataset(source, i, with_variables=False).title['nb']} {source.title} "
                    f"{' '.join(source.spec.keywords)}".lower()
                )
                if not all(w in text for w in words):
                    continue
            hits.append((source, i, False))
        if ctx.fault_is(source.name, "duplicate_ids") and nation.dataset_indices(source):
            hits.append((source, nation.dataset_indices(source)[0], True))
    sort = str(data.get("sort") or "score desc, metadata_modified desc")
    keys = []
    for part in reversed([p.strip() for p in sort.split(",") if p.strip()]):
        field, _, direction = part.partition(" ")
        if field not in SORTS or direction.strip() not in ("asc", "desc", ""):
            raise ActionError(400, "Search Query Error", f"Search Query is invalid: cannot sort by {part!r}")
        keys.append((field, direction.strip() == "desc"))
    hits.sort(key=lambda h: (nation.native_id(h[0], h[1]), h[2]))
    for field, desc in keys:
        if field == "metadata_modified":
            hits.sort(key=lambda h: nation.modified(h[0], h[1]), reverse=desc)
        elif field == "name":
            hits.sort(key=lambda h: nation.native_id(h[0], h[1]), reverse=desc)
        elif field == "title_string":
            hits.sort(key=lambda h: nation.dataset(h[0], h[1], with_variables=False).title["nb"], reverse=desc)
    results = []
    for source, i, twin in hits[start : start + rows]:
        pkg = package(ctx, source, i)
        if twin:
            pkg["title"] += " (kopi)"
        results.append(pkg)
    return {"count": len(hits), "facets": {}, "results": results, "sort": sort, "search_facets": {}}, attributed


_PACKAGES: weakref.WeakKeyDictionary[Nation, dict[str, tuple[Source, int]]] = weakref.WeakKeyDictionary()


def _find_package(nation: Nation, ident: str) -> tuple[Source, int]:
    """The package by name or id, from an index built once per nation (every download asks)."""
    packages = _PACKAGES.get(nation)
    if packages is None:
        packages = {}
        for source in _sources(nation):
            for i in nation.dataset_indices(source):
                name = nation.native_id(source, i)
                packages.setdefault(name, (source, i))
                packages.setdefault(_uuid(nation.seed, "package", name), (source, i))
        _PACKAGES[nation] = packages
    try:
        return packages[ident]
    except KeyError:
        raise ActionError(404, "Not Found Error", "Not found") from None


def _action(ctx: Context, action: str, data: dict[str, Any]) -> tuple[Any, str | None]:
    nation = ctx.nation
    if action == "package_search":
        return package_search(ctx, data)
    if action == "package_show":
        if not data.get("id"):
            raise ActionError(409, "Validation Error", {"id": ["Missing value"]})
        source, i = _find_package(nation, str(data["id"]))
        return package(ctx, source, i), source.name
    if action == "package_list":
        return [nation.native_id(s, i) for s in _sources(nation) for i in nation.dataset_indices(s)], None
    if action == "organization_list":
        orgs = [organization(nation, s) for s in _sources(nation)]
        all_fields = str(data.get("all_fields", "false")).lower() in ("true", "1")
        return (orgs if all_fields else [o["name"] for o in orgs]), None
    if action == "organization_show":
        for s in _sources(nation):
            if data.get("id") in (s.name, organization(nation, s)["id"]):
                org = organization(nation, s)
                org["package_count"] = len(nation.dataset_indices(s))
                return org, s.name
        raise ActionError(404, "Not Found Error", "Organization was not found.")
    if action == "status_show":
        return {
            "site_title": "Nasjonale medisinske kvalitetsregistre",
            "site_url": ctx.base + "/ckan",
            "ckan_version": "2.10.4",
            "error_emails_to": None,
            "locale_default": "nb_NO",
            "extensions": ["scheming_datasets", "dcat", "structured_data"],
        }, None
    raise ActionError(400, "Bad Request", f"Bad request - Action name not known: {action}")


def action(ctx: Context, request: Request, action_name: str) -> Reply:
    help_url = f"{ctx.base}/ckan/api/3/action/help_show?name={action_name}"
    try:
        if request.method == "POST":
            raw = request.get_data()
            try:
                data = json.loads(raw) if raw.strip() else dict(request.form)
            except ValueError:
                raise ActionError(400, "Bad Request", "Bad request - JSON Error: Could not read request body") from None
            if not isinstance(data, dict):
                raise ActionError(
                    400,
                    "Bad Request",
                    f"Bad request - JSON Error: Request data JSON decoded to {data!r} but it needs to be a dictionary.",
                )
        else:
            data = {k: (v if len(v) > 1 else v[0]) for k, v in request.args.lists()}
        result, source = _action(ctx, action_name, data)
        body = {"help": help_url, "success": True, "result": result}
        status = 200
    except ActionError as exc:
        body = {
            "help": help_url,
            "success": False,
            "error": {
                "__type": exc.kind,
                **(exc.message if isinstance(exc.message, dict) else {"message": f"{exc.kind}: {exc.message}"}),
            },
        }
        status, source = exc.status, None
        if exc.kind == "Bad Request":
            body = {"help": help_url, "success": False, "error": {"__type": exc.kind, "message": str(exc.message)}}
    return Reply(
        json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=utf-8", "json", source, status
    )


def resource_download(ctx: Context, request: Request, package_id: str, resource_id: str, filename: str) -> Reply:
    try:
        source, i = _find_package(ctx.nation, package_id)
    except ActionError:
        raise KeyError(f"no package {package_id}") from None
    ext = filename.rsplit(".", 1)[-1]
    d = ctx.nation.dataset(source, i)
    if filename == "frekvenser.csv" and has_frequencies(i):
        return Reply(counts.csv_bytes(ctx.nation, source, d), "text/csv; charset=utf-8", "csv", source.name)
    return spreadsheets.file_reply(ctx.nation, source, d, ext, ctx.fault_is(source.name, "duplicate_ids"))


ROUTES = [
    ("/ckan/api/action/<action_name>", action),
    ("/ckan/api/3/action/<action_name>", action),
    ("/ckan/dataset/<package_id>/resource/<resource_id>/download/<filename>", resource_download),
]
