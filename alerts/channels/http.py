"""What the HTTP channels share: one POST within an overall deadline, redaction of secrets, a per-robot rate limit.

A channel's ``timeout_s`` bounds the whole send — connect, write and the complete answer — not each read, so an
endpoint trickling its answer cannot hold a send past the dispatcher's lease. A failure once the whole request
went out (a timeout, a dropped connection) is *maybe delivered*: the endpoint may have shown the message.

Robot keys travel in the URL (``?key=…``, ``?access_token=…``), so every URL in an error or a log line
is cut to its scheme and host, and any remaining secret value is replaced by ``***``. httpx's own
request log line is redacted the same way by a filter on the ``httpx`` logger.
"""

from __future__ import annotations

import logging
import socket
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
from alerts.channels.deadline import Deadline

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
    """A client whose sends last at most ``timeout_s`` in all (connect at most 5 s); no redirects, and a connection
    of its own for every send, so that the deadline can shut it."""
    install_log_redaction()
    timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
    return httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0), follow_redirects=False,
                        trust_env=False, verify=_tls_context())


class _Exchange:
    """What httpcore reports of one request in flight: its socket once connected, and whether it was all sent."""

    def __init__(self) -> None:
        self.socket: socket.socket | None = None
        self.request_sent = False
        self.deadline: Deadline | None = None

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.socket = info["return_value"].get_extra_info("socket")
            if self.deadline is not None:
                self.deadline.enforce()
        elif event == "http11.send_request_body.complete":
            self.request_sent = True


def send_request(client: httpx.Client, method: str, url: str, redactor: Redactor, **options: Any) -> httpx.Response:
    """Send one request within the client's timeout as a whole; transport failures and HTTP errors become
    :class:`DeliveryError` (``maybe_delivered`` once the request was sent), secrets hidden."""
    exchange = _Exchange()
    with Deadline(_whole_send_s(client), lambda: exchange.socket) as deadline:
        exchange.deadline = deadline
        try:
            response = client.request(method, url, extensions={"trace": exchange.trace}, **options)
        except httpx.HTTPError as exc:
            raise _transport_error(redact_url(url), exc, exchange, redactor) from None
    _check_status(response, redact_url(url))
    return response


def _whole_send_s(client: httpx.Client) -> float:
    """The ``timeout_s`` :func:`http_client` gave the client: the limit of each read and of the whole send."""
    return client.timeout.read if client.timeout.read is not None else CONNECT_TIMEOUT_S


def _transport_error(where: str, exc: httpx.HTTPError, exchange: _Exchange, redactor: Redactor) -> DeliveryError:
    """Retryable; after the whole request was sent, maybe delivered too."""
    if exchange.deadline is not None and exchange.deadline.expired:
        what = f"timed out (no complete answer within {exchange.deadline.seconds:g} s)"
    elif isinstance(exc, httpx.TimeoutException):
        what = f"timed out ({type(exc).__name__})"
    else:
        what = redactor(f"{type(exc).__name__}: {exc}")
    if exchange.request_sent:
        return DeliveryError(f"{where}: {what} after the request was sent: maybe delivered", retryable=True,
                             maybe_delivered=True)
    return DeliveryError(f"{where}: {what}", retryable=True)


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
