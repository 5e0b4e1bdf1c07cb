"""Find, read, resolve and validate the config file; a wrong value fails with its key path and what was expected."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.app import Config
from config.secrets import SecretReferenceError, is_reference, looks_secret, resolve_reference

DEFAULT_CONFIG = Path(__file__).with_name("tianning.toml")
CONFIG_ENV = "YUQING_CONFIG"
DB_URL_ENV = "YUQING_DB_URL"


class ConfigError(Exception):
    """The config file is missing, unreadable, or has values of the wrong kind."""


def config_path(path: str | Path | None = None) -> Path:
    """The config file to read: the argument, else ``$YUQING_CONFIG``, else the shipped 天宁区 example."""
    chosen = path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG
    return Path(chosen).expanduser()


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate the config; ``YUQING_DB_URL`` overrides ``database.url``."""
    file = config_path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {file} does not exist") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {file} cannot be read: {exc}") from exc
    return config_from_mapping(raw, origin=str(file))


def config_from_mapping(raw: dict[str, Any], origin: str = "<mapping>") -> Config:
    """Validate an already-parsed config mapping (secret references resolved first, never shown in errors)."""
    raw = _with_database_override(dict(raw))
    resolver = _Resolver(_read_secrets_file(_secrets_file_name(raw, origin), origin), origin)
    resolved = resolver.resolve(raw, path=())
    try:
        return Config.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin, resolver.values)) from None


def _with_database_override(raw: dict[str, Any]) -> dict[str, Any]:
    """``YUQING_DB_URL`` in place of ``database.url`` (a ``database`` that is no table is left for validation)."""
    url, database = os.environ.get(DB_URL_ENV), raw.get("database", {})
    if url and isinstance(database, dict):
        raw["database"] = {**database, "url": url}
    return raw


def _secrets_file_name(raw: dict[str, Any], origin: str) -> str | None:
    table = raw.get("secrets", {})
    if not isinstance(table, dict):
        raise ConfigError(f'{origin}: secrets: expected a table such as [secrets] file = "…" '
                          f"(got {type(table).__name__})")
    name = table.get("file")
    if name is not None and not isinstance(name, str):
        raise ConfigError(f"{origin}: secrets.file: expected a path as a string (got {type(name).__name__})")
    return name


def _read_secrets_file(name: str | None, origin: str) -> dict[str, str]:
    """The ``name = "value"`` pairs of the secrets file; a value that is not a string is an error."""
    if not name:
        return {}
    path = Path(name).expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{origin}: secrets.file {path} cannot be read: not UTF-8 text") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{origin}: secrets.file {path} cannot be read: {exc}") from exc
    not_strings = [key for key, value in data.items() if not isinstance(value, str)]
    if not_strings:
        raise ConfigError(f"{origin}: secrets.file {path}: {', '.join(not_strings)}: "
                          'every secret must be a string (name = "value")')
    return data


@dataclass
class _Resolver:
    """Resolves every secret reference in a config mapping and remembers the values it put in."""

    secrets: dict[str, str]
    origin: str
    values: set[str] = field(default_factory=set)

    def resolve(self, value: Any, path: tuple[str, ...]) -> Any:
        """The value with every reference inside it replaced by what it names."""
        if is_reference(value):
            return self._reference(value, path)
        if isinstance(value, dict):
            return {k: self.resolve(v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, (*path, str(i))) for i, v in enumerate(value)]
        return value

    def _reference(self, value: dict[str, Any], path: tuple[str, ...]) -> str | None:
        try:
            resolved = resolve_reference(value, self.secrets)
        except SecretReferenceError as exc:
            raise ConfigError(f"{self.origin}: {'.'.join(path)}: {exc}") from None
        if resolved:
            self.values.add(resolved)
        return resolved


def _describe(exc: ValidationError, origin: str, secret_values: set[str]) -> str:
    """One line per error: key path, what was expected, and the value given unless it is or names a secret."""
    lines = [f"invalid config in {origin}:"]
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        got = error.get("input")
        hidden = isinstance(got, dict | list) or looks_secret(where) or _contains_any(got, secret_values)
        shown = "" if hidden else f" (got {got!r})"
        lines.append(f"  {where}: {_masked(error['msg'], secret_values)}{shown}")
    return "\n".join(lines)


def _contains_any(value: Any, secret_values: set[str]) -> bool:
    return isinstance(value, str) and any(secret in value for secret in secret_values)


def _masked(text: str, secret_values: set[str]) -> str:
    """The text with every value that came from a secret reference replaced by ``***`` (longest first)."""
    for secret in sorted(secret_values, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
