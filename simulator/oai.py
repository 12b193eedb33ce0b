"""Health surveys over OAI-PMH 2.0: HUNT, Tromsø, MoBa (DDI-Codebook 2.5) and Sikt (DDI-Lifecycle 3.2).

`GET|POST /oai/<source>?verb=...`: Identify, ListMetadataFormats, ListSets, ListIdentifiers,
ListRecords, GetRecord. Prefixes: oai_dc everywhere, plus oai_ddi25 (HUNT, Tromsø, MoBa) or
oai_ddi32 (Sikt). Lists page with resumptionToken (completeListSize, cursor; 5 records or 20
identifiers a page; an empty token ends the list); a token minted in an earlier generation is a
badResumptionToken, as when a repository's data changed. responseDate is the generation's
clock (not wall time) so that responses repeat byte for byte. from/until at day or second granularity
on the datestamp. Deleted studies stay as `<header status="deleted">` (deletedRecord=persistent).
Identifiers: `oai:<host>:<study id>`, e.g. oai:hunt.ntnu.no:HUNT4 — the manifest's native ids.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from werkzeug.wrappers import Request

from simulator import ddi
from simulator.nation import GEN0_END, GEN0_START, Source, generation_time, iso
from simulator.wire import Context, Reply

RECORDS_PER_PAGE = 5
IDENTIFIERS_PER_PAGE = 20
SIKT_STUDY_SET = "30ea0200-7121-4f01-8d21-a931a182b86d"
FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "oai_ddi25": (ddi.DDI25_SCHEMA, ddi.DDI25_NS),
    "oai_ddi32": (ddi.DDI32_SCHEMA, ddi.DDI32_NS),
}
ARGS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _set_spec(source: Source) -> tuple[str, str]:
    if source.spec.prefix == "oai_ddi32":
        return SIKT_STUDY_SET, "Studier"
    return f"{source.name}:studier", f"Studier i {source.title}"


def _prefixes(source: Source) -> list[str]:
    return ["oai_dc", source.spec.prefix]


def _envelope(ctx: Context, source: Source, args: dict[str, str], inner: str) -> bytes:
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in sorted(args.items()))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/'
        'OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        f"<responseDate>{iso(_now(ctx))}</responseDate>"
        f"<request{attrs}>{escape(ctx.base + source.path)}</request>{inner}</OAI-PMH>"
    ).encode()


def _now(ctx: Context) -> datetime:
    """The repository's clock: the moment of the current generation, so responses repeat byte for byte."""
    k = ctx.nation.generation
    return generation_time(k) + timedelta(hours=12) if k else GEN0_END


