"""The one error the authentication package raises on purpose, with a short reason code.

Codes fall in two families. Token codes (`TOKEN_ERROR_CODES`) mean "this bearer token is not
acceptable": the app answers 401 (REST) or closes the socket with 4001. Account codes come from
sign-up / sign-in / password flows and carry a message that is safe to show the user.

Messages are fixed per code (or, for a few account codes, a short provider text that names no
secret). They never contain the token, the password or the key material, so an `AuthError` may
be logged as is.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

TokenErrorCode = Literal[
    "malformed",
    "bad_algorithm",
    "missing_kid",
    "unknown_key",
    "bad_signature",
    "wrong_issuer",
    "expired",
    "not_yet_valid",
    "wrong_token_use",
    "wrong_client",
]
AccountErrorCode = Literal[
    "keys_unavailable",
    "invalid_credentials",
    "not_confirmed",
    "email_taken",
    "weak_password",
    "code_mismatch",
    "code_expired",
    "invalid_refresh_token",
    "challenge_required",
    "session_expired",
    "needs_cognito",
    "password_reset_required",
    "rate_limited",
    "invalid_request",
    "unavailable",
    "oauth_failed",
]
AuthErrorCode = Literal[TokenErrorCode, AccountErrorCode]

TOKEN_ERROR_CODES: Final[frozenset[str]] = frozenset(get_args(TokenErrorCode))
"""Codes that mean the presented token is refused (401 / close 4001). `keys_unavailable` is not
among them: the token may be fine, the issuer's keys could not be fetched (503)."""

_DEFAULT_MESSAGES: Final[dict[str, str]] = {
    "malformed": "The token is malformed.",
    "bad_algorithm": "The token's algorithm is not accepted.",
    "missing_kid": "The token names no signing key.",
    "unknown_key": "The token was signed by an unknown key.",
    "bad_signature": "The token's signature is invalid.",
    "wrong_issuer": "The token was issued by another issuer.",
    "expired": "The token has expired.",
    "not_yet_valid": "The token is not valid yet.",
    "wrong_token_use": "The token is of the wrong kind.",
    "wrong_client": "The token was issued to another client.",
    "keys_unavailable": "The signing keys could not be fetched; try again shortly.",
    "invalid_credentials": "Incorrect email or password.",
    "not_confirmed": "The account is not confirmed yet.",
    "email_taken": "An account with this email already exists.",
    "weak_password": "The password does not meet the password policy.",
    "code_mismatch": "The code is not valid.",
    "code_expired": "The code has expired; request a new one.",
    "invalid_refresh_token": "The session has ended; sign in again.",
    "challenge_required": "Sign-in needs a step this server does not support.",
    "session_expired": "The sign-in took too long; sign in again.",
    "needs_cognito": "This step needs Cognito sign-in; this server keeps its own accounts "
    "(no email confirmation, no two-step sign-in).",
    "password_reset_required": "The password must be reset before signing in.",
    "rate_limited": "Too many attempts; try again later.",
    "invalid_request": "The request is not valid.",
    "unavailable": "The authentication service is unavailable; try again shortly.",
    "oauth_failed": "Signing in with that provider did not work; try again.",
}

assert set(_DEFAULT_MESSAGES) == set(
    get_args(TokenErrorCode) + get_args(AccountErrorCode)
)  # every code has a message
assert set(get_args(AuthErrorCode)) >= TOKEN_ERROR_CODES


class AuthError(Exception):
    """A refused token or a failed account operation.

    `code` is one of `AuthErrorCode`; `message` is safe to return to the client and to log.
    """

    def __init__(
        self, code: AuthErrorCode, message: str | None = None, *, retry_after_s: int | None = None
    ) -> None:
        self.code: AuthErrorCode = code
        self.message: str = message or _DEFAULT_MESSAGES[code]
        self.retry_after_s = retry_after_s
        """For `rate_limited`: how long a client should wait (the 429's `Retry-After`)."""
        super().__init__(f"{code}: {self.message}")

    @property
    def is_token_error(self) -> bool:
        """True when the presented bearer token itself is refused (401 / close 4001)."""
        return self.code in TOKEN_ERROR_CODES


class KeyFileError(Exception):
    """The local issuer's signing key file exists but cannot be used (unreadable, not an RSA
    private key, or too short). The server must not start: silently replacing the key would
    sign everyone out."""
