"""Elasticsearch / OpenSearch backend through the official `elasticsearch` client (8.x).

Configured by the settings `elasticsearch_url` and `elasticsearch_index` (the alias searches
use; an Elasticsearch index name: lower case, no `\\/*?"<>|,#:` or spaces); TLS trust by
`elasticsearch_ca_certs` (the cluster's CA file: self-managed Elasticsearch 8/9 makes its own) or
`elasticsearch_fingerprint` (the SHA-256 of its certificate); replicas after a rebuild by
`elasticsearch_replicas`; credentials: `elasticsearch_api_key`, or `elasticsearch_user` +
`elasticsearch_password`. For OpenSearch-compatible servers that refuse the client's
compatibility headers set `elasticsearch_plain_json` (see `plain_json_transport`). Each setting is
declared, with its environment variable (`CATALOG_ELASTICSEARCH_*`), in `catalog.config.SETTINGS`.

The client is pinned to 8.x (`elasticsearch>=8.13,<9`): the 9.x client sends `compatible-with=9`,
which Elasticsearch 8 refuses, while the 8.x client is accepted by Elasticsearch 8 and 9.

The program creates the index with its own mappings and analyzers (the analysis chains named in
`catalog.search.analysis`: the standard tokenizer after turning every run of characters that are
neither letters nor digits into a space, so words split as in tantivy's simple tokenizer: MORS_ALDER
is mors + alder, and a dotted code "I21.0" is i21 + 0, so "I21" finds it; a `pattern` tokenizer
would do the same in one step but the emulator mis-applies it at index time; lowercase, Snowball
stemmer per language, ASCII folding). Every index is concrete and named `<alias>-<timestamp>`;
`replace_all` fills a new one (no refresh, no replicas, until it is complete), restores refresh
and replicas, and then moves the alias in a single `_aliases` call, so searches never see a
half-built index. An index a killed rebuild left behind (never behind the alias, its builder
process gone, or older than a day) is removed by the next rebuild. Synonyms and code names are
expanded by the query plan, so editing them needs no reindex here either.

Only query DSL shared by Elasticsearch 8/9 and OpenSearch 2/3 is used (bool, dis_max,
constant_score, match with fuzziness, term(s), prefix, match_phrase_prefix, terms, cardinality,
min and stats aggregations, collapse with inner_hits, search_after, from/size, sort on keywords).
Every plan is kept under Lucene's 1,024 clauses (`catalog.search.results.within_budget`), and a
server that still refuses a query as having too many clauses gives a "too complex" `BadQuery`.
Tested: the full contract suite against the osmem-server 0.1.6 emulator (reports OpenSearch 3.8.0)
with elasticsearch-py 8.19 through the plain-JSON transport. The emulator is not Lucene: its
scores differ (the contract asserts orders both engines agree on), it enforces no clause limit,
and it accepts wildcard deletes that Elasticsearch 8 refuses. Not tested here against a real
Elasticsearch or OpenSearch cluster (none can be installed on the build machines); set
`CATALOG_ELASTICSEARCH_URL` when running the tests to run the same suite against one.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import re
import socket
import time
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from elastic_transport import ConnectionError as Unreachable
from elastic_transport import ConnectionTimeout, TlsError
from elasticsearch import ApiError, Elasticsearch, NotFoundError, UnsupportedProductError, helpers

from catalog.config import ConfigError
from catalog.search import (
    DOC_TYPES,
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
from catalog.search.documents import stored
from catalog.search.results import (
    MEMBER_FIELDS,
    SPAN,
    check_page,
    disjunctive,
    facet_counts,
    mark,
    marked_codelists,
    member,
    ordered,
    relaxed,
    span,
    too_complex,
)
from catalog.search.years import YEAR_FILTER, YEARLESS, covering, one_pass, typed_words
from catalog.store import process_token
from catalog.topics import Area

if TYPE_CHECKING:
    from pathlib import Path

    from catalog.config import Settings

log = logging.getLogger(__name__)

TIE_BREAKER = 0.1
BULK_CHUNK = 1000
BULK_RETRIES = 5
"""Retries of documents the cluster refused with 429 (too many requests), backing off..."""
BULK_BACKOFF = 1.0
"""...from this many seconds, doubling (so 1 + 2 + 4 + 8 + 16 s at most)."""
SCAN_PAGE = 1000
ORPHAN_SECONDS = 24 * 3600
"""An index outside the alias this old is left from a rebuild on another host that died."""
STEMMERS = {"norwegian": "norwegian", "english": "porter2"}
"""Snowball stemmers by their Elasticsearch names (`porter2` is Snowball English, as in tantivy)."""
INDEX_ONLY = ("code_terms", "code_labels", "affixes", "parts", "suggest")
"""Fields only searched, never read back: kept out of `_source` (a whole classification's codes
would otherwise be stored with every variable using it)."""
INDEX_NAME = re.compile(r'^[a-z0-9][^A-Z\\/*?"<>|,# :]*$')
TOO_MANY_CLAUSES = re.compile(r"too_many(_nested)?_clauses|maxClauseCount|max_clause_count", re.IGNORECASE)
MEMBER_SOURCE = [f"doc.{name}" for name in MEMBER_FIELDS]
"""What a group's inner hits read of each member: what `results.member` keeps (its dataset's titles
in every language among them, which the English page shows)."""


class IndexingError(RuntimeError):
    """Documents the server refused; the message names the first few keys and reasons."""


def check_index_name(alias: str) -> None:
    """Refuse a name Elasticsearch would refuse, before any request, naming the setting."""
    if not INDEX_NAME.match(alias) or alias in (".", "..") or len(alias.encode()) > 200:
        raise ConfigError(
            f"CATALOG_ELASTICSEARCH_INDEX={alias!r} is not a valid index name: use lower case letters, "
            'digits and - or _, not starting with - or _, without \\ / * ? " < > | , # : or spaces'
        )


def index_body(replicas: int | None = None, building: bool = False) -> dict[str, Any]:
    """Settings and mappings of a catalogue index, built from the shared field table. A `building`
    index (being filled by a rebuild) has no refresh and no replicas, and names its builder."""
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
    properties.update({name: {"type": "integer"} for name in ("period_start", "period_end")})
    properties["doc"] = {"type": "object", "enabled": False}
    char_filter = {"word_joiners": {"type": "pattern_replace", "pattern": "[^\\p{L}\\p{N}]+", "replacement": " "}}
    settings: dict[str, Any] = {
        "number_of_shards": 1,
        "analysis": {"char_filter": char_filter, "filter": filters, "analyzer": analyzers},
    }
    if building:
        settings.update(number_of_replicas=0, refresh_interval="-1")
    elif replicas is not None:
        settings["number_of_replicas"] = replicas
    mappings: dict[str, Any] = {
        "dynamic": "strict",
        "_source": {"excludes": list(INDEX_ONLY)},
        "properties": properties,
    }
    if building:
        mappings["_meta"] = {"helsekatalog": {"builder": process_token(), "host": socket.gethostname()}}
    return {"settings": settings, "mappings": mappings}


PLAIN_JSON_HINT = "for an OpenSearch or other Elasticsearch-compatible server set CATALOG_ELASTICSEARCH_PLAIN_JSON=1"
TLS_HINT = "check CATALOG_ELASTICSEARCH_CA_CERTS or CATALOG_ELASTICSEARCH_FINGERPRINT"
CREDENTIALS_HINT = "check CATALOG_ELASTICSEARCH_API_KEY, or CATALOG_ELASTICSEARCH_USER and _PASSWORD"


READ_SECONDS = 10.0
"""How long a search (or any read a page makes) waits for the cluster: the client's own 60 s held a
researcher's page for a minute before its 503, and every page queued behind it in a serving process.
Writes (a bulk rebuild, index settings) keep the client's 60 s."""
QUIET_SECONDS = 10.0
"""After the cluster did not answer in time, for this long every request fails at once, without
asking it (a stalled node accepts connections and never answers); then one request asks again."""
_quiet_until: dict[str, float] = {}
"""The cluster's node addresses -> until when it is not asked (per process, all clients alike)."""


