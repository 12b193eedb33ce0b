"""One search interface, several backends.

A backend indexes flat documents (`catalog.search.documents`) derived from the store and answers
`SearchQuery` with a `SearchResult`. The index is always rebuildable from the store
(`catalog reindex`), so a backend may drop and rebuild at will. Every backend passes the same
contract suite (`tests/test_search_contract.py`); a backend's known gap is marked there with its
reason, never hidden.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeAlias

if TYPE_CHECKING:
    from catalog.config import Settings
    from catalog.search.analysis import Synonyms

FACETS = (
    "topic",
    "source",
    "source_kind",
    "health_category",
    "period",
    "datatype",
    "access_rights",
    "platform",
    "used",
)
"""Facets every backend counts, in display order ("used": in how many projects of the data use
register, as `USED_BANDS`)."""
SORTS = ("relevance", "name", "uses")
"""Orders every backend offers ("uses": the most used datasets first, then by name)."""

FILTERS = (*FACETS, "codelist", "dataset", "group", "year")
"""What a query may filter on: the facets, the variables of one code list, dataset or group
(identical variables of one source, `catalog.search.documents.group_key`), each by its key, and
the years the data cover (`catalog.search.years`: "2010", "2012-2015")."""

DOC_TYPES = ("variable", "dataset", "codelist")

TYPE_FILTERS = {
    "variable": FILTERS,
    "dataset": tuple(f for f in FILTERS if f not in ("datatype", "codelist", "group")),
    "codelist": ("source", "source_kind"),
}
"""The filters that apply to each result type: datasets have no data type, code lists only a
source (and no years). A tab's count, and the search it opens, keep only these of a query's
filters."""


def type_filters(kind: str, filters: dict[str, list[str]]) -> dict[str, list[str]]:
    return {f: v for f, v in filters.items() if f in TYPE_FILTERS[kind]}


class BadQuery(ValueError):
    """The query cannot be understood; the message is safe to show to the user."""


class QueryTooComplex(BadQuery):
    """Too many clauses for one search, past Lucene's clause limit that both backends keep: the
    query was understood, it is too long; the page says so in the reader's language and keeps the
    words in the search box to shorten. Too many words are not: the first that fit are searched
    (`SearchResult.left_out`); this is a first word alone too big (a long range of codes) or a
    cluster whose own limit is lower."""


class SearchUnavailable(RuntimeError):
    """The search backend cannot be reached or will not serve: a cluster that is down, starting,
    or refusing the catalogue's credentials or protocol. Not the query's fault: searching answers
    503 meanwhile, a harvest's runs fail and are indexed again next time, and /readyz says why.
    The message names the backend and what to check (it is logged, never shown to the public)."""


class IndexMissing(SearchUnavailable):
    """The index is not there: its folder removed, a shared folder unmounted, deleted from the
    cluster or a new cluster. Searching answers 503 as for any `SearchUnavailable`; the scheduler,
    which writes, rebuilds it from the store at its next tick (`Scheduler`)."""


class StaleIndex(RuntimeError):
    """The index on disk has other fields than this version writes: `catalog reindex` (a rebuild
    from the store) replaces it. Raised by a backend whose index carries its schema (tantivy)."""


@dataclass
class SearchQuery:
    text: str = ""
    type: str = "variable"  # one of DOC_TYPES
    filters: dict[str, list[str]] = field(default_factory=dict)  # FILTERS -> values (OR within, AND across)
    sort: str = "relevance"  # or "name", or "uses"
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = FACETS
    highlight: bool = True
    """Mark the matched words, and say which codes of a hit's code list the query asked for."""
    typos: bool | int | None = None
    """None: tolerate typos only when nothing matches as typed (one edit first, then two), in the
    words that match nothing on their own; False or 0: never; 1 or 2: that many edits; True: two.
    A page that counts beside its hits asks the counts to follow the hits (`SearchResult.typos`)."""
    any_words: bool | None = None
    """None: documents matching any of the words only when none matches all; False: all words;
    True: any. Counts follow hits as for `typos`."""
    parts: bool | None = None
    """None or True: a long word matching nothing as written is searched as what it is made of,
    where that matches (`SearchResult.split_words`); False: never. Counts follow hits as for
    `typos`."""
    group: bool = False
    """One hit per group of identical variables (same source, name, label, type, unit and codes,
    across datasets and waves), with its members; the total then counts groups (rows), while facet
    counts still count variables: a distinct count of groups per facet value cost five times the
    counting itself (tantivy, measured), more than a search may spend."""
    typed_years: tuple[str, ...] = ()
    """The values of the `year` filter that were typed among the words ("innbyggerundersøkelsen
    2015"), not chosen from the filter: a document with no years (no `period_start`) whose name or
    a label holds such a year as a word passes them too (`catalog.search.years.typed_words`). A
    chosen year keeps out every document without years, as before."""
    disjunctive: bool = False
    """Count as a result page does beside its hits: each facet as if its own filter were off (so
    the values of one facet combine with OR, and each chosen value keeps the count it had), and
    the matches of the same words and filters in every result type (`SearchResult.totals`, the
    tabs, each under the filters that apply to it), all with this query's plan (its words, typos and any-word mode). A backend may count
    them all in one pass over the words' matches (tantivy and Elasticsearch do) instead of one
    counting search per chosen facet and per other type."""

    def __post_init__(self) -> None:
        # Composed, as the catalogue's text is: "blodtrykksmåling" typed with a combining ring
        # (a + U+030A, as some keyboards and pasted PDFs give it) was two words, "blodtrykksma" and
        # "ling", and found other things than the same word typed with "å".
        if not self.text.isascii():
            self.text = unicodedata.normalize("NFC", self.text)


