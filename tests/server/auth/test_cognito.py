"""Cognito mode through moto's server and the real aioboto3 client: account operations, and
moto-signed tokens verified by `TokenVerifier` against moto's JWKS over HTTP.

moto signs every pool's tokens with one fixed RSA key (`kid` "dummy") and puts the same `iss`
as real Cognito in them, `https://cognito-idp.{region}.amazonaws.com/{pool_id}`, while serving
the JWKS at `{endpoint}/{pool_id}/.well-known/jwks.json` (not under the issuer URL): the verifier
is configured with `cognito_issuer(...)` and the key source with moto's JWKS address.
"""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aioboto3
import httpx
import pytest
from aiobotocore.config import AioConfig
from jose import jwt
from types_aiobotocore_cognito_idp import CognitoIdentityProviderClient

from server.auth.cognito import CognitoAuth, CognitoTokens, cognito_issuer
from server.auth.errors import AuthError
from server.auth.jwks import HttpKeySource
from server.auth.verifier import TokenVerifier
from server.errors import map_error

REGION = "us-east-1"
PASSWORD = "Sloper-Sunday-2026"


@dataclass(frozen=True)
class Pool:
    endpoint: str
    pool_id: str
    client_id: str
    other_client_id: str

    @property
    def issuer(self) -> str:
        return cognito_issuer(REGION, self.pool_id)

    @property
    def jwks(self) -> str:
        return f"{self.endpoint}/{self.pool_id}/.well-known/jwks.json"


@pytest.fixture
async def cognito(moto_endpoint: str) -> AsyncIterator[CognitoIdentityProviderClient]:
    session = aioboto3.Session()
    async with session.client(
        "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
    ) as client:
        yield client


@pytest.fixture
async def pool(moto_endpoint: str, cognito: CognitoIdentityProviderClient) -> Pool:
    created = await cognito.create_user_pool(
        PoolName=f"v7-{uuid.uuid4().hex[:8]}", UsernameAttributes=["email"]
    )
    pool_id = created["UserPool"]["Id"]
    client_ids = []
    for name in ("web", "other"):
        app = await cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=name,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        client_ids.append(app["UserPoolClient"]["ClientId"])
    return Pool(moto_endpoint, pool_id, client_ids[0], client_ids[1])


@pytest.fixture
def auth(cognito: CognitoIdentityProviderClient, pool: Pool) -> CognitoAuth:
    return CognitoAuth(cognito, client_id=pool.client_id, pool_id=pool.pool_id)


def verifier_for(
    client: httpx.AsyncClient, pool: Pool, *, client_id: str | None = None
) -> TokenVerifier:
    return TokenVerifier(
        HttpKeySource(client, pool.jwks),
        issuer=pool.issuer,
        client_id=client_id or pool.client_id,
    )


async def signed_in(auth: CognitoAuth, email: str, password: str) -> CognitoTokens:
    """Tokens of a sign-in that meets no challenge."""
    outcome = await auth.sign_in(email, password)
    assert isinstance(outcome, CognitoTokens), outcome
    return outcome


async def confirmed_user(
    auth: CognitoAuth, cognito: CognitoIdentityProviderClient, pool: Pool
) -> tuple[str, str]:
    email = f"climber-{uuid.uuid4().hex[:8]}@example.com"
    signed_up = await auth.sign_up(email, PASSWORD)
    assert not signed_up.confirmed
    await cognito.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=email)
    return email, signed_up.user_id


async def test_moto_tokens_verify_with_the_pools_jwks(
    auth: CognitoAuth,
    cognito: CognitoIdentityProviderClient,
    pool: Pool,
    http_client: httpx.AsyncClient,
) -> None:
    email, user_id = await confirmed_user(auth, cognito, pool)
    tokens = await signed_in(auth, email, PASSWORD)
    assert tokens.refresh_token

    access_claims = jwt.get_unverified_claims(tokens.access_token)
    id_claims = jwt.get_unverified_claims(tokens.id_token)
    assert access_claims["iss"] == id_claims["iss"] == pool.issuer
    assert access_claims["token_use"] == "access"
    assert access_claims["client_id"] == pool.client_id
    assert id_claims["token_use"] == "id"
    assert id_claims["aud"] == pool.client_id

    verifier = verifier_for(http_client, pool)
    access = await verifier.verify(tokens.access_token)
    identity = await verifier.verify(tokens.id_token, token_use="id")
    assert access.user_id == identity.user_id == user_id
    assert identity.email == email
    assert "aws.cognito.signin.user.admin" in access.scopes


async def test_moto_tokens_are_refused_for_another_client_issuer_or_use(
    auth: CognitoAuth,
    cognito: CognitoIdentityProviderClient,
    pool: Pool,
    http_client: httpx.AsyncClient,
) -> None:
    email, _ = await confirmed_user(auth, cognito, pool)
    tokens = await signed_in(auth, email, PASSWORD)

    other_client = verifier_for(http_client, pool, client_id=pool.other_client_id)
    other_pool = TokenVerifier(
        HttpKeySource(http_client, pool.jwks),
        issuer=cognito_issuer(REGION, "us-east-1_SomeOtherPool"),
        client_id=pool.client_id,
    )
    cases = [
        (other_client, tokens.access_token, "access", "wrong_client"),
        (other_client, tokens.id_token, "id", "wrong_client"),
        (other_pool, tokens.access_token, "access", "wrong_issuer"),
        (verifier_for(http_client, pool), tokens.id_token, "access", "wrong_token_use"),
    ]
    for verifier, token, use, code in cases:
        with pytest.raises(AuthError) as caught:
            await verifier.verify(token, token_use="id" if use == "id" else "access")
        assert caught.value.code == code


