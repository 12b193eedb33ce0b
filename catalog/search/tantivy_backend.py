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
recording postings; the stored document is a text field no term is made from. A query is mostly
tantivy walking the per-word unions of fields (label or description ...) for the top 20 and
again, unscored, for the facet counts; the two walks run on the two cores at once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import tantivy

from catalog.search import FACETS, BadQuery, Hit, SearchQuery, SearchResult
from catalog.search.analysis import (
    ANALYZERS,
    COMPOUNDS_FILE,
    EXACT_CODE_BOOST,
    EXACT_NAME_BOOST,
    FIELD_ANALYZER,
    FIELD_BOOSTS,
    FUZZY_BOOST,
    FUZZY_FIELDS,
    KEYWORD_FIELDS,
    Alternative,
    QueryPlan,
    Synonyms,
    decompounder,
    fold,
    highlight,
    index_fields,
    rank_suggestions,
    shipped_synonyms,
    words,
)
from catalog.search.results import check_page, facet_counts, with_typo_fallback

TIE_BREAKER = 0.1
WRITER_HEAP = 256_000_000
WRITER_THREADS = 2
WRITE_BATCH = 1000
MEMO_SIZE = 10_000
RECHECK = 0.5
"""Seconds between looks at what other processes changed on disk (CURRENT, meta.json, synonyms)."""
_UNBUILT = object()
FAST_FIELDS = frozenset({"type", "name_sort", *FACETS})
"""Keyword fields read per document while searching (sorting, facet counts); the others are only
looked up by term, and skipping their columns saves indexing time."""
PHRASE_FIELDS = frozenset({"suggest"})
"""Fields queried by phrase (suggest's phrase prefix); only these pay for storing positions."""
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
"""The catalogue document as JSON: stored for the hits, never indexed."""
UNINDEXED = "unindexed"


class StaleIndex(RuntimeError):
    """The index on disk has another schema than this version writes; a reindex replaces it."""


def _analyzer(language: str | None) -> Any:
    """Words are runs of letters and digits (the simple tokenizer: three times faster to index
    than a regex tokenizer); MORS_ALDER is the two words mors + alder, as in Elasticsearch."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
    if language:
        builder = builder.filter(tantivy.Filter.stemmer(language))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


def _unindexed() -> Any:
    """A tokenizer that yields no terms: the whole text is one token, which the length filter drops.
    Stored text through it costs no index space, and JSON documents carry it without base64."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.remove_long(1)).build()


def _schema() -> Any:
    """Term frequencies without positions, except where phrases are queried; keyword fields as
    bare terms (an exact match needs no frequency), with columns only where searches read them."""
    b = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name="raw", fast=name in FAST_FIELDS, index_option="basic")
    for name, analyzer in FIELD_ANALYZER.items():
        b.add_text_field(
            name, stored=False, tokenizer_name=analyzer, index_option="position" if name in PHRASE_FIELDS else "freq"
        )
    for analyzer, name in MATCH_FIELDS.items():
        b.add_text_field(name, stored=False, tokenizer_name=analyzer, index_option="basic")
    b.add_text_field(STORED, stored=True, tokenizer_name=UNINDEXED, index_option="basic")
    return b.build()


