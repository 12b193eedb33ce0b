"""Analysis platforms, analysis services and data products the operator declares in catalog.toml.

Not every platform publishes a DCAT feed of itself: the access body knows that the health analysis
platform, TSD, HUNT Cloud or SAFE can hold a registry's data, and how to apply there. A source of
kind `configured` turns its `options.services` and `options.products` tables into records, which
then go through the pipeline like harvested ones (validated, stored with history, in the feeds):

    [sources.analyse]
    kind = "configured"
    url = "https://helsedata.no/analyse"        # the operator's own page about them (not fetched)
    category = "catalogue"

    [sources.analyse.options.services.tsd]
    title = { nb = "TSD – Tjenester for sensitive data", en = "TSD – Services for sensitive data" }
    description = "Sikker plattform for lagring og analyse av sensitive data ved UiO."
    type = "platform"                            # or "analysis" (an analysis service offered)
    endpoint_url = "https://tsd.uio.no"
    provider = { name = "Universitetet i Oslo", url = "https://www.uio.no", email = "tsd-drift@usit.uio.no" }
    serves_sources = ["hunt", "tromso"]         # every dataset of these sources
    serves = ["https://.../datasett/x"]          # and/or these datasets
    how_to_order = "Søk om prosjekt i TSD etter at tilgang er innvilget."
    order_url = "https://www.uio.no/tjenester/it/forskning/sensitiv/"
    price_model = "cost-recovery"               # free | cost-recovery | commercial
    price = "Selvkost per prosjekt og måned."

    [sources.analyse.options.products.kohort-diabetes]
    title = "Diabeteskohorten"
    type = "cohort"                              # extract | cohort | indicator | other
    derived_from = ["https://.../npr", "https://.../norpd"]
    ...

Texts are a string or a table of language -> text. An entry that cannot be mapped is reported
naming the entry and the key, and the others go on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from catalog.model import PRICE_MODELS, PRODUCT_TYPES, SERVICE_TYPES, Agent, DataProduct, DataService, LangText
from harvesters.base import Checkpoint, Complete, Event, Failed, Harvested, Harvester

IRI = re.compile(r"https?://\S+", re.I)
AGENT_KEYS = ("name", "url", "email", "uri")
SERVICE_KEYS = {
    "title",
    "description",
    "type",
    "endpoint_url",
    "endpoint_description",
    "landing_page",
    "provider",
    "contact",
    "serves",
    "serves_sources",
    "access_rights",
    "license",
    "conforms_to",
    "applicable_legislation",
    "keywords",
    "themes",
    "how_to_order",
    "order_url",
    "price_model",
    "price",
    "terms",
    "uri",
    "identifier",
}
PRODUCT_KEYS = (
    SERVICE_KEYS
    - {"endpoint_url", "endpoint_description", "serves", "serves_sources", "access_rights", "conforms_to"}
    - {"applicable_legislation"}
) | {"derived_from"}


class EntryError(ValueError):
    """One configured entry that cannot be used; `key` names the setting at fault."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def _text(value: Any, key: str) -> LangText:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"nb": value.strip()} if value.strip() else {}
    if isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return {k: v.strip() for k, v in value.items() if v.strip()}
    raise EntryError(key, f"{value!r} is neither a text nor a table of language -> text")


