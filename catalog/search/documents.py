"""Records -> flat search documents, the same for every backend.

One document per variable (the main unit), per dataset and per code list. Field names are the
contract between the indexer and the backends; see `FIELDS`.

A variable's codes live in another record, its code list (often from another source: KLASS, or a
registry's ICD-10 list shared by many variables). `documents` makes a variable's document from its
dataset alone; `complete` then adds what the code list says (its codes and their labels, to be
found by, and its content in the group key), given the code list as the store holds it. The
pipeline completes documents where it writes the index, after their records are stored, and
re-completes the variables of a code list that changed (`catalog.pipeline.IndexBuffer`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.model import CodeList, Dataset, Record, Variable, key_for, text
from catalog.search import Document, Encoder
from catalog.search.analysis import whom_words
from catalog.search.codes import SYSTEMS, code_terms, lettered, system_of, unlisted
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
    "codes": "names of the coding system (ICD-10, ATC, ...)",
    "system": "the code list's classification, a `catalog.search.codes.SYSTEMS` key, or None",
    "concepts": "a code list's codes as [notation, label] pairs",
    "coded": "a variable's code list for the index only, never stored with the hit (see `complete`)",
    "group": "key shared by identical variables of one source (see `group_key`)",
    "dataset_key": "key of the dataset a variable belongs to",
    "dataset_title": "its title",
    "dataset_title_lang": "the language of dataset_title (pages mark text not in the page's language)",
    "dataset_titles": "lang -> its title, when it has several (a page shows the one in its language), else None",
    "dataset_keywords": "its dataset's other titles and keywords its title does not hold, joined by ' ; ' (`about`)",
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
    "codelist_keys": "a dataset's: the keys of its variables' code lists, when any (`dataset_codes`)",
    "unlisted_codes": "a dataset's: its variables' coding systems without a code list, when any (`dataset_codes`)",
    "access_rights": "PUBLIC | RESTRICTED | NON_PUBLIC (facet)",
    "platform": "titles of the analysis platforms where the dataset can be analysed (facet)",
    "languages": "list of language tags of the labels",
    "valid": "True when the record conforms to its shapes",
    "uses": "how many projects of the data use register use the dataset (a variable: its dataset's)",
    "used": "the band of `uses` (facet): 0, 1, 2-4, 5+",
}

USED_BANDS = ("0", "1", "2-4", "5+")
"""The "used" facet's values: in how many projects of the data use register."""


def used_band(uses: int) -> str:
    return "0" if uses <= 0 else "1" if uses == 1 else "2-4" if uses < 5 else "5+"


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
    record: Record, source: SourceInfo, valid: bool = True, platforms: Sequence[str] = (), uses: int = 0
) -> Iterator[dict[str, Any]]:
    """The documents for one record: a dataset and each of its variables, or a code list. Data
    services and products are not searched here (the marketplace page lists them); the titles of
    the platforms serving a dataset (`platforms`) are a facet of it and of its variables, as is
    how many projects of the data use register use the dataset (`uses`)."""
    if record.kind in ("service", "product"):
        return
    if isinstance(record, CodeList):
        yield codelist_document(record, source, valid)
        return
    assert isinstance(record, Dataset)
    made = DatasetDocuments(record, source, valid, platforms, uses)
    yield made.dataset
    yield from made.variables()


