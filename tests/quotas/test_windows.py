from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from quotas.windows import iso_week_window, month_window
from tests.clock import at


def test_month_runs_from_its_first_instant_to_the_next_months() -> None:
    window = month_window(at("2026-11-30T23:59:59.999999"))
    assert window.key == "2026-11"
    assert window.start == at("2026-11-01T00:00:00")
    assert window.resets_at == at("2026-12-01T00:00:00")
    assert month_window(window.resets_at).key == "2026-12"


def test_december_resets_on_new_year() -> None:
    window = month_window(at("2026-12-31T12:00:00"))
    assert (window.key, window.resets_at) == ("2026-12", at("2027-01-01T00:00:00"))
    assert month_window(at("2027-01-01T00:00:00")).key == "2027-01"


def test_month_is_the_utc_month_not_the_local_one() -> None:
    # 20:00 on 30 Nov in UTC-5 is already 1 Dec in UTC.
    local = datetime(2026, 11, 30, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert month_window(local).key == "2026-12"


def test_iso_week_of_2025_12_29_is_2026_w01() -> None:
    window = iso_week_window(at("2025-12-29T00:00:00"))
    assert window.key == "2026-W01"
    assert window.start == at("2025-12-29T00:00:00")
    assert window.resets_at == at("2026-01-05T00:00:00")
    assert (window.first_day.isoformat(), window.last_day.isoformat()) == (
        "2025-12-29",
        "2026-01-04",
    )
    # The Sunday before belongs to the last week of 2025.
    assert iso_week_window(at("2025-12-28T23:59:59")).key == "2025-W52"


def test_iso_week_of_2027_01_01_is_2026_w53() -> None:
    window = iso_week_window(at("2027-01-01T08:00:00"))
    assert window.key == "2026-W53"
    assert window.start == at("2026-12-28T00:00:00")
    assert window.resets_at == at("2027-01-04T00:00:00")
    assert iso_week_window(window.resets_at).key == "2027-W01"


def test_week_resets_at_monday_midnight_utc() -> None:
    sunday_night = iso_week_window(at("2026-11-22T23:59:59"))
    monday = iso_week_window(at("2026-11-23T00:00:00"))
    assert sunday_night.key == "2026-W47"
    assert sunday_night.resets_at == monday.start == at("2026-11-23T00:00:00")
    assert monday.key == "2026-W48"


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        month_window(datetime(2026, 11, 1))
    assert iso_week_window(datetime(2026, 11, 1, tzinfo=UTC)).key == "2026-W44"
