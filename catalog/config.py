"""Configuration in one place: `catalog.toml` in the catalogue home, overridden by environment.

Read once at start (`Settings.load`). Every setting is declared once below with its default and
the environment variable that overrides it, datasette-style, so `catalog --help` and the README
can list them and a bad value fails at start with a message that says how to fix it.
"""

from __future__ import annotations

import dataclasses
import difflib
import fcntl
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import tomlkit

from catalog import messages as msg
from catalog.disclosure import Policy, PolicyError
from catalog.model import Agent, LangText

DEFAULT_HOME = "catalog-data"
CONFIG_FILE = "catalog.toml"

SOURCE_NAME = re.compile(r"^\w[\w.-]*$")
"""Source names appear in URLs (/sources/<name>) and minted URIs: letters, digits, '.', '_', '-'."""

SOURCE_KINDS = ("central-registry", "quality-registry", "survey", "statistics", "catalogue")
"""What kind of publisher a source is; a search facet (not to be confused with the protocol)."""
CATEGORY_OF_PROTOCOL = {
    "klass": "statistics",
    "vardef": "statistics",
    "microdata": "statistics",
    "oai-ddi": "survey",
    "ckan": "catalogue",
}
"""A source's kind of publisher where its protocol tells it (Statistics Norway's APIs, survey
archives' DDI, open-data portals' CKAN); a DCAT feed or a variable list is published alike by
registries and catalogues, and is taken for a central registry's (the operator says otherwise)."""


def default_category(protocol: str) -> str:
    """The category of a source added without one (`CATEGORY_OF_PROTOCOL`)."""
    return CATEGORY_OF_PROTOCOL.get(protocol, "central-registry")


class ConfigError(ValueError):
    """Configuration that cannot be used; the message says which file/variable and how to fix it."""


class SourceExists(ConfigError):
    """A source is added under a name in use, and replacing it was not asked for."""


@dataclass
class SourceConfig:
    """One source: which protocol (`kind`), where, and how often."""

    name: str
    kind: str
    url: str
    category: str = "central-registry"  # one of SOURCE_KINDS
    title: str = ""
    interval_minutes: int = 1440
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    credentials_env: str | None = None  # name of an environment variable holding a token

    def __post_init__(self) -> None:
        operator_defaults(self)  # a bad default is an error now, naming the setting, not a failed harvest
        for option, setting in SOURCE_OVERRIDES.items():
            if option in self.options:
                value = self.options[option]
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise ConfigError(
                        f"sources.{self.name}.options.{option}: must be a positive number of seconds "
                        f"(it overrides the setting {setting}), not {value!r}"
                    )
        try:
            self.policy  # noqa: B018 - checked now too: a bad disclosure setting fails at start, naming itself
        except PolicyError as exc:
            raise ConfigError(str(exc)) from exc
        duty_options(self)

    @property
    def maturity(self) -> int | None:
        """`options.maturity`: the holder's data quality management maturity, as the access body
        assessed it with QUANTUM's maturity model (1 initial .. 5 optimised); None when not assessed."""
        return duty_options(self)[0]

    @property
    def confirm_unchanged(self) -> bool:
        """`options.confirm_unchanged`: the publisher has said that its feed, harvested without a
        change, is its yearly confirmation of its descriptions (EHDS Art. 60)."""
        return duty_options(self)[1]

        route = self.options.get("access_route")
        if route is not None:
            from catalog.access import routes

            if route not in routes().routes:
                raise ConfigError(
                    f"sources.{self.name}.options.access_route must be one of {', '.join(routes().routes)} "
                    f"(catalog/access_routes.toml), not {route!r}"
                )

    @property
    def defaults(self) -> dict[str, Any]:
        """`options.defaults`, checked and normalised (agents as `Agent`, texts as `{lang: text}`)."""
        return operator_defaults(self)

    @property
    def policy(self) -> Policy:
        """How this source's counts are published (`options.disclosure`: threshold, rounding)."""
        return Policy.from_options(self.options, f"sources.{self.name}.options.disclosure")

    def credentials(self) -> str | None:
        return os.environ.get(self.credentials_env) if self.credentials_env else None

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "url": self.url, "category": self.category}
        if self.title:
            out["title"] = self.title
        out["interval_minutes"] = self.interval_minutes
        if not self.enabled:
            out["enabled"] = False
        if self.options:
            out["options"] = self.options
        if self.credentials_env:
            out["credentials_env"] = self.credentials_env
        return out


# --- what the operator completes: per-source defaults and the organisation register -------------

DEFAULT_FIELDS: dict[str, str] = {
    "publisher": "agent",
    "custodian": "agent",
    "contact": "contact",
    "keywords": "keywords",
    "themes": "iris",
    "health_categories": "iris",
    "health_themes": "iris",
    "applicable_legislation": "iris",
    "spatial": "iris",
    "languages": "iris",
    "conforms_to": "iris",
    "coding_systems": "iris",
    "code_values": "texts",
    "has_personal_data": "iris",
    "generated_by": "iris",
    "access_rights": "iri",
    "landing_page": "iri",
    "frequency": "iri",
    "dataset_type": "iri",
    "access_url": "iri",
    "legal_basis": "text",
    "purpose": "text",
    "provenance": "text",
    "population_coverage": "text",
    "temporal_start": "date",
    "temporal_end": "date",
    "issued": "date",
    "modified": "date",
    "number_of_records": "count",
    "number_of_unique_individuals": "count",
    "min_typical_age": "count",
    "max_typical_age": "count",
    "has_structured_data": "bool",
    "version": "string",
}
"""Dataset fields an operator may complete per source (`options.defaults`), by the kind of value.

`access_url` is not a field: it gives a dataset without distributions one (where to apply)."""

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
VOCABULARY_OF = {
    "themes": EU_AUTHORITY + "data-theme/",
    "health_categories": "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/",
    "access_rights": EU_AUTHORITY + "access-right/",
    "languages": EU_AUTHORITY + "language/",
    "frequency": EU_AUTHORITY + "frequency/",
    "dataset_type": EU_AUTHORITY + "dataset-type/",
    "spatial": EU_AUTHORITY + "country/",
}
"""Defaults of these fields may name a code of their EU list instead of its IRI ("PHDR", "HEAL",
"NON_PUBLIC", "NOR"), as the publisher kit's metadata does: an operator completing a real
catalogue wrote `health_categories = ["PHDR"]` and was told only that it is not an IRI."""
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