@dataclass
class Hit:
    key: str
    score: float
    doc: dict[str, Any]
    highlights: dict[str, str] = field(default_factory=dict)  # field -> HTML-escaped text with <mark>
    matched_codes: list[tuple[str, str]] = field(default_factory=list)
    """(code, label) of the codes in the hit's code list that the query asked for ("C50" ->
    [("C50", "Ondartet svulst i bryst")]), at most a few; only when highlighting."""
    matched_in: str | None = None
    """With `matched_codes` of a variable or code list: the classification of its code list (a
    `catalog.search.codes.SYSTEMS` key), or None for a list of none."""
    may_hold: str | None = None
    """The category the query asked for (as typed) that this variable, coded in a classification
    whose codes it does not publish (`codes.unlisted`), may hold; only when highlighting."""
    may_hold_in: str | None = None
    """With `may_hold`: that classification as the source writes it (a dataset's: the one of its
    variables' that may hold the category)."""
    may_hold_list: dict[str, str] = field(default_factory=dict)
    """With `may_hold`, the title by language of the variable's code list where the catalogue holds
    it without its codes: a page names the classification by it in its own language, rather than
    by the coding system as the variable list writes it."""
    group_size: int = 1
    """In a grouped search: how many variables of the group match (its members)."""
    members: list[dict[str, Any]] = field(default_factory=list)
    """In a grouped search: the matching members, oldest period first, at most `MEMBERS_SHOWN`, as
    {key, dataset_key, dataset_title, period_start, period_end}; all of them are a search away
    (filter `group` = the hit's `doc["group"]`)."""
    period: tuple[int | None, int | None] = (None, None)
    """In a grouped search: the span of the members' periods (first start, last end; None = open)."""


