"""Harvesters: one module per source protocol, found by kind name.

A harvester fetches a source and maps what it finds into `catalog.model` records; it yields
events (`harvesters.base`) and never touches the store or the index. Adding a protocol means
adding one module here that defines a `Harvester` subclass with a `kind`; third parties can
register theirs under the `catalog.harvesters` entry point group.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib import metadata

from harvesters.base import Harvester


class UnknownKind(LookupError):
    """A source names a harvester kind nobody registered."""


def registry() -> dict[str, type[Harvester]]:
    """Every harvester class by kind: built-in modules first, then entry points."""
    found: dict[str, type[Harvester]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in {"base", "http"}:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Harvester) and obj.kind and obj.__module__ == module.__name__:
                found[obj.kind] = obj
    for ep in metadata.entry_points(group="catalog.harvesters"):
        found.setdefault(ep.name, ep.load())
    return found


def harvester_class(kind: str) -> type[Harvester]:
    kinds = registry()
    try:
        return kinds[kind]
    except KeyError:
        raise UnknownKind(f"unknown source kind {kind!r}; known kinds: {', '.join(sorted(kinds))}") from None
