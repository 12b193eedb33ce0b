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
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from catalog.search import FACETS, BadQuery, Hit, SearchQuery, SearchResult
from catalog.search.analysis import (
    ANALYZERS, COMPOUNDS_FILE, EXACT_CODE_BOOST, EXACT_NAME_BOOST, FIELD_ANALYZER, FIELD_BOOSTS,
    FUZZY_BOOST, FUZZY_FIELDS, KEYWORD_FIELDS, Alternative, QueryPlan, Synonyms,
    decompounder, fold, fuzziness, highlight, index_fields, rank_suggestions, synonyms_from_env, words)
from catalog.search.results import check_page, facet_counts

TIE_BREAKER = 0.1
WRITER_HEAP = 256_000_000
WRITER_THREADS = 2


def _analyzer(language: str | None) -> Any:
    """Words are runs of letters and digits (the simple tokenizer: three times faster to index
    than a regex tokenizer); MORS_ALDER is the two words mors + alder, as in Elasticsearch."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
    if language:
        builder = builder.filter(tantivy.Filter.stemmer(language))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


def _schema() -> Any:
    b = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name, analyzer in FIELD_ANALYZER.items():
        b.add_text_field(name, stored=False, tokenizer_name=analyzer)
    b.add_bytes_field("doc", stored=True)
    return b.build()


class TantivyBackend:
    name = "tantivy"

    def __init__(self, root: Path, synonyms: Synonyms | None = None, compounds: Path = COMPOUNDS_FILE):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.synonyms = synonyms or synonyms_from_env()
        self.compounds = compounds
        self.analyzers = {name: _analyzer(language) for name, language in ANALYZERS.items()}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._index: Any = None
        self._current: str | None = None
        if not (self.root / "CURRENT").exists():
            self._switch(self._new_dir())

    # -- index lifecycle --------------------------------------------------------------------
    def _new_dir(self) -> str:
        name = f"ix-{time.time_ns()}"
        (self.root / name).mkdir()
        self._open(name, create=True)
        return name

    def _open(self, name: str, create: bool = False) -> Any:
        index = tantivy.Index(_schema(), path=str(self.root / name), reuse=not create)
        for analyzer, built in self.analyzers.items():
            index.register_tokenizer(analyzer, built)
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
        current = (self.root / "CURRENT").read_text().strip()
        with self._lock:
            if current != self._current:
                self._index = self._open(current)
                self._current = current
            return self._index

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[None]:
        """tantivy allows one writer per index: serialise writers across threads and processes."""
        with self._write_lock, open(self.root / "WRITE.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _documents(self, docs: Iterable[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
        splitter = decompounder(self.compounds)
        for doc in docs:
            fields = index_fields(doc, splitter)
            fields["doc"] = json.dumps(doc).encode()
            yield doc["key"], tantivy.Document(**fields)

    def _write(self, index: Any, docs: Iterable[dict[str, Any]], replace: bool, heap: int = WRITER_HEAP) -> int:
        writer = index.writer(heap_size=heap, num_threads=WRITER_THREADS)
        n = 0
        for key, document in self._documents(docs):
            if replace:
                writer.delete_documents_by_term("key", key)
            writer.add_document(document)
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return n

    def replace_all(self, docs: Iterable[dict[str, Any]]) -> int:
        with self._writing():
            name = self._new_dir()
            n = self._write(self._open(name), docs, replace=False)
            self._switch(name)
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

    # -- queries ----------------------------------------------------------------------------
    def _word(self, schema: Any, word: str) -> Any:
        """One query word against every text field (best field wins), plus typo variants."""
        options = []
        distance = fuzziness(word)
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

    def _alternative(self, schema: Any, alternative: Alternative) -> Any:
        query = _all([self._word(schema, w) for w in alternative.words])
        return query if alternative.weight == 1.0 else tantivy.Query.boost_query(query, alternative.weight)

    def _text(self, schema: Any, plan: QueryPlan) -> list[tuple[Any, Any]]:
        clauses = [(tantivy.Occur.Must, tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._alternative(schema, a)) for a in unit])) for unit in plan.units]
        clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(
            tantivy.Query.term_query(schema, "name_exact", plan.exact), EXACT_NAME_BOOST)))
        clauses += [(tantivy.Occur.Should, tantivy.Query.boost_query(
            tantivy.Query.term_query(schema, "codes_exact", w), EXACT_CODE_BOOST)) for w in plan.exact_words]
        return clauses

    def _query(self, schema: Any, q: SearchQuery, plan: QueryPlan) -> Any:
        must = [(tantivy.Occur.Must, _filter(tantivy.Query.term_query(schema, "type", q.type)))]
        for facet, values in q.filters.items():
            if facet not in FACETS:
                raise BadQuery(f"unknown filter {facet!r}; filters are {', '.join(FACETS)}")
            if values:
                must.append((tantivy.Occur.Must, _filter(tantivy.Query.term_set_query(schema, facet, list(values)))))
        if plan.units:
            must += self._text(schema, plan)
        return tantivy.Query.boolean_query(must)

    def search(self, q: SearchQuery) -> SearchResult:
        check_page(q)
        plan = self.synonyms.plan(q.text)
        index = self.index()
        searcher = index.searcher()
        query = self._query(index.schema, q, plan)
        kwargs: dict[str, Any] = {"limit": max(1, q.limit), "offset": q.offset, "count": True}
        by_name = q.sort == "name" or not plan.units
        if by_name:
            kwargs.update(order_by_field="name_sort", order=tantivy.Order.Asc)
        result = searcher.search(query, **kwargs)
        splitter = decompounder(self.compounds)
        hits = []
        for score, address in result.hits[: q.limit]:
            doc = json.loads(bytes(searcher.doc(address)["doc"][0]))
            hits.append(Hit(key=doc["key"], score=0.0 if by_name else float(score), doc=doc,
                            highlights=highlight(doc, plan, splitter) if q.highlight else {}))
        facets = {}
        if q.facets:
            raw = searcher.aggregate(query, {f: {"terms": {"field": f, "size": 100}} for f in q.facets})
            facets = {f: facet_counts(raw.get(f, {}).get("buckets", [])) for f in q.facets}
        return SearchResult(total=result.count or 0, hits=hits, facets=facets)

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
            text_query = tantivy.Query.phrase_prefix_query(schema, "suggest", folded)
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, _filter(tantivy.Query.term_query(schema, "type", "variable"))),
            (tantivy.Occur.Must, text_query)])
        found = searcher.search(query, limit=limit * 5, count=False).hits
        docs = (json.loads(bytes(searcher.doc(address)["doc"][0])) for _score, address in found)
        return rank_suggestions(docs, prefix, limit)

    def count(self) -> int:
        return self.index().searcher().num_docs

    def close(self) -> None:
        self._index = None


def _all(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _filter(query: Any) -> Any:
    """A clause that restricts without scoring."""
    return tantivy.Query.const_score_query(query, 0.0)
