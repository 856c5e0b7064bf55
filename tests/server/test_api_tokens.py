"""Personal API tokens through REST on both store engines: created once and shown once, listed
without the token, used as `Authorization: Bearer v7_pat_…`, scoped, Premium only (at once on a
downgrade), rate limited on their own, revoked, and erased with the account."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from quotas import load_policy
from server.api_tokens import digest_of
from server.logs import JsonFormatter
from store import open_table
from store.records.user import Tier
from store.repos.api_tokens import POINTER_SK, pointer_pk
from tests.conftest import ENGINES
from tests.server.helpers import Headers, entry, set_tier, sign_up
from tests.server.live import ORIGIN, LiveServer, live_server_on

TOKENS = "/users/tokens"
ENTRIES = "/journal/entries"


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    """A live server on each store engine (SQLite, DynamoDB through moto)."""
    folder = Path(tmp_path_factory.mktemp("tokens"))
    with live_server_on(str(request.param), folder, moto_endpoint) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


async def create(
    http: httpx.AsyncClient, headers: Headers, name: str = "my script", **fields: Any
) -> dict[str, Any]:
    response = await http.post(TOKENS, json={"name": name, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def user_id(http: httpx.AsyncClient, headers: Headers) -> str:
    profile = await http.get("/users/profile", headers=headers)
    return str(profile.json()["id"])


async def test_a_token_is_shown_once_listed_without_it_used_and_revoked(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "ada")
    created = await create(http, climber, "garmin sync", scopes=["read", "write"])
    token = created["token"]
    assert token.startswith("v7_pat_")
    assert len(token) >= len("v7_pat_") + 43
    assert created["scopes"] == ["read", "write"]
    assert token.startswith(created["prefix"])
    assert len(created["prefix"]) < 16

    # The token works for reading and, with the write scope, for writing.
    saved = await http.post(ENTRIES, json=entry(), headers=bearer(token))
    assert saved.status_code == 201, saved.text
    listed = await http.get(ENTRIES, headers=bearer(token))
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [saved.json()["id"]]

    # The list names it, says when it was used, and never shows the token or its hash.
    answer = (await http.get(TOKENS, headers=climber)).json()
    assert answer["apiAccess"] is True
    [shown] = answer["tokens"]
    assert shown["id"] == created["id"]
    assert shown["name"] == "garmin sync"
    assert shown["prefix"] == created["prefix"]
    assert shown["lastUsedAt"] >= shown["createdAt"]
    assert "token" not in shown
    assert token not in json.dumps(answer)
    assert digest_of(token) not in json.dumps(answer)
    # Nor does the export.
    exported = (await http.get("/users/export", headers=climber)).text
    assert token not in exported
    assert digest_of(token) not in exported

    # Someone else cannot revoke it (404, as for a token that does not exist).
    stranger = await sign_up(server, "eve")
    assert (await http.delete(f"{TOKENS}/{created['id']}", headers=stranger)).status_code == 404

    assert (await http.delete(f"{TOKENS}/{created['id']}", headers=climber)).status_code == 204
    refused = await http.get(ENTRIES, headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert (await http.get(TOKENS, headers=climber)).json()["tokens"] == []
    assert (await http.delete(f"{TOKENS}/{created['id']}", headers=climber)).status_code == 404


async def test_a_read_token_cannot_write_and_nothing_is_written(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "reader")
    token = (await create(http, climber, scopes=["read"]))["token"]
    refused = await http.post(ENTRIES, json=entry(), headers=bearer(token))
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["code"], error["reason"]) == ("unauthorized", "insufficient_scope")
    assert "write scope" in error["message"]
    assert "insufficient_scope" in refused.headers["WWW-Authenticate"]
    assert (await http.get(ENTRIES, headers=climber)).json()["items"] == []
    assert (await http.get(ENTRIES, headers=bearer(token))).status_code == 200


async def test_tokens_cannot_take_the_account_over(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "guarded")
    token = (await create(http, climber, scopes=["read", "write"]))["token"]
    api = bearer(token)
    profile = (await http.get("/users/profile", headers=api)).json()
    for call in (
        http.get(TOKENS, headers=api),
        http.post(TOKENS, json={"name": "another"}, headers=api),
        http.delete(f"{TOKENS}/whatever", headers=api),
        http.put(
            "/users/profile",
            json={"email": "thief@example.com", "name": "x", "version": profile["version"]},
            headers=api,
        ),
        http.delete("/users/profile", headers=api),
    ):
        response = await call
        assert response.status_code == 403, response.text
        assert response.json()["error"]["reason"] == "api_token_not_allowed"
    assert (await http.get("/users/profile", headers=climber)).json()["email"] == profile["email"]
    assert len((await http.get(TOKENS, headers=climber)).json()["tokens"]) == 1
    # Nor open the chat: the socket takes access tokens only.
    with pytest.raises((ConnectionClosed, InvalidStatus)):
        async with connect(
            server.ws_url,
            subprotocols=[Subprotocol("v7.chat.v1")],
            origin=Origin(ORIGIN),
            additional_headers=api,
            open_timeout=10,
        ) as socket:
            await socket.recv()
    assert socket.close_code == 4001


async def test_without_premium_no_token_is_made_but_the_list_says_what_premium_adds(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "pro-climber", tier=Tier.PRO)
    refused = await http.post(TOKENS, json={"name": "script"}, headers=climber)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["code"], error["feature"], error["required_tier"]) == (
        "tier_required",
        "api_access",
        "premium",
    )
    answer = (await http.get(TOKENS, headers=climber)).json()
    assert answer["tokens"] == []
    assert answer["apiAccess"] is False
    assert answer["apiAccessTier"] == "premium"
    assert "Premium" in answer["offer"]


async def test_a_downgrade_refuses_a_token_at_once_and_keeps_it(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "downgraded")
    created = await create(http, climber)
    api = bearer(created["token"])
    assert (await http.get(ENTRIES, headers=api)).status_code == 200
    who = await user_id(http, climber)

    await set_tier(server, who, Tier.FREE)
    refused = await http.get(ENTRIES, headers=api)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "tier_required"
    # Signed in, the climber still sees and may revoke what they made.
    assert [t["id"] for t in (await http.get(TOKENS, headers=climber)).json()["tokens"]] == [
        created["id"]
    ]

    await set_tier(server, who, Tier.PREMIUM)
    assert (await http.get(ENTRIES, headers=api)).status_code == 200


async def test_api_calls_have_their_own_rate_limit(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "busy-script")
    api = bearer((await create(http, climber))["token"])
    burst = load_policy().tier("premium").rate_limits.api_calls.burst
    statuses = []
    for _ in range(burst + 5):
        response = await http.get("/users/profile", headers=api)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.json()["error"]["code"] == "rate_limited"
            assert int(response.headers["Retry-After"]) >= 1
            break
    assert statuses[0] == 200
    assert statuses[-1] == 429
    # The web UI, signed in, is counted apart and still answered.
    assert (await http.get("/users/profile", headers=climber)).status_code == 200


async def test_erasure_removes_the_token_and_its_pointer(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "leaving")
    token = (await create(http, climber))["token"]
    assert (await http.delete("/users/profile", headers=climber)).status_code == 204
    assert (await http.get(ENTRIES, headers=bearer(token))).status_code == 401
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        assert await table.get(pointer_pk(digest_of(token)), POINTER_SK) is None


async def test_bad_requests_are_refused_with_a_clear_error(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    climber = await sign_up(server, "careless")
    for body in (
        {"name": "  "},
        {"name": "x", "scopes": ["admin"]},
        {"name": "x", "scopes": []},
        {"name": "x", "expiresInDays": 0},
    ):
        response = await http.post(TOKENS, json=body, headers=climber)
        assert response.status_code == 422, body
        assert response.json()["error"]["fields"]
    assert (await http.get(TOKENS, headers=climber)).json()["tokens"] == []
    unknown = await http.get(ENTRIES, headers=bearer("v7_pat_" + "A" * 43))
    assert unknown.status_code == 401
    expiring = await create(http, climber, expiresInDays=30)
    assert expiring["expiresAt"] > expiring["createdAt"]


async def test_the_token_never_reaches_a_log(http: httpx.AsyncClient, server: LiveServer) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        climber = await sign_up(server, "quiet")
        created = await create(http, climber, scopes=["read"])
        api = bearer(created["token"])
        await http.get(ENTRIES, headers=api)
        await http.post(ENTRIES, json=entry(), headers=api)  # refused: read scope
        await http.get(TOKENS, headers=api)  # refused: not with a token
        await http.delete(f"{TOKENS}/{created['id']}", headers=climber)
        await http.get(ENTRIES, headers=api)  # refused: revoked
        logging.getLogger("v7.test").warning("a climber pasted %s", created["token"])
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    logged = stream.getvalue()
    assert '"path": "/journal/entries"' in logged or "/journal/entries" in logged
    assert created["token"] not in logged
    assert created["token"][len(created["prefix"]) :] not in logged
