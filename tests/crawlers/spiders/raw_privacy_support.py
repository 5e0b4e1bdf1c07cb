"""Helpers for the raw-fragment privacy tests: the personal strings a source document holds, and finding them."""

from __future__ import annotations

import re
from typing import Any

from storage.authors import MIN_SCRUB_LENGTH

TOUTIAO_ID_KEYS = frozenset({"user_id", "media_id", "uid"})  # on Weibo, media_id is a video's id
USER_TOKEN = re.compile(r"/c/user/token/([^/?#\"'\s<>]+)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
HASHED = re.compile(r"author:[0-9a-f]{64}")


def personal_strings(document: Any, id_keys: frozenset[str] = frozenset()) -> set[str]:
    """Author ids in ``document`` (a ``user``'s ``id``, and the values of ``id_keys``; a numeric one in hex too,
    as Weibo picture names begin with it), user-page tokens and e-mail addresses, from any JSON value or text."""
    if isinstance(document, str):
        return set(USER_TOKEN.findall(document)) | set(EMAIL.findall(document))
    if isinstance(document, list):
        return set().union(*(personal_strings(value, id_keys) for value in document))
    if not isinstance(document, dict):
        return set()
    found: set[str] = set().union(*(_id_forms(str(author_id)) for author_id in _author_ids(document, id_keys)))
    return found.union(*(personal_strings(value, id_keys) for value in document.values()))


def _author_ids(document: dict[str, Any], id_keys: frozenset[str]) -> list[Any]:
    user = document.get("user")
    ids = [user.get("id")] if isinstance(user, dict) else []
    ids += [document[key] for key in id_keys & document.keys()]
    return [author_id for author_id in ids if author_id not in (None, "")]


def _id_forms(author_id: str) -> set[str]:
    if len(author_id) < MIN_SCRUB_LENGTH:
        return set()
    return {author_id, f"{int(author_id):08x}"} if author_id.isdigit() else {author_id}


def leaks(raw: str, personal: set[str]) -> set[str]:
    """The personal strings ``raw`` still holds (its ``author:<hash>`` set aside: a hex uid could occur in one)."""
    bare = HASHED.sub("author:H", raw)
    return {value for value in personal if value in bare}
