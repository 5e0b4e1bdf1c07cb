"""Author ids are never stored: a keyed HMAC-SHA256 stands in for them, in the posts table and in raw fragments.

A raw fragment loses the post's own author id wherever it occurs whole. A spider that knows of other author
ids in its fragment (a reposted original's author, a token link to the author's page, an id inside a longer
value) writes :func:`author_ref` in their place; storage turns each into ``author:<hash>`` of that id.

The key is ``$YUQING_AUTHOR_HASH_KEY`` when set (use the same key on every database whose hashes
should match). Otherwise each database makes its own random key on first use and keeps it in the
``settings`` table under ``author_hash_key``: hashes then link one author's posts within that database
only, and whoever can read the database can test a guessed id against them — set the environment
variable, kept outside the database, where that matters.

The message hashed is ``source + "\\x1f" + author_id``: the same number on two sources is two people.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from typing import Any, TypeGuard

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.dialects import insert_ignoring_duplicates
from storage.models import Setting

KEY_ENV = "YUQING_AUTHOR_HASH_KEY"
KEY_SETTING = "author_hash_key"
MIN_SCRUB_LENGTH = 5
"""Shorter author ids are not replaced inside raw fragments: they would match counts and dates there."""
AUTHOR_REF = re.compile(r"\{\{author-id:([^{}]+)\}\}")


def author_hash_key(session: Session) -> bytes:
    """The HMAC key: the environment variable if set, else this database's stored key (made on first use)."""
    configured = os.environ.get(KEY_ENV)
    if configured:
        return configured.encode("utf-8")
    return _stored_key(session).encode("ascii")


def _stored_key(session: Session) -> str:
    query = select(Setting.value).where(Setting.name == KEY_SETTING)
    value = session.scalar(query)
    if value is None:
        row = {"name": KEY_SETTING, "value": secrets.token_hex(32)}
        session.execute(insert_ignoring_duplicates(session, Setting.__table__), [row])
        value = session.scalar(query)
    return value


def hash_author(key: bytes, source: str, author_id: str) -> str:
    """The 64-hex-digit keyed hash of one source's author id."""
    message = f"{source}\x1f{author_id}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def author_ref(author_id: str) -> str:
    """What a spider writes into a raw fragment in place of an author id: ``{{author-id:<id>}}``."""
    return f"{{{{author-id:{author_id}}}}}"


def has_author_refs(raw: str | bytes | None) -> TypeGuard[str]:
    """Whether ``raw`` holds any :func:`author_ref` (only text fragments do: spiders write them)."""
    return isinstance(raw, str) and "{{author-id:" in raw


def scrub_raw(raw: str | bytes, key: bytes, source: str, author_id: str | None, raw_format: str) -> str | bytes:
    """The raw fragment as stored: each :func:`author_ref` becomes ``author:<hash>`` of its id, and every whole
    occurrence of ``author_id`` or of a referenced id is scrubbed (:func:`scrub_author_id`)."""
    ids = {author_id} if author_id else set()
    if has_author_refs(raw):
        ids.update(AUTHOR_REF.findall(raw))
    hashes = {each: hash_author(key, source, each) for each in sorted(ids)}  # one HMAC per id, not per occurrence
    if has_author_refs(raw):
        raw = AUTHOR_REF.sub(lambda ref: f"author:{hashes[ref[1]]}", raw)
    for each, author_hash in hashes.items():
        raw = scrub_author_id(raw, each, author_hash, raw_format)
    return raw


def scrub_author_id(raw: str | bytes, author_id: str, author_hash: str, raw_format: str) -> str | bytes:
    """The raw fragment with every whole occurrence of the author id replaced by ``author:<hash>``.

    JSON stays valid JSON (a numeric id becomes a string): it is rewritten as text when that still
    parses, else value by value. HTML, or JSON that did not parse to begin with, is rewritten as text.
    """
    if len(author_id) < MIN_SCRUB_LENGTH:
        return raw
    if isinstance(raw, bytes):
        return _scrub_bytes(raw, author_id, author_hash, raw_format)
    return _scrub_text(raw, author_id, author_hash, raw_format)


def _scrub_text(raw: str, author_id: str, author_hash: str, raw_format: str) -> str:
    if author_id not in raw:
        return raw
    token = f"author:{author_hash}"
    pattern = re.compile(_whole(re.escape(author_id)))
    scrubbed = _scrub_json(raw, author_id, pattern, token) if raw_format == "json" else None
    return pattern.sub(token, raw) if scrubbed is None else scrubbed


def _scrub_bytes(raw: bytes, author_id: str, author_hash: str, raw_format: str) -> bytes:
    """UTF-8 bytes are scrubbed as text; bytes in another encoding (GBK pages) byte for byte, left as they are."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pattern = re.compile(_whole(re.escape(author_id)).encode("utf-8"))
        return pattern.sub(f"author:{author_hash}".encode("ascii"), raw)
    return _scrub_text(text, author_id, author_hash, raw_format).encode("utf-8")


def _whole(needle: str) -> str:
    """A regex for ``needle`` (escaped) not inside a longer word. It starts with the needle itself, so the regex
    engine jumps from one occurrence to the next, and checks the character before it with a lookbehind."""
    return rf"{needle}(?<![0-9A-Za-z_]{needle})(?![0-9A-Za-z_])"


def _scrub_json(text: str, author_id: str, pattern: re.Pattern[str], token: str) -> str | None:
    """Fast path: quote bare numeric ids, replace the rest as text, and keep the result if it still parses."""
    bare = re.compile(rf"([:\[,])(\s*){re.escape(author_id)}(?=\s*[,}}\]])")
    candidate = pattern.sub(token, bare.sub(rf'\1\2"{token}"', text))
    try:
        json.loads(candidate)
        return candidate
    except ValueError:
        pass
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return json.dumps(_scrub_value(data, author_id, pattern, token), ensure_ascii=False, separators=(",", ":"))


def _scrub_value(value: Any, author_id: str, pattern: re.Pattern[str], token: str) -> Any:
    if isinstance(value, dict):
        return {key: _scrub_value(item, author_id, pattern, token) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_value(item, author_id, pattern, token) for item in value]
    if isinstance(value, str):
        return pattern.sub(token, value)
    if isinstance(value, int) and not isinstance(value, bool) and str(value) == author_id:
        return token
    return value
