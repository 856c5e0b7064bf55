"""The plan-generation gate (`quotas.features`) over the packaged tier policy."""

from __future__ import annotations

import pytest

from core.errors import TierRequired
from quotas import load_policy
from quotas.errors import UnknownTier
from quotas.features import CUSTOM_PLANS, GENERATED_PLANS, require_plan_generation

POLICY = load_policy()


def refusal(tier: str, *, custom: bool) -> TierRequired:
    with pytest.raises(TierRequired) as refused:
        require_plan_generation(POLICY, tier, custom=custom)
    return refused.value


def test_free_generates_nothing_and_is_told_what_pro_and_premium_add() -> None:
    standard = refusal("free", custom=False)
    assert (standard.code, standard.feature, standard.tier) == (
        "tier_required",
        GENERATED_PLANS,
        "pro",
    )
    assert "Generated training plans come with Pro" in standard.message
    assert "Premium adds custom plans" in standard.message
    assert "write a training plan of your own" in standard.message

    custom = refusal("free", custom=True)
    assert (custom.feature, custom.tier) == (CUSTOM_PLANS, "premium")
    assert "Premium adds custom plans" in custom.message


def test_pro_generates_the_standard_plan_but_not_a_custom_one() -> None:
    require_plan_generation(POLICY, "pro", custom=False)
    refused = refusal("pro", custom=True)
    assert (refused.feature, refused.tier) == (CUSTOM_PLANS, "premium")
    assert refused.message.startswith("Custom plans (your own training days")
    assert "come with Premium" in refused.message
    assert "without the customisation" in refused.message


def test_premium_generates_and_customises() -> None:
    require_plan_generation(POLICY, "premium", custom=False)
    require_plan_generation(POLICY, "premium", custom=True)


def test_a_tier_the_policy_lacks_is_an_error_not_a_feature() -> None:
    with pytest.raises(UnknownTier):
        require_plan_generation(POLICY, "platinum", custom=False)
