"""Secret references in configuration: ``{"$env" = "NAME"}``, ``{"$file" = "path"}`` or ``{"$secret" = "name"}``.

Secrets (cookies, robot keys, SMTP passwords) never live in the config file itself; the file names
where they come from, in the style of datasette's ``$env`` / ``$file`` references. Resolved values
are wrapped in :class:`pydantic.SecretStr` so that printing a config never shows them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, SecretStr

SECRET_NAME_HINTS = ("secret", "key", "password", "token", "cookie", "webhook")
URL_PASSWORD = re.compile(r"(?P<user>[a-z][a-z0-9+.-]*://[^/:@\s]*):[^@/\s]*@", re.IGNORECASE)


class SecretReferenceError(ValueError):
    """A ``$env`` / ``$file`` / ``$secret`` reference that is malformed or cannot be resolved."""


REFERENCE_KINDS = ("$env", "$file", "$secret")
REFERENCE_FORMS = '{"$env" = "VARIABLE"}, {"$file" = "path"} or {"$secret" = "name"}'


def is_reference(value: Any) -> bool:
    """Whether a value is meant as a secret reference: a table with a key starting with ``$``."""
    return isinstance(value, dict) and any(str(key).startswith("$") for key in value)


def resolve_reference(value: Any, secrets: dict[str, str] | None = None) -> Any:
    """Turn a ``{"$env": NAME}`` / ``{"$file": PATH}`` / ``{"$secret": NAME}`` table into its string value.

    Any other value is returned as it is. An unset environment variable gives ``None``; a malformed
    reference (an unknown ``$`` key, several keys, a name that is not a string) or a missing file or
    secret name is a :class:`SecretReferenceError`.
    """
    if not is_reference(value):
        return value
    kind, name = _reference_parts(value)
    if kind == "$env":
        return os.environ.get(name) or None  # unset: the secret is absent; its user reports that where it matters
    if kind == "$file":
        return _read_secret_file(Path(name).expanduser())
    if secrets is None or name not in secrets:
        raise SecretReferenceError(f"secret {name!r} is not in the secrets file")
    return secrets[name]


def _reference_parts(value: dict[Any, Any]) -> tuple[str, str]:
    """The kind and name of a well-formed reference table."""
    if len(value) != 1 or next(iter(value)) not in REFERENCE_KINDS:
        keys = ", ".join(f'"{key}"' for key in value)
        raise SecretReferenceError(f"a secret reference must be exactly one of {REFERENCE_FORMS} (got keys {keys})")
    (kind, name), = value.items()
    if not isinstance(name, str) or not name:
        given = "an empty string" if isinstance(name, str) else type(name).__name__
        raise SecretReferenceError(f'"{kind}" needs a non-empty string (got {given})')
    return kind, name


def _read_secret_file(path: Path) -> str:
    if not path.is_file():
        raise SecretReferenceError(f"secret file {path} does not exist or is not a file")
    try:
        return path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        raise SecretReferenceError(f"secret file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise SecretReferenceError(f"secret file {path} cannot be read: {exc.strerror}") from None


def _to_secret(value: Any) -> Any:
    value = resolve_reference(value)
    if value is None or isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a string, normally a reference {REFERENCE_FORMS}")
    return SecretStr(value)


OptionalSecret = Annotated[SecretStr | None, BeforeValidator(_to_secret)]
"""A config field holding a secret, given literally only in tests; normally a ``$env``/``$file`` reference."""


def looks_secret(key: str) -> bool:
    """Whether a config key's name marks its value as secret (redacted whenever config is shown)."""
    lowered = key.lower()
    return any(hint in lowered for hint in SECRET_NAME_HINTS)


def redact(data: Any, key: str = "") -> Any:
    """A copy of a plain config mapping with secret-looking values, and passwords inside URLs, replaced by ``***``."""
    if isinstance(data, dict):
        return {k: redact(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v, key) for v in data]
    if isinstance(data, SecretStr) or (data and looks_secret(key) and not isinstance(data, bool | int | float)):
        return "***"
    if isinstance(data, str):
        return URL_PASSWORD.sub(r"\g<user>:***@", data)  # a database URL's password, whatever its key
    return data
