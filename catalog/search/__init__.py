"""One search interface, several backends.

A backend indexes flat documents (`catalog.search.documents`) derived from the store and answers
`SearchQuery` with a `SearchResult`. The index is always rebuildable from the store
(`catalog reindex`), so a backend may drop and rebuild at will. Every backend passes the same
contract suite (`tests/test_search_contract.py`); a backend's known gap is marked there with its
reason, never hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from catalog.config import Settings
    from catalog.search.analysis import Synonyms

FACETS = ("topic", "source", "source_kind", "health_category", "period", "datatype", "access_rights", "platform")
"""Facets every backend counts, in display order."""

DOC_TYPES = ("variable", "dataset", "codelist")


class BadQuery(ValueError):
    """The query cannot be understood; the message is safe to show to the user."""


@dataclass
class SearchQuery:
    text: str = ""
    type: str = "variable"  # one of DOC_TYPES
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet -> values (OR within, AND across)
    sort: str = "relevance"  # or "name"
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = FACETS
    highlight: bool = True
    typos: bool | None = None
    """None: tolerate typos only when nothing matches as typed; False: never; True: always. A page
    that counts beside its hits asks the counts to follow the hits' choice (`SearchResult.typos`)."""


@dataclass
class Hit:
    key: str
    score: float
    doc: dict[str, Any]
    highlights: dict[str, str] = field(default_factory=dict)  # field -> HTML-escaped text with <mark>


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    typos: bool = False  # whether typos were tolerated to find these


class IndexWriter(Protocol):
    """What the pipeline writes documents to: a `SearchBackend`, the pipeline's `IndexBuffer`
    (which gathers writes into large commits) or, in process mode, a worker's relay to the
    calling process (the one process that writes the index)."""

    def upsert(self, docs: Iterable[dict[str, Any]]) -> int:
        """Add or replace documents by `key`."""

    def delete(self, keys: Iterable[str]) -> None: ...


class SearchBackend(IndexWriter, Protocol):
    name: str
    synonyms: Synonyms
    """The synonym list queries are expanded with (an edited list is followed while serving)."""

    def replace_all(self, docs: Iterable[dict[str, Any]]) -> int:
        """Rebuild the whole index from `docs`; searches see the old index until it is done."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Completions for a search box: variable names and labels starting with `prefix`."""

    def count(self) -> int: ...

    def generation(self) -> Hashable:
        """A value that changes whenever what searches see may have changed (for caches)."""

    def close(self) -> None: ...


def open_backend(settings: Settings) -> SearchBackend:
    """The backend the configuration names; an unknown name is a configuration error."""
    name = settings.search_backend
    backend: SearchBackend
    if name == "tantivy":
        from catalog.search.tantivy_backend import TantivyBackend

        backend = TantivyBackend(settings.index_dir)
    elif name == "elasticsearch":
        from catalog.search.elasticsearch_backend import ElasticsearchBackend

        backend = ElasticsearchBackend.from_settings(settings)
    else:
        from catalog.config import ConfigError

        raise ConfigError(f"CATALOG_SEARCH_BACKEND={name!r}: choose 'tantivy' or 'elasticsearch'")
    from catalog.search.analysis import SYNONYMS_FILE, Synonyms

    if settings.synonyms_file:  # the operator's own file wins
        backend.synonyms = Synonyms(Path(settings.synonyms_file))
    else:  # the list an admin request replaced (`catalog.scheduler`) once there is one, in every process
        backend.synonyms = Synonyms(settings.home / "synonyms.txt", fallback=SYNONYMS_FILE)
    return backend
