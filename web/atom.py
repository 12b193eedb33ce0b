"""Atom feeds (RFC 4287) as the web writes them: a feed element and a helper for its children."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Response

ATOM = "http://www.w3.org/2005/Atom"


def sub(parent: ET.Element, tag: str, value: str | None = None, **attrs: str) -> ET.Element:
    """A child element in the Atom namespace, with its text and attributes."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = value
    return element


def feed(ident: str, title: str, updated: str, self_url: str, author: str) -> ET.Element:
    """An Atom feed's head: its id, title, last update, link to itself and author."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    sub(root, "id", ident)
    sub(root, "title", title)
    sub(root, "updated", updated)
    sub(root, "link", rel="self", href=self_url)
    sub(sub(root, "author"), "name", author)
    return root


def response(root: ET.Element) -> Response:
    return Response(ET.tostring(root, encoding="utf-8", xml_declaration=True), mimetype="application/atom+xml")
