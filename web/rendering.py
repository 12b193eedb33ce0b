"""Template rendering at the speed of a result page: Jinja's environment with two shortcuts.

A result page reads ~400 values of dictionaries as `h.doc.label` and builds ~20 links to fixed
places (the menu, the stylesheet, the forms) with `url_for`. Jinja reads `x.name` by trying the
attribute first, which for a dictionary raises and catches an AttributeError every time, and
`url_for` walks the URL map for every link. Both gave the same answer on every page of a process:

- `Environment.getattr` reads a plain dictionary's item at once, unless the name is one of the
  dictionary's own attributes (`items`, `get` ...), which still win as before, so a template
  means what it meant (a search parameter called `items` cannot hide the method);
- `url_for` in templates keeps the paths it built, per endpoint, values, script root and
  blueprint (what a path without host depends on); external URLs and `_`-options are built
  afresh every time.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.templating import Environment as FlaskEnvironment

from catalog.lru import remember

DICT_ATTRIBUTES = frozenset(dir(dict))
URLS_KEPT = 10_000


class Environment(FlaskEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_urls: dict[tuple[Any, ...], str] = {}


def template_url_for(endpoint: str, **values: Any) -> str:
    """`url_for` for templates, remembering paths: the same arguments in the same place of the
    site (script root, and blueprint for a relative endpoint) always build the same path."""
    if any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    try:
        key = (endpoint, request.script_root, request.blueprint, *sorted(values.items()))
        hash(key)
    except TypeError:  # a list value: not kept
        return url_for(endpoint, **values)
    found = _urls.get(key)
    if found is None:
        found = remember(_urls, key, url_for(endpoint, **values), URLS_KEPT)
    return found