PUBLISHERS_ONLY = {
    "title": "a dataset's title is its publisher's to state",
    "description": "a dataset's description is its publisher's to write; the catalogue never invents one",
    "hdab": "the access body is the catalogue's own (settings hdab_name and hdab_email)",
}
"""Fields an operator may not fill, with the reason the error gives."""

AGENT_KEYS = {"agent": ("name", "email", "url", "uri"), "contact": ("name", "email", "url")}
ORGANISATION_KEYS = ("name", "email", "url", "org_number", "type", "aliases")
_EMAIL = re.compile(r"[^@\s:/]+@[^@\s/]+\.[^@\s/]+")
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.I)


def _fail(setting: str, problem: str) -> ConfigError:
    return ConfigError(f"{setting}: {problem}")


def _iri(value: Any, setting: str) -> str:
    if not isinstance(value, str) or not _IRI.fullmatch(value.strip()):
        raise _fail(setting, msg.NOT_IRI(value=value))
    return value.strip()


def _email(value: Any, setting: str) -> str:
    address = value.strip().removeprefix("mailto:") if isinstance(value, str) else value
    if not isinstance(address, str) or not _EMAIL.fullmatch(address):
        raise _fail(setting, msg.NOT_EMAIL(value=value))
    return address


def _text(value: Any, setting: str) -> LangText:
    """A plain string (an untagged literal) or a table of language tag -> text. An empty one ("",
    `{ nb = "" }`) is an error naming the setting: `{ nb = "" }` was taken as no text at all, and the
    publisher kit refused `purpose = ""` while it published `purpose = { nb = "" }` without one."""
    if isinstance(value, str) and value.strip():
        return {"": value.strip()}
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        texts = {k: v.strip() for k, v in value.items() if v.strip()}
        if texts:
            return texts
    if isinstance(value, str) or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
        raise _fail(setting, msg.EMPTY_TEXT(value=value))
    raise _fail(setting, msg.NOT_TEXT_OR_TABLE(value=value))


