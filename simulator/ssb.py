"""Statistics Norway: the KLASS API, public variable definitions (vardef) and microdata.no metadata.

KLASS (`/api/klass/v1`, XML unless `Accept: application/json`; `text/csv` for codes):
    /classifications?page=0&size=20&changedSince=...&includeCodelists=true   HAL page (Spring)
    /classifications/{id}                         classification with versions and templated links
    /classifications/{id}/codes?from=YYYY-MM-DD[&to=]   {"codes": [...]}, `from` required
    /classifications/{id}/codesAt?date=YYYY-MM-DD
    /versions/{id}                                version with classificationItems
  Code lists of type "Kodeliste" are listed only with includeCodelists=true (as in KLASS).
  Errors: {"type","title","status","detail","instance"}. XML roots: pagedEntities (with atom
  links), classification, codeList/codeItem, version — the codes XML element names are not
  verified against the real service.
vardef (`/public/variable-definitions[/{id}]`, `Accept-Language: nb|nn|en`, `date_of_validity`):
  a plain JSON array of RenderedView objects, no paging. Native id: the 8-character `id`.
microdata.no (`/metadata/...`): data-store, all?version=X.Y.Z.W, data-structures?names=&version=,
  all-data-structures, languages. Version k+1.0.0.0 is generation k; dates are days since
  1970-01-01. Native id: the data structure's `name`.
"""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from werkzeug.wrappers import Request

from catalog.model import CodeList
from simulator import content as C
from simulator.nation import GEN0_END, Nation, Source, generation_time, iso, moment
from simulator.wire import Context, Reply, json_reply, stream_json_array

KLASS = "/api/klass/v1"
SINGULAR = {
    "classifications": "classification",
    "versions": "version",
    "codes": "codeItem",
    "classificationItems": "classificationItem",
    "statisticalUnits": "statisticalUnit",
    "published": "language",
    "levels": "level",
}


