"""The embedded default backend: tantivy (Rust, in-process), index files under the home.

Nothing to install or configure. Chosen by measurement (`python -m bench.bench_search`): at one
million variables a three-term query with six facets, highlighting and a top 20 answers in
milliseconds, an order of magnitude faster than SQLite FTS5 with GROUP BY facets.

Analysis follows `catalog.search.analysis`: one field per label language with its Snowball
stemmer and ASCII folding, compound parts and exact name/code fields; the query plan (synonyms,
stop words) is built in Python and turned into tantivy query objects here, with typo tolerance
through fuzzy term queries on names and labels.

`replace_all` builds a fresh index directory and then switches the `CURRENT` pointer file
atomically, so searches keep using the old index until the new one is complete.

Where the time goes (perf, a million variables): indexing is Python building the fields (one
orjson string per document, parsed by tantivy without the GIL) plus tantivy tokenizing and
recording postings; the stored document is a bytes field (`STORED`). A query is mostly
tantivy walking the per-word unions of fields (label or description ...) for the top 20 and
again, unscored, for the facet counts, one after the other in the calling thread.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import shutil
import threading
import time
from binascii import b2a_base64
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import tantivy

from catalog.lru import remember
from catalog.model import CodeList, Concept, Dataset, Record, Variable
from catalog.search import (
    DOC_TYPES,
    FACETS,
    FILTERS,
    MEMBERS_SHOWN,
    BadQuery,
    Document,
    Encoded,
    Encoder,
    Hit,
    IndexMissing,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    StaleIndex,
    type_filters,
)
from catalog.search.analysis import (
    ALL_IN_LABEL_BOOST,
    ANALYZERS,
    AREA_BOOST,
    CODE_NAMES_SKIP,
    CODE_SCORE,
    COMPOUNDS_FILE,
    EXACT_CODE_BOOST,
    EXACT_NAME_BOOST,
    FIELD_ANALYZER,
    FIELD_BOOSTS,
    FILTER_FIELDS,
    FUZZY_FIELDS,
    KEYWORD_FIELDS,
    LABEL_FIELDS,
    NAMED_SCORE,
    OPTIONAL_SCORE,
    PREFIX_SCORE,
    RELATED_FIELDS,
    UNLISTED_SCORE,
    WRITTEN_SCORE,
    Alternative,
    DatasetFields,
    QueryPlan,
    Synonyms,
    Word,
    decompounder,
    field_typo_edits,
    fold,
    index_fields,
    rank_suggestions,
    shipped_synonyms,
    words,
)
from catalog.search.codes import any_system_terms, code_like, exact_terms, query_terms, unlisted_terms
from catalog.search.documents import (
    DatasetDocuments,
    SourceInfo,
    coded,
    complete,
    documents,
    encoded,
    needs_store,
    stored,
)
from catalog.search.results import (
    SPAN,
    check_page,
    disjunctive,
    facet_counts,
    mark,
    marked_codelists,
    member,
    members_span,
    ordered,
    relaxed,
    span,
)
from catalog.search.years import YEAR_FILTER, YEARLESS, covering, one_pass, typed_words
from catalog.topics import Area

TIE_BREAKER = 0.1
REBUILD_HEAP = 1_000_000_000
"""A rebuild (`replace_all`) writes one segment where it can, with one indexing thread and this
memory budget (tantivy flushes a segment when a thread's budget is full). Every search walks each
segment's postings and looks each of its terms up per segment, so fewer segments answer faster:
at a million variables the all-different search page took 9.2 ms of CPU on one segment against
11.4 ms on the six that two threads of 128 MB each made (`bench.bench_web`, 2026-12-04); the
build took 46-48 s against 43 s, at a peak of 618 MB resident. Larger catalogues get a segment
per ~1.5 M variables."""
REBUILD_THREADS = 1
WRITE_BATCH = 1000
STAGE_HEAP = 64_000_000
"""The memory of a writer kept open for `stage` (a harvest's): about 100,000 of the held-out
feed's variables a segment. Committed when runs finish, a first harvest of 200,000 variables
wrote two segments (104,018 and 97,982 documents) and merged none; committed every 20,000 it wrote
ten and merged eight (1.3 s of a core, the run's writing held up meanwhile), and the last 20,000
were indexed only after the other processes were done. Two indexing threads (32 MB each) wrote
six segments, for no less CPU (2026-12-05)."""
MEMO_SIZE = 10_000
RECHECK = 0.5
"""Seconds between looks at what other processes changed on disk (CURRENT, meta.json, synonyms)."""
REPLACED_GRACE = 60.0
"""Seconds an index a rebuild replaced is kept for the readers still searching it: each looks at
CURRENT again after `RECHECK` seconds, and a search takes far less. Keeping only the one replaced
last, two rebuilds within one `RECHECK` removed the index a reader had open (the store contract's
harvest-and-reindex loop, once under load: "Data corrupted: Failed to open field "suggest"'s
positions in the composite file")."""
_UNBUILT = object()
SORT_FIELDS = frozenset({"name_order", "uses_order"})
"""Keyword fields only sorted by, never looked up by term: a column each and no terms (`SORT_KEY`).
Named `name_sort` and `uses_sort` while their keys were the lower-cased labels: renamed with the
keys made Norwegian alphabetical order (`analysis.sort_key`), so that an index of the old keys has
another schema and is refused (`StaleIndex`, `catalog reindex`) instead of sorting Å before Ø."""
FAST_FIELDS = frozenset({"type", *SORT_FIELDS, *FACETS})
"""Keyword fields read per document while searching (sorting, facet counts); the others are only
looked up by term, and skipping their columns saves indexing time."""
SORT_KEY = "sort_key"
"""The tokenizer of `SORT_FIELDS`: in the index, no terms (`_unindexed`); in their columns, the
whole text (as `raw`, so the order is the same bytewise order as before). Their values are unique
per document, and the terms no search asked for cost 4-6 us of tantivy's CPU a document
(20,200 variables of the held-out feed, 2026-12-05)."""
NUMERIC_FIELDS = {"group_id": "unsigned", "period_start": "integer", "period_end": "integer"}
"""Number columns: the group as a number (read for a page of hits without touching the stored
documents, and counted by the cardinality aggregation), and a group's span of periods."""
EXACT_GROUPS = 500
"""Below this many groups (as estimated) the total is counted exactly: the cardinality aggregation
is a HyperLogLog estimate, off by a few in a thousand (exact up to about a hundred), which a
researcher paging to the end of a short result would see."""
PREFIX_EXPANSIONS = 200
"""Completions of the last word as one types ("fød" -> fødselsvekt, fødselsår, ...): the most
frequent ones in the index (Elasticsearch's `prefix` takes all; more than this are seldom wanted)."""
MAX_COLLAPSE_SCAN = 40_000
"""Most hits read to fill a page of groups (deep pages of big groups stop here)."""
SPARSE = 64
"""A search matching at most one document in this many, as counted before its page is read, has
its optional scoring clauses looked up one by one at each match (`_scored_by`), a denser one as
one union. Measured on 120 searches at a million variables: one by one took 0.3-0.9 of the
union's time up to 13,000 matches, about the same to 17,000, 1.2-2.1 times from 37,000 (and,
nested, eight times for six words matched by any: hundreds of thousands of matches)."""
INDEX_OPTIONS = {"suggest": "position", "affixes": "basic"}
"""Text fields indexed otherwise than with term frequencies: `suggest` is queried by phrase (only
it pays for positions); `affixes` only matches, with a constant score (no frequencies needed)."""
MATCH_FIELDS = {analyzer: f"any_{analyzer}" for analyzer in ANALYZERS}
"""Per analyzer, every text field of that analyzer in one: a word matches a document when its
analyzed term is in one of these, so matching walks one posting list per word and analyzer
instead of a union over thirteen fields. Scoring still uses the fields, each with its boost;
the match fields only decide which documents can score (without frequencies: nothing scores on
them)."""
MATCHED_BY = {
    analyzer: tuple(f for f, a in FIELD_ANALYZER.items() if a == analyzer and f in FIELD_BOOSTS)
    for analyzer in ANALYZERS
}
STORED = "doc"
"""The catalogue document as JSON: stored for the hits, never indexed. A bytes field (base64 in
the JSON tantivy parses): tantivy took 2 us less a document than for the same JSON as unindexed
text, which it tokenized to drop, and Python no longer escapes its quotes in the outer JSON."""


def _analyzer(language: str | None) -> Any:
    """Words are runs of letters and digits (the simple tokenizer: three times faster to index
    than a regex tokenizer); MORS_ALDER is the two words mors + alder, as in Elasticsearch."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
    if language:
        builder = builder.filter(tantivy.Filter.stemmer(language))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


def _unindexed() -> Any:
    """A tokenizer that yields no terms: the whole text is one token, which the length filter drops."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.remove_long(1)).build()


def _schema() -> Any:
    """Term frequencies without positions, except where phrases are queried; keyword fields as
    bare terms (an exact match needs no frequency), with columns only where searches read them,
    and the sort keys as columns alone (`SORT_KEY`)."""
    b = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        tokenizer = SORT_KEY if name in SORT_FIELDS else "raw"
        b.add_text_field(name, stored=False, tokenizer_name=tokenizer, fast=name in FAST_FIELDS, index_option="basic")
    for name, analyzer in FIELD_ANALYZER.items():
        b.add_text_field(name, stored=False, tokenizer_name=analyzer, index_option=INDEX_OPTIONS.get(name, "freq"))
    for analyzer, name in MATCH_FIELDS.items():
        b.add_text_field(name, stored=False, tokenizer_name=analyzer, index_option="basic")
    for name, kind in NUMERIC_FIELDS.items():
        adder = b.add_unsigned_field if kind == "unsigned" else b.add_integer_field
        adder(name, stored=False, indexed=False, fast=True)
    b.add_bytes_field(STORED, stored=True, indexed=False)
    return b.build()


def group_id(doc: dict[str, Any]) -> int:
    """The group key as a number (`documents.group_key` is 16 hex digits); the document's own key
    stands for a document without a group."""
    return _group_id(doc.get("group"), doc["key"])


def _group_id(group: Any, key: str) -> int:
    if group:
        try:
            return int(group, 16)
        except ValueError:
            pass
    return int.from_bytes(key.encode()[-8:].rjust(8, b"\0"), "big")


class TantivyBackend:
    name = "tantivy"
    rows_estimated_from: int | None = EXACT_GROUPS  # its cardinality aggregation has no precision setting

    def __init__(self, root: Path, synonyms: Synonyms | None = None, compounds: Path = COMPOUNDS_FILE):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.synonyms = synonyms or shipped_synonyms()
        self.compounds = compounds
        self.analyzers = {name: _analyzer(language) for name, language in ANALYZERS.items()}
        self.tokenizers = {**self.analyzers, SORT_KEY: _unindexed()}
        self._lock = threading.Lock()
        self._built: dict[tuple[str, Any], Any] = {}  # per-word queries (see _memo)
        self._write_lock = threading.Lock()
        self._index: Any = None
        self._current: str | None = None
        self._fresh_until = 0.0
        self._generation: tuple[float, Synonyms, tuple[Any, ...]] | None = None  # until, for, value
        self._seen: tuple[Any, ...] | None = None  # the index files' state the reader was last brought to
        self._staging: _Staging | None = None  # writes not committed yet (`stage`), holding the write lock
        self._staging_lock = threading.Lock()
        if not (self.root / "CURRENT").exists():
            with self._writing():  # explorers and the scheduler may start together on a new home
                if not (self.root / "CURRENT").exists():
                    self._switch(self._new_dir())

    # -- index lifecycle --------------------------------------------------------------------
    def _new_dir(self) -> str:
        name = f"ix-{time.time_ns()}"
        (self.root / name).mkdir()
        self._open(name, create=True)
        return name

    def _open(self, name: str, create: bool = False) -> Any:
        try:
            index = tantivy.Index(_schema(), path=str(self.root / name), reuse=not create)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
            raise StaleIndex(
                f"the search index {self.root / name} was built by another version of the "
                "catalogue with other fields; rebuild it from the store with `catalog reindex`"
            ) from exc
        for tokenizer, built in self.tokenizers.items():
            index.register_tokenizer(tokenizer, built)
        index.register_fast_field_tokenizer(SORT_KEY, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).build())
        return index

    def _switch(self, name: str) -> None:
        """Point CURRENT at `name`; the indices it replaces are kept `REPLACED_GRACE` seconds for
        the readers still searching them (the time each was replaced: a `.replaced` file beside it)."""
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(name)
        os.replace(tmp, self.root / "CURRENT")
        now = time.time()
        for old in self.root.glob("ix-*"):
            if old.name == name or not old.is_dir():
                continue
            marker = self.root / f"{old.name}.replaced"
            try:
                replaced = marker.stat().st_mtime
            except FileNotFoundError:
                marker.touch()  # replaced now: its readers have their grace from now on
                continue
            if now - replaced > REPLACED_GRACE:
                shutil.rmtree(old, ignore_errors=True)
                marker.unlink(missing_ok=True)

    def index(self) -> Any:
        try:
            try:
                return self._load()
            except ValueError:  # CURRENT named an index a rebuild removed just after we read it
                return self._load()
        except (OSError, ValueError) as exc:
            # the index folder gone or unreadable under a running process (removed by hand, a
            # shared folder unmounted): each search answered 500 with a traceback
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            gone = isinstance(exc, FileNotFoundError) or not (self.root / "CURRENT").exists()
            raise (IndexMissing if gone else SearchUnavailable)(
                f"the search index at {self.root} cannot be read ({reason}): the scheduler rebuilds it "
                "from the store at its next tick, or run `catalog reindex`"
            ) from exc

    def _load(self) -> Any:
        """The current index. What other processes did (a rebuild switching CURRENT) is looked at
        at most every RECHECK seconds: under load every file read is a GIL hand-over, and at
        hundreds of searches a second those dominated the search page (py-spy)."""
        if self._index is not None and time.monotonic() < self._fresh_until:
            return self._index
        current = (self.root / "CURRENT").read_text().strip()
        with self._lock:
            if current != self._current:
                self._index = self._open(current)
                self._current = current
            self._fresh_until = time.monotonic() + RECHECK
            return self._index

    def _expire(self) -> None:
        """After a write of our own, the next search looks again at once."""
        self._fresh_until = 0.0
        self._generation = None

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[None]:
        """tantivy allows one writer per index: serialise writers across threads and processes."""
        self.root.mkdir(parents=True, exist_ok=True)  # a rebuild after the folder was removed
        with self._write_lock, open(self.root / "WRITE.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _documents(self, docs: Iterable[Document]) -> Iterator[tuple[str, str]]:
        """(key, the document as tantivy JSON), made here or already by `encoder`."""
        splitter = decompounder(self.compounds)
        for doc in docs:
            if isinstance(doc, Encoded):
                yield doc.key, doc.body.decode()
            else:
                yield doc["key"], _json(doc, splitter).decode()

    def encoder(self) -> Encoder:
        return TantivyEncoder(self.compounds)

    def _write(self, index: Any, docs: Iterable[Document]) -> int:
        """Into a new index (`replace_all`): nothing to delete."""
        writer = index.writer(heap_size=REBUILD_HEAP, num_threads=REBUILD_THREADS)
        n = _Staging(index, writer, None).add(self._documents(docs))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._expire()
        return n

    def replace_all(self, docs: Iterable[dict[str, Any]]) -> int:
        self.commit()  # what was staged goes into the index being replaced (and the lock is free)
        with self._writing():
            name = self._new_dir()
            n = self._write(self._open(name), docs)
            self._switch(name)
            self._expire()
            return n

    def upsert(self, docs: Iterable[Document]) -> int:
        n = self.stage(docs)
        self.commit()
        return n

    def stage(self, docs: Iterable[Document]) -> int:
        """Into one writer kept open, holding the write lock, until `commit`. One indexing thread:
        a harvest's other processes use the cores, and a second thread made a sixth more CPU (a
        segment each to write and merge) for no more speed (200,000 variables in commits of
        20,000: 58-62 against 71-77 us a document). The writer's heap (`STAGE_HEAP`) bounds the
        memory: tantivy writes a segment out when it is full, seen at the commit."""
        with self._staging_lock:
            if self._staging is None:
                lock = self._writing()
                lock.__enter__()
                try:
                    index = self.index()
                    writer = index.writer(heap_size=STAGE_HEAP, num_threads=1)
                    self._staging = _Staging(index, writer, _latest(index), lock)
                except BaseException:
                    lock.__exit__(None, None, None)
                    raise
            return self._staging.add(self._documents(docs))

    def commit(self) -> None:
        with self._staging_lock:
            staging, self._staging = self._staging, None
            if staging is None:
                return
            try:
                staging.writer.commit()
                staging.writer.wait_merging_threads()
                staging.index.reload()
                self._expire()
            finally:
                if staging.lock is not None:
                    staging.lock.__exit__(None, None, None)

    def delete(self, keys: Iterable[str]) -> None:
        self.commit()  # what was staged before the delete goes first
        with self._writing():
            self._delete(keys)

    def _delete(self, keys: Iterable[str]) -> None:
        index = self.index()
        writer = index.writer(heap_size=32_000_000, num_threads=1)
        for key in keys:
            writer.delete_documents_by_term("key", key)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._expire()

    # -- queries ----------------------------------------------------------------------------
    def _memo(self, kind: str, key: Any, build: Callable[[], Any]) -> Any:
        """Per-word queries are built once: a page runs up to five searches with the same words,
        and building one word's query (14 fields, 3 analyzers) costs more than some searches.
        Every index has the same schema, so a query built for one serves all; the memo is
        bounded by starting afresh when full."""
        memo_key = (kind, key)
        query = self._built.get(memo_key, _UNBUILT)
        if query is _UNBUILT:
            query = remember(self._built, memo_key, build(), MEMO_SIZE)
        return query

    def _fields(self, schema: Any, word: Word) -> Any:
        """One query word against every text field (best field wins), plus typo variants: BM25."""
        key = (word.text, word.fuzzy, self.synonyms.acronym(word.text), word.in_labels)  # an edited list: built again
        return self._memo("fields", key, lambda: self._build_fields(schema, word))

    def _build_fields(self, schema: Any, word: Word) -> Any:
        options = []
        for field_name, boost in FIELD_BOOSTS.items():
            if field_name == "code_labels" and self.synonyms.acronym(word.text):
                continue
            if word.in_labels and field_name not in RELATED_FIELDS:
                continue
            terms = self.analyzers[FIELD_ANALYZER[field_name]].analyze(word.text)
            if not terms:
                continue
            exact = [tantivy.Query.term_query(schema, field_name, t) for t in terms]
            options.append(tantivy.Query.boost_query(_all(exact), boost))
            edits = field_typo_edits(word, field_name)
            if edits:
                fuzzy = [tantivy.Query.fuzzy_term_query(schema, field_name, t, edits) for t in terms]
                options.append(tantivy.Query.boost_query(_all(fuzzy), FUZZY_FIELDS[field_name]))
        if not options:
            return tantivy.Query.empty_query()
        return tantivy.Query.disjunction_max_query(options, tie_breaker=TIE_BREAKER)

    def _extras(self, schema: Any, word: Word) -> list[Any]:
        """What else a word matches, each with a constant score: a word starting with it (the last),
        a compound starting or ending with it, a code it is (or is above)."""
        return self._memo("extras", word, lambda: self._build_extras(schema, word))

    def _build_extras(self, schema: Any, word: Word) -> list[Any]:
        out = []
        if word.part:
            out.append(_const(tantivy.Query.term_query(schema, "affixes", word.part), PREFIX_SCORE))
        if word.code:
            out += [
                _const(tantivy.Query.term_query(schema, "code_terms", t), CODE_SCORE)
                for t in any_system_terms(word.text)
            ]
            out += [
                _const(tantivy.Query.term_query(schema, "code_terms", t), UNLISTED_SCORE)
                for t in unlisted_terms(word.text)
            ]
        return out

    def _matching(self, schema: Any, word: str) -> Any:
        """The documents where `word` is in some text field: a term per analyzer in the match
        fields. None when an analyzer makes several terms of it (then only the fields themselves
        can say whether all of them are in one field, as the scored query requires)."""
        return self._memo("match", (word, self.synonyms.acronym(word)), lambda: self._build_matching(schema, word))

    def _build_matching(self, schema: Any, word: str) -> Any:
        if self.synonyms.acronym(word):
            return None  # not among code labels (`Synonyms.acronym`): the fields say where it is
        options = []
        for analyzer, field_name in MATCH_FIELDS.items():
            terms = self.analyzers[analyzer].analyze(word)
            if len(terms) > 1:
                return None
            options += [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field_name, t)) for t in terms]
        return tantivy.Query.boolean_query(options) if options else tantivy.Query.empty_query()

    def _prefix(self, searcher: Any, schema: Any, prefix: str) -> Any:
        """The words of names and labels starting with `prefix`: the index's most frequent
        `PREFIX_EXPANSIONS` completions, looked up in its term dictionary once per search, as a
        union of term queries. (A regex or term-set query marks every document holding any
        completion before the other clauses narrow them down, and does so again in each of the
        walks a page makes; the union is read lazily. Measured at 300,000 variables: a search's
        median time 18 ms against 24 and 29.)"""
        terms = self._completions(searcher, prefix)
        if not terms:
            return None
        union = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "suggest", t)) for t in terms]
        return _const(tantivy.Query.boolean_query(union), PREFIX_SCORE)

    def _terms_of(self, searcher: Any, schema: Any, word: Word) -> list[Any] | None:
        """The term queries any of which makes `word` match (its analysed forms in the match fields,
        its compound part, its codes and, for the last word, its completions), or None when no
        such list says it: typos, or an analyzer making several terms of it."""
        if word.fuzzy:
            return None
        fixed = self._memo("terms", (word, self.synonyms.acronym(word.text)), lambda: self._build_terms(schema, word))
        if fixed is None or not word.prefix:
            return fixed
        found = self._completions(searcher, word.prefix)
        return [*fixed, *(tantivy.Query.term_query(schema, "suggest", t) for t in found)]

    @staticmethod
    def _completions(searcher: Any, prefix: str) -> tuple[str, ...]:
        """The index's most frequent `PREFIX_EXPANSIONS` words of names and labels starting with
        `prefix` (`_prefix`)."""
        return tuple(t for t, _n in searcher.terms_with_prefix("suggest", prefix, limit=PREFIX_EXPANSIONS))

    def _depends(self, searcher: Any, alternatives: Iterable[Alternative]) -> tuple[Any, ...]:
        """What the query of a unit or an alternative depends on besides itself, for its memo: each
        word's being an acronym (`Synonyms.acronym`: an edited list) and, for a word typed as a
        prefix, its completions in this index (a harvest changes them). A page's words are mostly
        words earlier pages had, each unit's query built from some forty tantivy objects: a page
        of all-different searches built them all again."""
        acronym = self.synonyms.acronym
        return tuple(
            (acronym(w.text), self._completions(searcher, w.prefix) if w.prefix else ())
            for a in alternatives
            for w in a.specs()
        )

    def _build_terms(self, schema: Any, word: Word) -> list[Any] | None:
        if self.synonyms.acronym(word.text):
            return None
        terms = []
        for analyzer, field_name in MATCH_FIELDS.items():
            analysed = self.analyzers[analyzer].analyze(word.text)
            if len(analysed) > 1:
                return None
            terms += [tantivy.Query.term_query(schema, field_name, t) for t in analysed]
        if word.part:
            terms.append(tantivy.Query.term_query(schema, "affixes", word.part))
        if word.code:
            codes = [*any_system_terms(word.text), *unlisted_terms(word.text)]
            terms += [tantivy.Query.term_query(schema, "code_terms", t) for t in codes]
        return terms

    def _counted_text(self, searcher: Any, schema: Any, plan: QueryPlan) -> list[Any]:
        """One clause per unit that matches what `_text`'s required clauses match, for counting,
        where nothing is scored: the terms of a unit's one-word alternatives in one flat union
        rather than unions of unions, each wrapped to score (a quarter less time walking two
        words' matches, measured at a million variables). Other alternatives as `_text` makes them."""
        mask = plan.optional_units()
        return [self._flat(searcher, schema, unit) for unit, on in zip(plan.units, mask, strict=True) if not on]

    def _flat(self, searcher: Any, schema: Any, unit: tuple[Alternative, ...]) -> Any:
        """A unit's matches as one flat union (`_counted_text`)."""
        key = (unit, self._depends(searcher, unit))
        return self._memo("flat", key, lambda: self._build_flat(searcher, schema, unit))

    def _build_flat(self, searcher: Any, schema: Any, unit: tuple[Alternative, ...]) -> Any:
        terms, others = [], []
        for alternative in unit:
            specs = alternative.specs()
            single = len(specs) == 1 and not alternative.codes and not alternative.in_labels
            flat = self._terms_of(searcher, schema, specs[0]) if single else None
            if alternative.codes:
                codes = [tantivy.Query.term_query(schema, "code_terms", t) for t in alternative.codes]
                others.append(_any(codes) if alternative.in_datasets else _no_dataset(schema, _any(codes)))
            elif flat is not None:
                terms += flat
            else:
                others.append(self._alternative(searcher, schema, alternative)[0])
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in [*terms, *others]])

    def _alternative(
        self, searcher: Any, schema: Any, alternative: Alternative, unscored: bool = False
    ) -> tuple[Any, Any | None]:
        """(what the alternative requires, with the constant scores of prefixes, heads and codes;
        its BM25 score over the fields as an optional clause, or None when the requirement is
        itself scored over the fields).

        A word with a match-field form is required through the match fields (one posting list per
        word and analyzer) and scored through the fields as an optional clause, which tantivy only
        evaluates on the documents the required clauses let through. Typo-tolerant words keep the
        fields in the required clause: fuzzy terms need them."""
        key = (alternative, unscored, self._depends(searcher, (alternative,)))
        return self._memo("alternative", key, lambda: self._build_alternative(searcher, schema, alternative, unscored))

    def _build_alternative(
        self, searcher: Any, schema: Any, alternative: Alternative, unscored: bool
    ) -> tuple[Any, Any | None]:
        if alternative.codes:
            codes = [_const(tantivy.Query.term_query(schema, "code_terms", t), CODE_SCORE) for t in alternative.codes]
            found = _any(codes) if alternative.in_datasets else _no_dataset(schema, _any(codes))
            return _weighted(found, alternative.weight), None
        specs = alternative.specs()
        # the match fields hold every field: a typo, or a word of names and labels only, is required through the fields
        matching = [None if w.fuzzy or w.in_labels else self._matching(schema, w.text) for w in specs]
        fast = all(m is not None for m in matching)
        required = []
        for w, match in zip(specs, matching, strict=True):
            base = _filter(match) if fast else self._fields(schema, w)
            prefix = self._prefix(searcher, schema, w.prefix) if w.prefix else None
            required.append(_any([base, *self._extras(schema, w), *([prefix] if prefix is not None else [])]))
        worded = [w for w in specs if not (unscored and w.text.isdigit())]  # `QueryPlan.numbers_unscored`
        scored = (
            _weighted(_all([self._fields(schema, w) for w in worded]), alternative.weight) if fast and worded else None
        )
        return _weighted(_all(required), alternative.weight), scored

    def _text(self, searcher: Any, schema: Any, plan: QueryPlan) -> tuple[list[Any], list[Any]]:
        """(each alternative's required query, optional scoring queries that only reorder matches):
        a unit's score is the sum of its matching alternatives', as their union would score it;
        the matches themselves are required through `_counted_text`; an optional unit
        (`QueryPlan.optional`) only scores, `OPTIONAL_SCORE`."""
        required, scores = [], []
        for unit, optional in zip(plan.units, plan.optional_units(), strict=True):
            if optional:
                scores.append(_const(self._whom(searcher, schema, unit), OPTIONAL_SCORE))
                continue
            built = [self._alternative(searcher, schema, a, plan.numbers_unscored) for a in unit]
            required += [r for r, _ in built]
            scores += [s for _, s in built if s is not None]
        scores += [
            tantivy.Query.boost_query(tantivy.Query.term_query(schema, "name_exact", name), EXACT_NAME_BOOST)
            for name in plan.names_exact()
        ]
        variants = [words for words in plan.label_words() if len(words) > 1]
        variants += [(joined,) for joined in plan.joined_words()]
        if variants:
            scores.append(self._memo("labels", tuple(variants), lambda: self._in_label(schema, variants)))
        for w in plan.exact_words:
            scores.append(
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, "codes_exact", w), EXACT_CODE_BOOST)
            )
            if code_like(w):
                codes = tantivy.Query.term_set_query(schema, "code_terms", exact_terms(w))
                scores.append(_const(codes, EXACT_CODE_BOOST))
        for area in plan.areas:
            scores += self._area(schema, area)
        for named_codes, unit in plan.named:
            held = [t for code in named_codes for t in (*any_system_terms(code), *unlisted_terms(code))]
            holding = tantivy.Query.term_set_query(schema, "code_terms", held)
            scores.append(_const(_all([holding, self._whom(searcher, schema, unit)]), NAMED_SCORE))
        scores += [self._written(schema, forms) for forms in plan.written()]
        return required, scores

    def _written(self, schema: Any, forms: tuple[tuple[str, ...], ...]) -> Any:
        """`WRITTEN_SCORE` for a name or label holding one of `forms` as typed, every word of it."""
        return self._memo("written", forms, lambda: self._build_written(schema, forms))

    def _build_written(self, schema: Any, forms: tuple[tuple[str, ...], ...]) -> Any:
        analyze = self.analyzers[FIELD_ANALYZER["suggest"]].analyze
        each = [
            _all([tantivy.Query.term_query(schema, "suggest", t) for w in words for t in analyze(w)]) for words in forms
        ]
        return _const(_any(each), WRITTEN_SCORE)

    def _in_label(self, schema: Any, variants: list[tuple[str, ...]]) -> Any:
        """`ALL_IN_LABEL_BOOST` for a label holding every word of one of `variants`."""
        labels = []
        for field_name in LABEL_FIELDS:
            analyze = self.analyzers[FIELD_ANALYZER[field_name]].analyze
            for variant in variants:
                terms = [t for w in variant for t in analyze(w)]
                labels.append(_all([tantivy.Query.term_query(schema, field_name, t) for t in terms]))
        return tantivy.Query.boost_query(_best(labels), ALL_IN_LABEL_BOOST)

    def _whom(self, searcher: Any, schema: Any, unit: tuple[Alternative, ...]) -> Any:
        """Where an optional unit (whom the data are about) matches: in any text field but the code
        labels, whose "Kvinne", "Mann" and "Barn" say that a variable records sex or relation, not
        whom its data are about ("kreft kvinner" listed the cancer registry's "Kjønn" first)."""
        key = (unit, self._depends(searcher, unit))
        return self._memo("whom", key, lambda: self._build_whom(searcher, schema, unit))

    def _build_whom(self, searcher: Any, schema: Any, unit: tuple[Alternative, ...]) -> Any:
        options = []
        for alternative in unit:
            if alternative.codes:
                continue
            words = []
            for w in alternative.specs():
                fields = [
                    tantivy.Query.term_query(schema, name, t)
                    for name in FIELD_BOOSTS
                    if name != "code_labels" and (name in RELATED_FIELDS or not w.in_labels)
                    for t in self.analyzers[FIELD_ANALYZER[name]].analyze(w.text)
                ]
                if w.part:
                    fields.append(tantivy.Query.term_query(schema, "affixes", w.part))
                if w.prefix and (prefix := self._prefix(searcher, schema, w.prefix)) is not None:
                    fields.append(prefix)
                words.append(_any(fields) if fields else tantivy.Query.empty_query())
            options.append(_all(words))
        return _any(options) if options else tantivy.Query.empty_query()

    def _area(self, schema: Any, area: Area) -> list[Any]:
        """`AREA_BOOST` for a match in `area`'s topics, as much less for one only in its `elsewhere`;
        a code's area only among the matches of its ICD-10 category. (Elasticsearch takes no
        negative score and adds it again to a match in none of `elsewhere`: the same order. Here
        that clause, every document but those, read for every match, made the search page at a
        million variables take a fifth more server CPU: `bench.bench_web --against`.)"""
        topic = FILTER_FIELDS["topic"]
        inside = _any([tantivy.Query.term_query(schema, topic, t) for t in area.topics])
        clauses = [(inside, AREA_BOOST)]
        if area.elsewhere:
            other = _any([tantivy.Query.term_query(schema, topic, t) for t in area.elsewhere])
            only_other = tantivy.Query.boolean_query([(tantivy.Occur.Must, other), (tantivy.Occur.MustNot, inside)])
            clauses.append((only_other, -AREA_BOOST))
        if area.code is not None:
            found = _any([tantivy.Query.term_query(schema, "code_terms", t) for t in query_terms(area.code, "icd10")])
            clauses = [(_all([found, c]), score) for c, score in clauses]
        return [_const(c, score) for c, score in clauses]

    def _filters(self, schema: Any, q: SearchQuery, of_type: bool = True) -> list[tuple[Any, Any]]:
        """The type and the filters as clauses that restrict without scoring. A filter's values are
        term queries (a union when several), read lazily as the other clauses advance: a term-set
        query marks every document of its terms first, 200,000 for a data type at a million
        variables (a search with two filters took 3.0 ms with term sets, 2.2 ms so)."""
        must = [(tantivy.Occur.Must, _filter(tantivy.Query.term_query(schema, "type", q.type)))] if of_type else []
        for name, values in q.filters.items():
            if name == YEAR_FILTER:
                if values:
                    years = [*(_covers(schema, s) for s in covering(values)), *_yearless(schema, typed_words(q))]
                    must.append((tantivy.Occur.Must, _filter(_any(years))))
                continue
            if name not in FILTER_FIELDS:
                raise BadQuery(f"unknown filter {name!r}; filters are {', '.join(FILTERS)}")
            if values:
                terms = [tantivy.Query.term_query(schema, FILTER_FIELDS[name], str(v)) for v in values]
                must.append((tantivy.Occur.Must, _filter(_any(terms))))
        return must

    def _query(
        self, searcher: Any, schema: Any, q: SearchQuery, plan: QueryPlan, of_type: bool = True, sparse: bool = False
    ) -> tuple[Any, Any]:
        """(the scored query, the same matches without the optional scores, for counting facets);
        without `of_type`, among documents of every type; `sparse`: the matches are few (`SPARSE`).

        The words' matches are required through `_counted_text`'s flat unions, unscored, and
        `_text`'s required clauses, which carry the constant scores of heads, prefixes and codes,
        come in as optional clauses: they match the same documents, so every score is the same,
        but tantivy walks the flat unions, and looks up the nested ones only for the documents
        the filters and the words let through (a page of all-different searches at a million
        variables: 1.2 -> 0.6 ms, the same hits and scores).

        With few matches the optional clauses are looked up one by one (`_scored_by`), not as one
        union: tantivy looks a union up at a document by reading every posting of its clauses in
        the 4,096 documents from there (its buffered window) and scoring them, so a handful of
        matches spread over a million documents paid for scoring thousands; one optional clause
        is looked up at the document alone. The same sum, the same hits in the same order: the
        scored walk of 400 all-different searches at a million variables took 0.66 instead of
        1.42 ms. Many matches fill the windows, and there the union is cheaper."""
        must = self._filters(schema, q, of_type)
        if not plan.units:
            query = tantivy.Query.boolean_query(must)
            return query, query
        required, scores = self._text(searcher, schema, plan)
        flat = self._counted_text(searcher, schema, plan)
        if plan.any_words:
            text = [(tantivy.Occur.Must, _filter(_any(flat)))]
            rated = zip(flat, plan.required_rarity(), strict=False)
            scores += [_const(unit, score) for unit, score in rated if score]  # none unrated
        else:
            text = [(tantivy.Occur.Must, _filter(f)) for f in flat]
        matches = tantivy.Query.boolean_query(must + text)
        if sparse:
            return _scored_by(matches, [*required, *scores]), matches
        optional = [(tantivy.Occur.Should, s) for s in [*required, *scores]]
        return tantivy.Query.boolean_query(must + text + optional), matches

    def search(self, q: SearchQuery) -> SearchResult:
        check_page(q)
        synonyms = self.synonyms
        return relaxed(self._search, q, synonyms.plan(q.text), synonyms)

    def _search(
        self, q: SearchQuery, plan: QueryPlan, total: int | None = None, matched: int | None = None
    ) -> SearchResult:
        """One plan's answer; `total`, when the caller has counted it already, is not counted again;
        `matched`, the documents it matches when counted (a grouped total counts groups)."""
        if q.disjunctive:
            if plan.units and one_pass(q):
                return self._page_and_counts(q, plan)
            return disjunctive(self._search, q, plan)
        index = self.index()
        searcher = index.searcher()
        sparse = matched is not None and matched * SPARSE <= searcher.num_docs
        query, matches = self._query(searcher, index.schema, q, plan, sparse=sparse)
        grouped = q.group and q.type == "variable"
        if q.limit == 0:  # counting only: no hit is scored or read
            total, facets = _count_facets(searcher, matches, q.facets, grouped)
            return SearchResult(total=total, hits=[], facets=facets if q.facets else {}, grouped=grouped)
        # With facets the total comes from their count, so the top-k collection need not count too
        # and may skip documents that cannot make it. Counted in this thread, as everything here:
        # on a second core meanwhile, a page was no sooner done (7.5-7.8 ms against 7.3-8.0, one
        # researcher's all-different searches at a million variables) and, with every core busy
        # serving, each thread waited for the GIL the other held (`web.server`, `OneThread`).
        counted = (
            _count_facets(searcher, matches, q.facets, grouped) if (q.facets or grouped) and total is None else None
        )
        by_name = q.sort in ("name", "uses") or not plan.units
        field = "uses_order" if q.sort == "uses" else "name_order"
        order: dict[str, Any] = {"order_by_field": field, "order": tantivy.Order.Asc} if by_name else {}
        if grouped:
            hits, seen = self._group_hits(searcher, query, q, order, by_name)
            # A group whose every document is among the hits read (its size in the index, deleted
            # documents awaiting a merge included, is no more than the hits found of it) has its
            # size and span in those hits; only the others' are counted.
            partial = [h for h, addresses in zip(hits, seen, strict=True) if _group_size(searcher, h) > len(addresses)]
            stats = self._member_stats(searcher, index.schema, matches, partial) if partial else {}
            found = [[member(_stored(searcher, address)) for address in addresses[1:]] for addresses in seen]
        else:
            count = counted is None and total is None
            result = searcher.search(query, limit=max(1, q.limit), offset=q.offset, count=count, **order)
            hits = [_hit(_stored(searcher, address), score, by_name) for score, address in result.hits[: q.limit]]
        if q.highlight and plan.units:
            self._mark(searcher, index.schema, hits, plan)
        if grouped:
            self._members(searcher, index.schema, matches, hits, found, stats)
        if counted is not None:
            return SearchResult(total=counted[0], hits=hits, facets=counted[1] if q.facets else {}, grouped=grouped)
        return SearchResult(total=result.count or 0 if total is None else total, hits=hits, grouped=grouped)

    def _page_and_counts(self, q: SearchQuery, plan: QueryPlan) -> SearchResult:
        """`SearchQuery.disjunctive` with the words' matches walked once for every count (the
        rows of a grouped page among them, `_counts`), then the page's hits without counting them
        again: a new search's grouped page walked its words' matches four times (hits, rows, counts,
        group sizes), now twice (three times when a group on the page misses members)."""
        grouped = q.group and q.type == "variable"
        counting = replace(q, disjunctive=False, offset=0, limit=0, sort="relevance", highlight=False, group=grouped)
        counts = self._counts(counting, plan)
        if q.limit == 0:
            return counts
        page = self._search(
            replace(q, disjunctive=False, facets=()), plan, total=counts.total, matched=counts.totals[q.type]
        )
        return replace(page, facets=counts.facets, totals=counts.totals)

    def _counts(self, q: SearchQuery, plan: QueryPlan) -> SearchResult:
        """`SearchQuery.disjunctive`'s counts in one pass over the words' matches: an aggregation
        per result type, and within each, the facets under every chosen filter, each chosen facet
        under the others, and each type's total under the filters that apply to it (filter
        aggregations, which test each match against the filter's own postings). Walking the
        words' matches is most of a count's time (unions of compound parts, prefixes and
        analyzers, tens of thousands of postings per word at a million variables), so this one
        pass replaced four or more: 9.4 -> 2.7 ms for two words, two filters. Only facet filters
        are chosen here (`_search` counts filters by key apart, as they apply to some types only);
        the years restrict the words' matches, but for the types without years (`one_pass`)."""
        index = self.index()
        searcher = index.searcher()
        chosen = {name: values for name, values in q.filters.items() if values and name != YEAR_FILTER}
        text = self._counted_text(searcher, index.schema, plan)
        main = _any(text) if plan.any_words else _all(text)
        if q.filters.get(YEAR_FILTER):
            schema = index.schema
            exempt = [tantivy.Query.term_query(schema, "type", kind) for kind in YEARLESS]
            covered = [_covers(schema, s) for s in covering(q.filters[YEAR_FILTER])]
            years = _any([*covered, *_yearless(schema, typed_words(q)), *exempt])
            main = tantivy.Query.boolean_query([(tantivy.Occur.Must, main), (tantivy.Occur.Must, _filter(years))])
        terms = _terms(q.facets)
        rows = _rows() if q.group and q.type == "variable" else {}
        inner: dict[str, Any] = _within(chosen, {**terms, **rows}, "_all") if chosen else {**terms, **rows}
        offs = _without_each(chosen, q.facets)
        for name, others in offs.items():
            inner.update(
                _within(others, {name: terms[name]}, f"_off_{name}") if others else {f"_off_{name}": terms[name]}
            )
        tabs = {kind: type_filters(kind, chosen) for kind in DOC_TYPES if kind != q.type}
        for kind, filters in tabs.items():
            if filters and filters != chosen:
                inner.update(_within(filters, {}, f"_tab_{kind}"))
        raw = searcher.aggregate(main, {"_types": {"terms": {"field": "type", "size": len(DOC_TYPES)}, "aggs": inner}})
        totals = dict.fromkeys(DOC_TYPES, 0)
        found = 0
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in q.facets}
        for bucket in raw["_types"]["buckets"]:
            kind, matched = bucket["key"], _inside(bucket, chosen, "_all") if chosen else bucket
            if kind != q.type:  # its own filters, all of them, or none
                own = tabs[kind]
                tab = _inside(bucket, own, f"_tab_{kind}") if own and own != chosen else matched if own else bucket
                totals[kind] = int(tab["doc_count"])
                continue
            totals[kind] = int(matched["doc_count"])
            if rows:
                found = _rows_counted(matched)
            facets = {name: facet_counts(matched[name]["buckets"]) for name in q.facets}
            for name, others in offs.items():
                off = _inside(bucket, others, f"_off_{name}") if others else {name: bucket[f"_off_{name}"]}
                facets[name] = facet_counts(off[name]["buckets"])
        if rows:  # groups (and none when no variable matched)
            return SearchResult(total=found, hits=[], facets=facets, totals=totals, grouped=True)
        return SearchResult(total=totals[q.type], hits=[], facets=facets, totals=totals)

    def _group_hits(
        self, searcher: Any, query: Any, q: SearchQuery, order: dict[str, Any], by_name: bool
    ) -> tuple[list[Hit], list[list[Any]]]:
        """A page of groups: the best hit of each group, in order, and the addresses of the
        group's other members among the hits read.

        Members of a group have near-identical text, so they come together in the ranking; the
        top hits are read (their group ids from a number column, not the stored documents) until
        the page is full of distinct groups."""
        need = q.offset + q.limit
        limit = max(need * 4, 80)
        while True:
            found = searcher.search(query, limit=limit, count=False, **order).hits
            ids = searcher.fast_field_values("group_id", [address for _score, address in found])
            seen: dict[int, list[tuple[Any, Any]]] = {}
            for (score, address), gid in zip(found, ids, strict=True):
                seen.setdefault(gid, []).append((score, address))
            if len(seen) >= need or len(found) < limit or limit >= MAX_COLLAPSE_SCAN:
                break
            limit = min(limit * 4, MAX_COLLAPSE_SCAN)
        page = list(seen.values())[q.offset : need]
        hits = [_hit(_stored(searcher, group[0][1]), group[0][0], by_name) for group in page]
        return hits, [[address for _score, address in group] for group in page]

    @staticmethod
    def _member_stats(searcher: Any, schema: Any, matches: Any, hits: list[Hit]) -> dict[int, Any]:
        """Group id -> how many of the group's documents match and their span (`SPAN`)."""
        groups = [h.doc.get("group") or "" for h in hits]
        within = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, matches),
                (tantivy.Occur.Must, _filter(tantivy.Query.term_set_query(schema, "group", groups))),
            ]
        )
        stats = {"terms": {"field": "group_id", "size": len(groups)}, "aggs": SPAN}
        return {int(b["key"]): b for b in searcher.aggregate(within, {"g": stats})["g"]["buckets"]}

    def _members(
        self,
        searcher: Any,
        schema: Any,
        matches: Any,
        hits: list[Hit],
        found: list[list[dict[str, Any]]],
        stats: dict[int, Any],
    ) -> None:
        """Fill each group hit's size, span and members: the members among the hits read when they
        are all of them (members rank together), else the group's first members by period.
        `stats` has the groups not wholly among the hits read; the others are what was read."""
        for hit, others in zip(hits, found, strict=True):
            bucket = stats.get(group_id(hit.doc))
            if bucket is None:  # every member read (a document without a group is a group of one)
                hit.members = ordered([member(hit.doc), *others])
                hit.group_size, hit.period = len(hit.members), members_span(hit.members)
                continue
            hit.group_size = int(bucket["doc_count"])
            hit.period = span(bucket)
            if hit.group_size <= len(others) + 1:
                hit.members = ordered([member(hit.doc), *others])
                continue
            one = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, matches),
                    (
                        tantivy.Occur.Must,
                        _filter(tantivy.Query.term_query(schema, "group", hit.doc.get("group") or "")),
                    ),
                ]
            )
            first = searcher.search(
                one, limit=MEMBERS_SHOWN, count=False, order_by_field="period_start", order=tantivy.Order.Asc
            )
            hit.members = ordered([member(_stored(searcher, address)) for _score, address in first.hits])

    def _mark(self, searcher: Any, schema: Any, hits: list[Hit], plan: QueryPlan) -> None:
        """Highlights, and the codes of each hit's code list that the query asked for."""
        splitter = decompounder(self.compounds)
        keys = marked_codelists(hits, plan)
        lists: dict[str, dict[str, Any]] = {}
        if keys:
            query = tantivy.Query.term_set_query(schema, "key", keys)
            for _score, address in searcher.search(query, limit=len(keys), count=False).hits:
                doc = _stored(searcher, address)
                lists[doc["key"]] = doc
        mark(hits, plan, splitter, lists)

    def scan(self, type: str, filters: dict[str, list[str]], exclude: Collection[str] = ()) -> Iterator[dict[str, Any]]:
        index = self.index()
        searcher = index.searcher()
        clauses = self._filters(index.schema, SearchQuery(type=type, filters=filters))
        if exclude:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(index.schema, "key", list(exclude))))
        query = tantivy.Query.boolean_query(clauses)
        total = searcher.search(query, limit=1, count=True).count or 0
        if total:
            for _score, address in searcher.search(query, limit=total, count=False).hits:
                yield _stored(searcher, address)

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        folded = [fold(w) for w in words(prefix.replace("_", " "))]
        if not folded:
            return []
        index = self.index()
        searcher = index.searcher()
        schema = index.schema
        if len(folded) == 1:
            # words are \w+, so the prefix holds no regex syntax to escape
            text_query = tantivy.Query.regex_query(schema, "suggest", folded[0] + ".*")
        else:
            text_query = tantivy.Query.phrase_prefix_query(
                schema, "suggest", [*folded]
            )  # its words may be (offset, word)
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, _filter(tantivy.Query.term_query(schema, "type", "variable"))),
                (tantivy.Occur.Must, text_query),
            ]
        )
        found = searcher.search(query, limit=limit * 5, count=False).hits
        docs = (_stored(searcher, address) for _score, address in found)
        return rank_suggestions(docs, prefix, limit)

    def count(self) -> int:
        return self.index().searcher().num_docs

    def generation(self) -> tuple[Any, ...]:
        """Every commit, from any process, writes a new meta.json into the current index directory;
        an edited synonym list changes what searches find too. Looked at most every RECHECK
        seconds (our own writes at once), like CURRENT in `_load`. When another process's commit
        is seen, the reader is reloaded before the new value is returned: its own reload comes
        a moment later, and an answer cached under the new generation must not predate it."""
        cached = self._generation
        if cached is not None and time.monotonic() < cached[0] and cached[1] is self.synonyms:
            return cached[2]
        index = self.index()
        try:
            meta = os.stat(self.root / str(self._current) / "meta.json")
            value: tuple[Any, ...] = (self._current, meta.st_ino, meta.st_mtime_ns, self.synonyms.version())
        except FileNotFoundError:  # replaced by a rebuild just now: the next call sees the new one
            return self._current, 0, 0, self.synonyms.version()
        if self._seen is not None and self._seen != value[:3]:
            # another process committed (or we did, and `_expire` forgot the cached value): searches
            # answered (and cached) under the new generation must see it now, not when the index's
            # own watcher notices, up to seconds later
            index.reload()
        self._seen = value[:3]
        self._generation = (time.monotonic() + RECHECK, self.synonyms, value)
        return value

    def close(self) -> None:
        self.commit()
        self._index = None