def _iri(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not IRI.fullmatch(value.strip()):
        raise EntryError(key, f"{value!r} is not an http(s) address")
    return value.strip()


def _iris(value: Any, key: str) -> list[str]:
    values = [value] if isinstance(value, str) else value or []
    if not isinstance(values, list):
        raise EntryError(key, f"{value!r} is not a list of addresses")
    return [v for i, item in enumerate(values) if (v := _iri(item, f"{key}[{i}]"))]


def _names(value: Any, key: str) -> list[str]:
    values = [value] if isinstance(value, str) else value or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise EntryError(key, f"{value!r} is not a list of source names")
    return list(values)


def _agent(value: Any, key: str) -> Agent | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Agent(name={"nb": value})
    if not isinstance(value, Mapping):
        raise EntryError(key, f"must be a name or a table with {', '.join(AGENT_KEYS)}")
    unknown = sorted(set(value) - set(AGENT_KEYS))
    if unknown:
        raise EntryError(f"{key}.{unknown[0]}", f"unknown key; the keys are {', '.join(AGENT_KEYS)}")
    email = value.get("email")
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise EntryError(f"{key}.email", f"{email!r} is not an e-mail address")
    return Agent(
        name=_text(value.get("name"), f"{key}.name"),
        url=_iri(value.get("url"), f"{key}.url"),
        uri=_iri(value.get("uri"), f"{key}.uri"),
        email=email.removeprefix("mailto:") if email else None,
    )


def _choice(value: Any, key: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    if value is None:
        return default
    if value not in allowed:
        raise EntryError(key, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _keywords(value: Any, key: str) -> dict[str, list[str]]:
    if value is None:
        return {}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {"nb": [v.strip() for v in value if v.strip()]}
    if isinstance(value, Mapping):
        return {lang: _names(words, f"{key}.{lang}") for lang, words in value.items()}
    raise EntryError(key, f"{value!r} is neither a list of keywords nor a table of language -> keywords")


class ConfiguredHarvester(Harvester):
    kind = "configured"
    fetches = False

    def harvest(self) -> Iterator[Event]:
        options = self.source.options
        where = f"sources.{self.source.name}.options"
        for group, build in (("services", self.service), ("products", self.product)):
            entries = options.get(group) or {}
            if not isinstance(entries, Mapping):
                yield Failed(f"{where}.{group} must be tables, one per entry", self.source.url, None, group)
                continue
            for ident, entry in entries.items():
                try:
                    if not isinstance(entry, Mapping):
                        raise EntryError("", "must be a table")
                    yield Harvested(build(str(ident), entry), self.source.url)
                except EntryError as exc:
                    name = f"{where}.{group}.{ident}" + (f".{exc.key}" if exc.key else "")
                    yield Failed(f"{name}: {exc}; the entry was left out", self.source.url, str(ident), exc.key or None)
        yield Complete()
        yield Checkpoint({})

    def _common(self, ident: str, entry: Mapping[str, Any], allowed: set[str], kind: str) -> dict[str, Any]:
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise EntryError(unknown[0], f"unknown key; the keys are {', '.join(sorted(allowed))}")
        title = _text(entry.get("title"), "title")
        if not title:
            raise EntryError("title", "every entry needs a title")
        return {
            "uri": _iri(entry.get("uri"), "uri") or self.mint(kind, ident),
            "identifier": str(entry.get("identifier") or ident),
            "title": title,
            "description": _text(entry.get("description"), "description"),
            "publisher": _agent(entry.get("provider"), "provider"),
            "contact": _agent(entry.get("contact"), "contact"),
            "landing_page": _iri(entry.get("landing_page"), "landing_page"),
            "license": _iri(entry.get("license"), "license"),
            "keywords": _keywords(entry.get("keywords"), "keywords"),
            "themes": _iris(entry.get("themes"), "themes"),
            "how_to_order": _text(entry.get("how_to_order"), "how_to_order"),
            "order_url": _iri(entry.get("order_url"), "order_url"),
            "price_model": _choice(entry.get("price_model"), "price_model", PRICE_MODELS, None),
            "price": _text(entry.get("price"), "price"),
            "terms": _text(entry.get("terms"), "terms"),
        }

    def service(self, ident: str, entry: Mapping[str, Any]) -> DataService:
        return DataService(
            **self._common(ident, entry, SERVICE_KEYS, "service"),
            service_type=_choice(entry.get("type"), "type", SERVICE_TYPES, "platform") or "platform",
            endpoint_url=_iri(entry.get("endpoint_url"), "endpoint_url"),
            endpoint_description=_iri(entry.get("endpoint_description"), "endpoint_description"),
            serves_datasets=_iris(entry.get("serves"), "serves"),
            serves_sources=_names(entry.get("serves_sources"), "serves_sources"),
            access_rights=_iri(entry.get("access_rights"), "access_rights"),
            conforms_to=_iris(entry.get("conforms_to"), "conforms_to"),
            applicable_legislation=_iris(entry.get("applicable_legislation"), "applicable_legislation"),
        )

    def product(self, ident: str, entry: Mapping[str, Any]) -> DataProduct:
        common = self._common(ident, entry, PRODUCT_KEYS, "product")
        return DataProduct(
            **common,
            product_type=_choice(entry.get("type"), "type", PRODUCT_TYPES, "other") or "other",
            derived_from=_iris(entry.get("derived_from"), "derived_from"),
        )
