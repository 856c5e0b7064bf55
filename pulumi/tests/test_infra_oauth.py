"""Google and Apple sign-in: the stack and the server agree on the hosted UI, the providers
and the one redirect URI, read from both sides (the rendered task definition parsed by the
server's own `Settings`, against the app client and identity providers the program declares)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from infra_harness import Built, build_stack, stack_config
from pydantic import ValidationError
from test_infra_config import _prod_values
from v7infra.config import StackConfig

from server.settings import Settings

DOMAIN_PREFIX = "v7-coach-login"
REDIRECT = "https://coach.example.com/auth/oauth/callback"
SOCIAL = {
    "v7:cognitoDomainPrefix": DOMAIN_PREFIX,
    "v7:oauthCallbackUrls": json.dumps([REDIRECT]),
    "v7:googleClientId": "1234-abc.apps.googleusercontent.com",
    "v7:googleClientSecret": "test-only-google-secret",
    "v7:appleServicesId": "com.example.coach.web",
    "v7:appleTeamId": "TEAM123456",
    "v7:appleKeyId": "KEY1234567",
    "v7:applePrivateKey": "-----BEGIN PRIVATE KEY-----\ntest\n-----END PRIVATE KEY-----",
}


@pytest.fixture(scope="module")
def social() -> Built:
    return build_stack("prod", {**stack_config("prod"), **SOCIAL})


def _environment(built: Built) -> dict[str, str]:
    task = built.one("aws:ecs/taskDefinition:TaskDefinition", "app")
    (container,) = json.loads(task.inputs["containerDefinitions"])
    return {item["name"]: item["value"] for item in container["environment"]}


def _server_settings(built: Built, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The server's settings as the task would read them from its environment."""
    for name, value in _environment(built).items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_the_server_offers_the_stacks_providers_and_sends_its_one_callback(
    social: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _server_settings(social, monkeypatch)
    assert settings.oauth_enabled
    assert settings.cognito_domain == f"https://{DOMAIN_PREFIX}.auth.us-east-1.amazoncognito.com"
    domain = social.one("aws:cognito/userPoolDomain:UserPoolDomain", "users")
    assert domain.inputs["domain"] == DOMAIN_PREFIX

    client = social.one("aws:cognito/userPoolClient:UserPoolClient", "web").inputs
    assert client["callbackUrls"] == [settings.oauth_redirect_uri] == [REDIRECT]
    assert client["allowedOauthFlows"] == ["code"]
    assert set(client["allowedOauthScopes"]) == {"openid", "email", "profile"}
    declared = {
        p.inputs["providerName"]
        for p in social.of_type("aws:cognito/identityProvider:IdentityProvider")
    }
    assert set(settings.oauth_providers) == declared == {"Google", "SignInWithApple"}
    assert set(client["supportedIdentityProviders"]) == {"COGNITO", *declared}


def test_without_providers_the_server_offers_none(
    prod: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _server_settings(prod, monkeypatch)
    assert not settings.oauth_enabled
    assert "V7_COGNITO_DOMAIN" not in _environment(prod)


def _with(**overrides: Any) -> dict[str, Any]:
    social = {
        "cognitoDomainPrefix": DOMAIN_PREFIX,
        "oauthCallbackUrls": [REDIRECT],
        "googleClientId": "1234-abc.apps.googleusercontent.com",
    }
    return _prod_values(**{**social, **overrides})


def test_a_consistent_social_config_is_valid() -> None:
    assert StackConfig.model_validate(_with()).oauth_redirect_uri == REDIRECT


@pytest.mark.parametrize(
    "override",
    [
        {"cognitoDomainPrefix": None},  # no hosted UI to send browsers to
        {"oauthCallbackUrls": []},  # Cognito would refuse the server's redirect URI
        {"oauthCallbackUrls": ["https://coach.example.com/"]},  # not the server's path
        {"oauthCallbackUrls": [REDIRECT, "https://evil.example.net/auth/oauth/callback"]},
        {"googleClientId": None},  # callback URLs with no provider to use them
    ],
)
def test_a_callback_that_is_not_the_servers_is_rejected(override: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StackConfig.model_validate(_with(**override))