def klass_time(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _parse_time(raw: str, name: str) -> datetime:
    text = raw.strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _KlassError(400, f"{name} has an invalid format: {raw!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _KlassError(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


# --- KLASS ------------------------------------------------------------------------------------


def _klass_source(ctx: Context) -> Source:
    return next(s for s in ctx.nation.sources if s.kind == "klass")


def _klass_lists(ctx: Context) -> list[tuple[int, CodeList]]:
    source = _klass_source(ctx)
    return [(p, ctx.nation.codelist(source, p)) for p in range(len(ctx.nation.codelist_keys(source)))]


def _is_codelist(ctx: Context, position: int) -> bool:
    return ctx.nation.codelist_keys(_klass_source(ctx))[position].startswith("helse-")


def _klass_reply(ctx: Context, request: Request, data: dict[str, Any], root: str, status: int = 200) -> Reply:
    source = _klass_source(ctx).name
    if _wants(request, "application/json"):
        return json_reply(data, source, status)
    body = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + _xml(root, data)
    return Reply(body.encode(), "application/xml; charset=utf-8", "xml", source, status)


def _wants(request: Request, media: str) -> bool:
    """True when the client prefers `media` over XML, KLASS's default."""
    accept = request.accept_mimetypes
    return accept.quality(media) > max(accept.quality("application/xml"), accept.quality("text/xml"))


def _xml(tag: str, value: Any) -> str:
    if tag == "_links" and isinstance(value, dict):
        return "".join(
            f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel={quoteattr(rel)} href={quoteattr(link["href"])}/>'
            for rel, link in value.items()
        )
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml(k, v) for k, v in value.items() if v is not None) + f"</{tag}>"
    if isinstance(value, list):
        item = SINGULAR.get(tag, tag.rstrip("s"))
        return f"<{tag}>" + "".join(_xml(item, v) for v in value) + f"</{tag}>"
    if isinstance(value, bool):
        value = str(value).lower()
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _klass_error(ctx: Context, request: Request, exc: _KlassError) -> Reply:
    titles = {400: "Bad Request", 404: "Not Found"}
    return _klass_reply(
        ctx,
        request,
        {
            "type": "about:blank",
            "title": titles.get(exc.status, "Error"),
            "status": exc.status,
            "detail": exc.detail,
            "instance": request.path,
        },
        "problem",
        exc.status,
    )


def _find(ctx: Context, cid: str) -> tuple[int, CodeList]:
    for position, cl in _klass_lists(ctx):
        if cl.identifier == cid:
            return position, cl
    raise _KlassError(404, f"Classification not found with id = {cid}")


def _summary(ctx: Context, position: int, cl: CodeList, description: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": cl.title["nb"],
        "id": int(cl.identifier),
        "classificationType": "Kodeliste" if _is_codelist(ctx, position) else "Klassifikasjon",
        "lastModified": klass_time(moment(cl.modified)),
    }
    if description:
        out["description"] = cl.description["nb"]
    out["_links"] = {"self": {"href": f"{ctx.base}{KLASS}/classifications/{cl.identifier}"}}
    return out


def klass_classifications(ctx: Context, request: Request) -> Reply:
    try:
        args = request.args
        page, size = int(args.get("page", 0)), int(args.get("size", 20))
        if page < 0 or size < 1:
            raise _KlassError(400, "page must be >= 0 and size >= 1")
        include_lists = args.get("includeCodelists", "false").lower() == "true"
        since = _parse_time(args["changedSince"], "changedSince") if "changedSince" in args else None
        rows = [
            (p, cl)
            for p, cl in _klass_lists(ctx)
            if (include_lists or not _is_codelist(ctx, p)) and (since is None or moment(cl.modified) >= since)
        ]
    except ValueError:
        return _klass_error(ctx, request, _KlassError(400, "page and size must be whole numbers"))
    except _KlassError as exc:
        return _klass_error(ctx, request, exc)
    total = len(rows)
    pages = max(1, -(-total // size))
    chosen = rows[page * size : (page + 1) * size]
    keep = {k: v for k, v in args.items() if k not in ("page", "size")}
    query = "".join(f"{k}={v}&" for k, v in keep.items())
    url = f"{ctx.base}{KLASS}/classifications"
    links: dict[str, dict[str, Any]] = {
        "first": {"href": f"{url}?{query}page=0&size={size}"},
        "self": {"href": f"{url}?{query}page={page}&size={size}"},
    }
    if page + 1 < pages:
        links["next"] = {"href": f"{url}?{query}page={page + 1}&size={size}"}
    if page > 0:
        links["prev"] = {"href": f"{url}?{query}page={page - 1}&size={size}"}
    links["last"] = {"href": f"{url}?{query}page={pages - 1}&size={size}"}
    links["search"] = {"href": f"{url}/search{{?query,includeCodelists}}", "templated": True}
    data: dict[str, Any] = {}
    if chosen:
        description = args.get("includeDescription", "false").lower() == "true"
        data["_embedded"] = {"classifications": [_summary(ctx, p, cl, description) for p, cl in chosen]}
        if ctx.fault_is(_klass_source(ctx).name, "duplicate_ids"):
            data["_embedded"]["classifications"].append(dict(data["_embedded"]["classifications"][0]))
    data["_links"] = links
    data["page"] = {"size": size, "totalElements": total, "totalPages": pages, "number": page}
    return _klass_reply(ctx, request, data, "pagedEntities")


def _version_id(cl: CodeList) -> int:
    return int(cl.identifier) * 10 + 1


def klass_classification(ctx: Context, request: Request, cid: str) -> Reply:
    try:
        position, cl = _find(ctx, cid)
    except _KlassError as exc:
        return _klass_error(ctx, request, exc)
    url = f"{ctx.base}{KLASS}/classifications/{cid}"
    modified = klass_time(moment(cl.modified))
    data = {
        **{k: v for k, v in _summary(ctx, position, cl, True).items() if k != "_links"},
        "primaryLanguage": "nb",
        "copyrighted": False,
        "includeShortName": False,
        "includeNotes": True,
        "contactPerson": {"name": "Seksjon for metoder og standarder", "email": "klass@ssb.no", "phone": ""},
        "owningSection": "320 - Seksjon for befolkningsstatistikk",
        "statisticalUnits": ["Person"],
        "versions": [
            {
                "name": f"{cl.title['nb']} {cl.version}",
                "validFrom": cl.valid_from,
                "lastModified": modified,
                "published": ["nb", "en"],
                "_links": {"self": {"href": f"{ctx.base}{KLASS}/versions/{_version_id(cl)}"}},
            }
        ],
        "_links": {
            "self": {"href": url},
            "codes": {
                "href": url + "/codes{?from=<yyyy-MM-dd>,to=<yyyy-MM-dd>,csvSeparator,level,"
                "selectCodes,presentationNamePattern}",
                "templated": True,
            },
            "codesAt": {
                "href": url + "/codesAt{?date=<yyyy-MM-dd>,csvSeparator,level,selectCodes,presentationNamePattern}",
                "templated": True,
            },
        },
    }
    return _klass_reply(ctx, request, data, "classification")


def _code_items(cl: CodeList) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "parentCode": None,
            "level": "1",
            "name": c.label.get("nb", ""),
            "shortName": "",
            "presentationName": "",
            "validFrom": None,
            "validTo": None,
            "notes": "",
        }
        for c in cl.concepts
    ]


def _date_arg(args: Any, name: str) -> date:
    if name not in args:
        raise _KlassError(
            400, f"Required request parameter '{name}' for method parameter type LocalDate is not present"
        )
    try:
        return date.fromisoformat(args[name])
    except ValueError:
        raise _KlassError(400, f"{name} must be a date yyyy-MM-dd, not {args[name]!r}") from None


def klass_codes(ctx: Context, request: Request, cid: str, at: bool = False) -> Reply:
    try:
        _position, cl = _find(ctx, cid)
        when = _date_arg(request.args, "date" if at else "from")
    except _KlassError as exc:
        return _klass_error(ctx, request, exc)
    items = _code_items(cl) if when >= date.fromisoformat(cl.valid_from or "1900-01-01") else []
    if ctx.fault_is(_klass_source(ctx).name, "duplicate_ids") and items:
        items.append(dict(items[0], name=items[0]["name"] + " (duplikat)"))
    if _wants(request, "text/csv"):
        return _codes_csv(ctx, request, items)
    return _klass_reply(ctx, request, {"codes": items}, "codeList")


def klass_codes_at(ctx: Context, request: Request, cid: str) -> Reply:
    return klass_codes(ctx, request, cid, at=True)


def _codes_csv(ctx: Context, request: Request, items: list[dict[str, Any]]) -> Reply:
    """KLASS CSV: quoted, `csvSeparator` (default ","), ISO-8859-1 unless charset=UTF-8 is asked for."""
    fields = [
        "code",
        "parentCode",
        "level",
        "name",
        "shortName",
        "presentationName",
        "validFrom",
        "validTo",
        "validFromInRequestedRange",
        "validToInRequestedRange",
        "notes",
    ]
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=request.args.get("csvSeparator", ","), quoting=csv.QUOTE_ALL, lineterminator="\n"
    )
    writer.writerow(fields)
    for item in items:
        writer.writerow(["" if item.get(f) is None else item.get(f, "") for f in fields])
    utf8 = "utf-8" in request.headers.get("Accept", "").lower()
    charset = "utf-8" if utf8 else "iso-8859-1"
    return Reply(
        out.getvalue().encode(charset, errors="replace"), f"text/csv; charset={charset}", "csv", _klass_source(ctx).name
    )


