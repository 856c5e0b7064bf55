"""`/users/profile` and `/users/export`, and erasure, through the real protocol (live server,
httpx, and the `websockets` client where a slash command writes data)."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from store import open_table
from store.records.user import Tier
from tests.server.helpers import entry, field_names, set_tier
from tests.server.live import ORIGIN, LiveServer

PROFILE = "/users/profile"
PASSWORD = "correct horse 9"


@dataclass
class Account:
    email: str
    headers: dict[str, str]
    refresh_token: str

    @property
    def token(self) -> str:
        return self.headers["Authorization"].removeprefix("Bearer ")


async def sign_up(http: httpx.AsyncClient, name: str, email: str | None = None) -> Account:
    address = email or f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    response = await http.post(
        "/auth/signup", json={"email": address, "password": PASSWORD, "name": name}
    )
    assert response.status_code == 201, response.text
    tokens = response.json()["tokens"]
    return Account(
        address, {"Authorization": f"Bearer {tokens['accessToken']}"}, tokens["refreshToken"]
    )


@pytest.fixture(scope="module")
async def cy(server: LiveServer) -> Account:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        return await sign_up(http, "Cy")


def open_socket(server: LiveServer, token: str) -> connect:
    return connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(ORIGIN),
        open_timeout=10,
    )


async def log_by_command(server: LiveServer, token: str, text: str) -> dict[str, Any]:
    """Send one slash command over the WebSocket; the `saved` frame it answers."""
    async with open_socket(server, token) as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "ready"
        await socket.send(json.dumps({"type": "say", "id": "c1", "text": text}))
        while True:
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 5))
            if frame["type"] in ("saved", "error"):
                assert frame["type"] == "saved", frame
                return frame


async def test_the_profile_shows_the_account_as_signed_up(http: httpx.AsyncClient) -> None:
    account = await sign_up(http, "Alice", email=f"Alice.{uuid.uuid4().hex[:6]}@Example.com")
    response = await http.get(PROFILE, headers=account.headers)
    assert response.status_code == 200
    user = response.json()
    assert user["email"] == account.email.lower()
    assert user["name"] == "Alice"
    assert user["subscription"]["tier"] == "free"
    assert user["subscription"]["status"] == "active"
    # No time zone yet: the web UI sets the browser's at the first sign-in (dates read as UTC).
    assert "timezone" not in user["preferences"]
    assert user["version"] == 1
    assert user["id"]


async def test_name_and_preferences_update_with_the_version_convention(
    http: httpx.AsyncClient,
) -> None:
    account = await sign_up(http, "Bea")
    user = (await http.get(PROFILE, headers=account.headers)).json()
    change = {
        "email": account.email,
        "name": "Beatrice",
        "preferences": {"units": "imperial", "timezone": "Europe/Paris", "coachTone": "direct"},
    }
    assert (await http.put(PROFILE, json=change, headers=account.headers)).status_code == 428
    updated = await http.put(
        PROFILE, json={**change, "version": user["version"]}, headers=account.headers
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["name"], body["version"]) == ("Beatrice", user["version"] + 1)
    assert body["preferences"]["units"] == "imperial"
    assert body["preferences"]["timezone"] == "Europe/Paris"
    assert body["subscription"] == user["subscription"]

    stale = await http.put(
        PROFILE, json={**change, "name": "B", "version": user["version"]}, headers=account.headers
    )
    assert stale.status_code == 409
    assert (await http.get(PROFILE, headers=account.headers)).json() == body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"preferences": {"timezone": "Mars/Olympus"}}, "preferences.timezone"),
        ({"preferences": {"boulderGradeSystem": "yds"}}, "preferences.boulderGradeSystem"),
        ({"preferences": {"emailReports": 1}}, "preferences.emailReports"),
        ({"email": "not-an-address"}, "email"),
        ({"nickname": "cy"}, "nickname"),
    ],
)
async def test_an_invalid_profile_change_is_refused_with_the_field_named(
    http: httpx.AsyncClient, cy: Account, change: dict[str, Any], field: str
) -> None:
    account = cy
    before = (await http.get(PROFILE, headers=account.headers)).json()
    body = {"email": account.email, "name": "Cy", **change, "version": before["version"]}
    response = await http.put(PROFILE, json=body, headers=account.headers)
    assert response.status_code == 422
    assert field in field_names(response)
    assert (await http.get(PROFILE, headers=account.headers)).json() == before


async def test_an_email_change_moves_the_sign_in_and_a_taken_one_conflicts(
    http: httpx.AsyncClient,
) -> None:
    dee = await sign_up(http, "Dee")
    other = await sign_up(http, "Other")
    user = (await http.get(PROFILE, headers=dee.headers)).json()

    taken = await http.put(
        PROFILE, json={"email": other.email, "version": user["version"]}, headers=dee.headers
    )
    assert taken.status_code == 409
    assert "in use" in taken.json()["error"]["message"]
    assert (await http.get(PROFILE, headers=dee.headers)).json() == user

    new_email = f"dee-new-{uuid.uuid4().hex[:8]}@example.com"
    moved = await http.put(
        PROFILE,
        json={"email": new_email, "name": "Dee", "version": user["version"]},
        headers=dee.headers,
    )
    assert moved.status_code == 200
    assert moved.json()["email"] == new_email
    new = await http.post("/auth/signin", json={"email": new_email, "password": PASSWORD})
    assert new.status_code == 200
    old = await http.post("/auth/signin", json={"email": dee.email, "password": PASSWORD})
    assert old.status_code == 401


async def test_the_export_holds_everything_of_the_user_and_no_secret(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    eve = await sign_up(http, "Eve")
    mallory = await sign_up(http, "Mallory")
    mine = (await http.post("/journal/entries", json=entry(), headers=eve.headers)).json()
    theirs = (await http.post("/journal/entries", json=entry(), headers=mallory.headers)).json()
    send = await http.post(
        "/benchmarks/sends",
        json={"grade": "V7", "date": "2025-06-01", "name": "Midnight Lightning"},
        headers=eve.headers,
    )
    goal = await http.post(
        "/athlete/goals", json={"type": "grade", "description": "V8"}, headers=eve.headers
    )
    athlete = await http.put(
        "/athlete/profile", json={"age": 30, "version": 0}, headers=eve.headers
    )
    assert (send.status_code, goal.status_code, athlete.status_code) == (201, 201, 200)
    # A slash command also leaves an undo record: internal, never exported.
    saved = await log_by_command(server, eve.token, "/log gym 90min rpe 7 sent V4 V5 tried V6")

    response = await http.get("/users/export", headers=eve.headers)
    assert response.status_code == 200
    export = response.json()
    assert export["user"]["email"] == eve.email
    assert export["exportedAt"]
    journal_ids = {item["id"] for item in export["journalEntries"]}
    assert journal_ids == {mine["id"], saved["item"]["id"]}
    assert theirs["id"] not in response.text
    assert [item["id"] for item in export["sends"]] == [send.json()["id"]]
    assert [item["id"] for item in export["goals"]] == [goal.json()["id"]]
    assert export["athleteProfile"]["age"] == 30
    assert export["other"] == []
    for secret in ("SECRET#", "UNDO#", "REF#", "passwordHash", eve.refresh_token):
        assert secret not in response.text

    assert (await http.get("/users/export")).status_code == 401


async def test_erasure_removes_everything_and_the_token_stops_working(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    zoe = await sign_up(http, "Zoe")
    keeper = await sign_up(http, "Keeper")
    for account in (zoe, keeper):
        created = await http.post("/journal/entries", json=entry(), headers=account.headers)
        assert created.status_code == 201
    kept = (await http.get("/users/export", headers=keeper.headers)).json()
    zoe_id = (await http.get(PROFILE, headers=zoe.headers)).json()["id"]

    async with open_socket(server, zoe.token) as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "ready"
        assert (await http.delete(PROFILE, headers=zoe.headers)).status_code == 204
        # A socket opened before the erasure is closed too: it cannot write any more.
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(5):
                while True:
                    await socket.recv()
        assert socket.close_code == 4001

    for response in (
        await http.get(PROFILE, headers=zoe.headers),
        await http.get("/journal/entries", headers=zoe.headers),
        await http.get("/users/export", headers=zoe.headers),
        await http.delete(PROFILE, headers=zoe.headers),
        await http.post("/auth/signin", json={"email": zoe.email, "password": PASSWORD}),
        await http.post("/auth/refresh", json={"refreshToken": zoe.refresh_token}),
    ):
        assert response.status_code == 401
    with pytest.raises(ConnectionClosed) as closed:
        await log_by_command(server, zoe.token, "/log gym 60min")
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4001

    # Nothing of the account is left in storage: not an entry, not a secret.
    settings = server.settings
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        assert (await table.query(f"USER#{zoe_id}")).items == []
    # The address is free again, and a new account with it starts empty.
    again = await sign_up(http, "Zoe", email=zoe.email)
    assert (await http.get("/journal/entries", headers=again.headers)).json()["items"] == []
    # The other climber kept everything.
    after = (await http.get("/users/export", headers=keeper.headers)).json()
    assert {k: v for k, v in after.items() if k != "exportedAt"} == {
        k: v for k, v in kept.items() if k != "exportedAt"
    }


async def test_the_profile_says_whether_the_tier_includes_the_weekly_report(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    account = await sign_up(http, "Dee")
    free = (await http.get(PROFILE, headers=account.headers)).json()
    # The web UI greys out the switch and names the tier to move to from this, not from a
    # copy of the tiers of its own.
    assert free["features"] == {"emailReports": False, "emailReportsTier": "pro"}
    await set_tier(server, free["id"], Tier.PRO)
    pro = (await http.get(PROFILE, headers=account.headers)).json()
    assert pro["features"] == {"emailReports": True, "emailReportsTier": "pro"}
