"""Strict settings: an unknown option in any backend URL stops the server at start, naming the
setting and the option — through a real `v7 serve` process, and through `create_app` for each
kind of URL and each model provider. The limits' own settings are bounded."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.model_url import ModelURLError
from quotas import PolicyError, load_policy
from server.app import create_app
from server.backends import SettingsError, check_backend_urls
from server.models import MODELS
from server.run import STARTUP_FAILURE
from server.settings import Settings
from store import check_url as check_store_url
from tests.server.test_process import dockerfile_command, free_port


@pytest.mark.parametrize(
    ("variable", "value", "option"),
    [
        ("V7_MODEL", "analyst://?colour=blue", "colour"),
        ("V7_STORE_URL", "sqlite:///v7.db?jounral=wal", "jounral"),
        ("V7_REDIS_URL", "redis://127.0.0.1:1/0?colour=blue", "colour"),
    ],
)
def test_v7_serve_stops_at_start_naming_the_unknown_option(
    tmp_path: Path, variable: str, value: str, option: str
) -> None:
    env = {**os.environ, "V7_DATA_DIR": str(tmp_path / "data"), variable: value}
    done = subprocess.run(
        dockerfile_command(free_port()), env=env, cwd=tmp_path, capture_output=True, timeout=60
    )
    assert done.returncode != 0
    stderr = done.stderr.decode()
    assert variable in stderr, stderr
    assert option in stderr, stderr
    assert "Traceback" not in stderr  # one line that says what to fix
    assert not (tmp_path / "data" / "redis").exists()  # stopped before anything started


def test_v7_serve_exits_non_zero_when_a_backend_cannot_be_opened(tmp_path: Path) -> None:
    # A well-formed URL whose store cannot be opened: the start fails in the lifespan, after the
    # checks, and the process must not look like it started.
    env = {
        **os.environ,
        "V7_DATA_DIR": str(tmp_path / "data"),
        "V7_STORE_URL": "sqlite:////proc/no-such-dir/v7.db",
    }
    done = subprocess.run(
        dockerfile_command(free_port()), env=env, cwd=tmp_path, capture_output=True, timeout=60
    )
    assert done.returncode == STARTUP_FAILURE
    assert b"Application startup failed" in done.stdout + done.stderr


def test_create_app_refuses_before_opening_anything(tmp_path: Path) -> None:
    cases = {
        "V7_MODEL": {"model": "bedrock://anthropic.claude?regoin=us-east-1"},
        "V7_STORE_URL": {
            "store_url": "dynamodb://v7?region=eu-west-1&endpoint_url=http://x&bogus=1"
        },
        "V7_REDIS_URL": {"redis_url": "rediss://cache:6379/0?ssl_cert_reqs=none&colour=1"},
    }
    for variable, overrides in cases.items():
        settings = Settings(data_dir=tmp_path, **overrides)  # type: ignore[arg-type]
        with pytest.raises(SettingsError, match=variable):
            create_app(settings)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("analyst://?colour=blue", "colour"),
        ("analyst://blue", "blue"),
        ("analyst://?words_per_s=fast", "words_per_s"),
        ("scripted://?tokens=5&colour=blue", "colour"),
        ("scripted://x?tokens=5", "x"),
        ("bedrock://anthropic.claude?regoin=us-east-1", "regoin"),
        ("bedrock://anthropic.claude?max_tokens=1&max_tokens=2", "max_tokens"),
        ("openai://localhost:11434/v1?model=llama&temprature=0", "temprature"),
        ("openai://localhost:11434/v1?model=llama&api_key_env=V7_TEST_UNSET_KEY", "V7_TEST_UN"),
        ("gpt://model", "gpt"),
    ],
)
def test_model_urls_are_checked_without_opening(url: str, named: str) -> None:
    with pytest.raises(ModelURLError, match=named):
        MODELS.check(url)


def test_good_model_urls_pass_the_check() -> None:
    for url in (
        "analyst://",
        "analyst://?words_per_s=0&name=offline",
        "scripted://?ttft_ms=0&tokens=5",
        "bedrock://arn:aws:bedrock:us-east-1:1:inference-profile/x?region=us-east-1",
        "openai+https://api.example.com/v1?model=m&max_tokens=100",
    ):
        MODELS.check(url)


def test_a_tier_model_is_checked_too(tmp_path: Path) -> None:
    policy = load_policy()
    pro = policy.tiers["pro"].model_copy(update={"model": "analyst://?colour=blue"})
    bad = policy.model_copy(update={"tiers": {**policy.tiers, "pro": pro}})
    with pytest.raises(SettingsError, match=r"tiers.toml \[pro\] model: .*colour"):
        check_backend_urls(Settings(data_dir=tmp_path), bad)
    check_backend_urls(Settings(data_dir=tmp_path), policy)


def test_a_tiers_quick_model_is_checked_and_a_bad_tier_file_stops_the_app(tmp_path: Path) -> None:
    policy = load_policy()
    premium = policy.tiers["premium"].model_copy(update={"quick_model": "scripted://?speed=9"})
    bad = policy.model_copy(update={"tiers": {**policy.tiers, "premium": premium}})
    with pytest.raises(SettingsError, match=r"tiers.toml \[premium\] quick_model: .*speed"):
        check_backend_urls(Settings(data_dir=tmp_path), bad)
    tiers = tmp_path / "tiers.toml"
    packaged = Path(__file__).resolve().parents[2] / "quotas" / "tiers.toml"
    tiers.write_text(packaged.read_text().replace('analytics = "basic"', 'analytics = "all"'))
    with pytest.raises(PolicyError, match=r"free\.analytics"):
        create_app(Settings(data_dir=tmp_path, tiers_file=tiers))


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("sqlite:///v7.db?x=1", "x"),
        ("sqlite:///v7.db?busy_timeout_ms", "busy_timeout_ms"),
        ("sqlite:///v7.db?busy_timeout_ms=1&busy_timeout_ms=2", "more than once"),
        ("dynamodb://v7?region=eu-west-1&endpoint_url=http://localhost&bogus=1", "bogus"),
        ("dynamodb://v7?Region=eu-west-1", "Region"),
        ("postgres://v7", "postgres"),
    ],
)
def test_store_urls_with_unknown_options_are_refused(tmp_path: Path, url: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        check_store_url(url, data_dir=tmp_path)


def test_the_limits_are_settings_with_bounds() -> None:
    settings = Settings()
    assert settings.header_timeout_seconds == 10
    assert (settings.max_header_bytes, settings.max_headers) == (16 * 1024, 100)
    assert settings.max_body_bytes == 256 * 1024
    for bad in (
        {"header_timeout_seconds": 0},
        {"max_headers": 129},  # past the WebSocket library's own limit
        {"max_header_bytes": 100},
        {"max_body_bytes": 0},
    ):
        with pytest.raises(ValidationError):
            Settings(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("setting", ["strong_model", "quick_model"])
def test_a_named_model_is_checked_and_production_wants_it_on_bedrock(
    tmp_path: Path, setting: str
) -> None:
    variable = f"V7_{setting.upper()}"
    bad = Settings(data_dir=tmp_path, **{setting: "scripted://?speed=9"})  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match=rf"{variable}: .*speed"):
        check_backend_urls(bad, load_policy())
    assert any(problem.startswith(variable) for problem in bad.production_problems())
    bedrock = "bedrock://us.anthropic.claude-haiku?region=us-east-1"
    good = Settings(data_dir=tmp_path, **{setting: bedrock})  # type: ignore[arg-type]
    check_backend_urls(good, load_policy())
    assert not any(problem.startswith(variable) for problem in good.production_problems())
    unset = Settings(data_dir=tmp_path)  # empty: V7_MODEL answers for the name
    assert unset.named_models == dict.fromkeys(("default", "strong", "quick"), "analyst://")
    assert not any(problem.startswith(variable) for problem in unset.production_problems())
