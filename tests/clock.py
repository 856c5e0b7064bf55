"""The tests' clock: one settable instant that every part under test reads.

A test that fixes the time hands the same `FrozenClock` to everything it builds (the table,
the quotas, the chat handler, the coach), so nothing in the test mixes a fixed day with the day
the suite happens to run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FrozenClock:
    """A clock that stands still until moved (`now` may be set directly)."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("a test clock needs a timezone-aware instant")
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def at(text: str) -> datetime:
    """An ISO instant without an offset, read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
