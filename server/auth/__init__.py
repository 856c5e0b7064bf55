"""Authentication core: one RS256 token verifier for both modes, key sources, the local issuer,
password hashing and the Cognito account wrapper. No HTTP routes here (see server/app.py)."""

from __future__ import annotations

from server.auth.cognito import CognitoAuth, CognitoTokens, SignUpResult, cognito_issuer
from server.auth.errors import TOKEN_ERROR_CODES, AuthError, AuthErrorCode, KeyFileError
from server.auth.jwks import HttpKeySource, KeySource, StaticKeySource, jwks_url
from server.auth.local_issuer import (
    IssuedTokens,
    LocalIssuer,
    hash_refresh_token,
    new_refresh_token,
)
from server.auth.passwords import (
    PasswordHashing,
    check_password_policy,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from server.auth.verifier import Principal, TokenUse, TokenVerifier

__all__ = [
    "TOKEN_ERROR_CODES",
    "AuthError",
    "AuthErrorCode",
    "CognitoAuth",
    "CognitoTokens",
    "HttpKeySource",
    "IssuedTokens",
    "KeyFileError",
    "KeySource",
    "LocalIssuer",
    "PasswordHashing",
    "Principal",
    "SignUpResult",
    "StaticKeySource",
    "TokenUse",
    "TokenVerifier",
    "check_password_policy",
    "cognito_issuer",
    "hash_password",
    "hash_refresh_token",
    "jwks_url",
    "needs_rehash",
    "new_refresh_token",
    "password_problems",
    "verify_password",
]
