"""Time zone names as climbers type them, and instants told in their zone."""

from __future__ import annotations

from datetime import date

import pytest

from core.zones import UnknownZone, label, local_date, shown_at, zone_named
from tests.clock import at


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Australia/Sydney", "Australia/Sydney"),
        ("europe/BERLIN", "Europe/Berlin"),
        ("  America/New York ", "America/New_York"),
        ("UTC", "Etc/UTC"),  # a chosen UTC, never mistaken for the old unchosen default
        ("utc", "Etc/UTC"),
        ("Etc/UTC", "Etc/UTC"),
    ],
)
def test_a_zone_is_stored_in_iana_spelling(typed: str, stored: str) -> None:
    assert zone_named(typed) == stored


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("Mars/Olympus", "'Mars/Olympus' is not a time zone I know; time zones are IANA"),
        ("Europe/Berln", "(did you mean Europe/Berlin?)"),
        ("sydney", "(did you mean Australia/Sydney?)"),
        ("", "'' is not a time zone I know"),
        ("../../etc/passwd", "is not a time zone I know"),
    ],
)
def test_anything_else_is_refused_with_the_nearest_zone(typed: str, hint: str) -> None:
    with pytest.raises(UnknownZone) as refused:
        zone_named(typed)
    assert hint in str(refused.value)


def test_the_climbers_date_and_time_are_read_in_their_zone() -> None:
    thursday_night_utc = at("2026-12-03T22:02:00")
    assert local_date(thursday_night_utc, "Australia/Sydney") == date(2026, 12, 4)
    assert local_date(thursday_night_utc, None) == date(2026, 12, 3)
    assert local_date(thursday_night_utc, "Not/AZone") == date(2026, 12, 3)
    monday = at("2026-12-07T00:00:00")
    assert shown_at(monday, "Australia/Sydney") == "Mon 7 Dec, 11:00 (Australia/Sydney)"
    assert shown_at(monday, "America/Los_Angeles") == "Sun 6 Dec, 16:00 (America/Los_Angeles)"
    assert shown_at(monday, None) == "Mon 7 Dec, 00:00 (UTC)"
    assert shown_at(monday, "Etc/UTC") == "Mon 7 Dec, 00:00 (UTC)"
    assert (label(None), label("Etc/UTC"), label("Asia/Kolkata")) == ("UTC", "UTC", "Asia/Kolkata")
