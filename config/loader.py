"""Find, read, resolve and validate the config file; a wrong value fails with its key path and what was expected."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.app import Config
from config.secrets import SecretReferenceError, looks_secret, resolve_reference

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
    """Validate an already-parsed config mapping (secret references resolved first)."""
    raw = dict(raw)
    if os.environ.get(DB_URL_ENV):
        raw["database"] = {**raw.get("database", {}), "url": os.environ[DB_URL_ENV]}
    secrets = _read_secrets_file(raw.get("secrets", {}).get("file"), origin)
    resolved = _resolve_all(raw, secrets, path=())
    try:
        return Config.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin)) from None


def _read_secrets_file(name: str | None, origin: str) -> dict[str, str]:
    if not name:
        return {}
    path = Path(name).expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{origin}: secrets.file {path} cannot be read: {exc}") from exc
    return {str(k): str(v) for k, v in data.items()}


def _resolve_all(value: Any, secrets: dict[str, str], path: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        try:
            value = resolve_reference(value, secrets)
        except SecretReferenceError as exc:
            raise ConfigError(f"{'.'.join(path)}: {exc}") from None
        if isinstance(value, dict):
            return {k: _resolve_all(v, secrets, (*path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_all(v, secrets, (*path, str(i))) for i, v in enumerate(value)]
    return value


def _describe(exc: ValidationError, origin: str) -> str:
    lines = [f"invalid config in {origin}:"]
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        got = error.get("input")
        hidden = isinstance(got, dict | list) or looks_secret(where)
        shown = "" if hidden else f" (got {got!r})"
        lines.append(f"  {where}: {error['msg']}{shown}")
    return "\n".join(lines)
