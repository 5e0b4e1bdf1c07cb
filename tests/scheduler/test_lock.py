"""One daemon per database: the lock file sits beside the SQLite file, and a held lock refuses a second holder."""

from __future__ import annotations

import pytest

from tests.scheduler.conftest import make_config
from yuqing.daemon.lock import AlreadyRunning, InstanceLock, lock_path


def test_the_lock_sits_beside_the_sqlite_file_or_under_var(tmp_path):
    config = make_config()
    assert lock_path(config, f"sqlite:///{tmp_path}/data/yuqing.db") == tmp_path / "data" / "yuqing-run.lock"
    assert str(lock_path(config, "postgresql+psycopg://u@h/db")) == "var/yuqing-run.lock"
    assert str(lock_path(make_config(lock_file="/run/yq.lock"), "sqlite:///x.db")) == "/run/yq.lock"


def test_a_held_lock_refuses_a_second_holder_until_released(tmp_path):
    first, second = InstanceLock(tmp_path / "run.lock"), InstanceLock(tmp_path / "run.lock")
    first.acquire()
    with pytest.raises(AlreadyRunning, match="另一个 yuqing run 已在运行") as refused:
        second.acquire()
    assert "Another `yuqing run` is already running" in str(refused.value)
    first.release()
    second.acquire()
    second.release()
