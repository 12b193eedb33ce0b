"""Templates mean what Jinja means, with the result page's shortcuts (web/rendering.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template_string
from markupsafe import Markup

from web.rendering import template_url_for


def render(app: Flask, source: str, **context) -> str:
    with app.test_request_context("/search?q=vekt"):
        return render_template_string(source, **context)


def test_a_dictionarys_items_read_as_attributes(app: Flask) -> None:
    doc = {"label": "Fødselsvekt", "name": "VEKT"}
    assert render(app, "{{ d.label }}/{{ d.name }}/{{ d.missing is undefined }}", d=doc) == "Fødselsvekt/VEKT/True"


def test_a_dictionarys_own_methods_still_win_over_its_items(app: Flask) -> None:
    """A search parameter named `items` or `get` cannot hide the methods a template calls."""
    args = {"items": ["x"], "get": ["y"], "q": ["vekt"]}
    assert (
        render(app, "{% for k, v in d.items() %}{{ k }}={{ v|join }};{% endfor %}", d=args) == "items=x;get=y;q=vekt;"
    )
    assert render(app, "{{ d.get('q')|join }}", d=args) == "vekt"


def test_attributes_of_other_objects_are_read_as_before(app: Flask) -> None:
    class Hit:
        key = "abc"

    assert render(app, "{{ h.key }}|{{ h.nothing is undefined }}", h=Hit()) == "abc|True"


def test_a_search_named_like_a_dictionary_method_is_answered(client) -> None:
    assert client.get("/search?q=vekt&items=x&get=y&keys=z").status_code == 200


def test_url_for_in_templates_builds_the_same_paths_as_flask(app: Flask) -> None:
    with app.test_request_context("/search"):
        from flask import url_for

        cases: list[tuple[str, dict[str, Any]]] = [
            ("static", {"filename": "style.css"}),
            ("explorer.search", {}),
            ("explorer.search", {"q": "vekt", "page": 2}),
            ("explorer.variable", {"key": "abc"}),
            ("explorer.search", {"source": ["a", "b"]}),  # a list: built afresh
        ]
        for endpoint, values in cases:
            assert (
                template_url_for(endpoint, **values)
                == template_url_for(endpoint, **values)
                == url_for(endpoint, **values)
            )
        assert template_url_for("explorer.search", _external=True) == url_for("explorer.search", _external=True)


def test_url_for_follows_the_script_root(app: Flask) -> None:
    """A path is kept per script root: the same app mounted elsewhere links within its mount."""
    with app.test_request_context("/search"):
        plain = template_url_for("explorer.search")
    with app.test_request_context("/search", base_url="http://localhost/catalog/"):
        assert template_url_for("explorer.search") == "/catalog/search" != plain


def test_texts_are_translated_per_request_language_and_escaped(app: Flask) -> None:
    source = '{{ _("Search") }}|{{ _("%(q)s – search", q=q) }}|{{ _("100%%") }}'
    for lang, word in (("nb", "Søk"), ("en", "Search"), ("nb", "Søk")):
        with app.test_request_context(f"/search?lang={lang}"):
            assert render_template_string(source, q="<b>") == f"{word}|&lt;b&gt; – {word.lower()}|100%"


class Html:
    def __html__(self) -> str:
        return "<i>safe</i>"


WRITTEN = (
    "{{ s }}|{{ m }}|{{ n }}|{{ f }}|{{ b }}|{{ none }}|{{ missing }}|{{ h }}|{{ s|e }}|{{ m ~ s }}"
    "|{% macro box(x) %}[{{ x }}]{% endmacro %}{{ box(s) }}|{{ [s, 1] }}|{{ d.s }}|{{ f|round(1) }}"
    "|{% set k = s %}{{ k }}|{{ call(s) }}|{{ ('a', s)|join(',') }}|{{ s.upper() }}|{{ _('Search') }}"
)


def test_what_a_template_writes_is_what_jinja_writes(app: Flask) -> None:
    """`written`, `Context.call` and `getattr` of web/rendering.py keep Jinja's meaning: the same
    values written as a plain autoescaping Jinja environment writes them."""
    import jinja2

    values: dict[str, Any] = {
        "s": "<a href='x'>&\"",
        "m": Markup("<b>ok</b>"),
        "n": 42,
        "f": 2.5,
        "b": True,
        "none": None,
        "h": Html(),
        "d": {"s": "<s>"},
        "call": lambda v: v + "<>",
    }
    plain = jinja2.Environment(autoescape=True)
    plain.globals["_"] = lambda text: text
    with app.test_request_context("/search?lang=en"):
        assert render_template_string(WRITTEN, **values) == plain.from_string(WRITTEN).render(**values)
    assert type(app.jinja_env.from_string("{{ s }}").render(s="<")) is str


def test_url_for_with_a_query_of_lists_and_odd_characters_is_flasks(app: Flask) -> None:
    """Links to the page in another language and to its export carry the search's parameters."""
    with app.test_request_context("/search"):
        from flask import url_for

        cases: list[dict[str, Any]] = [
            {"q": "røyk & snus/?", "source": ["a b", "c+d"], "lang": "en"},
            {"fmt": "csv", "q": "", "page": None, "year": ["2010", "2012-2015"]},
            {"key": "a/b c"},
        ]
        for values in cases:
            endpoint = "explorer.variable" if "key" in values else "explorer.search"
            if "fmt" in values:
                endpoint = "explorer.search_export"
            assert template_url_for(endpoint, **dict(values)) == url_for(endpoint, **dict(values)), values
