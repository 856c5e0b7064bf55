"""The climber's time zone through the real protocol: a live server whose one clock stands at
Friday 09:02 in Sydney (Thursday 22:02 UTC), sign-up over REST, commands over the socket.

Every "today" the server works out for a climber must be theirs: a climber in Sydney who types
`yesterday` on Friday morning means Thursday, although it is still Thursday in UTC.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from store import open_table
from store.repos.usage import UsageRepo
from tests.clock import FrozenClock, at
from tests.server.live import ORIGIN, LiveServer, live_server

FRIDAY_MORNING_IN_SYDNEY = at("2026-12-03T22:02:00")
"""Friday 4 December 2026, 09:02 in Sydney (AEDT, UTC+11); Thursday 23:02 in Berlin."""
PASSWORD = "correct horse 9"
SYDNEY = "Australia/Sydney"


@pytest.fixture(scope="module")
def clock() -> FrozenClock:
    return FrozenClock(FRIDAY_MORNING_IN_SYDNEY)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, clock: FrozenClock) -> Iterator[LiveServer]:
    with live_server(Path(tmp_path_factory.mktemp("zones")), clock=clock) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


def fresh_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


async def sign_up(http: httpx.AsyncClient, name: str, **body: Any) -> dict[str, Any]:
    """A new account (its sign-up answer), with `body` added to the sign-up request."""
    response = await http.post(
        "/auth/signup",
        json={"email": fresh_email(name), "password": PASSWORD, "name": name, **body},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def bearer(account: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {account['tokens']['accessToken']}"}


def open_socket(server: LiveServer, account: dict[str, Any]) -> connect:
    token = account["tokens"]["accessToken"]
    return connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(ORIGIN),
        open_timeout=10,
    )


async def receive(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 10))
    return frame


async def say(socket: ClientConnection, say_id: str, text: str) -> dict[str, Any]:
    """Send a `say`; its answer (the first frame replying to it)."""
    await socket.send(json.dumps({"type": "say", "id": say_id, "text": text}))
    while True:
        frame = await receive(socket)
        if frame.get("reply_to") == say_id:
            return frame


async def test_yesterday_on_a_friday_morning_in_sydney_is_thursday(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "sydney", timezone=SYDNEY)
    async with open_socket(server, climber) as socket:
        ready = await receive(socket)
        assert ready["user"]["timezone"] == SYDNEY
        saved = await say(socket, "c1", "/log gym 60min yesterday")
        assert saved["type"] == "saved", saved
        assert saved["item"]["date"] == "2026-12-03"  # Thursday, not UTC's Wednesday
        today = await say(socket, "c2", "/log board 45min")
        assert today["item"]["date"] == "2026-12-04"  # Friday in Sydney, Thursday in UTC
        monday = await say(socket, "c3", "/send V5 monday")
        assert monday["item"]["date"] == "2026-11-30"
    history = await http.get("/journal/entries", headers=bearer(climber))
    assert [item["date"] for item in history.json()["items"]] == ["2026-12-04", "2026-12-03"]


async def test_stats_and_rest_analytics_end_on_the_climbers_today(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "stats", timezone=SYDNEY)
    async with open_socket(server, climber) as socket:
        await receive(socket)
        await say(socket, "c1", "/log gym 60min")
        stats = await say(socket, "c2", "/stats")
    assert stats["type"] == "reply", stats
    assert stats["data"]["end"] == "2026-12-04"
    summary = await http.get("/analytics/summary", headers=bearer(climber))
    assert summary.json()["end"] == "2026-12-04"


async def test_profile_timezone_changes_what_today_means_on_the_next_command(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "mover", timezone=SYDNEY)
    async with open_socket(server, climber) as socket:
        await receive(socket)
        assert (await say(socket, "c1", "/log gym 60min"))["item"]["date"] == "2026-12-04"
        moved = await say(socket, "c2", "/profile timezone europe/berlin")
        assert moved["type"] == "saved", moved
        assert (moved["kind"], moved["item"]) == ("timezone", {"timezone": "Europe/Berlin"})
        assert moved["undo"]
        # Berlin is still on Thursday evening: today and yesterday move back a day.
        assert (await say(socket, "c3", "/log gym 60min"))["item"]["date"] == "2026-12-03"
        assert (await say(socket, "c4", "/log gym 1h yesterday"))["item"]["date"] == "2026-12-02"
        shown = await say(socket, "c5", "/profile")
        assert "Time zone: Europe/Berlin" in shown["text"]
        assert shown["data"]["timezone"] == "Europe/Berlin"
    profile = await http.get("/users/profile", headers=bearer(climber))
    assert profile.json()["preferences"]["timezone"] == "Europe/Berlin"


async def test_undo_puts_the_previous_time_zone_back(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "undoer", timezone=SYDNEY)
    async with open_socket(server, climber) as socket:
        await receive(socket)
        moved = await say(socket, "c1", "/profile tz America/New York")
        assert moved["item"] == {"timezone": "America/New_York"}
        undone = await say(socket, "c2", f"/undo {moved['undo']}")
        assert undone["type"] == "saved", undone
        assert undone["item"] == {"undone": "timezone", "id": "timezone"}
        assert (await say(socket, "c3", "/log gym 1h"))["item"]["date"] == "2026-12-04"
    profile = await http.get("/users/profile", headers=bearer(climber))
    assert profile.json()["preferences"]["timezone"] == SYDNEY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/profile timezone Mars/Olympus", "'Mars/Olympus' is not a time zone I know"),
        ("/profile timezone Europe/Berln", "did you mean Europe/Berlin?"),
        ("/profile timezone Sydney", "did you mean Australia/Sydney?"),
        ("/profile weight 68kg timezone Europe/Berlin", "set your time zone on its own"),
    ],
)
async def test_a_zone_that_is_not_one_is_refused_and_changes_nothing(
    server: LiveServer, http: httpx.AsyncClient, text: str, expected: str
) -> None:
    climber = await sign_up(http, "typo", timezone=SYDNEY)
    async with open_socket(server, climber) as socket:
        await receive(socket)
        refused = await say(socket, "c1", text)
        assert refused["type"] == "error", refused
        assert refused["code"] == "invalid_entry"
        assert expected in refused["message"]
        assert "e.g. /profile timezone Europe/Berlin" in refused["message"]
        assert (await say(socket, "c2", "/log gym 1h yesterday"))["item"]["date"] == "2026-12-03"
    profile = (await http.get("/users/profile", headers=bearer(climber))).json()
    assert profile["preferences"]["timezone"] == SYDNEY
    athlete = (await http.get("/athlete/profile", headers=bearer(climber))).json()
    assert athlete.get("weight") is None


async def test_sign_up_stores_the_time_zone_and_refuses_one_that_is_not(
    http: httpx.AsyncClient,
) -> None:
    climber = await sign_up(http, "zoned", timezone="australia/sydney")
    profile = (await http.get("/users/profile", headers=bearer(climber))).json()
    assert profile["preferences"]["timezone"] == SYDNEY

    email = fresh_email("mars")
    body = {"email": email, "password": PASSWORD, "timezone": "Mars/Olympus"}
    refused = await http.post("/auth/signup", json=body)
    assert refused.status_code == 422
    [field] = refused.json()["error"]["fields"]
    assert field["field"] == "timezone"
    assert "Mars/Olympus" in field["message"]
    # Nothing was created: the same address signs up once the zone is left out.
    retried = await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    assert retried.status_code == 201, retried.text


async def test_without_a_time_zone_the_climber_lives_in_utc_until_one_is_set(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "unset")
    profile = (await http.get("/users/profile", headers=bearer(climber))).json()
    assert "timezone" not in profile["preferences"]  # not set: the web UI sets the browser's
    async with open_socket(server, climber) as socket:
        ready = await receive(socket)
        assert ready["user"]["timezone"] == "UTC"
        assert (await say(socket, "c1", "/log gym 1h"))["item"]["date"] == "2026-12-03"
        shown = await say(socket, "c2", "/profile timezone")
        assert shown["text"].startswith("Time zone: not set, so UTC.")
    put = await http.put(
        "/users/profile",
        json={
            "email": profile["email"],
            "name": profile["name"],
            "preferences": {**profile["preferences"], "timezone": SYDNEY},
            "version": profile["version"],
        },
        headers=bearer(climber),
    )
    assert put.status_code == 200, put.text
    async with open_socket(server, climber) as socket:
        assert (await receive(socket))["user"]["timezone"] == SYDNEY
        # A new `say` id: a repeated one is answered again from its say record, not run again.
        assert (await say(socket, "c3", "/log gym 1h"))["item"]["date"] == "2026-12-04"


async def test_a_full_week_is_refused_with_the_reset_in_the_climbers_time(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "capped", timezone=SYDNEY)
    async with open_socket(server, climber) as socket:
        await receive(socket)
        for n in range(3):
            assert (await say(socket, f"c{n}", "/log gym 1h"))["type"] == "saved"
        refused = await say(socket, "c4", "/log gym 1h")
    assert refused["code"] == "quota_exceeded"
    # The ISO week is UTC's: it ends Monday 7 December 00:00 UTC, 11:00 in Sydney.
    assert refused["resets_at"] == "2026-12-07T00:00:00Z"
    assert refused["message"].endswith("more from Mon 7 Dec, 11:00 (Australia/Sydney)")

    over_rest = await http.post(
        "/journal/entries",
        json={"date": "2026-12-04", "sessionType": "gym", "duration": 60},
        headers=bearer(climber),
    )
    assert over_rest.status_code == 429
    assert over_rest.json()["error"]["message"].endswith(
        "more from Mon 7 Dec, 11:00 (Australia/Sydney)"
    )


async def test_the_monthly_ai_allowance_is_told_in_the_climbers_time(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "chatty", timezone="America/Los_Angeles")
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        for _ in range(10):  # the free tier's month, used up (Redis rebuilds from the ledger)
            await UsageRepo(table).record(climber["userId"], "2026-12", "analyst", 100, 40)
    async with open_socket(server, climber) as socket:
        await receive(socket)
        refused = await say(socket, "c1", "how was my week?")
    assert refused["code"] == "quota_exceeded", refused
    # 1 January 2027 00:00 UTC is still New Year's Eve in Los Angeles.
    assert refused["resets_at"] == "2027-01-01T00:00:00Z"
    assert refused["message"].endswith("more from Thu 31 Dec, 16:00 (America/Los_Angeles)")


async def test_the_coach_is_shown_the_climbers_friday(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    climber = await sign_up(http, "coached", timezone=SYDNEY)
    async with open_socket(server, climber) as socket:
        await receive(socket)
        await say(socket, "c1", "/log gym 90min rpe 7 yesterday")
        start = await say(socket, "c2", "how was my week?")
        assert start["type"] == "stream.start", start
        while (await receive(socket))["type"] != "stream.end":
            pass
    history = (await http.get("/chat/history", headers=bearer(climber))).json()["items"]
    reply = next(item for item in history if item["role"] == "assistant" and "frame" not in item)
    # The offline coach speaks from the facts assembled for the climber's own Friday.
    assert reply["contextUsed"]["dataAgeDays"] == 1
