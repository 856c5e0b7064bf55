"""The deployed sign-in, end to end: a live server in Cognito mode against a moto pool and app
client configured from the rendered Pulumi program (`tests/deployed_pool.py`).

sign-up -> confirm with the emailed code -> sign-in -> REST and WebSocket -> TOTP set up ->
sign out -> sign-in meets the MFA challenge -> a wrong code is refused, the right one signs in
-> REST and WebSocket again -> erasure, which deletes the pool's user too.

What moto 5.2.5 does not do, and how each is covered instead: it accepts any confirmation code
(so the test sends a well-formed code, and checks that a malformed one is refused by the
server's own validation before Cognito is asked); its admin sign-in does not refuse an
unconfirmed user (the user's status is checked in the pool instead); it does not enforce the
client's `ExplicitAuthFlows` (the server's `AUTH_FLOWS` are checked against the rendered client);
it has no `RevokeToken` (so signing out here is the client forgetting its tokens).
TOTP codes are computed here from the key the server handed out (RFC 6238), and moto checks them
only with `MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aioboto3
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Origin, Subprotocol

from server.auth.cognito import AUTH_FLOWS
from tests.deployed_pool import DeployedPool, create_deployed_pool, totp_now
from tests.server.live import ORIGIN, LiveServer, live_server

PASSWORD = "Correct-horse-9"  # meets the program's policy: 12+, upper, lower, digit
REGION = "us-east-1"


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str) -> DeployedPool:
    async def create() -> DeployedPool:
        async with aioboto3.Session().client(
            "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
        ) as cognito:
            return await create_deployed_pool(cognito)

    return asyncio.run(create())


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str, deployed: DeployedPool
) -> Iterator[LiveServer]:
    with live_server(
        Path(tmp_path_factory.mktemp("deployed")),
        auth="cognito",
        cognito_region=REGION,
        cognito_user_pool_id=deployed.pool_id,
        cognito_client_id=deployed.client_id,
        cognito_endpoint_url=moto_endpoint,
    ) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


def wrong_code(secret: str) -> str:
    return totp_now(secret, offset=1)


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


async def rest_and_socket(
    server: LiveServer, http: httpx.AsyncClient, tokens: dict[str, Any]
) -> str:
    """The climber's id, after a profile read and a `/log` on a socket with these tokens."""
    profile = await http.get("/users/profile", headers=bearer(tokens))
    assert profile.status_code == 200, profile.text
    async with connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{tokens['accessToken']}")],
        origin=Origin(ORIGIN),
    ) as socket:
        ready = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert ready["type"] == "ready"
        assert ready["user"]["id"] == profile.json()["id"]
        say = {"type": "say", "id": f"c-{uuid.uuid4().hex[:6]}", "text": "/log board 45min"}
        await socket.send(json.dumps(say))
        saved = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert saved["type"] == "saved", saved
    user_id: str = profile.json()["id"]
    return user_id


async def in_pool(moto_endpoint: str, pool_id: str, email: str) -> bool:
    async with aioboto3.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
    ) as cognito:
        try:
            await cognito.admin_get_user(UserPoolId=pool_id, Username=email)
        except cognito.exceptions.UserNotFoundException:
            return False
        return True


async def pool_status(moto_endpoint: str, pool_id: str, email: str) -> str:
    async with aioboto3.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
    ) as cognito:
        user = await cognito.admin_get_user(UserPoolId=pool_id, Username=email)
        return user["UserStatus"]


def test_the_server_uses_only_flows_the_deployed_client_allows(deployed: DeployedPool) -> None:
    # moto does not enforce ExplicitAuthFlows; Cognito does.
    assert set(AUTH_FLOWS) <= set(deployed.rendered.client["explicitAuthFlows"])
    assert deployed.rendered.client["generateSecret"] is False  # no SECRET_HASH is sent


