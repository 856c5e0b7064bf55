"""When a job runs, as one value read two ways: `next_after(now)` for the in-process scheduler
(`server.jobs.scheduler`) and `expression()` for EventBridge Scheduler in AWS (the Pulumi
program declares one schedule per registered job with it). Both read UTC: jobs decide per user,
in the climber's own time zone, whether anything is due (`UserJob.period`), so a job that must
happen at a climber's local hour runs hourly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EVENTBRIDGE_MIN_RATE_S = 60
"""EventBridge's `rate()` counts whole minutes."""


@dataclass(frozen=True)
class Hourly:
    """Every hour at `minute` past, UTC."""

    minute: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.minute < 60:
            raise ValueError("minute must be 0..59")

    def next_after(self, now: datetime) -> datetime:
        """The first run strictly after `now`."""
        start = now.astimezone(UTC).replace(minute=self.minute, second=0, microsecond=0)
        return start if start > now else start + timedelta(hours=1)

    def expression(self) -> str:
        return f"cron({self.minute} * * * ? *)"

    def __str__(self) -> str:
        return f"hourly at :{self.minute:02d} UTC"


@dataclass(frozen=True)
class Every:
    """Every `seconds`, on multiples of it since the Unix epoch (so every process agrees on
    the instants, and a restart does not shift them). Fractions of a second are for tests
    that must not wait (an in-process job only; EventBridge counts minutes)."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError("seconds must be above 0")

    def next_after(self, now: datetime) -> datetime:
        stamp = now.timestamp()
        slots = int(stamp // self.seconds) + 1
        return datetime.fromtimestamp(slots * self.seconds, UTC)

    def expression(self) -> str:
        """EventBridge's `rate(…)`; raises `ValueError` for a rate it cannot express."""
        if self.seconds % EVENTBRIDGE_MIN_RATE_S:
            raise ValueError("EventBridge rates are whole minutes")
        minutes = int(self.seconds // EVENTBRIDGE_MIN_RATE_S)
        for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
            if minutes % size == 0:
                count = minutes // size
                return f"rate({count} {unit}{'' if count == 1 else 's'})"
        raise AssertionError("unreachable: every minute count divides by 1")

    def __str__(self) -> str:
        return f"every {self.seconds:g} s"


Schedule = Hourly | Every