class Client(Elasticsearch):
    """The official client, with the failures that are the cluster's rather than the request's
    raised as `SearchUnavailable`, saying what to check: unreachable (down, a wrong address, TLS
    trust), no answer in time, credentials refused, the compatibility headers refused (an
    OpenSearch server without `elasticsearch_plain_json`), or a server error (5xx: a cluster
    starting or without its shards). What a request itself caused (400, 404, 409, 429) is raised
    as the client raises it, for the callers that handle it (too many clauses, bulk retries).
    Every API call and `client.options(...)` (the bulk helper's) goes through here."""

    def perform_request(self, method: str, path: str, **kwargs: Any) -> Any:
        where = _where(self)
        quiet = _quiet_until.get(where, 0.0) - time.monotonic()
        if quiet > 0:
            raise SearchUnavailable(
                f"the search cluster at {where} did not answer in time; it is asked again in {quiet:.0f} s"
            )
        try:
            return super().perform_request(method, path, **kwargs)
        except ConnectionTimeout as exc:
            _quiet_until[where] = time.monotonic() + QUIET_SECONDS
            raise SearchUnavailable(f"the search cluster at {where} did not answer in time") from exc
        except TlsError as exc:
            raise SearchUnavailable(
                f"the search cluster at {_where(self)} failed the TLS handshake ({_reason(exc)}): {TLS_HINT}"
            ) from exc
        except Unreachable as exc:
            raise SearchUnavailable(f"the search cluster at {_where(self)} cannot be reached ({_reason(exc)})") from exc
        except UnsupportedProductError as exc:
            raise SearchUnavailable(
                f"the server at {_where(self)} does not answer as Elasticsearch: {PLAIN_JSON_HINT}"
            ) from exc
        except ApiError as exc:
            status = exc.meta.status
            if status == 406:
                raise SearchUnavailable(
                    f"the search cluster at {_where(self)} refused the client's Elasticsearch compatibility "
                    f"headers (HTTP 406): {PLAIN_JSON_HINT}"
                ) from exc
            if status in (401, 403):
                raise SearchUnavailable(
                    f"the search cluster at {_where(self)} refused the catalogue's credentials "
                    f"(HTTP {status}): {CREDENTIALS_HINT}"
                ) from exc
            if status >= 500:
                raise SearchUnavailable(f"the search cluster at {_where(self)} failed (HTTP {status}: {exc})") from exc
            if status == 404 and exc.error == "index_not_found_exception":  # deleted, or a new cluster
                raise _missing(self, path.split("/")[1]) from exc
            raise


