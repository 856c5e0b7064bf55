"""What a tier includes beyond its quotas (`tiers.toml`), checked in one place per feature.

Every caller (a REST route, a chat command) asks here rather than reading the policy itself, so
a feature is refused with the same code and the same words wherever it is asked for.
"""

from __future__ import annotations

from typing import Literal

from core.errors import TierRequired
from quotas.policy import Policy

PlanGeneration = Literal["none", "standard", "custom"]
PLAN_GENERATION: tuple[PlanGeneration, ...] = ("none", "standard", "custom")
"""The levels of `plan_generation`, each including the ones before it."""

GENERATED_PLANS = "plan_generation"
CUSTOM_PLANS = "custom_plans"
"""The feature names a `TierRequired` carries: a generated periodised plan, and one generated
with the climber's own choices (days, phase lengths, emphasis)."""


def lowest_tier_with(policy: Policy, level: PlanGeneration) -> str | None:
    """The first tier of the policy (free, pro, premium in `tiers.toml`'s order) whose plan
    generation includes `level`; None when no tier does."""
    wanted = PLAN_GENERATION.index(level)
    for name, tier in policy.tiers.items():
        if PLAN_GENERATION.index(tier.plan_generation) >= wanted:
            return name
    return None


def require_plan_generation(policy: Policy, tier: str, *, custom: bool) -> None:
    """Return if `tier` may generate a training plan (a customised one when `custom`); else
    raise `TierRequired` naming the lowest tier that may and what it adds. Writing a plan by
    hand needs no tier, so no caller asks for that. Raises `UnknownTier` for a tier the policy
    lacks."""
    has = policy.tier(tier).plan_generation
    needed: PlanGeneration = "custom" if custom else "standard"
    if PLAN_GENERATION.index(has) >= PLAN_GENERATION.index(needed):
        return
    standard = _shown(lowest_tier_with(policy, "standard"))
    customising = lowest_tier_with(policy, "custom")
    generated = (
        f"Generated training plans come with {standard}: a periodised plan built from your "
        "own log, with phases, deload weeks, each day's exercises and why."
    )
    customised = (
        f"{_shown(customising)} adds custom plans: your own training days, phase lengths and "
        "an emphasis such as fingers or endurance."
    )
    by_hand = f"On {_shown(tier)} you can still write a training plan of your own."
    if not custom:
        raise TierRequired(
            f"{generated} {customised} {by_hand}",
            feature=GENERATED_PLANS,
            tier=lowest_tier_with(policy, "standard"),
        )
    if has == "standard":
        # They may generate, just not customise: say so, rather than the whole upsell.
        message = (
            f"Custom plans (your own training days, phase lengths and emphasis) come with "
            f"{_shown(customising)}. On {_shown(tier)} you can generate the standard plan: ask "
            "again without the customisation."
        )
    else:
        message = f"{customised} {generated} {by_hand}"
    raise TierRequired(message, feature=CUSTOM_PLANS, tier=customising)


def _shown(tier: str | None) -> str:
    return tier.capitalize() if tier else "no tier yet"


EMAIL_REPORTS = "email_reports"
"""The feature name of the weekly email report."""


def has_email_reports(policy: Policy, tier: str) -> bool:
    """Whether `tier` includes the weekly email report (`email_reports` in `tiers.toml`). A
    job asks, not a climber, so there is no refusal to word: without it nothing is sent.
    Raises `UnknownTier` for a tier the policy lacks."""
    return policy.tier(tier).email_reports


MEDIA_STORAGE = "media_storage"
"""The feature name a `TierRequired` carries for photo and video uploads."""

BYTES_PER_GB = 1_000_000_000
"""`media_storage_gb` is in decimal gigabytes (10^9 bytes), as storage is sold."""


def media_limit_bytes(policy: Policy, tier: str) -> int | None:
    """The bytes of photos and videos `tier` may store; None when it may store none."""
    gigabytes = policy.tier(tier).media_storage_gb
    return gigabytes * BYTES_PER_GB if gigabytes > 0 else None


def require_media_storage(policy: Policy, tier: str) -> int:
    """The bytes `tier` may store; raises `TierRequired` naming the lowest tier with media
    storage when it may store none. Raises `UnknownTier` for a tier the policy lacks."""
    limit = media_limit_bytes(policy, tier)
    if limit is not None:
        return limit
    lowest = next(
        (name for name, policy_tier in policy.tiers.items() if policy_tier.media_storage_gb > 0),
        None,
    )
    offer = (
        f"{_shown(lowest)} includes {policy.tier(lowest).media_storage_gb} GB"
        if lowest
        else "No plan includes storage yet"
    )
    raise TierRequired(
        f"Photos and videos of your sessions and sends come with {_shown(lowest)}: {offer} "
        f"of storage. On {_shown(tier)} you can still log everything in words.",
        feature=MEDIA_STORAGE,
        tier=lowest,
    )


