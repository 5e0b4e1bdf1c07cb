"""Analysis of the stored posts as the CLI runs it: analyse, then list the top incidents for the officer."""

from __future__ import annotations

import click
from sqlalchemy import select

from yuqing.context import AppContext
from yuqing.output import print_table, write_jsonl

TOP_COLUMNS = [("level", "级别"), ("title", "事件"), ("place", "地点"), ("post_count", "帖子"),
               ("sources", "来源"), ("first_seen", "首次发现"), ("reason", "原因")]


def analyze_database(app: AppContext, now: str | None, top: int = 10, fmt: str = "table") -> list[str]:
    """Analyse stored posts needing it; print the top in-district incidents (a table or JSON Lines); return the
    changed event ids."""
    from analysis.persist import analyse_stored_posts

    database = app.database()
    moment = app.now(now)
    report = analyse_stored_posts(database, app.config, moment)
    mode = "（模型版本更新，全部重新分析）" if report.rebuilt else ""
    click.echo(f"已分析 {report.analysed} 条帖子{mode}，{len(report.changed_events)} 个事件有变化", err=True)
    raise_alerts(app, database, report.changed_events, moment)  # before any printing that could fail
    show_top_events(app, database, top, fmt)
    return report.changed_events


def raise_alerts(app: AppContext, database, changed_events: list[str], moment) -> None:
    """Raise or update the alerts of the changed events and of the sources' health (notifications go out
    with `yuqing alerts dispatch`)."""
    from alerts import evaluate_events, evaluate_source_health

    raised = evaluate_events(database, app.config, changed_events, moment)
    health = evaluate_source_health(database, app.config, moment)
    click.echo(f"新预警 {len(raised.opened)} 条，级别升高 {len(raised.escalated)} 条，静默 {len(raised.silenced)} 条，"
               f"信息源异常 {len(health.opened)} 条", err=True)


def show_top_events(app: AppContext, database, top: int, fmt: str = "table") -> None:
    """The in-district incidents by level, then size: what the duty officer looks at first."""
    from alerts.queries import local_iso
    from alerts.states import level_rank
    from storage.analysis_models import Event

    tz = app.config.tz
    with database.session() as session:
        events = session.scalars(select(Event).where(Event.in_district, Event.level.is_not(None))).all()
        ranked = sorted(events, key=lambda e: (-level_rank(e.level), -e.post_count, e.first_seen))[:top]
        rows = [{"event": e.id, "level": e.level, "title": e.title, "place": e.place, "post_count": e.post_count,
                 "sources": list(e.sources), "first_seen": local_iso(e.first_seen, tz), "reason": e.reason}
                for e in ranked]
    if fmt == "jsonl":
        write_jsonl(rows)
    elif rows:
        print_table("区内重点事件（按级别）", TOP_COLUMNS, [_table_row(row) for row in rows])
    else:
        click.echo("暂无区内预警事件", err=True)


def _table_row(row: dict) -> dict:
    return {**row, "title": row["title"][:30], "sources": "、".join(row["sources"]),
            "first_seen": row["first_seen"][5:16].replace("T", " ")}
