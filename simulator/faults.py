"""Fault injection: turn a correct `Reply` into the broken wire behaviour a harvester must survive.

Which faults apply to which formats:

| fault | behaviour | formats |
|---|---|---|
| slow | body dripped in `chunk` bytes (default 64) every `delay` s (default 0.5) | all |
| trickle | headers at once, then one byte every `delay` s (default 1) for ever, no Content-Length | all |
| error500 / error503 | 500 / 503 (503 with Retry-After: `seconds`, default 1) | all |
| rate_limit | the first `count` requests (default 2) get 429 with Retry-After: `seconds` (default 1), then OK | all |
| truncated | Content-Length of the full body, half of it sent (`fraction`), connection closed | all |
| malformed | a syntax error inside the body | turtle, nt, xml, jsonld, json, csv (strict), xlsx |
| wrong_content_type | the body unchanged, Content-Type `content_type` (default text/html) | all |
| redirect_loop | 302 between `url` and `url&_loop=1`, for ever | all |
| oversized | the body, then whitespace without end (or up to `size` bytes) and no Content-Length | all |
| xxe | DOCTYPE with an external entity to file:///etc/passwd, referenced in the first text | XML (DCAT switches to RDF/XML) |
| entity_expansion | "billion laughs" DOCTYPE, referenced in the first text | XML (DCAT switches to RDF/XML) |
| latin1 | the body encoded as ISO-8859-1 while the headers (and XML declaration) say UTF-8 | all text formats |
| duplicate_ids | two records with the same identifier (done by each wire module) | all |

XXE and entity expansion are not applicable to JSON, CSV and XLSX replies (served unchanged).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.wrappers import Response

from simulator.wire import Fault, Reply

FAULTS = (
    "slow",
    "trickle",
    "error500",
    "error503",
    "rate_limit",
    "truncated",
    "malformed",
    "wrong_content_type",
    "redirect_loop",
    "oversized",
    "xxe",
    "entity_expansion",
    "latin1",
    "duplicate_ids",
)
XML_FORMATS = ("xml",)
TEXT_FORMATS = ("turtle", "nt", "xml", "jsonld", "json", "csv", "text")

XXE_DECL = b'<!ENTITY xxe SYSTEM "file:///etc/passwd">'
LAUGHS_DECL = b'<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (n, b"".join(b"&lol%s;" % (str(n - 1).encode() if n > 1 else b"",) for _ in range(10)))
    for n in range(1, 10)
)


def plain(reply: Reply) -> Response:
    headers = dict(reply.headers)
    body = reply.body if isinstance(reply.body, bytes) else reply.chunks()
    return Response(body, status=reply.status, headers=headers, content_type=reply.content_type)


def apply(reply: Reply, fault: Fault | None, url: str) -> Response:
    """The response to send for `reply` when `fault` (or nothing) is switched on for its source."""
    if fault is None or reply.status >= 400:
        return plain(reply)
    p = fault.params
    name = fault.name
    if name == "error500":
        return Response("<html><body><h1>500 Internal Server Error</h1></body></html>", 500, content_type="text/html")
    if name == "error503":
        return Response(
            "<html><body><h1>503 Service Unavailable</h1></body></html>",
            503,
            content_type="text/html",
            headers={"Retry-After": str(p.get("seconds", 1))},
        )
    if name == "rate_limit":
        fault.hits += 1
        if fault.hits <= int(p.get("count", 2)):
            return Response(
                '{"error": "Too Many Requests"}',
                429,
                content_type="application/json",
                headers={"Retry-After": str(p.get("seconds", 1))},
            )
        return plain(reply)
    if name == "redirect_loop":
        return Response("", 302, headers={"Location": _loop_target(url)})
    if name == "wrong_content_type":
        reply.content_type = p.get("content_type", "text/html; charset=utf-8")
        return plain(reply)
    if name == "slow":
        return Response(
            _drip(reply.chunks(), int(p.get("chunk", 64)), float(p.get("delay", 0.5))),
            reply.status,
            content_type=reply.content_type,
        )
    if name == "trickle":
        return Response(_trickle(float(p.get("delay", 1.0))), reply.status, content_type=reply.content_type)
    if name == "oversized":
        return Response(_endless(reply.chunks(), p.get("size")), reply.status, content_type=reply.content_type)
    if name == "truncated":
        body = reply.materialize()
        cut = body[: int(len(body) * float(p.get("fraction", 0.5)))]
        response = Response(cut, reply.status, content_type=reply.content_type)
        response.headers["Content-Length"] = str(len(body))
        response.headers["Connection"] = "close"
        response.direct_passthrough = True
        return response
    if name == "malformed":
        reply.body = malform(reply.materialize(), reply.fmt)
        return plain(reply)
    if name in ("xxe", "entity_expansion") and reply.fmt in XML_FORMATS:
        decl, ref = (XXE_DECL, b"&xxe;") if name == "xxe" else (LAUGHS_DECL, b"&lol9;")
        reply.body = inject_doctype(reply.materialize(), decl, ref)
        return plain(reply)
    if name == "latin1" and reply.fmt in TEXT_FORMATS:
        reply.body = reply.materialize().decode("utf-8").encode("latin-1", errors="replace")
        return plain(reply)
    return plain(reply)


def _loop_target(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if ("_loop", "1") in query:
        query = [q for q in query if q != ("_loop", "1")]
    else:
        query.append(("_loop", "1"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _drip(chunks: Iterator[bytes], size: int, delay: float) -> Iterator[bytes]:
    for chunk in chunks:
        for start in range(0, len(chunk), size):
            yield chunk[start : start + size]
            time.sleep(delay)


def _trickle(delay: float) -> Iterator[bytes]:
    """A byte at a time for ever: each read gets something, so only a deadline ends it."""
    while True:
        yield b" "
        time.sleep(delay)


def _endless(chunks: Iterator[bytes], size: int | str | None) -> Iterator[bytes]:
    sent = 0
    for chunk in chunks:
        sent += len(chunk)
        yield chunk
    pad = b" " * 65536
    limit = int(size) if size is not None else None
    while limit is None or sent < limit:
        piece = pad if limit is None else pad[: limit - sent]
        sent += len(piece)
        yield piece


def inject_doctype(body: bytes, declarations: bytes, reference: bytes) -> bytes:
    """Add an internal DTD subset before the root element and reference an entity in the first text."""
    decl = re.match(rb"\s*<\?xml[^>]*\?>", body)
    start = decl.end() if decl else 0
    root = re.search(rb"<([A-Za-z_][\w:.-]*)", body[start:])
    if root is None:
        return body
    text = re.search(rb">([^<\s])", body[start:])
    doctype = b"\n<!DOCTYPE " + root.group(1) + b" [" + declarations + b"]>\n"
    if text is None:
        return body[:start] + doctype + body[start:]
    at = start + text.start() + 1
    return body[:start] + doctype + body[start:at] + reference + body[at:]


def malform(body: bytes, fmt: str) -> bytes:
    """The body with a syntax error of its own format near the middle."""
    middle = len(body) // 2
    if fmt in ("turtle", "nt"):
        at = body.find(b" .\n", middle)
        at = at + 3 if at >= 0 else len(body)
        return body[:at] + b'<https://broken.example/a> <https://broken.example/b> "unterminated ;;\n' + body[at:]
    if fmt == "xml":
        at = body.find(b">", middle)
        at = at + 1 if at >= 0 else len(body)
        return body[:at] + b"</not-opened><broken attr=x>" + body[at:]
    if fmt in ("json", "jsonld"):
        at = body.find(b",", middle)
        at = at if at >= 0 else len(body) - 1
        return body[:at] + b",,}" + body[at:]
    if fmt == "csv":
        at = body.find(b"\n", middle)
        at = at + 1 if at >= 0 else len(body)
        return body[:at] + b'"UAVSLUTTET;"tekst uten slutt\n' + body[at:]
    return body[:middle] + b"\x00 broken \x00" + body[middle + 64 :]
