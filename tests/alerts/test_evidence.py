"""Evidence: opening an alert keeps its posts' raw fragments; the database refuses to delete them."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from alerts import evaluate_events
from alerts.evidence import evidence_post_ids
from alerts.models import AlertPost, Evidence
from storage.models import Post
from tests.alerts.conftest import T0


def test_the_posts_of_an_opened_alert_are_kept_as_evidence(db, config, incident):
    incident("ev-fire", "橙", posts=2)
    evaluate_events(db, config, ["ev-fire"], T0)
    with db.session() as session:
        kept = evidence_post_ids(session)
        rows = session.scalars(select(Evidence)).all()
        raws = [session.get(Post, post_id).raw_text for post_id in sorted(kept)]
    assert len(kept) == 2 and {row.alert_id for row in rows} == {"A-ev-fire-1"}
    assert raws == ["<p>红梅新村楼道电瓶车着火</p>"] * 2


def test_a_purge_cannot_delete_an_evidence_post(db, config, incident):
    incident("ev-fire", "橙")
    evaluate_events(db, config, ["ev-fire"], T0)
    with pytest.raises(IntegrityError), db.session() as session:
        session.execute(delete(AlertPost))  # only the evidence mark is left holding the posts
        session.execute(delete(Post))
    with db.session() as session:
        session.execute(delete(Evidence))
        session.execute(delete(AlertPost))
        session.execute(delete(Post))  # once released, the same purge succeeds
