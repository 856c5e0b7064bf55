"""The user: who they are, what they pay for, and how they like things shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from core.zones import UnknownZone, zone_named
from store.grades import GradeSystem
from store.records.base import Record
from store.records.common import Stored, UtcDateTime, new_id


class Tier(StrEnum):
    FREE = "free"
    PRO = "pro"
    PREMIUM = "premium"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Units(StrEnum):
    METRIC = "metric"
    IMPERIAL = "imperial"


class CoachTone(StrEnum):
    SUPPORTIVE = "supportive"
    DIRECT = "direct"
    TECHNICAL = "technical"


_BOULDER_SYSTEMS = frozenset({GradeSystem.V, GradeSystem.FONT})

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is proven by the
# identity provider, not by a regular expression.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


def normalise_email(value: str) -> str:
    """`value` trimmed and lower-cased; raises `ValueError` unless it looks like an address."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email.split("@")[1]:
        raise ValueError("is not a valid email address")
    return email


Email = Annotated[str, AfterValidator(normalise_email)]


def _timezone(value: str) -> str:
    try:
        return zone_named(value)
    except UnknownZone as error:
        raise ValueError(str(error)) from None


TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_timezone)]
"""An IANA time zone name, any case in, IANA's spelling out (a chosen UTC is `Etc/UTC`)."""


def _boulder_system(value: GradeSystem) -> GradeSystem:
    if value not in _BOULDER_SYSTEMS:
        raise ValueError("must be a boulder grade system: v or font")
    return value


def _route_system(value: GradeSystem) -> GradeSystem:
    if value in _BOULDER_SYSTEMS:
        raise ValueError("must be a route grade system (yds, french, uiaa, ewbank, …)")
    return value


class Subscription(Record):
    tier: Tier = Tier.FREE
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE
    expires_at: UtcDateTime | None = None
    provider: Annotated[str, Field(max_length=100)] | None = None


class Preferences(Record):
    units: Units = Units.METRIC
    boulder_grade_system: Annotated[GradeSystem, AfterValidator(_boulder_system)] = GradeSystem.V
    route_grade_system: Annotated[GradeSystem, AfterValidator(_route_system)] = GradeSystem.YDS
    timezone: TimeZoneName | None = None
    """The climber's IANA time zone; None until they (or their browser) set one, read as UTC
    wherever a zone is needed. Every date the climber gives or is shown is in this zone."""
    coach_tone: CoachTone | None = None
    email_reports: bool = False
    reminders: bool = False
    """Opt-in: an email the morning after a planned training day with nothing logged for it."""


class UserIn(Record):
    """What the user may set about themselves. The subscription is not here: only billing or an
    operator (`v7 users set-tier`) changes it, through the repository."""

    email: Email
    name: Annotated[str, Field(max_length=200)] = ""
    preferences: Preferences = Field(default_factory=Preferences)


class User(UserIn, Stored):
    id: Annotated[str, Field(min_length=1, max_length=128)] = Field(default_factory=new_id)
    created_at: UtcDateTime
    updated_at: UtcDateTime
    subscription: Subscription = Field(default_factory=Subscription)

    def effective_tier(self, now: datetime) -> Tier:
        """The tier the user gets at `now`: their subscription's while it is active or trialing
        and not past its expiry, otherwise free."""
        sub = self.subscription
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        if sub.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
            return Tier.FREE
        if sub.expires_at is not None and now >= sub.expires_at:
            return Tier.FREE
        return sub.tier
