"""Cognito: the user pool the server verifies tokens against, and the web app's client.

Users sign in with their email; `custom:tier` is readable by the app but writable only by
administrators (the server's `v7 users set-tier`), never by the user through the app client.
Google and Apple identity providers exist only when their ids are configured.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws

import pulumi
from v7infra.config import Secrets, StackConfig

STANDARD_WRITABLE = ("email", "name")
EXPLICIT_AUTH_FLOWS = ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


@dataclass(frozen=True)
class Auth:
    pool: aws.cognito.UserPool
    client: aws.cognito.UserPoolClient


def _identity_providers(
    cfg: StackConfig, pool: aws.cognito.UserPool, secrets: Secrets
) -> list[aws.cognito.IdentityProvider]:
    providers = []
    if cfg.google_client_id is not None and secrets.google_client_secret is not None:
        providers.append(
            aws.cognito.IdentityProvider(
                "google",
                user_pool_id=pool.id,
                provider_name="Google",
                provider_type="Google",
                provider_details={
                    "client_id": cfg.google_client_id,
                    "client_secret": secrets.google_client_secret,
                    "authorize_scopes": "openid email profile",
                },
                attribute_mapping={"email": "email", "name": "name", "username": "sub"},
            )
        )
    if (
        cfg.apple_services_id is not None
        and cfg.apple_team_id is not None
        and cfg.apple_key_id is not None
        and secrets.apple_private_key is not None
    ):
        providers.append(
            aws.cognito.IdentityProvider(
                "apple",
                user_pool_id=pool.id,
                provider_name="SignInWithApple",
                provider_type="SignInWithApple",
                provider_details={
                    "client_id": cfg.apple_services_id,
                    "team_id": cfg.apple_team_id,
                    "key_id": cfg.apple_key_id,
                    "private_key": secrets.apple_private_key,
                    "authorize_scopes": "email name",
                },
                attribute_mapping={"email": "email", "name": "name", "username": "sub"},
            )
        )
    return providers


def build_auth(cfg: StackConfig, secrets: Secrets) -> Auth:
    pool = aws.cognito.UserPool(
        "users",
        name=f"{cfg.name_prefix}-users",
        username_attributes=["email"],
        auto_verified_attributes=["email"],
        username_configuration={"case_sensitive": False},
        password_policy={
            "minimum_length": 12,
            "require_lowercase": True,
            "require_uppercase": True,
            "require_numbers": True,
            "require_symbols": False,
            "temporary_password_validity_days": 3,
        },
        mfa_configuration=cfg.mfa,
        software_token_mfa_configuration=({"enabled": True} if cfg.mfa != "OFF" else None),
        account_recovery_setting={
            "recovery_mechanisms": [{"name": "verified_email", "priority": 1}]
        },
        schemas=[
            {
                "name": "tier",
                "attribute_data_type": "String",
                "mutable": True,
                "developer_only_attribute": False,
                "string_attribute_constraints": {"min_length": "1", "max_length": "16"},
            }
        ],
        deletion_protection="ACTIVE" if cfg.deletion_protection else "INACTIVE",
    )
    providers = _identity_providers(cfg, pool, secrets)
    if cfg.cognito_domain_prefix is not None:
        aws.cognito.UserPoolDomain("users", domain=cfg.cognito_domain_prefix, user_pool_id=pool.id)
    oauth = bool(cfg.oauth_callback_urls)
    client = aws.cognito.UserPoolClient(
        "web",
        name=f"{cfg.name_prefix}-web",
        user_pool_id=pool.id,
        # A browser app cannot keep a client secret.
        generate_secret=False,
        # Password sign-in only through the server (IAM-signed AdminInitiateAuth), so every
        # attempt passes its throttles; the public client id alone cannot try passwords
        # (docs/deploy.md, "Sign-in flow").
        explicit_auth_flows=list(EXPLICIT_AUTH_FLOWS),
        prevent_user_existence_errors="ENABLED",
        enable_token_revocation=True,
        access_token_validity=60,
        id_token_validity=60,
        refresh_token_validity=30,
        token_validity_units={
            "access_token": "minutes",
            "id_token": "minutes",
            "refresh_token": "days",
        },
        read_attributes=["email", "email_verified", "name", "custom:tier"],
        write_attributes=list(STANDARD_WRITABLE),
        supported_identity_providers=["COGNITO", *(p.provider_name for p in providers)],
        allowed_oauth_flows_user_pool_client=oauth,
        allowed_oauth_flows=["code"] if oauth else None,
        allowed_oauth_scopes=["openid", "email", "profile"] if oauth else None,
        callback_urls=list(cfg.oauth_callback_urls) if oauth else None,
        logout_urls=list(cfg.origins) if oauth else None,
        opts=pulumi.ResourceOptions(depends_on=providers),
    )
    return Auth(pool=pool, client=client)
