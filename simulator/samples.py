"""Real public metadata (../shared/real-world) served over loopback in each service's URL layout.

The simulator (`simulator.server`) plays Norway's sources with content we generate; this server
plays them with content nobody here wrote: Digdir's DCAT-AP-NO catalogues, a demo CKAN and an
HDX package, CESSDA and IPUMS DDI codebooks, SSB KLASS code lists and Vardok definitions,
microdata.no's test datastore and the Datahotel's variable lists. The files are served byte for
byte where the service answered with a file; where only the content was saved, the envelope
around it is emulated as `real-world/SOURCES.md` describes for each kind ("Emulated"), and
nothing else is added. The files are read from the folder given, never copied into the project.

    with SampleServer(SHARED / "real-world") as samples:
        configs = samples.source_configs()   # one SourceConfig per service, layout options only

`source_configs` gives what any operator must configure to harvest these services (URLs, the
OAI metadata prefix, a spreadsheet's column headings and title); completing what the sources do
not state (publisher contacts, legal basis, ...) is the operator's register and defaults, which
`OPERATOR_SETTINGS` holds as an access body would set them (see README, "Completing sources").
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from catalog.config import Settings, SourceConfig, parse_organisations

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_PAGE = 3
"""Records per ListRecords page (SOURCES.md: 3 a page, tokens page-N)."""
OAI_PREFIXES = ("oai_ddi25", "oai_ddi", "ddi")
KLASS_PAGE = 2
"""Classifications per /classifications page: small, so the 5 classifications take 3 pages."""
KLASS_IDS = ("91", "303", "618", "685", "702")
VARDOK = "http://www.ssb.no/ns/fimd"
SPREADSHEETS = {
    "datahotell-nav-yrke": "nav-arbeidssokere-yrke",
    "datahotell-fhi-atc": "fhi-atc-kodenavn-virkestoff-2021",
}
CKAN_PORTALS = {"ckan": "demo-ckan-package_search-2017-10-02.json", "hdx": "hdx-unesco-data-for-zimbabwe.json"}


OPERATOR_TOML = """
# What an access body harvesting these sources configures in catalog.toml: who the publishers are
# (the organisation register) and, per source, what the source cannot state itself. Nothing here
# replaces what a source says; descriptions and variable descriptions are never supplied.

[organisations."https://data.brreg.no/enhetsregisteret/api/enheter/974761076"]
name = "Skatteetaten"
org_number = "974761076"
url = "https://www.skatteetaten.no/"

[organisations."https://data.brreg.no/enhetsregisteret/api/enheter/991825827"]
name = "Direktoratet for forvaltning og IKT"
org_number = "991825827"
url = "https://www.difi.no/"

[organisations."https://data.brreg.no/enhetsregisteret/api/enheter/971526920"]
name = "Statistisk sentralbyrå"
org_number = "971526920"
url = "https://www.ssb.no/"
aliases = ["SSB", "Statistics Norway"]

[organisations."https://data.brreg.no/enhetsregisteret/api/enheter/889640782"]
name = "Arbeids- og velferdsetaten"
org_number = "889640782"
url = "https://www.nav.no/"
aliases = ["NAV"]

[organisations."https://data.brreg.no/enhetsregisteret/api/enheter/983744516"]
name = "Folkehelseinstituttet"
org_number = "983744516"
url = "https://www.fhi.no/"
aliases = ["FHI"]

[organisations."https://www.fsd.tuni.fi/"]
name = "Finnish Social Science Data Archive"
url = "https://www.fsd.tuni.fi/en/"
aliases = ["Yhteiskuntatieteellinen tietoarkisto", "FSD"]

[organisations."https://ukdataservice.ac.uk/"]
name = "UK Data Service"
url = "https://ukdataservice.ac.uk/"
aliases = ["UKDS"]

