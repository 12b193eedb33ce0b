"""The UI in Norwegian bokmål (default), nynorsk and English with flask-babel, switchable by
?lang= and a cookie; numbers and dates in the UI language's own formats.

Message ids are English; `translations/nb/LC_MESSAGES/messages.po` holds bokmål and
`translations/nn/...` nynorsk. The .po files are compiled to .mo with babel's own API when the app
starts (into the catalogue home, whose path is absolute: flask-babel resolves a relative
translation directory against the web package, where nothing is), so a fresh checkout or an
installed wheel works without a build step.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations
from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGES = ("nb", "nn", "en")
DEFAULT = "nb"
COOKIE = "lang"
SOURCE_DIR = Path(__file__).parent / "translations"
NORWEGIAN = {"no": "nb", "nb": "nb", "nn": "nn"}
"""The Accept-Language tags the default page is chosen by (English only by choice)."""
ZONE = ZoneInfo("Europe/Oslo")
"""Times are stored in UTC and shown in Norwegian time, in every UI language."""
NAMES = {"nb": "Norsk (bokmål)", "nn": "Norsk (nynorsk)", "en": "English"}
"""Each language by its own name, as the language switch shows it."""
LOCALES = {name: Locale.parse(name) for name in LANGUAGES}
DATE_LOCALES = {**LOCALES, "en": Locale.parse("en_IE")}
"""Dates and times in English as written in Europe, day first and on a 24-hour clock ("7 Dec 2026",
"07/12/2026, 07:32"): babel's "en" is American, and a harvest "completed 12/7/26, 7:32 AM" read
as 12 July to the EU researchers the English pages are for."""


def compile_catalogs(target: Path) -> Path:
    """Compile every .po under web/translations into `target` (atomically, so workers can race)."""
    for po in SOURCE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(SOURCE_DIR).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)
    return target


def select_locale() -> Locale:
    """?lang= first, then the cookie, then bokmål, or nynorsk when the browser prefers it.

    Norwegian first, as helsenorge.no and helsedata.no: a researcher whose browser or system is
    set to English still meets the Norwegian service and chooses English by its link (remembered
    in the cookie). The browser's Accept-Language only picks between the written standards.

    A Locale, not its name: flask-babel parses a name anew on every request, and babel checks
    for the locale's data file each time (a file-system call per page)."""
    for wanted in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if wanted in LANGUAGES:
            return LOCALES[wanted]
    return preferred(request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=256)
def preferred(accept_language: str) -> Locale:
    """The written standard a browser's Accept-Language prefers: a browser sends the same header
    on every request, and werkzeug parsed it anew each time (~15-30 µs a page)."""
    best = parse_accept_header(accept_language, LanguageAccept).best_match(list(NORWEGIAN))
    return LOCALES[NORWEGIAN.get(best or "", DEFAULT)]


def _once_a_request(name: str, make: Callable[[], Any]) -> Any:
    """`make()`, kept in this request's `g` under `name`. The `g` itself is read, not through its
    proxy: every look that way took ~1.5 µs, and a result page looks ~170 times (its language and
    its translations)."""
    here = cast(Any, g)._get_current_object()
    found = vars(here).get(name)
    if found is None:
        found = make()
        setattr(here, name, found)
    return found


def _locale_name() -> str:
    return str(get_locale() or DEFAULT)


def current() -> str:
    """The UI language's name, asked of flask-babel once a request (a result page asks ~100 times)."""
    if not has_request_context():
        return _locale_name()
    return cast(str, _once_a_request("locale_name", _locale_name))


GROUPING = {name: format_decimal(1000, locale=locale)[1] for name, locale in LOCALES.items()}
"""Each UI language's thousands separator, as babel writes whole numbers (a page has ~30)."""


def number(value: int | float | None) -> str:
    """3 181 753 in Norwegian (non-breaking spaces, decimal comma), 3,181,753 in English."""
    if value is None:
        return ""
    name = current()
    if type(value) is int and name in GROUPING:  # what babel writes, without its pattern machinery
        return f"{value:,}".replace(",", GROUPING[name])
    return format_decimal(value, locale=LOCALES.get(name, LOCALES[DEFAULT]))


def percent(value: int | float | None) -> str:
    """A share with one decimal as the UI language writes it: 7,5 in Norwegian, 7.5 in English."""
    if value is None:
        return ""
    return format_decimal(round(value, 1), "#,##0.0", locale=LOCALES.get(current(), LOCALES[DEFAULT]))


def _parse(value: str | date | None) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else date.fromisoformat(value[:10])
    except ValueError:
        return None


