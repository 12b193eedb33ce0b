"""Access routes: where a researcher applies for the data of each source, and what to do there.

A catalogue that ends at a variable list leaves the researcher to find out that the central and
quality registries go through Helsedataservice's common application, HUNT through its databank,
MoBa through FHI, and Statistics Norway's data through microdata.no or an application to SSB.
The routes, with their steps in bokmål, nynorsk and English, live in `catalog/access_routes.toml`
(readable and editable by the operator); a source's own `options.access_route` in catalog.toml
overrides the file's choice.

A selection of variables from MFR, NorPD and SSB also raises whether and by whom the data can be
linked (the epidemiologist's drill): each route may say how its data are linked and delivered
(`linkage_nb`, `linkage_nn`, `linkage_en`), and the file says once what linking data of
different routes takes (`across_nb`, `across_nn`, `across_en`, before the first route). These
are the operator's texts, in general terms; a route without one says nothing of linkage.

A researcher abroad found nothing on how to apply from there: the file says it once too
(`abroad_nb`, `abroad_nn`, `abroad_en`), and an English page links each route's English page
(`url_en`) where it has one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalog.config import SourceConfig

ROUTES_FILE = Path(__file__).with_name("access_routes.toml")
FALLBACK = "publisher"
LANGUAGES = ("nb", "nn", "en")


class AccessRouteError(ValueError):
    """The routes file or a source's access_route cannot be used; the message says where."""


@dataclass(frozen=True)
class Route:
    id: str
    names: dict[str, str]
    body: str  # who decides (the access body or data holder)
    url: str  # where one applies ("" when the route has no one place)
    url_en: str
    steps: dict[str, tuple[str, ...]]
    sources: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    linkage: dict[str, str] = field(default_factory=dict)  # how its data are linked, by language; {} when unsaid

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["nb"]

    def steps_in(self, lang: str) -> tuple[str, ...]:
        return self.steps.get(lang) or self.steps["nb"]

    def link(self, lang: str) -> str:
        return (self.url_en if lang == "en" and self.url_en else self.url) or ""

    def link_language(self, lang: str) -> str:
        """The language of the page `link` gives for a page in `lang`: English where the route has an
        English page (`url_en`), else bokmål, the access bodies' own pages (`url`). An English page
        sent a researcher to Sikt's Norwegian front page as if it were in English: the file knows no
        English page of Sikt's, and the page says the link is to one in Norwegian."""
        return "en" if lang == "en" and self.url_en else "nb"

    def linkage_in(self, lang: str) -> str:
        """How this route's data are linked and delivered, in `lang`; "" when the file does not say."""
        return self.linkage.get(lang, "")


@dataclass(frozen=True)
class Routes:
    routes: dict[str, Route]
    across: dict[str, str] = field(default_factory=dict)  # linking data of different routes, by language
    abroad: dict[str, str] = field(default_factory=dict)  # applying from outside Norway, by language

    def across_in(self, lang: str) -> str:
        """What linking data that take different routes takes, in `lang`; "" when the file does not say."""
        return self.across.get(lang, "")

    def abroad_in(self, lang: str) -> str:
        """What a researcher outside Norway should know of applying, in `lang`; "" when the file does not say."""
        return self.abroad.get(lang, "")

    def for_source(self, name: str, source: SourceConfig | None) -> Route:
        """The route a source's data take: its own setting, else the file's by name, then by kind."""
        chosen = (source.options.get("access_route") if source else None) or None
        if chosen:
            if chosen not in self.routes:
                raise AccessRouteError(
                    f"source {name}: options.access_route {chosen!r} is not a route of {ROUTES_FILE.name} "
                    f"(routes: {', '.join(self.routes)})"
                )
            return self.routes[chosen]
        for route in self.routes.values():
            if name in route.sources:
                return route
        kind = source.category if source else ""
        for route in self.routes.values():
            if kind in route.kinds:
                return route
        return self.routes[FALLBACK]


def _texts(path: Path, ident: str, spec: dict[str, object], key: str) -> tuple[str, ...]:
    value = spec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise AccessRouteError(f"{path}: route {ident!r}: {key} must be a list of texts")
    return tuple(value)


def _in_each_language(path: Path, where: str, spec: dict[str, object], prefix: str) -> dict[str, str]:
    """The texts `<prefix>_nb`, `_nn` and `_en` of `spec`: all three or none."""
    found = {lang: spec[f"{prefix}_{lang}"] for lang in LANGUAGES if f"{prefix}_{lang}" in spec}
    if found and (len(found) < len(LANGUAGES) or not all(isinstance(x, str) and x.strip() for x in found.values())):
        names = ", ".join(f"{prefix}_{lang}" for lang in LANGUAGES)
        raise AccessRouteError(f"{path}: {where} needs {names} as texts, all three or none")
    return {lang: str(text).strip() for lang, text in found.items()}


def parse(path: Path) -> Routes:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AccessRouteError(f"{path}: cannot read the access routes ({exc})") from exc
    top = {key: value for key, value in raw.items() if not isinstance(value, dict)}
    unknown = sorted(set(top) - {f"{text}_{lang}" for text in ("across", "abroad") for lang in LANGUAGES})
    if unknown:
        raise AccessRouteError(
            f"{path}: {', '.join(unknown)} is neither a route nor across_nb, across_nn, across_en, "
            "abroad_nb, abroad_nn, abroad_en"
        )
    across = _in_each_language(path, "the text on linking across routes", top, "across")
    abroad = _in_each_language(path, "the text on applying from abroad", top, "abroad")
    routes = {}
    for ident, spec in raw.items():
        if ident in top:
            continue
        if not isinstance(spec, dict) or not all(isinstance(spec.get(lang), str) for lang in LANGUAGES):
            raise AccessRouteError(f"{path}: route {ident!r} needs a name in each of {', '.join(LANGUAGES)}")
        routes[ident] = Route(
            id=ident,
            names={lang: spec[lang] for lang in LANGUAGES},
            body=str(spec.get("body", "")),
            url=str(spec.get("url", "")),
            url_en=str(spec.get("url_en", "")),
            steps={lang: _texts(path, ident, spec, f"steps_{lang}") for lang in LANGUAGES},
            sources=frozenset(_texts(path, ident, spec, "sources")),
            kinds=frozenset(_texts(path, ident, spec, "kinds")),
            linkage=_in_each_language(path, f"route {ident!r}", spec, "linkage"),
        )
    if FALLBACK not in routes:
        raise AccessRouteError(f"{path}: the fallback route {FALLBACK!r} is missing")
    return Routes(routes, across, abroad)


@cache
def routes(path: Path = ROUTES_FILE) -> Routes:
    """The routes of `catalog/access_routes.toml`, read once per process."""
    return parse(path)
