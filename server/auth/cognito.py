"""Cognito mode's account operations: a thin async wrapper over aioboto3's `cognito-idp` client.

The client is created once by the app's lifespan and injected; this module never creates one.
The app client must be a public client (no client secret: no SECRET_HASH is sent) with the
`ALLOW_USER_PASSWORD_AUTH` and `ALLOW_REFRESH_TOKEN_AUTH` flows. Tokens Cognito returns are
verified like any other, by `TokenVerifier` with an `HttpKeySource` on the pool's JWKS
(`cognito_issuer(region, pool_id)` is the exact `iss`).

Every Cognito error becomes an `AuthError` whose message is safe to show: sign-in never says
whether an email is registered (an unknown user and a wrong password read the same), and
`forgot_password` answers the same for unknown emails. Confirmation: `sign_up` returns whether
the user is already confirmed (a pre-sign-up trigger may auto-confirm); otherwise Cognito sends
a code and `confirm_sign_up` completes it. Operators (and tests) may use `AdminConfirmSignUp`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Final, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict

from server.auth.errors import AuthError, AuthErrorCode

if TYPE_CHECKING:
    from types_aiobotocore_cognito_idp import CognitoIdentityProviderClient
    from types_aiobotocore_cognito_idp.type_defs import AuthenticationResultTypeTypeDef

log = logging.getLogger(__name__)

AUTH_FLOWS: Final = ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
"""The app client's ExplicitAuthFlows the server's sign-in and refresh need (the Pulumi client
must allow exactly these: pulumi/tests/test_contract.py)."""
READ_ATTRIBUTES: Final = ("email",)
"""User attributes the server reads from a verified ID token (`Principal.email`)."""
_T = TypeVar("_T")

# Cognito error code -> our code. Unknown user and wrong password map alike (no enumeration).
_CODES: Final[Mapping[str, AuthErrorCode]] = {
    "NotAuthorizedException": "invalid_credentials",
    "UserNotFoundException": "invalid_credentials",
    "UserNotConfirmedException": "not_confirmed",
    "UsernameExistsException": "email_taken",
    "AliasExistsException": "email_taken",
    "InvalidPasswordException": "weak_password",
    "CodeMismatchException": "code_mismatch",
    "ExpiredCodeException": "code_expired",
    "PasswordResetRequiredException": "password_reset_required",
    "TooManyRequestsException": "rate_limited",
    "TooManyFailedAttemptsException": "rate_limited",
    "LimitExceededException": "rate_limited",
    "CodeDeliveryFailureException": "unavailable",
    "InvalidParameterException": "invalid_request",
}


def cognito_issuer(region: str, pool_id: str) -> str:
    """The `iss` of a user pool's tokens (moto's tokens carry the same value)."""
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


class CognitoTokens(BaseModel):
    """Tokens from a sign-in or refresh. `refresh_token` is None after a refresh: the caller
    keeps using the one it has."""

    model_config = ConfigDict(frozen=True)

    access_token: str
    id_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 (the OAuth token type, not a secret)


class SignUpResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    confirmed: bool


def _tokens(result: AuthenticationResultTypeTypeDef | None) -> CognitoTokens:
    if not result or "AccessToken" not in result or "IdToken" not in result:
        # a challenge (NEW_PASSWORD_REQUIRED, MFA, …) instead of tokens
        raise AuthError("challenge_required")
    return CognitoTokens(
        access_token=result["AccessToken"],
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=result.get("ExpiresIn", 3600),
    )


class CognitoAuth:
    """Account operations against one user pool app client.

    Every method raises only `AuthError` (for Cognito refusals and for an unreachable Cognito,
    code `unavailable`). Cancel-safe: each is one Cognito call with no local state.
    """

    def __init__(self, client: CognitoIdentityProviderClient, *, client_id: str) -> None:
        self._client = client
        self._client_id = client_id

    async def sign_up(self, email: str, password: str) -> SignUpResult:
        """Register `email`. Raises `email_taken`, `weak_password` (Cognito's policy text),
        `invalid_request`."""
        response = await self._call(
            "sign_up",
            self._client.sign_up(
                ClientId=self._client_id,
                Username=email,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
            ),
        )
        return SignUpResult(user_id=response["UserSub"], confirmed=response["UserConfirmed"])

    async def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm a sign-up with the emailed code. Raises `code_mismatch`, `code_expired`."""
        await self._call(
            "confirm_sign_up",
            self._client.confirm_sign_up(
                ClientId=self._client_id, Username=email, ConfirmationCode=code
            ),
        )

    async def sign_in(self, email: str, password: str) -> CognitoTokens:
        """USER_PASSWORD_AUTH. Raises `invalid_credentials` (unknown email or wrong password,
        indistinguishable), `not_confirmed`, `password_reset_required`, `challenge_required`."""
        response = await self._call(
            "sign_in",
            self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            ),
        )
        return _tokens(response.get("AuthenticationResult"))

    async def refresh(self, refresh_token: str) -> CognitoTokens:
        """REFRESH_TOKEN_AUTH. Raises `invalid_refresh_token` for a revoked or unknown token."""
        response = await self._call(
            "refresh",
            self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            ),
            not_authorized="invalid_refresh_token",
        )
        return _tokens(response.get("AuthenticationResult"))

    async def sign_out_everywhere(self, access_token: str) -> None:
        """GlobalSignOut: revokes every refresh token of the user. Issued access tokens stay
        valid until they expire (JWT verification is offline). Raises `invalid_credentials`
        for an unknown or expired access token."""
        await self._call("global_sign_out", self._client.global_sign_out(AccessToken=access_token))

    async def revoke(self, refresh_token: str) -> None:
        """RevokeToken: ends the one session of this refresh token (needs token revocation
        enabled on the app client, the default for new clients)."""
        await self._call(
            "revoke_token",
            self._client.revoke_token(Token=refresh_token, ClientId=self._client_id),
            not_authorized="invalid_refresh_token",
        )

    async def forgot_password(self, email: str) -> None:
        """Ask Cognito to send a reset code. Returns normally for unknown emails too."""
        try:
            await self._call(
                "forgot_password",
                self._client.forgot_password(ClientId=self._client_id, Username=email),
            )
        except AuthError as exc:
            # `invalid_credentials` here means "no such user": answer as for a real one
            if exc.code != "invalid_credentials":
                raise

    async def confirm_forgot_password(self, email: str, code: str, new_password: str) -> None:
        """Set a new password with the emailed code. Raises `code_mismatch` (also for an
        unknown email), `code_expired`, `weak_password`."""
        await self._call(
            "confirm_forgot_password",
            self._client.confirm_forgot_password(
                ClientId=self._client_id,
                Username=email,
                ConfirmationCode=code,
                Password=new_password,
            ),
            not_authorized="code_mismatch",
            user_not_found="code_mismatch",
        )

    async def _call(
        self,
        operation: str,
        call: Awaitable[_T],
        *,
        not_authorized: AuthErrorCode = "invalid_credentials",
        user_not_found: AuthErrorCode = "invalid_credentials",
    ) -> _T:
        try:
            return await call
        except ClientError as exc:
            error = exc.response.get("Error", {})
            cognito_code = str(error.get("Code", ""))
            log.info("cognito refused", extra={"operation": operation, "code": cognito_code})
            code = _CODES.get(cognito_code)
            if cognito_code == "NotAuthorizedException":
                code = not_authorized
            elif cognito_code == "UserNotFoundException":
                code = user_not_found
            if code is None:
                log.warning(
                    "unexpected cognito error", extra={"operation": operation, "code": cognito_code}
                )
                raise AuthError("unavailable") from None
            message = None
            if code == "weak_password":
                # Cognito's policy text ("Password did not conform with policy: …") names
                # only the rule that failed
                message = str(error.get("Message", "")) or None
            raise AuthError(code, message) from None
        except BotoCoreError as exc:
            log.warning(
                "cognito unreachable", extra={"operation": operation, "error": type(exc).__name__}
            )
            raise AuthError("unavailable") from None
