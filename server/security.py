"""Building the token verifier and account service for the configured mode, and resolving the
caller of a request. One verifier serves both modes: only its key source and issuer differ."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta

import aioboto3
import httpx
from redis.asyncio import Redis
from starlette.requests import HTTPConnection

from core.caller import Caller
from core.clock import Clock, epoch_seconds
from quotas.unavailable import RedisGate
from server.accounts import Accounts
from server.accounts.cognito import CognitoAccounts
from server.accounts.local import LocalAccounts
from server.auth.cognito import CognitoAuth, cognito_issuer
from server.auth.cognito_admin import CognitoAdmin
from server.auth.errors import AuthError
from server.auth.jwks import HttpKeySource, jwks_url
from server.auth.local_issuer import LocalIssuer
from server.auth.passwords import PasswordHashing
from server.auth.throttle import AuthThrottle
from server.auth.verifier import Principal, TokenVerifier
from server.settings import Settings
from store.errors import NotFound
from store.repos.users import UserRepo
from store.table import Table

ACCOUNT_GONE = "The account no longer exists."


@dataclass
class Auth:
    verifier: TokenVerifier
    accounts: Accounts
    issuer: LocalIssuer | None
    """The local issuer (local mode only): `v7 token` and `/.well-known/jwks.json` use it."""
    throttle: AuthThrottle
    """The limits of `/auth/*`, in either mode."""
    admin: CognitoAdmin | None = None
    """Cognito mode: the pool's admin calls an erasure makes (`server.erasures`)."""


async def build_auth(
    settings: Settings,
    table: Table,
    http: httpx.AsyncClient,
    stack: AsyncExitStack,
    clock: Clock,
    redis: Redis,
    gate: RedisGate | None = None,
) -> Auth:
    """The verifier and accounts of `settings.auth`, minting and checking tokens by `clock`,
    limited by `settings.auth_limits` counted in `redis` (queueing at `gate` with the quota
    checks); clients they need join `stack`."""
    seconds = epoch_seconds(clock)
    limits = settings.auth_limits
    if settings.auth == "local":
        issuer = await asyncio.to_thread(
            LocalIssuer.load_or_create,
            settings.data_dir,
            issuer=settings.local_issuer,
            client_id=settings.local_client_id,
            clock=seconds,
        )
        verifier = TokenVerifier(
            issuer.key_source(), issuer=issuer.issuer, client_id=issuer.client_id, clock=seconds
        )
        passwords = PasswordHashing(
            max_concurrent=limits.hashes_in_flight, max_waiting=limits.hashes_waiting
        )
        stack.callback(passwords.close)
        throttle = AuthThrottle(redis, limits, room=passwords.check_room, gate=gate)
        accounts: Accounts = LocalAccounts(
            table,
            issuer,
            passwords,
            data_dir=settings.data_dir,
            access_ttl_s=settings.token_ttl_seconds,
            refresh_ttl=timedelta(days=settings.refresh_ttl_days),
            clock=clock,
            code_tries=limits.code_tries.count,
            tries_window=timedelta(seconds=limits.code_tries.seconds),
        )
        return Auth(verifier, accounts, issuer, throttle)

    if not settings.cognito_user_pool_id or not settings.cognito_client_id:
        raise ValueError("V7_AUTH=cognito needs V7_COGNITO_USER_POOL_ID and V7_COGNITO_CLIENT_ID")
    issuer_url = settings.cognito_issuer or cognito_issuer(
        settings.cognito_region, settings.cognito_user_pool_id
    )
    keys_url = (
        f"{settings.cognito_endpoint_url.rstrip('/')}/{settings.cognito_user_pool_id}"
        "/.well-known/jwks.json"
        if settings.cognito_endpoint_url
        else jwks_url(issuer_url)
    )
    verifier = TokenVerifier(
        HttpKeySource(http, keys_url),
        issuer=issuer_url,
        client_id=settings.cognito_client_id,
        clock=seconds,
    )
    client = await stack.enter_async_context(
        aioboto3.Session().client(
            "cognito-idp",
            region_name=settings.cognito_region,
            endpoint_url=settings.cognito_endpoint_url or None,
        )
    )
    cognito = CognitoAuth(
        client, client_id=settings.cognito_client_id, pool_id=settings.cognito_user_pool_id
    )
    # Cognito hashes the passwords: nothing to shed here.
    throttle = AuthThrottle(redis, limits, gate=gate)
    admin = CognitoAdmin(client, settings.cognito_user_pool_id)
    return Auth(verifier, CognitoAccounts(table, cognito, verifier), None, throttle, admin)


async def authenticate(
    verifier: TokenVerifier, users: UserRepo, token: str | None, now: datetime
) -> tuple[Caller, Principal]:
    """The caller a bearer access token speaks for, with the tier of their subscription at
    `now` and their time zone.

    Raises `AuthError` for a missing or refused token, or an account that no longer exists.
    """
    if not token:
        raise AuthError("malformed", "A bearer token is required.")
    principal = await verifier.verify(token)
    return await current_caller(users, principal.user_id, now), principal


async def current_caller(users: UserRepo, user_id: str, now: datetime) -> Caller:
    """The caller `user_id` is right now, read from their account (one read): the tier of
    their subscription at `now` and their time zone. Raises `AuthError` ("The account no
    longer exists.") for an erased account. The one place a `Caller` is made from a `User`."""
    try:
        user = await users.get(user_id)
    except NotFound:
        raise AuthError("invalid_credentials", ACCOUNT_GONE) from None
    tier = user.effective_tier(now).value
    return Caller(user_id, user.email, tier, user.preferences.timezone)


def bearer_of(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