def email_reports_tier(policy: Policy) -> str | None:
    """The first tier of the policy (in `tiers.toml`'s order) that includes the weekly email
    report, so a climber without it is told which tier to move to; None when no tier does."""
    return next((name for name, tier in policy.tiers.items() if tier.email_reports), None)


API_ACCESS = "api_access"
"""The feature name a `TierRequired` carries for personal API tokens."""


def has_api_access(policy: Policy, tier: str) -> bool:
    """Whether `tier` includes personal API tokens (`api_access` in `tiers.toml`). Raises
    `UnknownTier` for a tier the policy lacks."""
    return policy.tier(tier).api_access


def api_access_tier(policy: Policy) -> str | None:
    """The first tier of the policy (in `tiers.toml`'s order) with API access; None if none."""
    return next((name for name, tier in policy.tiers.items() if tier.api_access), None)


def api_access_offer(policy: Policy) -> str:
    """What the tier with API access adds, in the words a climber reads before upgrading."""
    return (
        f"API access comes with {_shown(api_access_tier(policy))}: personal tokens that let "
        "your own scripts and apps read your log (and, with the write scope, add to it) over "
        "the REST API."
    )


def require_api_access(policy: Policy, tier: str) -> None:
    """Return if `tier` may create and use personal API tokens; else raise `TierRequired`
    naming the lowest tier that may. Checked when a token is created and on every call made
    with one, so a downgrade refuses existing tokens at once (they are kept, not deleted, and
    work again after an upgrade). Raises `UnknownTier` for a tier the policy lacks."""
    if has_api_access(policy, tier):
        return
    raise TierRequired(
        f"{api_access_offer(policy)} On {_shown(tier)} your data is still yours: export it "
        "any time from your profile.",
        feature=API_ACCESS,
        tier=api_access_tier(policy),
    )


ADVANCED_ANALYTICS = "advanced_analytics"
"""The feature name a `TierRequired` carries for an analytic the tier does not show."""

ADVANCED_PARTS: tuple[str, ...] = (
    "week-over-week trends",
    "acute:chronic load",
    "monotony and strain",
    "finger load",
    "the 1-year period",
)
"""What advanced analytics add to the basic view, in words (the figures themselves are taken
out by `coaching.analytics.levels`)."""


def has_advanced_analytics(policy: Policy, tier: str) -> bool:
    """Whether `tier` is shown advanced analytics (`analytics = "advanced"` in `tiers.toml`).
    Raises `UnknownTier` for a tier the policy lacks."""
    return policy.tier(tier).analytics == "advanced"


def advanced_analytics_tier(policy: Policy) -> str | None:
    """The first tier of the policy (in `tiers.toml`'s order) with advanced analytics."""
    return next((name for name, tier in policy.tiers.items() if tier.analytics == "advanced"), None)


def advanced_analytics_offer(policy: Policy) -> str:
    """One sentence: which tier adds what to the basic view ("Pro adds …")."""
    parts = ", ".join(ADVANCED_PARTS[:-1]) + f" and {ADVANCED_PARTS[-1]}"
    lowest = advanced_analytics_tier(policy)
    if lowest is None:
        return f"No plan includes advanced analytics ({parts}) yet."
    return f"{_shown(lowest)} adds {parts}."


def require_advanced_analytics(policy: Policy, tier: str, asked: str) -> None:
    """Return if `tier` is shown advanced analytics; else raise `TierRequired` saying that
    `asked` (e.g. "the 1-year period") is advanced, which tier adds it and what the climber
    still has. Raises `UnknownTier` for a tier the policy lacks."""
    if has_advanced_analytics(policy, tier):
        return
    lowest = advanced_analytics_tier(policy)
    raise TierRequired(
        f"{asked[:1].upper()}{asked[1:]} come with {_shown(lowest)}. "
        f"{advanced_analytics_offer(policy)} On {_shown(tier)} you have the basic analytics "
        "of the last 30 and 90 days: totals, grades, pyramids, weekly load, soreness, "
        "injuries, goals, nutrition and your plan.",
        feature=ADVANCED_ANALYTICS,
        tier=lowest,
    )
