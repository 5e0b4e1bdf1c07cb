"""Fixtures for the report tests: a small hand-made week with known answers, and the dev-set corpus taken
through the real CLI path (import → analyze → alerts dispatch → officer actions → report weekly), once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from alerts.models import Alert, AlertAction
from config import DEFAULT_CONFIG, Config, load_config
from storage import Database
from storage.analysis_models import Event, PostAnalysisRow
from storage.models import Post
from storage.sources import ensure_sources
from yuqing.cli import cli

CST = timezone(timedelta(hours=8))
CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus" / "devset_posts.jsonl"
ANALYSED_AT = "2026-11-23T09:00:00+08:00"
REPORT_AT = "2026-11-23T12:00:00+08:00"
WEEK = "2026-W47"


def at(text: str) -> datetime:
    """An aware time in +08:00 from ``2026-11-16 00:00``-style text."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def add_post(session, source: str, key: str, published: str, *, analysis: dict[str, Any] | None = None,
             title: str = "", text: str = "帖子正文", url: str | None = None) -> Post:
    """A stored post; with ``analysis`` (PostAnalysisRow fields) also its analysis."""
    moment = at(published)
    ensure_sources(session, [source], moment)
    post = Post(source=source, source_post_id=key, url=url or f"https://example.com/{source}/{key}", title=title,
                text=text, author="网友", published_at=moment, fetched_at=moment, updated_at=moment,
                content_hash=hashlib.sha256(f"{source}{key}".encode()).hexdigest())
    session.add(post)
    session.flush()
    if analysis is not None:
        fields = {"relevance": 0.9, "safety": True, "in_district": True, "sentiment": 0.2, "negative": True,
                  "category": "incident", "terms": [], "rules": [], **analysis}
        session.add(PostAnalysisRow(post_id=post.id, model_version="test", analysed_at=moment, **fields))
        session.flush()
    return post


def add_event(session, event_id: str, level: str | None, first: str, last: str, *, in_district: bool = True,
              title: str = "红梅新村楼道电瓶车着火", place: str | None = "红梅街道", post_count: int = 1,
              sources: list[str] | None = None) -> Event:
    event = Event(id=event_id, title=title, event_type="fire", type_name="火灾", category="incident", place=place,
                  spots=[], in_district=in_district, first_seen=at(first), last_seen=at(last), post_count=post_count,
                  sources=sources or ["weibo"], engagement=10, growth=0.0, level=level, score=0.8, reason="测试",
                  updated_at=at(last))
    session.add(event)
    session.flush()
    return event


def add_alert(session, alert_id: str, event_id: str | None, opened: str, *, state: str = "notified",
              kind: str = "incident", acked: str | None = None, by: str | None = None, closed: str | None = None,
              follow_step: str | None = None) -> Alert:
    alert = Alert(id=alert_id, kind=kind, dedup_key=event_id or alert_id, event_id=event_id, title="标题", level="红",
                  state=state, follow_step=follow_step, opened_at=at(opened), updated_at=at(opened),
                  acknowledged_at=at(acked) if acked else None, acknowledged_by=by,
                  closed_at=at(closed) if closed else None, policy_started_at=at(opened))
    session.add(alert)
    session.flush()
    return alert


def add_action(session, alert_id: str, action: str, when: str, note: str = "", **details: Any) -> None:
    session.add(AlertAction(alert_id=alert_id, action=action, actor="值班员甲", at=at(when), note=note,
                            details=details))
    session.flush()


def seed_week(db: Database) -> dict[str, int]:
    """The hand-made week 2026-W47 whose every answer the query tests state; returns post ids by name."""
    with db.session() as session:
        posts = {
            "sunday_before": add_post(session, "weibo", "p1", "2026-11-15T23:59:59", analysis={"terms": ["火灾"]}),
            "monday_first": add_post(session, "weibo", "p2", "2026-11-16T00:00:00", title="楼道着火",
                                     analysis={"terms": ["火灾", "消防"], "event_id": None, "level": "红"}),
            "monday_utc_sunday": add_post(session, "toutiao", "p3", "2026-11-16T07:59:59", analysis={
                "terms": ["火灾"], "in_district": False, "negative": False}),
            "not_safety": add_post(session, "hualongxiang", "p4", "2026-11-20T12:00:00", analysis={
                "safety": False, "in_district": False, "negative": True, "category": "none", "terms": []}),
            "sunday_last": add_post(session, "hualongxiang", "p5", "2026-11-22T23:59:59", text="燃气味道很重",
                                    analysis={"terms": ["燃气", "火灾"], "level": "黄"}),
            "next_monday": add_post(session, "zhong5", "p6", "2026-11-23T00:00:00", analysis={"terms": ["火灾"]}),
            "unanalysed": add_post(session, "weibo", "p7", "2026-11-18T10:00:00"),
        }
        add_event(session, "E1", "红", "2026-11-16T00:00:00", "2026-11-17T08:00:00", post_count=3,
                  sources=["toutiao", "weibo"])
        add_event(session, "E2", "黄", "2026-11-22T23:59:59", "2026-11-22T23:59:59", place="雕庄街道")
        add_event(session, "E3", "橙", "2026-11-10T08:00:00", "2026-11-16T01:00:00", in_district=False,
                  place="武进区", post_count=5)
        add_event(session, "E4", "蓝", "2026-11-14T08:00:00", "2026-11-15T23:00:00")
        add_event(session, "E5", None, "2026-11-18T08:00:00", "2026-11-18T09:00:00")
        add_alert(session, "A-E1-1", "E1", "2026-11-16T00:10:00", state="following", follow_step="responded",
                  acked="2026-11-16T00:25:00", by="值班员甲")
        add_action(session, "A-E1-1", "ack", "2026-11-16T00:25:00")
        add_action(session, "A-E1-1", "refer", "2026-11-16T01:00:00", contact="区网信办王科长", reference="天网信47号")
        add_action(session, "A-E1-1", "respond", "2026-11-16T03:00:00", note="已核实并发布通报",
                   response="已核实并发布通报")
        add_alert(session, "A-E2-1", "E2", "2026-11-23T00:05:00", state="false_alarm", closed="2026-11-23T00:35:00")
        add_action(session, "A-E2-1", "false_alarm", "2026-11-23T00:35:00")
        add_alert(session, "A-E3-1", "E3", "2026-11-16T01:10:00", state="resolved", acked="2026-11-16T02:10:00",
                  by="值班员乙", closed="2026-11-16T03:00:00")
        add_action(session, "A-E3-1", "ack", "2026-11-16T02:10:00")
        add_action(session, "A-E3-1", "resolve", "2026-11-16T03:00:00")
        add_alert(session, "H-weibo-blocked", None, "2026-11-17T08:00:00", kind="source_health")
        add_alert(session, "A-E1-2", "E1", "2026-11-23T10:00:00")  # raised after the report's time
        return {name: post.id for name, post in posts.items()}