[organisations."https://forscenter.ch/"]
name = "FORS"
url = "https://forscenter.ch/"
aliases = [
  "Data and Research Information Services",
  "DARIS",
  "Service suisse d'information et d'archivage de données pour les sciences sociales",
  "SIDOS",
]

[organisations."https://www.ipums.org/"]
name = "IPUMS"
url = "https://www.ipums.org/"

[organisations."https://www.unesco.org/"]
name = "UNESCO"
url = "https://uis.unesco.org/"

[organisations."https://demo.ckan.org/organization/sdb"]
name = "SDB"
url = "https://demo.ckan.org/organization/sdb"

# Every source: the EHDS regulation applies, applications go through the access body, and the
# operator's health category (EHDS Art. 51(1)(b), DIOH: factors impacting health, socio-economic
# determinants among them).
[common]
applicable_legislation = ["http://data.europa.eu/eli/reg/2025/327/oj"]
health_categories = ["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/DIOH"]
access_url = "https://helsedata.no/no/soknad/"

# Catalogues that describe datasets but list no variables: HealthDCAT-AP ties hasStructuredData
# true to a variable list, so the operator states false for them.
[sources.fdk-skatteetaten]
has_structured_data = false
contact = { url = "https://www.skatteetaten.no/" }  # some contact points name only their unit

[sources.fdk-difi]
has_structured_data = false

[sources.ckan-demo]
has_structured_data = false
access_rights = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
themes = ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]
publisher = { name = "demo.ckan.org", url = "https://demo.ckan.org/" }

[sources.hdx]
has_structured_data = false
access_rights = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
themes = ["http://publications.europa.eu/resource/authority/data-theme/EDUC"]

[sources.cessda-oai]
has_structured_data = false
access_rights = "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"
themes = ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]
dataset_type = "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"
provenance = { en = "Deposited with and curated by the data archive that publishes it; see the study's documentation." }
contact = { name = "CESSDA Data Catalogue", url = "https://datacatalogue.cessda.eu/" }

[sources.ssb-vardef]
access_rights = "http://publications.europa.eu/resource/authority/access-right/RESTRICTED"
themes = ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]

[sources.microdata]
access_rights = "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"
themes = ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]
dataset_type = "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"
publisher = { uri = "https://data.brreg.no/enhetsregisteret/api/enheter/971526920" }
contact = { name = "microdata.no", url = "https://www.microdata.no/" }

[sources.datahotell-nav-yrke]
access_rights = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
themes = ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]
publisher = { uri = "https://data.brreg.no/enhetsregisteret/api/enheter/889640782" }

[sources.datahotell-fhi-atc]
access_rights = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
themes = ["http://publications.europa.eu/resource/authority/data-theme/HEAL"]
publisher = { uri = "https://data.brreg.no/enhetsregisteret/api/enheter/983744516" }
"""
"""The operator's register and per-source defaults for the real samples (`[common]` applies to every
source; a source's own table is merged over it). `configure` applies them as catalog.toml would."""


def operator_settings() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(the `[organisations]` tables, source name -> its `options.defaults`) of `OPERATOR_TOML`."""
    raw = tomllib.loads(OPERATOR_TOML)
    common = raw.get("common", {})
    return raw["organisations"], {name: {**common, **own} for name, own in raw.get("sources", {}).items()}


def configure(settings: Settings, sources: list[SourceConfig], operator: bool = True) -> None:
    """Add `sources` to `settings`, with the operator's register and defaults unless `operator` is false."""
    organisations, defaults = operator_settings()
    if operator:
        settings.organisations = parse_organisations(organisations)
    for src in sources:
        if operator and src.name in defaults:
            src.options["defaults"] = defaults[src.name]
        settings.sources[src.name] = src


@dataclass
class Answer:
    body: bytes
    content_type: str
    status: int = 200