def codelist_document(record: CodeList, source: SourceInfo, valid: bool = True) -> dict[str, Any]:
    """A code list's document (`documents`)."""
    system = codelist_system(record)
    return {
        "source": source.name,
        "source_title": source.title,
        "source_kind": source.kind,
        "valid": valid,
        "key": key_for(record.uri),
        "uri": record.uri,
        "type": "codelist",
        "name": record.identifier,
        "label": text(record.title),
        "labels": record.title,
        "description": text(record.description),
        "descriptions": record.description,
        "codes": [SYSTEMS[system][0]] if system else [],
        "system": system,
        "concepts": [[c.code, text(c.label)] for c in record.concepts],
        "coded": coded(record, system),
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


VARIABLE_SHARED = (
    "source",
    "source_title",
    "source_kind",
    "valid",
    "publisher",
    "health_category",
    "theme",
    "access_rights",
    "platform",
    "uses",
    "used",
    "type",
    "dataset_key",
    "dataset_title",
    "dataset_title_lang",
    "dataset_keywords",
    "dataset_titles",
)
"""The fields whose values every variable document of one dataset shares (`DatasetDocuments`):
a backend may index them once per dataset rather than once per variable."""

VARIABLE_VALUES = (
    "key",
    "uri",
    "type",
    "name",
    "label",
    "labels",
    "description",
    "descriptions",
    "keywords",
    "topic",
    "codes",
    "dataset_key",
    "dataset_title",
    "dataset_title_lang",
    "period",
    "period_start",
    "period_end",
    "datatype",
    "unit",
    "codelist_key",
    "languages",
    "group",
    "dataset_keywords",
    "dataset_titles",
)
"""The last fields of a variable's document, in order: what `DatasetDocuments.values` gives (the
first are the dataset's: `DatasetDocuments.head`)."""


class DatasetDocuments:
    """A dataset's documents (`documents`), made knowing what its variables' documents share.

    Everything a variable's document takes from its dataset (`VARIABLE_SHARED`) is made once;
    a variable's document is the dataset's template (the documents' fields, in order) copied and
    given the variable's own values (`values`): copying a dictionary of the same keys is one C
    call, where building 33 keys anew was the largest single cost of a variable's document. A
    backend may encode a variable from `head` and `values` without making its dictionary."""

    def __init__(
        self, d: Dataset, source: SourceInfo, valid: bool = True, platforms: Sequence[str] = (), uses: int = 0
    ):
        self.record = d
        head = {
            "source": source.name,
            "source_title": source.title,
            "source_kind": source.kind,
            "valid": valid,
            "publisher": text(d.publisher.name) if d.publisher else "",
            "health_category": [c for c in map(_code, d.health_categories) if c],
            "theme": [c for c in map(_code, d.themes) if c],
            "access_rights": _code(d.access_rights),
            "platform": sorted(set(platforms)),
            "uses": uses,
            "used": used_band(uses),
        }
        start, end = _year(d.temporal_start), _year(d.temporal_end)
        self.key = key_for(d.uri)
        self.title = text(d.title)
        self.title_lang = _language(d.title)
        self.titles = d.title if len(d.title) > 1 else None  # one: `title` and `title_lang` say it
        keywords = sorted({w for words in d.keywords.values() for w in words})
        # and whom its data are about, as its population says it: its variables seldom do
        whom = whom_words(d.population_coverage.values())
        self.about = about(self.title, [*subject_keywords(keywords, d.variables), *whom], d.title.values())
        self.topics = taxonomy().of_dataset(d)
        self.dataset: dict[str, Any] = {
            **head,
            "key": self.key,
            "uri": d.uri,
            "type": "dataset",
            "name": d.identifier,
            "label": self.title,
            "labels": d.title,
            "description": text(d.description),
            "descriptions": d.description,
            "keywords": keywords,
            "topic": self.topics,
            "codes": [],
            "period": decades(start, end),
            "period_start": start,
            "period_end": end,
            "datatype": None,
            "languages": sorted(set(d.title) | set(d.description)),
            "variable_count": len(d.variables),
            # who the data are about, searched with the dataset: MoBa's "Gravide kvinner i Norge
            # 1999-2008" is where "gravid" and "pregnancy" are said of the pregnancy cohort
            "dataset_keywords": about(self.title, (), d.population_coverage.values()),
        }
        """The dataset's own document."""
        self.dataset.update(dataset_codes(d.variables))
        self.template = {**head, **dict.fromkeys(VARIABLE_VALUES)}
        self.template.update(
            type="variable",
            dataset_key=self.key,
            dataset_title=self.title,
            dataset_title_lang=self.title_lang,
            dataset_keywords=self.about,
            dataset_titles=self.titles,
        )
        self.head = list(head.values())
        """The values of a variable's first fields, before `VARIABLE_VALUES`."""
        self.shared = {k: self.template[k] for k in VARIABLE_SHARED}
        self.start, self.end = start, end
        self.period = decades(start, end)
        self.source_name = source.name
        self._of_variable = taxonomy().of_variables(self.topics)

    def variables(self) -> Iterator[dict[str, Any]]:
        """The documents of the dataset's variables."""
        for v in self.record.variables:
            yield self.variable(v)

    def variable(self, v: Variable) -> dict[str, Any]:
        doc = self.template.copy()
        doc.update(zip(VARIABLE_VALUES, self.values(v), strict=True))
        return doc

    def values(self, v: Variable, copies: bool = True) -> tuple[Any, ...]:
        """The values of a variable's document from its key on (`VARIABLE_VALUES`), in order.

        Without `copies`, for values written at once and dropped (an encoder's), the lists and
        dictionaries it would copy from the dataset, the variable and the topics' memo are given
        as they are: they must not be changed."""
        title, description, name, datatype, unit = v.title, v.description, v.name, v.datatype, v.unit
        if v.valid_from or v.valid_to:
            start, end = self.start, self.end
            vstart = (_year(v.valid_from) if v.valid_from else None) or start
            vend = (_year(v.valid_to) if v.valid_to else None) or end
        else:  # the usual variable
            vstart, vend = self.start, self.end
        if vstart == self.start and vend == self.end:  # its dataset's: decades made once per dataset
            period = self.period.copy() if copies else self.period
        else:
            period = decades(vstart, vend)
        codelist = v.codelist
        codelist_key = key_for(codelist) if codelist else None
        label = title.get("nb") or text(title) or name  # `text` picks nb first
        # the usual variable's description is in its label's one language: no set to sort
        if len(title) == 1 and description.keys() <= title.keys():
            languages = [*title]
        else:
            languages = sorted(title.keys() | description.keys())
        if v.question:
            descriptions = {**description, **{f"q_{k}": q for k, q in v.question.items()}}
        else:
            descriptions = description.copy() if copies else description
        return (
            key_for(v.uri),
            v.uri,
            "variable",
            name,
            label,
            title,
            description.get("nb") or text(description),
            descriptions,
            v.keywords,
            self._of_variable(v, copies),
            [v.coding_system] if v.coding_system else [],
            self.key,
            self.title,
            self.title_lang,
            period,
            vstart,
            vend,
            datatype,
            unit,
            codelist_key,
            languages,
            _group_key(
                self.source_name, name, label, datatype, unit, codelist_key or ""
            ),  # until `complete` knows the codes
            self.about,
            self.titles.copy() if copies and self.titles else self.titles,
        )


def dataset_codes(variables: Sequence[Variable]) -> dict[str, list[str]]:
    """What a dataset's document says of its variables' codes, so that a code finds the dataset:
    the keys of their code lists (`codelist_keys`: `complete` adds those lists' codes, as it does
    a variable's), and the coding systems of those without a list whose categories a code may be
    (`unlisted_codes`, `codes.unlisted`). The datasets tab found nothing for "C50" or "I21": only
    the variables' documents held codes. Each key is there only when it has values, so that a
    dataset of uncoded variables keeps the document it had (and an index built before reads)."""
    lists = sorted({key_for(v.codelist) for v in variables if v.codelist})
    systems = {v.coding_system for v in variables if v.coding_system and not v.codelist}
    unlisted_codes = sorted(s for s in systems if unlisted([s]))
    made: dict[str, list[str]] = {}
    if lists:
        made["codelist_keys"] = lists
    if unlisted_codes:
        made["unlisted_codes"] = unlisted_codes
    return made


def subject_keywords(keywords: list[str], variables: Sequence[Variable]) -> list[str]:
    """The keywords of a dataset that say what all of its variables are about, not one of them:
    those no variable's name or label holds. A dataset listing "fødselsvekt" among its keywords
    because VEKT is one of its variables gave the keyword to every variable: "fødselsvekt" found
    its Kjønn and LOPENR too (the researchers' drill, on MFR). NorKog's "demens", which none of
    its variables says, still finds them all. A keyword naming a variable of another dataset of
    the source (the demo's MFR "Fødsler", whose keyword "fødselsvekt" names VEKT of another
    dataset) is not known here, and still goes to every variable."""
    if not keywords or not variables:
        return keywords
    said = "\n".join(
        [v.name.lower() for v in variables if v.name]
        + [label.lower() for v in variables for label in v.title.values() if label]
    )
    return [k for k in keywords if k.lower() not in said]


def about(title: str, keywords: Iterable[str], titles: Iterable[str] = ()) -> str | None:
    """What a variable's document says of its dataset besides its title: the dataset's title in
    its other languages and its keywords, indexed with the title. A registry's variables say
    "MMSE" or "Operasjonsmetode"; what they are about is in their dataset's title ("Nasjonalt
    hoftebruddregister"), only in its keywords (NorKog's "demens"), or, for a researcher searching
    in English, only in its English title (the demo's "physiotherapy" and "congenital anomalies"
    found none of the 38 and 43 variables of KPR's "Fysioterapi" and MFR's "Medfødte
    misdannelser"). What the title, or a title or keyword before, holds already is left out: it
    would count twice."""
    held = title.lower()
    rest = []
    for said in (*titles, *keywords):
        if said and said.lower() not in held:
            rest.append(said)
            held += "\n" + said.lower()
    return " ; ".join(rest) if rest else None


# -- code lists and groups -------------------------------------------------------------------


def codelist_system(codelist: CodeList, *hints: str | None) -> str | None:
    """The classification of a code list, from its identifier, title and URI (and any hints, such
    as a variable's coding system)."""
    return system_of(codelist.identifier, *codelist.title.values(), codelist.uri, *hints)


def coded(codelist: CodeList, system: str | None = "") -> dict[str, Any]:
    """What a variable's document indexes of its code list: every code's terms (`code_terms`), the
    codes' labels in every language, and a digest of the codes for the group key. Made once per
    code list and shared by the documents of all variables using it. `system` is its
    `codelist_system` where the caller has it: seven regex searches of its names, not made twice.

    The codes of a list of no classification that hold a letter are among its labels' words too
    (`lettered`): a researcher asks SYSVAK for "MMR" or "HPV", which found nothing, since only a
    code with a digit is looked up among codes (`codes.code_like`: ordinary words are not)."""
    if system == "":
        system = codelist_system(codelist)
    terms: set[str] = set()
    labels: list[str] = []
    for concept in codelist.concepts:
        terms.update(code_terms(concept.code, system))
        if system is None and lettered(concept.code):
            labels.append(concept.code)
        labels.extend(label for label in concept.label.values() if label)
    codes = "\x1f".join(sorted(c.code for c in codelist.concepts))
    return {
        "system": system,
        "terms": sorted(terms),
        "labels": " ; ".join(labels),
        "signature": hashlib.sha1(codes.encode()).hexdigest()[:12],
    }


def group_key(doc: dict[str, Any], signature: str) -> str:
    """Identical variables of one source share this key: the same source, short name (case folded),
    label, data type and unit, and the same codes (`signature`: the code list's codes, whatever
    its URI, since survey waves repeat a list under a new URI per wave). So MFR's VEKT in five
    datasets, or HUNT's "Røyker daglig" in six waves, is one row of a grouped search."""
    return _group_key(doc["source"], doc.get("name"), doc.get("label"), doc.get("datatype"), doc.get("unit"), signature)


def _group_key(
    source: str, name: str | None, label: str | None, datatype: str | None, unit: str | None, signature: str
) -> str:
    parts = (source, (name or "").lower(), (label or "").lower(), datatype or "", unit or "", signature)
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def complete(
    docs: Iterable[dict[str, Any]], codelist: Callable[[str], dict[str, Any] | None]
) -> Iterator[dict[str, Any]]:
    """Variable documents with their code lists added (`coded`, looked up by code list key through
    `codelist`, None when it is not in the catalogue) and their group key; others as they are."""
    for doc in docs:
        if doc.get("codelist_keys"):  # a dataset's: its variables' lists' codes (`dataset_codes`)
            lists = [c for c in map(codelist, doc["codelist_keys"]) if c]
            terms = sorted({t for c in lists for t in c["terms"]})
            yield {**doc, "coded": {"terms": terms, "labels": "", "signature": ""}} if terms else stored(doc)
            continue
        if doc.get("type") == "variable":
            key = doc.get("codelist_key")
            if not key and "coded" not in doc and "group" in doc:
                yield doc  # no code list: as `documents` made it, group and all (copying it cost 7 us)
                continue
            found = codelist(key) if key else None
            doc = {**doc, "coded": found} if found else {k: v for k, v in doc.items() if k != "coded"}
            signature = found["signature"] if found else (key or "")
            doc["group"] = group_key(doc, signature)
        yield doc


def encoded_documents(
    record: Record,
    source: SourceInfo,
    valid: bool = True,
    platforms: Sequence[str] = (),
    uses: int = 0,
    encode: Encoder | None = None,
) -> list[Document]:
    """`documents`, as a harvest hands them to the process that writes the index: with an index
    backend's `encode` (`SearchBackend.encoder`), those complete without the store encoded, in
    order, then the others (completed where they are written). An encoder with a `record`
    method makes them itself from the record, as it gives the same."""
    by_record = getattr(encode, "record", None)
    if by_record is not None:
        made: list[Document] = by_record(record, source, valid, platforms, uses)
        return made
    return encoded(list(documents(record, source, valid, platforms, uses)), encode)


def encoded(docs: list[dict[str, Any]], encode: Encoder | None) -> list[Document]:
    """The documents complete without the store encoded by `encode`, in order, then the others."""
    alone = [d for d in docs if not needs_store(d)] if encode is not None else []
    if not alone or encode is None:
        return list(docs)
    return [*encode(list(complete(alone, _no_codelist))), *(d for d in docs if needs_store(d))]


def _no_codelist(_key: str) -> None:
    return None


def needs_store(doc: dict[str, Any]) -> bool:
    """Whether `complete` reads the store for this document: a variable with a code list, which
    gets the code list as stored when it is written, or a dataset with such variables, which gets
    their lists' codes (`dataset_codes`). The others are complete without it."""
    return bool(doc.get("codelist_key") if doc.get("type") == "variable" else doc.get("codelist_keys"))


def stored(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as a hit carries it: without what only the index needs (`coded`)."""
    return {k: v for k, v in doc.items() if k != "coded"} if "coded" in doc else doc
