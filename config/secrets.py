"""Secret references in configuration: values given as ``{"$env" = "NAME"}`` or ``{"$file" = "path"}``.

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
    """A ``$env`` or ``$file`` reference that cannot be resolved."""


def resolve_reference(value: Any, secrets: dict[str, str] | None = None) -> Any:
    """Turn a ``{"$env": NAME}`` / ``{"$file": PATH}`` / ``{"$secret": NAME}`` table into its string value.

    An unset environment variable gives ``None``; a missing file or secret name is an error.
    """
    if not isinstance(value, dict) or len(value) != 1:
        return value
    (kind, name), = value.items()
    if kind == "$env":
        return os.environ.get(name) or None  # unset: the secret is absent; its user reports that where it matters
    if kind == "$file":
        path = Path(name).expanduser()
        if not path.is_file():
            raise SecretReferenceError(f"secret file {path} does not exist")
        return path.read_text(encoding="utf-8").strip()
    if kind == "$secret":
        if secrets is None or name not in secrets:
            raise SecretReferenceError(f"secret {name!r} is not in the secrets file")
        return secrets[name]
    return value


def _to_secret(value: Any) -> Any:
    value = resolve_reference(value)
    if value is None or isinstance(value, SecretStr):
        return value
    return SecretStr(str(value))


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