def klass_version(ctx: Context, request: Request, vid: str) -> Reply:
    for _p, cl in _klass_lists(ctx):
        if str(_version_id(cl)) == vid:
            data = {
                "name": f"{cl.title['nb']} {cl.version}",
                "validFrom": cl.valid_from,
                "lastModified": klass_time(moment(cl.modified)),
                "published": ["nb", "en"],
                "introduction": cl.description["nb"],
                "levels": [{"levelNumber": 1, "levelName": "Nivå 1"}],
                "classificationItems": [
                    {
                        k: v
                        for k, v in item.items()
                        if k in ("code", "parentCode", "level", "name", "shortName", "notes")
                    }
                    for item in _code_items(cl)
                ],
                "_links": {"self": {"href": f"{ctx.base}{KLASS}/versions/{vid}"}},
            }
            return _klass_reply(ctx, request, data, "version")
    return _klass_error(ctx, request, _KlassError(404, f"Version not found with id = {vid}"))


# --- vardef -----------------------------------------------------------------------------------


def _pool() -> list[Any]:
    return [v for spec in C.CENTRAL for v in spec.variables] + list(C.SURVEY_QUESTIONS)


def _measurement(v: C.VarSpec) -> tuple[str, str] | None:
    """A definition's measurement type (KLASS 303) as SSB gives one: to quantities only, not to
    classified (coded) variables, dates or text."""
    if v.codelist or v.datatype not in ("integer", "decimal"):
        return None
    kind = C.MEASURED_BY_UNIT.get(v.unit or "", "count" if v.datatype == "integer" and not v.unit else "derived")
    return C.MEASUREMENTS[kind]


