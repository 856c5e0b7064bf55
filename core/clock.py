"""The one source of "now".

The composition root (`server.app.create_app`, the CLI) creates one `Clock` and hands it to
every part that needs the time: the store stamps records with it, quotas pick their windows
with it, commands resolve "today" with it, tokens are minted and checked with it. Nothing
below the root reads the wall clock itself, so a test that fixes the clock fixes it for
everything, and a process under `faketime` is consistent with itself.

Durations (timeouts, backoff, rate limits) use monotonic clocks or Redis `TIME`; they measure
intervals, not instants, and are not this clock's business.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current instant, timezone-aware UTC."""


def system_clock() -> datetime:
    """The machine's wall clock, UTC."""
    return datetime.now(UTC)


def epoch_seconds(clock: Clock) -> Callable[[], float]:
    """`clock` as Unix seconds, for the parts that speak in them (JWT `exp`/`iat`)."""
    return lambda: clock().timestamp()
