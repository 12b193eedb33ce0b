"""Records -> flat search documents, the same for every backend.

One document per variable (the main unit), per dataset and per code list. Field names are the
contract between the indexer and the backends; see `FIELDS`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.model import CodeList, Dataset, Record, key_for, text
from catalog.topics import taxonomy

FIELDS = {
    "key": "stable short id (catalog.model.key_for(uri))",
    "uri": "the record's URI",
    "type": "variable | dataset | codelist",
    "name": "short name / identifier, matched exactly (MOR_ALDER, C50)",
    "label": "display label (nb, else nn, en, any)",
    "labels": "lang -> label",
    "description": "display description",
    "descriptions": "lang -> description",
    "keywords": "list of keywords",
    "codes": "code notations and labels (code lists; a variable's coding system)",
    "dataset_key": "key of the dataset a variable belongs to",
    "dataset_title": "its title",
    "dataset_title_lang": "the language of dataset_title (pages mark text not in the page's language)",
    "source": "source name (facet)",
    "source_title": "source title",
    "source_kind": "central-registry | quality-registry | survey | statistics | catalogue (facet)",
    "publisher": "publisher name",
    "health_category": "list of HealthDCAT-AP health category codes (facet)",
    "topic": "list of topic ids of catalog/topics.toml (facet): what the record is about",
    "theme": "list of data-theme codes",
    "period": "list of decades covered, e.g. '1990-1999' (facet)",
    "period_start": "first year covered (int) or None",
    "period_end": "last year covered (int) or None",
    "datatype": "csvw datatype (facet)",
    "unit": "unit of measure",
    "codelist_key": "key of the code list a variable uses",
    "access_rights": "PUBLIC | RESTRICTED | NON_PUBLIC (facet)",
    "platform": "titles of the analysis platforms where the dataset can be analysed (facet)",
    "languages": "list of language tags of the labels",
    "valid": "True when the record conforms to its shapes",
}


@dataclass
class SourceInfo:
    name: str
    title: str
    kind: str


def _code(iri: str | None) -> str | None:
    return iri.rstrip("/").rsplit("/", 1)[-1] if iri else None


def _year(value: str | None) -> int | None:
    if value and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def _language(value: dict[str, str]) -> str:
    """The language `text(value)` picks, so a page can mark text in another language than its own."""
    for lang in ("nb", "no", "nn", "en", ""):
        if value.get(lang):
            return "nb" if lang == "no" else lang
    return next(iter(value), "")


def decades(start: int | None, end: int | None, now: int = 2026) -> list[str]:
    if start is None:
        return []
    end = end if end is not None else now
    return [f"{d}-{d + 9}" for d in range(start - start % 10, end + 1, 10)]


def documents(
    record: Record, source: SourceInfo, valid: bool = True, platforms: Sequence[str] = ()
) -> Iterator[dict[str, Any]]:
    """The documents for one record: a dataset and each of its variables, or a code list. Data
    services and products are not searched here (the marketplace page lists them); the titles of
    the platforms serving a dataset (`platforms`) are a facet of it and of its variables."""
    if record.kind in ("service", "product"):
        return
    base = {"source": source.name, "source_title": source.title, "source_kind": source.kind, "valid": valid}
    if isinstance(record, CodeList):
        yield {
            **base,
            "key": key_for(record.uri),
            "uri": record.uri,
            "type": "codelist",
            "name": record.identifier,
            "label": text(record.title),
            "labels": record.title,
            "description": text(record.description),
            "descriptions": record.description,
            "codes": [c.code for c in record.concepts] + [text(c.label) for c in record.concepts],
            "publisher": text(record.publisher.name) if record.publisher else "",
            "languages": sorted(record.title),
            "keywords": [],
            "health_category": [],
            "topic": [],
            "theme": [],
            "period": [],
            "period_start": _year(record.valid_from),
            "period_end": _year(record.valid_to),
            "datatype": None,
            "access_rights": None,
            "platform": [],
        }
        return
    assert isinstance(record, Dataset)
    d = record
    start, end = _year(d.temporal_start), _year(d.temporal_end)
    shared = {
        **base,
        "publisher": text(d.publisher.name) if d.publisher else "",
        "health_category": [c for c in map(_code, d.health_categories) if c],
        "theme": [c for c in map(_code, d.themes) if c],
        "access_rights": _code(d.access_rights),
        "platform": sorted(set(platforms)),
    }
    dkey = key_for(d.uri)
    dtitle = text(d.title)
    dtitle_lang = _language(d.title)
    topics = taxonomy()
    dtopics = topics.of_dataset(d)
    yield {
        **shared,
        "key": dkey,
        "uri": d.uri,
        "type": "dataset",
        "name": d.identifier,
        "label": dtitle,
        "labels": d.title,
        "description": text(d.description),
        "descriptions": d.description,
        "keywords": sorted({w for words in d.keywords.values() for w in words}),
        "topic": dtopics,
        "codes": [],
        "period": decades(start, end),
        "period_start": start,
        "period_end": end,
        "datatype": None,
        "languages": sorted(set(d.title) | set(d.description)),
        "variable_count": len(d.variables),
    }
    for v in d.variables:
        vstart, vend = _year(v.valid_from) or start, _year(v.valid_to) or end
        yield {
            **shared,
            "key": key_for(v.uri),
            "uri": v.uri,
            "type": "variable",
            "name": v.name,
            "label": text(v.title) or v.name,
            "labels": v.title,
            "description": text(v.description),
            "descriptions": {**v.description, **{f"q_{k}": q for k, q in v.question.items()}},
            "keywords": v.keywords,
            "topic": topics.of_variable(v, dtopics),
            "codes": [v.coding_system] if v.coding_system else [],
            "dataset_key": dkey,
            "dataset_title": dtitle,
            "dataset_title_lang": dtitle_lang,
            "period": decades(vstart, vend),
            "period_start": vstart,
            "period_end": vend,
            "datatype": v.datatype,
            "unit": v.unit,
            "codelist_key": key_for(v.codelist) if v.codelist else None,
            "languages": sorted(set(v.title) | set(v.description)),
        }