def day(value: str | date | None) -> str:
    """A date as the UI language writes it (2. des. 2026; 2 Dec 2026); text that is no date as it is."""
    parsed = _parse(value)
    if parsed is None:
        return str(value or "")
    return format_date(parsed, "medium", locale=DATE_LOCALES.get(current(), LOCALES[DEFAULT]))


def moment(value: str | None) -> str:
    """A timestamp as the UI language writes it, to the minute, its month by name as `day` writes
    it (2. des. 2026, 14:03; 2 Dec 2026, 14:03): the numbers alone, "02/12/2026", read as 12
    February to an American, and a page wrote its dates one way beside its times another."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return day(value)
    locale = DATE_LOCALES.get(current(), LOCALES[DEFAULT])
    return format_datetime(parsed, _moment(locale), tzinfo=ZONE, locale=locale)


@cache
def _moment(locale: Locale) -> str:
    """The locale's pattern of a date written "medium" and a time "short", joined as it joins them."""
    joined = locale.datetime_formats["short"]
    return joined.format(locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern)


def remember_choice(response: Response) -> Response:
    """A ?lang= choice sticks for the following pages (a preference, not personal data)."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and request.cookies.get(COOKIE) != wanted:
        response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    # only pages are translated; feeds and JSON are not (a 304 has no body, so no type: its Vary
    # is left as its view set it, which must be the 200's, RFC 9110 15.4.5)
    if response.mimetype == "text/html" and response.status_code != 304:
        response.vary.update(("Accept-Language", "Cookie"))  # one update: each writes the header anew
    return response


def translations() -> NullTranslations:
    """This request's catalogue, looked up once: a result page has a couple of hundred messages."""
    return cast(NullTranslations, _once_a_request("translations", get_translations))


_texts: dict[int, tuple[NullTranslations, dict[tuple[str, bool], str]]] = {}


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """Jinja's new-style `gettext` (`_("...")` in templates: the text translated, made Markup
    when autoescaping, then %-formatted with the variables), with the texts without variables
    kept per catalogue: a page has ~40 of them, and each went through four calls and a format.

    Given the evaluation context, not the template's context as Jinja's own is: Jinja derives a
    copy of the context (every global of the app copied) for each call of a function that asks
    for it inside a loop or after a `{% set %}`: a result page made ~9 such copies."""
    catalogue = translations()
    autoescape = eval_ctx.autoescape
    if variables:
        text = catalogue.ugettext(string)
        return (Markup(text) if autoescape else text) % variables
    kept = _texts.get(id(catalogue))
    if kept is None or kept[0] is not catalogue:
        kept = _texts[id(catalogue)] = (catalogue, {})
    found = kept[1].get((string, autoescape))
    if found is None:
        text = catalogue.ugettext(string)
        found = kept[1][(string, autoescape)] = (Markup(text) if autoescape else text) % {}
    return found


@pass_eval_context
def template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, count: int, /, **variables: Any) -> str:
    """Jinja's new-style `ngettext`, as `template_gettext` given the evaluation context only."""
    variables.setdefault("num", count)
    text = translations().ungettext(singular, plural, count)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def init(app: Flask, cache: Path) -> None:
    Babel(
        app,
        default_locale=DEFAULT,
        locale_selector=select_locale,
        default_translation_directories=str(compile_catalogs(cache)),
    )
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
    )
    # `_` straight to ours: Jinja's `_` looks `gettext` up and calls it, two calls more a text
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(current_locale=current, languages=LANGUAGES, language_names=NAMES)
    app.jinja_env.filters.update(number=number, percent=percent, day=day, moment=moment)
    app.context_processor(lambda: {"locale": current()})


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """The UI's translations and formats in `lang` outside the explorer, for a command's output
    (`catalog label --lang nb`): a bare app with these catalogues (compiled into a folder of its
    own, so a read-only command writes nothing into the home) and a request in that language."""
    with tempfile.TemporaryDirectory(prefix="catalog-translations-") as folder:
        app = Flask("catalog")
        init(app, Path(folder))
        with app.test_request_context("/", query_string={"lang": lang}):
            yield


_TRANSLATED: dict[tuple[str, str], Any] = {}
Names = TypeVar("Names")


def translated(what: str, make: Callable[[], Names]) -> Names:
    """Names translated once per language and process, not on every page: each `_` call goes
    through flask-babel's lookups (a result page asked for sixty of them)."""
    key = (what, current())
    names = _TRANSLATED.get(key)
    if names is None:
        names = _TRANSLATED[key] = make()
    return cast(Names, names)