def _json(doc: dict[str, Any], splitter: Any) -> bytes:
    """The document as tantivy JSON (UTF-8): one string per document crosses into tantivy, which
    parses it without holding the GIL, instead of a Python call per field. Encoded documents
    (`encode`) keep it as bytes until they are written: pickled across processes as they are,
    where a str of non-ASCII text was encoded to UTF-8 again to be pickled, and decoded first."""
    return _body(index_fields(doc, splitter, lists=False), doc, _packed(stored(doc) if "coded" in doc else doc))


def _body(fields: dict[str, Any], doc: dict[str, Any], packed: bytes) -> bytes:
    """`_json` of a document's `index_fields` and stored form."""
    get = fields.get
    for match_field, sources in _MATCHING:
        text = " ; ".join(filter(None, map(get, sources)))  # text fields are left out when empty
        if text:
            fields[match_field] = text
    get = doc.get
    if get("type") == "variable":
        fields["group_id"] = group_id(doc)
    start, end = get("period_start"), get("period_end")
    if isinstance(start, int):
        fields["period_start"] = start
    if isinstance(end, int):
        fields["period_end"] = end
    fields[STORED] = b2a_base64(packed, newline=False).decode()
    return orjson.dumps(fields)


def _packed(doc: dict[str, Any]) -> bytes:
    """The stored form of a document: a catalogue document of a shape `documents` makes (its keys,
    in their order) as the JSON array of its values with the shape's id last, any other as a JSON
    object. The keys were two fifths of a variable's stored bytes, which tantivy parses, stores
    and compresses and Python serialises and base64-encodes for each document; `_unpacked`
    zips them back, so a hit's document is the same dictionary, in the same order."""
    shape = _shape_ids().get(tuple(doc))
    if shape is None:
        return orjson.dumps(doc)
    values = list(doc.values())
    values.append(shape)
    return orjson.dumps(values)


