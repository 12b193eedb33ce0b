"""Elasticsearch / OpenSearch backend through the official `elasticsearch` client.

Configured by the settings `elasticsearch_url` and `elasticsearch_index` (the alias searches
use); credentials: `elasticsearch_api_key`, or `elasticsearch_user` + `elasticsearch_password`.
For OpenSearch-compatible servers that refuse the client's compatibility headers set
`elasticsearch_plain_json` (see `plain_json_transport`). Each setting is declared, with its
environment variable (`CATALOG_ELASTICSEARCH_*`), in `catalog.config.SETTINGS`.

The program creates the index with its own mappings and analyzers (the analysis chains named in
`catalog.search.analysis`: the standard tokenizer after turning underscores and apostrophes into
spaces, so words split as in tantivy's simple tokenizer (MORS_ALDER is mors + alder; a `pattern`
tokenizer would match tantivy exactly but the emulator mis-applies it at index time); lowercase, Snowball stemmer per language, ASCII
folding). Every index is concrete and named `<alias>-<timestamp>`; `replace_all` fills a new one
and then moves the alias in a single `_aliases` call, so searches never see a half-built index.
Synonyms are expanded by the query plan, so editing the synonym file needs no reindex here either.

Only query DSL shared by Elasticsearch 8/9 and OpenSearch 2/3 is used (bool, dis_max, match with
fuzziness, term(s), prefix, match_phrase_prefix, terms aggregation, from/size, sort on keywords).
Tested: the full contract suite against the osmem-server 0.1.6 emulator (reports OpenSearch 3.8.0)
with elasticsearch-py 9.5 through the plain-JSON transport. Not tested here against a real
Elasticsearch or OpenSearch cluster (none can be installed on the build machines); set
`CATALOG_ELASTICSEARCH_URL` when running the tests to run the same suite against one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

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

if TYPE_CHECKING:
    from pathlib import Path

    from catalog.config import Settings

TIE_BREAKER = 0.1
BULK_CHUNK = 1000
STEMMERS = {"norwegian": "norwegian", "english": "porter2"}
"""Snowball stemmers by their Elasticsearch names (`porter2` is Snowball English, as in tantivy)."""


class IndexingError(RuntimeError):
    """Documents the server refused; the message names the first few keys and reasons."""


def index_body() -> dict[str, Any]:
    """Settings and mappings of a catalogue index, built from the shared field table."""
    filters = {
        f"{name}_stemmer": {"type": "stemmer", "language": STEMMERS[language]}
        for name, language in ANALYZERS.items()
        if language
    }
    analyzers = {
        name: {
            "type": "custom",
            "tokenizer": "standard",
            "char_filter": ["word_joiners"],
            "filter": ["lowercase", *([f"{name}_stemmer"] if language else []), "asciifolding"],
        }
        for name, language in ANALYZERS.items()
    }
    properties: dict[str, Any] = {name: {"type": "keyword"} for name in KEYWORD_FIELDS}
    properties.update({name: {"type": "text", "analyzer": analyzer} for name, analyzer in FIELD_ANALYZER.items()})
    properties["doc"] = {"type": "object", "enabled": False}
    char_filter = {"word_joiners": {"type": "pattern_replace", "pattern": "[_'’]", "replacement": " "}}
    return {
        "settings": {
            "number_of_shards": 1,
            "analysis": {"char_filter": char_filter, "filter": filters, "analyzer": analyzers},
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def client_for(
    url: str, *, api_key: str = "", user: str = "", password: str = "", plain_json: bool = False
) -> Elasticsearch:
    """A client for `url` with these credentials (an API key, or user and password) and transport."""
    kwargs: dict[str, Any] = {"request_timeout": 60}
    if api_key:
        kwargs["api_key"] = api_key
    elif user:
        kwargs["basic_auth"] = (user, password)
    if plain_json:
        from catalog.search.plain_json_transport import PlainJsonNode

        kwargs["node_class"] = PlainJsonNode
    return Elasticsearch(url, **kwargs)


def client_from_settings(settings: Settings) -> Elasticsearch:
    """The client the settings describe (`elasticsearch_*`)."""
    return client_for(
        settings.elasticsearch_url,
        api_key=settings.elasticsearch_api_key,
        user=settings.elasticsearch_user,
        password=settings.elasticsearch_password,
        plain_json=settings.elasticsearch_plain_json,
    )


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(
        self, client: Elasticsearch, alias: str, synonyms: Synonyms | None = None, compounds: Path = COMPOUNDS_FILE
    ):
        self.client = client
        self.alias = alias
        self.synonyms = synonyms or shipped_synonyms()
        self.compounds = compounds
        if not self.client.indices.exists_alias(name=alias):
            if self.client.indices.exists(index=alias):
                raise IndexingError(
                    f"{alias!r} is an index, not an alias; delete it or choose another "
                    "CATALOG_ELASTICSEARCH_INDEX (the catalogue manages <name>-<timestamp> indices)"
                )
            self._point_alias(self._new_index())

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchBackend:
        from catalog.config import ConfigError

        if not settings.elasticsearch_url:
            raise ConfigError(
                "CATALOG_SEARCH_BACKEND=elasticsearch needs CATALOG_ELASTICSEARCH_URL "
                "(e.g. https://search.example.org:9200)"
            )
        return cls(client_from_settings(settings), settings.elasticsearch_index)

    # -- index lifecycle --------------------------------------------------------------------
    def _new_index(self) -> str:
        name = f"{self.alias}-{time.time_ns()}"
        self.client.indices.create(index=name, **index_body())
        return name

    def _indices(self) -> list[str]:
        try:
            return list(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _point_alias(self, name: str) -> None:
        """Move the alias to `name` in one atomic step, then drop the indices it left."""
        old = [i for i in self._indices() if i != name]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for index in old:
            self.client.indices.delete(index=index, ignore_unavailable=True)

    # -- writing ----------------------------------------------------------------------------
    def _actions(self, index: str, docs: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        splitter = decompounder(self.compounds)
        for doc in docs:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": doc["key"],
                "_source": {**index_fields(doc, splitter), "doc": doc},
            }

    def _bulk(self, actions: Iterable[dict[str, Any]], ignore_status: tuple[int, ...] = ()) -> int:
        n, errors = 0, []
        for ok, item in helpers.streaming_bulk(
            self.client, actions, chunk_size=BULK_CHUNK, raise_on_error=False, ignore_status=ignore_status
        ):
            n += 1
            if not ok and not any(op.get("status") in ignore_status for op in item.values()):
                errors.append(item)
        if errors:
            detail = "; ".join(f"{op.get('_id')}: {op.get('error')}" for e in errors[:5] for op in e.values())
            raise IndexingError(f"{self.alias}: {len(errors)} of {n} documents refused ({detail})")
        return n

    def replace_all(self, docs: Iterable[dict[str, Any]]) -> int:
        name = self._new_index()
        try:
            n = self._bulk(self._actions(name, docs))
            self.client.indices.refresh(index=name)
        except Exception:
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        self._point_alias(name)
        return n

    def upsert(self, docs: Iterable[dict[str, Any]]) -> int:
        n = self._bulk(self._actions(self.alias, docs))
        self.client.indices.refresh(index=self.alias)
        return n

    def delete(self, keys: Iterable[str]) -> None:
        self._bulk(({"_op_type": "delete", "_index": self.alias, "_id": k} for k in keys), ignore_status=(404,))
        self.client.indices.refresh(index=self.alias)

    # -- queries ----------------------------------------------------------------------------
    @staticmethod
    def _word(word: str, plan: QueryPlan) -> dict[str, Any]:
        """One query word against every text field (best field wins), plus typo variants."""
        options: list[dict[str, Any]] = []
        distance = plan.fuzziness(word)
        for field_name, boost in FIELD_BOOSTS.items():
            options.append({"match": {field_name: {"query": word, "operator": "and", "boost": boost}}})
            if distance and field_name in FUZZY_FIELDS:
                options.append(
                    {
                        "match": {
                            field_name: {"query": word, "operator": "and", "fuzziness": distance, "boost": FUZZY_BOOST}
                        }
                    }
                )
        return {"dis_max": {"queries": options, "tie_breaker": TIE_BREAKER}}

    def _alternative(self, alternative: Alternative, plan: QueryPlan) -> dict[str, Any]:
        return {"bool": {"must": [self._word(w, plan) for w in alternative.words], "boost": alternative.weight}}

    def _query(self, q: SearchQuery, plan: QueryPlan) -> dict[str, Any]:
        filters: list[dict[str, Any]] = [{"term": {"type": q.type}}]
        for facet, values in q.filters.items():
            if facet not in FACETS:
                raise BadQuery(f"unknown filter {facet!r}; filters are {', '.join(FACETS)}")
            if values:
                filters.append({"terms": {facet: list(values)}})
        query: dict[str, Any] = {"filter": filters}
        if plan.units:
            query["must"] = [
                {"bool": {"should": [self._alternative(a, plan) for a in unit], "minimum_should_match": 1}}
                for unit in plan.units
            ]
            query["should"] = [
                {"term": {"name_exact": {"value": plan.exact, "boost": EXACT_NAME_BOOST}}},
                *({"term": {"codes_exact": {"value": w, "boost": EXACT_CODE_BOOST}}} for w in plan.exact_words),
            ]
        return {"bool": query}

    def search(self, q: SearchQuery) -> SearchResult:
        check_page(q)
        return with_typo_fallback(lambda plan: self._search(q, plan), self.synonyms.plan(q.text), q.typos)

    def _search(self, q: SearchQuery, plan: QueryPlan) -> SearchResult:
        by_name = q.sort in ("name", "uses") or not plan.units
        field = "uses_sort" if q.sort == "uses" else "name_sort"
        sort = [{field: "asc"}, {"key": "asc"}] if by_name else ["_score", {"key": "asc"}]
        body: dict[str, Any] = {
            "query": self._query(q, plan),
            "from": q.offset,
            "size": q.limit,
            "sort": sort,
            "track_total_hits": True,
            "_source": ["doc"],
        }
        if q.facets:
            body["aggs"] = {f: {"terms": {"field": f, "size": 100}} for f in q.facets}
        answer = self.client.search(index=self.alias, **body)
        splitter = decompounder(self.compounds)
        hits = []
        for raw in answer["hits"]["hits"]:
            doc = raw["_source"]["doc"]
            hits.append(
                Hit(
                    key=doc["key"],
                    score=0.0 if by_name else float(raw["_score"] or 0.0),
                    doc=doc,
                    highlights=highlight(doc, plan, splitter) if q.highlight else {},
                )
            )
        aggs = answer.get("aggregations", {})
        facets = {f: facet_counts(aggs.get(f, {}).get("buckets", [])) for f in q.facets}
        return SearchResult(total=int(answer["hits"]["total"]["value"]), hits=hits, facets=facets)

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        folded = [fold(w) for w in words(prefix.replace("_", " "))]
        if not folded:
            return []
        if len(folded) == 1:
            text_query: dict[str, Any] = {"prefix": {"suggest": folded[0]}}
        else:
            text_query = {"match_phrase_prefix": {"suggest": " ".join(folded)}}
        answer = self.client.search(
            index=self.alias,
            size=limit * 5,
            source={"includes": ["doc"]},
            query={"bool": {"filter": [{"term": {"type": "variable"}}], "must": [text_query]}},
        )
        return rank_suggestions((h["_source"]["doc"] for h in answer["hits"]["hits"]), prefix, limit)

    def count(self) -> int:
        return int(self.client.count(index=self.alias)["count"])

    def generation(self) -> tuple[Any, ...]:
        """Per index behind the alias: its uuid (a rebuild makes a new one) and its counts of
        indexing and delete operations, which every write raises, updates in place included;
        and the synonym list's version (synonyms apply at query time)."""
        stats = self.client.indices.stats(index=self.alias, metric="indexing")["indices"]
        return (
            *sorted(
                (
                    s.get("uuid", name),
                    s["primaries"]["indexing"]["index_total"],
                    s["primaries"]["indexing"]["delete_total"],
                )
                for name, s in stats.items()
            ),
            self.synonyms.list.version(),
        )

    def close(self) -> None:
        self.client.close()