class TantivyBackend:
    name = "tantivy"

    def __init__(self, root: Path, synonyms: Synonyms | None = None, compounds: Path = COMPOUNDS_FILE):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.synonyms = synonyms or shipped_synonyms()
        self.compounds = compounds
        self.analyzers = {name: _analyzer(language) for name, language in ANALYZERS.items()}
        self.tokenizers = {**self.analyzers, UNINDEXED: _unindexed()}
        self._lock = threading.Lock()
        self._built: dict[tuple[str, str, int], Any] = {}  # per-word queries (see _memo)
        self._write_lock = threading.Lock()
        self._index: Any = None
        self._current: str | None = None
        self._fresh_until = 0.0
        self._generation: tuple[float, Synonyms, tuple[Any, ...]] | None = None  # until, for, value
        self._seen: tuple[Any, ...] | None = None  # the index files' state the reader was last brought to
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
        return index

    def _switch(self, name: str) -> None:
        """Point CURRENT at `name`; keep the previous index for readers that just read CURRENT."""
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(name)
        os.replace(tmp, self.root / "CURRENT")
        older = sorted((d for d in self.root.glob("ix-*") if d.name != name), key=lambda d: d.name)[:-1]
        for old in older:
            shutil.rmtree(old, ignore_errors=True)

    def index(self) -> Any:
        try:
            return self._load()
        except ValueError:  # CURRENT named an index a rebuild removed just after we read it
            return self._load()

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
        with self._write_lock, open(self.root / "WRITE.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _documents(self, docs: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
        """(key, the document as tantivy JSON): one string per document crosses into tantivy,
        which parses it without holding the GIL, instead of a Python call per field."""
        splitter = decompounder(self.compounds)
        for doc in docs:
            fields = index_fields(doc, splitter)
            for analyzer, sources in MATCHED_BY.items():
                texts = [fields[f] for f in sources if f in fields]
                if texts:
                    fields[MATCH_FIELDS[analyzer]] = " ; ".join(texts)
            fields[STORED] = orjson.dumps(doc).decode()
            yield doc["key"], orjson.dumps(fields).decode()

    def _write(self, index: Any, docs: Iterable[dict[str, Any]], replace: bool, heap: int = WRITER_HEAP) -> int:
        writer = index.writer(heap_size=heap, num_threads=WRITER_THREADS)
        n = 0
        for batch in _batches(self._documents(docs), WRITE_BATCH):
            # Handed over in bursts: the indexing threads, which outpace Python, then wake once per
            # burst rather than once per document (a futex call and a context switch each time).
            for key, document in batch:
                if replace:
                    writer.delete_documents_by_term("key", key)
                writer.add_json(document)
            n += len(batch)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._expire()
        return n

    def replace_all(self, docs: Iterable[dict[str, Any]]) -> int:
        with self._writing():
            name = self._new_dir()
            n = self._write(self._open(name), docs, replace=False)
            self._switch(name)
            self._expire()
            return n

    def upsert(self, docs: Iterable[dict[str, Any]]) -> int:
        with self._writing():
            return self._write(self.index(), docs, replace=True, heap=64_000_000)

    def delete(self, keys: Iterable[str]) -> None:
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
    def _memo(self, kind: str, word: str, distance: int, build: Callable[[], Any]) -> Any:
        """Per-word queries are built once: a page runs up to five searches with the same words,
        and building one word's query (13 fields, 3 analyzers) costs more than some searches.
        Every index has the same schema, so a query built for one serves all; the memo is
        bounded by starting afresh when full."""
        key = (kind, word, distance)
        query = self._built.get(key, _UNBUILT)
        if query is _UNBUILT:
            if len(self._built) >= MEMO_SIZE:
                self._built = {}
            query = self._built[key] = build()
        return query

    def _word(self, schema: Any, word: str, plan: QueryPlan) -> Any:
        distance = plan.fuzziness(word)
        return self._memo("word", word, distance, lambda: self._build_word(schema, word, distance))

    def _build_word(self, schema: Any, word: str, distance: int) -> Any:
        """One query word against every text field (best field wins), plus typo variants."""
        options = []
        for field_name, boost in FIELD_BOOSTS.items():
            terms = self.analyzers[FIELD_ANALYZER[field_name]].analyze(word)
            if not terms:
                continue
            exact = [tantivy.Query.term_query(schema, field_name, t) for t in terms]
            options.append(tantivy.Query.boost_query(_all(exact), boost))
            if distance and field_name in FUZZY_FIELDS:
                fuzzy = [tantivy.Query.fuzzy_term_query(schema, field_name, t, distance) for t in terms]
                options.append(tantivy.Query.boost_query(_all(fuzzy), FUZZY_BOOST))
        if not options:
            return tantivy.Query.empty_query()
        return tantivy.Query.disjunction_max_query(options, tie_breaker=TIE_BREAKER)

    def _alternative(self, schema: Any, alternative: Alternative, plan: QueryPlan) -> Any:
        query = _all([self._word(schema, w, plan) for w in alternative.words])
        return query if alternative.weight == 1.0 else tantivy.Query.boost_query(query, alternative.weight)

    def _matching(self, schema: Any, word: str) -> Any:
        """The documents where `word` is in some text field: a term per analyzer in the match
        fields. None when an analyzer makes several terms of it (then only the fields themselves
        can say whether all of them are in one field, as the scored query requires)."""
        return self._memo("match", word, 0, lambda: self._build_matching(schema, word))

    def _build_matching(self, schema: Any, word: str) -> Any:
        options = []
        for analyzer, field_name in MATCH_FIELDS.items():
            terms = self.analyzers[analyzer].analyze(word)
            if len(terms) > 1:
                return None
            options += [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field_name, t)) for t in terms]
        return tantivy.Query.boolean_query(options) if options else tantivy.Query.empty_query()

    def _unit_match(self, schema: Any, unit: tuple[Alternative, ...]) -> Any:
        alternatives = []
        for alternative in unit:
            matching = [self._matching(schema, w) for w in alternative.words]
            if any(m is None for m in matching):
                return None
            alternatives.append((tantivy.Occur.Should, _all(matching)))
        return tantivy.Query.boolean_query(alternatives)

    def _text(
        self, schema: Any, plan: QueryPlan
    ) -> tuple[list[tuple[Any, Any]], list[tuple[Any, Any]], list[tuple[Any, Any]]]:
        """(clauses every match meets, the same without scoring, scores that only reorder matches).

        A unit whose words all have a match-field form is required through the match fields
        (one posting list per word and analyzer) and scored through the fields as an optional
        clause, which tantivy only evaluates on the documents the required clauses let through.
        Typo-tolerant plans keep the fields as the required clause: fuzzy terms need them."""
        required, unscored, scores = [], [], []
        for unit in plan.units:
            scored = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self._alternative(schema, a, plan)) for a in unit]
            )
            matching = None if plan.typos else self._unit_match(schema, unit)
            if matching is None:
                required.append((tantivy.Occur.Must, scored))
                unscored.append((tantivy.Occur.Must, scored))
            else:
                required.append((tantivy.Occur.Must, _filter(matching)))
                unscored.append((tantivy.Occur.Must, matching))
                scores.append((tantivy.Occur.Should, scored))
        scores += [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, "name_exact", plan.exact), EXACT_NAME_BOOST),
            )
        ]
        scores += [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.term_query(schema, "codes_exact", w), EXACT_CODE_BOOST),
            )
            for w in plan.exact_words
        ]
        return required, unscored, scores

    def _query(self, schema: Any, q: SearchQuery, plan: QueryPlan) -> tuple[Any, Any]:
        """(the scored query, the same matches without scoring for counting facets)."""
        must = [(tantivy.Occur.Must, _filter(tantivy.Query.term_query(schema, "type", q.type)))]
        for facet, values in q.filters.items():
            if facet not in FACETS:
                raise BadQuery(f"unknown filter {facet!r}; filters are {', '.join(FACETS)}")
            if values:
                must.append((tantivy.Occur.Must, _filter(tantivy.Query.term_set_query(schema, facet, list(values)))))
        if not plan.units:
            query = tantivy.Query.boolean_query(must)
            return query, query
        required, unscored, scores = self._text(schema, plan)
        return tantivy.Query.boolean_query(must + required + scores), tantivy.Query.boolean_query(must + unscored)

    def search(self, q: SearchQuery) -> SearchResult:
        check_page(q)
        return with_typo_fallback(lambda plan: self._search(q, plan), self.synonyms.plan(q.text), q.typos)

    def _search(self, q: SearchQuery, plan: QueryPlan) -> SearchResult:
        index = self.index()
        searcher = index.searcher()
        query, matches = self._query(index.schema, q, plan)
        if q.limit == 0:  # counting only: no hit is scored or read
            total, facets = _count_facets(searcher, matches, q.facets)
            return SearchResult(total=total, hits=[], facets=facets if q.facets else {})
        # Facets are counted on the second core while this thread collects, reads and highlights
        # the hits (tantivy releases the GIL). With facets the total comes from that count, so
        # the top-k collection need not count too and may skip documents that cannot make it.
        counting = _FACET_POOL.submit(_count_facets, searcher, matches, q.facets) if q.facets else None
        kwargs: dict[str, Any] = {"limit": max(1, q.limit), "offset": q.offset, "count": not q.facets}
        by_name = q.sort == "name" or not plan.units
        if by_name:
            kwargs.update(order_by_field="name_sort", order=tantivy.Order.Asc)
        result = searcher.search(query, **kwargs)
        splitter = decompounder(self.compounds)
        hits = []
        for score, address in result.hits[: q.limit]:
            doc = _stored(searcher, address)
            hits.append(
                Hit(
                    key=doc["key"],
                    score=0.0 if by_name else float(score),
                    doc=doc,
                    highlights=highlight(doc, plan, splitter) if q.highlight else {},
                )
            )
        if counting is None:
            return SearchResult(total=result.count or 0, hits=hits)
        total, facets = counting.result()
        return SearchResult(total=total, hits=hits, facets=facets)

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
            value: tuple[Any, ...] = (self._current, meta.st_ino, meta.st_mtime_ns, self.synonyms.list.version())
        except FileNotFoundError:  # replaced by a rebuild just now: the next call sees the new one
            return self._current, 0, 0, self.synonyms.list.version()
        if self._seen is not None and self._seen != value[:3]:
            # another process committed (or we did, and `_expire` forgot the cached value): searches
            # answered (and cached) under the new generation must see it now, not when the index's
            # own watcher notices, up to seconds later
            index.reload()
        self._seen = value[:3]
        self._generation = (time.monotonic() + RECHECK, self.synonyms, value)
        return value

    def close(self) -> None:
        self._index = None


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_FACET_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tantivy-facets")


def _count_facets(searcher: Any, query: Any, facets: tuple[str, ...]) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """(total matches, facet counts), from one aggregation request."""
    aggs = {f: {"terms": {"field": f, "size": 100}} for f in facets}
    raw = searcher.aggregate(query, {**aggs, "_total": {"terms": {"field": "type", "size": 1}}})
    total = sum(b["doc_count"] for b in raw["_total"]["buckets"])
    return total, {f: facet_counts(raw.get(f, {}).get("buckets", [])) for f in facets}


def _stored(searcher: Any, address: Any) -> dict[str, Any]:
    return orjson.loads(searcher.doc(address).get_first(STORED))


def _all(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _filter(query: Any) -> Any:
    """A clause that restricts without scoring."""
    return tantivy.Query.const_score_query(query, 0.0)