def _unpacked(raw: bytes) -> dict[str, Any]:
    """A stored document as `_packed` wrote it."""
    value = orjson.loads(raw)
    if value.__class__ is dict:
        return value
    keys = _shapes().get(value[-1])
    if keys is None or len(keys) != len(value) - 1:
        raise StaleIndex(
            "the search index holds documents of a shape this version of the catalogue does not "
            "make; rebuild it from the store with `catalog reindex`"
        )
    return dict(zip(keys, value, strict=False))  # the shape's id, last, is left over


@functools.cache
def _shapes() -> dict[str, tuple[str, ...]]:
    """Shape id -> the keys, in order, of each kind of document `documents` makes (a variable, a
    dataset, a code list, as stored), learnt from documents of made-up records, so that they
    follow `documents` as it changes. The id is a digest of the keys: an index written with other
    shapes is refused (`StaleIndex`) rather than read with the wrong keys."""
    codelist = CodeList(uri="urn:shape:codelist", identifier="c", concepts=[Concept(code="1", label={"nb": "a"})])
    listed = Variable(uri="urn:shape:variable", name="v", codelist=codelist.uri)
    unlisted = Variable(uri="urn:shape:unlisted", name="u", coding_system="ICD-10")
    # a dataset's document has its codes' keys only where its variables have such codes
    datasets = [
        Dataset(uri=f"urn:shape:dataset{i}", identifier="d", variables=variables)
        for i, variables in enumerate(
            [[listed], [unlisted], [listed, unlisted], [Variable(uri="urn:shape:v", name="v")]]
        )
    ]
    info = SourceInfo("s", "s", "catalogue")
    found = {"c": coded(codelist)}
    made = [*(doc for dataset in datasets for doc in documents(dataset, info)), *documents(codelist, info)]
    docs = [stored(d) for d in complete(made, lambda _key: found["c"])]
    docs += [stored(d) for d in complete(made, lambda _key: None)]
    shapes = {tuple(d) for d in docs}
    return {"s" + hashlib.sha1("\x1f".join(keys).encode()).hexdigest()[:8]: keys for keys in shapes}


