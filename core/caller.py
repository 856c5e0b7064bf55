"""Who is asking: the verified caller every layer serves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """The verified user behind a socket or request. The id comes from the token only."""

    user_id: str
    email: str | None = None
    tier: str = "free"
    timezone: str | None = None
    """The climber's IANA time zone as last read with their account; None while they have not
    set one (read as UTC). What "today" means for them, and the zone times are told in."""
