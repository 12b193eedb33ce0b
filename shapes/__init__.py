"""Our SHACL shapes (Turtle files beside this module), shipped as package data."""

from pathlib import Path

DIR = Path(__file__).parent


def path(name: str) -> Path:
    """The path of a shapes file by name, e.g. path("catalog.ttl")."""
    return DIR / name