@functools.cache
def _shape_ids() -> dict[tuple[str, ...], str]:
    return {keys: shape for shape, keys in _shapes().items()}


_MATCHING = tuple((MATCH_FIELDS[analyzer], sources) for analyzer, sources in MATCHED_BY.items())
_matching: dict[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]] = {}


def _matching_of(fields: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`_MATCHING` for documents with these fields (in this order): only the match fields some of
    whose sources are there, with only those. Remembered: a dataset's variables have a few such
    sets of fields, and looking up the fourteen sources in each variable's fields cost more."""
    matching = tuple(
        (match_field, present)
        for match_field, sources in _MATCHING
        if (present := tuple(source for source in sources if source in fields))
    )
    return remember(_matching, tuple(fields), matching, 10_000)


_shared_matching: dict[
    tuple[str, ...], dict[tuple[str, ...], tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]]
] = {}


def _own_matching(
    memo: dict[tuple[str, ...], Any], shared: dict[str, Any], own: dict[str, Any]
) -> tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]:
    """`_matching_of` a variable's fields, the shared ones (`DatasetFields.fields`) then its own
    (`DatasetFields.variable`), each source marked as its own (True) or a shared one; remembered
    in `memo` (`_shared_matching`'s for these shared fields) by the names of its own."""
    matching = tuple(
        (match_field, tuple((source, source in own) for source in sources))
        for match_field, sources in _matching_of({**shared, **own})
    )
    return remember(memo, tuple(own), matching, 10_000)


