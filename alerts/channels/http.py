"""What the HTTP channels share: one POST with timeouts, redaction of secrets, and a per-robot rate limit.

Robot keys travel in the URL (``?key=…``, ``?access_token=…``), so every URL in an error or a log line
is cut to its scheme and host, and any remaining secret value is replaced by ``***``. httpx's own
request log line is redacted the same way by a filter on the ``httpx`` logger.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from alerts.channels.base import DeliveryError

CONNECT_TIMEOUT_S = 5.0
HIDDEN = "***"
ROBOT_BUSY = -1  # errcode of a busy 企业微信 / 钉钉 robot: worth retrying


def redact_url(url: str | httpx.URL) -> str:
    """``https://host[:port]/***`` — a URL with its path and query (where keys live) hidden."""
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/{HIDDEN}"


def url_secrets(url: str) -> list[str]:
    """Every part of a secret URL that must never be shown: the URL, its query values and path segments."""
    parts = urlsplit(url)
    values = [url, parts.query, *(value for _, value in parse_qsl(parts.query))]
    values += [segment for segment in parts.path.split("/") if len(segment) >= 8]
    return [value for value in values if len(value) >= 4]


@dataclass
class Redactor:
    """Replaces each known secret value in a text by ``***`` (longest first, so a URL goes before its key)."""

    secrets: list[str] = field(default_factory=list)

    def add(self, values: Iterable[str | None]) -> None:
        self.secrets = sorted({*self.secrets, *(v for v in values if v)}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return text


class _RedactHttpxLog(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


def install_log_redaction() -> None:
    """Redact URLs in httpx's request log lines (idempotent)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactHttpxLog) for f in logger.filters):
        logger.addFilter(_RedactHttpxLog())


class RateLimit:
    """At most ``per_minute`` sends in any 60 s window; beyond that a retryable error with ``retry_after``."""

    def __init__(self, per_minute: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.sent: deque[float] = deque()

    def take(self) -> None:
        if self.per_minute is None:
            return
        now = self.clock()
        while self.sent and now - self.sent[0] >= 60:
            self.sent.popleft()
        if len(self.sent) >= self.per_minute:
            wait = 60 - (now - self.sent[0])
            raise DeliveryError(f"client-side rate limit of {self.per_minute}/min reached", True, wait)
        self.sent.append(now)


@cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()  # loading the CA store is slow: once per process


def http_client(timeout_s: float) -> httpx.Client:
    """A client with a connect timeout of at most 5 s and ``timeout_s`` for each read/write; no redirects."""
    install_log_redaction()
    timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls_context())


def send_request(client: httpx.Client, method: str, url: str, redactor: Redactor, **options: Any) -> httpx.Response:
    """Send one request; transport failures and HTTP errors become :class:`DeliveryError`, secrets hidden."""
    where = redact_url(url)
    try:
        response = client.request(method, url, **options)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{where}: timed out ({type(exc).__name__})", retryable=True) from None
    except httpx.HTTPError as exc:
        raise DeliveryError(redactor(f"{where}: {type(exc).__name__}: {exc}"), retryable=True) from None
    _check_status(response, where)
    return response


def _check_status(response: httpx.Response, where: str) -> None:
    status = response.status_code
    if status < 300:
        return
    reason = f"{where}: HTTP {status}"
    if status == 429:
        raise DeliveryError(reason, retryable=True, retry_after=_retry_after(response))
    raise DeliveryError(reason, retryable=status >= 500 or status == 408)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def errcode_of(response: httpx.Response, where: str) -> tuple[int, str]:
    """The ``errcode``/``errmsg`` of a robot's JSON answer; an unreadable answer is a retryable error."""
    try:
        body = response.json()
        return int(body["errcode"]), str(body.get("errmsg", ""))
    except (ValueError, KeyError, TypeError):
        raise DeliveryError(f"{where}: unreadable answer (HTTP {response.status_code})", retryable=True) from None


def robot_error(reason: str, code: int, rate_limited: int) -> DeliveryError:
    """A robot's non-zero ``errcode``: its rate-limit code retries after a minute, busy retries, the rest not."""
    if code == rate_limited:
        return DeliveryError(reason, retryable=True, retry_after=60)
    return DeliveryError(reason, retryable=code == ROBOT_BUSY)