@pytest.fixture
def week(db: Database) -> dict[str, int]:
    return seed_week(db)


@pytest.fixture
def week_sqlite(sqlite_db: Database) -> Database:
    """The hand-made week on SQLite only."""
    seed_week(sqlite_db)
    return sqlite_db


SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


@pytest.fixture
def hostile_db(sqlite_db: Database) -> Database:
    """The hand-made week plus scraped text that tries to be markup: a post titled with a script, an incident
    titled with an image tag, and a post whose URL is ``javascript:``."""
    seed_week(sqlite_db)
    with sqlite_db.session() as session:
        add_post(session, "weibo", "x1", "2026-11-19T10:00:00", title=f"快看{SCRIPT}|**粗体**[链接](http://evil)",
                 analysis={"terms": [SCRIPT]})
        add_post(session, "weibo", "x2", "2026-11-19T11:00:00", title="伪链接", url="javascript:alert(3)",
                 analysis={})
        add_event(session, "E-x", "红", "2026-11-19T10:00:00", "2026-11-19T11:00:00", title=f"{IMG}着火")
    return sqlite_db


@pytest.fixture(scope="session")
def shipped_config() -> Config:
    return load_config(DEFAULT_CONFIG)


@dataclass(frozen=True)
class CorpusRun:
    """The dev-set corpus after the CLI path: its database, and the folder the weekly report was written to."""

    db_path: Path
    url: str
    out: Path
    output: str


def run_cli(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(DEFAULT_CONFIG), "--db", url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    """import → analyze → alerts dispatch → ack / refer / respond / false-alarm → report weekly, all via the CLI."""
    base = tmp_path_factory.mktemp("corpus")
    url = f"sqlite:///{base / 'yuqing.db'}"
    run_cli(url, "import", str(CORPUS), "--now", ANALYSED_AT)
    run_cli(url, "analyze", "--now", ANALYSED_AT)
    run_cli(url, "alerts", "dispatch", "--now", ANALYSED_AT)
    _handle_two_alerts(url)
    output = run_cli(url, "report", "weekly", "--week", WEEK, "--format", "docx,html,md", "--out", str(base / "out"),
                     "--now", REPORT_AT)
    return CorpusRun(base / "yuqing.db", url, base / "out", output)


def _handle_two_alerts(url: str) -> None:
    """The officer acknowledges and refers the alert of the week's top in-district 红 incident, and calls the
    last in-district alert of the week 误报."""
    database = Database(url)
    with database.session() as session:
        alerts = session.execute(
            select(Alert.id, Event.level).join(Event, Event.id == Alert.event_id)
            .where(Event.in_district, Event.first_seen >= at("2026-11-16T00:00:00"))
            .order_by(Event.post_count.desc(), Event.first_seen, Event.id)
        ).all()
    database.dispose()
    red = [alert_id for alert_id, level in alerts if level == "红"]
    assert red and len(alerts) >= 2, f"the corpus should raise alerts for W47's incidents, got {alerts}"
    first, last = red[0], sorted(alert_id for alert_id, _ in alerts if alert_id != red[0])[-1]
    run_cli(url, "alerts", "ack", first, "--by", "值班员甲", "--now", "2026-11-23T09:12:00+08:00")
    run_cli(url, "alerts", "refer", first, "--contact", "区网信办王科长", "--ref", "天网信〔2026〕47号",
            "--by", "值班员甲", "--now", "2026-11-23T09:40:00+08:00")
    run_cli(url, "alerts", "refer", first, "--response", "已核实，引导发布通报", "--by", "值班员甲",
            "--now", "2026-11-23T11:00:00+08:00")
    run_cli(url, "alerts", "false-alarm", last, "--by", "值班员乙", "--now", "2026-11-23T09:30:00+08:00")
