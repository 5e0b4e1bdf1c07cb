"""UTCDateTime keeps instants exact on both backends; ZlibBytes compresses transparently."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from storage import CrawlRun, Source
from storage.models import Setting

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_aware_timestamps_come_back_as_the_same_instant_in_utc(db):
    started = datetime(2026, 11, 22, 23, 30, 15, 123456, tzinfo=SHANGHAI)
    with db.session() as session:
        session.add(Source(name="weibo", created_at=started))
    with db.session() as session:
        created = session.scalars(select(Source.created_at)).one()
    assert created == started
    assert created.tzinfo == timezone.utc
    assert created.isoformat() == "2026-11-22T15:30:15.123456+00:00"


def test_sql_comparisons_and_order_follow_instants_not_local_clock_times(db):
    shanghai_early = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)  # 02:00 UTC
    utc_later = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
    with db.session() as session:
        session.add_all([Source(name="late", created_at=utc_later), Source(name="early", created_at=shanghai_early)])
    with db.session() as session:
        ordered = session.scalars(select(Source.name).order_by(Source.created_at)).all()
        cutoff = shanghai_early + timedelta(minutes=30)
        after = session.scalars(select(Source.name).where(Source.created_at > cutoff)).all()
    assert (ordered, after) == (["early", "late"], ["late"])


def test_a_naive_timestamp_is_refused(db):
    with pytest.raises(StatementError, match="aware"):
        with db.session() as session:
            session.add(Source(name="weibo", created_at=datetime(2026, 11, 20, 10, 0)))


def test_a_timestamp_with_no_utc_equivalent_is_refused(db):
    year_one_at_plus_14 = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    with pytest.raises(StatementError, match="out of range in UTC"):
        with db.session() as session:
            session.add(Source(name="weibo", created_at=year_one_at_plus_14))


def test_a_null_timestamp_stays_null(db):
    started = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    with db.session() as session:
        session.add(Source(name="weibo", created_at=started))
        session.flush()
        session.add(CrawlRun(source="weibo", mode="live", started_at=started, status="running"))
    with db.session() as session:
        assert session.scalars(select(CrawlRun.finished_at)).one() is None


def test_settings_hold_text_values(db):
    with db.session() as session:
        session.add(Setting(name="demo", value="值"))
    with db.session() as session:
        assert session.get(Setting, "demo").value == "值"
