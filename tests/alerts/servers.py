"""Local stand-ins for the real endpoints the alert channels talk to, as pytest fixtures.

``robot_server``: a threaded HTTP server on 127.0.0.1 playing the 企业微信 robot
(``/cgi-bin/webhook/send?key=…``), the 钉钉 robot (``/robot/send?access_token=…&timestamp=…&sign=…``) and
an SMS gateway (``/sms/send``). It validates each payload as the real service would (msgtype, markdown
keys, size limits, the 钉钉 signature for its secret), records every request, and answers according to
``server.mode`` (or, for one endpoint path, ``server.path_modes[path]``): "ok", "rate_limited" (45009 / 130101 /
HTTP 429), "rejected" (93000 / 310000 / HTTP 400), "http_500", "hang" (the request read and recorded, then no
answer for ``hang_seconds``), "slow" (read, recorded, and answered as "ok" only after ``slow_seconds``: a robot
that shows the message but answers late), "trickle" (answered as "ok", the body one byte every
``trickle_seconds``), or "stall" (every connection accepted but not one byte read or recorded until
``released``; counted in ``stalled``).
``smtp_server``: an aiosmtpd server capturing parsed e-mails (login accepted for ``SMTP_USER``/``SMTP_PASSWORD``).
Use them from another test folder by importing the fixtures into its conftest.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

WECOM_KEY = "wecom-key-3f9a1c2b-0d4e-4f5a-9b8c-7d6e5f4a3b2c"
DINGTALK_TOKEN = "dingtalk-token-8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
DINGTALK_SECRET = "SECdingtalk0secret1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9"
SMTP_USER = "yuqing"
SMTP_PASSWORD = "smtp-pass-Zx81!qq"
WECOM_LIMIT, DINGTALK_LIMIT = 4096, 20000
MODES = ("ok", "rate_limited", "rejected", "http_500", "hang", "slow", "trickle", "stall")


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class RobotServer:
    """The shared state of the local robot endpoints."""

    host: str = "127.0.0.1"
    port: int = 0
    mode: str = "ok"
    path_modes: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 3.0
    slow_seconds: float = 1.0
    trickle_seconds: float = 0.1
    requests: list[RecordedRequest] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    stalled: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def wecom_url(self) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={WECOM_KEY}"

    @property
    def dingtalk_url(self) -> str:
        return f"{self.base_url}/robot/send?access_token={DINGTALK_TOKEN}"

    @property
    def sms_url(self) -> str:
        return f"{self.base_url}/sms/send"

    def mode_for(self, path: str) -> str:
        return self.path_modes.get(path, self.mode)

    def on(self, path: str) -> list[RecordedRequest]:
        """The requests received on one endpoint path."""
        return [request for request in self.requests if request.path == path]


def _wecom_problems(request: RecordedRequest) -> list[str]:
    if request.query.get("key") != WECOM_KEY:
        return ["wrong key"]
    body = _json_or_none(request.body)
    if not isinstance(body, dict) or body.get("msgtype") != "markdown":
        return ["msgtype is not markdown"]
    content = (body.get("markdown") or {}).get("content")
    if not isinstance(content, str) or not content:
        return ["markdown.content missing"]
    if len(content.encode("utf-8")) > WECOM_LIMIT:
        return [f"markdown.content over {WECOM_LIMIT} bytes"]
    return []


def dingtalk_expected_sign(timestamp: str, secret: str = DINGTALK_SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _dingtalk_sign_problems(query: dict[str, str]) -> list[str]:
    if query.get("access_token") != DINGTALK_TOKEN:
        return ["wrong access_token"]
    timestamp = query.get("timestamp", "")
    if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3_600_000:
        return ["timestamp missing or more than an hour off"]
    if not hmac.compare_digest(query.get("sign", ""), dingtalk_expected_sign(timestamp)):
        return ["bad sign"]
    return []


def _dingtalk_payload_problems(request: RecordedRequest) -> list[str]:
    body = _json_or_none(request.body)
    if not isinstance(body, dict) or body.get("msgtype") != "markdown":
        return ["msgtype is not markdown"]
    markdown = body.get("markdown") or {}
    if not isinstance(markdown.get("title"), str) or not isinstance(markdown.get("text"), str):
        return ["markdown.title/text missing"]
    if len(markdown["text"].encode("utf-8")) > DINGTALK_LIMIT:
        return [f"markdown.text over {DINGTALK_LIMIT} bytes"]
    return []


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


ANSWERS = {  # mode → (wecom errcode, dingtalk errcode, sms HTTP status)
    "ok": (0, 0, 200),
    "rate_limited": (45009, 130101, 429),
    "rejected": (93000, 310000, 400),
}


class _Handler(BaseHTTPRequestHandler):
    server_state: RobotServer

    def handle(self) -> None:
        state = self.server_state
        if state.mode == "stall":  # the connection is open, but the endpoint reads nothing: nothing arrives
            state.stalled += 1
            state.released.wait(state.hang_seconds)
            return
        super().handle()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        state = self.server_state
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        request = RecordedRequest(parts.path, query, dict(self.headers.items()), body)
        state.requests.append(request)
        mode = state.mode_for(parts.path)
        if mode == "hang":
            state.released.wait(state.hang_seconds)  # then close without an answer
        elif mode == "http_500":
            self._answer(500, {"error": "internal"})
        else:
            if mode == "slow":
                state.released.wait(state.slow_seconds)
            self._route(state, request, mode)

    def _route(self, state: RobotServer, request: RecordedRequest, mode: str) -> None:
        wecom, dingtalk, sms = ANSWERS.get(mode, ANSWERS["ok"])
        if request.path == "/cgi-bin/webhook/send":
            problems = _wecom_problems(request)
            return self._robot(state, problems, 40058 if problems else wecom, mode)
        if request.path == "/robot/send":
            sign = _dingtalk_sign_problems(request.query)
            problems = sign or _dingtalk_payload_problems(request)
            return self._robot(state, problems, 310000 if sign else 40035 if problems else dingtalk, mode)
        if request.path == "/sms/send":
            return self._answer(sms, {"code": 0 if sms == 200 else sms}, {"Retry-After": "30"} if sms == 429 else {},
                                trickle=mode == "trickle")
        self._answer(404, {"error": "no such endpoint"})

    def _robot(self, state: RobotServer, problems: list[str], errcode: int, mode: str) -> None:
        state.problems.extend(problems)
        self._answer(200, {"errcode": errcode, "errmsg": "; ".join(problems) or ("ok" if errcode == 0 else "error")},
                     trickle=mode == "trickle")

    def _answer(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None,
                trickle: bool = False) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not trickle:
            self.wfile.write(data)
            return
        for index in range(len(data)):  # each byte well within a read timeout, the whole far beyond it
            self.wfile.write(data[index:index + 1])
            self.wfile.flush()
            if self.server_state.released.wait(self.server_state.trickle_seconds):
                return

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — keep test output quiet
        pass


@pytest.fixture
def robot_server() -> Iterator[RobotServer]:
    """A running local robot/SMS endpoint server (mode "ok"); stopped, and any hang released, afterwards."""
    state = RobotServer()
    handler = type("Handler", (_Handler,), {"server_state": state})
    server = ThreadingHTTPServer((state.host, 0), handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    state.released.set()
    server.shutdown()
    server.server_close()


@dataclass
class SmtpServer:
    """A local SMTP server's address and the e-mails it accepted."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _Capture:
    def __init__(self, state: SmtpServer) -> None:
        self.state = state

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's naming)
        self.state.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.state.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running aiosmtpd server on 127.0.0.1 capturing messages; AUTH works without TLS for tests."""
    state = SmtpServer("127.0.0.1", _free_port())

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = auth_data.login.decode() == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD
        if ok:
            state.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    controller = Controller(_Capture(state), hostname=state.host, port=state.port,
                            authenticator=authenticate, auth_require_tls=False)
    controller.start()
    yield state
    controller.stop()
