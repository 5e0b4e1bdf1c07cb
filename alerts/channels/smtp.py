"""E-mail channel: a plain-text message with an HTML alternative (Jinja2, autoescaped), sent over SMTP.

Post text in the subject and both parts is :func:`alerts.render.inert`, so mail clients auto-link nothing in
it; the post's link and the signed 确认 / 误报 links are the only links.

STARTTLS and login are optional; the password comes from secrets and never appears in an error. ``timeout_s``
bounds the whole exchange, from the connect to the last reply, not only each command.
Connection trouble and 4xx replies are retryable; refused recipients, failed logins, a server without
the requested STARTTLS and other 5xx replies are not.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import tzinfo
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from alerts.channels.base import Channel, DeliveryError
from alerts.channels.deadline import Deadline
from alerts.channels.http import Redactor
from alerts.message import Message
from alerts.render import cut_chars, html_templates, inert, inert_facts, links, message_parts, plain, plain_text
from config.channels import SmtpChannelConfig

LEVEL_COLOURS = {"红": "#c00000", "橙": "#e36c09", "黄": "#b8860b", "蓝": "#1f5fbf"}
PART_CHARS = {"title": 300, "reason": 2000, "excerpt": 3000}
SUBJECT_CHARS = 120


class SmtpChannel(Channel):
    """Sends one e-mail per message to the address ``to``."""

    def __init__(self, name: str, config: SmtpChannelConfig, tz: tzinfo) -> None:
        self.name = name
        self.config = config
        self.tz = tz
        self.password = config.password.get_secret_value() if config.password else None
        self.redact = Redactor()
        self.redact.add([self.password])

    def compose(self, message: Message, to: str) -> EmailMessage:
        """The e-mail: subject, text part and HTML alternative, every scraped text made safe."""
        parts = {name: cut_chars(plain(value), PART_CHARS[name]) for name, value in message_parts(message).items()}
        email = EmailMessage()
        email["Subject"] = cut_chars(f"【{message.headline}】{inert(message.title)}", SUBJECT_CHARS)
        email["From"] = self.config.sender
        email["To"] = to
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain="yuqing.local")
        email.set_content(plain_text(message, parts, self.tz))
        html = html_templates().get_template("email.html").render(
            headline=message.headline,
            colour=LEVEL_COLOURS.get(message.level or "", "#333333"),
            facts=inert_facts(message, parts, self.tz),
            links=links(message),
        )
        email.add_alternative(html, subtype="html")
        return email

    def send(self, message: Message, to: str) -> None:
        if "@" not in parseaddr(to)[1]:
            raise DeliveryError(f"not an e-mail address: {to!r}", retryable=False)
        email = self.compose(message, to)
        smtp = smtplib.SMTP(timeout=self.config.timeout_s)  # not connected yet: the deadline covers the connect
        with Deadline(self.config.timeout_s, lambda: smtp.sock) as deadline:
            try:
                self._deliver(smtp, email, deadline)
            except DeliveryError:
                raise
            except (smtplib.SMTPException, OSError) as exc:
                raise self._error(exc, deadline) from None

    def _deliver(self, smtp: smtplib.SMTP, email: EmailMessage, deadline: Deadline) -> None:
        config = self.config
        with smtp:
            code, greeting = smtp.connect(config.host, config.port)
            deadline.enforce()
            if code != 220:
                raise smtplib.SMTPConnectError(code, greeting)
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.username:
                smtp.login(config.username, self.password or "")
            smtp.send_message(email)

    def _error(self, exc: smtplib.SMTPException | OSError, deadline: Deadline) -> DeliveryError:
        if deadline.expired:
            return DeliveryError(self._where(f"timed out (no complete exchange within {deadline.seconds:g} s)"))
        if isinstance(exc, ssl.SSLError):
            return DeliveryError(self._where(f"TLS failed: {exc.reason}"), retryable=False)
        if isinstance(exc, smtplib.SMTPException):
            return _smtp_error(exc, self._where, self.redact)
        return DeliveryError(self._where(f"{type(exc).__name__}: {exc}"), retryable=True)

    def _where(self, what: str) -> str:
        return self.redact(f"smtp {self.config.host}:{self.config.port}: {what}")


def _smtp_error(exc: smtplib.SMTPException, where: Callable[[str], str], redact: Redactor) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(where(f"server does not support it: {exc}"), retryable=False)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return DeliveryError(where("recipient refused"), retryable=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return DeliveryError(where(f"{exc.smtp_code} {redact(text)}"), retryable=400 <= exc.smtp_code < 500)
    return DeliveryError(where(f"{type(exc).__name__}: {redact(str(exc))}"), retryable=True)
