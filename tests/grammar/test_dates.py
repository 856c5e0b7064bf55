"""Date words relative to the climber's own today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from grammar.dates import DateError, local_today, take_date
from grammar.tokens import Cursor, tokenize

WEDNESDAY = date(2026, 3, 11)


def resolve(text: str, today: date = WEDNESDAY) -> tuple[date | None, int]:
    cursor = Cursor(tokenize(text))
    return take_date(cursor, today), cursor.pos


@pytest.mark.parametrize(
    ("text", "expected", "used"),
    [
        ("today", date(2026, 3, 11), 1),
        ("Yesterday", date(2026, 3, 10), 1),
        ("2026-02-28", date(2026, 2, 28), 1),
        ("2026-3-1", date(2026, 3, 1), 1),
        ("monday", date(2026, 3, 9), 1),
        ("Mon", date(2026, 3, 9), 1),
        ("wednesday", date(2026, 3, 11), 1),
        ("last wednesday", date(2026, 3, 4), 2),
        ("thursday", date(2026, 3, 5), 1),
        ("on sat", date(2026, 3, 7), 2),
        ("3 days ago", date(2026, 3, 8), 3),
        ("2 weeks ago", date(2026, 2, 25), 3),
        ("10d ago", date(2026, 3, 1), 2),
    ],
)
def test_date_words(text: str, expected: date, used: int) -> None:
    assert resolve(text) == (expected, used)


def test_not_a_date_takes_nothing() -> None:
    assert resolve("gym 90min") == (None, 0)
    assert resolve("3 days") == (None, 0)


def test_impossible_iso_date_is_an_error() -> None:
    with pytest.raises(DateError, match="2026-02-30 is not a calendar date"):
        resolve("2026-02-30")


def test_today_depends_on_the_timezone_across_midnight() -> None:
    instant = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)  # Thursday in UTC, Wednesday evening in LA
    assert local_today(instant, "UTC") == date(2026, 3, 12)
    assert local_today(instant, "America/Los_Angeles") == date(2026, 3, 11)
    assert local_today(instant, "Pacific/Auckland") == date(2026, 3, 12)
    assert local_today(instant, None) == date(2026, 3, 12)
    assert local_today(instant, "Not/AZone") == date(2026, 3, 12)