def org_number_ok(number: str) -> bool:
    """A Norwegian organisation number: nine digits whose last is the modulus-11 check digit."""
    if not re.fullmatch(r"\d{9}", number):
        return False
    remainder = sum(int(d) * w for d, w in zip(number[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    return (0 if remainder == 0 else 11 - remainder) == int(number[8])


def _agent(value: Any, setting: str, keys: tuple[str, ...]) -> Agent:
    if not isinstance(value, dict):
        raise _fail(setting, msg.AGENT_NOT_TABLE(keys=", ".join(keys), value=value))
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise _fail(setting, msg.AGENT_UNKNOWN_KEY(unknown=", ".join(unknown), keys=", ".join(keys)))
    if not value:
        raise _fail(setting, msg.AGENT_EMPTY(keys=", ".join(keys)))
    return Agent(
        name=_text(value["name"], f"{setting}.name") if "name" in value else {},
        email=_email(value["email"], f"{setting}.email") if "email" in value else None,
        url=_iri(value["url"], f"{setting}.url") if "url" in value else None,
        uri=_iri(value["uri"], f"{setting}.uri") if "uri" in value else None,
    )


CHECKED_LISTS = (VOCABULARY_OF["themes"], VOCABULARY_OF["health_categories"], VOCABULARY_OF["dataset_type"])
"""The EU lists whose every concept the feed must state with its label, which our vocabulary files
(shapes/vocabularies/) hold: a code outside them is a violation of the published feed ("the theme
is not from the EU data-theme vocabulary", "the code has no label"). `themes = "helse"` was taken
as the code .../data-theme/helse and published with those violations (exit 1); such a code, or an
IRI of the list it does not hold, is refused where it is written, with the list's codes. (The
country, language and frequency lists our files hold are partial, and the shapes ask no label of
them: a code of those is not checked.)"""


@cache
def list_codes(vocabulary: str) -> dict[str, str]:
    """The codes of the EU list `vocabulary` (a `CHECKED_LISTS` base) our vocabulary files hold,
    case-folded -> as the list writes it ("heal" -> "HEAL")."""
    from rdflib.namespace import SKOS

    from catalog.validation import vocabulary_graph

    concepts = {str(c) for c in vocabulary_graph().subjects(SKOS.inScheme, None)}
    codes = sorted(c.removeprefix(vocabulary) for c in concepts if c.startswith(vocabulary))
    return {code.casefold(): code for code in codes if code and "/" not in code}


def _listed(value: Any, setting: str, vocabulary: str | None) -> str:
    """An IRI, or a code of the field's EU list (`VOCABULARY_OF`) as that list's IRI; of a list
    `CHECKED_LISTS` names, a code (any case) or IRI that list holds."""
    said = value.strip() if isinstance(value, str) else value
    if vocabulary in CHECKED_LISTS and isinstance(said, str) and (_CODE.fullmatch(said) or said.startswith(vocabulary)):
        codes = list_codes(vocabulary)
        code = codes.get(said.removeprefix(vocabulary).casefold())
        if code is None:
            raise _fail(setting, msg.NOT_CODE_OF(value=value, vocabulary=vocabulary, codes=", ".join(codes.values())))
        return vocabulary + code
    if vocabulary and isinstance(value, str) and _CODE.fullmatch(value.strip()):
        return vocabulary + value.strip()
    try:
        return _iri(value, setting)
    except ConfigError as exc:
        if vocabulary:
            raise _fail(setting, msg.NOT_IRI_OR_CODE(value=value, vocabulary=vocabulary)) from None
        raise exc


PUBLISHER_TYPE_LISTS = (
    "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type",
    "http://purl.org/adms/publishertype",
)
"""The EU publisher-type lists an agent's `type` may name a concept of: HealthDCAT-AP Release 8's
own (DG SANTE's, which its shapes ask of a dataset's publisher) and ADMS's (DCAT-AP's), each as our
vocabulary files hold it (shapes/vocabularies/: their codes, and labels in nb, nn and en)."""


class PublisherTypes(NamedTuple):
    names: dict[str, tuple[str, str]]
    """Every name a type may be written as, case-folded -> (the name as the list writes it, the IRI)."""
    codes: tuple[str, ...]
    """Each concept's code, HealthDCAT-AP's first."""


@cache
def publisher_types() -> PublisherTypes:
    """The names of the concepts of `PUBLISHER_TYPE_LISTS`: each one's code (`skos:notation`:
    NationalAuthority, public-health-registry) and its labels in nb, nn and en (Nasjonal
    myndighet, Nasjonal styresmakt, National authority). A label both lists give ("Ikke-statlig
    organisasjon") names HealthDCAT-AP's concept, the first list's."""
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    from catalog.validation import vocabulary_graph

    g = vocabulary_graph()
    names: dict[str, tuple[str, str]] = {}
    codes: list[str] = []
    for scheme in PUBLISHER_TYPE_LISTS:
        for concept in sorted(map(str, g.subjects(SKOS.inScheme, URIRef(scheme)))):
            code = g.value(URIRef(concept), SKOS.notation)
            codes += [str(code)] if code is not None else []
            for name in (code, *sorted(map(str, g.objects(URIRef(concept), SKOS.prefLabel)))):
                if name is not None:
                    names.setdefault(str(name).casefold(), (str(name), concept))
    return PublisherTypes(names, tuple(codes))


def publisher_type(value: Any, where: str) -> str:
    """A publisher type's IRI from its code, its label in nb, nn or en (any case), or its IRI, as the
    publisher kit's metadata and the organisation register (`type`) name one. An unknown name is
    an error with the closest names, else the lists' codes: the kit took only an ADMS code or an
    IRI, and a registry writing "Nasjonal myndighet", as the catalogue shows it, or HealthDCAT-AP's
    own "public-health-registry", was refused."""
    said = value.strip() if isinstance(value, str) else value
    if isinstance(said, str) and said.startswith(("http://", "https://")):
        return _iri(said, where)  # without reading the vocabularies (0.3 s) for a setting's IRI
    known = publisher_types()
    if isinstance(said, str) and said.casefold() in known.names:
        return known.names[said.casefold()][1]
    close = difflib.get_close_matches(said.casefold(), list(known.names), n=3) if isinstance(said, str) else []
    if close:
        raise _fail(
            where, msg.PUBLISHER_TYPE_CLOSE(value=value, names=", ".join(repr(known.names[n][0]) for n in close))
        )
    raise _fail(where, msg.PUBLISHER_TYPE_CODES(value=value, codes=", ".join(known.codes)))


HEALTH_PUBLISHER_TYPES = PUBLISHER_TYPE_LISTS[0] + "/"
"""Where the IRIs of HealthDCAT-AP's publisher types begin (Release 8's shapes check the concept's scheme)."""


def of_health_list(value: Any) -> bool:
    """Whether `value` names a type of HealthDCAT-AP's publisher-type list (`publisher_type`), the
    one Release 8 asks of a dataset's publisher; an IRI of the list our vocabulary files do not hold
    is one (they hold the types Release 8's files confirm)."""
    try:
        return publisher_type(value, "").startswith(HEALTH_PUBLISHER_TYPES)
    except ConfigError:
        return False


ACCESS_LEVELS = {"PUBLIC": "Offentlig", "RESTRICTED": "Begrenset", "NON_PUBLIC": "Ikke-offentlig"}
"""The codes of the EU access-right list HealthDCAT-AP takes (its three access levels), with the
name the catalogue shows for each."""


def _access_level(value: Any, setting: str) -> str:
    """An access level's IRI from its code (any case) or its nb name, as the catalogue shows it; an IRI
    as it is. Another code was taken as an IRI of the list (`access_rights = "OPEN"`), and the
    report then said the dataset "has no access level" (a registry's drill, 2026-12-07)."""
    said = value.strip() if isinstance(value, str) else value
    if isinstance(said, str) and not said.startswith(("http://", "https://")):
        by_name = {name.casefold(): code for code, name in ACCESS_LEVELS.items()}
        code = said.upper().replace("-", "_") if said.upper().replace("-", "_") in ACCESS_LEVELS else None
        code = code or by_name.get(said.casefold())
        if code is None:
            levels = ", ".join(f"{code} ({name})" for code, name in ACCESS_LEVELS.items())
            raise _fail(setting, msg.NOT_ACCESS_LEVEL(value=value, levels=levels))
        said = code
    return _listed(said, setting, VOCABULARY_OF["access_rights"])


def _calendar_date(value: str) -> bool:
    """Whether a date's month and day (where given) are on the calendar: "2012-13-01" was taken, and
    rdflib wrote a traceback into the publisher kit's report."""
    parts = value[:10].split("-")
    try:
        date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _default(kind: str, value: Any, setting: str, vocabulary: str | None = None) -> Any:
    if kind in AGENT_KEYS:
        return _agent(value, setting, AGENT_KEYS[kind])
    if kind == "iri" and vocabulary == VOCABULARY_OF["access_rights"]:
        return _access_level(value, setting)
    if kind == "iri":
        return _listed(value, setting, vocabulary)
    if kind == "iris":
        if isinstance(value, str):  # one, named as written: "themes", not "themes[0]"
            return [_listed(value, setting, vocabulary)]
        values = value
        if not isinstance(values, list) or not values:
            raise _fail(setting, msg.NOT_IRIS(value=value))
        return [_listed(v, f"{setting}[{i}]", vocabulary) for i, v in enumerate(values)]
    if kind == "text":
        return _text(value, setting)
    if kind == "texts":
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            return [v.strip() for v in value]
        raise _fail(setting, msg.NOT_TEXTS(value=value))
    if kind == "keywords":
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            return {"": [v.strip() for v in value]}
        if isinstance(value, dict) and all(
            isinstance(v, list) and all(isinstance(w, str) for w in v) for v in value.values()
        ):
            return {lang: [w.strip() for w in words if w.strip()] for lang, words in value.items()}
        raise _fail(setting, msg.NOT_KEYWORDS(value=value))
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(setting, msg.NOT_COUNT(value=value))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _fail(setting, msg.NOT_BOOL(value=value))
        return value
    if kind == "date":
        if (
            not isinstance(value, str)
            or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?", value)
            or not _calendar_date(value)
        ):
            raise _fail(setting, msg.NOT_DATE(value=value))
        return value
    if not isinstance(value, str) or not value.strip():
        raise _fail(setting, msg.NOT_STRING(value=value))
    return value.strip()


def duty_options(source: SourceConfig) -> tuple[int | None, bool]:
    """(maturity, confirm_unchanged) of a source's options, checked; a `ConfigError` names the bad one."""
    maturity = source.options.get("maturity")
    if maturity is not None and (isinstance(maturity, bool) or not isinstance(maturity, int) or not 1 <= maturity <= 5):
        raise _fail(f"sources.{source.name}.options.maturity", f"{maturity!r} is not a maturity level from 1 to 5")
    confirm = source.options.get("confirm_unchanged", False)
    if not isinstance(confirm, bool):
        raise _fail(f"sources.{source.name}.options.confirm_unchanged", f"{confirm!r} is not true or false")
    return maturity, confirm


def operator_defaults(source: SourceConfig) -> dict[str, Any]:
    """A source's `options.defaults`, checked and normalised; a `ConfigError` names the bad setting."""
    raw = source.options.get("defaults") or {}
    try:
        key = json.dumps(raw, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"sources.{source.name}.options.defaults: not plain TOML values ({exc})") from exc
    return dict(_parsed_defaults(source.name, key))


@lru_cache(maxsize=1024)
def _parsed_defaults(name: str, raw_json: str) -> tuple[tuple[str, Any], ...]:
    raw = json.loads(raw_json)
    where = f"sources.{name}.options.defaults"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table of dataset fields (got {raw!r})")
    refused = sorted(set(raw) & set(PUBLISHERS_ONLY))
    if refused:
        raise _fail(f"{where}.{refused[0]}", PUBLISHERS_ONLY[refused[0]] + ", not the operator's")
    unknown = sorted(set(raw) - set(DEFAULT_FIELDS))
    if unknown:
        raise ConfigError(
            f"{where}: may only name dataset fields the operator completes (unknown: {', '.join(unknown)}); "
            f"the fields are {', '.join(sorted(DEFAULT_FIELDS))}"
        )
    return tuple(
        (k, _default(DEFAULT_FIELDS[k], v, f"{where}.{k}", VOCABULARY_OF.get(k))) for k, v in sorted(raw.items())
    )


@dataclass(frozen=True)
class Organisation:
    """One entry of the operator's organisation register: `[organisations."<IRI>"]` in catalog.toml.

    It completes every agent (publisher, custodian, creator) of every source that is this
    organisation: the agent's IRI is the entry's, or its dct:identifier is the entry's
    `org_number` (also read from Enhetsregisteret IRIs), or its name is the entry's name or one
    of its `aliases`. Completing fills what the agent lacks; nothing the source says is replaced.
    `type` is the IRI of its publisher type (`publisher_type`: the operator writes its code or its
    nb/nn/en name, as the publisher kit does): most sources state none."""

    iri: str
    name: LangText = field(default_factory=dict)
    email: str | None = None
    url: str | None = None
    org_number: str | None = None
    type: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def setting(self) -> str:
        """How catalog.toml names this entry, for messages and provenance."""
        return f'organisations."{self.iri}"'

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name:
            out["name"] = self.name[""] if set(self.name) == {""} else dict(self.name)
        for key in ("email", "url", "org_number", "type"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.aliases:
            out["aliases"] = list(self.aliases)
        return out

    def names(self) -> set[str]:
        return {folded(n) for n in (*self.name.values(), *self.aliases) if n.strip()}


def folded(name: str) -> str:
    """A name as names are compared: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def parse_organisations(raw: Any) -> dict[str, Organisation]:
    """The `[organisations]` tables, checked; a `ConfigError` names the entry and the key."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError('organisations: must be tables [organisations."<IRI>"] with name, email, url, org_number')
    out: dict[str, Organisation] = {}
    numbers: dict[str, str] = {}
    for iri, entry in raw.items():
        where = f'organisations."{iri}"'
        _iri(iri, where)
        if not isinstance(entry, dict):
            raise _fail(where, "must be a table with " + ", ".join(ORGANISATION_KEYS))
        unknown = sorted(set(entry) - set(ORGANISATION_KEYS))
        if unknown:
            raise _fail(where, f"unknown key {', '.join(unknown)}; the keys are {', '.join(ORGANISATION_KEYS)}")
        number = entry.get("org_number")
        if number is not None:
            number = str(number).replace(" ", "")
            if not org_number_ok(number):
                raise _fail(
                    f"{where}.org_number", f"{entry['org_number']!r} is not a valid Norwegian organisation number"
                )
            if number in numbers:
                raise _fail(f"{where}.org_number", f"{number} is also the number of {numbers[number]}")
            numbers[number] = where
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise _fail(f"{where}.aliases", f"{aliases!r} is not a list of names")
        out[iri] = Organisation(
            iri=iri,
            name=_text(entry["name"], f"{where}.name") if "name" in entry else {},
            email=_email(entry["email"], f"{where}.email") if "email" in entry else None,
            url=_iri(entry["url"], f"{where}.url") if "url" in entry else None,
            org_number=number,
            type=publisher_type(entry["type"], f"{where}.type") if "type" in entry else None,
            aliases=tuple(aliases),
        )
    return out


def check_source_url(url: str) -> None:
    """A source's URL must be absolute http(s) with a host: harvesters fetch nothing else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"the source URL {url!r} is not an absolute http or https URL (e.g. https://data.example.no/)"
        )


# name -> (environment variable, default, help)
SETTINGS: dict[str, tuple[str, Any, str]] = {
    "database_url": (
        "CATALOG_DATABASE_URL",
        "",
        "the store: empty for the SQLite file in the catalogue home, or postgresql://user@host:port/database",
    ),
    "store_timeout": (
        "CATALOG_STORE_TIMEOUT",
        15.0,
        "seconds the explorer waits for one read of a PostgreSQL store before the page answers 503",
    ),
    "store_write_timeout": (
        "CATALOG_STORE_WRITE_TIMEOUT",
        300.0,
        "seconds the pipeline, the scheduler and the writing commands wait for one statement of a PostgreSQL "
        "store (a server that stopped answering) before the statement is cut off and the run fails",
    ),
    "search_backend": ("CATALOG_SEARCH_BACKEND", "tantivy", "search backend: tantivy (embedded) or elasticsearch"),
    "elasticsearch_url": (
        "CATALOG_ELASTICSEARCH_URL",
        "",
        "Elasticsearch/OpenSearch URL for the elasticsearch backend",
    ),
    "elasticsearch_index": (
        "CATALOG_ELASTICSEARCH_INDEX",
        "catalog",
        "index alias the catalogue searches (lower case; its indices are <alias>-<timestamp>)",
    ),
    "elasticsearch_api_key": ("CATALOG_ELASTICSEARCH_API_KEY", "", "API key for the cluster (or user and password)"),
    "elasticsearch_user": ("CATALOG_ELASTICSEARCH_USER", "", "user name for the cluster's basic authentication"),
    "elasticsearch_password": ("CATALOG_ELASTICSEARCH_PASSWORD", "", "password for the cluster's basic authentication"),
    "elasticsearch_plain_json": (
        "CATALOG_ELASTICSEARCH_PLAIN_JSON",
        False,
        "plain JSON instead of the client's compatibility media type, for OpenSearch-compatible servers that "
        "refuse it (never for a real Elasticsearch)",
    ),
    "elasticsearch_ca_certs": (
        "CATALOG_ELASTICSEARCH_CA_CERTS",
        "",
        "file of the CA certificate(s) the cluster's TLS certificate is signed by (self-managed Elasticsearch 8/9)",
    ),
    "elasticsearch_fingerprint": (
        "CATALOG_ELASTICSEARCH_FINGERPRINT",
        "",
        "SHA-256 fingerprint of the cluster's TLS certificate, instead of a CA file",
    ),
    "elasticsearch_replicas": (
        "CATALOG_ELASTICSEARCH_REPLICAS",
        1,
        "replicas of the search index, restored after a rebuild (which fills a new index without any)",
    ),
    "synonyms_file": (
        "CATALOG_SYNONYMS",
        "",
        "your own synonym list; empty: the list edited through the admin API, else the shipped one",
    ),
    "base_uri": ("CATALOG_BASE_URI", "https://catalog.example.org/", "base of the URIs this catalogue mints"),
    "http_timeout": ("CATALOG_HTTP_TIMEOUT", 30.0, "seconds before a harvest request times out"),
    "http_max_bytes": ("CATALOG_HTTP_MAX_BYTES", 200 * 1024 * 1024, "largest response body a harvester accepts"),
    "http_retries": ("CATALOG_HTTP_RETRIES", 3, "retries of a failed request (5xx, 429, connection errors)"),
    "harvest_budget_seconds": (
        "CATALOG_HARVEST_BUDGET_SECONDS",
        1800.0,
        "most seconds one source's harvest may take, its requests and waits included; the harvest fails "
        "when it is spent, keeping what it stored (a source's options.harvest_budget_seconds overrides it)",
    ),
    "admin_token": ("CATALOG_ADMIN_TOKEN", "", "token for admin actions on the web; empty disables them"),
    "hdab_name": ("CATALOG_HDAB_NAME", "Helsedataservice", "the health data access body named in the EHDS feed"),
    "hdab_email": ("CATALOG_HDAB_EMAIL", "helsedata@example.org", "contact e-mail of the access body"),
    "hdab_type": (
        "CATALOG_HDAB_TYPE",
        "",
        "the access body's publisher type in the EHDS feed (dct:type of the catalogue's publisher and of every "
        "dataset's hdab), a type of HealthDCAT-AP's publisher-type list by its code, nb/nn/en name or IRI; empty: "
        "none stated (Release 8's files name no type for a public body: the only example, non-gov-org, would be "
        "false of a government body); the organisation register's entry for the body, where it states a type, "
        "has its say",
    ),
    "uses_language": (
        "CATALOG_USES_LANGUAGE",
        "nb",
        "the language (a BCP 47 tag: nb, nn, en) the data use register's texts (project title, summary, legal "
        "basis) are written in, for a permit whose row in the register file names none (its language column)",
    ),
    "sparql_timeout": ("CATALOG_SPARQL_TIMEOUT", 10.0, "seconds a SPARQL query may run"),
    "sparql_max_results": ("CATALOG_SPARQL_MAX_RESULTS", 10_000, "most results a SPARQL answer may hold"),
    "sparql_snapshot_seconds": (
        "CATALOG_SPARQL_SNAPSHOT_SECONDS",
        600.0,
        "seconds the SPARQL endpoint may spend building its snapshot of the catalogue after a change",
    ),
    "sparql_max_triples": (
        "CATALOG_SPARQL_MAX_TRIPLES",
        20_000_000,
        "most statements the SPARQL endpoint's in-memory snapshot may hold (about 1 GiB per 5 million)",
    ),
    "trusted_proxy": (
        "CATALOG_TRUSTED_PROXY",
        "",
        "address of the reverse proxy whose X-Forwarded-For/-Host/-Proto/-Port headers `catalog serve` "
        "believes (e.g. 127.0.0.1); empty believes none",
    ),
    "log_format": ("CATALOG_LOG_FORMAT", "text", "log lines on stderr: text, or json (one JSON object a line)"),
    "log_level": ("CATALOG_LOG_LEVEL", "info", "least severe log lines written: debug, info, warning or error"),
}

LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
"""A language tag as RDF literals and HTML's lang carry it (BCP 47's form, not its registry)."""

SOURCE_OVERRIDES = {"timeout": "http_timeout", "harvest_budget_seconds": "harvest_budget_seconds"}
"""Options a source may set to override a setting for itself alone: option name -> setting."""

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _positive(value: Any) -> bool:
    return bool(value > 0)


def _at_least_zero(value: Any) -> bool:
    return bool(value >= 0)


def _web_address(value: Any) -> bool:
    parts = urlsplit(str(value))
    return parts.scheme in ("http", "https") and bool(parts.netloc)


CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    **dict.fromkeys(
        (
            "http_timeout",
            "harvest_budget_seconds",
            "sparql_timeout",
            "sparql_snapshot_seconds",
            "store_timeout",
            "store_write_timeout",
        ),
        (_positive, "is not a number of seconds above 0"),
    ),
    **dict.fromkeys(
        ("http_max_bytes", "sparql_max_results", "sparql_max_triples"), (_positive, "is not a whole number above 0")
    ),
    **dict.fromkeys(("http_retries", "elasticsearch_replicas"), (_at_least_zero, "is not 0 or more")),
    "base_uri": (_web_address, "is not an absolute http(s) address (as https://katalog.example.no/)"),
    "hdab_email": (lambda v: bool(_EMAIL.fullmatch(str(v).removeprefix("mailto:"))), "is not an e-mail address"),
    "hdab_type": (
        lambda v: not str(v).strip() or of_health_list(v),
        "is not a type of HealthDCAT-AP's publisher-type list, which Release 8 asks of a dataset's publisher and "
        "gives its example's access body (ADMS's, as NationalAuthority, are DCAT-AP's): write public-health-registry, "
        "non-gov-org, their name in nb, nn or en, or the IRI of a type of " + PUBLISHER_TYPE_LISTS[0],
    ),
    "uses_language": (
        lambda v: bool(LANGUAGE_TAG.fullmatch(str(v))),
        "is not a language tag (BCP 47, as nb, nn or en)",
    ),
    "log_format": (lambda v: v in ("text", "json"), "is not text or json"),
    "log_level": (
        lambda v: str(v).lower() in ("debug", "info", "warning", "error"),
        "is not debug, info, warning or error",
    ),
}
"""Settings whose value must be more than of the right type, and what a wrong one is not: a
timeout of -5 failed every harvest with requests' own words, a base URI without a scheme wrote
relative IRIs into the feeds, an access body's e-mail "nope" went to the EHDS feed."""


def _typed(name: str, env: str, default: Any, value: Any) -> Any:
    """`value` as the type of the setting's default, checked (`CHECKS`); a bad value names the
    setting and how to fix it."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ConfigError(f"setting {name} ({env}): {value!r} is not a yes/no value; use true or false")
    try:
        typed = type(default)(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name} ({env}): {value!r} is not a {type(default).__name__}") from exc
    check = CHECKS.get(name)
    if check is not None and not check[0](typed):
        raise ConfigError(f"setting {name} ({env}): {value!r} {check[1]}")
    return typed


def unknown_environment(environ: Mapping[str, str] | None = None) -> list[str]:
    """Each `CATALOG_*` environment variable that is no setting, with the one it may be a
    misspelling of: a misspelt CATALOG_ADMIN_TOKEN left the admin API off without a word."""
    known = {env for env, _default, _help in SETTINGS.values()} | set(OTHER_VARIABLES)
    found = []
    for name in sorted(environ if environ is not None else os.environ):
        if name.startswith("CATALOG_") and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            found.append(f"{name} is no setting" + (f"; did you mean {close[0]}?" if close else ""))
    return found


OTHER_VARIABLES = ("CATALOG_HOME", "CATALOG_CRASH_POINTS")
"""`CATALOG_*` variables read that are not settings: the home, and the crash test's number of points."""


PROMETHEUS_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""Not a setting: prometheus_client's own variable, which `catalog serve --workers N` sets to a fresh
directory of its own before the workers fork, so that they count their metrics into one sum."""


def metrics_directory() -> str | None:
    """Where the serving processes count their metrics together (None: each in its memory)."""
    return os.environ.get(PROMETHEUS_MULTIPROC_DIR) or None


def count_metrics_in(directory: str) -> None:
    """Make this process and those it forks count their metrics in `directory` (before `web`
    and so prometheus_client are first imported: it decides at import)."""
    os.environ[PROMETHEUS_MULTIPROC_DIR] = directory


def _values(raw: dict[str, Any], cfg: Path) -> dict[str, Any]:
    """The settings `catalog.toml`'s `[settings]` table and the environment give, checked."""
    unknown = sorted(set(raw.get("settings", {})) - set(SETTINGS))
    if unknown:
        close = {u: difflib.get_close_matches(u, list(SETTINGS), n=1) for u in unknown}
        named = [f"{u} (did you mean {close[u][0]}?)" if close[u] else u for u in unknown]
        raise ConfigError(f"{cfg}: unknown setting {', '.join(named)}; known: {', '.join(SETTINGS)}")
    values: dict[str, Any] = {}
    for name, (env, default, _help) in SETTINGS.items():
        value = raw.get("settings", {}).get(name, default)
        if env in os.environ:
            value = os.environ[env]
        values[name] = _typed(name, env, default, value)
    return values


def from_environment(name: str) -> Any:
    """A setting from its environment variable or its default: for what must be known before a
    catalogue home is (how to log the command's first lines)."""
    env, default, _help = SETTINGS[name]
    return _typed(name, env, default, os.environ.get(env, default))


@dataclass
class Settings:
    home: Path
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    _read_stamp: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)

    def __getattr__(self, name: str) -> Any:
        if name in SETTINGS:
            return self.values.get(name, SETTINGS[name][1])
        raise AttributeError(name)

    def policies(self) -> dict[str, Policy]:
        """Each source's disclosure policy, by source name (sources not configured get the default)."""
        return {name: src.policy for name, src in self.sources.items()}

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_FILE

    @property
    def edited_at(self) -> datetime | None:
        """When `catalog.toml` as this process last read it was written (None: no file): the feeds'
        statements follow its register and defaults, so their Last-Modified follows it too."""
        if self._read_stamp is None:
            return None
        return datetime.fromtimestamp(self._read_stamp[1] / 1e9, UTC)

    @property
    def db_path(self) -> Path:
        return self.home / "catalog.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @classmethod
    def load(cls, home: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
        # Absolute, so that whatever resolves paths relative to something else (flask-babel
        # resolves translation directories against the web package) finds the same files.
        path = Path(home or os.environ.get("CATALOG_HOME") or DEFAULT_HOME).absolute()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot use {path} as the catalogue home: {exc.strerror or exc}") from exc
        cfg = path / CONFIG_FILE
        raw = _read(cfg)
        values = _values(raw, cfg)
        values.update(overrides)
        settings = cls(home=path, sources=_sources(raw, cfg), values=values, organisations=_organisations(raw, cfg))
        settings._read_stamp = _stamp(cfg)
        return settings

    @property
    def read_stamp(self) -> tuple[int, int, int] | None:
        """What `catalog.toml` was when this object last read it (None: no file): a reader sharing
        this object tells by it whether another reader read an edit first (`reload_sources`)."""
        return self._read_stamp

    def reload_sources(self) -> bool:
        """Read the source list (and the organisation register) again if `catalog.toml` changed
        since it was read; whether it did.

        For long-running processes (the explorer, the scheduler), which must follow edits made by
        `catalog sources` or carried out for the admin API. A file that cannot be read any more,
        or whose `[settings]` a start would refuse (settings themselves apply at the next start),
        keeps the last good list and raises `ConfigError` naming the file or setting: a misspelt
        setting went unnoticed by the running services, and stopped their next start."""
        stamp = _stamp(self.config_path)
        if stamp == self._read_stamp:
            return False
        raw = _read(self.config_path)
        _values(raw, self.config_path)  # checked as a start checks them
        self.sources, self.organisations = _sources(raw, self.config_path), _organisations(raw, self.config_path)
        self._read_stamp = stamp
        return True

    def for_source(self, src: SourceConfig, setting: str) -> Any:
        """The setting as it applies to `src`: its own option when it overrides it (`SOURCE_OVERRIDES`)."""
        option = next((o for o, s in SOURCE_OVERRIDES.items() if s == setting), None)
        value = src.options.get(option) if option else None
        return getattr(self, setting) if value is None else type(SETTINGS[setting][1])(value)

    # --- edits of catalog.toml -----------------------------------------------------------------

    def put_sources(self, *sources: SourceConfig) -> None:
        """Add or replace these sources in `catalog.toml`, keeping every other source on disk."""

        def put(raw: dict[str, Any]) -> None:
            on_disk = _sources(raw, self.config_path)
            on_disk.update((src.name, src) for src in sources)
            raw["sources"] = _as_toml(on_disk)

        self._edit(put)

    def add_source(self, src: SourceConfig, replace: bool = False, keep_options: bool = False) -> SourceConfig | None:
        """Add `src` to `catalog.toml`; the source it replaced (None: none), checked on disk under
        the file's lock. A name in use is `SourceExists` unless `replace`: a new protocol or address
        lists other records, and its next harvest deleted the old source's (33 of Difi's, when a
        CKAN source was added under its name), with its operator's options gone. `keep_options`
        (none given) keeps those of a source of the same protocol replaced."""
        before: SourceConfig | None = None

        def put(raw: dict[str, Any]) -> None:
            nonlocal before
            on_disk = _sources(raw, self.config_path)
            before = on_disk.get(src.name)
            if before is not None and not replace:
                raise SourceExists(
                    f"a source named {src.name!r} exists ({before.kind} {before.url}); replace it on purpose "
                    '(--replace, or "replace": true) or choose another name: its next harvest deletes the '
                    "records the new source does not list"
                )
            kept = keep_options and before is not None and before.kind == src.kind and before.options
            on_disk[src.name] = dataclasses.replace(src, options=before.options) if kept and before else src
            raw["sources"] = _as_toml(on_disk)

        self._edit(put)
        return before

    def save_sources(self) -> None:
        """Add or replace, in `catalog.toml`, every source this process holds (other sources on disk
        stay: a source is removed with `remove_source`)."""
        self.put_sources(*self.sources.values())

    def remove_source(self, name: str) -> bool:
        """Remove one source from `catalog.toml`; False when no such source is on disk."""
        found = False

        def remove(raw: dict[str, Any]) -> None:
            nonlocal found
            on_disk = _sources(raw, self.config_path)
            found = on_disk.pop(name, None) is not None
            raw["sources"] = _as_toml(on_disk)

        self._edit(remove)
        return found

    def put_settings(self, **values: Any) -> None:
        """Write these settings into `catalog.toml`'s `[settings]` (the others, and the file's
        comments, stay) and use them here: what a command decides for its home, so that every later
        command on that home, and its explorer, use the same. The demo set its own address and
        access body in memory only, and a `catalog harvest` beside it, run as the README says, took
        the placeholders and found every dataset validated with other settings."""

        def put(raw: dict[str, Any]) -> None:
            raw.setdefault("settings", {}).update(values)
            _values(raw, self.config_path)  # refused as a start would refuse them

        self._edit(put)
        self.values.update(values)

    def save_organisations(self) -> None:
        """Write the organisation register back to the TOML file, keeping its other tables."""

        def put(raw: dict[str, Any]) -> None:
            raw["organisations"] = {iri: org.to_toml() for iri, org in sorted(self.organisations.items())}

        self._edit(put)

    def _edit(self, edit: Callable[[dict[str, Any]], None]) -> None:
        """Read, edit and write `catalog.toml` under an exclusive lock, so that edits from several
        processes (the CLI, the admin API, the demo) merge instead of the last writer's stale copy
        replacing the others'. `self.sources` becomes what is on disk afterwards.

        `edit` changes the sources and the organisation register of the file as plain data; the
        file is written back with only the entries that changed rewritten (`_synced`), so the
        operator's comments and layout elsewhere stay: every edit dropped them all (a ticket
        number, a note on the access body)."""
        with self._locked():
            text = self.config_path.read_text(encoding="utf-8") if self.config_path.exists() else ""
            try:
                raw: dict[str, Any] = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{self.config_path}: not valid TOML ({exc}); fix it before editing") from exc
            edit(raw)
            sources = _sources(raw, self.config_path)
            doc = tomlkit.parse(text)
            cfg = self.config_path
            _synced(doc, "sources", raw.get("sources") or {}, lambda t: _sources({"sources": t}, cfg))
            _synced(
                doc,
                "organisations",
                raw.get("organisations") or {},
                lambda t: _organisations({"organisations": t}, cfg),
            )
            for name, value in (raw.get("settings") or {}).items():
                if "settings" not in doc:
                    doc["settings"] = tomlkit.table()
                table = doc["settings"]
                assert isinstance(table, tomlkit.items.Table | tomlkit.items.InlineTable)
                if table.get(name) != value:
                    table[name] = value
            tmp = self.config_path.with_name(f".{CONFIG_FILE}.{os.getpid()}.tmp")
            tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
            tmp.replace(self.config_path)
        self.sources = sources

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.home / f".{CONFIG_FILE}.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _synced(doc: Any, table: str, entries: dict[str, Any], read: Callable[[dict[str, Any]], Any]) -> None:
    """`doc`'s `table` (a tomlkit document's) made `entries`, each entry rewritten only when what
    it says (as `read` reads a table of it) changed, so that the comments of the others stay (a
    source written with its defaults said is the source written without them); an empty table
    is removed."""
    if not entries:
        doc.pop(table, None)
        return
    if table not in doc:
        doc[table] = tomlkit.table(is_super_table=True)
    written = doc[table]
    for name in [n for n in written if n not in entries]:
        del written[name]
    for name, value in entries.items():
        if name not in written or read({name: written[name].unwrap()}) != read({name: value}):
            written[name] = value


def _as_toml(sources: dict[str, SourceConfig]) -> dict[str, Any]:
    return {name: src.to_toml() for name, src in sorted(sources.items())}


def _sources(raw: dict[str, Any], cfg: Path) -> dict[str, SourceConfig]:
    """The `[sources]` of a parsed catalog.toml, each checked; an error names the file and source."""
    sources = {}
    for name, spec in raw.get("sources", {}).items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{cfg}: source {name!r} must be a table ([sources.{name}])")
        try:
            sources[name] = SourceConfig(name=name, **spec)
        except TypeError as exc:
            raise ConfigError(f"{cfg}: source {name!r}: {exc}") from exc
        except ConfigError as exc:
            raise ConfigError(f"{cfg}: {exc}") from exc
    return sources


def _organisations(raw: dict[str, Any], cfg: Path) -> dict[str, Organisation]:
    try:
        return parse_organisations(raw.get("organisations"))
    except ConfigError as exc:
        raise ConfigError(f"{cfg}: {exc}") from exc


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read(cfg: Path) -> dict[str, Any]:
    if not cfg.exists():
        return {}
    try:
        return tomllib.loads(cfg.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{cfg}: not valid TOML ({exc})") from exc