def _where(client: Elasticsearch) -> str:
    """The cluster's node addresses, without credentials (the client keeps none in them)."""
    nodes = [node.config for node in client.transport.node_pool.all()]
    return ", ".join(f"{c.scheme}://{c.host}:{c.port}" for c in nodes) or "(no node)"


def _missing(client: Elasticsearch, name: str) -> IndexMissing:
    """The index or alias `name` is not in the cluster: deleted, or a new cluster."""
    return IndexMissing(
        f"the search cluster at {_where(client)} has no index {name!r} (CATALOG_ELASTICSEARCH_INDEX): "
        "the scheduler rebuilds it from the store at its next tick, or run `catalog reindex`"
    )


def _reason(exc: BaseException) -> str:
    """The first cause of a transport error, as the system said it ("Connection refused", "Name
    or service not known", the certificate check's words), not the client's nesting of wrappers."""
    while True:
        errors: tuple[BaseException, ...] = tuple(getattr(exc, "errors", None) or ())
        cause = exc.__cause__ or (errors[0] if errors else None)
        if cause is None:
            break
        exc = cause
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def client_for(
    url: str,
    *,
    api_key: str = "",
    user: str = "",
    password: str = "",
    plain_json: bool = False,
    ca_certs: str = "",
    fingerprint: str = "",
) -> Elasticsearch:
    """A client for `url` with these credentials (an API key, or user and password), TLS trust
    (a CA file, or the certificate's fingerprint) and transport."""
    kwargs: dict[str, Any] = {"request_timeout": 60}
    if api_key:
        kwargs["api_key"] = api_key
    elif user:
        kwargs["basic_auth"] = (user, password)
    if ca_certs:
        if not os.path.isfile(ca_certs):
            raise ConfigError(
                f"CATALOG_ELASTICSEARCH_CA_CERTS={ca_certs!r}: no such file (the cluster's CA certificate)"
            )
        kwargs["ca_certs"] = ca_certs
    if fingerprint:
        digits = fingerprint.replace(":", "").lower()
        if not re.fullmatch(r"[0-9a-f]{64}", digits):
            raise ConfigError(
                f"CATALOG_ELASTICSEARCH_FINGERPRINT={fingerprint!r}: expected the SHA-256 fingerprint of the "
                "cluster's certificate, 64 hex digits (colons allowed)"
            )
        kwargs["ssl_assert_fingerprint"] = digits
    if plain_json:
        from catalog.search.plain_json_transport import PlainJsonNode

        kwargs["node_class"] = PlainJsonNode
    return Client(url, **kwargs)


def client_from_settings(settings: Settings) -> Elasticsearch:
    """The client the settings describe (`elasticsearch_*`)."""
    return client_for(
        settings.elasticsearch_url,
        api_key=settings.elasticsearch_api_key,
        user=settings.elasticsearch_user,
        password=settings.elasticsearch_password,
        plain_json=settings.elasticsearch_plain_json,
        ca_certs=settings.elasticsearch_ca_certs,
        fingerprint=settings.elasticsearch_fingerprint,
    )