def vardef_definition(nation: Nation, source: Source, i: int, language: str = "nb") -> dict[str, Any]:
    """Variable definition i as vardef's public RenderedView in one language."""
    pool = _pool()
    v = pool[i % len(pool)]
    suffix = "" if i < len(pool) else f"_{i // len(pool) + 1}"
    rng = random.Random(f"{nation.seed}:{source.name}:{i}")
    gens = nation.plan(source).modified_in.get(i, [])
    modified = nation.modified(source, i)
    created = min(modified, datetime(2024, 6, 1, tzinfo=UTC))
    cl = C.CODELISTS.get(v.codelist) if v.codelist else None
    name = {"nb": v.title_nb, "nn": v.title_nb, "en": v.title_en or None}[language]
    definition = {
        "nb": v.description or f"{v.title_nb} for statistiske enheter i helsestatistikken.",
        "nn": v.description or f"{v.title_nb} for statistiske einingar i helsestatistikken.",
        "en": f"{v.title_en}, as used in health statistics." if v.title_en else None,
    }[language]
    if gens and definition:
        definition += f" Revidert {modified:%Y-%m-%d}."
    unit = C.VARDEF_UNIT_TYPES[rng.randrange(len(C.VARDEF_UNIT_TYPES))]
    subject = C.VARDEF_SUBJECT_FIELDS[rng.randrange(len(C.VARDEF_SUBJECT_FIELDS))]
    rng.randrange(len(C.VARDEF_MEASUREMENT_TYPES))  # the draw kept: see VARDEF_MEASUREMENT_TYPES
    measure = _measurement(v)
    klass = "https://www.ssb.no/klass/klassifikasjoner/"
    return {
        "id": nation.native_id(source, i),
        "patch_id": 1 + len(gens),
        "name": name,
        "short_name": v.name.lower() + suffix,
        "definition": definition,
        "classification_uri": f"https://www.ssb.no/en/klass/klassifikasjoner/{cl.klass_id}"
        if cl and cl.klass_id
        else None,
        "unit_types": [{"reference_uri": klass + "702", "code": unit[0], "title": unit[1]}],
        "subject_fields": [{"reference_uri": klass + "618", "code": subject[0], "title": subject[1]}],
        "contains_special_categories_of_personal_data": rng.random() < 0.7,
        "variable_status": "PUBLISHED_EXTERNAL",
        "measurement_type": {"reference_uri": klass + "303", "code": measure[0], "title": measure[1]}
        if measure
        else None,
        "valid_from": f"{2000 + rng.randrange(0, 24)}-01-01",
        "valid_until": None,
        "external_reference_uri": f"https://www.ssb.no/a/metadata/conceptvariable/vardok/{1000 + i}/nb",
        "comment": None,
        "related_variable_definition_uris": [],
        "owner": {"team": "helsestatistikk", "groups": ["helsestatistikk-developers"]},
        "contact": {"title": "Seksjon for helse-, omsorg- og sosialstatistikk", "email": "s360@ssb.no"},
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "created_by": "ano@ssb.no",
        "last_updated_at": modified.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "last_updated_by": "ano@ssb.no",
    }


def _vardef_language(request: Request) -> str:
    best = request.accept_languages.best_match(["nb", "nn", "en"], default="nb")
    return best or "nb"


