"""A transport node for servers that speak the Elasticsearch API but not its content negotiation.

The official `elasticsearch` client (8 and 9) sends `application/vnd.elasticsearch+json;
compatible-with=N` and refuses any server whose answers lack `X-Elastic-Product: Elasticsearch`.
OpenSearch-compatible servers such as the osmem emulator answer such requests with HTTP 406. This
node sends plain `application/json` / `application/x-ndjson` and marks answers as coming from
Elasticsearch so the client accepts them. It changes only headers, never request bodies; use it
only for such servers (`CATALOG_ELASTICSEARCH_PLAIN_JSON=1`), never for a real Elasticsearch.
"""

from __future__ import annotations

import dataclasses
import re

from elastic_transport import HttpHeaders, Urllib3HttpNode
from elastic_transport._node._base import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType

_COMPAT = re.compile(r"application/vnd\.elasticsearch\+([\w-]+)\s*;\s*compatible-with=\d+")


def plain_mimetype(value: str) -> str:
    """`application/vnd.elasticsearch+x-ndjson; compatible-with=9` -> `application/x-ndjson`."""
    return _COMPAT.sub(lambda m: f"application/{m.group(1)}", value)


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        plain = HttpHeaders()
        for name, value in (headers or {}).items():
            plain[name] = plain_mimetype(value) if name.lower() in ("accept", "content-type") else value
        response = super().perform_request(method, target, body=body, headers=plain, request_timeout=request_timeout)
        answer = HttpHeaders(response.meta.headers)
        answer["x-elastic-product"] = "Elasticsearch"
        return NodeApiResponse(dataclasses.replace(response.meta, headers=answer), response.body)