MEMBERS_SHOWN = 20


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    typos: int = 0
    """Edits tolerated to find these (0: none, the words as typed)."""
    any_words: bool = False
    """Whether these match any of the words, because none matched all of them (a page says so)."""
    typo_words: tuple[str, ...] = ()
    """The words whose typos were tolerated."""
    corrected: tuple[str, ...] = ()
    """The synonyms and common names of codes those words were taken for ("hoftebrud" ->
    "hoftebrudd"), as the lists write them; empty when they only matched similar spellings."""
    broader_codes: tuple[tuple[str, str], ...] = ()
    """(code as typed, the code it falls under that was searched instead), when no code list holds
    the code as typed: "I21.0" -> "I21" in a registry recording ICD-10 categories (a page says so)."""
    optional_words: tuple[str, ...] = ()
    """Words typed that say whom the data are about ("kvinner", "children"), beside others: these
    need not hold them, and those that do come first (`QueryPlan.optional`; a page says so)."""
    split_words: tuple[tuple[str, str], ...] = ()
    """(word as typed, what was searched instead), when the word matches nothing as written: its
    two parts where they match together ("kreftdiagnose" -> "kreft diagnose"), else, the last
    resort, either ("metforminsivilstand" -> "metformin sivilstand", with `any_words`) or the
    long one ("fødselsvektdata" -> "fødselsvekt") or the one the catalogue holds
    ("alkoholvaner" -> "alkohol"). A page says so."""
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(a word or phrase as typed, the synonyms also searched for it) for each the synonym list
    expanded (`QueryPlan.synonyms`): a page says so."""
    related: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(a word or phrase as typed, the related terms also searched for it, `QueryPlan.related`):
    "prematur" also as svangerskapslengde, gestasjonsalder, gestational age (a page says so)."""
    grouped: bool = False
    """Hits are groups of identical variables; `total` counts groups, facet counts variables."""
    left_out: tuple[str, ...] = ()
    """The words typed after the first ones that one search can hold (Lucene's clause limit,
    `MAX_CLAUSES`, counted on their plan: about a dozen ordinary words), as typed: not searched,
    the hits are the first words' (a page says so). A pasted list of fourteen words was refused."""
    no_words: bool = False
    """The text holds no letter or digit ("😀", "%", "*"): nothing was searched and nothing
    matches (a page says so), where the whole catalogue was listed as if nothing had been typed."""
    totals: dict[str, int] = field(default_factory=dict)
    """With `SearchQuery.disjunctive`: the matches per result type (`DOC_TYPES`), each under the
    query's filters that apply to it (`TYPE_FILTERS`; the query's own type under all of them),
    variables counted one by one (not as groups)."""


class Encoded(NamedTuple):
    """A complete catalogue document in the form its backend writes it (`SearchBackend.encoder`).

    A harvest makes documents in its prepare processes (`catalog.prepare`) and one process writes
    the index; turning a document into what the index takes (its fields, analysed text, stored
    copy) is most of that process's Python work, so it is done where the document is made and
    only the result crosses. Only documents that need nothing from the store at write time are
    encoded early (`catalog.search.documents.needs_store`)."""

    key: str
    type: str
    body: Any


Document: TypeAlias = dict[str, Any] | Encoded
"""What `IndexWriter.upsert` takes: a catalogue document, or one its backend's encoder made."""

Encoder: TypeAlias = Callable[[list[dict[str, Any]]], list[Encoded]]
"""Complete documents -> the same, encoded for one backend; picklable and pure (no connection, no
index), so that any process can run it."""


def document_key(doc: Document) -> str:
    return doc.key if isinstance(doc, Encoded) else doc["key"]


def document_type(doc: Document) -> str | None:
    return doc.type if isinstance(doc, Encoded) else doc.get("type")


class IndexWriter(Protocol):
    """What the pipeline writes documents to: a `SearchBackend`, the pipeline's `IndexBuffer`
    (which gathers writes into large commits) or, in process mode, a worker's relay to the
    calling process (the one process that writes the index)."""

    def upsert(self, docs: Iterable[Document]) -> int:
        """Add or replace documents by `key`; `Encoded` ones must come from the backend's own
        `encoder` (a relay or buffer passes them on as they are)."""

    def delete(self, keys: Iterable[str]) -> None: ...


class SearchBackend(IndexWriter, Protocol):
    name: str
    rows_estimated_from: int | None
    """A grouped total of this many rows or more is an estimate (a distinct count's sketch: a
    page says "about" and offers the next page while its own is full); None: always exact."""
    synonyms: Synonyms
    """The synonyms and common names of codes queries are expanded with (edited lists are followed
    while serving)."""

    def replace_all(self, docs: Iterable[dict[str, Any]]) -> int:
        """Rebuild the whole index from `docs`; searches see the old index until it is done."""

    def stage(self, docs: Iterable[Document]) -> int:
        """Add or replace documents by `key`, as `upsert` does, seen for certain only after the
        next `commit` (`upsert` is `stage` then `commit`). A harvest hands its documents over as
        they come and commits when runs finish: one commit for a large source instead of one for
        every few thousand documents (each a segment to write, and to merge later). Staged
        documents are committed before any other write (`delete`, `replace_all`) and on `close`."""

    def commit(self) -> None:
        """Make what was staged seen; nothing staged: nothing done."""

    def encoder(self) -> Encoder:
        """This backend's encoding of complete documents, to run in another process (`Encoded`);
        `upsert` of its results writes what `upsert` of the documents would."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def scan(self, type: str, filters: dict[str, list[str]], exclude: Collection[str] = ()) -> Iterator[dict[str, Any]]:
        """Every stored document of `type` passing `filters`, but those whose key is in `exclude`,
        in no order and beyond any page window: for the pipeline, which re-indexes the variables
        of a code list that changed (but those it has just written)."""

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Completions for a search box: variable names and labels starting with `prefix`."""

    def count(self) -> int: ...

    def generation(self) -> Hashable:
        """A value that changes whenever what searches see may have changed (for caches)."""

    def close(self) -> None: ...


