"""The analytics a climber is shown, by their tier: the one check every reader goes through.

REST (`/analytics/*`), `/stats` and the coach's context all read analytics here (the coach via
the `shown` function the composition root hands to `context.assembly.CoachContext`), so a
figure a tier does not include is withheld, and a period or view it does not include refused,
with the same words everywhere. What each tier includes is `quotas.features`'s
(`analytics` in `tiers.toml`); which figures are advanced is `coaching.analytics.levels`'s.
"""

from __future__ import annotations

from datetime import date

from coaching.analytics import ClimberAnalytics, Period
from coaching.analytics.levels import Withheld, basic_view
from context.reads import assemble
from core.caller import Caller
from quotas.features import (
    ADVANCED_PARTS,
    advanced_analytics_offer,
    advanced_analytics_tier,
    has_advanced_analytics,
    require_advanced_analytics,
)
from quotas.policy import Policy
from store.table import Table

YEAR_ASKED = "analytics of the 1-year period"
TRENDS_ASKED = "week-over-week trends"


def shown(policy: Policy, tier: str, analytics: ClimberAnalytics) -> ClimberAnalytics:
    """`analytics` as `tier` is shown it: whole, or the basic view saying what the lowest tier
    with advanced analytics adds. Pure."""
    if has_advanced_analytics(policy, tier):
        return analytics
    withheld = Withheld(
        parts=list(ADVANCED_PARTS),
        message=advanced_analytics_offer(policy),
        tier=advanced_analytics_tier(policy),
    )
    return basic_view(analytics, withheld)


def require_period(policy: Policy, tier: str, period: Period) -> None:
    """Raise `core.errors.TierRequired` when `tier` may not see `period` (the year is
    advanced)."""
    if period is Period.YEAR:
        require_advanced_analytics(policy, tier, YEAR_ASKED)


def require_trends(policy: Policy, tier: str) -> None:
    """Raise `core.errors.TierRequired` when `tier` is not shown week-over-week trends."""
    require_advanced_analytics(policy, tier, TRENDS_ASKED)


async def analytics_for(
    table: Table, policy: Policy, caller: Caller, period: Period, today: date
) -> ClimberAnalytics:
    """The caller's analytics of `period` ending `today` (their local date) as their tier shows
    them. Raises `TierRequired` before reading anything for a period the tier lacks."""
    require_period(policy, caller.tier, period)
    analytics = await assemble(table, caller.user_id, period, today, caller.timezone)
    return shown(policy, caller.tier, analytics)
