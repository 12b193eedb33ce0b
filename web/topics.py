"""The landing page and browsing by topic, for researchers who do not yet know what to search for.

"/" says in two sentences what the catalogue is, shows the sources by kind with their counts,
the topics as tiles with their numbers of variables, and example searches. `/topics/<id>` lists
a topic's datasets by source without a query, with a link to its variables in the search.
Counts come from the search index (facet counts of an empty query), so they are the same numbers
the search shows.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template

from catalog.config import SOURCE_KINDS
from catalog.search import Hit, SearchQuery, SearchUnavailable
from catalog.topics import Topic, taxonomy
from web.errors import log_outage
from web.i18n import current

bp = Blueprint("topics", __name__)
EXAMPLES = {
    "nb": ("fødselsvekt", "røyker daglig", "C50", "metformin", "HbA1c", "søvn", "utdanning"),
    "nn": ("fødselsvekt", "røykjer dagleg", "C50", "metformin", "HbA1c", "søvn", "utdanning"),
    "en": ("birth weight", "daily smoker", "C50", "metformin", "HbA1c", "sleep", "education"),
}
"""Example searches on the landing page, in its language: a measure, a survey question, a
diagnosis code, a drug, a lab value, a word that is part of longer words, and a socioeconomic
variable. The English page suggested the bokmål words under a box saying "e.g. birth weight"."""
DATASETS_SHOWN = 200


@dataclass
class TopicTile:
    topic: Topic
    variables: int
    datasets: int


@dataclass
class KindLine:
    kind: str
    sources: int
    datasets: int
    variables: int


def _counts(kind: str, facet: str) -> dict[str, int]:
    backend = current_app.extensions["search"]
    cache = current_app.extensions["facet_cache"]
    key: Hashable = ("landing", kind, facet, backend.generation())
    result = cache.get(key, lambda: backend.search(SearchQuery(type=kind, limit=0, facets=(facet,))))
    return dict(result.facets.get(facet, []))


def tiles() -> list[TopicTile]:
    variables, datasets = _counts("variable", "topic"), _counts("dataset", "topic")
    return [TopicTile(t, variables.get(t.id, 0), datasets.get(t.id, 0)) for t in taxonomy().topics]


def kinds() -> list[KindLine]:
    from web.sources import summaries

    lines = {k: KindLine(k, 0, 0, 0) for k in SOURCE_KINDS}
    for s in summaries():
        line = lines.get(s.category)
        if line is not None and (s.datasets or s.variables):
            line.sources += 1
            line.datasets += s.datasets
            line.variables += s.variables
    return [line for line in lines.values() if line.sources]


@bp.get("/")
def home() -> str:
    """The landing page; while the search cluster cannot serve (`SearchUnavailable`), without the
    topics' counts, which come from it: the way in to the sources and their datasets stays open."""
    try:
        shown: list[TopicTile] | None = tiles()
    except SearchUnavailable as exc:
        log_outage("search", exc)
        shown = None
    return render_template("home.html", tiles=shown, kinds=kinds(), examples=EXAMPLES.get(current(), EXAMPLES["nb"]))


@bp.get("/topics/")
def index() -> str:
    return render_template("topics.html", tiles=tiles())


def topic_datasets(topic: Topic) -> tuple[int, dict[str, list[Hit]]]:
    """The topic's datasets by source title, and its number of variables."""
    backend = current_app.extensions["search"]
    result = backend.search(
        SearchQuery(type="dataset", filters={"topic": [topic.id]}, limit=DATASETS_SHOWN, sort="name", facets=())
    )
    by_source: dict[str, list[Hit]] = {}
    for hit in result.hits:
        by_source.setdefault(hit.doc.get("source_title") or hit.doc.get("source") or "", []).append(hit)
    return result.total, dict(sorted(by_source.items()))


@bp.get("/topics/<ident>")
def topic(ident: str) -> str:
    found = taxonomy().by_id.get(ident)
    if found is None:
        abort(404, f"No topic named {ident}.")
    total, by_source = topic_datasets(found)
    variables = _counts("variable", "topic").get(found.id, 0)
    others = [t for t in tiles() if t.topic.id != found.id and t.variables]
    return render_template(
        "topic.html", topic=found, datasets_total=total, by_source=by_source, variables=variables, others=others
    )
