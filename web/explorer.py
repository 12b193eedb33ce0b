"""HTML pages for researchers: search with facets, variable, dataset and code list pages.

The data behind each page is gathered by a `*_view` function that the JSON API serialises too,
so the API always has the same data as the pages.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from typing import Any, NamedTuple, cast
from urllib.parse import quote, quote_plus, urlencode

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from catalog import minimum, profiles
from catalog.access import Route, routes
from catalog.label import Label, label_of
from catalog.model import CodeList, DataService, Dataset, LangText, Variable
from catalog.published import Completed
from catalog.readiness import DatasetReadiness, assess, findings_in_format, kit_feed
from catalog.search import (
    DOC_TYPES,
    FACETS,
    FILTERS,
    SORTS,
    TYPE_FILTERS,
    Hit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    type_filters,
    variables_using,
)
from catalog.search.analysis import MAX_MATCHED_CODES, QueryPlan, fold, names, naming, typed_codes
from catalog.search.codes import broader, code_range, offered_in, qualified
from catalog.search.years import YEAR_FILTER, listed, read_years, span
from catalog.store import StoredRecord
from catalog.topics import Topic, taxonomy
from catalog.uses import DataUse, register
from catalog.validation import findings_about
from web import charts, distribution, labels, store
from web.basket import (
    FORMATS,
    as_cell,
    basket_keys,
    csv_file,
    headings,
    keys_from_token,
    request_uri,
    route_of,
    selection,
    sheet_rows,
    xlsx_file,
)
from web.compare import Equivalents, Grid, equivalents, wave_grid
from web.display import code_url, coding_system, group_note, in_language, period, pick, pick_lang, year
from web.errors import Removed, log_outage
from web.i18n import current, translated
from web.quality import QualityScore, quality_of, score_chart
from web.rendering import template_url_for
from web.searchcache import hits_key, query_key

bp = Blueprint("explorer", __name__)
PAGE_SIZE = 20
MAX_LIMIT = 100  # hits a page of the API may ask for (`limit`); the pages show PAGE_SIZE
MAX_OFFSET = 10_000
MAX_QUERY = 200
"""Characters of a search's text that are searched: a page shortens a longer one and says so
(`shortened`), the API refuses it."""
RELATED = 8
FACET_SHOWN = 8  # values per facet before "show all"
CHRONOLOGICAL = frozenset({"period"})
"""Facets of periods (decades: a dozen at most), all shown, in time's order: by their counts a
researcher read 2020-2029, 1960-1969, 1970-1979, 1980-1989, 2010-2019..."""
USING_SHOWN = 50  # variables listed on a code list's page (the rest are a search away)
VARIABLES_SHOWN = 200
"""Variables a dataset's page lists at a time (the basket's most, so "add them" adds a page): a
registry's dataset of 100,000 variables was one page of 57 MB, 25 s to make. A dataset of more
has pages and a search within it; one of at most this many is listed whole, as before."""


def search_backend() -> Any:
    return current_app.extensions["search"]


@bp.app_template_global()
def last_seen(stored: StoredRecord) -> str | None:
    """When the record was last seen at its source: its source's latest successful harvest (before
    the record's deletion, for a deleted one)."""
    return store().last_harvest(stored.source, stored.deleted_at)


@bp.app_template_global()
def source_failing(source: str) -> str | None:
    """When the source's last harvest failed, if its last did: its records' pages say they are what
    it said when last harvested (the README promised "shown as stale"; the pages said nothing)."""
    run = store().last_finished_run(source)
    return (run.finished or run.started) if run is not None and run.status == "failed" else None


def source_title(name: str) -> str:
    src = current_app.config["SETTINGS"].sources.get(name)
    return (src.title or name) if src else name


def wants_groups(default: bool = False) -> bool:
    """Whether variables come one row per group of identical variables: `grouped=1` or `grouped=0`
    in the URL, else `default` (the page groups, the API lists each variable unless asked)."""
    return request.args.get("grouped", "1" if default else "0") == "1"


