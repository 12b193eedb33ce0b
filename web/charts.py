"""Charts as inline SVG made on the server: no JavaScript library, no CDN, nothing the CSP forbids.

Numbers are written as the UI language writes them (93,5 % on a Norwegian page). Only
presentation attributes are used (inline `style` would break the CSP), every text is escaped,
and each chart carries a <title> and <desc> so a screen reader gets the same facts as the eye.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from web.i18n import number as ui_number

WIDTH = 820
LABEL_W = 270
ROW_H = 24
COLOURS = {
    "variable": "#0b5cad",
    "dataset": "#2e7d32",
    "wave": "#5c7c99",
    "codelist": "#6a3d9a",
    "code": "#8a5a00",
    "ok": "#2e7d32",
    "failed": "#b00020",
    "interrupted": "#8a5a00",
    "running": "#555555",
    "bar": "#0b5cad",
    "missing": "#8a5a00",
}


@dataclass
class Period:
    label: str
    start: int | None
    end: int | None  # None: still valid
    kind: str = "variable"


@dataclass
class Event:
    year: float
    label: str


@dataclass
class Bar:
    label: str
    value: float
    kind: str = "bar"
    note: str = ""


LABEL_CHARS = 36
"""Most characters of a label in the label column: 12-pixel text of wide letters ("Svangerskap og
svangerskapsomsorg") ran 13 px past the chart's left edge at 28 in a column of 190 px (about 7 px
a letter); the column is 270 px since a dataset's title as registries write them ("Aborter etter
12. svangerskapsuke", 33) read "Aborter ette…ngerskapsuke" at 25."""


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    """A label that fits the label column, cut in the middle, where rows of one chart differ least:
    three rows all read "Norsk hjerteinfarktregister…" when the end was cut, and the end is the
    wave, year or kind that tells them apart. The full text stays in the row's <title> and <desc>."""
    if len(label) <= limit:
        return label
    head = (limit - 1) // 2
    return label[:head].rstrip() + "…" + label[-(limit - 1 - head) :].lstrip()


NARROW = 360
"""The width of a chart's phone layout (`narrow`): on a 375 px phone the wide one, 730 px at
least, scrolled in its box, and its label column alone filled the screen, every bar cut at the
same edge and the values beyond it, so that all looked equally full (the researcher's drill)."""
NARROW_ROW = 38
NARROW_CHARS = 52
"""Most characters of a label over its bar in the phone layout, the layout's width in 12-pixel text."""


def _svg(title: str, desc: str, height: int, body: list[str], width: int = WIDTH, layout: str = "wide") -> Markup:
    """One layout of a chart; a page shows the wide one or, on a phone, the narrow one (style.css),
    never both: each carries the chart's title and description."""
    ident = "c" + hashlib.sha1(f"{title}|{desc}|{layout}".encode()).hexdigest()[:8]
    return Markup(
        f'<svg class="chart {layout}" role="img" aria-labelledby="{ident}t {ident}d" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title id="{ident}t">{escape(title)}</title>'
        f'<desc id="{ident}d">{escape(desc)}</desc>{"".join(body)}</svg>'
    )


def timeline(title: str, periods: list[Period], events: list[Event], now: int, events_label: str = "") -> Markup | None:
    """Validity periods as bars on a year axis, with changes as dots on their own row. The axis
    spans the years given, reaching `now` only when a period is still open."""
    years = [y for p in periods for y in (p.start, p.end) if y] + [int(e.year) for e in events]
    if not years:
        return None
    still_open = any(p.end is None for p in periods)
    lo, hi = min(years), max(max(years), now) if still_open else max(years)
    lo, hi = lo - lo % 5, hi + (-hi % 5)  # whole five-year spans
    if hi == lo:
        hi = lo + 5
    span, plot = hi - lo, WIDTH - LABEL_W - 20

    def x(year: float) -> float:
        return LABEL_W + (year - lo) / span * plot

    rows = len(periods) + (1 if events else 0)
    height = 30 + rows * ROW_H
    body = []
    step = 5 if span <= 40 else 10 if span <= 100 else 25
    for tick in range(lo, hi + 1, step):
        body.append(
            f'<line x1="{x(tick):.1f}" y1="4" x2="{x(tick):.1f}" y2="{height - 22}" stroke="#d8dde3"/>'
            f'<text x="{x(tick):.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
            f'fill="#444">{tick}</text>'
        )
    descs = []
    for i, p in enumerate(periods):
        y = 6 + i * ROW_H
        start, end = p.start if p.start is not None else lo, p.end if p.end is not None else now
        colour = COLOURS.get(p.kind, COLOURS["bar"])
        body.append(
            f'<text x="{LABEL_W - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="#1a1a1a">'
            f"{escape(_short(p.label))}</text>"
            f'<rect x="{x(start):.1f}" y="{y + 3}" width="{max(3.0, x(end + 1) - x(start)):.1f}" '
            f'height="{ROW_H - 8}" rx="3" fill="{colour}"><title>{escape(p.label)}: '
            f"{p.start or '…'}–{p.end or ''}</title></rect>"
        )
        descs.append(f"{p.label}: {p.start or '…'}–{p.end or ''}")
    if events:
        y = 6 + len(periods) * ROW_H
        body.append(
            f'<text x="{LABEL_W - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="#1a1a1a">'
            f"{escape(events_label)}</text>"
        )
        for e in events:
            body.append(
                f'<circle cx="{x(e.year):.1f}" cy="{y + 11}" r="5" fill="{COLOURS["code"]}">'
                f"<title>{escape(e.label)}</title></circle>"
            )
            descs.append(e.label)
    desc = "; ".join(descs)
    return _svg(title, desc, height, body) + _narrow_timeline(title, desc, periods, events, events_label, (lo, hi), now)


