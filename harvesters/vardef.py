"""SSB's public variable definitions (vardef), as variables grouped in one dataset per subject field.

The source URL is the public list (`.../public/variable-definitions`): a plain JSON array of
definitions in one language, chosen by `Accept-Language`. The list is read once per language in
`options.languages` (default nb, nn, en; the first one decides which definitions exist), so each
name and definition keeps its language tag.

Why one dataset per subject field: a variable definition is a variable, not a dataset, so it maps
to `Variable`; researchers browse datasets, and SSB files each definition under subject fields
(KLASS 618, e.g. "be07 Innvandrere"), which makes a subject field the natural shelf. One dataset
for all of vardef would change on every edit and hold thousands of variables; one dataset per
definition would fill the dataset list with one-variable entries. A definition goes under its
first subject field (a variable has one URI, so it cannot sit in two datasets); definitions
without one go under "uten-emne".

Links: `classification_uri` becomes `Variable.codelist`, pointing at the record the klass
harvester makes for that classification (`harvesters.klass.klass_uri`). There is no changedSince
in vardef: the list is read whole, and the pipeline's content hash leaves unchanged datasets
unchanged; the list is complete, so a definition that disappears leaves its dataset.

Data types: vardef gives none. A definition of a quantity has a measurement type (KLASS 303,
"Måletype": Antall, Masse (vekt), Lengde, Varighet/tid, ...), so it is a number: a count
("02 Antall") a whole one, any other a decimal. A classified or unmeasured definition keeps the
model's default, text ("Fødselsvekt" showed as text on the explorer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from catalog.model import Agent, Dataset, Variable
from harvesters.base import Complete, Event, Failed, Harvested, Harvester
from harvesters.jsonapi import expect, get_json
from harvesters.klass import klass_id, klass_uri

API = "the vardef API"
COUNT = "02"
"""KLASS 303's code for a count (Antall): whole numbers."""
NO_SUBJECT = "uten-emne"
SHELF = {"nb": "Variabeldefinisjoner", "nn": "Variabeldefinisjonar", "en": "Variable definitions"}
ABOUT = {
    "nb": "Statistisk sentralbyrås variabeldefinisjoner i emnet {}.",
    "nn": "Variabeldefinisjonane til Statistisk sentralbyrå i emnet {}.",
    "en": "Statistics Norway's variable definitions in the subject field {}.",
}


def _datatype(definition: dict[str, Any]) -> str:
    """A definition's data type by its measurement type (see the module's docstring)."""
    measure = definition.get("measurement_type")
    if not isinstance(measure, dict) or not measure.get("code"):
        return "string"
    return "integer" if str(measure["code"]) == COUNT else "decimal"


def _first_subject(definition: dict[str, Any]) -> dict[str, Any]:
    fields = definition.get("subject_fields")
    first = fields[0] if isinstance(fields, list) and fields and isinstance(fields[0], dict) else {}
    return first if first.get("code") else {"code": NO_SUBJECT, "title": None}


class VardefHarvester(Harvester):
    kind = "vardef"

    def harvest(self) -> Iterator[Event]:
        languages = [str(x) for x in self.source.options.get("languages", ["nb", "nn", "en"])]
        lists = {lang: self.listing(lang) for lang in languages}
        url, primary = lists[languages[0]]
        by_lang = {
            lang: {str(d.get("id")): d for d in reversed(items) if isinstance(d, dict)}
            for lang, (_url, items) in lists.items()
        }
        shelves: dict[str, Dataset] = {}
        seen: set[str] = set()
        for definition in primary:
            vid = str(definition.get("id") or "") if isinstance(definition, dict) else ""
            if not vid or not str(definition.get("short_name") or "").strip():
                field = "id" if not vid else "short_name"
                yield Failed(f"a variable definition has no {field}, so it was skipped", url, vid or None, field)
                continue
            if vid in seen:
                yield Failed(
                    f"the variable definition {vid} is listed more than once; the first was kept", url, vid, "id"
                )
                continue
            seen.add(vid)
            translations = {lang: by_lang[lang].get(vid, {}) for lang in languages}
            subject = _first_subject(definition)
            shelf = shelves.get(subject["code"]) or shelves.setdefault(subject["code"], self.shelf(subject["code"]))
            self._label_shelf(shelf, subject["code"], translations)
            shelf.variables.append(self.variable(vid, definition, translations))
            modified = str(definition.get("last_updated_at") or "")
            shelf.modified = max(filter(None, (shelf.modified, modified)), default=None)
            shelf.contact = shelf.contact or self.contact(translations)
        for shelf in shelves.values():
            yield Harvested(shelf, url)
        yield Complete()

    def listing(self, lang: str) -> tuple[str, list[Any]]:
        url, body = get_json(self.http, self.source.url, API, headers={"Accept-Language": lang})
        return url, expect(body, list, API, url, self.kind)

    # --- mapping ----------------------------------------------------------------------------

    def shelf(self, code: str) -> Dataset:
        return Dataset(
            uri=self.mint("dataset", code),
            identifier=f"{self.source.name}/{code}",
            publisher=Agent(
                name={"nb": str(self.source.options.get("publisher", "Statistisk sentralbyrå"))},
                uri=self.source.options.get("publisher_uri"),
            ),
        )

    @staticmethod
    def _label_shelf(shelf: Dataset, code: str, translations: dict[str, dict[str, Any]]) -> None:
        for lang, d in translations.items():
            title = _first_subject(d).get("title") if d else None
            if lang not in shelf.title and lang in SHELF:
                untitled = {"nb": "uten emne", "nn": "utan emne", "en": "without subject field"}[lang]
                # a subject field whose title is not given in this language is named by its code
                subject = str(title or (untitled if code == NO_SUBJECT else code))
                shelf.title[lang] = f"{SHELF[lang]}: {subject}"
                shelf.description[lang] = ABOUT[lang].format(subject)

    def variable(self, vid: str, definition: dict[str, Any], translations: dict[str, dict[str, Any]]) -> Variable:
        cid = klass_id(definition.get("classification_uri"))
        return Variable(
            uri=self.mint("variable", vid),
            name=str(definition["short_name"]).strip(),
            title={lang: str(d["name"]) for lang, d in translations.items() if d.get("name")},
            description={lang: str(d["definition"]) for lang, d in translations.items() if d.get("definition")},
            codelist=klass_uri(cid) if cid else None,
            datatype=_datatype(definition) if not cid else "string",
            property_url=definition.get("external_reference_uri") or None,
            valid_from=definition.get("valid_from") or None,
            valid_to=definition.get("valid_until") or None,
        )

    @staticmethod
    def contact(translations: dict[str, dict[str, Any]]) -> Agent | None:
        names = {
            lang: str(d["contact"]["title"])
            for lang, d in translations.items()
            if isinstance(d.get("contact"), dict) and d["contact"].get("title")
        }
        emails = [d["contact"].get("email") for d in translations.values() if isinstance(d.get("contact"), dict)]
        email = next((e for e in emails if e), None)
        return Agent(name=names, email=email) if names or email else None
