"""One daemon per database: the lock file is named after the SQLite file (PostgreSQL: its advisory lock alone),
a held lock refuses a second holder, and a probe sees whether it is held without ever stopping a daemon starting."""

from __future__ import annotations

import fcntl
import threading
import time

import pytest

from tests.scheduler.conftest import make_config
from yuqing.daemon.lock import (
    PG_LOCK_KEY,
    AlreadyRunning,
    DatabaseLock,
    InstanceLock,
    daemon_alive,
    file_lock_held,
    lock_path,
)


def test_the_lock_is_named_after_the_sqlite_file_beside_it(tmp_path):
    config = make_config()
    assert lock_path(config, f"sqlite:///{tmp_path}/data/yuqing.db") == tmp_path / "data" / "yuqing.db.run.lock"
    assert lock_path(config, f"sqlite:///{tmp_path}/a.db") != lock_path(config, f"sqlite:///{tmp_path}/b.db")


def test_postgresql_has_no_lock_file_unless_one_is_configured():
    assert lock_path(make_config(), "postgresql+psycopg://u@h/db") is None
    configured = make_config(lock_file="/run/yq.lock")
    assert str(lock_path(configured, "postgresql+psycopg://u@h/db")) == "/run/yq.lock"
    assert str(lock_path(configured, "sqlite:///x.db")) == "/run/yq.lock"


def test_daemons_on_two_sqlite_files_in_one_folder_do_not_refuse_each_other(tmp_path):
    config = make_config()
    first = InstanceLock(lock_path(config, f"sqlite:///{tmp_path}/a.db"))
    second = InstanceLock(lock_path(config, f"sqlite:///{tmp_path}/b.db"))
    first.acquire()
    second.acquire()
    second.release()
    first.release()


def test_without_a_lock_file_the_instance_lock_is_nothing(tmp_path):
    lock = InstanceLock(None)
    lock.acquire()
    lock.release()
    assert list(tmp_path.iterdir()) == []


def test_a_held_lock_refuses_a_second_holder_until_released(tmp_path):
    first, second = InstanceLock(tmp_path / "run.lock"), InstanceLock(tmp_path / "run.lock", grace_seconds=0.2)
    first.acquire()
    with pytest.raises(AlreadyRunning, match="另一个 yuqing run 已在运行") as refused:
        second.acquire()
    assert "Another `yuqing run` is already running" in str(refused.value)
    first.release()
    second.acquire()
    second.release()


def test_the_file_probe_tells_held_from_free_and_never_creates_the_file(tmp_path):
    path = tmp_path / "yuqing.db.run.lock"
    assert file_lock_held(path) is None and not path.exists()  # no daemon ever ran here: cannot tell
    lock = InstanceLock(path)
    lock.acquire()
    assert file_lock_held(path) is True
    assert file_lock_held(path) is True  # probes do not disturb each other
    lock.release()
    assert file_lock_held(path) is False


def _hold_briefly(take, drop, seconds: float) -> threading.Thread:
    taken = threading.Event()

    def hold() -> None:
        take()
        taken.set()
        time.sleep(seconds)
        drop()

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait(5)
    return thread


def test_a_daemon_starting_during_a_probe_waits_it_out(tmp_path):
    path = tmp_path / "run.lock"
    path.touch()
    probe = open(path, encoding="utf-8")  # a probe that is slow to let go: shared lock for 0.3 s
    thread = _hold_briefly(lambda: fcntl.flock(probe, fcntl.LOCK_SH), lambda: fcntl.flock(probe, fcntl.LOCK_UN), 0.3)
    with pytest.raises(AlreadyRunning):
        InstanceLock(path, grace_seconds=0).acquire()  # without the grace, the probe would have refused it
    daemon = InstanceLock(path)
    daemon.acquire()
    thread.join()
    probe.close()
    daemon.release()


@pytest.mark.postgres
def test_on_postgresql_the_probe_sees_the_advisory_lock_and_a_starting_daemon_waits_it_out(pg_url):
    from sqlalchemy import text

    from storage import Database

    db, config = Database(pg_url), make_config()
    try:
        assert daemon_alive(config, db) is False
        daemon = DatabaseLock(db)
        daemon.acquire()
        assert daemon_alive(config, db) is True
        with pytest.raises(AlreadyRunning, match="advisory lock"):
            DatabaseLock(db, grace_seconds=0.2).acquire()
        daemon.release()
        assert daemon_alive(config, db) is False

        probe = db.engine.connect()  # a probe that is slow to let go: shared lock for 0.3 s
        sql = "SELECT pg_advisory_{}_shared(:key)"
        thread = _hold_briefly(lambda: probe.execute(text(sql.format("lock")), {"key": PG_LOCK_KEY}),
                               lambda: probe.execute(text(sql.format("unlock")), {"key": PG_LOCK_KEY}), 0.3)
        starting = DatabaseLock(db)
        starting.acquire()
        thread.join()
        probe.close()
        starting.release()
    finally:
        db.dispose()