class ElasticsearchBackend:
    name = "elasticsearch"
    rows_estimated_from: int | None = None  # exact below its precision threshold, beyond any page (`_cardinality`)

    def __init__(
        self,
        client: Elasticsearch,
        alias: str,
        synonyms: Synonyms | None = None,
        compounds: Path = COMPOUNDS_FILE,
        replicas: int | None = None,
        create: bool = True,
    ):
        check_index_name(alias)
        self.client = client
        self._reads = client.options(request_timeout=READ_SECONDS)
        """The client for a page's reads, waiting `READ_SECONDS` at most: made once (`options`
        copies the client, ~0.12 ms, and a page reads up to three times)."""
        self.alias = alias
        self.synonyms = synonyms or shipped_synonyms()
        self.compounds = compounds
        self.replicas = replicas
        self._staged = False  # documents sent since the last refresh (`stage`)
        self._aliased = False  # the alias is known to be there (`_ensure_alias`)
        self.create = create
        """Make the alias and a first index where the cluster has none: the scheduler's and the
        commands' backends do; an explorer's does not (the web never writes), so an explorer
        with a misspelt index name is not ready, naming it, rather than making an empty index."""
        try:
            self._ensure_alias()
        except SearchUnavailable as exc:  # an explorer or scheduler starting before its cluster
            log.warning("%s; tried again at the next search or write", exc)

    def _ensure_alias(self) -> None:
        """Make the alias (and a first, empty index behind it) if the cluster has none. At start,
        and until it succeeds, before every search and write: a process may start while its
        cluster is down or still starting, and is then not ready (/readyz) rather than gone."""
        if self._aliased:
            return
        alias = self.alias
        if not self._reads.indices.exists_alias(name=alias):
            if self.client.indices.exists(index=alias):
                raise IndexingError(
                    f"{alias!r} is an index, not an alias; delete it or choose another "
                    "CATALOG_ELASTICSEARCH_INDEX (the catalogue manages <name>-<timestamp> indices)"
                )
            if not self.create:
                raise _missing(self.client, alias)
            self._point_alias(self._new_index())
        self._aliased = True

    @classmethod
    def from_settings(cls, settings: Settings, create: bool = True) -> ElasticsearchBackend:
        if not settings.elasticsearch_url:
            raise ConfigError(
                "CATALOG_SEARCH_BACKEND=elasticsearch needs CATALOG_ELASTICSEARCH_URL "
                "(e.g. https://search.example.org:9200)"
            )
        check_index_name(settings.elasticsearch_index)
        return cls(
            client_from_settings(settings),
            settings.elasticsearch_index,
            replicas=settings.elasticsearch_replicas,
            create=create,
        )

    # -- index lifecycle --------------------------------------------------------------------
    def _new_index(self, building: bool = False) -> str:
        name = f"{self.alias}-{time.time_ns()}"
        self.client.indices.create(index=name, **index_body(self.replicas, building))
        return name

    def _indices(self) -> list[str]:
        """The concrete indices behind the alias (one, except for a moment during a swap)."""
        try:
            return list(self.client.indices.get_alias(name=self.alias))
        except (NotFoundError, IndexMissing):
            return []

    def _own(self) -> dict[str, Any]:
        """Every index this alias's rebuilds made (`<alias>-<digits>`), by name, with settings and mappings."""
        pattern = re.compile(re.escape(self.alias) + r"-\d+")
        found = self.client.indices.get(index=f"{self.alias}-*", allow_no_indices=True, ignore_unavailable=True)
        return {name: info for name, info in found.items() if pattern.fullmatch(name)}

    def _point_alias(self, name: str) -> None:
        """Move the alias to `name` in one atomic step, then drop the indices it left."""
        old = [i for i in self._indices() if i != name]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for index in old:
            self.client.indices.delete(index=index, ignore_unavailable=True)

    def remove_orphans(self) -> list[str]:
        """Delete indices a killed rebuild left: never behind the alias, and made by a process of
        this host that is gone, or more than a day old (a rebuild on another host that died).
        Deleted by name, as Elasticsearch 8 allows no wildcard deletes by default."""
        behind = set(self._indices())
        removed = []
        host = socket.gethostname()
        for name, info in self._own().items():
            if name in behind:
                continue
            meta = (info.get("mappings", {}).get("_meta") or {}).get("helsekatalog") or {}
            builder, built_on = meta.get("builder") or "", meta.get("host")
            created = int(info.get("settings", {}).get("index", {}).get("creation_date", "0")) / 1000
            dead = built_on == host and builder and process_token(int(builder.split(":")[0])) != builder
            if dead or time.time() - created > ORPHAN_SECONDS:
                self.client.indices.delete(index=name, ignore_unavailable=True)
                removed.append(name)
        if removed:
            log.warning(
                "removed %d search index(es) left by an interrupted rebuild: %s", len(removed), ", ".join(removed)
            )
        return removed

    def drop(self) -> None:
        """Delete the alias and every index it has had (tests; a catalogue being dismantled)."""
        for name in {*self._indices(), *self._own()}:
            self.client.indices.delete(index=name, ignore_unavailable=True)

    # -- writing ----------------------------------------------------------------------------
    def _actions(self, index: str, docs: Iterable[Document]) -> Iterator[dict[str, Any]]:
        splitter = decompounder(self.compounds)
        for doc in docs:
            if isinstance(doc, Encoded):
                key, source = doc.key, doc.body
            else:
                key, source = doc["key"], _source(doc, splitter)
            yield {"_op_type": "index", "_index": index, "_id": key, "_source": source}

    def encoder(self) -> Encoder:
        return functools.partial(encode, self.compounds)

    def _bulk(
        self, actions: Iterable[dict[str, Any]], ignore_status: tuple[int, ...] = (), require_alias: bool = False
    ) -> int:
        """Send in chunks; documents refused with 429 are sent again (`BULK_RETRIES`, backing off).

        `require_alias`: writes to the alias fail while it is missing, rather than make the cluster
        create a concrete index of the alias's name with mappings guessed from the documents, which
        no later rebuild could put the alias on (an index deleted under a running harvest)."""
        n, errors = 0, []
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=BULK_CHUNK,
            raise_on_error=False,
            ignore_status=ignore_status,
            max_retries=BULK_RETRIES,
            initial_backoff=BULK_BACKOFF,
            max_backoff=30,
            require_alias=require_alias or None,
        ):
            n += 1
            ops = item.values()
            if any((op.get("error") or {}).get("type") == "index_not_found_exception" for op in ops):
                raise _missing(self.client, self.alias)
            if not ok and not any(op.get("status") in ignore_status for op in ops):
                errors.append(item)
        if errors:
            detail = "; ".join(f"{op.get('_id')}: {op.get('error')}" for e in errors[:5] for op in e.values())
            raise IndexingError(f"{self.alias}: {len(errors)} of {n} documents refused ({detail})")
        return n

    def replace_all(self, docs: Iterable[dict[str, Any]]) -> int:
        self.commit()
        self.remove_orphans()
        name = self._new_index(building=True)
        try:
            n = self._bulk(self._actions(name, docs))
            ready: dict[str, Any] = {"refresh_interval": None}  # back to the cluster's default
            ready["number_of_replicas"] = 1 if self.replicas is None else self.replicas
            self.client.indices.put_settings(index=name, settings={"index": ready})
            self.client.indices.refresh(index=name)
        except BaseException:
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        self._point_alias(name)
        self._aliased = True
        return n

    def upsert(self, docs: Iterable[Document]) -> int:
        n = self.stage(docs)
        self.commit()
        return n

    def stage(self, docs: Iterable[Document]) -> int:
        """Sent at once, without a refresh: the cluster's own refresh (every second by default)
        may show them before `commit` does."""
        self._ensure_alias()
        n = self._bulk(self._actions(self.alias, docs), require_alias=True)
        self._staged = True
        return n

    def commit(self) -> None:
        if self._staged:
            self.client.indices.refresh(index=self.alias)
            self._staged = False

    def delete(self, keys: Iterable[str]) -> None:
        self._ensure_alias()
        self._bulk(
            ({"_op_type": "delete", "_index": self.alias, "_id": k} for k in keys),
            ignore_status=(404,),
            require_alias=True,
        )
        self._staged = True  # the refresh shows what was staged before too
        self.commit()

    # -- queries ----------------------------------------------------------------------------
    def _word(self, word: Word, expansions: int, whom: bool = False) -> dict[str, Any]:
        """One query word against every text field (best field wins), plus typo variants, and
        with constant scores: words starting with it (the last), compounds starting or ending with
        it, codes it is. Not among code labels for a name the synonym list writes in capitals
        (`Synonyms.acronym`), nor for whom the data are about (`whom`: "Kvinne" of "Kjønn")."""
        options: list[dict[str, Any]] = []
        for field_name, boost in FIELD_BOOSTS.items():
            if field_name == "code_labels" and (whom or self.synonyms.acronym(word.text)):
                continue
            if word.in_labels and field_name not in RELATED_FIELDS:
                continue
            options.append({"match": {field_name: {"query": word.text, "operator": "and", "boost": boost}}})
            edits = field_typo_edits(word, field_name)
            if edits:
                fuzzy = {"fuzziness": edits, "max_expansions": expansions, "boost": FUZZY_FIELDS[field_name]}
                options.append({"match": {field_name: {"query": word.text, "operator": "and", **fuzzy}}})
        if word.prefix:
            options.append({"prefix": {"suggest": {"value": word.prefix, "boost": PREFIX_SCORE}}})
        if word.part:
            options.append(_const({"term": {"affixes": word.part}}, PREFIX_SCORE))
        if word.code:
            options += [_const({"term": {"code_terms": t}}, CODE_SCORE) for t in any_system_terms(word.text)]
            options += [_const({"term": {"code_terms": t}}, UNLISTED_SCORE) for t in unlisted_terms(word.text)]
        return {"dis_max": {"queries": options, "tie_breaker": TIE_BREAKER}}

    def _alternative(self, alternative: Alternative, plan: QueryPlan, whom: bool = False) -> dict[str, Any]:
        if alternative.codes:
            if whom:
                return {"bool": {"must_not": {"match_all": {}}}}
            codes = [_const({"term": {"code_terms": t}}, CODE_SCORE) for t in alternative.codes]
            skipped = [] if alternative.in_datasets else [{"term": {"type": CODE_NAMES_SKIP}}]
            return {
                "bool": {"should": codes, "minimum_should_match": 1, "must_not": skipped, "boost": alternative.weight}
            }
        quiet = plan.numbers_unscored  # a number beside words: matched as a filter, unscored
        specs = alternative.specs()
        must = [self._word(w, plan.expansions, whom) for w in specs if not (quiet and w.text.isdigit())]
        numbers = [self._word(w, plan.expansions, whom) for w in specs if quiet and w.text.isdigit()]
        return {"bool": {"must": must, "filter": numbers, "boost": alternative.weight}}

    def _filters(self, q: SearchQuery, of_type: bool = True) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = [{"term": {"type": q.type}}] if of_type else []
        for name, values in q.filters.items():
            if name == YEAR_FILTER:
                if values:
                    years = [*(_covers(s) for s in covering(values)), *_yearless(typed_words(q))]
                    filters.append({"bool": {"should": years, "minimum_should_match": 1}})
                continue
            if name not in FILTER_FIELDS:
                raise BadQuery(f"unknown filter {name!r}; filters are {', '.join(FILTERS)}")
            if values:
                filters.append({"terms": {FILTER_FIELDS[name]: [str(v) for v in values]}})
        return filters

    def _query(self, q: SearchQuery, plan: QueryPlan, of_type: bool = True) -> dict[str, Any]:
        query: dict[str, Any] = {"filter": self._filters(q, of_type)}
        if plan.units:
            units = [
                {"bool": {"should": [self._alternative(a, plan) for a in unit], "minimum_should_match": 1}}
                for unit in plan.units
            ]
            mask = plan.optional_units()
            optional = [
                _const(
                    {
                        "bool": {
                            "should": [self._alternative(a, plan, whom=True) for a in unit],
                            "minimum_should_match": 1,
                        }
                    },
                    OPTIONAL_SCORE,
                )
                for unit, on in zip(plan.units, mask, strict=True)
                if on
            ]
            for codes, unit in plan.named:
                held = [t for code in codes for t in (*any_system_terms(code), *unlisted_terms(code))]
                about = [self._alternative(a, plan, whom=True) for a in unit]
                holding = {"terms": {"code_terms": held}}
                named = {"bool": {"filter": [holding], "should": about, "minimum_should_match": 1}}
                optional.append(_const(named, NAMED_SCORE))
            units = [u for u, on in zip(units, mask, strict=True) if not on]
            rarity = []
            if plan.any_words:
                query["must"] = [{"bool": {"should": units, "minimum_should_match": 1}}]
                rated = zip(units, plan.required_rarity(), strict=False)
                rarity = [_const(unit, score) for unit, score in rated if score]  # none unrated
            else:
                query["must"] = units
            query["should"] = [
                *rarity,
                *optional,
                *({"term": {"name_exact": {"value": name, "boost": EXACT_NAME_BOOST}}} for name in plan.names_exact()),
                *({"term": {"codes_exact": {"value": w, "boost": EXACT_CODE_BOOST}}} for w in plan.exact_words),
                *(
                    _const({"terms": {"code_terms": exact_terms(w)}}, EXACT_CODE_BOOST)
                    for w in plan.exact_words
                    if code_like(w)
                ),
            ]
            variants = [words for words in plan.label_words() if len(words) > 1]
            variants += [(joined,) for joined in plan.joined_words()]
            if variants:
                labels = [
                    {"match": {f: {"query": " ".join(words), "operator": "and", "boost": ALL_IN_LABEL_BOOST}}}
                    for f in LABEL_FIELDS
                    for words in variants
                ]
                query["should"].append({"dis_max": {"queries": labels}})
            query["should"] += [clause for area in plan.areas for clause in _area(area)]
            query["should"] += [_const(_written(forms), WRITTEN_SCORE) for forms in plan.written()]
        return {"bool": query}

    def search(self, q: SearchQuery) -> SearchResult:
        check_page(q)
        self._ensure_alias()
        synonyms = self.synonyms
        return relaxed(self._search, q, synonyms.plan(q.text), synonyms)

    def _request(self, body: dict[str, Any]) -> Any:
        """A search request; a query the server finds too big is the user's `BadQuery`."""
        try:
            return self._reads.search(index=self.alias, **body)
        except ApiError as exc:
            if exc.status_code == 400 and TOO_MANY_CLAUSES.search(str(exc.body) + str(exc)):
                raise too_complex("the search server refused it as having too many clauses") from exc
            raise

    def _search(self, q: SearchQuery, plan: QueryPlan) -> SearchResult:
        if q.disjunctive:
            return disjunctive(self._search, q, plan, self._counts if one_pass(q) else None)
        by_name = q.sort in ("name", "uses") or not plan.units
        grouped = q.group and q.type == "variable"
        field = "uses_order" if q.sort == "uses" else "name_order"
        # an index built before the sort keys were renamed has no such field: it answers in key order
        # (not the 400 "No mapping found") until `catalog reindex` rebuilds it (the README's upgrade notes)
        by_key = {field: {"order": "asc", "unmapped_type": "keyword"}}
        sort = [by_key, {"key": "asc"}] if by_name else ["_score", {"key": "asc"}]
        body: dict[str, Any] = {
            "query": self._query(q, plan),
            "from": q.offset,
            "size": q.limit,
            "sort": sort,
            "track_total_hits": True,
            "_source": ["doc"],
        }
        aggs = {f: {"terms": {"field": f, "size": 100}} for f in q.facets}
        if grouped:
            aggs["_groups"] = _cardinality("group")
        if grouped and q.limit:  # counting only needs no collapse (nor do clusters accept it with size 0)
            body["collapse"] = {
                "field": "group",
                "inner_hits": {
                    "name": "members",
                    "size": MEMBERS_SHOWN,
                    "sort": [{"period_start": {"order": "asc", "missing": "_first"}}, {"key": "asc"}],
                    "_source": MEMBER_SOURCE,
                },
            }
        if aggs:
            body["aggs"] = aggs
        answer = self._request(body)
        hits = []
        for raw in answer["hits"]["hits"]:
            doc = raw["_source"]["doc"]
            hit = Hit(key=doc["key"], score=0.0 if by_name else float(raw["_score"] or 0.0), doc=doc)
            if grouped:
                inner = raw.get("inner_hits", {}).get("members", {}).get("hits", {})
                hit.group_size = int(inner.get("total", {}).get("value", 1))
                hit.members = ordered([member(m["_source"].get("doc", {})) for m in inner.get("hits", [])])
            hits.append(hit)
        if grouped:
            self._spans(q, plan, hits)
        if q.highlight and plan.units:
            self._mark(hits, plan)
        found = answer.get("aggregations", {})
        facets = {f: facet_counts(found.get(f, {}).get("buckets", [])) for f in q.facets}
        total = int(found["_groups"]["value"]) if grouped else int(answer["hits"]["total"]["value"])
        return SearchResult(total=total, hits=hits, facets=facets, grouped=grouped)

    def _counts(self, q: SearchQuery, plan: QueryPlan) -> SearchResult:
        """`SearchQuery.disjunctive`'s counts in one request: the words' matches as the query,
        then per result type the facets under every chosen facet filter, each chosen facet under
        the others and the type's total under the filters that apply to it, as filter
        aggregations (as Elasticsearch's guide does faceting), instead of a request per chosen
        facet and type. Only facet filters are chosen here (filters by key apply to some types
        only and are counted apart, `_search`); the years restrict the query, but for the types
        without years (`one_pass`)."""
        chosen = {name: values for name, values in q.filters.items() if values and name != YEAR_FILTER}
        terms = {name: {"terms": {"field": name, "size": 100}} for name in q.facets}

        def where(filters: dict[str, list[str]]) -> dict[str, Any]:
            return {
                "bool": {"filter": [{"terms": {FILTER_FIELDS[f]: [str(v) for v in vs]}} for f, vs in filters.items()]}
            }

        inner: dict[str, Any] = {"_all": {"filter": where(chosen), "aggs": terms}}
        for name in chosen:
            if name in q.facets:
                others = {f: v for f, v in chosen.items() if f != name}
                inner[f"_off_{name}"] = {"filter": where(others), "aggs": {name: terms[name]}}
        for kind in DOC_TYPES:
            if kind != q.type:
                inner[f"_tab_{kind}"] = {"filter": where(type_filters(kind, chosen))}
        query = self._query(dataclasses.replace(q, filters={}), plan, of_type=False)
        if q.filters.get(YEAR_FILTER):
            years = [
                *map(_covers, covering(q.filters[YEAR_FILTER])),
                *_yearless(typed_words(q)),
                *({"term": {"type": k}} for k in YEARLESS),
            ]
            query = {"bool": {"must": [query], "filter": [{"bool": {"should": years, "minimum_should_match": 1}}]}}
        body = {
            "query": query,
            "size": 0,
            "track_total_hits": False,
            "aggs": {"_types": {"terms": {"field": "type", "size": len(DOC_TYPES)}, "aggs": inner}},
        }
        found = self._request(body)["aggregations"]["_types"]["buckets"]
        totals = dict.fromkeys(DOC_TYPES, 0)
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in q.facets}
        for bucket in found:
            kind = bucket["key"]
            if kind != q.type:
                totals[kind] = int(bucket[f"_tab_{kind}"]["doc_count"])
                continue
            totals[kind] = int(bucket["_all"]["doc_count"])
            facets = {name: facet_counts(bucket["_all"][name]["buckets"]) for name in q.facets}
            for name in chosen:
                if name in q.facets:
                    facets[name] = facet_counts(bucket[f"_off_{name}"][name]["buckets"])
        return SearchResult(total=totals[q.type], hits=[], facets=facets, totals=totals)

    def _spans(self, q: SearchQuery, plan: QueryPlan, hits: list[Hit]) -> None:
        """Each group hit's span of periods, over all its matching members (one aggregation)."""
        groups = [h.doc.get("group") for h in hits if h.group_size > 1]
        for hit in hits:
            if hit.group_size <= 1:
                hit.period = (hit.doc.get("period_start"), hit.doc.get("period_end"))
        if not groups:
            return
        query = self._query(q, plan)
        query["bool"]["filter"] = [*query["bool"]["filter"], {"terms": {"group": groups}}]
        aggs = {"g": {"terms": {"field": "group", "size": len(groups)}, "aggs": SPAN}}
        buckets = self._request({"query": query, "size": 0, "aggs": aggs})["aggregations"]["g"]["buckets"]
        spans = {b["key"]: span(b) for b in buckets}
        for hit in hits:
            if hit.group_size > 1 and hit.doc.get("group") in spans:
                hit.period = spans[hit.doc["group"]]

    def _mark(self, hits: list[Hit], plan: QueryPlan) -> None:
        """Highlights, and the codes of each hit's code list that the query asked for."""
        splitter = decompounder(self.compounds)
        keys = marked_codelists(hits, plan)
        lists: dict[str, dict[str, Any]] = {}
        if keys:
            for found in self._reads.mget(index=self.alias, ids=keys, source_includes=["doc"])["docs"]:
                if found.get("found"):
                    lists[found["_id"]] = found["_source"]["doc"]
        mark(hits, plan, splitter, lists)

    def scan(self, type: str, filters: dict[str, list[str]], exclude: Collection[str] = ()) -> Iterator[dict[str, Any]]:
        self._ensure_alias()
        query: dict[str, Any] = {"bool": {"filter": self._filters(SearchQuery(type=type, filters=filters))}}
        if exclude:  # at most 65,536 terms (index.max_terms_count): a pipeline commit holds fewer
            query["bool"]["must_not"] = [{"terms": {"key": list(exclude)}}]
        after: list[Any] | None = None
        while True:
            page = {"query": query, "size": SCAN_PAGE, "sort": [{"key": "asc"}], "_source": ["doc"]}
            if after is not None:
                page["search_after"] = after
            found = self._request(page)["hits"]["hits"]
            for raw in found:
                yield raw["_source"]["doc"]
            if len(found) < SCAN_PAGE:
                return
            after = found[-1]["sort"]

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        folded = [fold(w) for w in words(prefix.replace("_", " "))]
        if not folded:
            return []
        self._ensure_alias()
        if len(folded) == 1:
            text_query: dict[str, Any] = {"prefix": {"suggest": folded[0]}}
        else:
            text_query = {"match_phrase_prefix": {"suggest": " ".join(folded)}}
        answer = self._reads.search(
            index=self.alias,
            size=limit * 5,
            source={"includes": ["doc"]},
            query={"bool": {"filter": [{"term": {"type": "variable"}}], "must": [text_query]}},
        )
        return rank_suggestions((h["_source"]["doc"] for h in answer["hits"]["hits"]), prefix, limit)

    def count(self) -> int:
        self._ensure_alias()
        return int(self._reads.count(index=self.alias)["count"])

    def generation(self) -> tuple[Any, ...]:
        """Per index behind the alias: its uuid (a rebuild makes a new one) and its counts of
        indexing and delete operations, which every write raises, updates in place included;
        and the synonym and code name lists' versions (they apply at query time)."""
        self._ensure_alias()
        stats = self._reads.indices.stats(index=self.alias, metric="indexing")["indices"]
        return (
            *sorted(
                (
                    s.get("uuid", name),
                    s["primaries"]["indexing"]["index_total"],
                    s["primaries"]["indexing"]["delete_total"],
                )
                for name, s in stats.items()
            ),
            self.synonyms.version(),
        )

    def close(self) -> None:
        self.commit()
        self.client.close()


