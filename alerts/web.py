"""The `yuqing serve` web app: answers the signed 确认 / 误报 links of alert messages.

GET ``/a/{token}`` only shows what the link will do (chat apps fetch links for previews, so a GET must
never change anything); the officer's POST from that page records the action through alerts.actions,
as the roster person the link was sent to. Forged or expired links get a 403 page. Every page is a
Jinja2 template with HTML autoescaping; responses are not cached and send no referrer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alerts.actions import AlertNotFound, ack, false_alarm, get_alert
from alerts.links import ACTION_ZH, ActionGrant, LinkError, verify_action
from alerts.message import LEVEL_ZH
from alerts.models import Alert
from alerts.render import html_templates
from alerts.states import STATE_LABELS, TransitionError
from config import Config
from storage import Database

log = logging.getLogger(__name__)

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
COLOURS = {"ok": "#2e7d32", "ask": "#e36c09", "refused": "#c00000"}
ACTIONS = {"ack": ack, "false_alarm": false_alarm}
EFFECT_ZH = {
    "ack": "确认后，该预警停止升级和提醒，并记录为由您确认。",
    "false_alarm": "标记误报后，该预警关闭，相关帖子记为“不相关”供模型学习。",
}


@dataclass(frozen=True)
class Page:
    """What one page shows."""

    status: int
    heading: str
    lines: tuple[str, ...] = ()
    alert: dict[str, str] | None = None
    button: str | None = None
    colour: str = COLOURS["ok"]


def create_app(config: Config, database: Database, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The app; ``clock`` gives the current time (default: the wall clock in the configured zone)."""
    now = clock or (lambda: datetime.now(config.tz))
    app = FastAPI(title="yuqing 一键确认", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/a/{token}", response_class=HTMLResponse)
    def confirm(token: str) -> HTMLResponse:
        return _respond(_confirmation(config, database, token, now()))

    @app.post("/a/{token}", response_class=HTMLResponse)
    def apply(token: str) -> HTMLResponse:
        return _respond(_application(config, database, token, now()))

    return app


def _confirmation(config: Config, database: Database, token: str, now: datetime) -> Page:
    try:
        grant = verify_action(config, token, now)
        with database.session() as session:
            alert = _describe(get_alert(session, grant.alert_id))
    except LinkError as exc:
        return _refused(exc)
    except AlertNotFound:
        return Page(404, "预警不存在", ("该链接对应的预警已不存在。",), colour=COLOURS["refused"])
    label = ACTION_ZH[grant.action]
    lines = (f"{grant.person}，您将对下面的预警执行“{label}”。", EFFECT_ZH[grant.action], "请点击下方按钮完成操作。")
    return Page(200, f"{label}？", lines, alert, button=label, colour=COLOURS["ask"])


def _application(config: Config, database: Database, token: str, now: datetime) -> Page:
    try:
        grant = verify_action(config, token, now)
        with database.session() as session:
            alert = _describe(_apply(session, grant, now))
    except LinkError as exc:
        return _refused(exc)
    except AlertNotFound:
        return Page(404, "预警不存在", ("该链接对应的预警已不存在。",), colour=COLOURS["refused"])
    except TransitionError as exc:
        return Page(409, "无需操作", (str(exc),), colour=COLOURS["ask"])
    log.info("link: %s by %s on alert %s", grant.action, grant.person, grant.alert_id)
    return Page(200, f"已{ACTION_ZH[grant.action]}", (f"已记录：{grant.person} 于 {now:%Y-%m-%d %H:%M}。",), alert)


def _apply(session: Session, grant: ActionGrant, now: datetime) -> Alert:
    return ACTIONS[grant.action](session, grant.alert_id, by=grant.person, now=now, via="link")


def _describe(alert: Alert) -> dict[str, str]:
    level = LEVEL_ZH.get(alert.level or "", "—")
    return {"id": alert.id, "title": alert.title, "level": level, "state": STATE_LABELS.get(alert.state, alert.state)}


def _refused(exc: LinkError) -> Page:
    log.info("link refused: %s", exc)
    reason = "该链接已过期，请使用最新消息中的链接，或在命令行中操作。" if exc.expired else "该链接无效或已被篡改。"
    return Page(403, "链接无法使用", (reason,), colour=COLOURS["refused"])


def _respond(page: Page) -> HTMLResponse:
    html = html_templates().get_template("link.html").render(
        heading=page.heading, lines=page.lines, alert=page.alert, button=page.button, colour=page.colour
    )
    return HTMLResponse(html, status_code=page.status, headers=HEADERS)
