"""Template rendering at the speed of a result page: Jinja's environment with its shortcuts.

A result page reads ~400 values of dictionaries as `h.doc.label`, builds ~20 links to fixed
places (the menu, the stylesheet, the forms) with `url_for`, calls ~250 functions and writes ~450
values. Jinja reads `x.name` by trying the attribute first, which for a dictionary raises and
catches an AttributeError every time, and `url_for` walks the URL map for every link. Both gave
the same answer on every page of a process:

- `Environment.getattr` reads a plain dictionary's item at once, unless the name is one of the
  dictionary's own attributes (`items`, `get` ...), which still win as before, so a template
  means what it meant (a search parameter called `items` cannot hide the method);
- `url_for` in templates keeps the paths it built, per endpoint, values, script root and
  blueprint (what a path without host depends on); external URLs and `_`-options are built
  afresh every time;
- what a template writes is escaped as Jinja escapes it, but kept a `str` (`written`): Jinja's
  `escape` makes each value a `Markup` (a constructor in Python) only for the page to join them
  into one string;
- a call of a plain function (`Context.call`) is made at once, without Jinja's look for the
  marks of the functions that are given the template's context.

Each keeps the pages byte for byte: 931 result pages of a million-variable catalogue (in the
three languages, every tab, later pages, sorts and filters) were compared before and after.
"""

from __future__ import annotations

from types import FunctionType
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask.templating import Environment as FlaskEnvironment
from jinja2 import Template as JinjaTemplate
from jinja2.runtime import Context as JinjaContext
from markupsafe import Markup, _escape_inner, escape
from werkzeug.datastructures import iter_multi_items

from catalog.lru import remember

DICT_ATTRIBUTES = frozenset(dir(dict))
URLS_KEPT = 10_000


def written(value: Any) -> str:
    """A value as a template writes it: the text of markupsafe's `escape(value)`, as a `str`.
    Only for a template's output, which Jinja joins (a value a template computes with is still
    escaped to Markup where the template asks, by `|e` or a macro)."""
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup or kind is int:  # already safe; digits need no escaping
        return value if kind is Markup else str(value)
    return escape(value)


class Template(JinjaTemplate):
    @classmethod
    def _from_namespace(cls, environment: Any, namespace: Any, globals: Any) -> Any:
        """A compiled template's module, its output escaped by `written` (the generated code
        calls the module's `escape` for every value it writes, and for nothing else)."""
        namespace["escape"] = written
        return super()._from_namespace(environment, namespace, globals)


class Context(JinjaContext):
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805  # as Jinja names them
        """A template's call of a plain function, which asks for no context (`pass_context` and
        the like), made at once: Jinja looks for those marks three ways on every call (a result
        page makes ~250)."""
        if type(__obj) is FunctionType and "jinja_pass_arg" not in __obj.__dict__:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


class Environment(FlaskEnvironment):
    template_class = Template
    context_class = Context

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:  # Jinja's own, here rather than a call away (~200 of a page's reads are attributes)
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


_urls: dict[tuple[Any, ...], str] = {}
_arguments: dict[str, frozenset[str] | None] = {}


def template_url_for(endpoint: str, **values: Any) -> str:
    """`url_for` for templates, remembering paths: the same arguments in the same place of the
    site (script root, and blueprint for a relative endpoint) always build the same path. The
    query, from the other values, is written as werkzeug writes it (`query`): a result page's
    links to itself in the other languages and to its export carry its parameters (lists), and
    each took `url_for` ~25 µs."""
    if any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    arguments = path_arguments(endpoint)
    path = values if arguments is None else {name: values.pop(name) for name in arguments if name in values}
    try:
        key = (endpoint, request.script_root, request.blueprint if arguments is None else None, *sorted(path.items()))
        hash(key)
    except TypeError:  # a list value: not kept
        return url_for(endpoint, **path, **({} if path is values else values))
    found = _urls.get(key)
    if found is None:
        found = remember(_urls, key, url_for(endpoint, **path), URLS_KEPT)
    if path is values or not values:
        return found
    text = query(values)
    return f"{found}?{text}" if text else found


def path_arguments(endpoint: str) -> frozenset[str] | None:
    """The names of the values that make the path of the endpoint's URL, when it has one rule
    (any other value goes to the query); None when its URL is left to `url_for` whole: a relative
    or unknown endpoint, several rules (which one builds depends on the values), rules with
    defaults. Kept per endpoint: the routes are the code's, the same in every app."""
    if endpoint not in _arguments:
        try:
            rules = list(current_app.url_map.iter_rules(endpoint))
        except KeyError:  # ".x" (of the request's blueprint) or none: `url_for` says which
            rules = []
        one = rules[0] if len(rules) == 1 and not rules[0].defaults and not rules[0].websocket else None
        _arguments[endpoint] = frozenset(one.arguments) if one is not None else None
    return _arguments[endpoint]


def query(values: dict[str, Any]) -> str:
    """The query string werkzeug builds of the values a rule leaves (`werkzeug.urls._urlencode`):
    a list one pair per item, None left out, its own safe characters."""
    return urlencode([(k, v) for k, v in iter_multi_items(values) if v is not None], safe="!$'()*,/:;?@")
