"""SSB KLASS classifications and code lists, each as a SKOS concept scheme (`CodeList`).

The source URL is the API root (`.../api/klass/v1`). A run pages through `/classifications`
(HAL: `page`, `size`; `includeCodelists=true`), then for each classification reads its detail
and the codes of its newest version (`/classifications/{id}/codes?from=<validFrom>`) once per
language the version is published in (`options.languages`, default nb, nn, en), so every label
keeps its language tag. JSON is asked for explicitly: KLASS answers XML by default.

Incremental: the checkpoint keeps the newest `lastModified` seen. The next run lists with
`changedSince` and reports the other classifications it knows present. A listing without
`changedSince` is complete, so it ends with `Complete` (classifications gone from it are marked
deleted); one is made when there is no checkpoint and again when the last one is older than
`options.full_listing_days` (default 7), because `changedSince` never tells of deletions. On a
complete listing a classification whose `lastModified` did not change is not fetched again.

URIs: a classification's record URI is SSB's own public address for it,
https://www.ssb.no/klass/klassifikasjoner/{id} — the form SSB's variable definitions use in
`classification_uri` — so variables from vardef and microdata.no link to these records without
any shared configuration (`klass_uri`, `klass_id`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.model import Agent, CodeList, Concept
from harvesters.base import Checkpoint, Complete, Event, Failed, Harvested, Harvester, Present, SourceError
from harvesters.http import FetchError
from harvesters.jsonapi import expect, get_json

KLASS_PUBLIC = "https://www.ssb.no/klass/klassifikasjoner/"
API = "the KLASS API"
MAX_PAGES = 100_000
_ID_PATTERNS = (r"klass/klassifikasjoner/(\d+)", r"/classifications/(\d+)", r"urn:ssb:classification:klass:(\d+)")


def klass_uri(classification_id: str | int) -> str:
    """The record URI of a KLASS classification (SSB's public page for it)."""
    return f"{KLASS_PUBLIC}{classification_id}"


def klass_id(reference: str | None) -> str | None:
    """The classification id in any of the forms SSB refers to one (page URL, API URL, URN)."""
    for pattern in _ID_PATTERNS:
        match = re.search(pattern, reference or "")
        if match:
            return match.group(1)
    return None


def klass_time(value: str | None) -> datetime | None:
    """KLASS's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (e.g. 2023-04-18T12:56:21.000+0000) as an aware datetime."""
    if not value:
        return None
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value.strip().replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


class RecordError(Exception):
    """One classification could not be read; `field` names what was wrong."""

    def __init__(self, message: str, url: str, field: str | None = None):
        super().__init__(message)
        self.message, self.url, self.field = message, url, field


class KlassHarvester(Harvester):
    kind = "klass"

    @property
    def api(self) -> str:
        return self.source.url.rstrip("/")

    # --- the listing ------------------------------------------------------------------------

    def listing(self, params: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(page URL, classification summary) for every classification listed, page by page."""
        for page in range(MAX_PAGES):
            url, body = get_json(self.http, f"{self.api}/classifications", API, {**params, "page": page})
            body = expect(body, dict, API, url, self.kind)
            items = (body.get("_embedded") or {}).get("classifications") or []
            for item in expect(items, list, API, url):
                yield url, item
            paging = body.get("page") or {}
            total = paging.get("totalPages")
            if not items or "next" not in (body.get("_links") or {}) or (isinstance(total, int) and page + 1 >= total):
                return
        raise SourceError(f"the classification listing did not end after {MAX_PAGES} pages", self.api)

    def _full_listing_due(self) -> bool:
        last = klass_time(self.state.get("full_listing_at"))
        days = float(self.source.options.get("full_listing_days", 7))
        return last is None or not self.state.get("changed_since") or datetime.now(UTC) - last >= timedelta(days=days)

    # --- a run ------------------------------------------------------------------------------

    def harvest(self) -> Iterator[Event]:
        previous: dict[str, list[str]] = json.loads(self.state.get("records", "{}"))
        full = self._full_listing_due()
        params: dict[str, Any] = {"includeCodelists": "true", "size": int(self.source.options.get("page_size", 20))}
        if not full:
            params["changedSince"] = self.state["changed_since"]
        records: dict[str, list[str]] = {} if full else dict(previous)
        listed: set[str] = set()
        newest = klass_time(self.state.get("changed_since"))
        for url, summary in self.listing(params):
            cid = str(
                summary.get("id") or klass_id(((summary.get("_links") or {}).get("self") or {}).get("href")) or ""
            )
            if not cid:
                yield Failed(
                    f"a listed classification ({summary.get('name', 'without name')}) has no id, so it was skipped",
                    url,
                    None,
                    "id",
                )
                continue
            if cid in listed:
                yield Failed(f"the classification {cid} is listed more than once; the first was kept", url, cid, "id")
                continue
            listed.add(cid)
            modified = klass_time(summary.get("lastModified"))
            newest = max(filter(None, (newest, modified)), default=None)
            known = previous.get(cid)
            if full and known and known[1] == str(summary.get("lastModified")):
                records[cid] = known
                yield Present(known[0])
                continue
            yield from self._classification(cid, summary, records, previous)
        if full:
            yield Complete()
        else:
            yield from (Present(uris[0]) for cid, uris in previous.items() if cid not in listed)
        state = {
            "records": json.dumps(records, sort_keys=True),
            "full_listing_at": (iso(datetime.now(UTC)) or "") if full else self.state.get("full_listing_at", ""),
        }
        if newest:
            state["changed_since"] = newest.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        yield Checkpoint(state)

    def _classification(
        self, cid: str, summary: dict[str, Any], records: dict[str, list[str]], previous: dict[str, list[str]]
    ) -> Iterator[Event]:
        problems: list[Failed] = []
        try:
            codelist, url = self.codelist(cid, problems)
        except (FetchError, SourceError, RecordError) as exc:
            message = exc.message if isinstance(exc, (FetchError, RecordError)) else str(exc)
            url = getattr(exc, "url", None) or f"{self.api}/classifications/{cid}"
            yield Failed(
                f"the classification {cid} could not be read: {message}; its last good version is kept",
                url,
                cid,
                getattr(exc, "field", None),
            )
            if cid in previous:
                records[cid] = previous[cid]
                yield Present(previous[cid][0])
            return
        yield from problems
        records[cid] = [codelist.uri, str(summary.get("lastModified") or "")]
        yield Harvested(codelist, url)

    # --- one classification -----------------------------------------------------------------

    def codelist(self, cid: str, problems: list[Failed]) -> tuple[CodeList, str]:
        """The classification's newest version with its codes in every published language."""
        url = f"{self.api}/classifications/{cid}"
        first_url, detail = get_json(self.http, url, API)
        detail = expect(detail, dict, API, first_url, self.kind)
        versions = [v for v in detail.get("versions") or [] if isinstance(v, dict) and v.get("validFrom")]
        if not versions:
            raise RecordError(
                "it has no version with a validFrom date, so its codes cannot be asked for", first_url, "versions"
            )
        version = max(versions, key=lambda v: str(v["validFrom"]))
        wanted = [str(x) for x in self.source.options.get("languages", ["nb", "nn", "en"])]
        published = [str(x) for x in version.get("published") or []]
        languages = [lang for lang in wanted if lang in published] or [str(detail.get("primaryLanguage") or "nb")]
        codelist = CodeList(
            uri=klass_uri(cid),
            identifier=cid,
            publisher=self.publisher(detail),
            version=str(version.get("name") or "") or None,
            valid_from=str(version["validFrom"]),
            valid_to=str(version["validTo"]) if version.get("validTo") else None,
            modified=iso(klass_time(detail.get("lastModified"))),
            landing_page=klass_uri(cid),
        )
        concepts: dict[str, Concept] = {}
        for lang in languages:
            localized = detail  # KLASS answers in nb unless asked otherwise
            if lang != "nb":
                lang_url, localized = get_json(self.http, url, API, {"language": lang})
                localized = expect(localized, dict, API, lang_url)
            if localized.get("name"):
                codelist.title[lang] = str(localized["name"])
            if localized.get("description"):
                codelist.description[lang] = str(localized["description"])
            self._codes(cid, lang, version, concepts, problems)
        codelist.concepts = list(concepts.values())
        return codelist, first_url

    def _codes(
        self, cid: str, lang: str, version: dict[str, Any], concepts: dict[str, Concept], problems: list[Failed]
    ) -> None:
        params = {"from": version["validFrom"], "language": lang}
        if version.get("validTo"):
            params["to"] = version["validTo"]
        url, body = get_json(self.http, f"{self.api}/classifications/{cid}/codes", API, params)
        items = expect(expect(body, dict, API, url).get("codes") or [], list, API, url)
        here: set[str] = set()
        for item in items:
            code = str(item.get("code") or "").strip() if isinstance(item, dict) else ""
            if not code:
                problems.append(Failed(f"classification {cid}: a code without a value was skipped", url, cid, "code"))
                continue
            if code in here:
                problems.append(
                    Failed(
                        f"classification {cid}: the code {code} occurs more than once ({lang}); the first was kept",
                        url,
                        f"{cid} {code}",
                        "code",
                    )
                )
                continue
            here.add(code)
            concept = concepts.setdefault(
                code,
                Concept(
                    code=code,
                    parent=str(item.get("parentCode") or "") or None,
                    valid_from=item.get("validFrom") or None,
                    valid_to=item.get("validTo") or None,
                ),
            )
            if item.get("name"):
                concept.label[lang] = str(item["name"])
            if item.get("notes"):
                concept.definition[lang] = str(item["notes"])

    def publisher(self, detail: dict[str, Any]) -> Agent:
        """SSB (KLASS is SSB's register), with the owning section's contact person when given."""
        o = self.source.options
        contact = detail.get("contactPerson")
        if not isinstance(contact, dict):
            contact = {}
        return Agent(
            name={"nb": str(o.get("publisher", "Statistisk sentralbyrå"))},
            uri=o.get("publisher_uri"),
            email=contact.get("email") or None,
        )
