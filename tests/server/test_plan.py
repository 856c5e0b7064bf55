"""Training plans in the chat through the real protocol: a live server whose one clock stands on
Monday 16 March 2026 (a plan made today starts today), sign-up over REST, commands over the
socket, the tier from the store as `v7 users set-tier` writes it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from store.records.user import Tier
from tests.clock import FrozenClock, at
from tests.conftest import ENGINES
from tests.server.helpers import sign_up
from tests.server.live import LiveServer, live_server_on
from tests.server.test_ws import open_socket, receive

MONDAY_MORNING = at("2026-03-16T10:00:00")
"""Monday in every zone a test climber may live in (`make test-dates` moves them)."""


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    """A live server on each store engine (SQLite, DynamoDB through moto)."""
    clock = FrozenClock(MONDAY_MORNING)
    folder = Path(tmp_path_factory.mktemp("plans"))
    with live_server_on(str(request.param), folder, moto_endpoint, clock=clock) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


async def say(socket: ClientConnection, frame_id: str, text: str) -> dict[str, Any]:
    await socket.send(json.dumps({"type": "say", "id": frame_id, "text": text}))
    frame = await receive(socket, timeout=20)
    assert frame.get("reply_to") == frame_id, frame
    return frame


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def test_a_free_climber_gets_tier_required(server: LiveServer) -> None:
    headers = await sign_up(server, "free", tier=Tier.FREE)
    async with open_socket(server, token_of(headers)) as socket:
        await receive(socket)  # ready
        refused = await say(socket, "c1", "/plan new V8 by 2027-06-30")
        assert (refused["type"], refused["code"]) == ("error", "tier_required")
        assert "Pro" in refused["message"]
        shown = await say(socket, "c2", "/plan")
        assert "no active training plan" in shown["text"]


async def test_plan_new_show_done_and_stats(server: LiveServer, http: httpx.AsyncClient) -> None:
    headers = await sign_up(server, "pro", tier=Tier.PRO)
    async with open_socket(server, token_of(headers)) as socket:
        await receive(socket)  # ready
        profile = await say(socket, "c1", "/profile days mon wed fri sat years 5 boulder V6")
        assert profile["item"]["trainingDays"] == ["monday", "wednesday", "friday", "saturday"]
        athlete = await http.get("/athlete/profile", headers=headers)
        assert athlete.json()["trainingDays"] == ["monday", "wednesday", "friday", "saturday"]

        made = await say(socket, "c2", "/plan new V8 by 2027-06-30")
        assert (made["type"], made["kind"]) == ("saved", "plan")
        assert made["undo"]
        plan = made["item"]
        assert (plan["startDate"], plan["active"], plan["goals"]) == (
            "2026-03-16",
            True,
            ["Climb V8 boulder"],
        )
        planned = plan["weeks"][0]["days"]["monday"]
        assert planned["type"] != "rest"

        shown = await say(socket, "c3", "/plan")
        assert shown["type"] == "reply"
        today = shown["data"]["week"]["today"]
        assert today["date"] == "2026-03-16"
        assert today["exercises"] == planned["exercises"]
        assert today["exercises"]
        assert "Today (Monday) is a" in shown["text"]
        assert planned["exercises"][0]["name"] in shown["text"]

        done = await say(socket, "c4", "/plan done rpe 7")
        assert (done["type"], done["kind"]) == ("saved", "session")
        assert done["item"]["duration"] == planned["duration"]
        assert done["item"]["date"] == "2026-03-16"
        assert done["quota"]["journal_entries"]["limit"] is None  # Pro: unlimited

        stats = await say(socket, "c5", "/stats")
        adherence = stats["data"]["adherence"]
        assert (adherence["plannedDays"], adherence["doneDays"], adherence["asPlannedDays"]) == (
            1,
            1,
            1,
        )
        assert (
            "Plan week of 2026-03-16: 1 of 1 planned day trained, 1 as planned" in (stats["text"])
        )
    entries = await http.get("/journal/entries", headers=headers)
    assert [entry["id"] for entry in entries.json()["items"]] == [done["item"]["id"]]