@dataclass(frozen=True)
class TantivyEncoder:
    """`TantivyBackend.encoder`: `encode`, and `encode_record` for `documents.encoded_documents`."""

    compounds: Path

    def __call__(self, docs: list[dict[str, Any]]) -> list[Encoded]:
        return encode(self.compounds, docs)

    def record(
        self, record: Record, source: SourceInfo, valid: bool, platforms: Sequence[str], uses: int
    ) -> list[Document]:
        return encode_record(self.compounds, record, source, valid, platforms, uses)


def encode(compounds: Path, docs: list[dict[str, Any]]) -> list[Encoded]:
    """`TantivyBackend.encoder`: each document as the JSON its writer takes."""
    splitter = decompounder(compounds)
    return [Encoded(doc["key"], doc["type"], _json(doc, splitter)) for doc in docs]


def encode_record(
    compounds: Path, record: Record, source: SourceInfo, valid: bool, platforms: Sequence[str], uses: int
) -> list[Document]:
    """`documents.encoded_documents` for tantivy: a dataset's variables encoded from their values.

    What `encode` writes of each of them, made knowing what they share (`DatasetDocuments`): the
    fields of their dataset's values once (`DatasetFields`), each variable's own from its values
    with no dictionary made of its document, and its stored form as its values with the shape's
    id, as `_packed` writes it."""
    if not isinstance(record, Dataset):
        return encoded(list(documents(record, source, valid, platforms, uses)), functools.partial(encode, compounds))
    splitter = decompounder(compounds)
    made = DatasetDocuments(record, source, valid, platforms, uses)
    later: list[Document] = []  # completed with their code lists where the index is written
    out: list[Document] = []
    if needs_store(made.dataset):  # its variables' lists' codes (`documents.dataset_codes`)
        later.append(made.dataset)
    else:
        out.append(Encoded(made.key, "dataset", _json(made.dataset, splitter)))
    shared = DatasetFields(made.shared, splitter)
    variable_fields, shared_fields = shared.variable, shared.fields
    # a variable's JSON starts with the fields all share, written once
    shared_json = orjson.dumps(shared_fields)[:-1] + b","
    matching_of = _shared_matching.get(tuple(shared_fields))
    if matching_of is None:
        matching_of = remember(_shared_matching, tuple(shared_fields), {}, 1_000)
    values_of = made.values
    shape = _shape_ids().get(tuple(made.template))
    # The stored array starts with the dataset's values: written and base64-encoded once, as far
    # as a whole number of base64's three-byte groups goes (base64 of the rest then follows on)
    start_of = orjson.dumps(made.head)[:-1] + b","
    whole = len(start_of) - len(start_of) % 3
    rest_of_start = start_of[whole:]
    # ... and the JSON of the stored field up to there: a variable's JSON is its fields' then
    # this, then the base64 of the rest of its stored array (base64 needs no escaping in JSON)
    stored_start = b',"' + STORED.encode() + b'":"' + b2a_base64(start_of[:whole], newline=False)
    dumps, new = orjson.dumps, tuple.__new__
    for v in record.variables:
        if v.codelist:
            later.append(made.variable(v))
            continue
        if shape is None:  # `documents` made a shape `_packed` does not know: any document's way
            doc = made.variable(v)
            out.append(Encoded(doc["key"], "variable", _json(doc, splitter)))
            continue
        values = values_of(v, False)  # written below and dropped: no copies
        fields = variable_fields(values)  # its own, after `shared_fields`
        matching = matching_of.get(tuple(fields))
        if matching is None:
            matching = _own_matching(matching_of, shared_fields, fields)
        for match_field, sources in matching:
            # DatasetFields writes no empty text field: the present sources need no filter
            fields[match_field] = " ; ".join([fields[name] if own else shared_fields[name] for name, own in sources])
        key, start, end, group = values[0], values[15], values[16], values[21]
        fields["group_id"] = int(group, 16)  # `_group_id` of values' group: always its 16 hex digits
        if isinstance(start, int):
            fields["period_start"] = start
        if isinstance(end, int):
            fields["period_end"] = end
        own = dumps(values + (shape,))  # [*head, *values, shape] as `_packed` writes it
        stored_rest = b2a_base64(rest_of_start + own[1:], newline=False)
        # = Encoded(key, "variable", dumps({**shared_fields, **fields, STORED: <its base64>}))
        body = b"".join((shared_json, dumps(fields)[1:-1], stored_start, stored_rest, b'"}'))
        out.append(new(Encoded, (key, "variable", body)))
    out += later
    return out


