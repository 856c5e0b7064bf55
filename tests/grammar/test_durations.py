"""Every spelling of a duration the brief lists gives the same minutes."""

from __future__ import annotations

import pytest

from grammar.durations import take_duration
from grammar.tokens import Cursor, tokenize


def minutes(text: str, *, bare: bool = True) -> tuple[int | None, int]:
    cursor = Cursor(tokenize(text))
    return take_duration(cursor, bare_minutes=bare), cursor.pos


@pytest.mark.parametrize(
    "text",
    [
        "90min",
        "90m",
        "90mins",
        "90 min",
        "90 minutes",
        "1h30",
        "1h30m",
        "1h30min",
        "1h 30m",
        "1h 30",
        "1 hour 30 minutes",
        "1.5h",
        "1.5hrs",
        "1,5h",
        "1.5 hours",
        "1:30",
        "90",
        "90MIN",
        "1H30",
    ],
)
def test_ninety_minutes_however_written(text: str) -> None:
    assert minutes(text) == (90, len(text.split()))


@pytest.mark.parametrize(("text", "expected"), [("2 hours", 120), ("3h", 180), ("45", 45)])
def test_other_durations(text: str, expected: int) -> None:
    assert minutes(text)[0] == expected


def test_a_duration_stops_before_what_follows() -> None:
    assert minutes("2h rpe 7") == (120, 1)
    assert minutes("2h 3 days ago") == (120, 1)


def test_bare_numbers_only_when_allowed_and_words_are_not_durations() -> None:
    assert minutes("45", bare=False) == (None, 0)
    assert minutes("gym") == (None, 0)
    assert minutes("V5") == (None, 0)
