"""`V7_AUTH=cognito`: the same endpoints and socket, backed by a user pool in moto's server.

The server calls Cognito through aioboto3 and verifies the pool's real RS256 tokens against the
JWKS moto serves, exactly as it would against AWS (only the endpoint differs).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aioboto3
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Origin, Subprotocol

from tests.deployed_pool import totp_now
from tests.server.live import ORIGIN, LiveServer, live_server
from tests.server.pools import new_pool

PASSWORD = "Correct-horse-9"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def pool(moto_endpoint: str) -> dict[str, str]:
    return new_pool(moto_endpoint, "mode")


@pytest.fixture(scope="module")
def cognito_server(
    tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str, pool: dict[str, str]
) -> Iterator[LiveServer]:
    with live_server(
        Path(tmp_path_factory.mktemp("cognito")),
        auth="cognito",
        cognito_region=REGION,
        cognito_user_pool_id=pool["pool_id"],
        cognito_client_id=pool["client_id"],
        cognito_endpoint_url=moto_endpoint,
    ) as live:
        yield live


@pytest.fixture
async def client(cognito_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=cognito_server.url, timeout=10) as http:
        yield http


async def confirm(moto_endpoint: str, pool_id: str, email: str) -> None:
    async with aioboto3.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
    ) as cognito:
        await cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)


async def test_sign_up_sign_in_rest_and_socket_through_cognito(
    cognito_server: LiveServer,
    client: httpx.AsyncClient,
    moto_endpoint: str,
    pool: dict[str, str],
) -> None:
    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    signed_up = await client.post(
        "/auth/signup", json={"email": email, "password": PASSWORD, "name": "Cog"}
    )
    assert signed_up.status_code == 201, signed_up.text
    assert signed_up.json()["confirmationRequired"] is True
    assert "tokens" not in signed_up.json()

    taken = await client.post("/auth/signup", json={"email": email, "password": PASSWORD})
    assert taken.status_code == 409

    await confirm(moto_endpoint, pool["pool_id"], email)
    tokens = (await client.post("/auth/signin", json={"email": email, "password": PASSWORD})).json()
    assert tokens["tokenType"] == "Bearer"

    profile = await client.get(
        "/users/profile", headers={"Authorization": f"Bearer {tokens['accessToken']}"}
    )
    assert profile.status_code == 200
    assert profile.json()["email"] == email
    assert profile.json()["id"] == signed_up.json()["userId"]  # the pool's `sub`

    # An id token is not an access token.
    wrong_kind = await client.get(
        "/users/profile", headers={"Authorization": f"Bearer {tokens['idToken']}"}
    )
    assert wrong_kind.status_code == 401

    async with connect(
        cognito_server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{tokens['accessToken']}")],
        origin=Origin(ORIGIN),
    ) as socket:
        ready = json.loads(await socket.recv())
        assert ready["type"] == "ready"
        assert ready["user"]["id"] == signed_up.json()["userId"]

    refreshed = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["accessToken"]


async def test_wrong_password_and_unknown_email_read_the_same(client: httpx.AsyncClient) -> None:
    wrong = await client.post(
        "/auth/signin", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthorized"


async def test_tokens_of_another_client_are_refused(
    client: httpx.AsyncClient, moto_endpoint: str, pool: dict[str, str]
) -> None:
    email = f"o-{uuid.uuid4().hex[:8]}@example.com"
    async with aioboto3.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
    ) as cognito:
        other = await cognito.create_user_pool_client(
            UserPoolId=pool["pool_id"],
            ClientName="other",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        other_id = other["UserPoolClient"]["ClientId"]
        await cognito.sign_up(ClientId=other_id, Username=email, Password=PASSWORD)
        await cognito.admin_confirm_sign_up(UserPoolId=pool["pool_id"], Username=email)
        result = await cognito.initiate_auth(
            ClientId=other_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
    token = result["AuthenticationResult"]["AccessToken"]
    refused = await client.get("/users/profile", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


async def test_the_pool_is_guarded_by_the_same_account_lock(
    client: httpx.AsyncClient, moto_endpoint: str, pool: dict[str, str]
) -> None:
    email = f"g-{uuid.uuid4().hex[:8]}@example.com"
    await client.post("/auth/signup", json={"email": email, "password": PASSWORD})
    await confirm(moto_endpoint, pool["pool_id"], email)
    wrong = {"email": email, "password": PASSWORD + "x"}
    statuses = [(await client.post("/auth/signin", json=wrong)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    right = await client.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert right.status_code == 429  # the pool is not even asked while the account is locked
    assert int(right.headers["Retry-After"]) > 0


async def test_a_pool_that_demands_mfa_has_it_set_up_at_sign_in(
    client: httpx.AsyncClient,
    moto_endpoint: str,
    pool: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # moto answers MFA_SETUP only after a first password change; Cognito also at sign-in when
    # the pool's MFA is "ON" and the user has none. From the session on, the steps are the same.
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    email = f"m-{uuid.uuid4().hex[:8]}@example.com"
    async with aioboto3.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
    ) as cognito:
        pool_id, client_id = pool["pool_id"], pool["client_id"]
        await cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration="ON",
        )
        try:
            await cognito.admin_create_user(
                UserPoolId=pool_id, Username=email, TemporaryPassword="Temp-pass-12"
            )
            first = await cognito.admin_initiate_auth(
                UserPoolId=pool_id,
                ClientId=client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": "Temp-pass-12"},
            )
            changed = await cognito.admin_respond_to_auth_challenge(
                UserPoolId=pool_id,
                ClientId=client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=first["Session"],
                ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": PASSWORD},
            )
        finally:
            await cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert changed["ChallengeName"] == "MFA_SETUP"

    key = await client.post("/auth/mfa/setup", json={"session": changed["Session"], "email": email})
    assert key.status_code == 200, key.text
    secret, session = key.json()["secret"], key.json()["session"]
    assert key.json()["otpauthUri"].startswith(f"otpauth://totp/V7%20Coach:{email}?secret=")
    answer = {"email": email, "session": session, "challenge": "MFA_SETUP"}
    wrong = await client.post("/auth/mfa", json={**answer, "code": totp_now(secret, offset=1)})
    assert wrong.status_code == 400
    right = await client.post("/auth/mfa", json={**answer, "code": totp_now(secret)})
    assert right.status_code == 200, right.text
    profile = await client.get(
        "/users/profile", headers={"Authorization": f"Bearer {right.json()['accessToken']}"}
    )
    assert profile.status_code == 200  # the climber's record was made at this first sign-in
    assert profile.json()["email"] == email


async def test_wrong_authenticator_codes_lock_the_account_like_wrong_passwords(
    client: httpx.AsyncClient,
    moto_endpoint: str,
    pool: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    email = f"l-{uuid.uuid4().hex[:8]}@example.com"
    credentials = {"email": email, "password": PASSWORD}
    await client.post("/auth/signup", json=credentials)
    await confirm(moto_endpoint, pool["pool_id"], email)
    tokens = (await client.post("/auth/signin", json=credentials)).json()
    headers = {"Authorization": f"Bearer {tokens['accessToken']}"}
    secret = (await client.post("/auth/totp", headers=headers)).json()["secret"]
    on = await client.post("/auth/totp/verify", headers=headers, json={"code": totp_now(secret)})
    assert on.status_code == 200

    challenge = (await client.post("/auth/signin", json=credentials)).json()
    answer = {"email": email, "session": challenge["session"]}
    statuses = [
        (await client.post("/auth/mfa", json={**answer, "code": totp_now(secret, offset=1)}))
        for _ in range(6)
    ]
    assert [s.status_code for s in statuses] == [400] * 5 + [429]
    right = await client.post("/auth/mfa", json={**answer, "code": totp_now(secret)})
    assert right.status_code == 429  # Cognito is not even asked while the account is locked
    assert int(right.headers["Retry-After"]) > 0

    off = await client.delete("/auth/totp", headers=headers)
    assert off.status_code == 204
    status = await client.get("/auth/totp", headers=headers)
    assert status.json() == {"enabled": False, "available": True}
