"""Plain text from the HTML some publishers write where plain text belongs.

A dataset's dct:description and a DDI study's abstract are plain text, yet Difi's catalogue on
data.norge.no writes 32 of its 33 descriptions as HTML ("<p>Offentlig elektronisk postjournal
(OEP) ble lansert ...</p><p>...") and the UK Data Service its abstracts as escaped HTML. As they
were, a researcher read the tags on the dataset's page and the EHDS feed carried them on. A text
holding HTML elements is read as the text a browser shows of it: paragraphs and headings apart
by a blank line, line breaks and list items on lines of their own, character references decoded,
scripts and styles dropped, other tags gone. A text without elements is returned as it is: "<" in
"alder < 18" is no markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ELEMENT = re.compile(
    r"</?(?:p|br|div|span|ul|ol|li|b|i|u|em|strong|a|h[1-6]|table|tr|td|th|font|sup|sub|blockquote|pre)\b[^<>]*>",
    re.IGNORECASE,
)
"""A tag of the elements publishers' descriptions hold: one of them makes a text HTML."""
PARAGRAPHS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre"})
LINES = frozenset({"br", "li", "tr"})
HIDDEN = frozenset({"script", "style"})
SPACE = re.compile(r"\s+")


def plain(text: str) -> str:
    """`text` as plain text when it is HTML (see the module), else `text` itself."""
    if "<" not in text or ELEMENT.search(text) is None:
        return text
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.text()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in LINES:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(SPACE.sub(" ", data))  # a line break in HTML's source is a space

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def without_markup(texts: dict[str, str]) -> dict[str, str]:
    """`plain` of each language's text, dropping those with no text left (`texts` itself when
    none holds a "<", as nearly all do)."""
    if not any("<" in t for t in texts.values()):
        return texts
    return {lang: t for lang, t in ((lang, plain(t)) for lang, t in texts.items()) if t}