def _written(forms: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """A name or label holding one of `forms` as typed, every word of it (`WRITTEN_SCORE`)."""
    each = [{"match": {"suggest": {"query": " ".join(words), "operator": "and"}}} for words in forms]
    return each[0] if len(each) == 1 else {"bool": {"should": each, "minimum_should_match": 1}}


def _area(area: Area) -> list[dict[str, Any]]:
    """`AREA_BOOST` for a match in `area`'s topics, and again for one in them or in none of its
    `elsewhere` (no negative scores here: tantivy's takes it from one only in `elsewhere`, the
    same order); a code's area only among the matches of its ICD-10 category."""
    topic = FILTER_FIELDS["topic"]
    inside: dict[str, Any] = {"terms": {topic: list(area.topics)}}
    clauses = [inside]
    if area.elsewhere:
        outside = {"bool": {"must_not": [{"terms": {topic: list(area.elsewhere)}}]}}
        clauses.append({"bool": {"should": [inside, outside], "minimum_should_match": 1}})
    if area.code is not None:
        found = {"terms": {"code_terms": list(query_terms(area.code, "icd10"))}}
        clauses = [{"bool": {"filter": [found, c]}} for c in clauses]
    return [_const(c, AREA_BOOST) for c in clauses]


def _covers(span: tuple[int, int]) -> dict[str, Any]:
    """The documents whose data cover some of the years `span` (`catalog.search.years`): a first
    year at most its last, and a last year at least its first or none (still collected)."""
    first, last = span
    ended = [{"range": {"period_end": {"gte": first}}}, {"bool": {"must_not": {"exists": {"field": "period_end"}}}}]
    return {
        "bool": {
            "filter": [
                {"range": {"period_start": {"lte": last}}},
                {"bool": {"should": ended, "minimum_should_match": 1}},
            ]
        }
    }


def _yearless(words: list[str]) -> list[dict[str, Any]]:
    """The documents without years whose name or a label holds one of the typed years `words` as a
    word (`catalog.search.years.typed_words`): none, and nothing searched, when no year was typed."""
    if not words:
        return []
    held = [{"terms": {f: words}} for f in ("name_text", *LABEL_FIELDS)]
    return [
        {
            "bool": {
                "filter": [{"bool": {"should": held, "minimum_should_match": 1}}],
                "must_not": [{"exists": {"field": "period_start"}}],
            }
        }
    ]


def _const(query: dict[str, Any], score: float) -> dict[str, Any]:
    """A clause that scores `score` wherever it matches, whatever the term statistics."""
    return {"constant_score": {"filter": query, "boost": score}}


def _cardinality(field_name: str) -> dict[str, Any]:
    """Distinct values, exact up to 40,000 (the most Elasticsearch allows) and an estimate beyond."""
    return {"cardinality": {"field": field_name, "precision_threshold": 40_000}}


def _source(doc: dict[str, Any], splitter: Any) -> dict[str, Any]:
    """What Elasticsearch indexes of a document: its fields and, stored, the document."""
    source = {**index_fields(doc, splitter), "doc": stored(doc)}
    for name in ("period_start", "period_end"):
        if isinstance(doc.get(name), int):
            source[name] = doc[name]
    return source


def encode(compounds: Path, docs: list[dict[str, Any]]) -> list[Encoded]:
    """`ElasticsearchBackend.encoder`: each document's `_source`."""
    splitter = decompounder(compounds)
    return [Encoded(doc["key"], doc["type"], _source(doc, splitter)) for doc in docs]
