"""Configuration in one place: `catalog.toml` in the catalogue home, overridden by environment.

Read once at start (`Settings.load`). Every setting is declared once below with its default and
the environment variable that overrides it, datasette-style, so `catalog --help` and the README
can list them and a bad value fails at start with a message that says how to fix it.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

DEFAULT_HOME = "catalog-data"
CONFIG_FILE = "catalog.toml"

SOURCE_KINDS = ("central-registry", "quality-registry", "survey", "statistics", "catalogue")
"""What kind of publisher a source is; a search facet (not to be confused with the protocol)."""


class ConfigError(ValueError):
    """Configuration that cannot be used; the message says which file/variable and how to fix it."""


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
        from catalog.model import Dataset

        defaults = self.options.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise ConfigError(f"source {self.name}: options.defaults must be a table of dataset fields")
        allowed = {f.name for f in dataclasses.fields(Dataset)} - {"uri", "identifier", "variables", "distributions"}
        allowed.add("access_url")  # becomes a distribution: where to apply for access
        unknown = sorted(set(defaults) - allowed)
        if unknown:
            raise ConfigError(
                f"source {self.name}: options.defaults may only name dataset fields (unknown: {', '.join(unknown)})"
            )

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


# name -> (environment variable, default, help)
SETTINGS: dict[str, tuple[str, Any, str]] = {
    "search_backend": ("CATALOG_SEARCH_BACKEND", "tantivy", "search backend: tantivy (embedded) or elasticsearch"),
    "elasticsearch_url": (
        "CATALOG_ELASTICSEARCH_URL",
        "",
        "Elasticsearch/OpenSearch URL for the elasticsearch backend",
    ),
    "elasticsearch_index": ("CATALOG_ELASTICSEARCH_INDEX", "catalog", "index (alias) name prefix"),
    "base_uri": ("CATALOG_BASE_URI", "https://catalog.example.org/", "base of the URIs this catalogue mints"),
    "http_timeout": ("CATALOG_HTTP_TIMEOUT", 30.0, "seconds before a harvest request times out"),
    "http_max_bytes": ("CATALOG_HTTP_MAX_BYTES", 200 * 1024 * 1024, "largest response body a harvester accepts"),
    "http_retries": ("CATALOG_HTTP_RETRIES", 3, "retries of a failed request (5xx, 429, connection errors)"),
    "admin_token": ("CATALOG_ADMIN_TOKEN", "", "token for admin actions on the web; empty disables them"),
    "hdab_name": ("CATALOG_HDAB_NAME", "Helsedataservice", "the health data access body named in the EHDS feed"),
    "hdab_email": ("CATALOG_HDAB_EMAIL", "helsedata@example.org", "contact e-mail of the access body"),
}


@dataclass
class Settings:
    home: Path
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name in SETTINGS:
            return self.values.get(name, SETTINGS[name][1])
        raise AttributeError(name)

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_FILE

    @property
    def db_path(self) -> Path:
        return self.home / "catalog.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @classmethod
    def load(cls, home: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
        path = Path(home or os.environ.get("CATALOG_HOME") or DEFAULT_HOME)
        path.mkdir(parents=True, exist_ok=True)
        raw: dict[str, Any] = {}
        cfg = path / CONFIG_FILE
        if cfg.exists():
            try:
                raw = tomllib.loads(cfg.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{cfg}: not valid TOML ({exc})") from exc
        values: dict[str, Any] = {}
        for name, (env, default, _help) in SETTINGS.items():
            value = raw.get("settings", {}).get(name, default)
            if env in os.environ:
                value = os.environ[env]
            try:
                values[name] = type(default)(value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"setting {name} ({env}): {value!r} is not a {type(default).__name__}") from exc
        values.update(overrides)
        sources = {}
        for name, spec in raw.get("sources", {}).items():
            try:
                sources[name] = SourceConfig(name=name, **spec)
            except TypeError as exc:
                raise ConfigError(f"{cfg}: source {name!r}: {exc}") from exc
        return cls(home=path, sources=sources, values=values)

    def save_sources(self) -> None:
        """Write the sources back to the TOML file, keeping the `[settings]` table."""
        raw: dict[str, Any] = {}
        if self.config_path.exists():
            raw = tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        raw["sources"] = {name: src.to_toml() for name, src in sorted(self.sources.items())}
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(raw), encoding="utf-8")
        tmp.replace(self.config_path)