def variables_using(backend: SearchBackend, codelist_key: str, offset: int = 0, limit: int = 20) -> SearchResult:
    """The variables whose code list is `codelist_key`, grouped, by name: a code list's page."""
    return backend.search(
        SearchQuery(
            type="variable", filters={"codelist": [codelist_key]}, sort="name", offset=offset, limit=limit, group=True
        )
    )


def suggestions(backend: SearchBackend, prefix: str, limit: int = 10) -> list[str]:
    """What a search box offers for `prefix`: the backend's completions, then, where the prefix
    is written in nynorsk, those of its bokmål spelling ("sjukeh": "Behandlende sykehus"), as a
    search finds both (`catalog.search.nynorsk`), then the terms of the synonym and code name
    lists starting with it ("antidep": antidepressiva, antidepressants), which a search knows
    though no label says them (`Synonyms.completions`)."""
    found = backend.suggest(prefix, limit)
    if len(found) < limit:
        spelt = backend.synonyms.in_bokmal(prefix)
        if spelt is not None:
            found += [s for s in backend.suggest(spelt, limit) if s not in found]
    if len(found) < limit:
        said = {s.casefold() for s in found}
        found += [t for t in backend.synonyms.completions(prefix, limit) if t.casefold() not in said]
    return found[:limit]


def type_totals(backend: SearchBackend, query: SearchQuery) -> dict[str, int]:
    """Hits of the same words per result type (variables counted as groups when `query.group`),
    for the tabs of a result page. Only the words count, not the filters: a tab shows what
    opening it first shows."""
    out = {}
    for kind in DOC_TYPES:
        q = SearchQuery(text=query.text, type=kind, limit=0, facets=(), highlight=False, group=query.group)
        out[kind] = backend.search(q).total
    return out


def open_backend(settings: Settings, reading: bool = False) -> SearchBackend:
    """The backend the configuration names; an unknown name is a configuration error.

    `reading`: an explorer's, which makes nothing on a search cluster (the web never writes: a
    misspelt index name there would have been made, empty). The embedded index is the home's own
    folder, made where it is missing by whichever process opens the home first."""
    name = settings.search_backend
    backend: SearchBackend
    if name == "tantivy":
        from catalog.search.tantivy_backend import TantivyBackend

        backend = TantivyBackend(settings.index_dir)
    elif name == "elasticsearch":
        from catalog.search.elasticsearch_backend import ElasticsearchBackend

        backend = ElasticsearchBackend.from_settings(settings, create=not reading)
    else:
        from catalog.config import ConfigError

        raise ConfigError(f"CATALOG_SEARCH_BACKEND={name!r}: choose 'tantivy' or 'elasticsearch'")
    from catalog.search.analysis import SYNONYMS_FILE, Synonyms

    # an operator's copies of the common names of codes and the nynorsk spellings, once there are
    names, nynorsk = settings.home / "code_names.txt", settings.home / "nynorsk.txt"
    if settings.synonyms_file:  # the operator's own file wins
        backend.synonyms = Synonyms(Path(settings.synonyms_file), code_names=names, nynorsk=nynorsk)
    else:  # the list an admin request replaced (`catalog.scheduler`) once there is one, in every process
        backend.synonyms = Synonyms(
            settings.home / "synonyms.txt", fallback=SYNONYMS_FILE, code_names=names, nynorsk=nynorsk
        )
    return backend
