"""Cognito mode's account operations: a thin async wrapper over aioboto3's `cognito-idp` client.

The client is created once by the app's lifespan and injected; this module never creates one.
The app client must be a public client (no client secret: no SECRET_HASH is sent) allowing
exactly `AUTH_FLOWS`: passwords are tried only by this server, IAM-signed
(`AdminInitiateAuth` with `ADMIN_USER_PASSWORD_AUTH`, so every try has passed the server's
throttles), and refresh is the public `REFRESH_TOKEN_AUTH` (docs/deploy.md, "Sign-in flow").
Tokens Cognito returns are verified like any other, by `TokenVerifier` with an `HttpKeySource`
on the pool's JWKS (`cognito_issuer(region, pool_id)` is the exact `iss`).

Two-step sign-in: a sign-in may end in a `CognitoChallenge` instead of tokens —
`SOFTWARE_TOKEN_MFA` (answered by `respond_mfa` with a TOTP code) or `MFA_SETUP` (the pool
demands MFA and the user has none: `associate_totp(session=…)`, `verify_totp(session=…)`, then
`complete_mfa_setup`). A signed-in user sets TOTP up with their own access token
(`associate_totp(access_token=…)`, `verify_totp(access_token=…)`, `set_totp`).

Every Cognito error becomes an `AuthError` whose message is safe to show: sign-in never says
whether an email is registered (an unknown user and a wrong password read the same), and
`forgot_password` answers the same for unknown emails. Confirmation: `sign_up` returns whether
the user is already confirmed (a pre-sign-up trigger may auto-confirm); otherwise Cognito sends
a code and `confirm_sign_up` completes it. Operators (and tests) may use `AdminConfirmSignUp`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Final, Literal, TypeVar, get_args

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict

from server.auth.errors import AuthError, AuthErrorCode

if TYPE_CHECKING:
    from types_aiobotocore_cognito_idp import CognitoIdentityProviderClient
    from types_aiobotocore_cognito_idp.type_defs import (
        AdminInitiateAuthResponseTypeDef,
        AdminRespondToAuthChallengeResponseTypeDef,
        AuthenticationResultTypeTypeDef,
    )

log = logging.getLogger(__name__)

READ_ATTRIBUTES: Final = ("email",)
"""User attributes the server reads from a verified ID token (`Principal.email`)."""
_T = TypeVar("_T")

AUTH_FLOWS: Final = ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
"""The app client flows this module uses, and the only ones it needs: `sign_in` and the
challenge answers are admin calls (IAM-signed), `refresh` is the public refresh flow. The Pulumi
client must allow exactly these (pulumi/tests/test_contract.py)."""

TOKEN_VALIDITY: Final[Mapping[str, timedelta]] = {
    "access_token": timedelta(minutes=60),
    "id_token": timedelta(minutes=60),
    "refresh_token": timedelta(days=30),
}
"""The token lifetimes the server assumes of the app client: `expires_in` falls back to the
access token's when Cognito leaves `ExpiresIn` out; clients refresh on `expiresIn`, and a
refresh token outliving 30 days would outlive what the README promises of a signed-in device."""

ChallengeName = Literal["SOFTWARE_TOKEN_MFA", "MFA_SETUP"]
CHALLENGES: Final[frozenset[str]] = frozenset(get_args(ChallengeName))

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
    "EnableSoftwareTokenMFAException": "code_mismatch",
}


def _who(access_token: str | None, session: str | None) -> dict[str, str]:
    if (access_token is None) == (session is None):
        raise ValueError("give exactly one of access_token and session")
    return {"AccessToken": access_token} if access_token else {"Session": session or ""}


# Cognito's throttling errors carry no time to wait, but a 429 must say one (`Retry-After`):
# its request-rate quotas are per second; its lockouts on failed attempts start at a second
# and double, and its code-delivery limits last longer, so a minute before trying again.
_COGNITO_WAIT_S: Final[Mapping[str, int]] = {
    "TooManyRequestsException": 1,
    "TooManyFailedAttemptsException": 60,
    "LimitExceededException": 60,
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


class CognitoChallenge(BaseModel):
    """A sign-in step left to answer: `name` is one `ChallengeName`, `session` is Cognito's
    opaque session for the answer (valid about three minutes)."""

    model_config = ConfigDict(frozen=True)

    name: ChallengeName
    session: str


def _tokens(result: AuthenticationResultTypeTypeDef | None) -> CognitoTokens:
    if not result or "AccessToken" not in result or "IdToken" not in result:
        # a challenge this server does not answer (NEW_PASSWORD_REQUIRED, SMS_MFA, …)
        raise AuthError("challenge_required")
    return CognitoTokens(
        access_token=result["AccessToken"],
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=result.get("ExpiresIn", int(TOKEN_VALIDITY["access_token"].total_seconds())),
    )


def _outcome(
    response: AdminInitiateAuthResponseTypeDef | AdminRespondToAuthChallengeResponseTypeDef,
) -> CognitoTokens | CognitoChallenge:
    name = response.get("ChallengeName")
    session = response.get("Session")
    if name in CHALLENGES and session:
        return CognitoChallenge.model_validate({"name": name, "session": session})
    return _tokens(response.get("AuthenticationResult"))


class CognitoAuth:
    """Account operations against one user pool app client.

    Every method raises only `AuthError` (for Cognito refusals and for an unreachable Cognito,
    code `unavailable`). Cancel-safe: each is one Cognito call with no local state.
    """

    def __init__(
        self, client: CognitoIdentityProviderClient, *, client_id: str, pool_id: str
    ) -> None:
        self._client = client
        self._client_id = client_id
        self._pool_id = pool_id

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

    async def resend_confirmation(self, email: str) -> None:
        """Send the sign-up code again. Returns normally for unknown emails too."""
        try:
            await self._call(
                "resend_confirmation_code",
                self._client.resend_confirmation_code(ClientId=self._client_id, Username=email),
            )
        except AuthError as exc:
            # "no such user" (and, with existence errors prevented, nothing at all): same answer
            if exc.code != "invalid_credentials":
                raise

    async def sign_in(self, email: str, password: str) -> CognitoTokens | CognitoChallenge:
        """ADMIN_USER_PASSWORD_AUTH (IAM-signed). Tokens, or a `CognitoChallenge` to answer.
        Raises `invalid_credentials` (unknown email or wrong password, indistinguishable),
        `not_confirmed`, `password_reset_required`, `challenge_required` (a challenge this
        server does not answer)."""
        response = await self._call(
            "admin_initiate_auth",
            self._client.admin_initiate_auth(
                UserPoolId=self._pool_id,
                ClientId=self._client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            ),
        )
        return _outcome(response)

    async def respond_mfa(self, email: str, session: str, code: str) -> CognitoTokens:
        """Answer SOFTWARE_TOKEN_MFA with a TOTP code. Raises `code_mismatch` (wrong code),
        `session_expired` (the session is spent or too old: sign in again)."""
        response = await self._call(
            "admin_respond_to_auth_challenge",
            self._client.admin_respond_to_auth_challenge(
                UserPoolId=self._pool_id,
                ClientId=self._client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=session,
                ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
            ),
            not_authorized="session_expired",
        )
        return _tokens(response.get("AuthenticationResult"))

    async def complete_mfa_setup(self, email: str, session: str) -> CognitoTokens:
        """Answer MFA_SETUP with the session `verify_totp(session=…)` returned."""
        response = await self._call(
            "admin_respond_to_auth_challenge",
            self._client.admin_respond_to_auth_challenge(
                UserPoolId=self._pool_id,
                ClientId=self._client_id,
                ChallengeName="MFA_SETUP",
                Session=session,
                ChallengeResponses={"USERNAME": email},
            ),
            not_authorized="session_expired",
        )
        return _tokens(response.get("AuthenticationResult"))

    async def associate_totp(
        self, *, access_token: str | None = None, session: str | None = None
    ) -> tuple[str, str | None]:
        """AssociateSoftwareToken for a signed-in user (`access_token`) or an MFA_SETUP
        challenge (`session`): the base32 secret, and the session to verify with (if any)."""
        response = await self._call(
            "associate_software_token",
            self._client.associate_software_token(**_who(access_token, session)),
            not_authorized="session_expired" if session else "invalid_credentials",
        )
        return response["SecretCode"], response.get("Session")

    async def verify_totp(
        self, code: str, *, access_token: str | None = None, session: str | None = None
    ) -> str | None:
        """VerifySoftwareToken: the authenticator app holds the secret. Returns the session to
        complete MFA_SETUP with (if `session` was given). Raises `code_mismatch`."""
        response = await self._call(
            "verify_software_token",
            self._client.verify_software_token(
                UserCode=code, FriendlyDeviceName="Authenticator", **_who(access_token, session)
            ),
            not_authorized="session_expired" if session else "invalid_credentials",
        )
        if response.get("Status") != "SUCCESS":
            raise AuthError("code_mismatch")
        return response.get("Session")

    async def set_totp(self, access_token: str, *, enabled: bool) -> None:
        """Turn TOTP sign-in on (and preferred) or off for the user of `access_token`."""
        await self._call(
            "set_user_mfa_preference",
            self._client.set_user_mfa_preference(
                AccessToken=access_token,
                SoftwareTokenMfaSettings={"Enabled": enabled, "PreferredMfa": enabled},
            ),
        )

    async def totp_enabled(self, access_token: str) -> bool:
        """Whether the user of `access_token` signs in with a TOTP code."""
        response = await self._call("get_user", self._client.get_user(AccessToken=access_token))
        return "SOFTWARE_TOKEN_MFA" in response.get("UserMFASettingList", [])

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
            raise AuthError(
                code, message, retry_after_s=_COGNITO_WAIT_S.get(cognito_code)
            ) from None
        except BotoCoreError as exc:
            log.warning(
                "cognito unreachable", extra={"operation": operation, "error": type(exc).__name__}
            )
            raise AuthError("unavailable") from None