class _Staging:
    """An open writer and what it was given: `TantivyBackend.stage` until its commit, or one
    `_write`. With a searcher of the last commit, a key's old document is deleted where there may
    be one: the index holds the key (deleted documents count until a merge drops them: never too
    few deletes), or this writer added it already; without one (a new index) nothing is deleted."""

    def __init__(self, index: Any, writer: Any, searcher: Any, lock: AbstractContextManager[None] | None = None):
        self.index, self.writer, self.searcher, self.lock = index, writer, searcher, lock
        self.written: set[str] = set()

    def add(self, docs: Iterable[tuple[str, str]]) -> int:
        writer, searcher, written = self.writer, self.searcher, self.written
        n = 0
        for batch in _batches(docs, WRITE_BATCH):
            # Handed over in bursts: the indexing threads, which outpace Python, then wake once per
            # burst rather than once per document (a futex call and a context switch each time).
            held = _held(searcher, batch) if searcher is not None else set()
            for key, document in batch:
                if searcher is not None:
                    if key in written or key in held:
                        writer.delete_documents_by_term("key", key)
                    written.add(key)
                writer.add_json(document)
            n += len(batch)
        return n


def _held(searcher: Any, batch: list[tuple[str, str]]) -> set[str]:
    """The keys of `batch` that the index holds, looked up in their order: consecutive keys then
    share the start of their path through each segment's term dictionary, which stays in the CPU's
    caches. Looked up as they came, between documents being added, each lookup missed them: 1.5 us
    a document of the calling process's main thread in a harvest of the held-out feed (2,000 x 100,
    two pairs under load 5, 2026-12-05: 16.8 and 17.6 -> 15.3 and 15.9 us a variable)."""
    return {key for key in sorted(key for key, _ in batch) if searcher.doc_freq("key", key)}


