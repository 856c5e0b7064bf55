"""`/auth/*`: sign-up, sign-in, refresh, sign-out and password reset, in either auth mode.

Every operation but sign-out runs inside its limits (`server.auth.throttle`): per client address
(as uvicorn reports it: `X-Forwarded-For` counts only from `V7_FORWARDED_ALLOW_IPS`) and per
account, checked before any password is hashed or any account is read."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.accounts import SignUpOutcome, TokenSet
from server.api import Call, Endpoint
from server.services import services_of
from store.records.user import TimeZoneName

Password = Annotated[str, Field(min_length=1, max_length=256)]
EmailText = Annotated[str, Field(min_length=3, max_length=254)]


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


async def sign_in(call: Call[SignInIn]) -> TokenSet:
    body: SignInIn = call.body
    auth = call.services.auth
    async with auth.throttle.sign_in(body.email, _client(call)):
        return await auth.accounts.sign_in(body.email, body.password)


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
    Endpoint("POST", "/auth/signin", sign_in, "Sign in with email and password", body=SignInIn,
             response=TokenSet, auth=False, tags=("auth",)),
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
