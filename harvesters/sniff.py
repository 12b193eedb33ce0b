"""What an answer looks like, for a source that could not read it: the kind that would.

An operator who gives a DCAT feed's address to a source of kind `oai-ddi`, or an OAI-PMH
endpoint's to one of kind `dcat`, was told only that the answer "is not well-formed XML" or "not
valid xml RDF". Where the answer plainly is something another kind reads, the error says so and
names that kind; where it is a web page, it says that. Only what is certain is said: nothing
when unsure.
"""

from __future__ import annotations

import json
import re
from typing import Any

HEAD = 4096
"""The characters of an answer looked at (a JSON answer is parsed whole, as the harvester did)."""
_IRI = r"<(?:https?://|urn:)[^<>\s]*>"
_TURTLE = re.compile(rf"^\s*(@prefix|@base|PREFIX|BASE)\b|^\s*{_IRI}\s+({_IRI}|a\s|[\w-]*:\w)", re.MULTILINE)
"""Turtle's or N-Triples' first statements: a prefix, or a subject IRI (absolute: an XML tag such
as <channel> or <dc:title> is none) and a predicate."""
_CSV = re.compile(r"^[^<{\[\n]*[,;\t][^\n]*[,;\t]")


def looks_like(text: str) -> tuple[str, str | None] | None:
    """(what the answer looks like, the kind that reads it or None) when that is plain, else None."""
    start = text.lstrip("\ufeff \t\r\n")
    head = start[:HEAD]
    if _TURTLE.search(head):  # before XML: N-Triples and Turtle may begin with "<" too
        return "RDF in Turtle", "dcat"
    if head.startswith("<"):
        lowered = head.lower()
        if "<oai-pmh" in lowered:
            return "an OAI-PMH answer", "oai-ddi"
        if "<rdf:rdf" in lowered or "22-rdf-syntax-ns#" in lowered:
            return "RDF/XML", "dcat"
        if "<html" in lowered or "<!doctype html" in lowered:
            return "a web page (HTML)", None
        return None
    if head[:1] in "{[":
        try:
            value = json.loads(start)
        except ValueError:
            return None
        return json_looks_like(value)
    first = next((line for line in head.splitlines() if line.strip()), "")
    if _CSV.match(first):
        return "a table (CSV)", "spreadsheet"
    return None


def json_looks_like(value: Any) -> tuple[str, str | None] | None:
    """`looks_like` of a parsed JSON answer."""
    if isinstance(value, dict):
        if "@context" in value or "@graph" in value:
            return "JSON-LD (RDF)", "dcat"
        if "success" in value and "result" in value:
            return "a CKAN API answer", "ckan"
        embedded = value.get("_embedded")
        if isinstance(embedded, dict) and ("classifications" in embedded or "classificationVersions" in embedded):
            return "a KLASS API answer", "klass"
        if "classificationVersions" in value or ("codes" in value and "_links" in value):
            return "a KLASS API answer", "klass"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:5]):
        if all("short_name" in v and "definition" in v for v in value[:5]):
            return "variable definitions of SSB's vardef API", "vardef"
    return None


def kind_hint(text: str | None = None, kind: str = "", value: Any = None) -> str:
    """A sentence for an error: what the answer (`text`, or the parsed JSON `value`) looks like and
    which kind reads it, unless that is `kind` itself; "" when nothing is plain."""
    found = json_looks_like(value) if text is None else looks_like(text)
    if found is None:
        return ""
    what, reads = found
    if reads is None:
        return f"The answer is {what}: is the address the feed's or the API's own?"
    if reads == kind:
        return ""
    return f'The answer looks like {what}, which a source of kind "{reads}" reads: is the source\'s kind right?'