def _vardef_source(ctx: Context) -> Source:
    return next(s for s in ctx.nation.sources if s.kind == "vardef")


def vardef_list(ctx: Context, request: Request) -> Reply:
    source = _vardef_source(ctx)
    language = _vardef_language(request)
    validity = request.args.get("date_of_validity")

    def items() -> Any:
        for i in ctx.nation.dataset_indices(source):
            d = vardef_definition(ctx.nation, source, i, language)
            if not validity or d["valid_from"] <= validity:
                yield d
        if ctx.fault_is(source.name, "duplicate_ids"):
            yield vardef_definition(ctx.nation, source, ctx.nation.dataset_indices(source)[0], language)

    return Reply(
        stream_json_array(items()),
        "application/json; charset=utf-8",
        "json",
        source.name,
        headers={"Content-Language": language},
    )


def vardef_one(ctx: Context, request: Request, vid: str) -> Reply:
    source = _vardef_source(ctx)
    for i in ctx.nation.dataset_indices(source):
        if ctx.nation.native_id(source, i) == vid:
            return json_reply(vardef_definition(ctx.nation, source, i, _vardef_language(request)), source.name)
    return json_reply(
        {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": f"No such variable definition found: {vid}",
            "instance": request.path,
        },
        source.name,
        404,
        "application/problem+json",
    )


# --- microdata.no -----------------------------------------------------------------------------

MICRODATA_CODELISTS = {
    "KJOENN": "kjonn",
    "BOSTEDSKOMMUNE": "kommune",
    "SIVILSTAND": "sivilstand",
    "LANDBAKGRUNN": "land",
    "FODELAND": "land",
    "HOVEDDIAGNOSE": "icd10",
    "ICD10": "icd10-kreft",  # the Cancer Registry's (the only ICD10 of microdata.no's topics)
    "MORFOLOGI": "icdo3-morfologi",
    "TOPOGRAFI": "icdo3-topografi",
    "STADIUM": "stadium",
    "PARITET": "paritet",
    "KEISERSNITT": "janei",
    "APGAR5": "apgar",
    "FLERFODSEL": "flerfodsel",
    "HASTEGRAD": "hastegrad",
    "OMSORGSNIVAA": "omsorgsniva",
    "PROSEDYRE": "ncmp",
}
EPOCH = date(1970, 1, 1)


def _days(d: date) -> int:
    return (d - EPOCH).days


def _microdata_source(nation: Nation) -> Source:
    return next(s for s in nation.sources if s.kind == "microdata")


def microdata_modified(nation: Nation, source: Source, i: int) -> str:
    return iso(nation.modified(source, i))


