"""Who is on duty: day and overnight shifts in the configured timezone, dated shifts first, tiers upwards."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from alerts.roster import on_duty, operator
from config import ConfigError, config_from_mapping
from tests.alerts.conftest import CST, ROSTER, alerts_config


@pytest.mark.parametrize(("moment", "primary", "backup"), [
    (datetime(2026, 11, 23, 9, 0, tzinfo=CST), "值班员甲", "值班员乙"),       # Monday day shift
    (datetime(2026, 11, 23, 17, 30, tzinfo=CST), "值班员乙", "值班员甲"),     # the night shift starts
    (datetime(2026, 11, 24, 2, 0, tzinfo=CST), "值班员乙", "值班员甲"),       # Monday's night, after midnight
    (datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc), "值班员甲", "值班员乙"),  # 09:00 in Asia/Shanghai
])
def test_the_shift_covering_the_moment_gives_primary_and_backup(moment, primary, backup):
    duty = on_duty(alerts_config(), moment)
    assert (duty.primary.name, duty.backup.name, [p.name for p in duty.leaders]) == (primary, backup, ["领导丙"])


def test_a_dated_shift_overrides_the_weekday_shift_and_uncovered_time_goes_to_the_leaders():
    holiday = {"days": ["2026-11-23"], "start": "08:00", "end": "20:00", "primary": "值班员乙"}
    config = config_from_mapping({"roster": {**ROSTER, "shifts": [*ROSTER["shifts"], holiday]}})
    duty = on_duty(config, datetime(2026, 11, 23, 9, 0, tzinfo=CST))
    assert duty.primary.name == "值班员乙" and duty.backup is None
    assert [(step, [p.name for p in people]) for step, people in (duty.tier(0), duty.tier(1))] == [
        (0, ["值班员乙"]), (2, ["领导丙"])]  # no backup on that shift: the leaders come next
    weekend = on_duty(alerts_config(), datetime(2026, 11, 28, 12, 0, tzinfo=CST))  # Saturday: no shift
    assert weekend.primary is None and weekend.tier(0)[1][0].name == "领导丙"
    assert operator(config).name == "运维丁"


def test_roster_names_must_be_people_and_clock_times_must_be_valid():
    with pytest.raises(ConfigError, match="not among roster.people: 无名氏"):
        config_from_mapping({"roster": {**ROSTER, "leaders": ["无名氏"]}})
    with pytest.raises(ConfigError, match="8h30"):
        config_from_mapping({"roster": {**ROSTER, "shifts": [{"start": "8h30", "primary": "值班员甲"}]}})