def _parse_date(text: str, name: str) -> tuple[datetime, bool]:
    """The instant and whether it was given to the day only."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.fromisoformat(text).replace(tzinfo=UTC), True
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text):
        return datetime.fromisoformat(text.replace("Z", "+00:00")), False
    raise OaiError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not {text!r}")


def _token(ctx: Context, prefix: str, since: str, until: str, set_spec: str, cursor: int) -> str:
    raw = "|".join([prefix, since, until, set_spec, str(cursor), str(ctx.nation.generation)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _untoken(ctx: Context, token: str) -> tuple[str, str, str, str, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, since, until, set_spec, cursor, generation = raw.split("|")
        if int(generation) != ctx.nation.generation:
            raise OaiError("badResumptionToken", "the resumptionToken has expired: the repository has changed")
        return prefix, since, until, set_spec, int(cursor)
    except (ValueError, UnicodeDecodeError):
        raise OaiError("badResumptionToken", f"the resumptionToken {token!r} is not valid") from None


def _entries(ctx: Context, source: Source) -> list[tuple[int, datetime, bool]]:
    """(dataset index, datestamp, deleted) of every record the repository knows, in a stable order."""
    nation = ctx.nation
    plan = nation.plan(source)
    rows = [(i, nation.modified(source, i), False) for i in plan.alive]
    rows += [(i, nation.deleted_at(source, i), True) for i in plan.deleted]
    return sorted(rows, key=lambda r: r[0])


def _header(ctx: Context, source: Source, i: int, stamp: datetime, deleted: bool) -> str:
    status = ' status="deleted"' if deleted else ""
    return (
        f"<header{status}><identifier>{escape(ctx.nation.native_id(source, i))}</identifier>"
        f"<datestamp>{iso(stamp)}</datestamp><setSpec>{escape(_set_spec(source)[0])}</setSpec></header>"
    )


def _record(ctx: Context, source: Source, i: int, stamp: datetime, deleted: bool, prefix: str) -> str:
    header = _header(ctx, source, i, stamp, deleted)
    if deleted:
        return f"<record>{header}</record>"
    nation = ctx.nation
    d = nation.dataset(source, i)
    study = nation.study_id(source, i)
    if prefix == "oai_ddi25":
        metadata = ddi.codebook(nation, source, d, study)
    elif prefix == "oai_ddi32":
        metadata = ddi.fragment_instance(nation, source, d, study)
    else:
        metadata = ddi.dublin_core(d, source, nation.native_id(source, i))
    return f"<record>{header}<metadata>{metadata}</metadata></record>"


def _check_prefix(source: Source, prefix: str) -> None:
    if prefix not in _prefixes(source):
        raise OaiError(
            "cannotDisseminateFormat",
            f"the metadata format {prefix!r} is not supported by this "
            f"repository; use one of {', '.join(_prefixes(source))}",
        )


def _list(ctx: Context, source: Source, verb: str, args: dict[str, str]) -> str:
    if "resumptionToken" in args:
        prefix, since, until, set_spec, cursor = _untoken(ctx, args["resumptionToken"])
    else:
        prefix, since, until, set_spec, cursor = (
            args["metadataPrefix"],
            args.get("from", ""),
            args.get("until", ""),
            args.get("set", ""),
            0,
        )
    _check_prefix(source, prefix)
    if set_spec and set_spec != _set_spec(source)[0]:
        raise OaiError("noRecordsMatch", f"no records in set {set_spec!r}")
    low = _parse_date(since, "from") if since else None
    high = _parse_date(until, "until") if until else None
    if low and high and low[1] != high[1]:
        raise OaiError("badArgument", "from and until must have the same granularity")
    if low and high and low[0] > high[0]:
        raise OaiError("badArgument", "from is later than until")
    rows = _entries(ctx, source)
    if low:
        rows = [r for r in rows if (r[1].date() >= low[0].date() if low[1] else r[1] >= low[0])]
    if high:
        rows = [r for r in rows if (r[1].date() <= high[0].date() if high[1] else r[1] <= high[0])]
    if ctx.fault_is(source.name, "duplicate_ids") and rows:
        rows.insert(1, rows[0])
    if not rows:
        raise OaiError("noRecordsMatch", "no records match the request")
    size = RECORDS_PER_PAGE if verb == "ListRecords" else IDENTIFIERS_PER_PAGE
    if cursor >= len(rows):
        raise OaiError("badResumptionToken", "the resumptionToken points past the end of the list")
    chosen = rows[cursor : cursor + size]
    if verb == "ListRecords":
        items = "".join(_record(ctx, source, i, stamp, deleted, prefix) for i, stamp, deleted in chosen)
    else:
        items = "".join(_header(ctx, source, i, stamp, deleted) for i, stamp, deleted in chosen)
    following = cursor + size
    token = ""
    if cursor or following < len(rows):
        value = _token(ctx, prefix, since, until, set_spec, following) if following < len(rows) else ""
        token = f'<resumptionToken completeListSize="{len(rows)}" cursor="{cursor}">{value}</resumptionToken>'
    return f"<{verb}>{items}{token}</{verb}>"


def _find(ctx: Context, source: Source, identifier: str) -> tuple[int, datetime, bool]:
    for i, stamp, deleted in _entries(ctx, source):
        if ctx.nation.native_id(source, i) == identifier:
            return i, stamp, deleted
    raise OaiError("idDoesNotExist", f"no record with identifier {identifier!r}")


def _identify(ctx: Context, source: Source) -> str:
    spec = source.spec
    return (
        f"<Identify><repositoryName>{escape(source.title)}</repositoryName>"
        f"<baseURL>{escape(ctx.base + source.path)}</baseURL><protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{escape(spec.org.email)}</adminEmail><earliestDatestamp>{iso(GEN0_START)}</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
        f'<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier">'
        f"<scheme>oai</scheme><repositoryIdentifier>{escape(spec.host)}</repositoryIdentifier>"
        f"<delimiter>:</delimiter><sampleIdentifier>oai:{escape(spec.host)}:{escape(spec.waves[0][0])}"
        "</sampleIdentifier></oai-identifier></description></Identify>"
    )


def _answer(ctx: Context, source: Source, args: dict[str, str]) -> str:
    verb = args.get("verb", "")
    if verb not in ARGS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb" if verb else "the verb argument is missing")
    required, optional = ARGS[verb]
    given = set(args) - {"verb"}
    if "resumptionToken" in given and given != {"resumptionToken"}:
        raise OaiError("badArgument", "resumptionToken is an exclusive argument")
    if "resumptionToken" not in given and not required <= given:
        raise OaiError("badArgument", f"missing required argument(s): {', '.join(sorted(required - given))}")
    if not given <= required | optional | {"resumptionToken"} or (
        "resumptionToken" in given and verb in ("Identify", "GetRecord", "ListMetadataFormats")
    ):
        raise OaiError("badArgument", f"illegal argument(s): {', '.join(sorted(given - required - optional))}")
    if verb == "Identify":
        return _identify(ctx, source)
    if verb == "ListMetadataFormats":
        if "identifier" in args:
            _find(ctx, source, args["identifier"])
        return (
            "<ListMetadataFormats>"
            + "".join(
                f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>{FORMATS[p][0]}</schema>"
                f"<metadataNamespace>{FORMATS[p][1]}</metadataNamespace></metadataFormat>"
                for p in _prefixes(source)
            )
            + "</ListMetadataFormats>"
        )
    if verb == "ListSets":
        spec, name = _set_spec(source)
        return f"<ListSets><set><setSpec>{escape(spec)}</setSpec><setName>{escape(name)}</setName></set></ListSets>"
    if verb == "GetRecord":
        _check_prefix(source, args["metadataPrefix"])
        i, stamp, deleted = _find(ctx, source, args["identifier"])
        return f"<GetRecord>{_record(ctx, source, i, stamp, deleted, args['metadataPrefix'])}</GetRecord>"
    return _list(ctx, source, verb, args)


def endpoint(ctx: Context, request: Request, name: str) -> Reply:
    source = ctx.nation.source(name)
    if source.kind != "oai-ddi":
        raise KeyError(f"{name} is not an OAI-PMH source")
    pairs = list(request.form.items(multi=True)) if request.method == "POST" else list(request.args.items(multi=True))
    args = dict(pairs)
    try:
        if len(args) != len(pairs):
            raise OaiError("badArgument", "an argument is repeated")
        inner = _answer(ctx, source, args)
        echo = args
    except OaiError as exc:
        inner = f'<error code="{exc.code}">{escape(exc.message)}</error>'
        echo = {} if exc.code in ("badVerb", "badArgument") else args
    return Reply(_envelope(ctx, source, echo, inner), "text/xml; charset=utf-8", "xml", source.name)


ROUTES = [("/oai/<name>", endpoint)]
