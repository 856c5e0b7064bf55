"""`/auth/*`: sign-up (and its confirmation), sign-in (and its two-step challenge), refresh,
sign-out, password reset, and two-step sign-in (TOTP) for a signed-in climber, in either mode.

Every public operation but sign-out runs inside its limits (`server.auth.throttle`): per client
address (as uvicorn reports it: `X-Forwarded-For` counts only from `V7_FORWARDED_ALLOW_IPS`) and
per account, checked before any password is hashed or any account is read. The TOTP routes of a
signed-in climber pass the bearer access token on to Cognito (it is the climber's own consent)
and count as REST calls like any other. Cognito-only steps answer 404 `not_found` in local mode
(`needs_cognito`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.accounts import (
    ChallengeName,
    SignInResult,
    SignUpOutcome,
    TokenSet,
    TotpSecret,
    TotpStatus,
)
from server.api import Call, Endpoint
from server.security import bearer_of
from server.services import services_of
from store.records.user import TimeZoneName

Password = Annotated[str, Field(min_length=1, max_length=256)]
EmailText = Annotated[str, Field(min_length=3, max_length=254)]
SixDigits = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$"),
    Field(description="6 digits"),
]
Session = Annotated[str, Field(min_length=1, max_length=4096)]


class _In(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SignUpIn(_In):
    email: EmailText
    password: Password
    name: Annotated[str, Field(max_length=200)] = ""
    timezone: TimeZoneName | None = Field(
        default=None,
        description="the climber's IANA time zone (a browser's "
        "`Intl.DateTimeFormat().resolvedOptions().timeZone`); unset when left out",
    )


class SignInIn(_In):
    email: EmailText
    password: Password


class RefreshIn(_In):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class ForgotIn(_In):
    email: EmailText


class ConfirmPasswordIn(_In):
    email: EmailText
    code: Annotated[str, Field(min_length=1, max_length=64)]
    new_password: Password


class ConfirmSignUpIn(_In):
    email: EmailText
    code: SixDigits


class MfaIn(_In):
    email: EmailText
    session: Session
    code: SixDigits
    challenge: ChallengeName = Field(
        default="SOFTWARE_TOKEN_MFA",
        description="the challenge answered: `MFA_SETUP` after `/auth/mfa/setup`",
    )


class MfaSetupIn(_In):
    session: Session
    email: EmailText | None = Field(default=None, description="for the otpauth link")


class TotpCodeIn(_In):
    code: SixDigits


class Message(BaseModel):
    message: str


def _client(call: Call[Any]) -> str | None:
    """The client's address as uvicorn reports it (the proxy's client, if it is trusted)."""
    client = call.request.client
    return client.host if client else None


async def sign_up(call: Call[SignUpIn]) -> SignUpOutcome:
    body: SignUpIn = call.body
    auth = call.services.auth
    async with auth.throttle.sign_up(body.email, _client(call)):
        return await auth.accounts.sign_up(body.email, body.password, body.name, body.timezone)


async def sign_in(call: Call[SignInIn]) -> SignInResult:
    body: SignInIn = call.body
    auth = call.services.auth
    async with auth.throttle.sign_in(body.email, _client(call)):
        return SignInResult(await auth.accounts.sign_in(body.email, body.password))


async def confirm_sign_up(call: Call[ConfirmSignUpIn]) -> None:
    body: ConfirmSignUpIn = call.body
    auth = call.services.auth
    async with auth.throttle.confirm_sign_up(body.email, _client(call)):
        await auth.accounts.confirm_sign_up(body.email, body.code)


async def resend_code(call: Call[ForgotIn]) -> Message:
    email: str = call.body.email
    auth = call.services.auth
    async with auth.throttle.resend_code(email, _client(call)):
        await auth.accounts.resend_code(email)
    return Message(message="If that address is waiting for confirmation, a new code is on its way.")


async def answer_mfa(call: Call[MfaIn]) -> TokenSet:
    body: MfaIn = call.body
    auth = call.services.auth
    async with auth.throttle.mfa(body.email, _client(call)):
        return await auth.accounts.answer_challenge(
            body.challenge, body.email, body.session, body.code
        )


async def mfa_setup(call: Call[MfaSetupIn]) -> TotpSecret:
    body: MfaSetupIn = call.body
    auth = call.services.auth
    async with auth.throttle.mfa_setup(_client(call)):
        return await auth.accounts.mfa_setup_key(body.session, body.email)


def _bearer(call: Call[Any]) -> str:
    """The access token the climber authenticated with (authenticated endpoints only)."""
    token = bearer_of(call.request)
    assert token is not None  # the endpoint authenticated it
    return token


async def totp_status(call: Call[Any]) -> TotpStatus:
    return await call.services.auth.accounts.totp_status(_bearer(call))


async def totp_begin(call: Call[Any]) -> TotpSecret:
    return await call.services.auth.accounts.totp_begin(_bearer(call), call.user.email)


async def totp_verify(call: Call[TotpCodeIn]) -> TotpStatus:
    await call.services.auth.accounts.totp_verify(_bearer(call), call.body.code)
    return TotpStatus(enabled=True)


async def totp_disable(call: Call[Any]) -> None:
    await call.services.auth.accounts.totp_disable(_bearer(call))


async def refresh(call: Call[RefreshIn]) -> TokenSet:
    token: str = call.body.refresh_token
    auth = call.services.auth
    async with auth.throttle.refresh(token, _client(call)):
        return await auth.accounts.refresh(token)


async def sign_out(call: Call[RefreshIn]) -> None:
    await call.services.auth.accounts.sign_out(call.body.refresh_token)


async def forgot_password(call: Call[ForgotIn]) -> Message:
    email: str = call.body.email
    auth = call.services.auth
    async with auth.throttle.forgot_password(email, _client(call)):
        await auth.accounts.forgot_password(email)
    return Message(message="If that address has an account, a reset code is on its way.")


async def confirm_password(call: Call[ConfirmPasswordIn]) -> None:
    body: ConfirmPasswordIn = call.body
    auth = call.services.auth
    async with auth.throttle.confirm_password(body.email, _client(call)):
        await auth.accounts.confirm_password(body.email, body.code, body.new_password)
    await auth.throttle.forgive(body.email)


endpoints = [
    Endpoint("POST", "/auth/signup", sign_up, "Create an account", body=SignUpIn,
             response=SignUpOutcome, status=201, auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/signin", sign_in, "Sign in with email and password: tokens, or a "
             "two-step challenge to answer at /auth/mfa", body=SignInIn, response=SignInResult,
             auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/confirm-signup", confirm_sign_up,
             "Confirm a sign-up with the emailed code (Cognito)", body=ConfirmSignUpIn,
             auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/resend-code", resend_code,
             "Send the sign-up confirmation code again (Cognito)", body=ForgotIn,
             response=Message, status=202, auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/mfa", answer_mfa,
             "Answer a sign-in challenge with an authenticator code (Cognito)", body=MfaIn,
             response=TokenSet, auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/mfa/setup", mfa_setup,
             "The authenticator key for an MFA_SETUP challenge (Cognito)", body=MfaSetupIn,
             response=TotpSecret, auth=False, tags=("auth",)),
    Endpoint("GET", "/auth/totp", totp_status, "Whether two-step sign-in is on (Cognito)",
             response=TotpStatus, tags=("auth",)),
    Endpoint("POST", "/auth/totp", totp_begin, "A new authenticator key (Cognito)",
             response=TotpSecret, tags=("auth",)),
    Endpoint("POST", "/auth/totp/verify", totp_verify,
             "Turn two-step sign-in on with a code from the new key (Cognito)",
             body=TotpCodeIn, response=TotpStatus, tags=("auth",)),
    Endpoint("DELETE", "/auth/totp", totp_disable, "Turn two-step sign-in off (Cognito)",
             tags=("auth",)),
    Endpoint("POST", "/auth/refresh", refresh, "New access and id tokens for a refresh token",
             body=RefreshIn, response=TokenSet, auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/signout", sign_out, "Revoke a refresh token", body=RefreshIn,
             auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/forgot-password", forgot_password, "Send a password reset code",
             body=ForgotIn, response=Message, status=202, auth=False, tags=("auth",)),
    Endpoint("POST", "/auth/confirm-password", confirm_password,
             "Set a new password with the reset code", body=ConfirmPasswordIn, auth=False,
             tags=("auth",)),
]  # fmt: skip


async def jwks(request: Request) -> JSONResponse:
    """The local issuer's public keys (local mode only; Cognito serves its own)."""
    issuer = services_of(request).auth.issuer
    if issuer is None:
        return JSONResponse({"error": {"code": "not_found", "message": "No such item"}}, 404)
    return JSONResponse(issuer.jwks(), headers={"Cache-Control": "public, max-age=300"})


routes = [Route("/.well-known/jwks.json", jwks)]
