from __future__ import annotations

from pathlib import Path

import pytest

from quotas.errors import PolicyError, UnknownTier
from quotas.policy import load_policy

PACKAGED = Path(__file__).parents[2] / "quotas" / "tiers.toml"


def test_packaged_policy_is_the_seeds_tiers() -> None:
    policy = load_policy()
    free, pro, premium = (policy.tier(name) for name in ("free", "pro", "premium"))
    assert (free.journal_limit, free.ai_limit) == (3, 10)
    assert (pro.journal_limit, pro.ai_limit) == (None, 100)
    assert (premium.journal_limit, premium.ai_limit) == (None, None)
    assert [t.plan_generation for t in (free, pro, premium)] == ["none", "standard", "custom"]
    assert [t.media_storage_gb for t in (free, pro, premium)] == [0, 5, 20]
    assert [t.email_reports for t in (free, pro, premium)] == [False, True, True]
    assert [t.api_access for t in (free, pro, premium)] == [False, False, True]
    assert [t.analytics for t in (free, pro, premium)] == ["basic", "advanced", "advanced"]
    for tier in (free, pro, premium):
        assert tier.degraded_ai_messages_per_hour > 0
        assert tier.rate_limits.rest_calls.per_minute >= tier.rate_limits.ai_messages.per_minute


def test_unknown_tier_is_an_error() -> None:
    with pytest.raises(UnknownTier):
        load_policy().tier("platinum")


def test_bad_value_fails_loudly_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "tiers.toml"
    text = PACKAGED.read_text().replace(
        "ai_messages = { per_minute = 10", "ai_messages = { per_minute = 0"
    )
    bad.write_text(text)
    with pytest.raises(PolicyError, match=r"pro\.rate_limits\.ai_messages\.per_minute"):
        load_policy(bad)


def test_negative_quota_and_unknown_field_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tiers.toml"
    text = PACKAGED.read_text().replace(
        "ai_messages_per_month = 10\n", "ai_messages_per_month = -1\n"
    )
    bad.write_text(text.replace("email_reports = true", "email_report = true", 1))
    with pytest.raises(PolicyError) as caught:
        load_policy(bad)
    message = str(caught.value)
    assert "free.ai_messages_per_month" in message
    assert "pro.email_report" in message


def test_unreadable_toml_and_missing_free_tier(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[free\n")
    with pytest.raises(PolicyError, match=r"broken\.toml"):
        load_policy(broken)
    no_free = tmp_path / "nofree.toml"
    no_free.write_text(
        PACKAGED.read_text().replace("[free]", "[basic]").replace("[free.", "[basic.")
    )
    with pytest.raises(PolicyError, match="'free'"):
        load_policy(no_free)


def test_an_unknown_analytics_level_fails_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "tiers.toml"
    text = PACKAGED.read_text()
    bad.write_text(text.replace('analytics = "advanced"', 'analytics = "deluxe"', 1))
    with pytest.raises(PolicyError, match=r"pro\.analytics: Input should be 'basic' or 'advanced'"):
        load_policy(bad)


def test_model_fields_take_a_url_or_default_and_old_files_still_load(tmp_path: Path) -> None:
    older = tmp_path / "tiers.toml"
    text = PACKAGED.read_text().replace('quick_model = "default"\n', "")
    older.write_text(text.replace("api_access = true", "api_access = true\npriority_model = true"))
    premium = load_policy(older).tier("premium")
    assert (premium.model, premium.quick_model, premium.model_urls) == ("default", "default", {})
    bad = tmp_path / "bad.toml"
    bad.write_text(
        PACKAGED.read_text().replace('quick_model = "default"', 'quick_model = "haiku"', 1)
    )
    with pytest.raises(PolicyError, match=r"free\.quick_model: Value error, must be \"default\""):
        load_policy(bad)
