"""import → analyze → dispatch → list: exactly one open alert per alerting in-district incident, with its posts,
and every alert printed through the console channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from storage.analysis_models import Event, PostAnalysisRow
from storage.models import Post
from tests.alerts.conftest import write_config
from yuqing.cli import cli

POSTS = Path(__file__).parents[2] / "fixtures" / "corpus" / "devset_posts.jsonl"
NOW = "2026-11-23T09:00:00+08:00"
ROSTER = {"people": [{"name": "值班员甲", "contacts": [{"channel": "wecom", "to": "jia"}, {"channel": "console"}]}],
          "shifts": [{"primary": "值班员甲"}]}


@pytest.fixture
def run(db, tmp_path, monkeypatch):
    channels = {"console": {"type": "console"}, "wecom": {"type": "wecom"}}  # wecom: no webhook set → skipped
    config = write_config(tmp_path / "yuqing.toml", channels, roster=ROSTER, with_analysis=True)
    monkeypatch.setenv("YUQING_CONFIG", str(config))
    monkeypatch.setenv("YUQING_DB_URL", db.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout

    return invoke


def _alerting_incidents(db) -> dict[str, set[tuple[str, str]]]:
    """What analysis left: each alerting in-district event and its posts (source, id)."""
    with db.session() as session:
        rows = session.execute(select(PostAnalysisRow.event_id, Post.source, Post.source_post_id, PostAnalysisRow.alert)
                               .join(Post, Post.id == PostAnalysisRow.post_id)
                               .join(Event, Event.id == PostAnalysisRow.event_id)
                               .where(Event.in_district, Event.level.is_not(None))).all()
    members: dict[str, set[tuple[str, str]]] = {}
    alerting = {event_id for event_id, _, _, alert in rows if alert}
    for event_id, source, post_id, _ in rows:
        if event_id in alerting:
            members.setdefault(event_id, set()).add((source, post_id))
    return members


def test_import_analyze_dispatch_list_gives_one_open_alert_per_alerting_incident(db, run):
    run("import", str(POSTS), "--now", NOW)
    run("analyze", "--now", NOW)
    printed = run("alerts", "dispatch", "--now", NOW)
    lines = [json.loads(line) for line in run("alerts", "list", "--format", "jsonl").splitlines()]
    expected = _alerting_incidents(db)
    assert len(expected) >= 10
    assert sorted(line["event"] for line in lines) == sorted(expected)
    for line in lines:
        assert set(line) == {"id", "event", "level", "state", "opened_at", "posts", "reason"}
        assert line["id"] == f"A-{line['event']}-1" and line["state"] == "notified"
        assert line["level"] in ("红", "橙", "黄", "蓝") and line["opened_at"] == NOW and line["reason"]
        assert {(p["source"], p["id"]) for p in line["posts"]} == expected[line["event"]]
    assert all(line["id"] in printed for line in lines)  # each went out through the console channel
    run("analyze", "--now", NOW)  # nothing changed: no second alert
    assert len(run("alerts", "list", "--format", "jsonl").splitlines()) == len(lines)
