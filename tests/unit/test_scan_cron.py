"""SCAN_CRON is read as a crontab line: weekday 0 or 7 is Sunday and 1-5 is Monday to Friday
(APScheduler 3's own from_crontab would shift every weekday by one)."""

from datetime import UTC, datetime

import pytest

from tracker.scheduler import crontab_trigger


def fire_times(line: str, after: datetime, n: int) -> list[str]:
    trigger, times, previous = crontab_trigger(line), [], None
    for _ in range(n):
        previous = trigger.get_next_fire_time(previous, previous or after)
        times.append(previous.strftime("%a %d %H:%M"))
    return times


MONDAY = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("0 6 * * *", ["Mon 03 06:00", "Tue 04 06:00", "Wed 05 06:00"]),
        (
            "30 5 * * 1-5",
            ["Mon 03 05:30", "Tue 04 05:30", "Wed 05 05:30", "Thu 06 05:30", "Fri 07 05:30", "Mon 10 05:30"],
        ),
        ("0 7 * * 0", ["Sun 09 07:00", "Sun 16 07:00"]),
        ("0 7 * * 7", ["Sun 09 07:00", "Sun 16 07:00"]),
        ("0 7 * * 5-7", ["Fri 07 07:00", "Sat 08 07:00", "Sun 09 07:00", "Fri 14 07:00"]),
        ("0 7 * * */2", ["Tue 04 07:00", "Thu 06 07:00", "Sat 08 07:00", "Sun 09 07:00"]),
        ("0 7 * * mon,thu", ["Mon 03 07:00", "Thu 06 07:00", "Mon 10 07:00"]),
        ("*/15 6 * * 1", ["Mon 03 06:00", "Mon 03 06:15", "Mon 03 06:30"]),
    ],
)
def test_scan_cron_fires_on_the_days_a_crontab_line_means(line, expected):
    assert fire_times(line, MONDAY, len(expected)) == expected


@pytest.mark.parametrize(
    "line", ["0 6 * *", "0 6 * * * *", "0 6 * * 8", "0 6 * * 5-1", "0 6 * * */0", "61 6 * * *", "x y z"]
)
def test_a_malformed_scan_cron_is_refused(line):
    with pytest.raises(ValueError):
        crontab_trigger(line)