def data_structure(nation: Nation, source: Source, i: int) -> dict[str, Any]:
    """Data structure i as microdata-metadata-service serves it (fixtures/api/data_structures.json)."""
    name = nation.microdata_name(i)
    flat = [(topic, label, var) for topic, label, names in C.MICRODATA_TOPICS for var in names]
    topic, topic_label, var = flat[i % len(flat)]
    rng = random.Random(f"{nation.seed}:{source.name}:{i}")
    start = date(1990 + rng.randrange(0, 25), 1, 1)
    stop = date(2023, 12, 31)
    key = (
        C.MICRODATA_UNIT_TYPES[0]
        if topic in ("BEFOLKNING", "INNTEKT", "ARBEID", "UTDANNING", "MFR")
        else C.MICRODATA_UNIT_TYPES[1 + rng.randrange(len(C.MICRODATA_UNIT_TYPES) - 1)]
    )
    label = f"{topic_label}: {var.replace('_', ' ').lower()}"
    gens = nation.plan(source).modified_in.get(i, [])
    description = f"{label.capitalize()} registrert i {topic_label.lower()}." + (
        f" Revidert i versjon {gens[-1] + 1}.0.0.0." if gens else ""
    )
    cl_key = MICRODATA_CODELISTS.get(var)
    value_domain: dict[str, Any]
    if cl_key:
        value_domain = {
            "missingValues": [c[0] for c in C.CODELISTS[cl_key].codes if c[0] in C.CODELISTS[cl_key].missing],
            "codeList": [{"code": c, "category": nb} for c, nb, _en in C.CODELISTS[cl_key].codes],
        }
        data_type = "String"
    else:
        data_type = rng.choice(["Long", "Double", "Instant"])
        value_domain = {
            "description": label,
            "unitOfMeasure": {"Long": "Antall", "Double": "Kroner", "Instant": "Dato"}[data_type],
        }
    valid = {"start": _days(start)}
    ident = {
        "name": f"{key[0]}ID_1",
        "label": f"{key[1]}-identifikator",
        "dataType": "Long",
        "format": "RandomUInt64",
        "variableRole": "Identifier",
        "keyType": {"name": key[0], "label": key[1], "description": key[1]},
        "representedVariables": [
            {
                "validPeriod": valid,
                "description": f"{key[1]} identifisert med pseudonym",
                "valueDomain": {"description": "N/A", "unitOfMeasure": "N/A"},
            }
        ],
    }
    attributes = [
        {
            "name": role.upper(),
            "label": role.capitalize(),
            "dataType": "Instant",
            "variableRole": role.capitalize(),
            "format": "yyyy-mm-dd",
            "representedVariables": [
                {
                    "validPeriod": valid,
                    "description": f"{role.capitalize()}tidspunkt",
                    "valueDomain": {"description": "Dato", "unitOfMeasure": "N/A"},
                }
            ],
        }
        for role in ("start", "stop")
    ]
    return {
        "name": name,
        "temporality": rng.choice(["EVENT", "STATUS", "FIXED", "ACCUMULATED"]),
        "languageCode": "no",
        "sensitivityLevel": "PERSON_SPECIAL" if topic in ("NPR", "KRG", "MFR", "KPR") else "PERSON_GENERAL",
        "subjectFields": [topic_label.upper().replace(" ", "_")],
        "temporalCoverage": {"start": _days(start), "stop": _days(stop)},
        "populationDescription": f"Alle personer registrert i {topic_label.lower()}.",
        "identifierVariables": [ident],
        "measureVariable": {
            "name": name,
            "label": label,
            "dataType": data_type,
            "variableRole": "Measure",
            "representedVariables": [{"validPeriod": valid, "description": description, "valueDomain": value_domain}],
        },
        "attributeVariables": attributes,
    }


def structure_variable_names(structure: dict[str, Any]) -> list[str]:
    return [
        v["name"]
        for v in (*structure["identifierVariables"], structure["measureVariable"], *structure["attributeVariables"])
    ]


def _version_nation(ctx: Context, request: Request) -> Nation:
    version = request.args.get("version", "")
    match = re.fullmatch(r"(\d+)\.\d+\.\d+\.\d+", version)
    if not match:
        raise _KlassError(400, f"version must match ^\\d+\\.\\d+\\.\\d+\\.\\d+$, not {version!r}")
    generation = int(match.group(1)) - 1
    if not 0 <= generation <= ctx.nation.generation:
        raise _KlassError(404, f"No such version: {version}")
    if generation == ctx.nation.generation:
        return ctx.nation
    return Nation(ctx.nation.seed, ctx.nation.scale, generation)


def _microdata_error(source: Source, exc: _KlassError) -> Reply:
    return json_reply({"code": exc.status, "message": exc.detail}, source.name, exc.status)


