"""XML from publishers, parsed so that hostile documents are refused and big ones stream.

Every XML a harvester reads goes through here. A document with a DOCTYPE is refused before any
parser sees it: publishers' metadata (OAI-PMH, DDI, KLASS) never needs one, and a DOCTYPE is
how XXE (entities reading local files or calling out) and "billion laughs" entity expansion get
in. The lxml parser is configured as a second fence: no entity resolution, no DTD loading, no
network, no huge-tree mode. Errors become `SourceError`s naming the URL and line.

`iter_elements` walks a document element by element and frees each one after use, so a page of
records costs memory for one record at a time, not for the whole tree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from typing import TypedDict, cast

from lxml import etree

from catalog.model import LangText
from harvesters.base import SourceError
from harvesters.sniff import kind_hint

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


class ParserOptions(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    huge_tree: bool
    remove_comments: bool
    remove_pis: bool


PARSER_OPTIONS: ParserOptions = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def check_safe(content: bytes, url: str) -> None:
    """Refuse a document that declares a DOCTYPE or entities, or hides its prolog in UTF-16/32."""
    if b"\x00" in content[:4]:
        raise SourceError(
            "refused XML encoded as UTF-16 or UTF-32; only UTF-8 and ASCII-compatible encodings are accepted", url
        )
    root = _FIRST_ELEMENT.search(content)
    prolog = content[: root.start() if root else len(content)]
    if _DOCTYPE.search(prolog):
        raise SourceError(
            "refused XML with a DOCTYPE or entity declaration (possible XXE or entity expansion attack)", url
        )


def _syntax_error(exc: etree.XMLSyntaxError, url: str, content: bytes = b"", kind: str = "") -> SourceError:
    """`exc` in a sentence; for an answer that is no XML at all, what it looks like and which kind
    reads it (`kind` is the source's own)."""
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    line = exc.position[0] if getattr(exc, "position", None) else None
    if "not proper UTF-8" in message or "encoding" in message.lower():
        return SourceError(
            "the response is not valid UTF-8 although it declares UTF-8 (perhaps it is ISO-8859-1)", url, line
        )
    if "Entity" in message or "entity" in message:
        return SourceError(f"refused XML that uses an undeclared or external entity ({message[:200]})", url, line)
    hint = kind_hint(content.decode("utf-8", "replace"), kind) if content else ""
    return SourceError(f"the response is not well-formed XML ({message[:300]})", url, line, hint)


def parse(content: bytes, url: str, kind: str = "") -> etree._Element:
    """The whole document as a tree (for small answers such as OAI-PMH Identify); `kind`, the
    source's, for what an answer that is no XML looks like (`_syntax_error`)."""
    check_safe(content, url)
    parser = etree.XMLParser(**PARSER_OPTIONS)
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, url, content, kind) from exc


def iter_elements(content: bytes, url: str, tags: Iterable[str], kind: str = "") -> Iterator[etree._Element]:
    """Each complete element with one of `tags` (Clark notation), freed once the caller moves on."""
    check_safe(content, url)
    events = etree.iterparse(io.BytesIO(content), events=("end",), tag=list(tags), **PARSER_OPTIONS)
    try:
        for _event, element in events:
            yield element
            element.clear(keep_tail=True)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, url, content, kind) from exc


def clean(element: etree._Element | None) -> str:
    """The element's text content with whitespace collapsed ("" for no element)."""
    if element is None:
        return ""
    text = cast("Iterator[str]", element.itertext())  # str for a parsed tree; the stubs allow bytes
    return " ".join("".join(text).split())


def texts(elements: Iterable[etree._Element], default_lang: str = "") -> LangText:
    """Language-tagged text from elements carrying xml:lang (untagged ones take `default_lang`).

    Several elements in one language (e.g. paragraphs of an abstract) are joined with a space.
    """
    out: LangText = {}
    for element in elements:
        value = clean(element)
        if value:
            lang = element.get(XML_LANG) or default_lang
            out[lang] = f"{out[lang]} {value}" if lang in out else value
    return out