def _json(value: Any, status: int = 200) -> Answer:
    return Answer(json.dumps(value, ensure_ascii=False).encode(), "application/json; charset=utf-8", status)


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SampleServer:
    """The real samples under `root` (../shared/real-world) on a loopback HTTP server."""

    def __init__(self, root: Path):
        self.root = Path(root)
        if not (self.root / "SOURCES.md").is_file():
            raise FileNotFoundError(f"{self.root} holds no real-world samples (no SOURCES.md)")
        self.requests: list[str] = []
        self._server: BaseWSGIServer | None = None
        self.url = ""
        self._ckan = {portal: self._packages(file) for portal, file in CKAN_PORTALS.items()}
        self._oai = self._oai_records()
        self._routes: list[tuple[re.Pattern[str], Callable[..., Answer]]] = [
            (re.compile(r"/fdk/skatteetaten\.ttl"), lambda r: self._file("dcat/skatteetaten-catalog-2017-10-31.ttl")),
            (re.compile(r"/fdk/difi\.jsonld"), lambda r: self._file("dcat/difi-catalog-2017-10-19.jsonld")),
            (re.compile(r"/(ckan|hdx)/api(?:/3)?/action/(\w+)"), self._ckan_action),
            (re.compile(r"/oai"), self._oai_answer),
            (re.compile(r"/klass/api/klass/v1/classifications"), self._klass_list),
            (re.compile(r"/klass/api/klass/v1/classifications/(\d+)"), self._klass_one),
            (re.compile(r"/klass/api/klass/v1/classifications/(\d+)/codes"), self._klass_codes),
            (re.compile(r"/vardef/public/variable-definitions"), self._vardef),
            (re.compile(r"/microdata/metadata/data-store"), lambda r: self._file("microdata/datastore_versions.json")),
            (re.compile(r"/microdata/metadata/all"), lambda r: self._file("microdata/metadata_all.json")),
            (re.compile(r"/datahotell/([\w-]+)/fields\.csv"), self._spreadsheet),
        ]

    # --- running -----------------------------------------------------------------------------

    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SampleServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        self.requests.append(request.full_path)
        for pattern, handler in self._routes:
            found = pattern.fullmatch(request.path.rstrip("/"))
            if found:
                answer = handler(request, *found.groups())
                break
        else:
            answer = Answer(b"not found", "text/plain", 404)
        return Response(answer.body, status=answer.status, content_type=answer.content_type)(environ, start_response)

    # --- what an operator configures ----------------------------------------------------------

    def source_configs(self, base: str | None = None) -> list[SourceConfig]:
        """One source per service with the options its layout needs, and nothing the operator completes."""
        base = (base or self.url).rstrip("/")
        sources = [
            SourceConfig("fdk-skatteetaten", "dcat", f"{base}/fdk/skatteetaten.ttl", "catalogue", "Skatteetaten (FDK)"),
            SourceConfig("fdk-difi", "dcat", f"{base}/fdk/difi.jsonld", "catalogue", "Difi (data.norge.no)"),
            SourceConfig("ckan-demo", "ckan", f"{base}/ckan", "catalogue", "demo.ckan.org", options={"language": "en"}),
            SourceConfig("hdx", "ckan", f"{base}/hdx", "catalogue", "HDX", options={"language": "en"}),
            SourceConfig("cessda-oai", "oai-ddi", f"{base}/oai", "survey", "CESSDA and IPUMS codebooks"),
            SourceConfig("ssb-klass", "klass", f"{base}/klass/api/klass/v1", "statistics", "SSB KLASS"),
            SourceConfig(
                "ssb-vardef", "vardef", f"{base}/vardef/public/variable-definitions", "statistics", "SSB vardef"
            ),
            SourceConfig("microdata", "microdata", f"{base}/microdata/metadata", "statistics", "microdata.no"),
        ]
        for name, stem in SPREADSHEETS.items():
            meta = etree.fromstring((self.root / "spreadsheet" / f"{stem}-meta.xml").read_bytes())
            sources.append(
                SourceConfig(
                    name,
                    "spreadsheet",
                    f"{base}/datahotell/{stem}/fields.csv",
                    "statistics",
                    meta.findtext("name") or stem,
                    options={
                        "title": meta.findtext("name") or stem,
                        "columns": {"shortname": "name", "name": "title", "content": "description"},
                    },
                )
            )
        return sources

    # --- files --------------------------------------------------------------------------------

    def _file(self, relative: str) -> Answer:
        path = self.root / relative
        types = {".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json", ".json": "application/json"}
        return Answer(path.read_bytes(), types.get(path.suffix, "application/octet-stream"))

    def _spreadsheet(self, request: Request, stem: str) -> Answer:
        path = self.root / "spreadsheet" / f"{stem}-fields.csv"
        if stem not in SPREADSHEETS.values() or not path.is_file():
            return Answer(b"not found", "text/plain", 404)
        return Answer(path.read_bytes(), "text/csv; charset=utf-8")

    # --- CKAN action API ------------------------------------------------------------------------

    def _packages(self, file: str) -> list[dict[str, Any]]:
        data = json.loads((self.root / "ckan" / file).read_bytes())
        if isinstance(data.get("result"), dict) and "results" in data["result"]:
            return list(data["result"]["results"])  # a package_search answer
        return [data]  # a package_show result dict

    def _ckan_action(self, request: Request, portal: str, action: str) -> Answer:
        params: dict[str, Any] = dict(request.args)
        if request.method == "POST" and request.data:
            params.update(json.loads(request.data))
        packages = self._ckan[portal]
        base = f"{self.url}/{portal}/api/3/action"
        help_url = f"{base}/help_show?name={action}"

        def ok(result: Any) -> Answer:
            return _json({"help": help_url, "success": True, "result": result})

        if action == "status_show":
            return ok({"ckan_version": "2.9.5", "site_url": f"{self.url}/{portal}", "extensions": []})
        if action == "package_list":
            return ok([p["name"] for p in packages])
        if action == "package_show":
            found = [p for p in packages if params.get("id") in (p.get("id"), p.get("name"))]
            if not found:
                return _json(
                    {
                        "help": help_url,
                        "success": False,
                        "error": {"__type": "Not Found Error", "message": "Not found"},
                    },
                    404,
                )
            return ok(found[0])
        if action != "package_search":
            return _json(
                {"help": help_url, "success": False, "error": {"__type": "Not Found Error", "message": "no action"}},
                400,
            )
        selected = [p for p in packages if _fq_matches(p, str(params.get("fq") or ""))]
        field, _, order = str(params.get("sort") or "metadata_modified desc").partition(" ")
        selected.sort(key=lambda p: str(p.get(field.strip()) or ""), reverse=order.strip() == "desc")
        start, rows = int(params.get("start", 0)), int(params.get("rows", 10))
        page = selected[start : start + rows]
        if params.get("fl"):
            fields = [f.strip() for f in str(params["fl"]).split(",")]
            page = [{f: p.get(f) for f in fields} for p in page]
        return ok(
            {"count": len(selected), "sort": params.get("sort"), "facets": {}, "results": page, "search_facets": {}}
        )

    # --- OAI-PMH ------------------------------------------------------------------------------------

    def _oai_records(self) -> list[tuple[str, str, bytes]]:
        """(identifier, datestamp as UTC Z, <record> bytes) of each record, by datestamp then identifier."""
        records = []
        for path in sorted((self.root / "oai-ddi" / "getrecord").glob("*.xml")):
            record = etree.parse(str(path)).getroot().find(f"{{{OAI_NS}}}GetRecord/{{{OAI_NS}}}record")
            header = record.find(f"{{{OAI_NS}}}header") if record is not None else None
            if record is None or header is None:
                raise ValueError(f"{path} is not an OAI-PMH GetRecord answer with a record and its header")
            ident = (header.findtext(f"{{{OAI_NS}}}identifier") or "").strip()
            stamp = (header.findtext(f"{{{OAI_NS}}}datestamp") or "").strip()
            records.append((ident, _utc(stamp), etree.tostring(record)))
        for path in sorted((self.root / "oai-ddi" / "ipums").glob("*.xml")):
            codebook = etree.parse(str(path)).getroot()
            produced = codebook.find(".//{*}prodDate")
            stamp = f"{produced.get('date')}T00:00:00Z" if produced is not None else "2000-01-01T00:00:00Z"
            ident = f"oai:ipums.org:{path.name}"
            record = (
                (
                    f'<record xmlns="{OAI_NS}"><header><identifier>{ident}</identifier><datestamp>{stamp}</datestamp>'
                    "</header><metadata>"
                ).encode()
                + etree.tostring(codebook)
                + b"</metadata></record>"
            )
            records.append((ident, stamp, record))
        return sorted(records, key=lambda r: (r[1], r[0]))

    def _oai_answer(self, request: Request) -> Answer:
        args = dict(request.args)
        verb = args.get("verb", "")
        attrs = "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in sorted(args.items()))
        head = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI_NS}">'
            f"<responseDate>{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}</responseDate>"
            f"<request{attrs}>{escape(self.url)}/oai</request>"
        ).encode()

        def reply(body: str | bytes) -> Answer:
            body = body.encode() if isinstance(body, str) else body
            return Answer(head + body + b"</OAI-PMH>", "text/xml; charset=utf-8")

        def error(code: str, text: str) -> Answer:
            return reply(f'<error code="{code}">{escape(text)}</error>')

        if verb == "Identify":
            return reply(
                "<Identify><repositoryName>Real DDI samples (CESSDA, FSD, UKDS, FORS, IPUMS)</repositoryName>"
                f"<baseURL>{escape(self.url)}/oai</baseURL><protocolVersion>2.0</protocolVersion>"
                "<adminEmail>nobody@example.org</adminEmail><earliestDatestamp>2000-01-01T00:00:00Z"
                "</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ"
                "</granularity></Identify>"
            )
        if verb == "ListMetadataFormats":
            formats = "".join(
                f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>http://www.ddialliance.org/"
                f"Specification/DDI-Codebook/2.5/XMLSchema/codebook.xsd</schema><metadataNamespace>ddi:codebook:2_5"
                "</metadataNamespace></metadataFormat>"
                for p in OAI_PREFIXES
            )
            return reply(f"<ListMetadataFormats>{formats}</ListMetadataFormats>")
        if verb != "ListRecords":
            return error("badVerb", f"verb {verb!r} is not served here")
        token = args.get("resumptionToken")
        if token:
            found = re.fullmatch(r"page-(\d+)(?:-from-(.+))?", token)
            if not found:
                return error("badResumptionToken", f"unknown token {token}")
            page, since = int(found.group(1)), found.group(2)
        else:
            if args.get("metadataPrefix") not in OAI_PREFIXES:
                return error("cannotDisseminateFormat", f"metadataPrefix {args.get('metadataPrefix')!r}")
            page, since = 0, args.get("from")
        selected = [r for r in self._oai if not since or r[1] >= _utc(since)]
        if not selected:
            return error("noRecordsMatch", "no records changed since then")
        chunk = selected[page * OAI_PAGE : (page + 1) * OAI_PAGE]
        if not chunk:
            return error("badResumptionToken", f"page {page} is past the end")
        more = (page + 1) * OAI_PAGE < len(selected)
        following = f"page-{page + 1}" + (f"-from-{since}" if since else "") if more else ""
        resumption = (
            f'<resumptionToken completeListSize="{len(selected)}" cursor="{page * OAI_PAGE}">{following}</resumptionToken>'
            if token or more
            else ""
        ).encode()
        return reply(b"<ListRecords>" + b"".join(r[2] for r in chunk) + resumption + b"</ListRecords>")

    # --- SSB KLASS --------------------------------------------------------------------------------

    @staticmethod
    def _wants_json(request: Request) -> bool:
        return "application/json" in request.headers.get("Accept", "")

    def _klass_list(self, request: Request) -> Answer:
        if not self._wants_json(request):
            return Answer(b"Not Acceptable: ask for application/json", "text/plain", 406)
        page = int(request.args.get("page", 0))
        size = KLASS_PAGE
        api = f"{self.url}/klass/api/klass/v1"
        ids = KLASS_IDS[page * size : (page + 1) * size]
        total_pages = -(-len(KLASS_IDS) // size)
        links: dict[str, Any] = {"self": {"href": f"{api}/classifications?page={page}&size={size}"}}
        if page + 1 < total_pages:
            links["next"] = {"href": f"{api}/classifications?page={page + 1}&size={size}"}
        return _json(
            {
                "_embedded": {
                    "classifications": [  # summaries as the real API sends them: the id only in the self link
                        {
                            "name": self._klass_name(cid),
                            "classificationType": "Klassifikasjon",
                            "lastModified": "2026-07-01T00:00:00.000+0000",
                            "_links": {"self": {"href": f"{api}/classifications/{cid}"}},
                        }
                        for cid in ids
                    ]
                },
                "_links": links,
                "page": {"size": size, "totalElements": len(KLASS_IDS), "totalPages": total_pages, "number": page},
            }
        )

    @staticmethod
    def _klass_name(cid: str) -> str:
        return f"KLASS {cid} (emulated name)"

    def _klass_one(self, request: Request, cid: str) -> Answer:
        if not self._wants_json(request):
            return Answer(b"Not Acceptable: ask for application/json", "text/plain", 406)
        if cid not in KLASS_IDS:
            return _json({"status": 404, "detail": f"Classification not found with id = {cid}"}, 404)
        api = f"{self.url}/klass/api/klass/v1"
        return _json(
            {
                "name": self._klass_name(cid),
                "classificationType": "Klassifikasjon",
                "lastModified": "2026-07-01T00:00:00.000+0000",
                "description": "",
                "primaryLanguage": "nb",
                "versions": [
                    {
                        "name": f"{self._klass_name(cid)} 2000",
                        "validFrom": "2000-01-01",
                        "lastModified": "2026-07-01T00:00:00.000+0000",
                        "published": ["nb"],
                        "_links": {"self": {"href": f"{api}/versions/{cid}00"}},
                    }
                ],
                "_links": {"self": {"href": f"{api}/classifications/{cid}"}},
            }
        )

    def _klass_codes(self, request: Request, cid: str) -> Answer:
        if not self._wants_json(request):
            return Answer(b"Not Acceptable: ask for application/json", "text/plain", 406)
        if cid not in KLASS_IDS:
            return _json({"status": 404, "detail": f"Classification not found with id = {cid}"}, 404)
        return self._file(f"klass/codes-{cid}.json")

    # --- SSB vardef, rendered from Vardok ---------------------------------------------------------

    def _vardef(self, request: Request) -> Answer:
        lang = (request.headers.get("Accept-Language") or "nb").split(",")[0].split("-")[0].strip() or "nb"
        if lang not in ("nb", "nn", "en"):
            lang = "nb"
        unit_types = {
            str(c["name"]).lower(): c for c in json.loads((self.root / "klass/codes-702.json").read_bytes())["codes"]
        }
        folder = self.root / "vardef" / "vardok"
        definitions = [
            _vardok_definition(folder, path, lang, unit_types)
            for path in sorted(folder.glob("*.xml"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
            if path.stem.isdigit()
        ]
        return _json(definitions)


def _utc(stamp: str) -> str:
    """An OAI datestamp or `from` argument as UTC `YYYY-MM-DDThh:mm:ssZ` (FORS writes `+0000`)."""
    stamp = stamp.strip()
    if len(stamp) == 10:
        return stamp + "T00:00:00Z"
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fq_matches(package: dict[str, Any], fq: str) -> bool:
    for clause in filter(None, (c.strip() for c in fq.split(" AND "))):
        found = re.fullmatch(r"metadata_modified:\[(\S+) TO \S+\]", clause)
        if found:
            since = found.group(1).rstrip("Z")
            if str(package.get("metadata_modified") or "") < since:
                return False
        elif clause.startswith("organization:"):
            if (package.get("organization") or {}).get("name") != clause.split(":", 1)[1]:
                return False
    return True


def _vardok_definition(folder: Path, path: Path, lang: str, unit_types: dict[str, Any]) -> dict[str, Any]:
    """One Vardok definition as the public vardef API renders it in `lang` (SSB's own migration)."""
    vid = path.stem
    primary = etree.parse(str(path)).getroot()
    primary_lang = primary.get("{http://www.w3.org/XML/1998/namespace}lang") or "nb"
    translated = folder / f"{vid}{lang}.xml"
    doc = primary if lang == primary_lang else etree.parse(str(translated)).getroot() if translated.is_file() else None

    def text(root: etree._Element | None, path_: str) -> str | None:
        if root is None:
            return None
        value = (root.findtext(path_, namespaces={"f": VARDOK}) or "").strip()
        return value or None

    element_name = text(primary, "f:Variable/f:DataElementName")
    short_name = re.sub(r"[-\s]", "_", element_name.lower()) if element_name else f"generert_kortnavn_vd{vid}"
    klass = next(
        (
            re.sub(r".*/", "", str(e.get("{http://www.w3.org/1999/xlink}href")))
            for e in primary.iterfind("f:Relations/f:ClassificationRelation", {"f": VARDOK})
        ),
        None,
    )
    unit = unit_types.get((text(primary, "f:Variable/f:StatisticalUnit") or "").lower())
    division = text(primary, "f:Common/f:ContactDivision/f:CodeValue")
    subject_code = text(primary, "f:Variable/f:SubjectArea/f:CodeValue")
    return {
        "id": vid.zfill(8),
        "patch_id": 1,
        "name": text(doc, "f:Common/f:Title"),
        "short_name": short_name,
        "definition": text(doc, "f:Common/f:Description"),
        "classification_uri": f"https://www.ssb.no/klass/klassifikasjoner/{klass}" if klass else None,
        "unit_types": [
            {
                "reference_uri": "https://www.ssb.no/klass/klassifikasjoner/702",
                "code": unit["code"],
                "title": unit["name"],
            }
        ]
        if unit
        else [],
        "subject_fields": [
            {"reference_uri": None, "code": subject_code, "title": text(doc, "f:Variable/f:SubjectArea/f:CodeText")}
        ]
        if subject_code
        else [],
        "contains_special_categories_of_personal_data": False,
        "variable_status": "PUBLISHED_EXTERNAL",
        "measurement_type": None,
        "valid_from": primary.get("defaultValidFrom") or None,
        "valid_until": primary.get("defaultValidTo") or None,
        "external_reference_uri": f"https://www.ssb.no/a/metadata/conceptvariable/vardok/{vid}/{lang}",
        "comment": text(doc, "f:Common/f:Notes"),
        "related_variable_definition_uris": [],
        "owner": None,
        "contact": {
            "title": text(doc, "f:Common/f:ContactDivision/f:CodeText") or "",
            "email": f"s{division}@ssb.no" if division else None,
        },
        "created_at": f"{primary.get('createdOn')}T00:00:00Z" if primary.get("createdOn") else None,
        "created_by": None,
        "last_updated_at": f"{primary.get('lastChangedDate')}T00:00:00Z" if primary.get("lastChangedDate") else None,
        "last_updated_by": None,
    }


__all__ = ["SampleServer"]