def _latest(index: Any) -> Any:
    """A searcher of the last commit (the caller holds the write lock, so no other comes): an
    upsert deletes a key's old document only where the index may hold one. A harvest of new
    records writes keys the index has never held, and a delete by term cost 4-5 us of tantivy's
    CPU a document (20,200 variables of the held-out feed, 2026-12-05); looking the key up costs
    0.3 us (a term-set count of a batch's keys cost 3 us a key)."""
    index.reload()
    return index.searcher()


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _group_size(searcher: Any, hit: Hit) -> int:
    """The documents of a hit's group in the index, matching or not (deleted ones too until a merge
    drops them: never fewer than there are)."""
    group = hit.doc.get("group")
    return int(searcher.doc_freq("group", group)) if group else 0


def _count_facets(
    searcher: Any, query: Any, facets: tuple[str, ...], grouped: bool = False
) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """(total matches, facet counts), from one aggregation request; grouped, the total counts
    groups (`_rows`), while facet values still count variables (`SearchResult.grouped` says why)."""
    aggs = {**_terms(facets), **(_rows() if grouped else {"_total": {"terms": {"field": "type", "size": 1}}})}
    raw = searcher.aggregate(query, aggs)
    if grouped:
        total = _rows_counted(raw)
    else:
        total = sum(b["doc_count"] for b in raw["_total"]["buckets"])
    return total, {f: facet_counts(raw.get(f, {}).get("buckets", [])) for f in facets}