def _data_store(nation: Nation, source: Source) -> dict[str, Any]:
    versions = []
    for k in range(nation.generation + 1):
        plan = Nation(nation.seed, nation.scale, k).plan(source) if k else None
        if plan is None:
            updates = [
                {
                    "name": nation.microdata_name(i),
                    "description": "Ny variabel",
                    "operation": "ADD",
                    "releaseStatus": "RELEASED",
                }
                for i in range(source.base_count)
            ]
        else:
            updates = [
                {
                    "name": nation.microdata_name(i),
                    "description": "Ny variabel",
                    "operation": "ADD",
                    "releaseStatus": "RELEASED",
                }
                for i, g in plan.added_in.items()
                if g == k
            ]
            updates += (
                [
                    {
                        "name": nation.microdata_name(plan.deleted[k - 1]),
                        "description": "Fjernet",
                        "operation": "REMOVE",
                        "releaseStatus": "DELETED",
                    }
                ]
                if len(plan.deleted) >= k
                else []
            )
            updates += [
                {
                    "name": nation.microdata_name(i),
                    "description": "Endret beskrivelse",
                    "operation": "CHANGE",
                    "releaseStatus": "RELEASED",
                }
                for i, gs in plan.modified_in.items()
                if k in gs
            ]
        released = generation_time(k) if k else GEN0_END
        versions.append(
            {
                "version": f"{k + 1}.0.0.0",
                "description": f"Versjon {k + 1}.0.0.0",
                "releaseTime": int(released.timestamp()),
                "languageCode": "no",
                "dataStructureUpdates": updates,
                "updateType": "MAJOR",
            }
        )
    return {
        "name": "no.ssb.fdb",
        "label": "SSBs forskningsdatabase",
        "description": "Registerdata fra SSB og helseregistrene for forskning via microdata.no",
        "versions": list(reversed(versions)),
    }


def microdata_data_store(ctx: Context, request: Request) -> Reply:
    source = _microdata_source(ctx.nation)
    reply = json_reply(_data_store(ctx.nation, source), source.name)
    reply.headers["Content-Language"] = "no"
    return reply


def _structures(nation: Nation, source: Source, names: set[str] | None, duplicate: bool) -> Any:
    for i in nation.dataset_indices(source):
        if names is None or nation.microdata_name(i) in names:
            yield data_structure(nation, source, i)
    if duplicate:
        yield data_structure(nation, source, nation.dataset_indices(source)[0])


def microdata_all(ctx: Context, request: Request) -> Reply:
    source = _microdata_source(ctx.nation)
    try:
        nation = _version_nation(ctx, request)
    except _KlassError as exc:
        return _microdata_error(source, exc)
    store = _data_store(nation, source)
    head = {k: store[k] for k in ("name", "label", "description")} | {"languageCode": "no"}
    import json

    def body() -> Any:
        yield b'{"dataStore":' + json.dumps(head, ensure_ascii=False).encode() + b',"dataStructures":'
        yield from stream_json_array(_structures(nation, source, None, ctx.fault_is(source.name, "duplicate_ids")))
        yield b"}"

    return Reply(body(), "application/json; charset=utf-8", "json", source.name, headers={"Content-Language": "no"})


def microdata_data_structures(ctx: Context, request: Request) -> Reply:
    source = _microdata_source(ctx.nation)
    try:
        nation = _version_nation(ctx, request)
    except _KlassError as exc:
        return _microdata_error(source, exc)
    names = {n for n in request.args.get("names", "").split(",") if n}
    return Reply(
        stream_json_array(_structures(nation, source, names or None, False)),
        "application/json; charset=utf-8",
        "json",
        source.name,
        headers={"Content-Language": "no"},
    )


def microdata_names(ctx: Context, request: Request) -> Reply:
    source = _microdata_source(ctx.nation)
    return json_reply([ctx.nation.microdata_name(i) for i in ctx.nation.dataset_indices(source)], source.name)


def microdata_languages(ctx: Context, request: Request) -> Reply:
    return json_reply(
        [{"code": "no", "label": "Norsk"}, {"code": "en", "label": "English"}], _microdata_source(ctx.nation).name
    )


ROUTES = [
    (f"{KLASS}/classifications", klass_classifications),
    (f"{KLASS}/classifications/<cid>", klass_classification),
    (f"{KLASS}/classifications/<cid>/codes", klass_codes),
    (f"{KLASS}/classifications/<cid>/codesAt", klass_codes_at),
    (f"{KLASS}/versions/<vid>", klass_version),
    ("/public/variable-definitions", vardef_list),
    ("/public/variable-definitions/<vid>", vardef_one),
    ("/metadata/data-store", microdata_data_store),
    ("/metadata/all", microdata_all),
    ("/metadata/data-structures", microdata_data_structures),
    ("/metadata/all-data-structures", microdata_names),
    ("/metadata/languages", microdata_languages),
]