async def test_wrong_password_and_unknown_email_read_the_same(
    auth: CognitoAuth, cognito: CognitoIdentityProviderClient, pool: Pool
) -> None:
    email, _ = await confirmed_user(auth, cognito, pool)
    with pytest.raises(AuthError) as wrong_password:
        await auth.sign_in(email, PASSWORD + "x")
    with pytest.raises(AuthError) as unknown_email:
        await auth.sign_in("nobody-" + email, PASSWORD)
    assert wrong_password.value.code == unknown_email.value.code == "invalid_credentials"
    assert wrong_password.value.message == unknown_email.value.message
    assert "exist" not in wrong_password.value.message.lower()
    assert email not in str(wrong_password.value)


async def test_unconfirmed_and_duplicate_sign_ups(
    auth: CognitoAuth, cognito: CognitoIdentityProviderClient, pool: Pool
) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    assert (await auth.sign_up(email, PASSWORD)).confirmed is False
    # Cognito refuses an unconfirmed user's AdminInitiateAuth (UserNotConfirmedException ->
    # `not_confirmed`); moto 5.2.5's admin flow does not check, so the status is asserted here.
    user = await cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)
    assert user["UserStatus"] == "UNCONFIRMED"
    await auth.confirm_sign_up(email, "123456")
    user = await cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)
    assert user["UserStatus"] == "CONFIRMED"
    with pytest.raises(AuthError) as duplicate:
        await auth.sign_up(email, PASSWORD)
    assert duplicate.value.code == "email_taken"


async def test_refresh_then_global_sign_out_ends_the_session(
    auth: CognitoAuth,
    cognito: CognitoIdentityProviderClient,
    pool: Pool,
    http_client: httpx.AsyncClient,
) -> None:
    email, user_id = await confirmed_user(auth, cognito, pool)
    tokens = await signed_in(auth, email, PASSWORD)
    assert tokens.refresh_token is not None

    refreshed = await auth.refresh(tokens.refresh_token)
    assert refreshed.refresh_token is None
    assert refreshed.access_token != tokens.access_token
    assert (await verifier_for(http_client, pool).verify(refreshed.access_token)).user_id == user_id

    await auth.sign_out_everywhere(refreshed.access_token)
    with pytest.raises(AuthError) as caught:
        await auth.refresh(tokens.refresh_token)
    assert caught.value.code == "invalid_refresh_token"


async def test_forgot_password_flow_and_unknown_email(
    auth: CognitoAuth, cognito: CognitoIdentityProviderClient, pool: Pool
) -> None:
    email, _ = await confirmed_user(auth, cognito, pool)
    await auth.forgot_password(f"nobody-{uuid.uuid4().hex[:8]}@example.com")  # no error

    # moto returns the code in a response header instead of emailing it
    response = await cognito.forgot_password(ClientId=pool.client_id, Username=email)
    code = response["ResponseMetadata"]["HTTPHeaders"]["x-moto-forgot-password-confirmation-code"]
    with pytest.raises(AuthError) as stale:
        await auth.confirm_forgot_password(email, "moto-confirmation-code:000000", "New-Pass-2026!")
    assert stale.value.code in {"code_mismatch", "code_expired"}

    await auth.confirm_forgot_password(email, code, "New-Pass-2026!")
    assert (await signed_in(auth, email, "New-Pass-2026!")).access_token
    with pytest.raises(AuthError) as old:
        await auth.sign_in(email, PASSWORD)
    assert old.value.code == "invalid_credentials"


async def test_an_unreachable_cognito_is_unavailable(moto_endpoint: str) -> None:
    # moto_endpoint only for the fake AWS credentials it puts in the environment
    session = aioboto3.Session()
    async with session.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:9",  # nothing listens there
        config=AioConfig(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2),
    ) as unreachable:
        auth = CognitoAuth(unreachable, client_id="any", pool_id="us-east-1_any")
        with pytest.raises(AuthError) as caught:
            await auth.sign_in("a@example.com", PASSWORD)
    assert caught.value.code == "unavailable"


class _Throttling(http.server.BaseHTTPRequestHandler):
    """Answers every Cognito call as Cognito does when a quota is hit (its JSON error shape)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({"__type": self.server.cognito_error, "message": "Rate exceeded"})  # type: ignore[attr-defined]
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.mark.parametrize(
    ("cognito_error", "wait_s"),
    [("TooManyRequestsException", 1), ("TooManyFailedAttemptsException", 60)],
)
async def test_cognito_throttling_is_a_429_that_says_when_to_retry(
    moto_endpoint: str, cognito_error: str, wait_s: int
) -> None:
    # moto_endpoint only for the fake AWS credentials it puts in the environment
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    server.cognito_error = cognito_error  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        async with aioboto3.Session().client(
            "cognito-idp",
            region_name=REGION,
            endpoint_url=f"http://127.0.0.1:{server.server_address[1]}",
            config=AioConfig(retries={"max_attempts": 1, "mode": "standard"}),
        ) as throttled:
            auth = CognitoAuth(throttled, client_id="any", pool_id="us-east-1_any")
            with pytest.raises(AuthError) as caught:
                await auth.sign_in("a@example.com", PASSWORD)
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.code == "rate_limited"
    mapped = map_error(caught.value)
    assert mapped.status == 429
    assert mapped.headers == {"Retry-After": str(wait_s)}