def _narrow_timeline(
    title: str,
    desc: str,
    periods: list[Period],
    events: list[Event],
    events_label: str,
    axis: tuple[int, int],
    now: int,
) -> Markup:
    """`timeline` laid out for a phone: each label over its bar, the years across the whole width."""
    lo, hi = axis
    span, left, plot = hi - lo, 12, NARROW - 24

    def x(year: float) -> float:
        return left + (year - lo) / span * plot

    rows = len(periods) + (1 if events else 0)
    height = 26 + rows * NARROW_ROW
    step = 10 if span <= 40 else 20 if span <= 100 else 50
    body = []
    for tick in range(lo, hi + 1, step):
        body.append(
            f'<line x1="{x(tick):.1f}" y1="4" x2="{x(tick):.1f}" y2="{height - 20}" stroke="#d8dde3"/>'
            f'<text x="{x(tick):.1f}" y="{height - 5}" font-size="11" text-anchor="middle" fill="#444">{tick}</text>'
        )
    for i, p in enumerate(periods):
        y = 4 + i * NARROW_ROW
        start, end = p.start if p.start is not None else lo, p.end if p.end is not None else now
        colour = COLOURS.get(p.kind, COLOURS["bar"])
        body.append(
            f'<text x="0" y="{y + 12}" font-size="12" fill="#1a1a1a">{escape(_short(p.label, NARROW_CHARS))}</text>'
            f'<rect x="{x(start):.1f}" y="{y + 17}" width="{max(3.0, x(end + 1) - x(start)):.1f}" height="14" rx="3" '
            f'fill="{colour}"><title>{escape(p.label)}: {p.start or "…"}–{p.end or ""}</title></rect>'
        )
    if events:
        y = 4 + len(periods) * NARROW_ROW
        body.append(f'<text x="0" y="{y + 12}" font-size="12" fill="#1a1a1a">{escape(events_label)}</text>')
        body += [
            f'<circle cx="{x(e.year):.1f}" cy="{y + 24}" r="5" fill="{COLOURS["code"]}"><title>{escape(e.label)}</title></circle>'
            for e in events
        ]
    return _svg(title, desc, height, body, NARROW, "narrow")


def bars(
    title: str,
    items: list[Bar],
    maximum: float | None = None,
    unit: str = "",
    number: Callable[[float], str] | None = None,
) -> Markup | None:
    """Horizontal bars with their values written out, for scores and counts (`number` writes a value)."""
    written = number or ui_number
    if not items:
        return None
    top = maximum or max((b.value for b in items if not math.isnan(b.value)), default=0) or 1
    plot = WIDTH - LABEL_W - 150
    body = []
    for i, b in enumerate(items):
        y = 4 + i * ROW_H
        unknown = math.isnan(b.value)  # a value not shown (e.g. a suppressed count): its note only
        w = 0.0 if unknown else max(0.0, min(1.0, b.value / top)) * plot
        shown = b.note if unknown else f"{written(b.value)}{unit}" + (f" {b.note}" if b.note else "")
        body.append(
            f'<text x="{LABEL_W - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="#1a1a1a">'
            f"{escape(_short(b.label))}</text>"
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{plot}" height="{ROW_H - 8}" fill="#eef1f4"/>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 8}" '
            f'fill="{COLOURS.get(b.kind, COLOURS["bar"])}"/>'
            f'<text x="{LABEL_W + plot + 6}" y="{y + 15}" font-size="12" fill="#1a1a1a">{escape(shown)}</text>'
        )
    desc = "; ".join(
        f"{b.label}: "
        + (b.note if math.isnan(b.value) else f"{written(b.value)}{unit}" + (f" {b.note}" if b.note else ""))
        for b in items
    )
    # on a phone each label with its value at the line's end, over a bar the chart's whole width
    narrow = []
    for i, b in enumerate(items):
        y = 4 + i * NARROW_ROW
        unknown = math.isnan(b.value)
        w = 0.0 if unknown else max(0.0, min(1.0, b.value / top)) * NARROW
        shown = b.note if unknown else f"{written(b.value)}{unit}" + (f" {b.note}" if b.note else "")
        label = _short(b.label, max(16, NARROW_CHARS - 2 - len(shown)))
        narrow.append(
            f'<text x="0" y="{y + 12}" font-size="12" fill="#1a1a1a">{escape(label)}</text>'
            f'<text x="{NARROW}" y="{y + 12}" font-size="12" text-anchor="end" font-weight="bold" fill="#1a1a1a">'
            f"{escape(shown)}</text>"
            f'<rect x="0" y="{y + 17}" width="{NARROW}" height="14" fill="#eef1f4"/>'
            f'<rect x="0" y="{y + 17}" width="{w:.1f}" height="14" fill="{COLOURS.get(b.kind, COLOURS["bar"])}"/>'
        )
    wide = _svg(title, desc, 8 + len(items) * ROW_H, body)
    return wide + _svg(title, desc, 4 + len(items) * NARROW_ROW, narrow, NARROW, "narrow")