def query_from_args(grouped: bool = False, page_size: int = PAGE_SIZE) -> SearchQuery:
    """The search state lives in the URL: q, type, sort, page, one parameter per filter (the facets,
    `codelist`, `dataset` or `group` by key, and `year`) and `grouped` (`wants_groups`, default
    `grouped`) for one row per group of identical variables. A year typed among the words is
    read as the `year` filter (`catalog.search.years`; the page moves it there, `typed_years`).

    Forgiving, as a person's URL deserves: an unknown type or sort, a page that is no page, or a
    year that is none gives the default (the page shows what it searched). The API checks its
    parameters first (`web.api.search_query`) and refuses those."""
    args = request.args
    try:
        page = max(1, min(int(args.get("page", 1)), MAX_OFFSET // page_size))
    except ValueError:
        page = 1
    kind = args.get("type", "variable")
    kind = kind if kind in DOC_TYPES else "variable"
    text, typed = read_years(args.get("q", "")[:MAX_QUERY])
    return SearchQuery(
        text=text,
        type=kind,
        filters=type_filters(kind, url_filters()),
        typed_years=tuple(listed([*args.getlist(TYPED_YEARS)[:20], *typed])),
        group=wants_groups(grouped) and kind == "variable",
        sort=args.get("sort", "") if args.get("sort") in SORTS else "relevance",
        offset=(page - 1) * page_size,
        limit=page_size,
    )


def url_filters() -> dict[str, list[str]]:
    """Every filter the URL holds, whichever result type it applies to, with the years typed among
    the words. A tab searches with those that apply to its type (`query_from_args`); the others
    stay in the URL, set aside, so that a researcher coming back to the variables from the code
    lists finds the period and data type chosen there (the tabs dropped them)."""
    args = request.args
    typed = read_years(args.get("q", "")[:MAX_QUERY])[1]
    filters = {f: args.getlist(f)[:20] for f in FILTERS if args.getlist(f)}
    years = [v for v in listed([*filters.pop(YEAR_FILTER, []), *typed]) if span(v)]
    if years:
        filters[YEAR_FILTER] = years
    return filters


@bp.app_template_global()
def state_args(**changes: Any) -> dict[str, Any]:
    """The current search's URL parameters with some replaced (None removes one); page resets."""
    args: dict[str, Any] = {k: request.args.getlist(k) for k in request.args if k not in ("page", "lang", "more")}
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return args


def _encoded(name: str, value: Any) -> str:
    """One URL parameter as `urlencode(..., doseq=True)` writes it (a list is one pair per value)."""
    values = value if isinstance(value, list | tuple) else [value]
    return "&".join(_pair(name, str(v)) for v in values)


@lru_cache(maxsize=4096)
def _pair(name: str, value: str) -> str:
    """name=value, quoted: the facets' values recur on every page (~80 quoted a page)."""
    return f"{quote_plus(name)}={quote_plus(value)}"


class SearchLinks:
    """The current search's URL with some parameters changed (None removes one; the page resets),
    for the ~60 links of a result page: each parameter of the request is encoded once per
    request, not once per link (`state_args` + `search_url` per link were a fifth of a page's
    Python)."""

    def __init__(self) -> None:
        self.base = template_url_for("explorer.search")
        self.args = state_args()
        self.parts = {name: _encoded(name, values) for name, values in self.args.items()}
        self._around: dict[str, tuple[str, str]] = {}

    def url(self, **changes: Any) -> str:
        parts = [
            (_encoded(name, changes[name]) if changes[name] is not None else "") if name in changes else part
            for name, part in self.parts.items()
        ]
        parts += [
            _encoded(name, value) for name, value in changes.items() if name not in self.parts and value is not None
        ]
        query = "&".join(part for part in parts if part)
        return f"{self.base}?{query}" if query else self.base

    def toggled(self, facet: str, value: str, active: bool) -> str:
        """The search with one facet value chosen, or no longer chosen when `active`: `url` with
        that one change, the parameters around the facet's joined once per facet (~30 links)."""
        others = [v for v in self.args.get(facet, ()) if v != value]
        around = self._around.get(facet)
        if around is None:
            names = list(self.parts)
            at = names.index(facet) if facet in self.parts else len(names)
            joined = ["&".join(p for p in (self.parts[n] for n in side) if p) for side in (names[:at], names[at + 1 :])]
            around = self._around[facet] = (joined[0], joined[1])
        changed = _encoded(facet, others if active else [*others, value])
        query = "&".join(part for part in (around[0], changed, around[1]) if part)
        return f"{self.base}?{query}" if query else self.base


def search_links() -> SearchLinks:
    links = g.get("search_links")
    if links is None:
        links = g.search_links = SearchLinks()
    return links


@bp.app_template_global()
def search_url(args: dict[str, Any]) -> str:
    """The search page's URL for these parameters; url_for is too slow for the ~100 links of a result page."""
    base = search_links().base
    return f"{base}?{urlencode(args, doseq=True)}" if args else base


@bp.app_template_global()
def record_url(endpoint: str, key: str) -> str:
    """url_for for a record page, built once per request and endpoint: a result page links ~40 records."""
    prefixes = g.setdefault("record_prefixes", {})
    prefix = prefixes.get(endpoint)
    if prefix is None:
        prefix = prefixes[endpoint] = template_url_for(endpoint, key="-")[:-1]
    return prefix + quote(key, safe="")


@bp.app_template_global()
def row_key(hit: Hit, grouped: bool) -> str:
    """The variable a result row links to and puts in the basket: in a row of identical variables,
    the one whose data are the latest and the longest (still collected first, then the latest end;
    of those alike, the earliest start), not the best-scoring one: "Fødselsvekt, 5 datasets or
    waves, 1968–" led to and collected the malformations register's copy of 1970–1982, which a
    study of births today does not want. Of the copies still collected, the latest start had won:
    a row saying "1968–" collected "Fødsler 1974–", and NorPD's ATC code of 2009– the prescribers'
    copy of 2014– (the researcher's drill); the one covering the row's span now does.

    Where the search names some of the copies' datasets and not all (`named_copies`), the copy is
    one of those: "C50" put the cancer registry's ICD-10 group of "Lungekreft" in the basket, the
    dataset covering the row's span, where its copy in "Brystkreft" is the one asked for."""
    if not grouped or len(hit.members) < 2:
        return hit.key
    named = named_copies(hit.members)
    members = named if 0 < len(named) < len(hit.members) else hit.members

    def wanted(member: dict[str, Any]) -> tuple[int, int, int]:
        start, end = member.get("period_start"), member.get("period_end")
        ongoing = start is not None and end is None
        return (int(ongoing), 0 if ongoing else end or start or 0, -(start or 0) if start is not None else -10_000)

    return str(max(members, key=wanted)["key"])


def named_copies(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The copies whose dataset's title, in any of its languages, names a diagnosis, drug or
    procedure the search asks for (`analysis.names`: a code's names, or a name standing for codes;
    the search's other words choose nothing)."""
    plan = searched_plan()
    if plan is None or not naming(plan):
        return []
    return [
        m
        for m in members
        if any(names(t, plan) for t in {m.get("dataset_title"), *(m.get("dataset_titles") or {}).values()} if t)
    ]


def searched_plan() -> QueryPlan | None:
    """The plan of the request's words, made once a request (None without words)."""
    if "searched_plan" not in g:
        text = request.args.get("q", "")[:MAX_QUERY].strip()
        g.searched_plan = search_backend().synonyms.plan(text) if text else None
    plan: QueryPlan | None = g.searched_plan
    return plan


@bp.app_template_global()
def changed_url(**changes: Any) -> str:
    """The current search's URL with some parameters changed (None removes one; the page resets
    unless given): the tabs, rows and pages of a result page (`SearchLinks`)."""
    return search_links().url(**changes)


@bp.app_template_global()
def type_url(kind: str) -> str:
    """Switch between variables, datasets and code lists with the same words and every filter:
    those the other type does not take are set aside there (`url_filters`), not lost."""
    return search_links().url(type=kind)


@bp.app_template_global()
def lang_args(lang: str) -> dict[str, Any]:
    return {
        **(request.view_args or {}),
        **state_args(),
        "lang": lang,
        **({"page": request.args["page"]} if "page" in request.args else {}),
    }


def facet_titles() -> dict[str, str]:
    return translated(
        "facet_titles",
        lambda: {
            "topic": _("Topic"),
            "source": _("Source"),
            "source_kind": _("Kind of source"),
            "health_category": _("Health category"),
            "period": _("Period"),
            "datatype": _("Data type"),
            "access_rights": _("Access"),
            "platform": _("Analysis platform"),
            "used": _("Used in projects"),
        },
    )


def key_titles() -> dict[str, str]:
    """The titles of the filters by key, as their chips say them."""
    return translated(
        "key_titles",
        lambda: {
            "codelist": _("Code list"),
            "dataset": _("Dataset"),
            "group": _("Identical variables"),
            YEAR_FILTER: _("Years with data"),
        },
    )


PROPER_NAMES = frozenset({"source"})
"""Facets whose values are Norwegian proper names (the sources' titles): marked lang="nb" for a
screen reader on an English or nynorsk page, as a source is on every other page, but not noted
" (Norwegian)" (their `value_label` has no language), as a comparison's source row is not."""


def value_label(facet: str, value: str) -> tuple[str, str | None]:
    """A facet value as researchers read it, and its language when not the page's (None)."""
    if facet == "source":
        return source_title(value), None
    if facet == "topic":
        topic = taxonomy().by_id.get(value)
        return (topic.name(current()), None) if topic else (value, None)
    if facet == "period":
        return value.replace("-", "–"), None
    if facet == "platform":  # indexed by `DataService.facet_name`
        title = platform_titles().get(value)
        if title:
            said, lang = pick_lang(title, current())
            return said, None if lang == current() else lang
    found = labels.label(facet, value, current())
    return found.text, found.lang


def platform_titles() -> dict[str, LangText]:
    """The analysis platforms' titles in every language, by the title their facet holds: an English
    page listed "TSD – Tjenester for sensitive data" beside a variable page's "TSD – Services for
    sensitive data". Read once per version of the store (looked at once a request), and only where
    a page shows the facet."""
    here = g.get("platform_titles")
    if here is not None:
        return cast(dict[str, LangText], here)
    kept = current_app.extensions.setdefault("platform_titles", {})
    version = store().version()
    if kept.get("version") != version or "titles" not in kept:
        titles = {}
        for stored in store().records(kind="service"):
            record = stored.record
            if isinstance(record, DataService) and record.title:
                titles[record.facet_name] = record.title
        kept.update(version=version, titles=titles)
    g.platform_titles = kept["titles"]
    return cast(dict[str, LangText], kept["titles"])


@dataclass
class FacetLink:
    label: str
    count: int
    active: bool
    url: str  # the search with this value toggled
    lang: str | None = None  # the label's language when it is not the page's
    shown: Markup = field(default_factory=Markup)  # the label as a page shows it (marked when in `lang`)
    removes: tuple[str, str] | None = None  # a chip's filter and value, which its link removes


@dataclass
class Facet:
    name: str
    title: str
    links: list[FacetLink]
    hidden: int  # values left out until "show all"
    more_url: str | None
    note: Markup = field(default_factory=Markup)  # its values' `group_note` (" (some in Norwegian)")


@dataclass
class SearchView:
    query: SearchQuery
    result: SearchResult
    totals: dict[str, int]  # hits of the same words per result type (the tabs), and "each": ungrouped
    page: int
    pages: int
    chips: list[FacetLink] = field(default_factory=list)  # active filters, each a link that removes it
    facets: list[Facet] = field(default_factory=list)
    estimated: bool = False
    """The total of rows is an estimate (`SearchBackend.rows_estimated_from`): the page says
    "about", and a full last page by the estimate offers the next."""
    estimated_tabs: frozenset[str] = frozenset()
    """The tabs whose count is such an estimate: the variables' groups, seen from any tab."""
    aside: list[FacetLink] = field(default_factory=list)
    """The URL's filters this type does not take (a data type among datasets), each a link that
    removes it: kept for the other tabs, and the page says they are not applied here."""

    @property
    def other_total(self) -> int:
        """Hits among the other of variables and datasets (the API's `other_type_total`)."""
        return self.totals["dataset" if self.query.type == "variable" else "variable"]


def facet_view(q: SearchQuery, result: SearchResult) -> tuple[list[Facet], list[FacetLink]]:
    """Facet values as ready links (built here, not in the template: a page has up to ~50 of them)."""
    titles, expanded, links_to, locale = facet_titles(), request.args.get("more"), search_links(), current()
    facets = []
    for name in FACETS:
        chosen = q.filters.get(name, [])
        buckets = result.facets.get(name, [])
        every = expanded == name or name in CHRONOLOGICAL
        if name in CHRONOLOGICAL:
            buckets = sorted(buckets)
        shown = [(v, n) for i, (v, n) in enumerate(buckets) if every or i < FACET_SHOWN or v in chosen]
        links = []
        for v, n in shown:
            shown_as, lang = value_label(name, v)
            links.append(
                FacetLink(
                    shown_as,
                    n,
                    v in chosen,
                    links_to.toggled(name, v, v in chosen),
                    lang,
                    in_language(shown_as, "nb" if name in PROPER_NAMES else lang, locale),
                )
            )
        if links:
            hidden = len(buckets) - len(shown)
            more = links_to.url(more=name) if hidden else None
            note = group_note((link.lang for link in links), locale)
            facets.append(Facet(name, titles[name], links, hidden, more, note))
    return facets, filter_chips(q.filters, result)


def filter_chips(filters: dict[str, list[str]], result: SearchResult) -> list[FacetLink]:
    """Each chosen filter as its chip ("Periode: 2010–2019"), a link that removes it: the facets in
    their order, then the filters by key."""
    links_to = search_links()
    chips = []
    for name in FILTERS:
        for v in filters.get(name, []):
            label = filter_label(name, [v], result)
            url = links_to.toggled(name, v, True)
            if name == YEAR_FILTER and v in links_to.args.get(TYPED_YEARS, ()):  # typed: no longer either
                others = [y for y in links_to.args[YEAR_FILTER] if y != v]
                left = [t for t in links_to.args[TYPED_YEARS] if t != v]
                url = links_to.url(**{YEAR_FILTER: others or None, TYPED_YEARS: left or None})
            shown = filter_shown(name, [v], result)
            chips.append(FacetLink(label, 0, True, url, shown=shown, removes=(name, v)))
    return chips


def filter_values(name: str, values: list[str], result: SearchResult) -> tuple[str, list[tuple[str, str | None]]]:
    """A filter's title and its values as a chip says them, each with its language when not the
    page's: a source's name is bokmål (`PROPER_NAMES`), as in the filter it was chosen from."""
    titles = facet_titles()
    if name not in titles:
        return key_titles()[name], [key_label(name, v, result) for v in values]
    said = [value_label(name, v) for v in values]
    return titles[name], [(text, "nb" if name in PROPER_NAMES else lang) for text, lang in said]


def filter_label(name: str, values: list[str], result: SearchResult) -> str:
    """A filter's values as a chip says them: "Periode: 2010–2019", "Kilde: NPR / KPR"."""
    title, said = filter_values(name, values, result)
    return f"{title}: {' / '.join(text for text, _lang in said)}"


def filter_shown(name: str, values: list[str], result: SearchResult) -> Markup:
    """`filter_label` as a page shows it: "Source: <span lang="nb">Medisinsk fødselsregister</span>"
    on an English page, each value marked in its language (WCAG 3.1.2), as the filters mark them."""
    title, said = filter_values(name, values, result)
    locale = current()
    shown = Markup(" / ").join(in_language(text, lang, locale) for text, lang in said)
    return Markup("{}: ").format(title) + shown


def counted(probe: SearchQuery) -> int:
    """How many a counting search finds (`limit=0`), kept with the pages' hits: a page seen again
    (back, another sort) counts it once. What a page offers beside its hits (`loosened`,
    `wider_code`, `each_word`) is counted so."""
    backend, hits_cache = search_backend(), current_app.extensions["hits_cache"]
    generation = backend.generation()
    return int(hits_cache.get(hits_key(probe, generation), partial(backend.search, probe), generation).total)


LOOSENED_MAX = 6
"""Most filters an empty page counts the search without (`loosened`), one search each."""


def loosened(view: SearchView) -> list[tuple[FacetLink, int]]:
    """When the filters leave a search nothing, each filter with what the search finds without it
    (those that find something): "røyking" with the year 1900 said "Ingen treff her; søket fant:
    Kodelister (5)", sending the researcher to code lists rather than to the filter that emptied
    the page. Counted only for an empty first page, once per filter (at most `LOOSENED_MAX`)."""
    q = view.query
    if view.result.hits or q.offset or not q.filters:
        return []
    out = []
    for chip in view.chips[:LOOSENED_MAX]:
        if chip.removes is None:
            continue
        name, value = chip.removes
        left = {f: [v for v in vs if not (f == name and v == value)] for f, vs in q.filters.items()}
        probe = replace(q, filters={f: vs for f, vs in left.items() if vs}, limit=0, facets=(), highlight=False)
        found = counted(probe)
        if found:
            out.append((chip, found))
    # a filter of several values (OR) whose values each leave the others: the whole filter, which
    # "metformin" in the sources npr and kpr never offered (each source alone finds nothing either)
    for name, values in q.filters.items():
        if len(values) < 2 or len(out) >= LOOSENED_MAX:
            continue
        others = {f: vs for f, vs in q.filters.items() if f != name}
        found = counted(replace(q, filters=others, limit=0, facets=(), highlight=False))
        if found:
            label, shown = filter_label(name, values, view.result), filter_shown(name, values, view.result)
            out.append((FacetLink(label, 0, True, search_links().url(**{name: None}), shown=shown), found))
    return out


def key_label(name: str, key: str, result: SearchResult) -> tuple[str, str | None]:
    """What a filter by key shows on its chip: the code list's or dataset's title, a group's label,
    the years ("2012–2015"); with its language when not the page's (None)."""
    locale = current()
    if name == YEAR_FILTER:  # "2012–2015"; open: "fra 2010", "til 1999"
        if key.endswith("-"):
            return _("from %(year)s", year=key[:-1]), None
        return (_("until %(year)s", year=key[1:]) if key.startswith("-") else key.replace("-", "–")), None
    if name == "group":
        doc = next((h.doc for h in result.hits if h.doc.get("group") == key), None)
        if doc is None:
            return key, None
        label, lang = pick_lang(doc.get("labels"), locale)
        return other_than_page(label, lang) if label else (doc.get("label") or doc.get("name") or key, None)
    if name == "dataset":  # its variables found say its title: the store's record need not be read
        doc = next((h.doc for h in result.hits if h.doc.get("dataset_key") == key), None)
        if doc is not None and doc.get("dataset_title"):
            if doc.get("dataset_titles"):
                return other_than_page(*pick_lang(doc["dataset_titles"], locale))
            return other_than_page(doc["dataset_title"], doc.get("dataset_title_lang") or locale)
    title = store().title(key)
    return other_than_page(*pick_lang(title, locale)) if title else (key, None)


def other_than_page(text: str, lang: str) -> tuple[str, str | None]:
    """A text and its language where it is not the page's (or unknown, ""), else None."""
    return text, None if lang in (current(), "") else lang


def counts(
    q: SearchQuery, grouped: bool, aside: dict[str, list[str]] | None = None
) -> tuple[dict[str, list[tuple[str, int]]], dict[str, int]]:
    """Facet counts, each as if its own filter were off (so values combine), and each type's total
    with the filters that apply to it: what its tab opens (variables as groups when `grouped`),
    and under "each" the matches counted one by one (every dataset's and wave's copy). `aside`:
    the URL's filters `q.type` does not take, which the other tabs open with (a data type, seen
    from the datasets), so that each tab counts what it opens.

    They tolerate typos and accept any word exactly when the page's hits did (`q.typos`,
    `q.any_words`), so they count what the page shows, and a typo-tolerant rerun is paid only
    where the hits needed one. Facets count variables, not groups, either way (the search
    contract), so they are counted ungrouped, which also gives "each". One request counts them
    all (`SearchQuery.disjunctive`); only a grouped variables' tab, seen from another tab, and a
    tab taking filters set aside here are counted apart."""
    backend = search_backend()
    base = replace(q, offset=0, limit=0, sort="relevance", highlight=False, group=False)
    counted = backend.search(replace(base, disjunctive=True))
    totals = {"each": counted.total}
    for kind in DOC_TYPES:
        if kind == q.type:
            continue
        tab = tab_count(q, kind, grouped, aside)
        if tab.group or tab.filters != type_filters(kind, q.filters):
            totals[kind] = backend.search(tab).total
        else:
            totals[kind] = counted.totals[kind]
    return counted.facets, totals


def tab_count(q: SearchQuery, kind: str, grouped: bool, aside: dict[str, list[str]] | None) -> SearchQuery:
    """The count-only search of the tab of `kind`, seen from `q`'s page: its filters (`aside`:
    those of the URL `q.type` does not take) and, for the variables' tab, its groups (`grouped`)."""
    return replace(
        q,
        type=kind,
        offset=0,
        limit=0,
        facets=(),
        highlight=False,
        sort="relevance",
        group=grouped and kind == "variable",
        filters=type_filters(kind, {**q.filters, **(aside or {})}),
    )


def as_opened(
    q: SearchQuery, as_typed: SearchQuery, totals: dict[str, int], grouped: bool, aside: dict[str, list[str]]
) -> dict[str, int]:
    """The other tabs' counts, where the open tab searched otherwise than as typed, as a click on
    each finds: a tab searches the words on its own, as typed first (`results`), while `counts`
    counted every tab the way the open one had searched. "smoking pregnancy" opened on its
    datasets found none with both words and listed 13 with either; its tabs said "Variables 180"
    (either word) and opened the 9 with both. A tab that finds nothing as typed keeps the count of
    the open tab's way, as its page would search otherwise too. (A tab counted 0 beside a page
    searched as typed opens what some of the words find, and its page says so: counting that
    beforehand is four searches more a page, every page with such a tab.)"""
    backend, out = search_backend(), dict(totals)
    for kind in DOC_TYPES:
        if kind != q.type:
            out[kind] = backend.search(tab_count(as_typed, kind, grouped, aside)).total or totals[kind]
    return out


def search_view(
    q: SearchQuery, grouped: bool = False, links: bool = True, aside: dict[str, list[str]] | None = None
) -> SearchView:
    """A result page: its hits, facet counts and tabs; `grouped` says whether the variables' tab
    shows groups of identical variables (when another tab is open, for its count). `links`: make
    the facets' and chips' links and labels (a page shows them; the API gives the counts alone).
    `aside`: filters of the URL that `q.type` does not take (`set_aside`), counted in the tabs
    that take them and shown as set aside."""
    backend, caches = search_backend(), current_app.extensions
    hits_cache, facet_cache = caches["hits_cache"], caches["facet_cache"]
    generation = backend.generation()
    grouped = q.group if q.type == "variable" else grouped
    aside = aside or {}
    aside_key = tuple(sorted((f, tuple(sorted(v))) for f, v in aside.items()))

    def counts_key(of: SearchQuery) -> tuple[Hashable, ...]:
        return (*query_key(of, generation), grouped, aside_key)

    key = hits_key(q, generation)
    hits = hits_cache.lookup(key)
    as_typed = replace(q, typos=0 if q.typos is None else q.typos, any_words=bool(q.any_words), parts=bool(q.parts))
    if hits is None and q.type == "variable" and not facet_cache.contains(counts_key(as_typed)):
        # A new search (not another page or sort of one): its page and its counts in one request,
        # which a backend can answer walking the words' matches once for every count
        both = backend.search(replace(q, disjunctive=True))
        hits = replace(both, facets={}, totals={})
        hits_cache.put(key, hits, generation)
        counted = replace(q, typos=hits.typos, any_words=hits.any_words, parts=bool(hits.split_words))
        facets, totals = both.facets, {"each": both.totals[q.type]}
        totals.update((kind, n) for kind, n in both.totals.items() if kind != q.type)
        facet_cache.put(counts_key(counted), (facets, totals), generation, missed=True)
    else:
        if hits is None:
            hits = backend.search(replace(q, facets=()))
            hits_cache.put(key, hits, generation)
        counted = replace(q, typos=hits.typos, any_words=hits.any_words, parts=bool(hits.split_words))
        facets, totals = facet_cache.get(counts_key(counted), lambda: counts(counted, grouped, aside), generation)
    if counted != as_typed:
        totals = facet_cache.get(
            ("opened", *counts_key(counted)), lambda: as_opened(q, as_typed, totals, grouped, aside), generation
        )
    result = replace(hits, facets=facets)
    facets, chips = facet_view(q, result) if links else ([], [])
    page, last = q.offset // q.limit + 1, MAX_OFFSET // q.limit
    pages = max(1, min(-(-result.total // q.limit), last))
    sketch = backend.rows_estimated_from
    estimated = result.grouped and sketch is not None and result.total >= sketch
    totals = {**totals, q.type: result.total}
    estimated_tabs = frozenset(
        {"variable"} if grouped and sketch is not None and totals.get("variable", 0) >= sketch else ()
    )
    if estimated and result.hits and page < last:
        # an estimate a little under the rows hid the last ones (1,626 of 1,658 groups: 18 rows):
        # a page with rows is one of the pages, and a full one may have a next
        pages = max(pages, page + 1 if len(result.hits) == q.limit else page)
    elif estimated and not result.hits and q.offset:
        # past the rows: the page says which is the last, and a page with rows is never past it
        pages = max(1, -(-rows_before(q, result.total) // q.limit))
    set_aside_chips = filter_chips(aside, result) if links else []
    return SearchView(q, result, totals, page, pages, chips, facets, estimated, estimated_tabs, set_aside_chips)


def rows_before(q: SearchQuery, estimate: int) -> int:
    """The rows of a grouped search before `q.offset`, whose page came back empty: its total is an
    estimate (`SearchView.estimated`), off by a few in a thousand either way, so the rows are read
    in windows around it (one search, for such an estimate) until their end is found. Asked only
    by a page past the last, to name the last page: the estimate's (82) was before one with rows
    (83, of 1,658 rows estimated as 1,639)."""
    backend = search_backend()
    window = max(q.limit, estimate // 50)
    floor = 0  # the rows are at least this many
    start = max(0, min(estimate, q.offset) - window)
    while True:
        end = min(q.offset, start + 2 * window)
        found = len(backend.search(replace(q, offset=start, limit=end - start, facets=(), highlight=False)).hits)
        if not found and start > floor:  # the rows end before the window
            start = max(floor, start - 2 * window)
        elif found < end - start or end == q.offset:
            return start + found
        else:  # the window is full: the rows go on past it
            floor = start = end


def set_aside(kind: str) -> dict[str, list[str]]:
    """The URL's filters that `kind` does not take: kept in its tab's links, not searched with."""
    return {f: v for f, v in url_filters().items() if f not in TYPE_FILTERS[kind]}


TYPED_YEARS = "typed"
"""The URL parameter naming the years of the `year` filter that were typed among the words
(`SearchQuery.typed_years`: a dataset without years whose title holds the year passes them too);
the redirect of `typed_years` sets it, a year chosen from the filter's field is not in it, and a
year's chip removes the year from both."""


def typed_years() -> dict[str, Any] | None:
    """The page's URL parameters with the years typed among the words moved into the `year`
    filter ("?q=fødsler 2010" -> "?q=fødsler&year=2010"), and several years in one parameter
    (the filters' field: "2010, 2020-") one a parameter; None when the URL is so already. The
    page then shows each year as a filter, with its chip to remove it (a chip's link removes its
    parameter: of "year=2010, 2020-" it removed neither), and its links keep them."""
    words, typed = read_years(request.args.get("q", ""))
    given = request.args.getlist(YEAR_FILTER)
    years = listed([*given, *typed])
    if not typed and years == given:
        return None
    lang = {"lang": request.args["lang"]} if "lang" in request.args else {}
    text = {"q": words or None} if typed else {}
    marked = {TYPED_YEARS: listed([*request.args.getlist(TYPED_YEARS), *typed])} if typed else {}
    return state_args(**text, **{YEAR_FILTER: years}, **marked, **lang)


@bp.get("/search")
def search() -> Any:
    moved = typed_years()
    if moved is not None:
        return redirect(url_for("explorer.search", **moved))
    grouped = wants_groups(default=True)
    q = query_from_args(grouped)
    view = search_view(q, grouped, aside=set_aside(q.type))
    return render_template(
        "search.html",
        view=view,
        q=view.query,
        result=view.result,
        basket=set(basket_keys()),
        shortened=shortened(),
        max_query=MAX_QUERY,
        wider=wider_code(view.query, view.result),
        named=named_source(view.query, view.result),
        each_word=each_word(view.query, view.result),
        loosened=loosened(view),
        wrong_years=[v for v in listed(request.args.getlist(YEAR_FILTER)) if span(v) is None],
        export_max=EXPORT_MAX,
    )


EXPORT_MAX = 2000
"""Most rows a search's export holds (`search_export`): the first this many, by the page's order;
a selection to apply with goes through the basket (at most `web.basket.MAX`)."""
EXPORT_FORMATS = ("csv", "xlsx")


@bp.get("/search/export.<fmt>")
def search_export(fmt: str) -> Response:
    """A search's variables as the basket exports them (`web.basket.export`: one row per variable
    with its dataset, period, codes and where to apply), or with `type=dataset` its datasets
    (`dataset_sheet`), in CSV or Excel: what the page lists, not only its first page. Researchers
    of peer catalogues ask for it (Mica's "download button for the list", MOLGENIS "download
    filtered searches as a .csv file"). Every row and the workbook's "selection" sheet say what
    was searched (`Searched`), so that the list can be reproduced and cited."""
    if fmt not in EXPORT_FORMATS:
        abort(404, f"Unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}.")
    asked = query_from_args()
    kind = "dataset" if asked.type == "dataset" else "variable"
    codes = typed_codes(asked.text)
    q = replace(
        asked,
        type=kind,
        filters=type_filters(kind, asked.filters),
        group=False,
        offset=0,
        limit=EXPORT_MAX,
        facets=(),
        highlight=kind == "dataset" and bool(codes),  # a dataset's codes found (`Hit.matched_codes`)
    )
    result = search_backend().search(q)
    about = searched(q, result, codes)
    if kind == "dataset":
        title, (names, body) = _("datasets"), dataset_sheet(result.hits)
        lines = about.lines()
    else:
        sel = selection([hit.key for hit in result.hits])
        title, (names, body) = _("variables"), sheet_rows(sel)
        # no link holds more than a basket's variables: a search's of 2,000 answered 404
        resolves = keys_from_token(sel.token) is not None
        lines = about.lines() + ([(_("Link to this selection"), request_uri(sel))] if resolves else [])
    extra = about.columns()
    names += [heading for heading, _value in extra]
    body = [[*row, *(as_cell(value) for _heading, value in extra)] for row in body]
    data = csv_file(names, body) if fmt == "csv" else xlsx_file(title, names, body, lines)
    response = Response(data, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{title}.{fmt}"'
    return response


@dataclass(frozen=True)
class Searched:
    """What a search's export records of the search: its words, its filters as their chips say
    them, the codes it names and how each was searched (a code no list holds as the code it falls
    under, `SearchResult.broader_codes`; a range as its categories), what else the search did to
    find anything, how many rows of how many, its link and when. A researcher's exported list is
    cited in an application for access; the files said none of it."""

    text: str
    filters: str
    codes: str
    notes: list[str]
    rows: int
    total: int
    link: str

    def columns(self) -> list[tuple[str, str]]:
        """What each row of the file carries of the search (a CSV has no other place for it)."""
        return [
            (_("Search"), self.text),
            (_("Filters"), self.filters),
            (_("Codes in the search"), self.codes),
            (_("Link to the search"), self.link),
        ]

    def lines(self) -> list[tuple[str, str]]:
        """The workbook's "selection" sheet: the search, line by line."""
        found = (
            str(self.total)
            if self.rows >= self.total
            else _("the first %(num)s of %(all)s", num=self.rows, all=self.total)
        )
        return [
            (_("Search"), self.text),
            (_("Filters"), self.filters),
            (_("Codes in the search"), self.codes),
            *((_("Note"), note) for note in self.notes),
            (_("Hits"), found),
            (_("Link to the search"), self.link),
            (_("Exported"), datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")),
        ]


def searched(q: SearchQuery, result: SearchResult, codes: tuple[tuple[str, tuple[str, ...]], ...]) -> Searched:
    """`Searched` of an export's search (`q`, its `result`, the `codes` its text names)."""
    broadened = {typed.upper(): parent for typed, parent in result.broader_codes}
    said = []
    for typed, stands_for in codes:
        if typed.upper() in broadened:
            said.append(_("%(code)s (searched as %(broader)s)", code=typed, broader=broadened[typed.upper()]))
        else:
            said.append(typed if stands_for == (typed,) else f"{typed} ({', '.join(stands_for)})")
    notes = [
        _("No code list holds the code %(code)s; these hold %(broader)s, the code it falls under.", code=c, broader=p)
        for c, p in result.broader_codes
    ]
    if result.typos:
        notes.append(_("Nothing matched as typed; these match similar spellings."))
    if result.any_words:
        notes.append(_("Nothing matched all the words; these match some of them."))
    notes += [
        _("No hit for “%(word)s” as written; these match what it is made of: “%(parts)s”.", word=word, parts=parts)
        for word, parts in result.split_words
    ]
    if result.synonyms:
        also = "; ".join(_("“%(words)s” as %(also)s", words=w, also=", ".join(a)) for w, a in result.synonyms)
        notes.append(f"{_('Also searched as synonyms:')} {also}")
    if result.related:
        also = "; ".join(_("“%(words)s”: %(also)s", words=w, also=", ".join(a)) for w, a in result.related)
        notes.append(f"{_('Also searched for related terms in names and labels:')} {also}")
    args = state_args(type="dataset" if q.type == "dataset" else None)
    link = settings_base() + url_for("explorer.search") + (f"?{urlencode(args, doseq=True)}" if args else "")
    filters = [filter_label(name, q.filters[name], result) for name in FILTERS if q.filters.get(name)]
    return Searched(q.text, "; ".join(filters), "; ".join(said), notes, len(result.hits), result.total, link)


def settings_base() -> str:
    """The catalogue's public address (`base_uri`), as links to its pages in files are made."""
    return str(current_app.config["SETTINGS"].base_uri).rstrip("/")


DATASET_COLUMNS = (
    "dataset",
    "source",
    "publisher",
    "period",
    "variables",
    "codes",
    "access",
    "access_route",
    "dataset_id",
    "page",
    "dataset_uri",
)


def dataset_sheet(hits: list[Hit]) -> tuple[list[str], list[list[Any]]]:
    """Headings and one row per dataset found: its title, source, publisher, period, number of
    variables, the codes of its variables' lists the search asked for (at most
    `MAX_MATCHED_CODES`, "…" when there may be more; or the category a classification it
    publishes no codes of may hold), access and where to apply, its id, page and URI. All from
    the search's documents: no record is read."""
    lang, base = current(), settings_base()
    names = {
        **headings(),
        "publisher": _("Publisher"),
        "variables": _("Number of variables"),
        "codes": _("Codes found in its variables"),
        "access": facet_titles()["access_rights"],
        "page": _("Page in the catalogue"),
    }
    body = []
    for hit in hits:
        doc = hit.doc
        found = "; ".join(f"{code}={label}" for code, label in hit.matched_codes)
        if len(hit.matched_codes) >= MAX_MATCHED_CODES:
            found += " …"
        elif hit.may_hold and not found:
            system = pick(hit.may_hold_list, lang) or hit.may_hold_in or ""
            found = _(
                "One of its variables is coded in %(system)s, whose codes are not published with it: "
                "it may hold %(code)s.",
                system=system,
                code=hit.may_hold,
            )
        row = {
            "dataset": pick(doc.get("labels"), lang) or doc.get("label") or "",
            "source": source_title(doc.get("source") or ""),
            "publisher": doc.get("publisher") or "",
            "period": period(doc.get("period_start"), doc.get("period_end")),
            "variables": doc.get("variable_count") or 0,
            "codes": found,
            "access": value_label("access_rights", doc["access_rights"])[0] if doc.get("access_rights") else "",
            "access_route": route_of(doc.get("source") or "").name(lang),
            "dataset_id": hit.key,
            "page": base + record_url("explorer.dataset", hit.key),
            "dataset_uri": doc.get("uri") or "",
        }
        body.append([as_cell(row[c]) for c in DATASET_COLUMNS])
    return [names[c] for c in DATASET_COLUMNS], body


WIDER_TRIED = 3
"""Codes a code falls under that `wider_code` counts, nearest first ("A10BA02": A10BA0, A10BA, A10B)."""


@dataclass(frozen=True)
class WiderCode:
    code: str
    broader: str
    total: int


class NamedSource(NamedTuple):
    typed: str
    source: str
    title: str
    hits: int


@lru_cache(maxsize=1024)
def source_names(name: str, title: str) -> frozenset[str]:
    """What a researcher may type for a source: its key ("npr"), its title ("Reseptregisteret
    (NorPD)"), and the title's parts before and within brackets ("Reseptregisteret", "NorPD"),
    folded as a search folds them."""
    names = {name, title}
    bracketed = re.fullmatch(r"(.+?)\s*\((.+)\)", title)
    if bracketed:
        names.update(bracketed.groups())
    return frozenset(fold(n.strip()) for n in names if n.strip())


def named_source(q: SearchQuery, result: SearchResult) -> NamedSource | None:
    """The source a search names, as typed or as one of its synonyms ("NPR", "Norwegian Patient
    Registry"), when no source is chosen yet and it holds some of the hits: the page offers its
    hits alone. "Norsk pasientregister" listed microdata.no's copies of the registry's variables
    first (their labels say its name, the registry's own do not), 38 of 236 hits. Read off the
    page's source counts and the configured sources: no search of its own."""
    if q.filters.get("source") or not q.text.strip() or result.any_words:
        return None
    said = {fold(q.text.strip())}
    said.update(fold(word) for typed, also in result.synonyms for word in (typed, *also))
    counts = dict(result.facets.get("source", []))
    for name, src in current_app.config["SETTINGS"].sources.items():
        if counts.get(name) and said & source_names(name, src.title or name):
            return NamedSource(q.text.strip(), name, src.title or name, counts[name])
    return None


def wider_code(q: SearchQuery, result: SearchResult) -> WiderCode | None:
    """The code a searched code falls under, when the search is that one code, some list holds it,
    and the broader code finds more: "C50.9" finds the Cancer Registry's ICD-O-3 topography lists,
    which hold it, while the ICD-10 variables of the patient and cause of death registries record
    C50, the category; the page offers them with their count. (A code no list holds is searched as
    the code it falls under at once: `SearchResult.broader_codes`.)"""
    words = q.text.split()
    if q.type != "variable" or len(words) != 1 or not result.hits or result.broader_codes or result.typos:
        return None
    if code_range(words[0]):  # "C18-C20" is any of its codes, under none of them
        return None
    if not any(hit.matched_codes for hit in result.hits):
        return None  # found as a word, not as a code of a list: "HUNT4" is a survey wave, not under "HUNT"
    system = found_in(q, result)
    for parent in broader(words[0])[:WIDER_TRIED]:
        within = offered_in(system, parent) if system else None
        text = qualified(within, parent) if within else parent
        probe = replace(q, text=text, offset=0, limit=0, facets=(), highlight=False, typos=0, any_words=False)
        total = counted(probe)
        if total > result.total:
            return WiderCode(words[0], text, total)
    return None


def found_in(q: SearchQuery, result: SearchResult) -> str | None:
    """The one classification whose code lists hold every code the search for a code found, else
    None: the code it falls under is offered in it ("ATC N06" for N06A, which only ATC has), not in
    every classification, where ICD-10's N06 (isolated proteinuria) joined ATC's antidepressants
    and psycholeptics. Read off the page's hits; when more hits follow, one count of the code in
    that classification says whether it holds them all."""
    systems = {hit.matched_in for hit in result.hits if hit.matched_codes}
    system = systems.pop() if len(systems) == 1 else None
    if system is None:
        return None
    if result.total > len(result.hits) or q.offset:
        text = qualified(system, q.text.strip())
        probe = replace(q, text=text, offset=0, limit=0, facets=(), highlight=False, typos=0, any_words=False)
        if counted(probe) != result.total:
            return None
    return system


FEW = 5
"""Rows of a search of several words few enough that the page offers each word alone (`each_word`)."""
EACH_WORD_MAX = 6
"""Most words of a search that `each_word` counts alone (one counting search each); the words past
them are offered without their counts."""


@dataclass(frozen=True)
class OneWord:
    words: str
    total: int | None  # None: past `EACH_WORD_MAX`, offered without its count


def each_word(q: SearchQuery, result: SearchResult) -> list[OneWord]:
    """When no hit matches all the words (`SearchResult.any_words`), each word's own count and
    search: "antibiotika barn" listed the ~600 rows saying "barn" before the prescription
    registry's antibiotics; the demo's page now also offers «antibiotika» (32) and «barn» (286)
    to choose from. A listed phrase counts as one ("blood pressure").

    Also when all the words found `FEW` rows or fewer, where a word alone finds more: "fødselsvekt
    røyking" found MFR's two smoking variables (their dataset's keywords say "fødselsvekt") and
    never offered birth weight itself (the researchers' drill). Not with filters, which narrow a
    search on purpose (and each word would cost a count of its own on every such page).

    Every word is offered, the first `EACH_WORD_MAX` with their counts and the rest without: a
    search of eight words listed six and said nothing of the other two, which a researcher took
    for words that found nothing. Counting them too would cost a walk of each word's postings on
    every such page (tens of thousands at a million variables), for words a long search rarely
    hinges on; a word's link gives its count in one click."""
    few = not result.any_words and 0 < result.total <= FEW and not q.offset and not q.filters
    if not (result.hits and (result.any_words or few)) or result.split_words:
        return []
    units = search_backend().synonyms.plan(q.text).units
    if len(units) < 2:
        return []
    words = [" ".join(unit[0].words) for unit in units]
    totals = [
        counted(replace(q, text=w, offset=0, limit=0, facets=(), highlight=False, any_words=False))
        for w in words[:EACH_WORD_MAX]
    ]
    if few and all(total <= result.total for total in totals):
        return []  # no word counted finds more alone
    uncounted: list[int | None] = [None] * (len(words) - len(totals))
    return [OneWord(w, total) for w, total in zip(words, [*totals, *uncounted], strict=True)]


def shortened() -> bool:
    """Whether the search's text was longer than is searched (`MAX_QUERY`): the page says that only
    its start was searched, where a pasted paragraph was cut without a word."""
    return len(request.args.get("q", "")) > MAX_QUERY


# --- records -------------------------------------------------------------------------------


def _stored(key: str, kind: type) -> StoredRecord:
    stored = store().get_by_key(key)
    if stored is None or not isinstance(stored.record, kind):
        abort(404, f"No record with id {key}.")
    if stored.deleted_at:
        title = getattr(stored.record, "title", None)
        raise _removed(stored, pick(title, current()) if title else key)
    return stored


def _removed(stored: StoredRecord, title: str, uri: str | None = None) -> Removed:
    """`stored` (or its part `uri`) left the catalogue with it."""
    return Removed(title, uri or stored.uri, stored.deleted_at or "", last_seen(stored))


def findings_for(stored: StoredRecord, focus: str | None = None) -> list[dict[str, Any]]:
    """Validation findings of a record, or only those about one of its parts (a variable): those
    alone are decoded (`findings_about`), a dataset's report holding as many as its variables."""
    if focus is not None:
        report = stored.validation_json
        return findings_about(report, focus) if report else []
    found: list[dict[str, Any]] = (stored.validation or {}).get("findings", [])
    return found


@dataclass
class VariableView:
    key: str
    variable: Variable
    dataset: StoredRecord
    codelist: StoredRecord | None
    system: str | None
    equivalents: Equivalents
    grid: Grid | None  # a survey question's source × wave grid
    related: list[Hit]  # similar but not equivalent
    findings: list[dict[str, Any]]
    history: list[dict[str, Any]]
    route: Route
    topics: list[Topic]
    counts: Any = None  # the published view of its counts (catalog.disclosure.PublishedTable), if any
    frequencies: list[distribution.Frequency] = field(default_factory=list)
    services: list[StoredRecord] = field(default_factory=list)  # where its dataset can be analysed
    searched: bool = True  # False: made while the search cluster could not serve, without what it finds

    @property
    def coding_change(self) -> CodingChange | None:
        d, v = self.dataset.dataset(), self.variable
        codelist = self.codelist.codelist() if self.codelist else None
        return coding_change(year(v.valid_from) or year(d.temporal_start), codelist, self.system)


ICD10_IN_NORWAY = 1996
"""The first year Norwegian registries coded in ICD-10 (the Cause of Death Registry; the patient
registries followed in 1999): data from before it were coded in ICD-9 or ICD-8."""


class CodingChange(NamedTuple):
    """A variable's data begin before its code list's validity: older data may be coded otherwise."""

    codes_from: int
    data_from: int
    older_icd: bool  # the list is ICD-10 and the data begin before Norway used it: name ICD-9/ICD-8


def coding_change(data_from: int | None, codelist: CodeList | None, system: str | None) -> CodingChange | None:
    """Whether a variable with data from `data_from` uses a code list valid only from a later year:
    its start of validity, else a version named by a year ("2024")."""
    if data_from is None or codelist is None:
        return None
    codes_from = year(codelist.valid_from)
    if codes_from is None and codelist.version and re.fullmatch(r"(19|20)\d\d", codelist.version.strip()):
        codes_from = int(codelist.version.strip())
    if codes_from is None or codes_from <= data_from:
        return None
    icd10 = (system or "").replace(" ", "").upper() == "ICD-10"
    return CodingChange(codes_from, data_from, icd10 and data_from < ICD10_IN_NORWAY)


def topics_of(record: Any, v: Variable | None = None) -> list[Topic]:
    """The topics of a dataset, or of one of its variables (as the index assigns them)."""
    if not isinstance(record, Dataset):
        return []
    ids = taxonomy().of_dataset(record)
    return [taxonomy().by_id[t] for t in (taxonomy().of_variable(v, ids) if v else ids)]


def related_hits(key: str, v: Variable, skip: set[str]) -> list[Hit]:
    """Variables like this one that are not the same question: a search on its label and name,
    one row per group of identical variables (as the search page shows them), each saying the
    words itself: in its label, name or description, or its code list's codes (the search's
    highlights and matched codes). A search also finds a variable by its dataset's title: the
    demo's "Fødselsvekt" listed Kjønn, Løpenummer, Start and Stop as similar, whose datasets are
    "Fødsler" and "Medisinsk fødselsregister: fodselsvekt", and each variable once per dataset
    or wave ("Dosenummer, korrigert" three times). A label in another language is not enough:
    "Year of birth" (Fødselsår) has "birth" of the synonym "birth weight" marked."""
    words = " ".join(dict.fromkeys([pick(v.title, "nb") or "", v.name.replace("_", " ")]))
    result = search_backend().search(SearchQuery(text=words, limit=RELATED * 3, facets=(), group=True))
    mine = skip | {key}
    return [
        h
        for h in result.hits
        if (h.matched_codes or not OWN_TEXT.isdisjoint(h.highlights))
        and h.key not in mine
        and mine.isdisjoint(m["key"] for m in h.members)
    ][:RELATED]


OWN_TEXT = frozenset({"label", "name", "description"})
"""The highlighted fields (`catalog.search.analysis.HIGHLIGHT_FIELDS`) that make a variable similar."""


def variable_view(key: str, without_search: bool = False) -> VariableView:
    """The variable with what the store and the index say of it. `without_search`: while the
    search cluster cannot serve, the store's part alone (`searched` False) rather than 503: a
    dataset's page, which needs no search, links each of its variables."""
    stored = store().dataset_with_variable(key)  # its dataset's other variables unread
    v = stored.dataset().variables[0] if stored else None
    if v is None or stored is None:
        abort(404, f"No variable with id {key}.")
    if stored.deleted_at:  # its dataset left the catalogue
        raise _removed(stored, pick(v.title, current()) or v.name, v.uri)
    codelist = store().get(v.codelist) if v.codelist else None
    if codelist is not None and (codelist.deleted_at or not isinstance(codelist.record, CodeList)):
        codelist = None
    system = coding_system(v, codelist.codelist() if codelist else None)
    src = current_app.config["SETTINGS"].sources.get(stored.source)
    searched = True
    try:
        found = equivalents(key, v, stored.source)
        grid = wave_grid(key, stored.source, stored.key, found) if src and src.category == "survey" else None
        # an identifier's similar variables are other sources' identifiers: not the same, nor like it
        related = [] if found.identifier else related_hits(key, v, {h.key for h in found.all})
    except SearchUnavailable as exc:
        if not without_search:
            raise
        log_outage("search", exc)
        found, grid, related, searched = Equivalents(), None, [], False
    table = distribution.published_table(stored.uri, v.uri)  # its dataset's other tables unread
    from web.marketplace import offers_for

    return VariableView(
        key,
        v,
        stored,
        codelist,
        system,
        found,
        grid,
        related,
        findings_in_format(findings_for(stored, v.uri), stored.dataset(), src, kit_feed(store(), src)),
        store().history(stored.uri),
        routes().for_source(stored.source, src),
        topics_of(stored.record, v),
        table,
        distribution.frequencies(table, codelist.codelist() if codelist else None),
        offers_for(stored)[0],
        searched,
    )


def variable_timeline(view: VariableView) -> Any:
    """The years the data cover: this variable, its dataset, the question's other waves, its codes.
    (When the catalogue harvested them is provenance, shown under "for publishers".)"""
    d, v = view.dataset.dataset(), view.variable
    periods = [
        charts.Period(
            _("This variable"),
            year(v.valid_from) or year(d.temporal_start),
            year(v.valid_to) or year(d.temporal_end),
            "variable",
        ),
        charts.Period(_("Dataset"), year(d.temporal_start), year(d.temporal_end), "dataset"),
    ]
    periods += [
        charts.Period(
            pick(h.doc.get("dataset_titles"), current()) or h.doc.get("dataset_title") or h.doc.get("name") or "",
            h.doc.get("period_start"),
            h.doc.get("period_end"),
            "wave",
        )
        for h in view.equivalents.same_source[:12]
        if h.doc.get("period_start") or h.doc.get("period_end")
    ]
    if view.codelist:
        cl = view.codelist.codelist()
        periods.append(charts.Period(_("Code list"), year(cl.valid_from), year(cl.valid_to), "codelist"))
        periods += [
            charts.Period(_("Code %(code)s", code=c.code), year(c.valid_from), year(c.valid_to), "code")
            for c in cl.concepts
            if c.valid_from or c.valid_to
        ][:12]
    periods = [p for p in periods if p.start or p.end]
    return charts.timeline(_("Years covered by %(name)s", name=v.name), periods, [], date.today().year)


@bp.get("/variables/<key>")
def variable(key: str) -> str:
    view = variable_view(key, without_search=True)
    return render_template(
        "variable.html",
        view=view,
        v=view.variable,
        stored=view.dataset,
        d=view.dataset.record,
        chart=variable_timeline(view),
        distribution=distribution.chart(view.variable.name, view.frequencies, current()),
        code_url=code_url,
        basket=set(basket_keys()),
    )


def quality_labels() -> dict[str, str]:
    """Names of the quality score's parts and ratings in the UI language."""
    return {
        "total": _("Total"),
        "findability": _("Findability"),
        "accessibility": _("Accessibility"),
        "interoperability": _("Interoperability"),
        "reusability": _("Reusability"),
        "contextuality": _("Contextuality"),
        "variables": _("Variables"),
        "excellent": _("Excellent"),
        "good": _("Good"),
        "sufficient": _("Sufficient"),
        "bad": _("Bad"),
    }


@dataclass
class VariablePage:
    """The part of a dataset's variables its page lists: page `number` of `pages`."""

    variables: list[Variable]
    number: int
    pages: int
    total: int
    first: int  # the position of its first variable, from 1

    @property
    def last(self) -> int:
        return self.first + len(self.variables) - 1


def variable_page(variables: list[Variable], asked: str | None, size: int = VARIABLES_SHOWN) -> VariablePage:
    """The page `asked` (the URL's `page`) of `variables`, forgiving as the search's pages are: a
    page that is none gives the nearest that is."""
    pages = max(1, -(-len(variables) // size))
    try:
        number = max(1, min(int(asked or 1), pages))
    except ValueError:
        number = 1
    start = (number - 1) * size
    return VariablePage(variables[start : start + size], number, pages, len(variables), start + 1)


FINDINGS_SHOWN = 200
"""Validation findings a record's page lists: a dataset of 100,000 variables without a label or
description has 300,000, which made 50 MB of its page. Its API answer has every one, and each
variable's page its own."""


def findings_shown(findings: list[dict[str, Any]], uri: str) -> list[dict[str, Any]]:
    """The findings a page lists, as many as FINDINGS_SHOWN: all in their order when as many or fewer,
    else those about the record itself first (those of its variables would hide them)."""
    if len(findings) <= FINDINGS_SHOWN:
        return findings
    return sorted(findings, key=lambda f: f.get("focus") != uri)[:FINDINGS_SHOWN]


@dataclass
class DatasetView:
    key: str
    stored: StoredRecord
    findings: list[dict[str, Any]]
    quality: QualityScore
    history: list[dict[str, Any]]
    published: Dataset  # as the EHDS feed publishes it: the source's record, completed by the operator
    readiness: DatasetReadiness  # whether it reaches the EHDS feed; who supplied or must supply what
    route: Route
    topics: list[Topic]
    services: list[StoredRecord] = field(default_factory=list)  # platforms and analysis services serving it
    products: list[StoredRecord] = field(default_factory=list)  # data products made from it
    label: Label | None = None  # its quality and utility label (EHDS Art. 78), once assessed
    uses: list[DataUse] = field(default_factory=list)  # the data permits that name it (EHDS Art. 58)
    missing: list[str] = field(default_factory=list)  # the EHDS minimum elements it lacks (CURIEs)

    def origin(self, name: str) -> Completed | None:
        """Who supplied the field `name` of the published view, when not its source."""
        return next((c for c in self.readiness.completed if c.field == name or c.field.startswith(name + ".")), None)


def dataset_view(key: str) -> DatasetView:
    from web.marketplace import offers_for

    stored = _stored(key, Dataset)
    settings = current_app.config["SETTINGS"]
    src = settings.sources.get(stored.source)
    published = profiles.ehds().published(stored.record, settings, src).record
    assert isinstance(published, Dataset)
    services, products = offers_for(stored)
    return DatasetView(
        key,
        stored,
        findings_for(stored),
        quality_of(stored),
        store().history(stored.uri),
        published,
        assess(stored, settings, kit_feed(store(), src)),
        routes().for_source(stored.source, src),
        topics_of(stored.record),
        services,
        products,
        label_of(store(), stored.uri),
        register(store(), stored.uri),
        minimum.missing(published),
    )


@bp.get("/datasets/<key>")
def dataset(key: str) -> str:
    from web.label import label_chart

    view = dataset_view(key)
    return render_template(
        "dataset.html",
        view=view,
        stored=view.stored,
        d=view.published,
        basket=set(basket_keys()),
        quality_chart=score_chart(_("Metadata quality score by dimension"), view.quality, quality_labels()),
        labels=quality_labels(),
        label_chart=label_chart(view.label) if view.label else None,
        varpage=variable_page(view.published.variables, request.args.get("page")),
        findings=findings_in_format(
            findings_shown(view.findings, view.stored.uri),
            view.published,
            current_app.config["SETTINGS"].sources.get(view.stored.source),
            view.readiness.kit,
        ),
    )


@bp.get("/codelists/<key>")
def codelist(key: str) -> str:
    stored = _stored(key, CodeList)
    system = coding_system(None, stored.codelist())
    using: SearchResult | None = None  # None: the search cluster cannot serve; the codes are the store's
    try:
        using = variables_using(search_backend(), key, limit=USING_SHOWN)
    except SearchUnavailable as exc:
        log_outage("search", exc)
    return render_template(
        "codelist.html",
        stored=stored,
        cl=stored.record,
        system=system,
        code_url=code_url,
        using=using,
        findings=findings_for(stored),
    )