def _rows() -> dict[str, Any]:
    """Aggregations counting the groups among the matches: estimated (cardinality) and, in the
    same pass, listed up to twice `EXACT_GROUPS`, so a total below it is exact without walking the
    matches again."""
    return {
        "_rows": {"cardinality": {"field": "group_id"}},
        "_groups": {"terms": {"field": "group_id", "size": EXACT_GROUPS * 2}},
    }


def _rows_counted(raw: dict[str, Any]) -> int:
    total = int(round(raw["_rows"]["value"] or 0))
    if total < EXACT_GROUPS:  # an estimate: a result page's number of rows is counted exactly
        total = len(raw["_groups"]["buckets"])
    return total


def _terms(facets: tuple[str, ...]) -> dict[str, Any]:
    return {name: {"terms": {"field": name, "size": 100}} for name in facets}


def _without_each(chosen: dict[str, list[str]], facets: tuple[str, ...]) -> dict[str, dict[str, list[str]]]:
    """For each counted facet with a chosen value, the other chosen filters (its counts' filters)."""
    return {name: {f: v for f, v in chosen.items() if f != name} for name in chosen if name in facets}


def _within(filters: dict[str, list[str]], aggs: dict[str, Any], name: str) -> dict[str, Any]:
    """`aggs` over the matches under facet filters, as the aggregation `name` (read back with
    `_inside`). A filter aggregation first collects every document its filter matches in the whole
    index, whatever the words match: a data type's 200,000 at a million variables took 0.44 ms
    of a search's 1.9 ms of counting. With one value chosen per facet, terms aggregations nested
    one per facet, each keeping only its value (`include`), give the same documents at a cost in
    proportion to the matches. Several values of one facet (OR) would count a document once per
    value it has, so they keep the filter aggregation."""
    if not all(len(values) == 1 and field in FAST_FIELDS for field, values in filters.items()):
        return {name: {"filter": _query_string(filters), **({"aggs": aggs} if aggs else {})}}
    node: dict[str, Any] = aggs
    for field, values in reversed(filters.items()):
        level = {"terms": {"field": field, "size": 1, "include": [str(values[0])]}}
        node = {NESTED: {**level, **({"aggs": node} if node else {})}}
    return {name: node[NESTED]}


def _inside(bucket: dict[str, Any], filters: dict[str, list[str]], name: str) -> dict[str, Any]:
    """The result of `_within(filters, aggs, name)` inside `bucket`: its `doc_count` and `aggs`."""
    node = bucket[name]
    if "buckets" not in node:  # a filter aggregation
        return node
    for depth in range(len(filters)):
        if not node["buckets"]:
            return _NOTHING
        node = node["buckets"][0]
        if depth < len(filters) - 1:
            node = node[NESTED]
    return node


class _Nothing(dict[str, Any]):
    """No document under the filters: a count of 0 and every aggregation empty."""

    def __missing__(self, key: str) -> dict[str, Any]:
        return {"buckets": [], "value": 0}


NESTED = "_in"
_NOTHING = _Nothing(doc_count=0)


def _covers(schema: Any, span: tuple[int, int]) -> Any:
    """The documents whose data cover some of the years `span` (`catalog.search.years`): a first
    year at most its last, and a last year at least its first or none (still collected)."""
    first, last = span
    integer = tantivy.FieldType.Integer
    started = tantivy.Query.range_query(schema, "period_start", integer, None, last)
    ended = tantivy.Query.range_query(schema, "period_end", integer, first, None)
    open_ended = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, tantivy.Query.all_query()),
            (tantivy.Occur.MustNot, tantivy.Query.exists_query("period_end")),
        ]
    )
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, started), (tantivy.Occur.Must, _any([ended, open_ended]))])


def _yearless(schema: Any, words: list[str]) -> list[Any]:
    """The documents without years whose name or a label holds one of the typed years `words` as a
    word (`catalog.search.years.typed_words`): none, and nothing searched, when no year was typed."""
    if not words:
        return []
    held = [tantivy.Query.term_query(schema, f, y) for f in ("name_text", *LABEL_FIELDS) for y in words]
    return [
        tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, _any(held)), (tantivy.Occur.MustNot, tantivy.Query.exists_query("period_start"))]
        )
    ]


def _query_string(filters: dict[str, list[str]]) -> str:
    """Facet filters (OR within a facet, AND across) in tantivy's query syntax, for a filter
    aggregation (which takes no query object): each value a quoted term, its `\\` and `"`
    escaped, so no value is read as syntax."""

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return " AND ".join(
        "(" + " OR ".join(f"{FILTER_FIELDS[name]}:{quoted(str(v))}" for v in values) + ")"
        for name, values in filters.items()
    )


def _hit(doc: dict[str, Any], score: Any, by_name: bool) -> Hit:
    """A hit; sorted by name, tantivy gives the name where the score would be."""
    return Hit(key=doc["key"], score=0.0 if by_name else float(score), doc=doc)


def _stored(searcher: Any, address: Any) -> dict[str, Any]:
    return _unpacked(searcher.doc(address).get_first(STORED))


def _no_dataset(schema: Any, codes: Any) -> Any:
    """What `codes` matches, datasets left out (`CODE_NAMES_SKIP`)."""
    dataset = tantivy.Query.term_query(schema, "type", CODE_NAMES_SKIP)
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, codes), (tantivy.Occur.MustNot, dataset)])


def _all(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _any(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _best(queries: list[Any]) -> Any:
    """Any of the queries, scored by the best."""
    return queries[0] if len(queries) == 1 else tantivy.Query.disjunction_max_query(queries, tie_breaker=0.0)


def _weighted(query: Any, weight: float) -> Any:
    return query if weight == 1.0 else tantivy.Query.boost_query(query, weight)


def _scored_by(matches: Any, optional: list[Any]) -> Any:
    """`matches`, each scored by the sum of the optional clauses it matches, as a union of them
    would score it, but with each clause looked up at the matches alone (`TantivyBackend._query`
    says why): every clause is the optional part of a query that matches every document with
    no score of its own, and `matches` and those are all required. (Nesting the clauses one in
    another scored the same, but tantivy copies a query's clauses into each query built on it:
    twenty clauses took 0.2 ms to build, this 0.02.)"""
    every = _filter(tantivy.Query.all_query())
    scored = [
        tantivy.Query.boolean_query([(tantivy.Occur.Must, every), (tantivy.Occur.Should, clause)])
        for clause in optional
    ]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in [matches, *scored]])


def _filter(query: Any) -> Any:
    """A clause that restricts without scoring."""
    return tantivy.Query.const_score_query(query, 0.0)


def _const(query: Any, score: float) -> Any:
    """A clause that scores `score` wherever it matches, whatever the term statistics."""
    return tantivy.Query.const_score_query(query, score)
