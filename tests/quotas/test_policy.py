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


NAMED = {"default": "analyst://", "strong": "scripted://?name=s", "quick": "scripted://?name=q"}
"""What a server's settings could make of the names (`Settings.named_models`)."""


def test_the_shipped_tiers_name_their_models_and_premium_coaches_with_the_strong_one() -> None:
    policy = load_policy()
    chosen = {name: (tier.model, tier.quick_model) for name, tier in policy.tiers.items()}
    assert chosen == {
        "free": ("default", "quick"),
        "pro": ("default", "quick"),
        "premium": ("strong", "quick"),
    }
    assert all(not tier.own_model_urls for tier in policy.tiers.values())  # no region tie
    assert policy.tier("premium").model_urls(NAMED) == {
        "model": "scripted://?name=s",
        "quick_model": "scripted://?name=q",
    }
    assert policy.tier("free").model_urls(NAMED)["model"] == "analyst://"


def test_model_fields_take_a_name_or_a_url_and_old_files_still_load(tmp_path: Path) -> None:
    older = tmp_path / "tiers.toml"
    text = PACKAGED.read_text().replace('quick_model = "quick"\n', "")
    text = text.replace('model = "strong"', 'model = "default"')
    older.write_text(text.replace("api_access = true", "api_access = true\npriority_model = true"))
    premium = load_policy(older).tier("premium")
    assert (premium.model, premium.quick_model, premium.own_model_urls) == (
        "default",
        "default",
        {},
    )
    own = tmp_path / "own.toml"
    own.write_text(PACKAGED.read_text().replace('model = "strong"', 'model = "openai://x/v1"'))
    premium = load_policy(own).tier("premium")
    assert premium.own_model_urls == {"model": "openai://x/v1"}
    assert premium.model_urls(NAMED) == {"model": "openai://x/v1", "quick_model": NAMED["quick"]}
    for wrong in ("haiku", "Strong", "fast"):
        bad = tmp_path / "bad.toml"
        bad.write_text(
            PACKAGED.read_text().replace('quick_model = "quick"', f'quick_model = "{wrong}"', 1)
        )
        named = r'free\.quick_model: Value error, must be "default", "strong", "quick"'
        with pytest.raises(PolicyError, match=named):
            load_policy(bad)