async def test_sign_up_confirm_sign_in_mfa_and_erasure_against_the_deployed_pool(
    server: LiveServer,
    http: httpx.AsyncClient,
    moto_endpoint: str,
    deployed: DeployedPool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    credentials = {"email": email, "password": PASSWORD}

    weak = await http.post("/auth/signup", json={**credentials, "password": "short"})
    assert weak.status_code == 422  # the program's password policy, enforced by the pool
    signed_up = await http.post("/auth/signup", json={**credentials, "name": "Ada"})
    assert signed_up.status_code == 201, signed_up.text
    assert signed_up.json()["confirmationRequired"] is True
    assert await pool_status(moto_endpoint, deployed.pool_id, email) == "UNCONFIRMED"

    malformed = await http.post("/auth/confirm-signup", json={"email": email, "code": "12a4"})
    assert malformed.status_code == 422
    assert await pool_status(moto_endpoint, deployed.pool_id, email) == "UNCONFIRMED"
    confirmed = await http.post("/auth/confirm-signup", json={"email": email, "code": " 123456 "})
    assert confirmed.status_code == 204, confirmed.text
    assert await pool_status(moto_endpoint, deployed.pool_id, email) == "CONFIRMED"

    tokens = (await http.post("/auth/signin", json=credentials)).json()
    assert "challenge" not in tokens
    user_id = await rest_and_socket(server, http, tokens)
    assert user_id == signed_up.json()["userId"]

    status = await http.get("/auth/totp", headers=bearer(tokens))
    assert status.json() == {"enabled": False, "available": True}
    key = await http.post("/auth/totp", headers=bearer(tokens))
    assert key.status_code == 200, key.text
    secret = key.json()["secret"]
    assert key.json()["otpauthUri"] == (
        f"otpauth://totp/V7%20Coach:{email}?secret={secret}&issuer=V7%20Coach"
    )
    assert key.json()["qrCode"].startswith("data:image/svg+xml;")
    wrong_setup = await http.post(
        "/auth/totp/verify",
        headers=bearer(tokens),
        json={"code": wrong_code(secret)},
    )
    assert wrong_setup.status_code == 400
    assert wrong_setup.json()["error"]["reason"] == "code_mismatch"
    on = await http.post(
        "/auth/totp/verify", headers=bearer(tokens), json={"code": totp_now(secret)}
    )
    assert on.status_code == 200, on.text
    assert on.json() == {"enabled": True, "available": True}
    status = await http.get("/auth/totp", headers=bearer(tokens))
    assert status.json() == {"enabled": True, "available": True}

    # Signed out: the browser forgets its tokens (moto 5.2.5 has no RevokeToken behind
    # /auth/signout), and signing in again now takes the code.
    challenge = await http.post("/auth/signin", json=credentials)
    assert challenge.status_code == 200
    assert challenge.json()["challenge"] == "SOFTWARE_TOKEN_MFA"
    assert challenge.json()["message"] == "Enter the 6-digit code from your authenticator app"
    assert "accessToken" not in challenge.json()
    answer = {"email": email, "session": challenge.json()["session"]}
    wrong = await http.post("/auth/mfa", json={**answer, "code": wrong_code(secret)})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["reason"] == "code_mismatch"
    right = await http.post("/auth/mfa", json={**answer, "code": totp_now(secret)})
    assert right.status_code == 200, right.text
    tokens = right.json()
    assert tokens["tokenType"] == "Bearer"
    assert tokens["refreshToken"]
    assert await rest_and_socket(server, http, tokens) == user_id

    erased = await http.delete("/users/profile", headers=bearer(tokens))
    assert erased.status_code == 204
    gone = await http.get("/users/profile", headers=bearer(tokens))
    assert gone.status_code == 401
    # The erasure reached the pool: the user is gone there too, so signing in again cannot
    # recreate the account.
    assert not await in_pool(moto_endpoint, deployed.pool_id, email)
    again = await http.post("/auth/signin", json=credentials)
    assert again.status_code == 401
