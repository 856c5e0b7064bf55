"""Features a tier includes (`quotas/tiers.toml`), checked where a climber asks for them.

A feature check raises `core.errors.TierRequired` (wire code `tier_required`) whose message says
which tier adds the feature and what it gives, so the climber knows what upgrading changes.
"""

from __future__ import annotations

from core.errors import TierRequired
from quotas.policy import Policy

PRO_PLANS = (
    "Training plans come with Pro: a periodised plan generated from your own log (your grades, "
    "load, goal date, training days and open injuries), each day with its exercises and why."
)
PREMIUM_PLANS = (
    "Custom plans come with Premium: choose the days, the length of each phase and an emphasis "
    "(fingers, power, endurance or technique). Pro plans use your profile's training days."
)


def require_plan_generation(policy: Policy, tier: str, *, custom: bool = False) -> None:
    """Pass when `tier` may generate a training plan (`custom`: one with the climber's own
    choices); raise `TierRequired` otherwise. An unknown tier reads as free."""
    allowed = policy.tiers.get(tier, policy.tier("free")).plan_generation
    if allowed == "none":
        raise TierRequired(PRO_PLANS)
    if custom and allowed != "custom":
        raise TierRequired(PREMIUM_PLANS)
